/* demo_round — see demo_round.h. */
#include "demo_round.h"

#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "demo_session.h"
#include "ocop_date.h"
#include "ocop_error.h"

#define S_NUMBER_MAX 12 /* the service's bound on a round's number */

/* A declared round that takes the dossiers into id (0), or "" with *next the number after the
 * level's last; 0 / exit code. */
static int s_find(ocop_client_t *shard, Ocop__EvalLevel level, const char *province, unsigned year, const char *filed,
                  const char *deadline, int timeout_ms, char *id, unsigned *next)
{
    Ocop__EvalRoundCalendarGet get = OCOP__EVAL_ROUND_CALENDAR_GET__INIT;
    get.province_code = (char *)province;
    get.year = year;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_EVAL_ROUND_CALENDAR_GET;
    req.eval_round_calendar_get = &get;
    Ocop__Reply *reply;
    int rc = demo_call_one(shard, &req, timeout_ms, "reading the rounds", &reply);
    if (rc != 0)
        return rc;
    *id = '\0';
    *next = 1;
    const Ocop__EvalRoundCalendar *cal = reply->eval_round_calendar;
    for (size_t i = 0; i < cal->n_rounds; i++) {
        const Ocop__EvalRound *r = cal->rounds[i]->round;
        if (!r || r->level != level)
            continue;
        if (r->number >= *next)
            *next = r->number + 1;
        if (!*id && strcmp(r->cutoff, filed) >= 0 && strcmp(r->deadline, deadline) >= 0)
            snprintf(id, DEMO_ID_LEN, "%s", r->id);
    }
    ocop__reply__free_unpacked(reply, NULL);
    return 0;
}

/* Declares round number of year: with no dates (a statutory number takes the policy's), else
 * with cutoff and deadline. *id gets its id when it takes the dossiers; *own is set when the
 * number is not statutory and no dates were given. 0 / exit code. */
static int s_declare(ocop_client_t *shard, const Ocop__EvalRoundOpen *want, int dated, const char *filed,
                     int timeout_ms, char *id, int *own)
{
    Ocop__EvalRoundOpen open = *want;
    if (!dated)
        open.cutoff = open.deadline = "";
    char rid[96];
    snprintf(rid, sizeof rid, "demo-round-%d-%s-%u-%u%s", (int)open.level, open.province_code, open.year, open.number,
             dated ? "-own" : "");
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.request_id = rid;
    req.body_case = OCOP__REQUEST__BODY_EVAL_ROUND_OPEN;
    req.eval_round_open = &open;
    Ocop__Reply *reply;
    if (ocop_client_call(shard, &req, &reply, timeout_ms, 3) != 0) {
        fprintf(stderr, "ocop-demo: declaring a round: no reply within %d ms\n", timeout_ms);
        return CTL_EXIT_UNAVAILABLE;
    }
    Ocop__Status status = reply->status;
    int rc = 0;
    *own = !dated && status == OCOP__STATUS__STATUS_INVALID && strcmp(reply->field, "cutoff") == 0;
    if (status == OCOP__STATUS__STATUS_OK) {
        const Ocop__EvalRound *r = reply->eval_round;
        if (strcmp(r->cutoff, filed) >= 0 && strcmp(r->deadline, want->deadline) >= 0)
            snprintf(id, DEMO_ID_LEN, "%s", r->id);
    } else if (!*own) {
        fprintf(stderr, "ocop-demo: declaring round %u of %u in %s: %s (%s) %s\n", open.number, open.year,
                open.province_code, ocop_status_name(status), reply->field, reply->message);
        rc = ctl_exit_for_status(status);
    }
    ocop__reply__free_unpacked(reply, NULL);
    return rc;
}

int demo_round(ocop_client_t *shard, Ocop__EvalLevel level, const char *province, const char *filed, const char *cutoff,
               const char *deadline, int timeout_ms, char *id)
{
    Ocop__EvalRoundOpen open = OCOP__EVAL_ROUND_OPEN__INIT;
    open.level = level;
    open.province_code = (char *)province;
    open.year = (unsigned)ocop_date_year(deadline);
    open.cutoff = (char *)cutoff;
    open.deadline = (char *)deadline;
    int rc = s_find(shard, level, province, open.year, filed, deadline, timeout_ms, id, &open.number);
    /* The statutory rounds first, as the province declares them; the council's own after. */
    for (int own = 0; rc == 0 && !*id && open.number <= S_NUMBER_MAX; open.number += !own)
        rc = s_declare(shard, &open, own, filed, timeout_ms, id, &own);
    if (rc == 0 && !*id) {
        fprintf(stderr, "ocop-demo: province %s has no round number left in %u\n", province, open.year);
        rc = CTL_EXIT_FAILED;
    }
    return rc;
}
