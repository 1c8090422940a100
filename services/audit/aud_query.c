/* aud_query — the events of a product, council, province or time range; and each source's
 * intake status, with a walk that proves its sequences are contiguous. */
#include <string.h>

#include "aud_handlers.h"
#include "aud_index.h"
#include "ocop_error.h"

#define S_LIMIT_DEFAULT 100
#define S_LIMIT_MAX 1000

typedef struct {
    ocop_key_t prefix; /* key_entries' key of this query, or empty for by_time */
    bool by_time;
    const char *product; /* a product's events come from the memory index */
    int64_t to_ms;
} s_query_t;

static int s_plan(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__AudEventsQuery *in, s_query_t *q)
{
    const char *kind = NULL, *value = NULL, *field = NULL;
    int given = 0;
    if (*in->product_id)
        kind = AUD_KEY_PRODUCT, value = in->product_id, field = "product_id", given++;
    if (*in->council_id)
        kind = AUD_KEY_COUNCIL, value = in->council_id, field = "council_id", given++;
    if (*in->province_code)
        kind = AUD_KEY_PROVINCE, value = in->province_code, field = "province_code", given++;
    if (given > 1)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "product_id",
                             "ask for one of product_id, council_id, province_code or a time range");
    ocop_key_init(&q->prefix);
    if (given == 1) {
        if (ocop_ctx_check_text(ctx, reply, field, value, 1, 64) != 0)
            return -1;
        if (strcmp(kind, AUD_KEY_PRODUCT) == 0)
            q->product = value;
        ocop_key_str(&q->prefix, kind);
        ocop_key_str(&q->prefix, value);
        return 0;
    }
    if (in->to_ms <= 0 || in->from_ms > in->to_ms)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "to_ms",
                             "give an id, or a time range with from_ms <= to_ms (milliseconds since 1970)");
    q->by_time = true;
    q->to_ms = in->to_ms;
    return 0;
}

/* Where a time range's scan starts: the first key at or after the cursor (or the range start). */
static int s_start_key(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__AudEventsQuery *in, ocop_key_t *start)
{
    ocop_key_init(start);
    int64_t from = in->from_ms;
    if (in->cursor) {
        /* A time cursor is the index of the next entry: its own time says where to resume. */
        Ocop__AudEntry *e = aud_entry_load(ctx, reply, "cursor", in->cursor);
        Ocop__Event *ev =
            e ? ocop__event__unpack(ocop_arena_allocator(ocop_ctx_arena(ctx)), e->data.len, e->data.data) : NULL;
        if (!ev)
            return e ? ocop_ctx_fail(ctx, reply, OCOP_E_INTERNAL, "cursor", "entry %llu is not an event",
                                     (unsigned long long)in->cursor)
                     : -1;
        from = ev->time_ms;
    }
    ocop_key_u64(start, (uint64_t)(from < 0 ? 0 : from));
    ocop_key_u64(start, in->cursor);
    return 0;
}

/* A product's events, from the memory index (entries not yet committed are left out). */
static int s_product_page(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *product, uint64_t cursor, size_t limit,
                          Ocop__AudEntryPage *page)
{
    int ready = atomic_load(&aud_state(ctx)->products_ready);
    if (ready != 1)
        return ocop_ctx_fail(ctx, reply, ready == 0 ? OCOP_E_UNAVAILABLE : OCOP_E_INTERNAL, "product",
                             ready == 0 ? "the index of events by product is being rebuilt after a restart: retry "
                                          "in a moment (every other query is answered meanwhile)"
                                        : "the index of events by product could not be rebuilt (see the service's "
                                          "log)");
    uint64_t *found = ocop_arena_alloc(ocop_ctx_arena(ctx), limit * sizeof *found);
    size_t n = aud_memindex_find(aud_state(ctx)->products, product, cursor, page->tree_size, found, limit, &page->next);
    for (size_t i = 0; i < n; i++)
        if (!(page->entries[page->n_entries++] = aud_entry_load(ctx, reply, "cursor", found[i])))
            return -1;
    return 0;
}

int aud_handle_events_query(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    const Ocop__AudEventsQuery *in = req->aud_events_query;
    aud_state_t *state = aud_state(ctx);
    s_query_t q = {0};
    ocop_key_t start;
    if (s_plan(ctx, reply, in, &q) != 0 || (q.by_time && s_start_key(ctx, reply, in, &start) != 0))
        return -1;
    if (in->limit > S_LIMIT_MAX)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "limit", "limit is 0 (%d) to %d events", S_LIMIT_DEFAULT,
                             S_LIMIT_MAX);
    size_t limit = in->limit ? in->limit : S_LIMIT_DEFAULT;
    ocop_arena_t *arena = ocop_ctx_arena(ctx);
    Ocop__AudEntryPage *page = ocop_arena_alloc(arena, sizeof *page);
    ocop__aud_entry_page__init(page);
    page->entries = ocop_arena_alloc(arena, (limit + 1) * sizeof *page->entries);
    if (aud_state_size_in(ctx, reply, &page->tree_size) != 0)
        return -1;
    if (q.product) {
        if (s_product_page(ctx, reply, q.product, in->cursor, limit, page) != 0)
            return -1;
        reply->body_case = OCOP__REPLY__BODY_AUD_ENTRY_PAGE;
        reply->aud_entry_page = page;
        return 0;
    }
    ocop_scan_t scan;
    uint8_t cursor[8];
    ocop_be64_put(cursor, in->cursor);
    if (ocop_ctx_scan_open(ctx, reply, &scan, q.by_time ? state->db.by_time : state->db.key_entries, &q.prefix,
                           q.by_time ? &start : &q.prefix) != 0)
        return -1;
    if (!q.by_time)
        ocop_scan_from_value(&scan, cursor, sizeof cursor);
    while (ocop_scan_next(&scan)) {
        /* by_time: time|index -> ""; key_entries: the query's key -> index. */
        const ocop_bytes_t k = scan.key, tail = q.by_time ? k : scan.value;
        if (tail.size < 8 || (q.by_time && (k.size != 16 || (int64_t)ocop_be64_get(k.data) > q.to_ms)))
            break;
        uint64_t index = ocop_be64_get((const uint8_t *)tail.data + tail.size - 8);
        if (page->n_entries == limit) {
            page->next = index;
            break;
        }
        Ocop__AudEntry *e = aud_entry_load(ctx, reply, "cursor", index);
        if (!e) {
            ocop_scan_close(&scan, 0);
            return -1;
        }
        page->entries[page->n_entries++] = e;
    }
    if (ocop_ctx_scan_close(ctx, reply, &scan, "reading the log's indexes") != 0)
        return -1;
    reply->body_case = OCOP__REPLY__BODY_AUD_ENTRY_PAGE;
    reply->aud_entry_page = page;
    return 0;
}

/* Walks a source's sequence index: contiguous when it holds exactly 1..cursor. */
static int s_verify_source(ocop_ctx_t *ctx, Ocop__Reply *reply, Ocop__AudSource *s)
{
    ocop_key_t prefix;
    ocop_key_init(&prefix);
    ocop_key_str(&prefix, s->name);
    uint64_t expected = 1;
    bool ok = true;
    ocop_scan_t scan;
    if (ocop_ctx_scan_open(ctx, reply, &scan, aud_state(ctx)->db.source_entries, &prefix, NULL) != 0)
        return -1;
    while (ok && ocop_scan_next(&scan)) { /* sequence|index, in sequence order */
        if (scan.key.size != prefix.len || scan.value.size != 16)
            break;
        ok = ocop_be64_get(scan.value.data) == expected++;
    }
    s->contiguous = ok && expected - 1 == s->cursor && s->entries == s->cursor;
    return ocop_ctx_scan_close(ctx, reply, &scan, "reading a source's sequences");
}

/* A source's intake status: as stored, or that of a source not heard from yet. NULL with the
 * reply failed on a store error. */
static Ocop__AudSource *s_source(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *name)
{
    ocop_key_t key;
    ocop_key_init(&key);
    ocop_key_str(&key, name);
    void *stored;
    int rc = ocop_ctx_record(ctx, reply, aud_state(ctx)->db.sources, &key, &ocop__aud_source__descriptor, &stored);
    if (rc != 1)
        return rc == 0 ? stored : NULL;
    Ocop__AudSource *s = ocop_arena_alloc(ocop_ctx_arena(ctx), sizeof *s);
    ocop__aud_source__init(s);
    s->name = (char *)name;
    s->contiguous = true;
    return s;
}

int aud_handle_sources_get(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    const aud_state_t *state = aud_state(ctx);
    ocop_arena_t *arena = ocop_ctx_arena(ctx);
    Ocop__AudSources *out = ocop_arena_alloc(arena, sizeof *out);
    ocop__aud_sources__init(out);
    out->sources = ocop_arena_alloc(arena, (state->service->source_count + 1) * sizeof *out->sources);
    if (aud_state_size_in(ctx, reply, &out->tree_size) != 0)
        return -1;
    for (size_t i = 0; i < state->service->source_count; i++) {
        Ocop__AudSource *s = s_source(ctx, reply, state->service->sources[i]);
        if (!s || (req->aud_sources_get->verify && s_verify_source(ctx, reply, s) != 0))
            return -1;
        out->sources[out->n_sources++] = s;
    }
    reply->body_case = OCOP__REPLY__BODY_AUD_SOURCES;
    reply->aud_sources = out;
    return 0;
}
