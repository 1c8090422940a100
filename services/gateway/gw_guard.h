/* gw_guard — time limits a slow client cannot stretch. libmicrohttpd's idle time-out restarts
 * with every byte, so a client sending a byte every few seconds would keep a connection (and a
 * share of the connection limit) for ever. The guard gives each connection a deadline by which
 * its next request must have arrived whole, headers and body: set when the connection opens and
 * again when a response has been sent. A connection past its deadline while none of its requests
 * is being answered is shut down (the socket only: libmicrohttpd then sees its end and closes
 * it); a body still arriving past the deadline is refused by the HTTP layer. */
#ifndef GW_GUARD_H
#define GW_GUARD_H

#include <stdbool.h>

typedef struct gw_guard_t gw_guard_t;
typedef struct gw_guard_conn_t gw_guard_conn_t;

/* Starts the thread that sweeps connections past their deadline (every quarter second). NULL
 * when out of memory or no thread could start. */
gw_guard_t *gw_guard_new(unsigned deadline_s);
void gw_guard_destroy(gw_guard_t **self_p);

/* A connection opened on fd; NULL when out of memory (it is then not guarded). */
gw_guard_conn_t *gw_guard_open(gw_guard_t *self, int fd);
/* The connection closed (conn may be NULL). */
void gw_guard_close(gw_guard_t *self, gw_guard_conn_t *conn);

/* A request of conn is being answered (exempt from the sweep), or its answer was sent (the
 * next request's deadline starts). conn may be NULL. */
void gw_guard_answering(gw_guard_t *self, gw_guard_conn_t *conn, bool answering);
/* Whether conn is past its deadline (a request still arriving is then refused). */
bool gw_guard_expired(gw_guard_t *self, const gw_guard_conn_t *conn);

#endif
