/* ocop_store_copy — a service's store copied while it runs (see ocop_store.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ocop_config.h"
#include "ocop_error.h"
#include "ocop_fs.h"
#include "ocop_store.h"

int ocop_store_copy(const char *src_dir, const char *dst_dir, char *err, size_t errlen)
{
    char src_file[OCOP_PATH_MAX], dst_file[OCOP_PATH_MAX];
    if (snprintf(src_file, sizeof src_file, "%s/data.mdb", src_dir) >= (int)sizeof src_file ||
        snprintf(dst_file, sizeof dst_file, "%s/data.mdb", dst_dir) >= (int)sizeof dst_file) {
        ocop_error_format(err, errlen, "%s: path is too long", dst_dir);
        return -1;
    }
    if (access(src_file, R_OK) != 0) {
        ocop_error_format(err, errlen, "%s: %s", src_file, strerror(errno));
        return -1;
    }
    if (access(dst_file, F_OK) == 0) {
        ocop_error_format(err, errlen, "%s: exists already", dst_file);
        return -1;
    }
    if (ocop_fs_mkdirs(dst_dir) != 0) {
        ocop_error_format(err, errlen, "%s: %s", dst_dir, strerror(errno));
        return -1;
    }
    MDB_env *env = NULL;
    int rc = mdb_env_create(&env);
    /* Read-only: the copy never writes to the store, only registers as a reader in its lock file. */
    if (rc == 0)
        rc = mdb_env_open(env, src_dir, MDB_RDONLY | MDB_NOTLS, 0600);
    if (rc == 0)
        rc = mdb_env_copy2(env, dst_dir, MDB_CP_COMPACT);
    if (env)
        mdb_env_close(env);
    if (rc != 0) {
        ocop_error_format(err, errlen, "%s: copying to %s: %s", src_dir, dst_dir, mdb_strerror(rc));
        unlink(dst_file);
        return -1;
    }
    return 0;
}
