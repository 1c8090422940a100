/* aud_export: a small export built here verifies, and flipping any one bit of it anywhere —
 * magic, lengths, field tags, an entry's data, a head's key id, size, root, time or signature —
 * is refused. Also refused: an entry that carries the gateway's public form, a record with a
 * field spelled out at its default value or an unknown field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aud_export.h"
#include "aud_sign.h"
#include "envelope.pb-c.h"
#include "ocop_store.h"

#define S_N 4

static struct {
    aud_signer_t signer;
    uint8_t *entry[S_N];
    size_t len[S_N];
    aud_hash_t roots[S_N + 1];
} L;

static int s_setup(void **state)
{
    (void)state;
    if (sodium_init() < 0)
        return -1;
    crypto_sign_keypair(L.signer.public_key, L.signer.secret);
    sodium_bin2hex(L.signer.key_id, sizeof L.signer.key_id, L.signer.public_key, sizeof L.signer.public_key);
    aud_builder_t b;
    aud_builder_init(&b);
    aud_builder_root(&b, &L.roots[0]);
    for (int i = 0; i < S_N; i++) {
        Ocop__RegUnitsImported body = OCOP__REG_UNITS_IMPORTED__INIT;
        body.version = "2025-07";
        body.added = 3 + (uint32_t)i;
        Ocop__Event ev = OCOP__EVENT__INIT;
        ev.source = "registration";
        ev.sequence = (uint64_t)i + 1;
        ev.time_ms = 1700000000000 + i;
        ev.body_case = OCOP__EVENT__BODY_REG_UNITS_IMPORTED;
        ev.reg_units_imported = &body;
        L.len[i] = ocop__event__get_packed_size(&ev);
        L.entry[i] = malloc(L.len[i]);
        ocop__event__pack(&ev, L.entry[i]);
        aud_hash_t leaf;
        aud_leaf_hash(L.entry[i], L.len[i], &leaf);
        aud_builder_add(&b, &leaf);
        aud_builder_root(&b, &L.roots[i + 1]);
    }
    return 0;
}

static int s_teardown(void **state)
{
    (void)state;
    for (int i = 0; i < S_N; i++)
        free(L.entry[i]);
    return 0;
}

static void s_record(FILE *f, const Ocop__AudExportRecord *r)
{
    size_t len = ocop__aud_export_record__get_packed_size(r);
    uint8_t lb[4], *buf = malloc(len ? len : 1);
    ocop_be32_put(lb, (uint32_t)len);
    ocop__aud_export_record__pack(r, buf);
    fwrite(lb, 1, 4, f);
    fwrite(buf, 1, len, f);
    free(buf);
}

static void s_head(FILE *f, uint64_t size)
{
    uint8_t sig[crypto_sign_BYTES];
    aud_head_sign(&L.signer, size, &L.roots[size], 1700000001000 + (int64_t)size, sig);
    Ocop__AudSignedTreeHead h = OCOP__AUD_SIGNED_TREE_HEAD__INIT;
    h.tree_size = size;
    h.root_hash = (ProtobufCBinaryData){AUD_HASH_LEN, L.roots[size].h};
    h.timestamp_ms = 1700000001000 + (int64_t)size;
    h.signature = (ProtobufCBinaryData){sizeof sig, sig};
    h.key_id = L.signer.key_id;
    Ocop__AudExportRecord r = OCOP__AUD_EXPORT_RECORD__INIT;
    r.record_case = OCOP__AUD_EXPORT_RECORD__RECORD_HEAD;
    r.head = &h;
    s_record(f, &r);
}

/* Heads at 2 and S_N, then every entry; entry `odd` (if >= 0) carries a leaf hash as well. */
static uint8_t *s_export(size_t *len, int odd)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    assert_non_null(f);
    fwrite(AUD_EXPORT_MAGIC, 1, AUD_EXPORT_MAGIC_LEN, f);
    s_head(f, 2);
    s_head(f, S_N);
    for (int i = 0; i < S_N; i++) {
        Ocop__AudEntry e = OCOP__AUD_ENTRY__INIT;
        e.index = (uint64_t)i;
        e.data = (ProtobufCBinaryData){L.len[i], L.entry[i]};
        if (i == odd)
            e.leaf_hash = (ProtobufCBinaryData){AUD_HASH_LEN, L.roots[1].h};
        Ocop__AudExportRecord r = OCOP__AUD_EXPORT_RECORD__INIT;
        r.record_case = OCOP__AUD_EXPORT_RECORD__RECORD_ENTRY;
        r.entry = &e;
        s_record(f, &r);
    }
    assert_int_equal(fclose(f), 0);
    *len = n;
    return (uint8_t *)buf;
}

/* 0 verified, 1 a problem, 2 malformed. */
static int s_verify(uint8_t *data, size_t len, char *why, size_t whylen)
{
    FILE *f = fmemopen(data, len, "rb");
    assert_non_null(f);
    aud_verifier_t *v = aud_verifier_new(L.signer.public_key);
    int rc = aud_export_read(v, f, why, whylen);
    if (rc == 0 && aud_verifier_finish(v) != 0)
        rc = 1;
    if (rc == 1)
        snprintf(why, whylen, "%s", aud_verifier_problem(v));
    aud_verifier_destroy(&v);
    fclose(f);
    return rc;
}

static void test_every_bit_matters(void **state)
{
    (void)state;
    size_t len;
    uint8_t *data = s_export(&len, -1);
    char why[512] = "";
    if (s_verify(data, len, why, sizeof why) != 0)
        fail_msg("the clean export does not verify: %s", why);
    for (size_t i = 0; i < len; i++)
        for (int bit = 0; bit < 8; bit++) {
            data[i] ^= (uint8_t)(1u << bit);
            int rc = s_verify(data, len, why, sizeof why);
            data[i] ^= (uint8_t)(1u << bit);
            if (rc == 0)
                fail_msg("byte %zu bit %d flipped: the export still verifies", i, bit);
        }
    free(data);
}

static void test_extra_fields_are_refused(void **state)
{
    (void)state;
    char why[512] = "";
    size_t len;
    uint8_t *data = s_export(&len, 2);
    assert_int_equal(s_verify(data, len, why, sizeof why), 2);
    assert_non_null(strstr(why, "more than its index and data"));
    free(data);

    /* The last entry with an unknown field 15 (varint 0) appended; its length grows by 2 (the
     * record's entry field is the last in the record, so its length byte grows too). */
    data = s_export(&len, -1);
    size_t at = AUD_EXPORT_MAGIC_LEN, last = 0;
    while (at < len) {
        last = at;
        at += 4 + ocop_be32_get(data + at);
    }
    uint32_t rlen = ocop_be32_get(data + last);
    uint8_t *grown = malloc(len + 2);
    memcpy(grown, data, len);
    grown[len] = 15 << 3;
    grown[len + 1] = 0;
    ocop_be32_put(grown + last, rlen + 2);
    grown[last + 5] = (uint8_t)(grown[last + 5] + 2); /* the entry's length (tag at last + 4) */
    assert_int_equal(s_verify(grown, len + 2, why, sizeof why), 2);
    assert_non_null(strstr(why, "canonical"));
    free(grown);

    /* An entry's index 0 spelled out (proto3 leaves a default unwritten): same values, other bytes. */
    uint8_t *spelled = malloc(len + 2);
    size_t first = AUD_EXPORT_MAGIC_LEN;
    for (int h = 0; h < 2; h++)
        first += 4 + ocop_be32_get(data + first);
    /* record: [len][0x0a entry-len][entry bytes]; insert 0x08 0x00 (index = 0) before the data */
    memcpy(spelled, data, first + 6);
    spelled[first + 6] = 0x08;
    spelled[first + 7] = 0x00;
    memcpy(spelled + first + 8, data + first + 6, len - first - 6);
    ocop_be32_put(spelled + first, ocop_be32_get(data + first) + 2);
    spelled[first + 5] = (uint8_t)(spelled[first + 5] + 2);
    assert_int_equal(s_verify(spelled, len + 2, why, sizeof why), 2);
    assert_non_null(strstr(why, "canonical"));
    free(spelled);
    free(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_bit_matters),
        cmocka_unit_test(test_extra_fields_are_refused),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
