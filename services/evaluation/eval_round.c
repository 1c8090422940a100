/* eval_round — see eval_round.h; the two request handlers are declared in eval_handlers.h. */
#include "eval_round.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval_handlers.h"
#include "ocop_date.h"
#include "ocop_error.h"

#define S_YEAR_MIN 2000
#define S_YEAR_MAX 2100
#define S_NUMBER_MAX 12
#define S_WARNINGS_MAX 64

/* ---------------------------------------------------------------- keys and records */

static void s_key_id(ocop_key_t *key, const char *id)
{
    ocop_key_init(key);
    ocop_key_str(key, "r");
    ocop_key_str(key, id);
}

/* "k"|province|year, then level and number when level is not 0. */
static void s_key_at(ocop_key_t *key, const char *province, uint32_t year, uint32_t level, uint32_t number)
{
    ocop_key_init(key);
    ocop_key_str(key, "k");
    ocop_key_str(key, province);
    ocop_key_u32(key, year);
    if (level) {
        ocop_key_u32(key, level);
        ocop_key_u32(key, number);
    }
}

static void s_key_sessions(ocop_key_t *key, const char *round_id)
{
    ocop_key_init(key);
    ocop_key_str(key, "s");
    ocop_key_str(key, round_id);
}

/* The rules of a year: those of the policy in force on its last day (NULL before every policy). */
static const eval_policy_t *s_policy_of_year(const eval_state_t *state, uint32_t year)
{
    char day[OCOP_DATE_LEN];
    snprintf(day, sizeof day, "%04u-12-31", (unsigned)year);
    return eval_policies_in_force(state->policies, day);
}

static Ocop__EvalRound *s_load(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *field, const char *id)
{
    if (eval_check_id(ctx, reply, field, id, "R") != 0)
        return NULL;
    ocop_key_t key;
    s_key_id(&key, id);
    void *found;
    int rc = ocop_ctx_record(ctx, reply, eval_state(ctx)->db.rounds, &key, &ocop__eval_round__descriptor, &found);
    if (rc == 1)
        ocop_ctx_fail(ctx, reply, OCOP_E_NOT_FOUND, field, "round %s does not exist", id);
    if (rc != 0)
        return NULL;
    Ocop__EvalRound *round = found;
    return eval_check_province(ctx, reply, field, round->province_code) == 0 ? round : NULL;
}

/* The rounds of a province's year in level and number order (*n of them). NULL with the reply
 * failed on a store error. */
static Ocop__EvalRound **s_rounds_of(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *province, uint32_t year,
                                     size_t *n)
{
    ocop_arena_t *arena = ocop_ctx_arena(ctx);
    ocop_key_t prefix;
    s_key_at(&prefix, province, year, 0, 0);
    size_t cap = 0, count = 0;
    char **ids = NULL;
    ocop_scan_t scan;
    if (ocop_ctx_scan_open(ctx, reply, &scan, eval_state(ctx)->db.rounds, &prefix, NULL) != 0)
        return NULL;
    while (ocop_scan_next(&scan)) {
        if (!(ids = ocop_arena_grow(arena, ids, count, &cap, sizeof *ids))) {
            ocop_scan_fail(&scan, ENOMEM);
            break;
        }
        ids[count++] = ocop_arena_strndup(arena, scan.value.data, scan.value.size);
    }
    if (ocop_ctx_scan_close(ctx, reply, &scan, "reading the rounds") != 0)
        return NULL;
    Ocop__EvalRound **out = ocop_arena_alloc(arena, (count + 1) * sizeof *out);
    for (size_t i = 0; i < count; i++)
        if (!(out[i] = s_load(ctx, reply, "province_code", ids[i])))
            return NULL;
    *n = count;
    return out;
}

/* ---------------------------------------------------------------- opening a round */

static int s_round_dates(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__EvalRoundOpen *in,
                         const eval_policy_t *policy, const eval_round_rule_t *rule, char *cutoff, char *deadline)
{
    const char *level = eval_level_name(eval_level_of(in->level));
    if (rule) {
        snprintf(cutoff, OCOP_DATE_LEN, "%04u-%s", (unsigned)in->year, rule->cutoff);
        snprintf(deadline, OCOP_DATE_LEN, "%04u-%s", (unsigned)in->year, rule->deadline);
        const char *given[] = {in->cutoff, in->deadline}, *field[] = {"cutoff", "deadline"},
                   *want[] = {cutoff, deadline};
        for (int i = 0; i < 2; i++)
            if (*given[i] && strcmp(given[i], want[i]) != 0)
                return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, field[i],
                                     "round %u of %u of the %s level is statutory: %s %s sets its %s on %s, not "
                                     "%.16s (a round of the council's own takes a number after %zu)",
                                     in->number, in->year, level, policy->decision, policy->rounds.article, field[i],
                                     want[i], given[i], policy->rounds.n_by_level[eval_level_of(in->level)]);
        return 0;
    }
    const char *why = policy && policy->rounds.has ? policy->rounds.article : "no rounds";
    if (!ocop_date_valid(in->cutoff))
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "cutoff",
                             "round %u of %u of the %s level is not one of %s's statutory rounds (%s): give its "
                             "cutoff as YYYY-MM-DD",
                             in->number, in->year, level, policy ? policy->decision : "the rules", why);
    if (!ocop_date_valid(in->deadline) || ocop_date_year(in->deadline) != (int)in->year)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "deadline",
                             "round %u of %u is not a statutory round: give its deadline as YYYY-MM-DD in %u",
                             in->number, in->year, in->year);
    if (strcmp(in->cutoff, in->deadline) >= 0)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "deadline", "deadline %s is not after the cutoff %s",
                             in->deadline, in->cutoff);
    snprintf(cutoff, OCOP_DATE_LEN, "%s", in->cutoff);
    snprintf(deadline, OCOP_DATE_LEN, "%s", in->deadline);
    return 0;
}

int eval_handle_round_open(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    const Ocop__EvalRoundOpen *in = req->eval_round_open;
    eval_state_t *state = eval_state(ctx);
    ocop_arena_t *arena = ocop_ctx_arena(ctx);
    if (in->level != OCOP__EVAL_LEVEL__EVAL_LEVEL_PROVINCE && in->level != OCOP__EVAL_LEVEL__EVAL_LEVEL_CENTRAL)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "level",
                             "level must be province or central: the levels that hold rounds (Art. 5)");
    if (eval_check_province(ctx, reply, "province_code", in->province_code) != 0)
        return -1;
    if (in->year < S_YEAR_MIN || in->year > S_YEAR_MAX)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "year", "year must be %d to %d", S_YEAR_MIN, S_YEAR_MAX);
    if (in->number < 1 || in->number > S_NUMBER_MAX)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "number", "number must be 1 to %d", S_NUMBER_MAX);
    const eval_policy_t *policy = s_policy_of_year(state, in->year);
    const eval_round_rule_t *rule =
        policy ? eval_policy_round(policy, eval_level_of(in->level), (int)in->number) : NULL;
    char *cutoff = ocop_arena_alloc(arena, OCOP_DATE_LEN), *deadline = ocop_arena_alloc(arena, OCOP_DATE_LEN);
    if (s_round_dates(ctx, reply, in, policy, rule, cutoff, deadline) != 0)
        return -1;

    ocop_key_t at;
    s_key_at(&at, in->province_code, in->year, (uint32_t)in->level, in->number);
    ocop_bytes_t held;
    int rc = ocop_ctx_value(ctx, reply, state->db.rounds, &at, &held);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return ocop_ctx_fail(ctx, reply, OCOP_E_CONFLICT, "number",
                             "province %s already has round %u of %u at the %s level: %.*s", in->province_code,
                             in->number, in->year, eval_level_name(eval_level_of(in->level)), (int)held.size,
                             (const char *)held.data);

    Ocop__EvalRound *r = ocop_arena_alloc(arena, sizeof *r);
    ocop__eval_round__init(r);
    if (!(r->id = eval_next_id(ctx, reply, "R")))
        return -1;
    r->level = in->level;
    r->province_code = in->province_code;
    r->year = in->year;
    r->number = in->number;
    r->cutoff = cutoff;
    r->deadline = deadline;
    r->statutory = rule != NULL;
    r->opened_ms = ocop_ctx_now_ms(ctx);
    r->policy = policy && policy->rounds.has ? (char *)policy->decision : "";
    r->article = policy && policy->rounds.has ? (char *)policy->rounds.article : "";
    ocop_key_t key;
    s_key_id(&key, r->id);
    if (ocop_ctx_record_put(ctx, reply, state->db.rounds, &key, &r->base) != 0 ||
        ocop_ctx_value_put(ctx, reply, state->db.rounds, &at, r->id, strlen(r->id)) != 0)
        return -1;
    Ocop__EvalRoundOpened body = OCOP__EVAL_ROUND_OPENED__INIT;
    body.round = r;
    reply->body_case = OCOP__REPLY__BODY_EVAL_ROUND;
    reply->eval_round = r;
    return ocop_ctx_publish_body(ctx, reply, &body.base);
}

/* ---------------------------------------------------------------- a session's round */

/* The round a dossier filed on filed goes to instead of round r: the declared round of r's level
 * and province with the earliest cut-off not before filed (this year or the next), else the
 * policy's statutory one; its description into out. 0 / -1 (store error). */
static int s_next_round(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__EvalRound *r, const char *filed, char *out,
                        size_t outlen)
{
    const Ocop__EvalRound *best = NULL;
    for (uint32_t y = r->year; y <= r->year + 1; y++) {
        size_t n;
        Ocop__EvalRound **rounds = s_rounds_of(ctx, reply, r->province_code, y, &n);
        if (!rounds)
            return -1;
        for (size_t i = 0; i < n; i++)
            if (rounds[i]->level == r->level && strcmp(rounds[i]->cutoff, filed) >= 0 &&
                (!best || strcmp(rounds[i]->cutoff, best->cutoff) < 0))
                best = rounds[i];
    }
    if (best) {
        snprintf(out, outlen, "round %u of %u (%s: cut-off %s, deadline %s)", best->number, best->year, best->id,
                 best->cutoff, best->deadline);
        return 0;
    }
    char cutoff[OCOP_DATE_LEN] = "", deadline[OCOP_DATE_LEN] = "";
    unsigned number = 0, year = 0;
    eval_level_t level = eval_level_of(r->level);
    for (uint32_t y = r->year; y <= r->year + 1; y++) {
        const eval_policy_t *p = s_policy_of_year(eval_state(ctx), y);
        for (size_t i = 0; p && i < p->rounds.n_by_level[level]; i++) {
            const eval_round_rule_t *rule = &p->rounds.by_level[level][i];
            char day[OCOP_DATE_LEN];
            snprintf(day, sizeof day, "%04u-%s", (unsigned)y, rule->cutoff);
            if (strcmp(day, filed) >= 0 && (!*cutoff || strcmp(day, cutoff) < 0)) {
                snprintf(cutoff, sizeof cutoff, "%s", day);
                snprintf(deadline, sizeof deadline, "%04u-%s", (unsigned)y, rule->deadline);
                number = (unsigned)rule->number;
                year = y;
            }
        }
    }
    if (*cutoff)
        snprintf(out, outlen, "round %u of %u (not declared yet: cut-off %s, deadline %s)", number, year, cutoff,
                 deadline);
    else
        snprintf(out, outlen, "a later round, not declared yet");
    return 0;
}

int eval_round_check_session(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__EvalSessionOpen *in,
                             const eval_policy_t *policy, const Ocop__EvalCouncil *council, Ocop__EvalRound **out)
{
    *out = NULL;
    if (!in->round_id || !*in->round_id) {
        eval_level_t level = eval_level_of(council->level);
        if (!policy->rounds.has || policy->rounds.n_by_level[level] == 0)
            return 0;
        return ocop_ctx_fail(ctx, reply, OCOP_E_ILLEGAL_STATE, "round_id",
                             "under %s a %s council evaluates in rounds (%s): the session must name the round "
                             "it belongs to (declare the year's rounds first)",
                             policy->decision, eval_level_name(level), policy->rounds.article);
    }
    Ocop__EvalRound *r = s_load(ctx, reply, "round_id", in->round_id);
    if (!r)
        return -1;
    if (r->level != council->level || strcmp(r->province_code, council->province_code) != 0)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "round_id",
                             "round %s is a %s round of province %s; council %s is a %s council of province %s", r->id,
                             eval_level_name(eval_level_of(r->level)), r->province_code, council->id,
                             eval_level_name(eval_level_of(council->level)), council->province_code);
    for (size_t i = 0; i < in->n_product_ids; i++) {
        const char *filed = in->date;
        for (size_t d = 0; d < in->n_dossiers; d++)
            if (strcmp(in->dossiers[d]->product_id, in->product_ids[i]) == 0)
                filed = in->dossiers[d]->filed;
        if (strcmp(filed, r->cutoff) <= 0)
            continue;
        char next[160], field[40];
        if (s_next_round(ctx, reply, r, filed, next, sizeof next) != 0)
            return -1;
        snprintf(field, sizeof field, "product_ids[%zu]", i);
        return ocop_ctx_fail(
            ctx, reply, OCOP_E_ILLEGAL_STATE, field,
            "product %.64s's dossier was filed on %s, after the cut-off %s of round %u of %u (%s%s%s): "
            "it goes to the next round, %s",
            in->product_ids[i], filed, r->cutoff, r->number, r->year, *r->policy ? r->policy : r->id,
            *r->article ? " " : "", r->article, next);
    }
    *out = r;
    return 0;
}

int eval_round_add_session(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__EvalRound *round,
                           const Ocop__EvalSession *session, uint32_t n_products)
{
    ocop_key_t key;
    s_key_sessions(&key, round->id);
    ocop_key_str(&key, session->id);
    uint8_t buf[4];
    ocop_be32_put(buf, n_products);
    return ocop_ctx_value_put(ctx, reply, eval_state(ctx)->db.rounds, &key, buf, sizeof buf);
}

/* ---------------------------------------------------------------- the calendar */

typedef struct {
    char **items;
    size_t n;
} s_warnings_t;

static void s_warn(ocop_arena_t *arena, s_warnings_t *w, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void s_warn(ocop_arena_t *arena, s_warnings_t *w, const char *fmt, ...)
{
    if (w->n == S_WARNINGS_MAX)
        return;
    char buf[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    w->items[w->n++] = ocop_arena_strdup(arena, buf);
}

/* One round's sessions from its index, each session's head read once. */
static Ocop__EvalRoundStatus *s_status(ocop_ctx_t *ctx, Ocop__Reply *reply, Ocop__EvalRound *r)
{
    ocop_arena_t *arena = ocop_ctx_arena(ctx);
    Ocop__EvalRoundStatus *st = ocop_arena_alloc(arena, sizeof *st);
    ocop__eval_round_status__init(st);
    st->round = r;
    ocop_key_t prefix;
    s_key_sessions(&prefix, r->id);
    size_t cap = 0;
    ocop_scan_t scan;
    if (ocop_ctx_scan_open(ctx, reply, &scan, eval_state(ctx)->db.rounds, &prefix, NULL) != 0)
        return NULL;
    while (ocop_scan_next(&scan)) {
        size_t len = scan.key.size - prefix.len; /* the session id with its NUL */
        Ocop__EvalRoundSession *rs = ocop_arena_alloc(arena, sizeof *rs);
        st->sessions = ocop_arena_grow(arena, st->sessions, st->n_sessions, &cap, sizeof *st->sessions);
        if (len == 0 || !rs || !st->sessions) {
            ocop_scan_fail(&scan, len == 0 ? OCOP_STORE_CORRUPT : ENOMEM);
            break;
        }
        ocop__eval_round_session__init(rs);
        rs->session_id = ocop_arena_strndup(arena, (const char *)scan.key.data + prefix.len, len);
        rs->products = scan.value.size == 4 ? ocop_be32_get(scan.value.data) : 0;
        st->sessions[st->n_sessions++] = rs;
    }
    if (ocop_ctx_scan_close(ctx, reply, &scan, "reading a round's sessions") != 0)
        return NULL;
    for (size_t i = 0; i < st->n_sessions; i++) {
        Ocop__EvalRoundSession *rs = st->sessions[i];
        const Ocop__EvalSession *s = ocop_ctx_get(ctx, reply, eval_state(ctx)->db.sessions, rs->session_id,
                                                  &ocop__eval_session__descriptor, "province_code", "session");
        if (!s)
            return NULL;
        rs->date = s->date;
        rs->state = s->state;
        rs->after_deadline = strcmp(s->date, r->deadline) > 0;
        st->products += rs->products;
        st->closed_sessions += s->state == OCOP__SESSION_STATE__SESSION_STATE_CLOSED;
    }
    return st;
}

static void s_round_warnings(ocop_arena_t *arena, const Ocop__EvalRoundStatus *st, const char *today, s_warnings_t *w)
{
    const Ocop__EvalRound *r = st->round;
    const char *level = eval_level_name(eval_level_of(r->level));
    for (size_t i = 0; i < st->n_sessions; i++)
        if (st->sessions[i]->after_deadline)
            s_warn(arena, w, "session %s of %s round %u (%s) was held on %s, after the round's deadline %s",
                   st->sessions[i]->session_id, level, r->number, r->id, st->sessions[i]->date, r->deadline);
    if (strcmp(today, r->deadline) <= 0)
        return;
    size_t open = 0;
    const char *first = NULL;
    for (size_t i = 0; i < st->n_sessions; i++)
        if (st->sessions[i]->state != OCOP__SESSION_STATE__SESSION_STATE_CLOSED) {
            open++;
            first = first ? first : st->sessions[i]->session_id;
        }
    if (open)
        s_warn(arena, w, "%s round %u (%s): its deadline %s has passed with %zu session%s still open (%s%s)", level,
               r->number, r->id, r->deadline, open, open == 1 ? "" : "s", first, open > 1 ? ", ..." : "");
    else if (st->closed_sessions == 0)
        s_warn(arena, w, "%s round %u (%s): its deadline %s has passed with no closed session", level, r->number, r->id,
               r->deadline);
}

int eval_handle_round_calendar_get(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    const Ocop__EvalRoundCalendarGet *in = req->eval_round_calendar_get;
    eval_state_t *state = eval_state(ctx);
    ocop_arena_t *arena = ocop_ctx_arena(ctx);
    if (eval_check_province(ctx, reply, "province_code", in->province_code) != 0)
        return -1;
    if (in->year < S_YEAR_MIN || in->year > S_YEAR_MAX)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "year", "year must be %d to %d", S_YEAR_MIN, S_YEAR_MAX);
    char *today = ocop_arena_alloc(arena, OCOP_DATE_LEN);
    ocop_day_of(ocop_ctx_now_ms(ctx), today);
    size_t n;
    Ocop__EvalRound **rounds = s_rounds_of(ctx, reply, in->province_code, in->year, &n);
    if (!rounds)
        return -1;
    Ocop__EvalRoundCalendar *cal = ocop_arena_alloc(arena, sizeof *cal);
    ocop__eval_round_calendar__init(cal);
    cal->province_code = in->province_code;
    cal->year = in->year;
    cal->today = today;
    cal->rounds = ocop_arena_alloc(arena, (n + 1) * sizeof *cal->rounds);
    s_warnings_t w = {ocop_arena_alloc(arena, S_WARNINGS_MAX * sizeof(char *)), 0};
    const eval_policy_t *policy = s_policy_of_year(state, in->year);
    for (int l = 0; policy && l < EVAL_LEVEL_COUNT; l++) {
        size_t declared = 0;
        if (policy->rounds.n_by_level[l] == 0)
            continue;
        for (size_t i = 0; i < n; i++)
            declared += rounds[i]->level == eval_level_to_proto((eval_level_t)l);
        if ((int)declared < policy->rounds.min_per_year)
            s_warn(arena, &w, "%s level: %zu round%s declared for %u, fewer than %d (%s %s)",
                   eval_level_name((eval_level_t)l), declared, declared == 1 ? "" : "s", in->year,
                   policy->rounds.min_per_year, policy->decision, policy->rounds.article);
    }
    for (size_t i = 0; i < n; i++) {
        Ocop__EvalRoundStatus *st = s_status(ctx, reply, rounds[i]);
        if (!st)
            return -1;
        cal->rounds[cal->n_rounds++] = st;
        s_round_warnings(arena, st, today, &w);
    }
    cal->warnings = w.items;
    cal->n_warnings = w.n;
    reply->body_case = OCOP__REPLY__BODY_EVAL_ROUND_CALENDAR;
    reply->eval_round_calendar = cal;
    return 0;
}
