/* eval_state — see eval_state.h. */
#include "eval_state.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "eval_handlers.h"
#include "ocop_error.h"
#include "ocop_shard_id.h"
#include "ocop_subscriber.h"

int eval_state_open(eval_state_t *state, ocop_store_t *store, const ocop_config_t *config,
                    const ocop_service_config_t *service, char *err, size_t errlen)
{
    memset(state, 0, sizeof *state);
    state->store = store;
    state->config = config;
    state->service = service;
    if (!service->shard) {
        ocop_error_format(err, errlen, "services.%s: an evaluation shard needs \"shard\" and \"provinces\"",
                          service->name);
        return -1;
    }
    const ocop_dbi_spec_t dbs[] = {
        {"products", &state->db.products},
        {"councils", &state->db.councils},
        {"sessions", &state->db.sessions},
        {"session_products", &state->db.session_products},
        {"sheets", &state->db.sheets},
        {"certificates", &state->db.certificates},
        {"cert_expiry", &state->db.cert_expiry},
        {"report", &state->db.report},
        {"meta", &state->db.meta},
        {"self_assessments", &state->db.self_assessments},
        {"rounds", &state->db.rounds},
        {"late_dossiers", &state->db.late_dossiers},
        {"moves", &state->db.moves},
        {OCOP_SUBSCRIBER_CURSOR_DB, &state->db.cursors},
    };
    if (ocop_store_dbis(store, dbs, sizeof dbs / sizeof dbs[0], err, errlen) != 0)
        return -1;
    if (!(state->replica_arena = ocop_arena_new(64 * 1024))) {
        ocop_error_format(err, errlen, "out of memory");
        return -1;
    }
    char dir[OCOP_PATH_MAX + 16], path[OCOP_PATH_MAX + 16];
    const char *rules = service->rules_dir;
    snprintf(dir, sizeof dir, "%s/rubrics", rules);
    if (!(state->rubrics = eval_rubrics_load(dir, err, errlen)))
        goto fail;
    snprintf(dir, sizeof dir, "%s/policies", rules);
    if (!(state->policies = eval_policies_load(dir, err, errlen)))
        goto fail;
    snprintf(path, sizeof path, "%s/stars.json", rules);
    if (!(state->bands = eval_bands_load(path, err, errlen)))
        goto fail;
    snprintf(path, sizeof path, "%s/holidays.json", rules);
    if (!(state->holidays = eval_holidays_load(path, err, errlen)))
        goto fail;
    for (size_t i = 0; i < eval_policies_count(state->policies); i++) {
        const eval_policy_t *p = eval_policies_at(state->policies, i);
        if (eval_rubrics_count_instrument(state->rubrics, p->rubric) == 0) {
            ocop_error_format(err, errlen, "%s/policies/%s: rubric: no rubric file of instrument %s", rules, p->source,
                              p->rubric);
            goto fail;
        }
    }
    return 0;
fail:
    eval_state_close(state);
    return -1;
}

void eval_state_close(eval_state_t *state)
{
    eval_rubrics_destroy(&state->rubrics);
    eval_policies_destroy(&state->policies);
    eval_bands_destroy(&state->bands);
    eval_holidays_destroy(&state->holidays);
    ocop_arena_destroy(&state->replica_arena);
}

char *eval_next_id(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *prefix)
{
    eval_state_t *state = ocop_ctx_user(ctx);
    ocop_key_t key;
    ocop_key_init(&key);
    ocop_key_str(&key, "seq");
    ocop_key_str(&key, prefix);
    uint64_t n;
    if (ocop_ctx_counter_add(ctx, reply, state->db.meta, &key, 1, &n) != 0)
        return NULL;
    char *id = ocop_arena_alloc(ocop_ctx_arena(ctx), EVAL_CODE_MAX + 1);
    if (!id || ocop_shard_id_format(id, EVAL_CODE_MAX + 1, prefix, state->service->shard, n) != 0) {
        ocop_ctx_fail(ctx, reply, OCOP_E_INTERNAL, "", "%s%u-%llu does not fit an id", prefix, state->service->shard,
                      (unsigned long long)n);
        return NULL;
    }
    return id;
}
