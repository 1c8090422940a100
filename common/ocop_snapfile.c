/* ocop_snapfile — see ocop_snapfile.h. */
#include "ocop_snapfile.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ocop_error.h"

struct ocop_snapfile_t {
    FILE *f;
    crypto_generichash_state hash;
    int failed;
    char path[4096], tmp[4100];
};

static ocop_snapfile_t *s_new(const char *path, char *err, size_t errlen)
{
    ocop_snapfile_t *self = calloc(1, sizeof *self);
    if (!self || strlen(path) >= sizeof self->path) {
        ocop_error_format(err, errlen, "%s: %s", path, self ? "path too long" : "out of memory");
        free(self);
        return NULL;
    }
    snprintf(self->path, sizeof self->path, "%s", path);
    snprintf(self->tmp, sizeof self->tmp, "%s.tmp", path);
    crypto_generichash_init(&self->hash, NULL, 0, crypto_generichash_BYTES);
    return self;
}

ocop_snapfile_t *ocop_snapfile_create(const char *path, const char magic[OCOP_SNAPFILE_MAGIC_LEN], char *err,
                                      size_t errlen)
{
    ocop_snapfile_t *self = s_new(path, err, errlen);
    if (self && !(self->f = fopen(self->tmp, "wb"))) {
        ocop_error_format(err, errlen, "%s: %s", self->tmp, strerror(errno));
        free(self);
        return NULL;
    }
    if (self)
        ocop_snapfile_write(self, magic, OCOP_SNAPFILE_MAGIC_LEN);
    return self;
}

int ocop_snapfile_write(void *user, const void *data, size_t len)
{
    ocop_snapfile_t *self = user;
    crypto_generichash_update(&self->hash, data, len);
    if (!self->failed && fwrite(data, 1, len, self->f) != len)
        self->failed = errno ? errno : EIO;
    return self->failed ? -1 : 0;
}

int ocop_snapfile_close(ocop_snapfile_t **self_p, int ok, char *err, size_t errlen)
{
    ocop_snapfile_t *self = *self_p;
    *self_p = NULL;
    uint8_t digest[crypto_generichash_BYTES];
    crypto_generichash_final(&self->hash, digest, sizeof digest);
    if (ok && !self->failed &&
        (fwrite(digest, 1, sizeof digest, self->f) != sizeof digest || fflush(self->f) != 0 ||
         fsync(fileno(self->f)) != 0))
        self->failed = errno ? errno : EIO;
    if (fclose(self->f) != 0 && !self->failed)
        self->failed = errno ? errno : EIO;
    if (ok && !self->failed && rename(self->tmp, self->path) != 0)
        self->failed = errno;
    int rc = ok && !self->failed ? 0 : -1;
    if (rc != 0) {
        ocop_error_format(err, errlen, "%s: %s", self->tmp,
                          self->failed ? strerror(self->failed) : "its owner stopped writing it");
        unlink(self->tmp);
    }
    free(self);
    return rc;
}

ocop_snapfile_t *ocop_snapfile_open(const char *path, const char magic[OCOP_SNAPFILE_MAGIC_LEN], char *err,
                                    size_t errlen)
{
    ocop_snapfile_t *self = s_new(path, err, errlen);
    if (self && !(self->f = fopen(path, "rb"))) {
        ocop_error_format(err, errlen, "%s: %s", path, strerror(errno));
        free(self);
        return NULL;
    }
    char got[OCOP_SNAPFILE_MAGIC_LEN];
    if (self && (ocop_snapfile_read(self, got, sizeof got) != 0 || memcmp(got, magic, sizeof got) != 0)) {
        ocop_error_format(err, errlen, "%s: not a file of this kind", path);
        ocop_snapfile_drop(&self);
    }
    return self;
}

int ocop_snapfile_read(void *user, void *data, size_t len)
{
    ocop_snapfile_t *self = user;
    if (fread(data, 1, len, self->f) != len)
        return 1;
    crypto_generichash_update(&self->hash, data, len);
    return 0;
}

int ocop_snapfile_finish(ocop_snapfile_t **self_p)
{
    ocop_snapfile_t *self = *self_p;
    uint8_t digest[crypto_generichash_BYTES], stored[sizeof digest];
    crypto_generichash_final(&self->hash, digest, sizeof digest);
    int rc = fread(stored, 1, sizeof stored, self->f) == sizeof stored &&
                     sodium_memcmp(stored, digest, sizeof digest) == 0 && fgetc(self->f) == EOF
                 ? 0
                 : 1;
    ocop_snapfile_drop(self_p);
    return rc;
}

void ocop_snapfile_drop(ocop_snapfile_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    fclose((*self_p)->f);
    free(*self_p);
    *self_p = NULL;
}
