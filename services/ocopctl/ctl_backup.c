/* ctl_backup — `ocopctl backup DIR`: every store of the config that lives on this host, the keys
 * and the gateway's tokens, copied while the services run (layout in ctl_backup.h). */
#include "ctl_backup.h"

#include <dirent.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "ctl.h"
#include "ocop_config.h"
#include "ocop_fs.h"
#include "ocop_keys.h"
#include "ocop_store.h"

#define S_SERVICES_MAX 256

void ctl_backup_hex(const unsigned char digest[OCOP_FS_DIGEST_LEN], char hex[2 * OCOP_FS_DIGEST_LEN + 1])
{
    sodium_bin2hex(hex, 2 * OCOP_FS_DIGEST_LEN + 1, digest, OCOP_FS_DIGEST_LEN);
}

typedef struct {
    const char *dir;
    cJSON *stores, *files;
    char err[1024];
} s_backup_t;

/* 1 when service `follower` takes events from service `source`: a source named in its config
 * section, and registration for every evaluation shard (which follows its products). */
static int s_follows(const ocop_service_config_t *follower, const char *source)
{
    for (size_t i = 0; i < follower->source_count; i++)
        if (strcmp(follower->sources[i], source) == 0)
            return 1;
    return follower->shard && strncmp(follower->name, "evaluation-", 11) == 0 && strcmp(source, "registration") == 0;
}

/* Followers before the services they follow: a follower's copy then never holds a cursor beyond
 * its source's copy, so after a restore it takes the events since from the source again. Writes
 * the indexes of sc in copy order into order. -1 on a cycle. */
static int s_copy_order(const ocop_service_config_t *sc, size_t n, size_t *order)
{
    char done[S_SERVICES_MAX] = {0};
    for (size_t placed = 0; placed < n;) {
        size_t before = placed;
        for (size_t i = 0; i < n; i++) {
            int ready = !done[i];
            for (size_t j = 0; ready && j < n; j++)
                ready = done[j] || j == i || !s_follows(&sc[j], sc[i].name);
            if (ready) {
                done[i] = 1;
                order[placed++] = i;
            }
        }
        if (placed == before)
            return -1;
    }
    return 0;
}

static int s_add_file(s_backup_t *b, const char *src, const char *rel, unsigned mode)
{
    char dst[OCOP_PATH_MAX];
    unsigned char digest[OCOP_FS_DIGEST_LEN];
    char hex[2 * OCOP_FS_DIGEST_LEN + 1];
    if (snprintf(dst, sizeof dst, "%s/%s", b->dir, rel) >= (int)sizeof dst) {
        snprintf(b->err, sizeof b->err, "%s/%s: path is too long", b->dir, rel);
        return -1;
    }
    if (ocop_fs_copy_file(src, dst, mode, digest, b->err, sizeof b->err) != 0)
        return -1;
    ctl_backup_hex(digest, hex);
    cJSON *f = cJSON_CreateObject();
    cJSON_AddStringToObject(f, "file", rel);
    cJSON_AddNumberToObject(f, "mode", mode);
    cJSON_AddStringToObject(f, "blake2b", hex);
    cJSON_AddItemToArray(b->files, f);
    return 0;
}

static int s_add_store(s_backup_t *b, const ocop_service_config_t *sc)
{
    char src[OCOP_PATH_MAX], dst_dir[OCOP_PATH_MAX], rel[OCOP_PATH_MAX], dst[OCOP_PATH_MAX + 16];
    snprintf(src, sizeof src, "%s/data.mdb", sc->store_dir);
    if (access(src, F_OK) != 0) {
        printf("  %-16s no store on this host (%s)\n", sc->name, sc->store_dir);
        return 0;
    }
    snprintf(rel, sizeof rel, "stores/%s/data.mdb", sc->name);
    snprintf(dst_dir, sizeof dst_dir, "%s/stores/%s", b->dir, sc->name);
    snprintf(dst, sizeof dst, "%s/data.mdb", dst_dir);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    unsigned char digest[OCOP_FS_DIGEST_LEN];
    struct stat st;
    if (ocop_store_copy(sc->store_dir, dst_dir, b->err, sizeof b->err) != 0 ||
        ocop_fs_digest_file(dst, digest, b->err, sizeof b->err) != 0)
        return -1;
    if (stat(dst, &st) != 0) {
        snprintf(b->err, sizeof b->err, "%s: %s", dst, strerror(errno));
        return -1;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    char hex[2 * OCOP_FS_DIGEST_LEN + 1];
    ctl_backup_hex(digest, hex);
    cJSON *s = cJSON_CreateObject();
    cJSON_AddStringToObject(s, "service", sc->name);
    cJSON_AddStringToObject(s, "file", rel);
    cJSON_AddNumberToObject(s, "bytes", (double)st.st_size);
    cJSON_AddStringToObject(s, "blake2b", hex);
    cJSON_AddItemToArray(b->stores, s);
    printf("  %-16s %.1f MiB in %.2f s\n", sc->name, (double)st.st_size / (1024.0 * 1024.0),
           (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    return 0;
}

/* Every regular file of the keys directory, with its mode. */
static int s_add_keys(s_backup_t *b, const char *keys_dir)
{
    char dst[OCOP_PATH_MAX];
    snprintf(dst, sizeof dst, "%s/keys", b->dir);
    if (ocop_fs_mkdirs(dst) != 0) {
        snprintf(b->err, sizeof b->err, "%s: %s", dst, strerror(errno));
        return -1;
    }
    DIR *d = opendir(keys_dir);
    if (!d) {
        snprintf(b->err, sizeof b->err, "%s: %s", keys_dir, strerror(errno));
        return -1;
    }
    int rc = 0, count = 0;
    for (struct dirent *e; rc == 0 && (e = readdir(d));) {
        char src[OCOP_PATH_MAX], rel[OCOP_PATH_MAX];
        struct stat st;
        if (!ocop_fs_name_valid(e->d_name) ||
            snprintf(src, sizeof src, "%s/%s", keys_dir, e->d_name) >= (int)sizeof src || lstat(src, &st) != 0 ||
            !S_ISREG(st.st_mode))
            continue;
        snprintf(rel, sizeof rel, "keys/%s", e->d_name);
        rc = s_add_file(b, src, rel, st.st_mode & 0777);
        count++;
    }
    closedir(d);
    if (rc == 0)
        printf("  %-16s %d files\n", "keys", count);
    return rc;
}

static int s_write_manifest(s_backup_t *b)
{
    char when[32], path[OCOP_PATH_MAX];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "format", CTL_BACKUP_FORMAT);
    cJSON_AddStringToObject(root, "created", when);
    cJSON_AddItemToObject(root, "stores", b->stores);
    cJSON_AddItemToObject(root, "files", b->files);
    b->stores = b->files = NULL;
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    snprintf(path, sizeof path, "%s/%s", b->dir, CTL_BACKUP_MANIFEST);
    int rc = text && ocop_fs_write_file(path, text, 0600) == 0 ? 0 : -1;
    if (rc != 0)
        snprintf(b->err, sizeof b->err, "%s: cannot write: %s", path, strerror(errno));
    free(text);
    return rc;
}

/* DIR must be new or empty: a backup never mixes with another. */
static int s_prepare_dir(const char *dir, char *err, size_t errlen)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) && (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0))
            ;
        closedir(d);
        if (e) {
            snprintf(err, errlen, "%s: not empty (a backup goes into a new directory)", dir);
            return -1;
        }
        return 0;
    }
    if (ocop_fs_mkdirs(dir) != 0) {
        snprintf(err, errlen, "%s: %s", dir, strerror(errno));
        return -1;
    }
    return 0;
}

static int s_backup(s_backup_t *b, const ocop_config_t *config, const char *config_path)
{
    static char names[S_SERVICES_MAX][OCOP_NAME_MAX];
    static ocop_service_config_t sc[S_SERVICES_MAX];
    size_t order[S_SERVICES_MAX];
    size_t n = ocop_config_service_names(config, names, S_SERVICES_MAX);
    if (n > S_SERVICES_MAX) {
        snprintf(b->err, sizeof b->err, "%s: more than %d services", config_path, S_SERVICES_MAX);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        if (ocop_config_service(config, names[i], &sc[i], b->err, sizeof b->err) != 0)
            return -1;
    if (s_copy_order(sc, n, order) != 0) {
        snprintf(b->err, sizeof b->err, "%s: services follow each other in a cycle", config_path);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        if (s_add_store(b, &sc[order[i]]) != 0)
            return -1;
    if (s_add_keys(b, ocop_config_keys_dir(config)) != 0 || s_add_file(b, config_path, "ocop.json", 0600) != 0)
        return -1;
    if (ocop_config_has_gateway(config)) {
        ocop_gateway_config_t gc;
        if (ocop_config_gateway(config, &gc, b->err, sizeof b->err) != 0 ||
            (access(gc.tokens, F_OK) == 0 && s_add_file(b, gc.tokens, "tokens.json", 0600) != 0))
            return -1;
    }
    return s_write_manifest(b);
}

int ctl_cmd_backup(ctl_t *ctl, int argc, char **argv)
{
    if (argc != 2 || argv[1][0] == '-') {
        fprintf(stderr, "usage: ocopctl backup DIR\n"
                        "  copies every store of the config found on this host (services may run), the keys,\n"
                        "  the config and the gateway's tokens into the new or empty directory DIR\n");
        return CTL_EXIT_USAGE;
    }
    s_backup_t b = {.dir = argv[1], .stores = cJSON_CreateArray(), .files = cJSON_CreateArray()};
    ocop_config_t *config = ocop_config_load(ctl->config_path, b.err, sizeof b.err);
    int rc = config && s_prepare_dir(b.dir, b.err, sizeof b.err) == 0 ? CTL_EXIT_OK : CTL_EXIT_FAILED;
    if (rc == CTL_EXIT_OK) {
        printf("backup of %s into %s\n", ctl->config_path, b.dir);
        if (s_backup(&b, config, ctl->config_path) != 0)
            rc = CTL_EXIT_FAILED;
    }
    if (rc == CTL_EXIT_OK)
        printf("done: %s/%s\n", b.dir, CTL_BACKUP_MANIFEST);
    else
        fprintf(stderr, "ocopctl backup: %s\n", b.err);
    cJSON_Delete(b.stores);
    cJSON_Delete(b.files);
    ocop_config_destroy(&config);
    return rc;
}
