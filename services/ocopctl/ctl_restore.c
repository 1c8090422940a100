/* ctl_restore — `ocopctl restore DIR`: a backup (ctl_backup.h) put into a deployment whose
 * services are stopped and whose stores are empty. Everything is checked before anything is
 * written: the manifest, every file's digest, every store's place in the current config, and the
 * keys and tokens already there. */
#include "ctl_backup.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "ctl.h"
#include "ocop_config.h"

#define S_MANIFEST_MAX (16u << 20)
#define S_ITEMS_MAX 1024

typedef struct {
    char src[OCOP_PATH_MAX], dst[OCOP_PATH_MAX];
    char store_dir[OCOP_PATH_MAX]; /* a store: its directory, made before the copy */
    char hex[2 * OCOP_FS_DIGEST_LEN + 1];
    unsigned mode;
    int present; /* dst holds these very bytes already: nothing to write */
    int give;    /* handed to --owner */
} s_item_t;

typedef struct {
    const char *dir;
    int replace_keys;
    struct passwd *owner;
    const ocop_config_t *config;
    s_item_t items[S_ITEMS_MAX];
    size_t n;
    char err[1024];
} s_restore_t;

static cJSON *s_read_manifest(s_restore_t *r)
{
    char path[OCOP_PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", r->dir, CTL_BACKUP_MANIFEST);
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(r->err, sizeof r->err, "%s: %s (not a finished backup)", path, strerror(errno));
        return NULL;
    }
    char *text = malloc(S_MANIFEST_MAX + 1);
    size_t len = text ? fread(text, 1, S_MANIFEST_MAX + 1, f) : 0;
    fclose(f);
    cJSON *root = NULL;
    if (text && len <= S_MANIFEST_MAX) {
        text[len] = '\0';
        root = cJSON_Parse(text);
    }
    free(text);
    const cJSON *format = root ? cJSON_GetObjectItemCaseSensitive(root, "format") : NULL;
    if (!cJSON_IsString(format) || strcmp(format->valuestring, CTL_BACKUP_FORMAT) != 0) {
        snprintf(r->err, sizeof r->err, "%s: not a manifest of format %s", path, CTL_BACKUP_FORMAT);
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}

static const char *s_string(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Adds an item for backup file rel going to dst; checks what dst holds now. */
static int s_item(s_restore_t *r, const char *rel, const char *dst, const char *hex, unsigned mode,
                  int is_secret_of_ctl, int may_exist)
{
    if (r->n == S_ITEMS_MAX || !hex || strlen(hex) != 2 * OCOP_FS_DIGEST_LEN) {
        snprintf(r->err, sizeof r->err, "%s: %s", rel, r->n == S_ITEMS_MAX ? "too many files" : "no digest");
        return -1;
    }
    s_item_t *it = &r->items[r->n];
    memset(it, 0, sizeof *it);
    snprintf(it->src, sizeof it->src, "%s/%s", r->dir, rel);
    snprintf(it->dst, sizeof it->dst, "%s", dst);
    snprintf(it->hex, sizeof it->hex, "%s", hex);
    it->mode = mode;
    it->give = !is_secret_of_ctl;
    if (access(dst, F_OK) == 0) {
        unsigned char digest[OCOP_FS_DIGEST_LEN];
        char now[2 * OCOP_FS_DIGEST_LEN + 1];
        if (ocop_fs_digest_file(dst, digest, r->err, sizeof r->err) != 0)
            return -1;
        ctl_backup_hex(digest, now);
        it->present = strcmp(now, hex) == 0;
        if (!may_exist) {
            snprintf(r->err, sizeof r->err, "%s exists: a restore goes into a deployment whose stores are empty", dst);
            return -1;
        }
        if (!it->present && !r->replace_keys) {
            snprintf(r->err, sizeof r->err, "%s differs from the backup's (--replace-keys replaces it)", dst);
            return -1;
        }
    }
    r->n++;
    return 0;
}

static int s_plan_stores(s_restore_t *r, const cJSON *stores)
{
    const cJSON *s;
    cJSON_ArrayForEach (s, stores) {
        const char *service = s_string(s, "service"), *file = s_string(s, "file");
        char expected[OCOP_PATH_MAX], dst[OCOP_PATH_MAX + 16];
        ocop_service_config_t sc;
        if (!service || !file || !ocop_fs_name_valid(service)) {
            snprintf(r->err, sizeof r->err, "manifest: a store without a valid service or file");
            return -1;
        }
        snprintf(expected, sizeof expected, "stores/%s/data.mdb", service);
        if (strcmp(file, expected) != 0) {
            snprintf(r->err, sizeof r->err, "manifest: store %s is in %s, not %s", service, file, expected);
            return -1;
        }
        if (ocop_config_service(r->config, service, &sc, r->err, sizeof r->err) != 0)
            return -1;
        snprintf(dst, sizeof dst, "%s/data.mdb", sc.store_dir);
        if (s_item(r, file, dst, s_string(s, "blake2b"), 0600, 0, 0) != 0)
            return -1;
        snprintf(r->items[r->n - 1].store_dir, OCOP_PATH_MAX, "%s", sc.store_dir);
    }
    return 0;
}

static int s_plan_files(s_restore_t *r, const cJSON *files)
{
    const cJSON *f;
    cJSON_ArrayForEach (f, files) {
        const char *file = s_string(f, "file");
        const cJSON *mode = cJSON_GetObjectItemCaseSensitive(f, "mode");
        char dst[OCOP_PATH_MAX + 64];
        if (!file || !cJSON_IsNumber(mode) || mode->valuedouble < 0 || mode->valuedouble > 0777) {
            snprintf(r->err, sizeof r->err, "manifest: a file without a valid name or mode");
            return -1;
        }
        if (strcmp(file, "ocop.json") == 0)
            continue; /* the current config governs; the backup's is kept for reference */
        if (strcmp(file, "tokens.json") == 0) {
            ocop_gateway_config_t gc;
            if (!ocop_config_has_gateway(r->config)) {
                printf("  tokens.json not restored: the config has no gateway\n");
                continue;
            }
            if (ocop_config_gateway(r->config, &gc, r->err, sizeof r->err) != 0)
                return -1;
            snprintf(dst, sizeof dst, "%s", gc.tokens);
        } else if (strncmp(file, "keys/", 5) == 0 && ocop_fs_name_valid(file + 5)) {
            snprintf(dst, sizeof dst, "%s/%s", ocop_config_keys_dir(r->config), file + 5);
        } else {
            snprintf(r->err, sizeof r->err, "manifest: %s is not a file a backup holds", file);
            return -1;
        }
        /* ocopctl's own key stays its owner's (root's), whoever the services run as. */
        int ctl_secret = strcmp(file, "keys/ocopctl.key") == 0;
        if (s_item(r, file, dst, s_string(f, "blake2b"), (unsigned)mode->valuedouble, ctl_secret, 1) != 0)
            return -1;
    }
    return 0;
}

/* Every file of the backup has the digest its manifest gives. */
static int s_verify(s_restore_t *r)
{
    for (size_t i = 0; i < r->n; i++) {
        unsigned char digest[OCOP_FS_DIGEST_LEN];
        char hex[2 * OCOP_FS_DIGEST_LEN + 1];
        if (ocop_fs_digest_file(r->items[i].src, digest, r->err, sizeof r->err) != 0)
            return -1;
        ctl_backup_hex(digest, hex);
        if (strcmp(hex, r->items[i].hex) != 0) {
            snprintf(r->err, sizeof r->err, "%s: its bytes are not those the manifest names (damaged backup)",
                     r->items[i].src);
            return -1;
        }
    }
    return 0;
}

static int s_give(s_restore_t *r, const char *path)
{
    if (!r->owner || chown(path, r->owner->pw_uid, r->owner->pw_gid) == 0)
        return 0;
    snprintf(r->err, sizeof r->err, "%s: chown to %s: %s", path, r->owner->pw_name, strerror(errno));
    return -1;
}

static int s_write(s_restore_t *r)
{
    for (size_t i = 0; i < r->n; i++) {
        s_item_t *it = &r->items[i];
        if (it->present)
            continue;
        if (*it->store_dir && (ocop_fs_mkdirs(it->store_dir) != 0 || (it->give && s_give(r, it->store_dir) != 0))) {
            if (!r->err[0])
                snprintf(r->err, sizeof r->err, "%s: %s", it->store_dir, strerror(errno));
            return -1;
        }
        /* The directory a key or the tokens go into may be missing too (an empty deployment). */
        char dir[OCOP_PATH_MAX];
        snprintf(dir, sizeof dir, "%s", it->dst);
        char *slash = strrchr(dir, '/');
        if (!*it->store_dir && slash && slash != dir) {
            *slash = '\0';
            int made = access(dir, F_OK) != 0;
            if (ocop_fs_mkdirs(dir) != 0) {
                snprintf(r->err, sizeof r->err, "%s: %s", dir, strerror(errno));
                return -1;
            }
            /* A keys directory made here must let the services' account in (--owner). */
            if (made && s_give(r, dir) != 0)
                return -1;
        }
        unsigned char digest[OCOP_FS_DIGEST_LEN];
        char hex[2 * OCOP_FS_DIGEST_LEN + 1];
        if (ocop_fs_copy_file(it->src, it->dst, it->mode, digest, r->err, sizeof r->err) != 0)
            return -1;
        ctl_backup_hex(digest, hex);
        if (strcmp(hex, it->hex) != 0) {
            snprintf(r->err, sizeof r->err, "%s: changed while it was restored", it->src);
            return -1;
        }
        if (it->give && s_give(r, it->dst) != 0)
            return -1;
        printf("  %s\n", it->dst);
    }
    return 0;
}

static int s_usage(void)
{
    fprintf(stderr, "usage: ocopctl restore DIR [--replace-keys] [--owner USER]\n"
                    "  puts the backup in DIR into the deployment of the config: each store into its service's\n"
                    "  store directory, which must hold no store (stop the services first), the keys into the\n"
                    "  keys directory and the tokens into the gateway's file. A key or tokens file that differs\n"
                    "  from the backup's is refused unless --replace-keys. --owner gives the stores, the\n"
                    "  services' keys and the tokens to USER (the account the services run as).\n");
    return CTL_EXIT_USAGE;
}

int ctl_cmd_restore(ctl_t *ctl, int argc, char **argv)
{
    s_restore_t *r = calloc(1, sizeof *r);
    if (!r)
        return CTL_EXIT_FAILED;
    int rc = CTL_EXIT_OK;
    for (int i = 1; i < argc && rc == CTL_EXIT_OK; i++) {
        if (strcmp(argv[i], "--replace-keys") == 0)
            r->replace_keys = 1;
        else if (strcmp(argv[i], "--owner") == 0 && i + 1 < argc) {
            if (!(r->owner = getpwnam(argv[++i]))) {
                fprintf(stderr, "ocopctl restore: no account %s\n", argv[i]);
                rc = CTL_EXIT_USAGE;
            }
        } else if (argv[i][0] != '-' && !r->dir)
            r->dir = argv[i];
        else
            rc = s_usage();
    }
    if (rc == CTL_EXIT_OK && !r->dir)
        rc = s_usage();
    ocop_config_t *config = NULL;
    cJSON *manifest = NULL;
    if (rc == CTL_EXIT_OK) {
        rc = CTL_EXIT_FAILED;
        if ((config = ocop_config_load(ctl->config_path, r->err, sizeof r->err)) && (manifest = s_read_manifest(r))) {
            r->config = config;
            printf("restore of %s (taken %s) into %s\n", r->dir, s_string(manifest, "created"), ctl->config_path);
            if (s_plan_stores(r, cJSON_GetObjectItemCaseSensitive(manifest, "stores")) == 0 &&
                s_plan_files(r, cJSON_GetObjectItemCaseSensitive(manifest, "files")) == 0 && s_verify(r) == 0 &&
                s_write(r) == 0)
                rc = CTL_EXIT_OK;
        }
        if (rc == CTL_EXIT_OK)
            printf("done: %zu files checked, the services can start\n", r->n);
        else
            fprintf(stderr, "ocopctl restore: %s\n", r->err);
    }
    cJSON_Delete(manifest);
    ocop_config_destroy(&config);
    free(r);
    return rc;
}
