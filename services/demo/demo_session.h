/* demo_session — what the demo councils share (demo_evaluate, demo_rerate): the
 * seeded hash the demo draws from, pipelined calls to a shard, the councils' members and their
 * creation, the base total a council finds for a product, and the members' sheets on a session. */
#ifndef DEMO_SESSION_H
#define DEMO_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "demo_sheets.h"
#include "envelope.pb-c.h"
#include "ocop_client.h"

#define DEMO_MEMBERS 7
#define DEMO_ID_LEN 40
/* A council's sitting scores tens to a few hundred dossiers; a session's opening and result
 * events list each of its products, so a session of a whole large province would make every
 * product's history carry an event that grows with the province (and a session takes at most
 * 5,000 products). */
#define DEMO_SITTING_MAX 200
/* Requests the demo keeps in flight on one connection. */
#define DEMO_WINDOW 512

/* Member ids ("m1"…"m7", the chair first) and names of every demo council. */
extern const char *const demo_members[DEMO_MEMBERS][2];

/* A product as the demo scores it: id, catalogue and product set (its form). */
typedef struct {
    char id[DEMO_ID_LEN];
    char catalogue[16];
    char set[16];
} demo_product_t;

/* A deterministic 64-bit hash of s under seed. */
uint64_t demo_hash(uint64_t seed, const char *s);

/* The council's common view of a product in demo evaluate: a base total in whole points and
 * its band (3..5); central: the ministry's view of a proposal (about half reach 90 again). */
double demo_base_total(uint64_t seed, const char *product_id, int central, int *band);

/* Pipelines n requests on client; every reply must be OK (what names the step in messages).
 * With keep, *keep receives the n replies (the caller frees each and the array); otherwise they
 * are freed. 0, or an exit code after printing why. */
int demo_pipeline(ocop_client_t *client, Ocop__Request *reqs, size_t n, int timeout_ms, const char *what,
                  Ocop__Reply ***keep);
/* One request as demo_pipeline; *reply is the caller's (ocop__reply__free_unpacked). */
int demo_call_one(ocop_client_t *client, Ocop__Request *req, int timeout_ms, const char *what, Ocop__Reply **reply);

/* The products registration holds in province at stage, in its order, into *out (*n of them;
 * the caller frees *out). 0 / exit code. */
int demo_list_products(ocop_client_t *reg, const char *province, Ocop__Stage stage, int timeout_ms,
                       demo_product_t **out, size_t *n);

/* Creates (or, on a re-run, finds again by its request id) the province's council, or the
 * central council for the province's proposals; its id into out (DEMO_ID_LEN). 0 / exit. */
int demo_council(ocop_client_t *shard, const char *province, int central, int timeout_ms, char *out);

/* The sheets of the first n_members members for every product of session, scored on the form
 * in force on date: member m's total within 1.5 points of base[p], never below the star minimums
 * of band[p]. Request ids "demo-sheet-<session>-<product>-<member>". 0 / exit code. */
int demo_sheets_send(demo_forms_t *forms, ocop_client_t *shard, const char *session, const char *date,
                     const demo_product_t *products, const double *base, const int *band, size_t n, size_t n_members,
                     uint64_t seed, int timeout_ms);

#endif
