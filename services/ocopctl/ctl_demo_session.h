/* ctl_demo_session — what the demo councils share (ctl_demo_evaluate, ctl_demo_rerate): the
 * seeded hash the demo draws from, pipelined calls to a shard, the councils' members and their
 * creation, the base total a council finds for a product, and the members' sheets on a session. */
#ifndef CTL_DEMO_SESSION_H
#define CTL_DEMO_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "ctl_demo_sheets.h"
#include "envelope.pb-c.h"
#include "ocop_client.h"

#define CTL_DEMO_MEMBERS 7
#define CTL_DEMO_ID_LEN 40

/* Member ids ("m1"…"m7", the chair first) and names of every demo council. */
extern const char *const ctl_demo_members[CTL_DEMO_MEMBERS][2];

/* A product as the demo scores it: id, catalogue and product set (its form). */
typedef struct {
    char id[CTL_DEMO_ID_LEN];
    char catalogue[16];
    char set[16];
} ctl_demo_product_t;

/* A deterministic 64-bit hash of s under seed. */
uint64_t ctl_demo_hash(uint64_t seed, const char *s);

/* The council's common view of a product in demo evaluate: a base total in whole points and
 * its band (3..5); central: the ministry's view of a proposal (about half reach 90 again). */
double ctl_demo_base_total(uint64_t seed, const char *product_id, int central, int *band);

/* Pipelines n requests on client; every reply must be OK (what names the step in messages).
 * With keep, *keep receives the n replies (the caller frees each and the array); otherwise they
 * are freed. 0, or an exit code after printing why. */
int ctl_demo_pipeline(ocop_client_t *client, Ocop__Request *reqs, size_t n, int timeout_ms, const char *what,
                      Ocop__Reply ***keep);
/* One request as ctl_demo_pipeline; *reply is the caller's (ocop__reply__free_unpacked). */
int ctl_demo_call_one(ocop_client_t *client, Ocop__Request *req, int timeout_ms, const char *what, Ocop__Reply **reply);

/* The products registration holds in province at stage, in its order, into *out (*n of them;
 * the caller frees *out). 0 / exit code. */
int ctl_demo_list_products(ocop_client_t *reg, const char *province, Ocop__Stage stage, int timeout_ms,
                           ctl_demo_product_t **out, size_t *n);

/* Creates (or, on a re-run, finds again by its request id) the province's council, or the
 * central council for the province's proposals; its id into out (CTL_DEMO_ID_LEN). 0 / exit. */
int ctl_demo_council(ocop_client_t *shard, const char *province, int central, int timeout_ms, char *out);

/* The sheets of the first n_members members for every product of session, scored on the form
 * in force on date: member m's total within 1.5 points of base[p], never below the star minimums
 * of band[p]. Request ids "demo-sheet-<session>-<product>-<member>". 0 / exit code. */
int ctl_demo_sheets_send(ctl_demo_forms_t *forms, ocop_client_t *shard, const char *session, const char *date,
                         const ctl_demo_product_t *products, const double *base, const int *band, size_t n,
                         size_t n_members, uint64_t seed, int timeout_ms);

#endif
