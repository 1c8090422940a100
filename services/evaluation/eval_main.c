/* ocop-evaluation — one evaluation shard.
 *
 *   ocop-evaluation --config FILE --name evaluation-N [--expire-every-ms MS]
 *
 * Serves the requests of section services.NAME of FILE for the provinces that section owns;
 * learns products from registration's events (section services.registration) in a background
 * feed, and its loop expires the certificates that are due every MS milliseconds (default
 * 60000; a timer of the loop, so expiry goes through the ordinary, durable request path). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval_handlers.h"
#include "eval_replica.h"
#include "eval_state.h"
#include "ocop_boot.h"
#include "ocop_log.h"

#define S_EXPIRE_EVERY_MS 60000

static void s_usage(FILE *out)
{
    fprintf(out,
            "usage: ocop-evaluation --config FILE --name NAME [--expire-every-ms MS]\n"
            "  Runs the evaluation shard described by section services.NAME of FILE (e.g.\n"
            "  evaluation-1, with \"shard\" and \"provinces\"). Learns products from section\n"
            "  services.registration's events. Expires due certificates every MS milliseconds\n"
            "  (default %d). Stops cleanly on SIGTERM or SIGINT.\n",
            S_EXPIRE_EVERY_MS);
}

/* --expire-every-ms sets the period of the expiry timer (user). */
static int s_option(void *user, const char *flag, const char *value)
{
    if (strcmp(flag, "--expire-every-ms") != 0)
        return 0;
    char *end;
    long v = strtol(value, &end, 10);
    if (*end || v < 10 || v > 86400000)
        return -1;
    ((ocop_timer_t *)user)->every_ms = (unsigned)v;
    return 1;
}

/* The loop's timer: expire what is due, through the ordinary durable path. */
static bool s_expire_make(void *user, Ocop__Request *req, ocop_arena_t *arena)
{
    (void)user;
    Ocop__EvalExpireDue *due = ocop_arena_alloc(arena, sizeof *due);
    ocop__eval_expire_due__init(due);
    req->body_case = OCOP__REQUEST__BODY_EVAL_EXPIRE_DUE;
    req->eval_expire_due = due;
    return true;
}

static bool s_expire_done(void *user, const Ocop__Reply *reply)
{
    (void)user;
    if (reply->eval_expire_result && reply->eval_expire_result->expired)
        ocop_log_info("certificates_expired", "count=%u", reply->eval_expire_result->expired);
    return false;
}

static int s_open(void *app, ocop_boot_t *b, char *err, size_t errlen)
{
    if (eval_state_open(app, b->store, b->config, &b->sc, err, errlen) != 0)
        return -1;
    ocop_log_info("shard", "name=%s shard=%u provinces=%zu", b->sc.name, b->sc.shard, b->sc.province_count);
    return 0;
}

static void s_close(void *app)
{
    eval_state_close(app);
}

int main(int argc, char **argv)
{
    ocop_timer_t expire = {"expire", S_EXPIRE_EVERY_MS, s_expire_make, s_expire_done};
    const ocop_boot_spec_t spec = {.group = EVAL_GROUP,
                                   .usage = s_usage,
                                   .option = s_option,
                                   .option_user = &expire,
                                   .open = s_open,
                                   .close = s_close,
                                   .open_failed = "rules_invalid",
                                   .routes = eval_routes,
                                   .timers = &expire,
                                   .timer_count = 1,
                                   .follows = EVAL_REPLICA_SOURCE,
                                   .apply = eval_replica_apply};
    eval_state_t state;
    return ocop_boot_main(&spec, &state, argc, argv);
}
