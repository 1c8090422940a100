/* gw_redact — see gw_redact.h. */
#include "gw_redact.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* The fields a public reader never sees, wherever they sit in an Event: what the API itself
 * keeps behind a login (an entity's tax code, representative and phone — /v1/entities/{id};
 * a producer's self-assessment; members' names — /v1/councils/{id}) and the accounts of the
 * people who acted. Ids, units, sectors, stages, scores, stars, certificates and decisions stay
 * public: they are what the programme publishes. */
static const struct {
    const char *message;
    const char *field;
} s_private[] = {
    {"ocop.RegEntity", "tax_code"},   {"ocop.RegEntity", "representative"},    {"ocop.RegEntity", "phone"},
    {"ocop.EvalMember", "name"},      {"ocop.RegStageChange", "by"},           {"ocop.RegReviewDecision", "by"},
    {"ocop.RegClassification", "by"}, {"ocop.EvalSelfAssessed", "assessment"}, {"ocop.ProPlan", "submitted_by"},
};

#define S_PATH_MAX 256
#define S_WITHHELD_MAX 16

typedef struct {
    ocop_arena_t *arena;
    char path[S_PATH_MAX];
    char *withheld[S_WITHHELD_MAX];
    size_t n_withheld;
    int overflow; /* a path longer than S_PATH_MAX or more than S_WITHHELD_MAX paths */
} s_walk_t;

bool gw_redact_reads_all(ocop_role_t role)
{
    return role == OCOP_ROLE_AUDITOR || role == OCOP_ROLE_CENTRAL;
}

static bool s_is_private(const ProtobufCMessageDescriptor *m, const ProtobufCFieldDescriptor *f)
{
    for (size_t i = 0; i < sizeof s_private / sizeof s_private[0]; i++)
        if (strcmp(m->name, s_private[i].message) == 0 && strcmp(f->name, s_private[i].field) == 0)
            return true;
    return false;
}

/* Whether the field holds something: a withheld empty field is not worth naming. */
static bool s_is_set(const ProtobufCMessage *msg, const ProtobufCFieldDescriptor *f)
{
    const char *p = (const char *)msg + f->offset;
    if (f->label == PROTOBUF_C_LABEL_REPEATED)
        return *(const size_t *)((const char *)msg + f->quantifier_offset) > 0;
    switch (f->type) {
    case PROTOBUF_C_TYPE_STRING: {
        const char *s = *(char *const *)p;
        return s && *s;
    }
    case PROTOBUF_C_TYPE_MESSAGE:
        return *(void *const *)p != NULL;
    case PROTOBUF_C_TYPE_BYTES:
        return ((const ProtobufCBinaryData *)p)->len > 0;
    default:
        return true;
    }
}

/* Clears a string, message, bytes or repeated field (the private list holds no others). */
static void s_clear(ProtobufCMessage *msg, const ProtobufCFieldDescriptor *f)
{
    char *p = (char *)msg + f->offset;
    if (f->label == PROTOBUF_C_LABEL_REPEATED)
        *(size_t *)((char *)msg + f->quantifier_offset) = 0;
    else if (f->type == PROTOBUF_C_TYPE_STRING)
        *(const char **)p = "";
    else if (f->type == PROTOBUF_C_TYPE_MESSAGE)
        *(void **)p = NULL;
    else if (f->type == PROTOBUF_C_TYPE_BYTES)
        ((ProtobufCBinaryData *)p)->len = 0;
}

static void s_note(s_walk_t *w)
{
    for (size_t i = 0; i < w->n_withheld; i++)
        if (strcmp(w->withheld[i], w->path) == 0)
            return;
    if (w->n_withheld == S_WITHHELD_MAX) {
        w->overflow = 1;
        return;
    }
    w->withheld[w->n_withheld++] = ocop_arena_strdup(w->arena, w->path);
}

static void s_walk(s_walk_t *w, ProtobufCMessage *msg)
{
    const ProtobufCMessageDescriptor *desc = msg->descriptor;
    size_t base = strlen(w->path);
    for (unsigned i = 0; i < desc->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &desc->fields[i];
        if ((f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
            *(const uint32_t *)((const char *)msg + f->quantifier_offset) != f->id)
            continue;
        int n = snprintf(w->path + base, sizeof w->path - base, "%s%s", base ? "." : "", f->name);
        if (n < 0 || (size_t)n >= sizeof w->path - base) {
            w->overflow = 1;
            break;
        }
        if (s_is_private(desc, f)) {
            if (s_is_set(msg, f)) {
                s_note(w);
                s_clear(msg, f);
            }
        } else if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
            char *p = (char *)msg + f->offset;
            if (f->label == PROTOBUF_C_LABEL_REPEATED) {
                size_t count = *(const size_t *)((const char *)msg + f->quantifier_offset);
                for (size_t j = 0; j < count; j++)
                    s_walk(w, (*(ProtobufCMessage ***)p)[j]);
            } else if (*(ProtobufCMessage **)p) {
                s_walk(w, *(ProtobufCMessage **)p);
            }
        }
        w->path[base] = '\0';
    }
    w->path[base] = '\0';
}

/* A copy of the entry (the reply it came in is freed by its unpacker, so nothing of the arena
 * may be hung on it) with its leaf hash, in its public form unless role reads all. NULL when
 * it is not an Event. */
static Ocop__AudEntry *s_entry(const Ocop__AudEntry *in, ocop_role_t role, ocop_arena_t *arena)
{
    Ocop__AudEntry *e = ocop_arena_alloc(arena, sizeof *e);
    *e = *in;
    e->leaf_hash.len = crypto_hash_sha256_BYTES;
    e->leaf_hash.data = ocop_arena_alloc(arena, crypto_hash_sha256_BYTES);
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const unsigned char *)"\0", 1);
    crypto_hash_sha256_update(&st, e->data.data, e->data.len);
    crypto_hash_sha256_final(&st, e->leaf_hash.data);
    if (gw_redact_reads_all(role))
        return e;
    Ocop__Event *ev = ocop__event__unpack(ocop_arena_allocator(arena), e->data.len, e->data.data);
    s_walk_t w = {.arena = arena};
    if (ev)
        s_walk(&w, &ev->base);
    if (!ev || w.overflow)
        return NULL;
    if (w.n_withheld == 0)
        return e;
    e->public_data.len = ocop__event__get_packed_size(ev);
    e->public_data.data = ocop_arena_alloc(arena, e->public_data.len ? e->public_data.len : 1);
    ocop__event__pack(ev, e->public_data.data);
    e->data.len = 0;
    e->data.data = NULL;
    e->n_withheld = w.n_withheld;
    e->withheld = ocop_arena_alloc(arena, w.n_withheld * sizeof *e->withheld);
    memcpy(e->withheld, w.withheld, w.n_withheld * sizeof *e->withheld);
    return e;
}

const ProtobufCMessage *gw_redact_entries(const ProtobufCMessage *body, ocop_role_t role, ocop_arena_t *arena)
{
    if (body->descriptor == &ocop__aud_entry_page__descriptor) {
        Ocop__AudEntryPage *page = ocop_arena_alloc(arena, sizeof *page);
        *page = *(const Ocop__AudEntryPage *)body;
        page->entries = ocop_arena_alloc(arena, (page->n_entries ? page->n_entries : 1) * sizeof *page->entries);
        for (size_t i = 0; i < page->n_entries; i++)
            if (!(page->entries[i] = s_entry(((const Ocop__AudEntryPage *)body)->entries[i], role, arena)))
                return NULL;
        return &page->base;
    }
    if (body->descriptor == &ocop__aud_inclusion_proof__descriptor) {
        Ocop__AudInclusionProof *proof = ocop_arena_alloc(arena, sizeof *proof);
        *proof = *(const Ocop__AudInclusionProof *)body;
        if (proof->entry && !(proof->entry = s_entry(proof->entry, role, arena)))
            return NULL;
        return &proof->base;
    }
    return body;
}
