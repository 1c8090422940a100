/* gw_static — the dashboard's files from the gateway section's static_dir: GET of a path that
 * is not the API's (/v1/...) nor one of gw_pages' is a file under it ("/" is index.html), with
 * its content type; paths that climb out or name hidden files are refused, a symbolic link on
 * the way is not followed, and only regular files are served. */
#ifndef GW_STATIC_H
#define GW_STATIC_H

#include "gw.h"

/* 1 when in was answered from static_dir (a file, 404, or 405 for a non-GET), else 0 (not a
 * static path, or no static_dir). */
int gw_static_serve(const gw_t *gw, const gw_request_t *in, gw_response_t *out);

#endif
