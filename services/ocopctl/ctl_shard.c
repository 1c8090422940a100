/* ctl_shard — `ocopctl shard map` and `ocopctl shard move`: the evaluation shard map as the shards
 * hold it, and a province moved between running shards (the steps are evaluation.proto's
 * EvalMove*; each shard's side is eval_move.c).
 *
 * A move: the target begins (takes the province's replica events from then on); the source's
 * records of the province are copied to it table by table while the source serves; the source
 * fences the province (its writes are refused UNAVAILABLE, reads go on); once the source's
 * replica has reached where the target's was when it began, the copy runs again and writes only
 * what changed; the target commits (serves the province) and the source releases it (forgets its
 * records and redirects requests for them to the target). Until the commit a failure lifts the
 * fence and abandons the target's copy; after it, running the command again finishes the move. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl.h"
#include "ocop_date.h"
#include "ocop_store.h"

#define S_SHARDS_MAX 64
#define S_GROUP "evaluation"
#define S_WAIT_DEFAULT_MS 60000

/* The connections to the shards, one each, made when first needed. */
typedef struct {
    ctl_t *ctl;
    char names[S_SHARDS_MAX][OCOP_NAME_MAX];
    ocop_client_t *clients[S_SHARDS_MAX];
    size_t n;
} s_link_t;

static void s_link_close(s_link_t *link)
{
    for (size_t i = 0; i < link->n; i++)
        ocop_client_destroy(&link->clients[i]);
    link->n = 0;
}

static ocop_client_t *s_client(s_link_t *link, const char *shard)
{
    for (size_t i = 0; i < link->n; i++)
        if (strcmp(link->names[i], shard) == 0)
            return link->clients[i];
    if (link->n == S_SHARDS_MAX)
        return NULL;
    ocop_client_t *client = ctl_connect(link->ctl, shard);
    if (client) {
        snprintf(link->names[link->n], sizeof link->names[0], "%s", shard);
        link->clients[link->n++] = client;
    }
    return client;
}

/* One request to a shard; *reply is the caller's. 0, or an exit code after printing why (also
 * for a reply that is an error). */
static int s_ask(s_link_t *link, const char *shard, Ocop__Request *req, Ocop__Reply **reply)
{
    ctl_t *ctl = link->ctl;
    ocop_client_t *client = s_client(link, shard);
    if (!client)
        return CTL_EXIT_FAILED;
    if (ocop_client_call(client, req, reply, ctl->timeout_ms, 3) != 0) {
        fprintf(stderr, "ocopctl shard: %s did not answer within %d ms\n", shard, ctl->timeout_ms);
        return CTL_EXIT_UNAVAILABLE;
    }
    if ((*reply)->status != OCOP__STATUS__STATUS_OK) {
        fprintf(stderr, "ocopctl shard: %s: %s%s%s\n", shard, (*reply)->message, *(*reply)->field ? " (field " : "",
                *(*reply)->field ? (*reply)->field : "");
        if (*(*reply)->field)
            fprintf(stderr, ")\n");
        int rc = ctl_exit_for_status((*reply)->status);
        ocop__reply__free_unpacked(*reply, NULL);
        *reply = NULL;
        return rc;
    }
    return 0;
}

/* ---------------------------------------------------------------- the map */

typedef struct {
    char names[S_SHARDS_MAX][OCOP_NAME_MAX];
    Ocop__Reply *maps[S_SHARDS_MAX];
    size_t n;
} s_map_t;

static void s_map_free(s_map_t *m)
{
    for (size_t i = 0; i < m->n; i++)
        if (m->maps[i])
            ocop__reply__free_unpacked(m->maps[i], NULL);
    m->n = 0;
}

/* Every shard's move records. 0, or an exit code. */
static int s_map_read(s_link_t *link, s_map_t *m)
{
    ctl_t *ctl = link->ctl;
    m->n = ocop_config_shards(ctl->config, S_GROUP, m->names, S_SHARDS_MAX);
    for (size_t i = 0; i < m->n; i++) {
        Ocop__EvalMoveMapGet body = OCOP__EVAL_MOVE_MAP_GET__INIT;
        Ocop__Request req = OCOP__REQUEST__INIT;
        req.body_case = OCOP__REQUEST__BODY_EVAL_MOVE_MAP_GET;
        req.eval_move_map_get = &body;
        m->maps[i] = NULL;
        int rc = s_ask(link, m->names[i], &req, &m->maps[i]);
        if (rc != 0) {
            s_map_free(m);
            return rc;
        }
    }
    return 0;
}

/* Who serves province now: the shard holding the highest version of it as OWNED, else the
 * config's owner. *version set; NULL when nobody does. */
static const char *s_holder(const ctl_t *ctl, const s_map_t *m, const char *province, uint64_t *version, char *out,
                            size_t len)
{
    *version = 0;
    if (ocop_config_shard_owner(ctl->config, S_GROUP, province, out, len) != 0)
        *out = '\0';
    for (size_t i = 0; i < m->n; i++) {
        const Ocop__EvalMoveMap *map = m->maps[i]->eval_move_map;
        for (size_t j = 0; map && j < map->n_moves; j++) {
            const Ocop__EvalProvinceMove *mv = map->moves[j];
            if (strcmp(mv->province_code, province) != 0 || mv->version < *version || mv->version == 0)
                continue;
            if (mv->state == OCOP__EVAL_MOVE_STATE__MOVE_OWNED || mv->state == OCOP__EVAL_MOVE_STATE__MOVE_FENCED)
                snprintf(out, len, "%s", m->names[i]);
            else if (mv->state == OCOP__EVAL_MOVE_STATE__MOVE_GONE && mv->version > *version)
                snprintf(out, len, "%s", mv->peer);
            else
                continue;
            *version = mv->version;
        }
    }
    return *out ? out : NULL;
}

/* This shard's record of province in the map (NULL: none). */
static const Ocop__EvalProvinceMove *s_record_of(const s_map_t *m, const char *shard, const char *province)
{
    for (size_t i = 0; i < m->n; i++) {
        if (strcmp(m->names[i], shard) != 0)
            continue;
        const Ocop__EvalMoveMap *map = m->maps[i]->eval_move_map;
        for (size_t j = 0; map && j < map->n_moves; j++)
            if (strcmp(map->moves[j]->province_code, province) == 0)
                return map->moves[j];
    }
    return NULL;
}

static const char *s_state_name(Ocop__EvalMoveState s)
{
    const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value(&ocop__eval_move_state__descriptor, (int)s);
    return v ? v->name + strlen("MOVE_") : "?";
}

static int s_cmd_map(s_link_t *link)
{
    ctl_t *ctl = link->ctl;
    s_map_t m = {0};
    int rc = s_map_read(link, &m);
    if (rc != 0)
        return rc;
    /* Every province the config or a move names, once. */
    cJSON *out = cJSON_CreateArray();
    char seen[256][8];
    size_t n_seen = 0;
    for (size_t s = 0; s < m.n; s++) {
        ocop_service_config_t sc;
        char err[256];
        if (ocop_config_service(ctl->config, m.names[s], &sc, err, sizeof err) != 0)
            continue;
        const Ocop__EvalMoveMap *map = m.maps[s]->eval_move_map;
        size_t from_config = sc.province_count, total = from_config + (map ? map->n_moves : 0);
        for (size_t i = 0; i < total; i++) {
            const char *p = i < from_config ? sc.provinces[i] : map->moves[i - from_config]->province_code;
            size_t k = 0;
            while (k < n_seen && strcmp(seen[k], p) != 0)
                k++;
            if (k < n_seen || n_seen == 256 || strlen(p) >= sizeof seen[0])
                continue;
            snprintf(seen[n_seen++], sizeof seen[0], "%s", p);
            char holder[OCOP_NAME_MAX], configured[OCOP_NAME_MAX];
            uint64_t version;
            cJSON *row = cJSON_CreateObject();
            cJSON_AddStringToObject(row, "province", p);
            cJSON_AddStringToObject(row, "shard", s_holder(ctl, &m, p, &version, holder, sizeof holder) ? holder : "");
            cJSON_AddNumberToObject(row, "version", (double)version);
            if (ocop_config_shard_owner(ctl->config, S_GROUP, p, configured, sizeof configured) != 0)
                *configured = '\0';
            cJSON_AddStringToObject(row, "config", configured);
            cJSON *moving = cJSON_AddArrayToObject(row, "moving");
            for (size_t t = 0; t < m.n; t++) {
                const Ocop__EvalProvinceMove *mv = s_record_of(&m, m.names[t], p);
                if (mv && (mv->state == OCOP__EVAL_MOVE_STATE__MOVE_INCOMING ||
                           mv->state == OCOP__EVAL_MOVE_STATE__MOVE_FENCED)) {
                    char what[160];
                    snprintf(what, sizeof what, "%s %s (%s)", m.names[t], s_state_name(mv->state), mv->peer);
                    cJSON_AddItemToArray(moving, cJSON_CreateString(what));
                }
            }
            cJSON_AddItemToArray(out, row);
        }
    }
    s_map_free(&m);
    if (ctl->output_json) {
        char *text = cJSON_Print(out);
        printf("%s\n", text);
        free(text);
    } else {
        printf("%-9s %-16s %-8s %-16s %s\n", "province", "shard", "version", "config", "moving");
        cJSON *row;
        cJSON_ArrayForEach (row, out) {
            const cJSON *moving = cJSON_GetObjectItem(row, "moving");
            printf("%-9s %-16s %-8.0f %-16s %s\n", cJSON_GetObjectItem(row, "province")->valuestring,
                   cJSON_GetObjectItem(row, "shard")->valuestring, cJSON_GetObjectItem(row, "version")->valuedouble,
                   cJSON_GetObjectItem(row, "config")->valuestring,
                   cJSON_GetArraySize(moving) ? cJSON_GetArrayItem(moving, 0)->valuestring : "");
        }
    }
    cJSON_Delete(out);
    return 0;
}

/* ---------------------------------------------------------------- the move */

typedef struct {
    s_link_t *link;
    const char *province, *from, *to;
    uint64_t version; /* the province's version at the source */
    uint64_t records; /* copied in the last pass */
    uint64_t written, deleted;
} s_move_t;

/* One step request (body_case, the body) to shard: the moved province's record it answers
 * into *state when asked. 0, or an exit code. */
static int s_step(s_move_t *mv, const char *shard, Ocop__Request *req, Ocop__EvalProvinceMove *state)
{
    Ocop__Reply *reply = NULL;
    int rc = s_ask(mv->link, shard, req, &reply);
    if (rc != 0)
        return rc;
    if (state && reply->body_case == OCOP__REPLY__BODY_EVAL_PROVINCE_MOVE) {
        state->state = reply->eval_province_move->state;
        state->version = reply->eval_province_move->version;
        state->replica_cursor = reply->eval_province_move->replica_cursor;
    }
    ocop__reply__free_unpacked(reply, NULL);
    return 0;
}

/* One chunk to the target: imported, or with compare only when the target says it differs (a
 * compare is a read, an import a durable write). 0, or an exit code. */
static int s_sync(s_move_t *mv, Ocop__EvalMoveChunk *chunk, bool compare)
{
    Ocop__Reply *answer = NULL;
    Ocop__Request req = OCOP__REQUEST__INIT;
    if (compare) {
        Ocop__EvalMoveCompare body = OCOP__EVAL_MOVE_COMPARE__INIT;
        body.chunk = chunk;
        body.from = (char *)mv->from;
        req.body_case = OCOP__REQUEST__BODY_EVAL_MOVE_COMPARE;
        req.eval_move_compare = &body;
        int rc = s_ask(mv->link, mv->to, &req, &answer);
        if (rc != 0)
            return rc;
        bool same = answer->eval_move_imported && answer->eval_move_imported->written == 0 &&
                    answer->eval_move_imported->deleted == 0;
        ocop__reply__free_unpacked(answer, NULL);
        if (same)
            return 0;
    }
    Ocop__EvalMoveImport body = OCOP__EVAL_MOVE_IMPORT__INIT;
    body.chunk = chunk;
    body.from = (char *)mv->from;
    req = (Ocop__Request)OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_EVAL_MOVE_IMPORT;
    req.eval_move_import = &body;
    int rc = s_ask(mv->link, mv->to, &req, &answer);
    if (rc != 0)
        return rc;
    if (answer->eval_move_imported) {
        mv->written += answer->eval_move_imported->written;
        mv->deleted += answer->eval_move_imported->deleted;
    }
    ocop__reply__free_unpacked(answer, NULL);
    return 0;
}

/* Copies every table of the province from the source to the target once (compare: importing
 * only the chunks that differ). With min_cursor, the source's replica must be at least there
 * when each chunk is read (a chunk read before is read again after waiting for it, at most
 * wait_ms in all). 0, or an exit code. */
static int s_copy(s_move_t *mv, uint64_t min_cursor, bool compare, int wait_ms, const char *pass)
{
    mv->records = mv->written = mv->deleted = 0;
    int64_t deadline = ocop_monotonic_ms() + wait_ms;
    uint32_t tables = 1;
    for (uint32_t table = 1; table <= tables; table++) {
        ProtobufCBinaryData after = {0, NULL};
        uint8_t after_buf[OCOP_KEY_MAX];
        bool first = true, done = false;
        while (!done) {
            Ocop__EvalMoveExport ex = OCOP__EVAL_MOVE_EXPORT__INIT;
            ex.province_code = (char *)mv->province;
            ex.table = table;
            ex.after = after;
            ex.first = first;
            Ocop__Request req = OCOP__REQUEST__INIT;
            req.body_case = OCOP__REQUEST__BODY_EVAL_MOVE_EXPORT;
            req.eval_move_export = &ex;
            Ocop__Reply *chunk_reply = NULL;
            int rc = s_ask(mv->link, mv->from, &req, &chunk_reply);
            if (rc != 0)
                return rc;
            Ocop__EvalMoveChunk *chunk = chunk_reply->eval_move_chunk;
            if (!chunk) {
                ocop__reply__free_unpacked(chunk_reply, NULL);
                fprintf(stderr, "ocopctl shard move: %s answered the copy without a chunk\n", mv->from);
                return CTL_EXIT_FAILED;
            }
            if (chunk->replica_cursor < min_cursor) {
                ocop__reply__free_unpacked(chunk_reply, NULL);
                if (ocop_monotonic_ms() > deadline) {
                    fprintf(stderr,
                            "ocopctl shard move: %s's replica of registration did not reach event %llu within %d ms\n",
                            mv->from, (unsigned long long)min_cursor, wait_ms);
                    return CTL_EXIT_UNAVAILABLE;
                }
                nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL);
                continue;
            }
            tables = chunk->tables;
            rc = s_sync(mv, chunk, compare);
            if (rc == 0) {
                mv->records += chunk->n_records;
                done = chunk->table_done;
                first = false;
                if (!done && (chunk->last.len == 0 || chunk->last.len > sizeof after_buf)) {
                    fprintf(stderr, "ocopctl shard move: %s sent a chunk without a usable last key\n", mv->from);
                    rc = CTL_EXIT_FAILED;
                } else if (!done) {
                    memcpy(after_buf, chunk->last.data, chunk->last.len);
                    after.len = chunk->last.len;
                    after.data = after_buf;
                }
            }
            ocop__reply__free_unpacked(chunk_reply, NULL);
            if (rc != 0)
                return rc;
        }
    }
    fprintf(stderr, "ocopctl shard move: %s: %llu records of %s read, %llu written, %llu deleted on %s\n", pass,
            (unsigned long long)mv->records, mv->province, (unsigned long long)mv->written,
            (unsigned long long)mv->deleted, mv->to);
    return 0;
}

static int s_fence(s_move_t *mv, bool lift, Ocop__EvalProvinceMove *state)
{
    Ocop__EvalMoveFence body = OCOP__EVAL_MOVE_FENCE__INIT;
    body.province_code = (char *)mv->province;
    body.to = (char *)mv->to;
    body.lift = lift;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_EVAL_MOVE_FENCE;
    req.eval_move_fence = &body;
    return s_step(mv, mv->from, &req, state);
}

/* shard forgets the province's records: the source after the commit, the target of an
 * abandoned move. */
static int s_release(s_move_t *mv, const char *shard, const char *other)
{
    Ocop__EvalMoveRelease body = OCOP__EVAL_MOVE_RELEASE__INIT;
    body.province_code = (char *)mv->province;
    body.to = (char *)other;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_EVAL_MOVE_RELEASE;
    req.eval_move_release = &body;
    return s_step(mv, shard, &req, NULL);
}

/* Before the commit: the source serves the province again, the target forgets its copy. */
static void s_abandon(s_move_t *mv)
{
    fprintf(stderr, "ocopctl shard move: abandoning the move of %s: lifting the fence on %s, dropping the copy on %s\n",
            mv->province, mv->from, mv->to);
    Ocop__EvalProvinceMove state = OCOP__EVAL_PROVINCE_MOVE__INIT;
    if (s_fence(mv, true, &state) != 0 || s_release(mv, mv->to, mv->from) != 0)
        fprintf(stderr,
                "ocopctl shard move: the move of %s is half undone: run the same command again to finish it, "
                "or see `ocopctl shard map`\n",
                mv->province);
}

static int s_commit_and_release(s_move_t *mv)
{
    Ocop__EvalMoveCommit body = OCOP__EVAL_MOVE_COMMIT__INIT;
    body.province_code = (char *)mv->province;
    body.from = (char *)mv->from;
    body.version = mv->version;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_EVAL_MOVE_COMMIT;
    req.eval_move_commit = &body;
    int rc = s_step(mv, mv->to, &req, NULL);
    if (rc != 0) {
        s_abandon(mv);
        return rc;
    }
    rc = s_release(mv, mv->from, mv->to);
    if (rc != 0)
        fprintf(stderr, "ocopctl shard move: %s serves %s now but %s did not forget it: run the same command again\n",
                mv->to, mv->province, mv->from);
    return rc;
}

static int s_move(s_move_t *mv, int wait_ms)
{
    int64_t started = ocop_monotonic_ms();
    Ocop__EvalMoveBegin begin = OCOP__EVAL_MOVE_BEGIN__INIT;
    begin.province_code = (char *)mv->province;
    begin.from = (char *)mv->from;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_EVAL_MOVE_BEGIN;
    req.eval_move_begin = &begin;
    Ocop__EvalProvinceMove target = OCOP__EVAL_PROVINCE_MOVE__INIT, source = OCOP__EVAL_PROVINCE_MOVE__INIT;
    int rc = s_step(mv, mv->to, &req, &target);
    if (rc != 0)
        return rc;
    fprintf(stderr, "ocopctl shard move: %s takes %s's replica from registration event %llu on\n", mv->to, mv->province,
            (unsigned long long)target.replica_cursor);
    if ((rc = s_copy(mv, 0, false, wait_ms, "first copy")) != 0) {
        s_abandon(mv);
        return rc;
    }
    int64_t fenced_at = ocop_monotonic_ms();
    if ((rc = s_fence(mv, false, &source)) != 0) {
        s_abandon(mv);
        return rc;
    }
    mv->version = source.version;
    int64_t copied_at = ocop_monotonic_ms();
    if ((rc = s_copy(mv, target.replica_cursor, true, wait_ms, "copy under the fence")) != 0) {
        s_abandon(mv);
        return rc;
    }
    int64_t ended_at = ocop_monotonic_ms();
    if ((rc = s_commit_and_release(mv)) != 0)
        return rc;
    int64_t now = ocop_monotonic_ms();
    fprintf(stderr,
            "ocopctl shard move: %s moved from %s to %s (version %llu): %lld ms in all, writes fenced %lld ms "
            "(fence %lld, copy once the source's replica caught up %lld, commit and release %lld)\n",
            mv->province, mv->from, mv->to, (unsigned long long)(mv->version + 1), (long long)(now - started),
            (long long)(now - fenced_at), (long long)(copied_at - fenced_at), (long long)(ended_at - copied_at),
            (long long)(now - ended_at));
    return 0;
}

static int s_cmd_move(s_link_t *link, int argc, char **argv)
{
    ctl_t *ctl = link->ctl;
    const char *province = NULL, *to = NULL;
    int wait_ms = S_WAIT_DEFAULT_MS;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--province") == 0 && i + 1 < argc)
            province = argv[++i];
        else if (strcmp(argv[i], "--to") == 0 && i + 1 < argc)
            to = argv[++i];
        else if (strcmp(argv[i], "--wait-ms") == 0 && i + 1 < argc) {
            long ms;
            if (ctl_parse_long(argv[++i], 1, 3600000, &ms) != 0) {
                fprintf(stderr, "ocopctl shard move: --wait-ms is 1 to 3600000 milliseconds\n");
                return CTL_EXIT_USAGE;
            }
            wait_ms = (int)ms;
        } else {
            fprintf(stderr, "ocopctl shard move: unexpected '%s'\n", argv[i]);
            return CTL_EXIT_USAGE;
        }
    }
    if (!province || !to || wait_ms <= 0) {
        fprintf(stderr, "usage: ocopctl shard move --province CODE --to evaluation-N [--wait-ms MS]\n");
        return CTL_EXIT_USAGE;
    }
    s_map_t m = {0};
    int rc = s_map_read(link, &m);
    if (rc != 0)
        return rc;
    char from[OCOP_NAME_MAX];
    uint64_t version;
    s_move_t mv = {.link = link, .province = province, .from = from, .to = to};
    if (!s_holder(ctl, &m, province, &version, from, sizeof from)) {
        fprintf(stderr, "ocopctl shard move: no evaluation shard serves province %s\n", province);
        rc = CTL_EXIT_INVALID;
    } else if (strcmp(from, to) == 0) {
        /* Done already, or committed and not yet released on the source. */
        const Ocop__EvalProvinceMove *t = s_record_of(&m, to, province);
        const char *source = t ? t->peer : "";
        const Ocop__EvalProvinceMove *s = *source ? s_record_of(&m, source, province) : NULL;
        if (s && s->state == OCOP__EVAL_MOVE_STATE__MOVE_FENCED && strcmp(s->peer, to) == 0) {
            fprintf(stderr, "ocopctl shard move: %s serves %s; finishing the move: %s forgets it\n", to, province,
                    source);
            mv.from = source;
            rc = s_release(&mv, source, to);
        } else {
            fprintf(stderr, "ocopctl shard move: %s serves province %s already\n", to, province);
        }
    } else {
        rc = s_move(&mv, wait_ms);
    }
    s_map_free(&m);
    return rc;
}

int ctl_cmd_shard(ctl_t *ctl, int argc, char **argv)
{
    int rc = ctl_prepare(ctl);
    if (rc != 0)
        return rc;
    s_link_t link = {.ctl = ctl};
    if (argc >= 2 && strcmp(argv[1], "map") == 0)
        rc = s_cmd_map(&link);
    else if (argc >= 2 && strcmp(argv[1], "move") == 0)
        rc = s_cmd_move(&link, argc, argv);
    else {
        fprintf(stderr, "usage: ocopctl shard map | shard move --province CODE --to evaluation-N [--wait-ms MS]\n");
        rc = CTL_EXIT_USAGE;
    }
    s_link_close(&link);
    return rc;
}
