/* Found before LMDB's own header by the files that must not use LMDB (a service's handlers once
 * they use only the records of the context, common/ocop_service.h): including it stops the
 * build. */
#error "LMDB's header is not for this file: it uses only the records of the context"
