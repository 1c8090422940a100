/* gw_openapi — the OpenAPI 3 document of the API, written from ocop_api's route table and the
 * protobuf descriptors of each route's request and reply (their JSON forms are ocop_json's).
 * docs/openapi.json is this document checked in; a test keeps them equal. */
#ifndef GW_OPENAPI_H
#define GW_OPENAPI_H

/* The document as indented JSON text (the caller frees it), or NULL when out of memory. */
char *gw_openapi_document(void);

#endif
