/* eval_council — councils: level, jurisdiction, members with roles and declared ties. */
#include <stdio.h>
#include <string.h>

#include "eval_handlers.h"
#include "ocop_date.h"
#include "ocop_error.h"

#define S_MEMBERS_MAX 50
#define S_TIES_MAX 200

/* [0-9A-Za-z], 1 to 16 characters: the official codes of units. */
static bool s_code_valid(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 16)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z')))
            return false;
    return true;
}

/* The rules for a council of level: those of the policy in force today, or, for a level it
 * has not (a district council for the sessions of an earlier decision), of the latest policy
 * that has it. NULL when no policy has a scoring level so named. */
static const eval_policy_level_t *s_council_rules(ocop_ctx_t *ctx, eval_level_t level, const eval_policy_t **from)
{
    const eval_policies_t *all = eval_state(ctx)->policies;
    char today[OCOP_DATE_LEN];
    ocop_day_of(ocop_ctx_now_ms(ctx), today);
    const eval_policy_level_t *best = NULL;
    for (size_t i = 0; i < eval_policies_count(all); i++) {
        const eval_policy_t *p = eval_policies_at(all, i);
        const eval_policy_level_t *l = eval_policy_level(p, level);
        if (!l || !l->scores || strcmp(p->effective_from, today) > 0)
            continue;
        if (!best || strcmp(p->effective_from, (*from)->effective_from) > 0) {
            best = l;
            *from = p;
        }
    }
    return best;
}

static int s_check_jurisdiction(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__EvalCouncilCreate *in)
{
    if (in->level < OCOP__EVAL_LEVEL__EVAL_LEVEL_COMMUNE || in->level > OCOP__EVAL_LEVEL__EVAL_LEVEL_CENTRAL)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "level",
                             "level must be commune, district, province or central");
    if (eval_check_province(ctx, reply, "province_code", in->province_code) != 0)
        return -1;
    if (in->level == OCOP__EVAL_LEVEL__EVAL_LEVEL_CENTRAL) {
        if (*in->unit_code)
            return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "unit_code",
                                 "a central council has no unit_code: its jurisdiction is the country");
        return 0;
    }
    if (!s_code_valid(in->unit_code))
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "unit_code",
                             "unit_code must be the official code of the council's unit (1 to 16 letters or digits)");
    if (in->level == OCOP__EVAL_LEVEL__EVAL_LEVEL_PROVINCE && strcmp(in->unit_code, in->province_code) != 0)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "unit_code",
                             "a province council's unit_code is its province_code (%s)", in->province_code);
    return 0;
}

static int s_check_member(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__EvalCouncilCreate *in, size_t i)
{
    const Ocop__EvalMember *m = in->members[i];
    char field[48];
    snprintf(field, sizeof field, "members[%zu].id", i);
    if (ocop_ctx_check_text(ctx, reply, field, m->id, 1, 64) != 0)
        return -1;
    for (size_t j = 0; j < i; j++)
        if (strcmp(in->members[j]->id, m->id) == 0)
            return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, field, "member %s is listed twice", m->id);
    snprintf(field, sizeof field, "members[%zu].name", i);
    if (ocop_ctx_check_text(ctx, reply, field, m->name, 1, EVAL_NAME_MAX) != 0)
        return -1;
    snprintf(field, sizeof field, "members[%zu].role", i);
    if (m->role < OCOP__MEMBER_ROLE__MEMBER_ROLE_CHAIR || m->role > OCOP__MEMBER_ROLE__MEMBER_ROLE_MEMBER)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, field, "role must be chair, vice_chair or member");
    if (m->n_tied_entity_ids > S_TIES_MAX)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "members", "at most %d ties per member", S_TIES_MAX);
    for (size_t t = 0; t < m->n_tied_entity_ids; t++) {
        snprintf(field, sizeof field, "members[%zu].tied_entity_ids[%zu]", i, t);
        if (ocop_ctx_check_text(ctx, reply, field, m->tied_entity_ids[t], 1, EVAL_CODE_MAX) != 0)
            return -1;
    }
    return 0;
}

/* Size and quorum against the rules of the council's level (policy data). */
static int s_check_rules(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__EvalCouncilCreate *in, uint32_t *quorum)
{
    const eval_policy_t *from = NULL;
    const eval_policy_level_t *l = s_council_rules(ctx, eval_level_of(in->level), &from);
    if (!l)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "level", "no rating policy has a %s council that scores",
                             eval_level_name(eval_level_of(in->level)));
    if (in->n_members < (size_t)l->min_members)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "members",
                             "under %s a %s council has at least %d members, found %zu (%s)", from->decision,
                             eval_level_name(l->level), l->min_members, in->n_members, l->council_article);
    unsigned needed = eval_policy_quorum(l, in->n_members);
    if (in->quorum && in->quorum < needed)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "quorum",
                             "under %s a %s council of %zu sits with %u present (%d of every %d, %s), not %u",
                             from->decision, eval_level_name(l->level), in->n_members, needed, l->quorum_present,
                             l->quorum_of, l->council_article, in->quorum);
    *quorum = in->quorum ? in->quorum : needed;
    return 0;
}

static int s_check_members(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__EvalCouncilCreate *in)
{
    if (in->n_members == 0 || in->n_members > S_MEMBERS_MAX)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "members", "a council has 1 to %d members, found %zu",
                             S_MEMBERS_MAX, in->n_members);
    size_t chairs = 0;
    for (size_t i = 0; i < in->n_members; i++) {
        if (s_check_member(ctx, reply, in, i) != 0)
            return -1;
        chairs += in->members[i]->role == OCOP__MEMBER_ROLE__MEMBER_ROLE_CHAIR;
    }
    if (chairs != 1)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "members", "a council has exactly one chair, found %zu",
                             chairs);
    if (in->quorum > in->n_members)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "quorum", "quorum %u exceeds the %zu members", in->quorum,
                             in->n_members);
    return 0;
}

int eval_handle_council_create(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    const Ocop__EvalCouncilCreate *in = req->eval_council_create;
    eval_state_t *state = eval_state(ctx);
    uint32_t quorum = 0;
    if (ocop_ctx_check_text(ctx, reply, "name", in->name, 1, EVAL_NAME_MAX) != 0 ||
        s_check_jurisdiction(ctx, reply, in) != 0 || s_check_members(ctx, reply, in) != 0 ||
        s_check_rules(ctx, reply, in, &quorum) != 0)
        return -1;
    Ocop__EvalCouncil *c = ocop_arena_alloc(ocop_ctx_arena(ctx), sizeof *c);
    ocop__eval_council__init(c);
    if (!(c->id = eval_next_id(ctx, reply, "C")))
        return -1;
    c->name = in->name;
    c->level = in->level;
    c->unit_code = in->unit_code;
    c->province_code = in->province_code;
    c->n_members = in->n_members;
    c->members = in->members;
    c->quorum = quorum;
    c->created_ms = ocop_ctx_now_ms(ctx);
    c->revision = 1;
    if (ocop_ctx_put(ctx, reply, state->db.councils, c->id, &c->base) != 0)
        return -1;
    Ocop__EvalCouncilCreated body = OCOP__EVAL_COUNCIL_CREATED__INIT;
    body.council = c;
    if (ocop_ctx_publish_body(ctx, reply, &body.base) != 0)
        return -1;
    reply->body_case = OCOP__REPLY__BODY_EVAL_COUNCIL;
    reply->eval_council = c;
    return 0;
}

Ocop__EvalCouncil *eval_council_load(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *field, const char *id)
{
    if (eval_check_id(ctx, reply, field, id, "C") != 0)
        return NULL;
    Ocop__EvalCouncil *c =
        ocop_ctx_get(ctx, reply, eval_state(ctx)->db.councils, id, &ocop__eval_council__descriptor, field, "council");
    return c && eval_check_province(ctx, reply, field, c->province_code) == 0 ? c : NULL;
}

int eval_handle_council_get(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    Ocop__EvalCouncil *c = eval_council_load(ctx, reply, "id", req->eval_council_get->id);
    if (!c)
        return -1;
    reply->body_case = OCOP__REPLY__BODY_EVAL_COUNCIL;
    reply->eval_council = c;
    return 0;
}

int eval_handle_tie_declare(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    const Ocop__EvalTieDeclare *in = req->eval_tie_declare;
    eval_state_t *state = eval_state(ctx);
    Ocop__EvalCouncil *c = eval_council_load(ctx, reply, "council_id", in->council_id);
    if (!c || ocop_ctx_check_text(ctx, reply, "entity_id", in->entity_id, 1, EVAL_CODE_MAX) != 0)
        return -1;
    Ocop__EvalMember *m = (Ocop__EvalMember *)eval_council_member(c, in->member_id);
    if (!m)
        return ocop_ctx_fail(ctx, reply, OCOP_E_NOT_FOUND, "member_id", "%.64s is not a member of council %s",
                             in->member_id, c->id);
    if (eval_member_tied(m, in->entity_id))
        return ocop_ctx_fail(ctx, reply, OCOP_E_CONFLICT, "entity_id", "member %s already declared a tie to %s", m->id,
                             in->entity_id);
    if (m->n_tied_entity_ids >= S_TIES_MAX)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "entity_id", "member %s has the most ties a member may have",
                             m->id);
    char **ties = ocop_arena_alloc(ocop_ctx_arena(ctx), (m->n_tied_entity_ids + 1) * sizeof *ties);
    if (m->n_tied_entity_ids)
        memcpy(ties, m->tied_entity_ids, m->n_tied_entity_ids * sizeof *ties);
    ties[m->n_tied_entity_ids] = in->entity_id;
    m->tied_entity_ids = ties;
    m->n_tied_entity_ids++;
    c->revision++;
    if (ocop_ctx_put(ctx, reply, state->db.councils, c->id, &c->base) != 0)
        return -1;
    Ocop__EvalTieDeclared body = OCOP__EVAL_TIE_DECLARED__INIT;
    body.council_id = c->id;
    body.member_id = m->id;
    body.entity_id = in->entity_id;
    if (ocop_ctx_publish_body(ctx, reply, &body.base) != 0)
        return -1;
    reply->body_case = OCOP__REPLY__BODY_EVAL_COUNCIL;
    reply->eval_council = c;
    return 0;
}
