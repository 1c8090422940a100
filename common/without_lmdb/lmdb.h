/* Found before LMDB's own header by the files that must not use LMDB (a service's handlers once
 * they use only the records of the context, common/ocop_service.h): including it stops the
 * build. */
#error "this file uses only the records of the context (ocop_ctx_record, ocop_ctx_scan_open, ...): LMDB's header is not for it"
