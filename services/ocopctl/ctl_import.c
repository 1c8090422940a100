/* ctl_import — bulk import of units, entities, products and stage transitions from CSV or
 * JSON (see ctl_csv.h).
 *
 * Each row's request id is derived from the file name and the row's ref, so a re-run sends the
 * same ids and the service answers rows it already applied with their original replies:
 * nothing is applied twice. A journal (FILE.journal) records every answered row; a re-run
 * skips what it lists, which makes an interrupted import resumable. Requests are pipelined in
 * a window; rows that depend on each other (a product's transitions) are applied in file order
 * whatever fails: only one of them is in flight at a time, the next waits parked while rows of
 * other products go on. Through the gateway, rows go one at a time, retried with back-off when
 * the gateway cannot be reached. A progress bar goes to stderr; when stderr is not a terminal, a
 * line per tenth of the file: rows done, the mean rate so far and the seconds since the start. */
#include <errno.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <uthash.h>

#include "ctl.h"
#include "ctl_csv.h"
#include "ocop_error.h"

/* Rows in flight. The service commits what it has received in one batch, so a wider window
 * means larger commits, and rows of one commit share the index pages they change: at a million
 * entities, 4000 rows in flight wrote 13 KB per row where 1000 wrote 18. */
#define S_WINDOW 4000
#define S_UNITS_PER_REQUEST 500
#define S_REF_MAX 64
#define S_REF_IN_ID_MAX 64
#define S_ID_MAX (16 + 1 + S_REF_IN_ID_MAX + 1)
#define S_EXAMPLES 8

typedef struct s_pending {
    char ref[S_REF_MAX];
    char id[S_ID_MAX];
    char key[S_REF_MAX]; /* rows with one key are applied in file order: one in flight at a time */
    uint8_t *packed;
    size_t len;
    struct s_pending *next; /* the next row parked behind the same key, in file order */
    UT_hash_handle hh;      /* in flight, by request id */
} s_pending_t;

/* A key with a row in flight, and the rows of that key parked behind it in file order. */
typedef struct {
    char key[S_REF_MAX];
    s_pending_t *parked, *parked_tail;
    UT_hash_handle hh;
} s_key_t;

typedef struct {
    char ref[S_REF_MAX];
    char value[64];
} s_map_entry_t;

typedef struct {
    ctl_t *ctl;
    const char *kind;
    const char *path;
    FILE *journal;
    ocop_client_t *client;
    s_pending_t *in_flight; /* by request id */
    size_t n_pending;
    s_key_t *keys; /* the keys with a row in flight */
    size_t n_parked;
    s_map_entry_t *done; /* refs already in the journal (and for products: entity refs -> ids) */
    size_t n_done, cap_done;
    s_map_entry_t *refs; /* products: entity refs -> ids; transitions: product refs -> ids */
    size_t n_refs;
    size_t total, handled, accepted, flagged, refused, skipped;
    char reasons[16][160];
    size_t reason_counts[16];
    size_t n_reasons;
    char examples[S_EXAMPLES][256];
    size_t n_examples;
    int progress_tty;
    int last_percent;
    struct timespec started;
} s_import_t;

static int s_map_cmp(const void *a, const void *b)
{
    return strcmp(((const s_map_entry_t *)a)->ref, ((const s_map_entry_t *)b)->ref);
}

static const s_map_entry_t *s_map_find(const s_map_entry_t *map, size_t n, const char *ref)
{
    if (n == 0) /* map is NULL then, which bsearch must not be given */
        return NULL;
    s_map_entry_t key;
    snprintf(key.ref, sizeof key.ref, "%s", ref);
    return bsearch(&key, map, n, sizeof *map, s_map_cmp);
}

/* Loads a journal: "ref\tSTATUS\tid\t..." lines, sorted by ref (only accepted rows with only_ok). */
static int s_journal_load(const char *path, s_map_entry_t **out, size_t *n, int only_ok)
{
    *out = NULL;
    *n = 0;
    FILE *f = fopen(path, "r");
    if (!f)
        return errno == ENOENT ? 0 : -1;
    size_t cap = 0;
    char line[2048];
    while (fgets(line, sizeof line, f)) {
        char *save = NULL, *ref = strtok_r(line, "\t\n", &save), *status = strtok_r(NULL, "\t\n", &save);
        char *id = strtok_r(NULL, "\t\n", &save);
        if (!ref || !status || (only_ok && strcmp(status, "OK") != 0))
            continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 1024;
            *out = realloc(*out, cap * sizeof **out);
        }
        snprintf((*out)[*n].ref, S_REF_MAX, "%s", ref);
        snprintf((*out)[*n].value, sizeof(*out)[*n].value, "%s", id && strcmp(id, "-") ? id : "");
        (*n)++;
    }
    fclose(f);
    if (*n)
        qsort(*out, *n, sizeof **out, s_map_cmp);
    return 0;
}

/* A row's request id, the same for the same kind, file name and ref, so that a re-run is answered
 * instead of applied again: 16 hex digits of a digest of the kind and the file's name, then '-'
 * and the ref itself when it is 1 to 64 printable ASCII characters without spaces, else '#' and
 * a digest of the ref. Rows whose refs ascend in the file (E000001, E000002, ...) get ascending
 * ids, which the service's index of request ids takes as appends; ids digested whole land
 * anywhere in it, and once it is large every row writes a page of it of its own. */
static void s_request_id(const char *kind, const char *path, const char *ref, char out[S_ID_MAX])
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    char material[512];
    snprintf(material, sizeof material, "import:%s:%s", kind, base);
    uint8_t file[8];
    crypto_generichash(file, sizeof file, (const uint8_t *)material, strlen(material), NULL, 0);
    sodium_bin2hex(out, 2 * sizeof file + 1, file, sizeof file);
    size_t n = strlen(ref);
    bool plain = n >= 1 && n <= S_REF_IN_ID_MAX;
    for (size_t i = 0; plain && i < n; i++)
        plain = ref[i] > 0x20 && ref[i] < 0x7f;
    char *tail = out + 2 * sizeof file;
    if (plain) {
        tail[0] = '-';
        memcpy(tail + 1, ref, n + 1);
        return;
    }
    uint8_t digest[16];
    crypto_generichash(digest, sizeof digest, (const uint8_t *)ref, n, NULL, 0);
    tail[0] = '#';
    sodium_bin2hex(tail + 1, 2 * sizeof digest + 1, digest, sizeof digest);
}

static void s_progress(s_import_t *im, int final)
{
    int percent = im->total ? (int)(100 * (im->handled + im->skipped) / im->total) : 100;
    if (percent == im->last_percent && (!final || !im->progress_tty))
        return;
    im->last_percent = percent;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double secs = (double)(now.tv_sec - im->started.tv_sec) + (double)(now.tv_nsec - im->started.tv_nsec) / 1e9;
    double rate = secs > 0 ? (double)im->handled / secs : 0;
    if (im->progress_tty) {
        char bar[41];
        int fill = percent * 40 / 100;
        for (int i = 0; i < 40; i++)
            bar[i] = i < fill ? '#' : '.';
        bar[40] = '\0';
        fprintf(stderr, "\r%s [%s] %3d%% %zu/%zu %.0f/s", im->kind, bar, percent, im->handled + im->skipped, im->total,
                rate);
        if (final)
            fprintf(stderr, "\n");
    } else if (final || percent % 10 == 0 || im->handled + im->skipped == 1) {
        fprintf(stderr, "%s: %d%% (%zu/%zu, %.0f rows/s, %.3f s)\n", im->kind, percent, im->handled + im->skipped,
                im->total, rate, secs);
    }
}

static void s_note_refusal(s_import_t *im, const char *ref, const Ocop__Reply *reply)
{
    char reason[160];
    snprintf(reason, sizeof reason, "%s %s", ocop_status_name(reply->status), reply->field);
    size_t i = 0;
    while (i < im->n_reasons && strcmp(im->reasons[i], reason) != 0)
        i++;
    if (i == im->n_reasons && i < 16)
        snprintf(im->reasons[im->n_reasons++], sizeof im->reasons[0], "%s", reason);
    if (i < 16)
        im->reason_counts[i]++;
    if (im->n_examples < S_EXAMPLES)
        snprintf(im->examples[im->n_examples++], sizeof im->examples[0], "%s: %s", ref, reply->message);
}

/* Records one answered row in the counters and the journal. */
static void s_answered(s_import_t *im, const s_pending_t *p, const Ocop__Reply *reply)
{
    const char *id = "-";
    int flagged = 0;
    if (reply->status == OCOP__STATUS__STATUS_OK) {
        if (reply->body_case == OCOP__REPLY__BODY_REG_ENTITY)
            id = reply->reg_entity->id;
        else if (reply->body_case == OCOP__REPLY__BODY_REG_PRODUCT_DETAIL) {
            id = reply->reg_product_detail->product->id;
            /* Only a registration can be flagged; transitions answer with the product too. */
            flagged = strcmp(im->kind, "products") == 0 && reply->reg_product_detail->product->n_flags > 0;
        }
        /* A units request carries many units: count units, not requests. */
        im->accepted += reply->body_case == OCOP__REPLY__BODY_REG_UNIT_IMPORT_RESULT
                            ? reply->reg_unit_import_result->added + reply->reg_unit_import_result->updated
                            : 1;
        im->flagged += flagged;
    } else {
        im->refused++;
        s_note_refusal(im, p->ref, reply);
    }
    fprintf(im->journal, "%s\t%s\t%s\t%s\t%s\n", p->ref, reply->status ? ocop_status_name(reply->status) : "OK", id,
            flagged ? "flagged" : "-", reply->message);
    im->handled++;
    s_progress(im, 0);
}

static void s_pending_free(s_pending_t *p)
{
    free(p->packed);
    free(p);
}

/* Puts p (allocated) in flight: the window has room. */
static int s_fly(s_import_t *im, s_pending_t *p)
{
    if (ocop_client_send_raw(im->client, p->packed, p->len) != 0) {
        s_pending_free(p);
        return CTL_EXIT_UNAVAILABLE;
    }
    p->next = NULL;
    HASH_ADD_STR(im->in_flight, id, p);
    im->n_pending++;
    return 0;
}

/* The row of key in flight was answered: the first row parked behind it goes, or the key is
 * free again. */
static int s_unpark(s_import_t *im, const char *key)
{
    s_key_t *k;
    HASH_FIND_STR(im->keys, key, k);
    if (!k)
        return 0;
    s_pending_t *p = k->parked;
    if (!p) {
        HASH_DEL(im->keys, k);
        free(k);
        return 0;
    }
    k->parked = p->next;
    if (!k->parked)
        k->parked_tail = NULL;
    im->n_parked--;
    return s_fly(im, p);
}

/* Waits for replies until at most keep requests are in flight (and, with keep 0, none is
 * parked); re-sends everything in flight (same ids: safe) when the service is silent for a
 * whole time-out, up to 3 times. Rows in flight together never share a key, so the order in
 * which they are re-sent (or reach a restarted service) cannot reorder one key's rows. */
static int s_drain(s_import_t *im, size_t keep)
{
    int silent_rounds = 0;
    while (im->n_pending > keep) {
        Ocop__Reply *reply;
        if (ocop_client_recv(im->client, &reply, im->ctl->timeout_ms) != 0) {
            if (++silent_rounds >= 3) {
                fprintf(stderr, "\nocopctl import: the service stopped answering; re-run the same command to resume\n");
                return CTL_EXIT_UNAVAILABLE;
            }
            for (s_pending_t *p = im->in_flight; p; p = p->hh.next)
                ocop_client_send_raw(im->client, p->packed, p->len);
            continue;
        }
        silent_rounds = 0;
        int rc = 0;
        s_pending_t *done;
        HASH_FIND_STR(im->in_flight, reply->request_id, done);
        if (done) {
            HASH_DEL(im->in_flight, done);
            im->n_pending--;
            s_answered(im, done, reply);
            if (*done->key)
                rc = s_unpark(im, done->key);
            s_pending_free(done);
        }
        ocop__reply__free_unpacked(reply, NULL);
        if (rc != 0)
            return rc;
    }
    fflush(im->journal);
    return 0;
}

/* Sends one row; key ("" for rows that do not depend on each other) orders the rows that do:
 * while a row with its key is in flight, a row is parked (the rows after it, of other keys, go
 * on) and goes when that one is answered. */
static int s_send(s_import_t *im, const char *ref, const char *key, const char *body_name, const cJSON *body)
{
    if (s_map_find(im->done, im->n_done, ref)) {
        im->skipped++;
        return 0;
    }
    Ocop__Request req;
    ocop_arena_reset(im->ctl->arena);
    s_pending_t row = {0};
    snprintf(row.ref, sizeof row.ref, "%s", ref);
    snprintf(row.key, sizeof row.key, "%s", key);
    s_request_id(im->kind, im->path, ref, row.id);
    ocop_json_error_t why;
    if (ctl_build_request(im->ctl, body_name, body, &req, &why) != 0) {
        /* The row cannot even be expressed as a request: count it refused locally. */
        Ocop__Reply local = OCOP__REPLY__INIT;
        local.status = OCOP__STATUS__STATUS_INVALID;
        local.message = why.message;
        local.field = why.field;
        s_answered(im, &row, &local);
        return 0;
    }
    if (im->ctl->gateway) {
        /* One at a time over a kept-alive connection; the row's id is the Idempotency-Key. */
        Ocop__Reply *reply;
        int rc = ctl_http_call(im->ctl, body_name, ctl_request_body(&req), row.id, &reply);
        if (rc != 0)
            return rc;
        s_answered(im, &row, reply);
        ocop__reply__free_unpacked(reply, NULL);
        return 0;
    }
    req.request_id = row.id;
    req.caller = (char *)im->ctl->as;
    row.len = ocop__request__get_packed_size(&req);
    row.packed = malloc(row.len);
    if (!row.packed)
        return CTL_EXIT_FAILED;
    ocop__request__pack(&req, row.packed);
    s_pending_t *p = malloc(sizeof *p);
    if (!p) {
        free(row.packed);
        return CTL_EXIT_FAILED;
    }
    *p = row;
    s_key_t *k = NULL;
    if (*key)
        HASH_FIND_STR(im->keys, key, k);
    if (k) {
        if (k->parked_tail)
            k->parked_tail->next = p;
        else
            k->parked = p;
        k->parked_tail = p;
        im->n_parked++;
        /* Parked rows wait for replies: keep them to a few windows. */
        return im->n_parked >= 4 * S_WINDOW ? s_drain(im, im->n_pending - 1) : 0;
    }
    int rc = s_drain(im, S_WINDOW - 1);
    if (rc == 0 && *key) {
        if (!(k = calloc(1, sizeof *k))) {
            rc = CTL_EXIT_FAILED;
        } else {
            snprintf(k->key, sizeof k->key, "%s", key);
            HASH_ADD_STR(im->keys, key, k);
        }
    }
    if (rc != 0) {
        s_pending_free(p);
        return rc;
    }
    return s_fly(im, p);
}

/* After the last row (more is ctl_csv_next's last answer): a malformed file is refused, else
 * every reply is awaited. */
static int s_rows_end(s_import_t *im, ctl_csv_t *csv, int more, int rc)
{
    if (rc == 0 && more < 0) {
        fprintf(stderr, "ocopctl import %s: line %zu: unterminated quote\n", im->kind, ctl_csv_line(csv));
        rc = CTL_EXIT_INVALID;
    }
    return rc == 0 ? s_drain(im, 0) : rc;
}

static const char *s_field(const char **fields, int col)
{
    return col >= 0 ? fields[col] : "";
}

static void s_add_if(cJSON *obj, const char *name, const char *value)
{
    if (value && *value)
        cJSON_AddStringToObject(obj, name, value);
}

/* Columns: version,code,name,kind,level,parent_code,successor_codes — S_UNITS_PER_REQUEST a request. */
static int s_import_units(s_import_t *im, ctl_csv_t *csv)
{
    int c[7];
    const char *names[7] = {"version", "code", "name", "kind", "level", "parent_code", "successor_codes"};
    for (int i = 0; i < 7; i++)
        c[i] = ctl_csv_column(csv, names[i]);
    if (c[0] < 0 || c[1] < 0 || c[2] < 0 || c[4] < 0) {
        fprintf(stderr, "ocopctl import units: columns version, code, name and level are required\n");
        return CTL_EXIT_INVALID;
    }
    im->total = (ctl_csv_rows(csv) + S_UNITS_PER_REQUEST - 1) / S_UNITS_PER_REQUEST;
    const char **f;
    size_t n, first_line = 0;
    char version[32] = "";
    cJSON *body = NULL, *units = NULL;
    int rc = 0, more;
    do {
        more = ctl_csv_next(csv, &f, &n);
        if (more < 0) {
            fprintf(stderr, "ocopctl import units: line %zu: unterminated quote\n", ctl_csv_line(csv));
            rc = CTL_EXIT_INVALID;
            break;
        }
        int flush =
            body && (more == 0 || strcmp(version, f[c[0]]) != 0 || cJSON_GetArraySize(units) == S_UNITS_PER_REQUEST);
        if (flush) {
            char ref[S_REF_MAX];
            snprintf(ref, sizeof ref, "line%zu", first_line);
            rc = s_send(im, ref, "", "reg_unit_import", body);
            cJSON_Delete(body);
            body = NULL;
            /* Parents must exist before their children are sent. */
            if (rc == 0)
                rc = s_drain(im, 0);
            if (rc != 0)
                break;
        }
        if (more == 0)
            break;
        if (!body) {
            body = cJSON_CreateObject();
            snprintf(version, sizeof version, "%s", f[c[0]]);
            cJSON_AddStringToObject(body, "version", version);
            units = cJSON_AddArrayToObject(body, "units");
            first_line = ctl_csv_line(csv);
        }
        cJSON *u = cJSON_CreateObject();
        s_add_if(u, "code", f[c[1]]);
        s_add_if(u, "name", f[c[2]]);
        s_add_if(u, "kind", s_field(f, c[3]));
        s_add_if(u, "level", f[c[4]]);
        s_add_if(u, "parent_code", s_field(f, c[5]));
        ctl_json_add_list(u, "successor_codes", s_field(f, c[6]));
        cJSON_AddItemToArray(units, u);
    } while (more);
    cJSON_Delete(body);
    return rc;
}

static int s_import_rows(s_import_t *im, ctl_csv_t *csv)
{
    int is_products = strcmp(im->kind, "products") == 0;
    static const char *entity_cols[] = {"type",           "name",  "tax_code",     "commune_code",
                                        "representative", "phone", "unit_version", NULL};
    static const char *product_cols[] = {"name",       "sector_code",  "product_set_code",  "commune_code",
                                         "processing", "unit_version", "catalogue_version", NULL};
    const char **cols = is_products ? product_cols : entity_cols;
    int ref_col = ctl_csv_column(csv, "ref"), entity_col = ctl_csv_column(csv, "entity_ref");
    int entity_id_col = ctl_csv_column(csv, "entity_id"), std_col = ctl_csv_column(csv, "standards");
    if (ref_col < 0 || (is_products && entity_col < 0 && entity_id_col < 0)) {
        fprintf(stderr, "ocopctl import %s: a ref column%s is required\n", im->kind,
                is_products ? " and entity_ref or entity_id" : "");
        return CTL_EXIT_INVALID;
    }
    im->total = ctl_csv_rows(csv);
    const char **f;
    size_t n;
    int more, rc = 0;
    while (rc == 0 && (more = ctl_csv_next(csv, &f, &n)) == 1) {
        cJSON *body = cJSON_CreateObject();
        for (size_t i = 0; cols[i]; i++)
            s_add_if(body, cols[i], s_field(f, ctl_csv_column(csv, cols[i])));
        if (is_products) {
            const char *entity = s_field(f, entity_id_col);
            if (!*entity && entity_col >= 0) {
                const s_map_entry_t *e = s_map_find(im->refs, im->n_refs, f[entity_col]);
                entity = e ? e->value : "";
            }
            /* An unknown entity ref goes to the service as is and comes back NOT_FOUND. */
            cJSON_AddStringToObject(body, "entity_id", *entity ? entity : s_field(f, entity_col));
            ctl_json_add_list(body, "standards", s_field(f, std_col));
        }
        rc = s_send(im, f[ref_col], "", is_products ? "reg_product_register" : "reg_entity_register", body);
        cJSON_Delete(body);
    }
    return s_rows_end(im, csv, more, rc);
}

/* Columns: ref,product_ref|product_id,action,reason,note. action is a stage action (accept,
 * reject, resubmit, submit, withdraw, promote) or a review decision (review_cleared,
 * review_confirmed_duplicate). Rows of one product are sent in file order on one connection,
 * and the service applies them in that order. */
static int s_import_transitions(s_import_t *im, ctl_csv_t *csv)
{
    int ref_col = ctl_csv_column(csv, "ref"), product_ref_col = ctl_csv_column(csv, "product_ref");
    int product_id_col = ctl_csv_column(csv, "product_id"), action_col = ctl_csv_column(csv, "action");
    int reason_col = ctl_csv_column(csv, "reason"), note_col = ctl_csv_column(csv, "note");
    if (ref_col < 0 || action_col < 0 || (product_ref_col < 0 && product_id_col < 0)) {
        fprintf(stderr, "ocopctl import transitions: columns ref, action and product_ref or product_id are required\n");
        return CTL_EXIT_INVALID;
    }
    im->total = ctl_csv_rows(csv);
    const char **f;
    size_t n;
    int more, rc = 0;
    while (rc == 0 && (more = ctl_csv_next(csv, &f, &n)) == 1) {
        const char *product = s_field(f, product_id_col);
        if (!*product && product_ref_col >= 0) {
            const s_map_entry_t *e = s_map_find(im->refs, im->n_refs, f[product_ref_col]);
            product = e ? e->value : f[product_ref_col];
        }
        const char *action = f[action_col];
        cJSON *body = cJSON_CreateObject();
        cJSON_AddStringToObject(body, "product_id", product);
        const char *request = "reg_stage_transition";
        if (strncmp(action, "review_", 7) == 0) {
            request = "reg_duplicate_review";
            cJSON_AddStringToObject(body, "decision", action + 7);
            s_add_if(body, "note", s_field(f, note_col));
        } else {
            cJSON_AddStringToObject(body, "action", action);
            s_add_if(body, "reason", s_field(f, reason_col));
        }
        /* A product's steps depend on each other: one in flight per product. */
        rc = s_send(im, f[ref_col], product, request, body);
        cJSON_Delete(body);
    }
    return s_rows_end(im, csv, more, rc);
}

/* Appends list's "id=value;id=value" items to body's scores: {"id", "option": value} for
 * options, {"id", "score": value} for points. 0, or -1 when an item is not id=value or a point
 * is not a number. */
static int s_add_scores(cJSON *body, const char *list, bool options)
{
    if (!*list)
        return 0;
    cJSON *arr = cJSON_GetObjectItemCaseSensitive(body, "scores");
    if (!arr)
        arr = cJSON_AddArrayToObject(body, "scores");
    char copy[4096], *save = NULL;
    if (snprintf(copy, sizeof copy, "%s", list) >= (int)sizeof copy)
        return -1;
    for (char *tok = strtok_r(copy, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
        char *eq = strchr(tok, '='), *end;
        if (!eq || eq == tok || !eq[1])
            return -1;
        *eq = '\0';
        cJSON *item = cJSON_CreateObject();
        cJSON_AddItemToArray(arr, item);
        cJSON_AddStringToObject(item, "id", tok);
        if (options) {
            cJSON_AddStringToObject(item, "option", eq + 1);
            continue;
        }
        double v = strtod(eq + 1, &end);
        if (end == eq + 1 || *end)
            return -1;
        cJSON_AddNumberToObject(item, "score", v);
    }
    return 0;
}

/* "K1;2.1-K1" as ["K1","2.1-K1"]. */
static void s_add_knockouts(cJSON *body, const char *list)
{
    if (!*list)
        return;
    cJSON *arr = cJSON_AddArrayToObject(body, "knockouts");
    char copy[1024], *save = NULL;
    snprintf(copy, sizeof copy, "%s", list);
    for (char *tok = strtok_r(copy, ";", &save); tok; tok = strtok_r(NULL, ";", &save))
        cJSON_AddItemToArray(arr, cJSON_CreateString(tok));
}

/* Columns: ref,session_id,product_id,member_id,phase,round,rubric,options,points,knockouts — one
 * sealed score sheet a row, each sent to the shard of its session by the gateway. */
/* A number column: as a number when it is one, else as the text it is, which the service
 * refuses naming the field (the row is refused and journalled, never sent as 0). */
static void s_add_number_if(cJSON *body, const char *name, const char *text)
{
    long v;
    if (!*text)
        return;
    if (ctl_parse_long(text, 0, 1000000, &v) == 0)
        cJSON_AddNumberToObject(body, name, (double)v);
    else
        cJSON_AddStringToObject(body, name, text);
}

static int s_import_sheets(s_import_t *im, ctl_csv_t *csv)
{
    const char *names[] = {"ref",   "session_id", "product_id", "member_id", "phase",
                           "round", "rubric",     "options",    "points",    "knockouts"};
    int c[10];
    for (int i = 0; i < 10; i++)
        c[i] = ctl_csv_column(csv, names[i]);
    if (c[0] < 0 || c[1] < 0 || c[2] < 0 || (c[7] < 0 && c[8] < 0)) {
        fprintf(stderr, "ocopctl import sheets: columns ref, session_id, product_id and options (or points, for a "
                        "sheet without options) are required\n");
        return CTL_EXIT_INVALID;
    }
    im->total = ctl_csv_rows(csv);
    const char **f;
    size_t n;
    int more, rc = 0;
    while (rc == 0 && (more = ctl_csv_next(csv, &f, &n)) == 1) {
        cJSON *body = cJSON_CreateObject();
        s_add_if(body, "session_id", f[c[1]]);
        s_add_if(body, "product_id", f[c[2]]);
        s_add_if(body, "member_id", s_field(f, c[3]));
        s_add_number_if(body, "phase", s_field(f, c[4]));
        s_add_number_if(body, "round", s_field(f, c[5]));
        s_add_if(body, "rubric", s_field(f, c[6]));
        if (s_add_scores(body, s_field(f, c[7]), true) != 0 || s_add_scores(body, s_field(f, c[8]), false) != 0) {
            /* An unreadable list makes the row an invalid request: refused and journalled. */
            cJSON_DeleteItemFromObjectCaseSensitive(body, "scores");
            cJSON_AddStringToObject(body, "scores", "not id=value;id=value");
        }
        s_add_knockouts(body, s_field(f, c[9]));
        rc = s_send(im, f[c[0]], "", "eval_sheet_submit", body);
        cJSON_Delete(body);
    }
    return s_rows_end(im, csv, more, rc);
}

static void s_summary(const s_import_t *im)
{
    s_progress((s_import_t *)im, 1);
    printf("%s: %zu accepted (%zu flagged for review), %zu refused, %zu skipped as already done\n", im->kind,
           im->accepted, im->flagged, im->refused, im->skipped);
    for (size_t i = 0; i < im->n_reasons; i++)
        printf("  refused %zu x %s\n", im->reason_counts[i], im->reasons[i]);
    for (size_t i = 0; i < im->n_examples; i++)
        printf("  e.g. %s\n", im->examples[i]);
}

static void s_help(void)
{
    printf("usage: ocopctl import units|entities|products|transitions|sheets FILE.csv|FILE.json [--map J]\n"
           "  FILE.json is an array of objects whose keys are the column names below.\n"
           "  units:    version,code,name,kind,level,parent_code,successor_codes (parents first)\n"
           "  entities: ref,type,name,tax_code,commune_code,representative,phone[,unit_version]\n"
           "  products: ref,entity_ref|entity_id,name,sector_code,product_set_code,commune_code,processing,\n"
           "            standards (';'-separated)[,unit_version,catalogue_version]\n"
           "  transitions: ref,product_ref|product_id,action,reason,note — action: accept, reject,\n"
           "            resubmit, submit, withdraw, promote, review_cleared or review_confirmed_duplicate;\n"
           "            a product's rows are applied in file order\n"
           "  sheets:   ref,session_id,product_id,member_id,phase,round,rubric,options,points,knockouts —\n"
           "            options '1.1=3;1.2=2' (criterion=option id, as GET /v1/products/{id}/sheet shows), or\n"
           "            points 'A1.1=4;A1.2=3.5' on a sheet without options; knockouts 'K1;2.1-K1' (the\n"
           "            conditions found met); through the gateway\n"
           "            only (each sheet goes to its session's shard); a council member's token may omit\n"
           "            member_id\n"
           "  entity_ref / product_ref are resolved through the journal of the entities / products\n"
           "  import (--map; default: entities.csv.journal / products.csv.journal beside FILE). Answered rows are "
           "journalled in FILE.journal; a re-run skips\n"
           "  the accepted ones and sends the rest again with the same request ids, so nothing is\n"
           "  applied twice. Exit code 3 when any row was refused.\n");
}

/* The ids the rows of a products or transitions import refer to by ref: the journal of the
 * entities or products import (ref_map, or the one beside the file). */
static void s_load_refs(s_import_t *im, const char *ref_map)
{
    char map_path[1100];
    int is_products = strcmp(im->kind, "products") == 0;
    if (is_products || strcmp(im->kind, "transitions") == 0) {
        const char *referenced = is_products ? "entities" : "products", *kind = is_products ? "entity" : "product";
        if (!ref_map) {
            const char *slash = strrchr(im->path, '/');
            snprintf(map_path, sizeof map_path, "%.*s%s.csv.journal", slash ? (int)(slash - im->path + 1) : 0, im->path,
                     referenced);
            ref_map = map_path;
        }
        if (s_journal_load(ref_map, &im->refs, &im->n_refs, 1) != 0 || im->n_refs == 0)
            fprintf(stderr, "ocopctl import: warning: no %s ids in %s; references by ref cannot be resolved\n", kind,
                    ref_map);
    }
}

static void s_import_free(s_import_t *im)
{
    s_pending_t *p, *p_next;
    HASH_ITER(hh, im->in_flight, p, p_next)
    {
        HASH_DEL(im->in_flight, p);
        s_pending_free(p);
    }
    s_key_t *k, *k_next;
    HASH_ITER(hh, im->keys, k, k_next)
    {
        for (p = k->parked; p; p = p_next) {
            p_next = p->next;
            s_pending_free(p);
        }
        HASH_DEL(im->keys, k);
        free(k);
    }
    ocop_client_destroy(&im->client);
    free(im->done);
    free(im->refs);
    free(im);
}

int ctl_cmd_import(ctl_t *ctl, int argc, char **argv)
{
    const char *ref_map = NULL;
    if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
        s_help();
        return CTL_EXIT_OK;
    }
    for (int i = 3; i < argc; i++) {
        if (strcmp(argv[i], "--map") == 0 && i + 1 < argc)
            ref_map = argv[++i];
        else
            argc = -1;
    }
    if (argc < 3 || (strcmp(argv[1], "units") && strcmp(argv[1], "entities") && strcmp(argv[1], "products") &&
                     strcmp(argv[1], "transitions") && strcmp(argv[1], "sheets"))) {
        fprintf(stderr, "usage: ocopctl import units|entities|products|transitions|sheets FILE [--map JOURNAL]\n");
        return CTL_EXIT_USAGE;
    }
    if (strcmp(argv[1], "sheets") == 0 && !ctl->gateway) {
        fprintf(stderr, "ocopctl import sheets: goes through the gateway (--gateway URL --token TOKEN)\n");
        return CTL_EXIT_USAGE;
    }
    s_import_t *im = calloc(1, sizeof *im);
    if (!im) {
        fprintf(stderr, "ocopctl import: out of memory\n");
        return CTL_EXIT_FAILED;
    }
    im->ctl = ctl;
    im->kind = argv[1];
    im->path = argv[2];
    im->last_percent = -1;
    im->progress_tty = isatty(2);
    clock_gettime(CLOCK_MONOTONIC, &im->started);
    char err[512], journal_path[1100];
    int rc = CTL_EXIT_OK;
    ctl_csv_t *csv = ctl_csv_open(im->path, err, sizeof err);
    if (!csv) {
        fprintf(stderr, "ocopctl import: %s\n", err);
        free(im);
        return CTL_EXIT_USAGE;
    }
    snprintf(journal_path, sizeof journal_path, "%s.journal", im->path);
    s_load_refs(im, ref_map);
    /* Accepted rows are skipped on a re-run; refused ones are sent again, so a corrected file
     * can simply be imported again. */
    if (s_journal_load(journal_path, &im->done, &im->n_done, 1) != 0 || !(im->journal = fopen(journal_path, "a"))) {
        fprintf(stderr, "ocopctl import: cannot use the journal %s\n", journal_path);
        rc = CTL_EXIT_FAILED;
    }
    if (rc == 0 && ctl->gateway)
        rc = ctl_prepare(ctl);
    else if (rc == 0 && !(im->client = ctl_connect(ctl, "registration")))
        rc = CTL_EXIT_UNAVAILABLE;
    if (rc == 0)
        rc = strcmp(im->kind, "units") == 0         ? s_import_units(im, csv)
             : strcmp(im->kind, "transitions") == 0 ? s_import_transitions(im, csv)
             : strcmp(im->kind, "sheets") == 0      ? s_import_sheets(im, csv)
                                                    : s_import_rows(im, csv);
    if (im->journal) {
        s_summary(im);
        fclose(im->journal);
    }
    if (rc == 0 && im->refused)
        rc = CTL_EXIT_INVALID;
    ctl_csv_destroy(&csv);
    s_import_free(im);
    return rc;
}
