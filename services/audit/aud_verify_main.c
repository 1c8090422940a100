/* ocop-audit-verify — the offline verifier of the audit log.
 *
 *   ocop-audit-verify --key AUDIT.sign.pub --export FILE
 *   ocop-audit-verify --key AUDIT.sign.pub --store DIR     (a copy of the audit store)
 *
 * Recomputes the whole Merkle tree from every entry, checks every entry and every signed head
 * (see aud_verify.h) and says what it found. Exit 0: verified; 1: a problem (named); 2: usage,
 * unreadable or malformed input. It needs no service and no network. */
#include <lmdb.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aud_export.h"
#include "aud_sign.h"
#include "aud_verify.h"
#include "audit.pb-c.h"
#include "ocop_store.h"
#include "ocop_stored.h"

static void s_usage(FILE *out)
{
    fprintf(out, "usage: ocop-audit-verify --key AUDIT.sign.pub (--export FILE | --store DIR)\n"
                 "  Recomputes the audit log's Merkle tree from every entry, checks every entry and every\n"
                 "  signed head against the audit service's public key. Exit 0 verified, 1 a problem was\n"
                 "  found (printed), 2 usage or unreadable/malformed input.\n");
}

/* ---------------------------------------------------------------- export files */

static int s_head(aud_verifier_t *v, const Ocop__AudSignedTreeHead *h)
{
    return aud_verifier_head(v, h->tree_size, h->root_hash.data, h->root_hash.len, h->timestamp_ms, h->signature.data,
                             h->signature.len, h->key_id);
}

static int s_read_export(aud_verifier_t *v, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "ocop-audit-verify: cannot open %s\n", path);
        return 2;
    }
    char err[256];
    int rc = aud_export_read(v, f, err, sizeof err);
    if (rc == 2)
        fprintf(stderr, "ocop-audit-verify: %s: %s\n", path, err);
    fclose(f);
    return rc;
}

/* ---------------------------------------------------------------- store copies */

static int s_read_store(aud_verifier_t *v, const char *dir)
{
    MDB_env *env;
    MDB_txn *txn = NULL;
    MDB_dbi heads, entries;
    int rc = mdb_env_create(&env);
    if (rc == 0)
        rc = mdb_env_set_maxdbs(env, 32);
    if (rc == 0)
        rc = mdb_env_open(env, dir, MDB_RDONLY | MDB_NOTLS | MDB_NOLOCK, 0);
    if (rc == 0)
        rc = mdb_txn_begin(env, NULL, MDB_RDONLY, &txn);
    if (rc == 0)
        rc = mdb_dbi_open(txn, "heads", 0, &heads);
    if (rc == 0)
        rc = mdb_dbi_open(txn, "entries", 0, &entries);
    if (rc != 0) {
        fprintf(stderr, "ocop-audit-verify: %s: not a readable audit store: %s\n", dir, mdb_strerror(rc));
        if (txn)
            mdb_txn_abort(txn);
        mdb_env_close(env);
        return 2;
    }
    int out = 0;
    MDB_cursor *cur;
    MDB_val k, val;
    mdb_cursor_open(txn, heads, &cur);
    for (rc = mdb_cursor_get(cur, &k, &val, MDB_FIRST); rc == 0 && out == 0;
         rc = mdb_cursor_get(cur, &k, &val, MDB_NEXT)) {
        Ocop__AudSignedTreeHead *h = ocop__aud_signed_tree_head__unpack(NULL, val.mv_size, val.mv_data);
        if (!h) {
            fprintf(stderr, "ocop-audit-verify: %s: a stored head does not parse\n", dir);
            out = 2;
            break;
        }
        out = s_head(v, h) == 0 ? 0 : 1;
        ocop__aud_signed_tree_head__free_unpacked(h, NULL);
    }
    mdb_cursor_close(cur);
    mdb_cursor_open(txn, entries, &cur);
    ocop_arena_t *arena = ocop_arena_new(64 * 1024);
    if (!arena) {
        fprintf(stderr, "ocop-audit-verify: out of memory\n");
        out = 2;
    }
    for (rc = mdb_cursor_get(cur, &k, &val, MDB_FIRST); rc == 0 && out == 0;
         rc = mdb_cursor_get(cur, &k, &val, MDB_NEXT)) {
        const void *event;
        size_t len;
        if (k.mv_size != 8) {
            fprintf(stderr, "ocop-audit-verify: %s: an entry key is not an index\n", dir);
            out = 2;
            break;
        }
        ocop_arena_reset(arena);
        if (ocop_stored_open(arena, val.mv_data, val.mv_size, &event, &len) != 0) {
            fprintf(stderr,
                    "ocop-audit-verify: %s: entry %llu cannot be read back (a compressed entry that does not "
                    "decompress)\n",
                    dir, (unsigned long long)ocop_be64_get(k.mv_data));
            out = 2;
            break;
        }
        out = aud_verifier_entry(v, ocop_be64_get(k.mv_data), event, len) == 0 ? 0 : 1;
    }
    ocop_arena_destroy(&arena);
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);
    mdb_env_close(env);
    return out;
}

int main(int argc, char **argv)
{
    const char *key = NULL, *export_path = NULL, *store = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--key") == 0 && i + 1 < argc)
            key = argv[++i];
        else if (strcmp(argv[i], "--export") == 0 && i + 1 < argc)
            export_path = argv[++i];
        else if (strcmp(argv[i], "--store") == 0 && i + 1 < argc)
            store = argv[++i];
        else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            s_usage(stdout);
            return 0;
        } else {
            s_usage(stderr);
            return 2;
        }
    }
    if (!key || !export_path == !store) {
        s_usage(stderr);
        return 2;
    }
    if (sodium_init() < 0)
        return 2;
    uint8_t pk[crypto_sign_PUBLICKEYBYTES];
    char err[512];
    if (aud_public_key_read(key, pk, err, sizeof err) != 0) {
        fprintf(stderr, "ocop-audit-verify: %s\n", err);
        return 2;
    }
    aud_verifier_t *v = aud_verifier_new(pk);
    if (!v)
        return 2;
    int rc = export_path ? s_read_export(v, export_path) : s_read_store(v, store);
    if (rc == 0 && aud_verifier_finish(v) != 0)
        rc = 1;
    if (rc == 1) {
        printf("FAILED: %s\n", aud_verifier_problem(v));
    } else if (rc == 0) {
        aud_hash_t root;
        char hex[2 * AUD_HASH_LEN + 1];
        aud_verifier_root(v, &root);
        sodium_bin2hex(hex, sizeof hex, root.h, sizeof root.h);
        printf("verified: %llu entries from %zu sources, %llu signed heads; root %s\n",
               (unsigned long long)aud_verifier_entries(v), aud_verifier_sources(v),
               (unsigned long long)aud_verifier_heads(v), hex);
    }
    aud_verifier_destroy(&v);
    return rc;
}
