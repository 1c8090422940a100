/* aud_proofs — signed tree heads, entries, and inclusion and consistency proofs. */
#include <errno.h>
#include <string.h>

#include "aud_handlers.h"
#include "ocop_error.h"
#include "ocop_stored.h"

#define S_PAGE_DEFAULT 1000
#define S_ENTRIES_MAX 10000
#define S_PAGE_BYTES_MAX (4u << 20)

Ocop__AudSignedTreeHead *aud_head_load(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *field, uint64_t tree_size)
{
    const ocop_table_t heads = aud_state(ctx)->db.heads;
    ocop_bytes_t v;
    int rc;
    if (tree_size == 0) {
        rc = ocop_ctx_last(ctx, reply, heads, NULL, NULL, &v);
    } else {
        ocop_key_t key;
        ocop_key_init(&key);
        ocop_key_u64(&key, tree_size);
        rc = ocop_ctx_value(ctx, reply, heads, &key, &v);
    }
    if (rc < 0)
        return NULL;
    if (rc == 1) {
        if (tree_size == 0)
            ocop_ctx_fail(ctx, reply, OCOP_E_NOT_FOUND, field, "the log is empty: no tree head is signed yet");
        else
            ocop_ctx_fail(ctx, reply, OCOP_E_NOT_FOUND, field,
                          "no head was signed at tree size %llu (heads are signed per commit: list them with "
                          "AudHeadsGet)",
                          (unsigned long long)tree_size);
        return NULL;
    }
    Ocop__AudSignedTreeHead *head =
        ocop__aud_signed_tree_head__unpack(ocop_arena_allocator(ocop_ctx_arena(ctx)), v.size, v.data);
    if (!head)
        ocop_ctx_db_error(ctx, reply, OCOP_STORE_CORRUPT, "reading a tree head");
    return head;
}

Ocop__AudEntry *aud_entry_load(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *field, uint64_t index)
{
    ocop_key_t key;
    ocop_key_init(&key);
    ocop_key_u64(&key, index);
    ocop_bytes_t v;
    int rc = ocop_ctx_value(ctx, reply, aud_state(ctx)->db.entries, &key, &v);
    if (rc != 0) {
        if (rc == 1)
            ocop_ctx_fail(ctx, reply, OCOP_E_NOT_FOUND, field, "no entry %llu in the log", (unsigned long long)index);
        return NULL;
    }
    const void *data;
    size_t len;
    rc = ocop_stored_open(ocop_ctx_arena(ctx), v.data, v.size, &data, &len);
    if (rc != 0) {
        ocop_ctx_db_error(ctx, reply, rc == EBADMSG ? OCOP_STORE_CORRUPT : rc, "reading a log entry");
        return NULL;
    }
    Ocop__AudEntry *e = ocop_arena_alloc(ocop_ctx_arena(ctx), sizeof *e);
    ocop__aud_entry__init(e);
    e->index = index;
    e->data.len = len;
    if (data != v.data) { /* decompressed into the arena already */
        e->data.data = (uint8_t *)data;
        return e;
    }
    e->data.data = ocop_arena_alloc(ocop_ctx_arena(ctx), len ? len : 1);
    memcpy(e->data.data, data, len);
    return e;
}

int aud_handle_tree_head_get(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    Ocop__AudSignedTreeHead *head = aud_head_load(ctx, reply, "tree_size", req->aud_tree_head_get->tree_size);
    if (!head)
        return -1;
    reply->body_case = OCOP__REPLY__BODY_AUD_TREE_HEAD;
    reply->aud_tree_head = head;
    return 0;
}

int aud_handle_heads_get(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    const Ocop__AudHeadsGet *in = req->aud_heads_get;
    if (in->max > S_ENTRIES_MAX)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "max", "max is 0 (%d) to %d heads", S_PAGE_DEFAULT,
                             S_ENTRIES_MAX);
    size_t max = in->max ? in->max : S_PAGE_DEFAULT;
    ocop_arena_t *arena = ocop_ctx_arena(ctx);
    Ocop__AudHeadPage *page = ocop_arena_alloc(arena, sizeof *page);
    ocop__aud_head_page__init(page);
    page->heads = ocop_arena_alloc(arena, max * sizeof *page->heads);
    ocop_key_t first;
    ocop_key_init(&first);
    ocop_key_u64(&first, in->from_size);
    ocop_scan_t scan;
    if (ocop_ctx_scan_open(ctx, reply, &scan, aud_state(ctx)->db.heads, NULL, &first) != 0)
        return -1;
    while (page->n_heads < max && ocop_scan_next(&scan)) {
        Ocop__AudSignedTreeHead *h =
            ocop__aud_signed_tree_head__unpack(ocop_arena_allocator(arena), scan.value.size, scan.value.data);
        if (!h) {
            ocop_scan_fail(&scan, OCOP_STORE_CORRUPT);
            break;
        }
        page->heads[page->n_heads++] = h;
    }
    if (ocop_ctx_scan_close(ctx, reply, &scan, "reading tree heads") != 0)
        return -1;
    reply->body_case = OCOP__REPLY__BODY_AUD_HEAD_PAGE;
    reply->aud_head_page = page;
    return 0;
}

int aud_handle_entries_get(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    const Ocop__AudEntriesGet *in = req->aud_entries_get;
    if (in->max > S_ENTRIES_MAX)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "max", "max is 0 (%d) to %d entries", S_PAGE_DEFAULT,
                             S_ENTRIES_MAX);
    size_t max = in->max ? in->max : S_PAGE_DEFAULT;
    ocop_arena_t *arena = ocop_ctx_arena(ctx);
    Ocop__AudEntryPage *page = ocop_arena_alloc(arena, sizeof *page);
    ocop__aud_entry_page__init(page);
    if (aud_state_size_in(ctx, reply, &page->tree_size) != 0)
        return -1;
    if (in->from > page->tree_size)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "from", "from %llu is beyond the log's %llu entries",
                             (unsigned long long)in->from, (unsigned long long)page->tree_size);
    page->entries = ocop_arena_alloc(arena, max * sizeof *page->entries);
    size_t bytes = 0;
    uint64_t i = in->from;
    for (; i < page->tree_size && page->n_entries < max && bytes < S_PAGE_BYTES_MAX; i++) {
        Ocop__AudEntry *e = aud_entry_load(ctx, reply, "from", i);
        if (!e)
            return -1;
        bytes += e->data.len;
        page->entries[page->n_entries++] = e;
    }
    page->next = i < page->tree_size ? i : 0;
    reply->body_case = OCOP__REPLY__BODY_AUD_ENTRY_PAGE;
    reply->aud_entry_page = page;
    return 0;
}

/* Proof hashes as repeated bytes in the arena. */
static void s_path_out(ocop_arena_t *arena, const aud_hash_t *path, size_t n, ProtobufCBinaryData **out, size_t *n_out)
{
    *out = ocop_arena_alloc(arena, (n ? n : 1) * sizeof **out);
    for (size_t i = 0; i < n; i++) {
        (*out)[i].len = AUD_HASH_LEN;
        (*out)[i].data = ocop_arena_alloc(arena, AUD_HASH_LEN);
        memcpy((*out)[i].data, path[i].h, AUD_HASH_LEN);
    }
    *n_out = n;
}

int aud_handle_inclusion_get(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    const Ocop__AudInclusionGet *in = req->aud_inclusion_get;
    ocop_arena_t *arena = ocop_ctx_arena(ctx);
    Ocop__AudSignedTreeHead *head = aud_head_load(ctx, reply, "tree_size", in->tree_size);
    if (!head)
        return -1;
    if (in->index >= head->tree_size)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "index", "entry %llu is beyond the tree of %llu entries",
                             (unsigned long long)in->index, (unsigned long long)head->tree_size);
    Ocop__AudInclusionProof *proof = ocop_arena_alloc(arena, sizeof *proof);
    ocop__aud_inclusion_proof__init(proof);
    proof->entry = aud_entry_load(ctx, reply, "index", in->index);
    if (!proof->entry)
        return -1;
    aud_hash_t path[AUD_PROOF_MAX], leaf;
    size_t n;
    aud_node_ctx_t nctx;
    aud_nodes_t nodes;
    aud_state_nodes_in(&nctx, ctx, &nodes);
    int rc = aud_merkle_inclusion(&nodes, in->index, head->tree_size, path, &n);
    if (rc != 0)
        return ocop_ctx_db_error(ctx, reply, rc, "reading the tree");
    aud_leaf_hash(proof->entry->data.data, proof->entry->data.len, &leaf);
    proof->index = in->index;
    proof->tree_size = head->tree_size;
    proof->leaf_hash.len = AUD_HASH_LEN;
    proof->leaf_hash.data = ocop_arena_alloc(arena, AUD_HASH_LEN);
    memcpy(proof->leaf_hash.data, leaf.h, AUD_HASH_LEN);
    s_path_out(arena, path, n, &proof->path, &proof->n_path);
    proof->head = head;
    reply->body_case = OCOP__REPLY__BODY_AUD_INCLUSION_PROOF;
    reply->aud_inclusion_proof = proof;
    return 0;
}

int aud_handle_consistency_get(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    const Ocop__AudConsistencyGet *in = req->aud_consistency_get;
    ocop_arena_t *arena = ocop_ctx_arena(ctx);
    Ocop__AudSignedTreeHead *second = aud_head_load(ctx, reply, "second", in->second);
    if (!second)
        return -1;
    if (in->first == 0 || in->first > second->tree_size)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "first",
                             "first must be from 1 to the second tree's %llu entries, not %llu",
                             (unsigned long long)second->tree_size, (unsigned long long)in->first);
    Ocop__AudSignedTreeHead *first = aud_head_load(ctx, reply, "first", in->first);
    if (!first)
        return -1;
    aud_hash_t path[AUD_PROOF_MAX];
    size_t n;
    aud_node_ctx_t nctx;
    aud_nodes_t nodes;
    aud_state_nodes_in(&nctx, ctx, &nodes);
    int rc = aud_merkle_consistency(&nodes, first->tree_size, second->tree_size, path, &n);
    if (rc != 0)
        return ocop_ctx_db_error(ctx, reply, rc, "reading the tree");
    Ocop__AudConsistencyProof *proof = ocop_arena_alloc(arena, sizeof *proof);
    ocop__aud_consistency_proof__init(proof);
    proof->first = first->tree_size;
    proof->second = second->tree_size;
    s_path_out(arena, path, n, &proof->path, &proof->n_path);
    proof->first_head = first;
    proof->second_head = second;
    reply->body_case = OCOP__REPLY__BODY_AUD_CONSISTENCY_PROOF;
    reply->aud_consistency_proof = proof;
    return 0;
}
