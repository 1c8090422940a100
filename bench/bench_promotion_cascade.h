/* bench_promotion_cascade — the cascade of revocations on the real processes, for
 * bench_promotion: registration, one evaluation shard (one province) and ocop-promotion started
 * by the integration-test harness on loopback; products rated by a province council, certified,
 * applied to one fair with fewer booths than applications and allocated; then many of the booked
 * products' certificates revoked at once on the shard, timed until promotion has cancelled every
 * one of their bookings and handed the freed booths down the waiting list.
 *
 * Needs the binaries of OCOP_BINARY_DIR and the rules of OCOP_SOURCE_DIR (the caller sets both). */
#ifndef BENCH_PROMOTION_CASCADE_H
#define BENCH_PROMOTION_CASCADE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bench_util.h"

#define BENCH_CASCADE_MEMBERS 3
#define BENCH_CASCADE_SESSION_MAX 1000 /* products per session */
#define BENCH_CASCADE_TOTAL 75.0       /* every member's total for every product: a 4-star band */

typedef struct {
    size_t products;    /* rated, certified and applied to the fair */
    size_t waiting;     /* the fair has products - waiting booths */
    size_t revocations; /* of booked products, at most the booths */
    unsigned poll_ms;   /* between two looks at the fair's applications */
    unsigned seed;      /* makes registration names unique */
} bench_cascade_args_t;

typedef struct {
    /* the deployment */
    char province[16];
    size_t communes;
    char policy[32];
    char rubric[64];
    size_t products, booths, waiting, revocations, sessions;
    unsigned poll_ms;
    size_t stars[6]; /* certificates by stars */
    /* setting up, seconds */
    double ready_s;   /* registration: entities and products registered and moved to READY */
    double replica_s; /* until the shard knew the last product */
    double attest_s;  /* pipelined EvalAttest */
    double sheets_s;  /* pipelined sheets, every member for every product */
    double close_s;   /* closing every session (certificates issued) */
    double known_s;   /* until promotion knew every certificate */
    double apply_s;   /* pipelined ProApply */
    double allocate_s;
    /* the cascade, seconds from the first revocation sent */
    double revoke_s;       /* the last revocation's reply from the shard */
    double ended_s;        /* time_ms of the shard's last CertificateEnded event */
    double first_cancel_s; /* time_ms of promotion's first ProBookingCancelled event */
    double last_event_s;   /* time_ms of promotion's last cancellation or promotion event */
    double observed_s;     /* the look at the applications that saw the final state */
    size_t polls;
    size_t ended_events, cancelled_events, promoted_events;
    size_t rounds;                       /* cascade requests that cancelled something (distinct event times) */
    double round_gap_ms;                 /* mean time between two of them */
    double promotion_cpu_s, shard_cpu_s; /* CPU of each process from the first revocation to the end */
    /* the fair at the end, and what it should be */
    size_t booked, waiting_left, cancelled, promoted_rank_ok;
    size_t expect_booked, expect_promoted;
} bench_cascade_result_t;

/* Deploys, sets up, times the cascade, checks the final state and tears everything down.
 * 0, or -1 with the reason on stderr (anything wrong with the final state is an error). */
int bench_cascade_run(const bench_cascade_args_t *a, bench_cascade_result_t *r);

void bench_cascade_print(const bench_cascade_result_t *r, FILE *f);
/* The cascade's part of the promotion section (no markers). */
void bench_cascade_markdown(const bench_cascade_result_t *r, bench_text_t *md);

#endif
