/* Found before LMDB's own header by the files that must not use LMDB (a service's handlers once
 * they use only the records of the context, common/ocop_service.h). It declares nothing, so any
 * use of LMDB's types or functions there fails to compile; ocop_db.h, which every file of
 * services/ sees first, declares nothing either when it finds this. */
#ifndef OCOP_WITHOUT_LMDB
#define OCOP_WITHOUT_LMDB 1
#endif
