/* gw_http — the HTTP server (libmicrohttpd, a pool of worker threads): reads each request with
 * its body up to the configured limit, hands it to gw_dispatch and sends the response. */
#ifndef GW_HTTP_H
#define GW_HTTP_H

#include "gw.h"

typedef struct gw_http_t gw_http_t;

/* Listens on gw->gc.host:port. NULL with err (e.g. the port is taken). */
gw_http_t *gw_http_start(gw_t *gw, char *err, size_t errlen);
/* Stops accepting, finishes the requests under way, joins the workers. */
void gw_http_stop(gw_http_t **self_p);

#endif
