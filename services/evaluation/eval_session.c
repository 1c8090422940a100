/* eval_session — opening a session for ready products, starting it once the quorum is there,
 * and reading it back (scores and results stay sealed until it closes). */
#include "eval_session.h"

#include "eval_certificate.h"
#include "eval_dossier.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval_handlers.h"
#include "eval_product.h"
#include "eval_round.h"
#include "ocop_date.h"
#include "ocop_error.h"

#define S_SPREAD_DEFAULT 10
#define S_ROUNDS_DEFAULT 3
#define S_ROUNDS_MAX 10

Ocop__EvalSession *eval_session_load(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *field, const char *id)
{
    if (eval_check_id(ctx, reply, field, id, "S") != 0)
        return NULL;
    Ocop__EvalSession *s =
        ocop_ctx_get(ctx, reply, eval_state(ctx)->db.sessions, id, &ocop__eval_session__descriptor, field, "session");
    return s && eval_check_province(ctx, reply, field, s->province_code) == 0 ? s : NULL;
}

int eval_session_store(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__EvalSession *s)
{
    /* Products are kept one record each (session_products): never inside the session. */
    Ocop__EvalSession head = *s;
    head.n_products = 0;
    head.products = NULL;
    return ocop_ctx_put(ctx, reply, eval_state(ctx)->db.sessions, s->id, &head.base);
}

Ocop__EvalSessionProduct **eval_session_products(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *session_id, size_t *n)
{
    ocop_key_t prefix;
    ocop_key_init(&prefix);
    ocop_key_str(&prefix, session_id);
    return (Ocop__EvalSessionProduct **)eval_read_prefix(ctx, reply, eval_state(ctx)->db.session_products, &prefix,
                                                         &ocop__eval_session_product__descriptor, n,
                                                         "reading a session's products");
}

void eval_reply_session(Ocop__Reply *reply, Ocop__EvalSession *s, Ocop__EvalSessionProduct **sps, size_t n)
{
    s->n_products = n;
    s->products = sps;
    reply->body_case = OCOP__REPLY__BODY_EVAL_SESSION;
    reply->eval_session = s;
}

size_t eval_scorers(const Ocop__EvalCouncil *council, const Ocop__EvalSession *s, const char *entity_id,
                    const char **out)
{
    size_t n = 0;
    for (size_t i = 0; i < s->n_present_member_ids; i++) {
        const Ocop__EvalMember *m = eval_council_member(council, s->present_member_ids[i]);
        if (m && !eval_member_tied(m, entity_id))
            out[n++] = m->id;
    }
    return n;
}

const eval_policy_t *eval_session_policy(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__EvalSession *s)
{
    eval_state_t *state = eval_state(ctx);
    for (size_t i = 0; i < eval_policies_count(state->policies); i++) {
        const eval_policy_t *p = eval_policies_at(state->policies, i);
        if (strcmp(p->decision, s->policy) == 0 && strcmp(p->digest, s->policy_digest) == 0)
            return p;
    }
    ocop_ctx_fail(ctx, reply, OCOP_E_ILLEGAL_STATE, "session_id",
                  "the policy %s this session opened with (sha256 %.12s...) is no longer loaded: its file changed",
                  s->policy, s->policy_digest);
    return NULL;
}

const eval_rubric_t *eval_session_rubric(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__EvalSessionProduct *sp)
{
    eval_state_t *state = eval_state(ctx);
    char instrument[EVAL_ID_LEN] = "";
    const char *slash = strchr(sp->rubric, '/');
    if (slash && (size_t)(slash - sp->rubric) < sizeof instrument)
        memcpy(instrument, sp->rubric, (size_t)(slash - sp->rubric));
    const eval_rubric_t *r = slash ? eval_rubrics_find(state->rubrics, instrument, slash + 1) : NULL;
    if (r && strcmp(r->digest, sp->rubric_digest) == 0)
        return r;
    ocop_ctx_fail(ctx, reply, OCOP_E_ILLEGAL_STATE, "product_id",
                  "the rubric %s product %s was opened with is no longer loaded: its file changed", sp->rubric,
                  sp->product_id);
    return NULL;
}

/* ---------------------------------------------------------------- opening */

typedef struct {
    const Ocop__EvalCouncil *council;
    const eval_policy_t *policy;
    eval_level_t level;
    bool lowest;          /* the council's level is the policy's first scoring level */
    bool needs_attesting; /* a lower level attests before this one scores (1489 commune) */
} s_open_t;

static int s_open_rules(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__EvalSessionOpen *in, s_open_t *o)
{
    eval_state_t *state = eval_state(ctx);
    char today[OCOP_DATE_LEN];
    ocop_day_of(ocop_ctx_now_ms(ctx), today);
    if (!ocop_date_valid(in->date))
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "date", "date must be a calendar date YYYY-MM-DD");
    if (strcmp(in->date, today) > 0)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "date", "date %s is in the future (today is %s)", in->date,
                             today);
    o->policy = eval_policies_in_force(state->policies, in->date);
    if (!o->policy)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "date", "no rating policy was in force on %s", in->date);
    if (eval_dossier_policy(ctx, reply, in, o->policy, &o->policy) != 0)
        return -1;
    o->level = eval_level_of(o->council->level);
    const eval_policy_level_t *lv = eval_policy_level(o->policy, o->level);
    if (!lv || !lv->scores)
        return ocop_ctx_fail(ctx, reply, OCOP_E_ILLEGAL_STATE, "council_id",
                             "under %s a %s council does not score products", o->policy->decision,
                             eval_level_name(o->level));
    if (!eval_policy_level_sits(lv, in->date))
        return ocop_ctx_fail(ctx, reply, OCOP_E_ILLEGAL_STATE, "council_id",
                             "under %s %s councils sat until %s: its units no longer exist on %s", o->policy->decision,
                             eval_level_name(o->level), lv->until, in->date);
    o->lowest = true;
    o->needs_attesting = false;
    for (size_t i = 0; i < o->policy->n_levels; i++) {
        const eval_policy_level_t *l = &o->policy->levels[i];
        if (l->level < o->level && l->scores && eval_policy_level_sits(l, in->date))
            o->lowest = false;
        if (l->level < o->level && l->attests)
            o->needs_attesting = true;
    }
    o->needs_attesting = o->needs_attesting && o->lowest;
    if (in->n_product_ids == 0 || in->n_product_ids > EVAL_SESSION_PRODUCTS_MAX)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "product_ids", "a session takes 1 to %d products, found %zu",
                             EVAL_SESSION_PRODUCTS_MAX, in->n_product_ids);
    if (in->spread_limit > 100)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "spread_limit", "spread_limit is at most 100 points");
    if (in->max_rounds > S_ROUNDS_MAX)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "max_rounds", "max_rounds is at most %d", S_ROUNDS_MAX);
    return 0;
}

static bool s_in_jurisdiction(const Ocop__EvalCouncil *c, const Ocop__EvalProduct *p)
{
    if (strcmp(p->province_code, c->province_code) != 0)
        return false;
    switch (c->level) {
    case OCOP__EVAL_LEVEL__EVAL_LEVEL_COMMUNE:
        return strcmp(p->commune_code, c->unit_code) == 0;
    case OCOP__EVAL_LEVEL__EVAL_LEVEL_DISTRICT:
        return strcmp(p->district_code, c->unit_code) == 0;
    default:
        return true;
    }
}

/* Every check of one product of the session; on success *rubric is the one it is scored by. */
static int s_check_product(ocop_ctx_t *ctx, Ocop__Reply *reply, const s_open_t *o, const char *field,
                           const Ocop__EvalProduct *p, const eval_rubric_t **rubric)
{
    eval_state_t *state = eval_state(ctx);
    if (!s_in_jurisdiction(o->council, p))
        return ocop_ctx_fail(ctx, reply, OCOP_E_FORBIDDEN, field,
                             "product %s (commune %s, province %s) is outside the jurisdiction of council %s", p->id,
                             p->commune_code, p->province_code, o->council->id);
    if (*p->session_id)
        return ocop_ctx_fail(ctx, reply, OCOP_E_CONFLICT, field, "product %s is already in open session %s", p->id,
                             p->session_id);
    bool forwarded_here = p->forwarded_to == o->council->level;
    if (!eval_product_ready(p) && p->stars == 0 && !forwarded_here)
        return ocop_ctx_fail(ctx, reply, OCOP_E_ILLEGAL_STATE, field,
                             "product %s is not ready for evaluation (registration has not received its dossier)",
                             p->id);
    if (!o->lowest && !forwarded_here)
        return ocop_ctx_fail(ctx, reply, OCOP_E_ILLEGAL_STATE, field,
                             "product %s was not forwarded to the %s level: under %s it is scored below first", p->id,
                             eval_level_name(o->level), o->policy->decision);
    if (o->lowest && p->forwarded_to != OCOP__EVAL_LEVEL__EVAL_LEVEL_UNSPECIFIED)
        return ocop_ctx_fail(ctx, reply, OCOP_E_ILLEGAL_STATE, field,
                             "product %s awaits the %s level, to which it was forwarded", p->id,
                             eval_level_name(eval_level_of(p->forwarded_to)));
    if (o->needs_attesting && !p->attested)
        return ocop_ctx_fail(ctx, reply, OCOP_E_ILLEGAL_STATE, field,
                             "product %s has no commune attestation, which %s requires before scoring", p->id,
                             o->policy->decision);
    *rubric = strcmp(p->catalogue_version, o->policy->rubric) == 0
                  ? eval_rubrics_find(state->rubrics, o->policy->rubric, p->product_set_code)
                  : NULL;
    if (!*rubric)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, field,
                             "no rubric of %s covers product set %s of catalogue %s (product %s)", o->policy->rubric,
                             p->product_set_code, p->catalogue_version, p->id);
    return 0;
}

static Ocop__EvalSessionProduct *s_session_product(ocop_arena_t *arena, const Ocop__EvalProduct *p,
                                                   const eval_rubric_t *r)
{
    Ocop__EvalSessionProduct *sp = ocop_arena_alloc(arena, sizeof *sp);
    ocop__eval_session_product__init(sp);
    sp->product_id = p->id;
    sp->entity_id = p->entity_id;
    sp->rubric = ocop_arena_printf(arena, "%s/%s", r->instrument, r->product_set);
    sp->rubric_digest = (char *)r->digest;
    sp->phase = 1;
    sp->round = 1;
    return sp;
}

static const char *const *s_sort_ids;

static int s_cmp_index(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    int c = strcmp(s_sort_ids[x], s_sort_ids[y]);
    return c ? c : (x > y) - (x < y);
}

/* No product listed twice (sorted, so a session of thousands checks in n log n). */
static int s_check_unique(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__EvalSessionOpen *in)
{
    size_t n = in->n_product_ids, *order = ocop_arena_alloc(ocop_ctx_arena(ctx), n * sizeof *order);
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    s_sort_ids = (const char *const *)in->product_ids;
    qsort(order, n, sizeof *order, s_cmp_index);
    for (size_t i = 1; i < n; i++)
        if (strcmp(in->product_ids[order[i - 1]], in->product_ids[order[i]]) == 0) {
            char field[40];
            snprintf(field, sizeof field, "product_ids[%zu]", order[i]);
            return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, field, "product %.64s is listed twice",
                                 in->product_ids[order[i]]);
        }
    return 0;
}

int eval_handle_session_open(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    const Ocop__EvalSessionOpen *in = req->eval_session_open;
    eval_state_t *state = eval_state(ctx);
    ocop_arena_t *arena = ocop_ctx_arena(ctx);
    s_open_t o = {0};
    o.council = eval_council_load(ctx, reply, "council_id", in->council_id);
    if (!o.council || s_open_rules(ctx, reply, in, &o) != 0)
        return -1;
    Ocop__EvalRound *round;
    if (s_check_unique(ctx, reply, in) != 0 ||
        eval_round_check_session(ctx, reply, in, o.policy, o.council, &round) != 0)
        return -1;
    Ocop__EvalProduct **products = ocop_arena_alloc(arena, in->n_product_ids * sizeof *products);
    Ocop__EvalSessionProduct **sps = ocop_arena_alloc(arena, in->n_product_ids * sizeof *sps);
    char **extend_to = ocop_arena_alloc(arena, in->n_product_ids * sizeof *extend_to);
    for (size_t i = 0; i < in->n_product_ids; i++) {
        char field[40];
        snprintf(field, sizeof field, "product_ids[%zu]", i);
        const eval_rubric_t *rubric;
        products[i] = eval_product_load(ctx, reply, field, in->product_ids[i]);
        if (!products[i] || s_check_product(ctx, reply, &o, field, products[i], &rubric) != 0)
            return -1;
        sps[i] = s_session_product(arena, products[i], rubric);
        if (eval_dossier_check(ctx, reply, field, in, o.policy, products[i], sps[i], &extend_to[i]) != 0)
            return -1;
    }
    /* Every check passed: a late re-evaluation filer's certificate is extended (Art. 12.3). */
    for (size_t i = 0; i < in->n_product_ids; i++) {
        Ocop__EvalCertificate *c = extend_to[i] ? eval_certificate_load(ctx, reply, products[i]->certificate_id) : NULL;
        if (extend_to[i] && (!c || eval_certificate_extend(ctx, reply, c, extend_to[i]) != 0))
            return -1;
    }

    Ocop__EvalSession *s = ocop_arena_alloc(arena, sizeof *s);
    ocop__eval_session__init(s);
    if (!(s->id = eval_next_id(ctx, reply, "S")))
        return -1;
    s->council_id = o.council->id;
    s->level = o.council->level;
    s->province_code = o.council->province_code;
    s->date = in->date;
    s->state = OCOP__SESSION_STATE__SESSION_STATE_OPEN;
    s->policy = (char *)o.policy->decision;
    s->policy_digest = (char *)o.policy->digest;
    s->bands_digest = (char *)eval_bands_digest(state->bands);
    s->spread_limit = in->spread_limit ? in->spread_limit : S_SPREAD_DEFAULT;
    s->max_rounds = in->max_rounds ? in->max_rounds : S_ROUNDS_DEFAULT;
    s->two_phase = in->two_phase;
    s->phase = 1;
    s->opened_ms = ocop_ctx_now_ms(ctx);
    s->round_id = round ? round->id : "";
    if (eval_session_store(ctx, reply, s) != 0 ||
        (round && eval_round_add_session(ctx, reply, round, s, (uint32_t)in->n_product_ids) != 0))
        return -1;
    for (size_t i = 0; i < in->n_product_ids; i++) {
        products[i]->session_id = s->id;
        if (eval_session_product_store(ctx, reply, s->id, sps[i]) != 0 ||
            eval_product_store(ctx, reply, products[i]) != 0)
            return -1;
    }
    Ocop__EvalSessionOpened body = OCOP__EVAL_SESSION_OPENED__INIT;
    body.session = s;
    eval_reply_session(reply, s, sps, in->n_product_ids);
    return ocop_ctx_publish_body(ctx, reply, &body.base);
}

/* ---------------------------------------------------------------- starting */

static int s_check_present(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__EvalCouncil *c,
                           const Ocop__EvalSessionStart *in, const eval_policy_level_t *rules)
{
    bool chair = false;
    for (size_t i = 0; i < in->n_present_member_ids; i++) {
        char field[48];
        snprintf(field, sizeof field, "present_member_ids[%zu]", i);
        const Ocop__EvalMember *m = eval_council_member(c, in->present_member_ids[i]);
        if (!m)
            return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, field, "%.64s is not a member of council %s",
                                 in->present_member_ids[i], c->id);
        for (size_t j = 0; j < i; j++)
            if (strcmp(in->present_member_ids[j], m->id) == 0)
                return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, field, "member %s is listed twice", m->id);
        chair |= m->role == OCOP__MEMBER_ROLE__MEMBER_ROLE_CHAIR;
    }
    if (in->n_present_member_ids < c->quorum)
        return ocop_ctx_fail(ctx, reply, OCOP_E_ILLEGAL_STATE, "present_member_ids",
                             "quorum not met: %zu of %zu members present, %u needed", in->n_present_member_ids,
                             c->n_members, c->quorum);
    if (!chair && (!rules || rules->chair_present))
        return ocop_ctx_fail(ctx, reply, OCOP_E_ILLEGAL_STATE, "present_member_ids",
                             "quorum not met: the chair of council %s is not present (%s)", c->id,
                             rules ? rules->council_article : "the council's rules");
    return 0;
}

int eval_handle_session_start(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    const Ocop__EvalSessionStart *in = req->eval_session_start;
    eval_state_t *state = eval_state(ctx);
    Ocop__EvalSession *s = eval_session_load(ctx, reply, "session_id", in->session_id);
    if (!s)
        return -1;
    if (s->state != OCOP__SESSION_STATE__SESSION_STATE_OPEN)
        return ocop_ctx_fail(ctx, reply, OCOP_E_ILLEGAL_STATE, "session_id", "session %s has already %s", s->id,
                             s->state == OCOP__SESSION_STATE__SESSION_STATE_CLOSED ? "closed" : "started");
    const Ocop__EvalCouncil *c = ocop_ctx_get(ctx, reply, state->db.councils, s->council_id,
                                              &ocop__eval_council__descriptor, "session_id", "council");
    const eval_policy_t *policy = c ? eval_session_policy(ctx, reply, s) : NULL;
    if (!policy || s_check_present(ctx, reply, c, in, eval_policy_level(policy, eval_level_of(s->level))) != 0)
        return -1;
    s->n_present_member_ids = in->n_present_member_ids;
    s->present_member_ids = in->present_member_ids;
    size_t n;
    Ocop__EvalSessionProduct **sps = eval_session_products(ctx, reply, s->id, &n);
    if (!sps)
        return -1;
    const char **scorers = ocop_arena_alloc(ocop_ctx_arena(ctx), (s->n_present_member_ids + 1) * sizeof *scorers);
    for (size_t i = 0; i < n; i++) {
        sps[i]->expected = (uint32_t)eval_scorers(c, s, sps[i]->entity_id, scorers);
        if (sps[i]->expected == 0)
            return ocop_ctx_fail(ctx, reply, OCOP_E_ILLEGAL_STATE, "present_member_ids",
                                 "no present member may score product %s: every one is tied to entity %s",
                                 sps[i]->product_id, sps[i]->entity_id);
    }
    s->state = OCOP__SESSION_STATE__SESSION_STATE_SCORING;
    if (eval_session_store(ctx, reply, s) != 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (eval_session_product_store(ctx, reply, s->id, sps[i]) != 0)
            return -1;
    Ocop__EvalSessionStarted body = OCOP__EVAL_SESSION_STARTED__INIT;
    body.session_id = s->id;
    body.n_present_member_ids = s->n_present_member_ids;
    body.present_member_ids = s->present_member_ids;
    if (ocop_ctx_publish_body(ctx, reply, &body.base) != 0)
        return -1;
    eval_reply_session(reply, s, sps, n);
    return 0;
}

/* ---------------------------------------------------------------- reading */

/* What a session shows before it closes: progress, never a score or a spread. */
static void s_seal(Ocop__EvalSessionProduct *sp)
{
    sp->first_round_spread = 0;
    sp->final_spread = 0;
    sp->mean = 0;
    sp->band_stars = sp->stars = 0;
    sp->forwarded = false;
    sp->minimum_stars = sp->ranked_stars = 0;
    sp->n_minimums_missed = sp->n_knockouts = 0;
    sp->why = "";
    sp->forward_to = OCOP__EVAL_LEVEL__EVAL_LEVEL_UNSPECIFIED;
}

int eval_handle_session_get(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    Ocop__EvalSession *s = eval_session_load(ctx, reply, "id", req->eval_session_get->id);
    if (!s)
        return -1;
    size_t n;
    Ocop__EvalSessionProduct **sps = eval_session_products(ctx, reply, s->id, &n);
    if (!sps)
        return -1;
    if (s->state != OCOP__SESSION_STATE__SESSION_STATE_CLOSED)
        for (size_t i = 0; i < n; i++)
            s_seal(sps[i]);
    eval_reply_session(reply, s, sps, n);
    return 0;
}
