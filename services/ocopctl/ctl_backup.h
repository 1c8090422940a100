/* ctl_backup — the layout of a backup directory, shared by `ocopctl backup` (ctl_backup.c) and
 * `ocopctl restore` (ctl_restore.c):
 *
 *   DIR/stores/NAME/data.mdb   each service's store, a compacted consistent copy
 *   DIR/keys/NAME              the keys directory (CURVE pairs, the audit signing pair), modes kept
 *   DIR/ocop.json              the config the backup was taken with (for reference)
 *   DIR/tokens.json            the gateway's users, when the config has a gateway
 *   DIR/MANIFEST.json          written last: {"format": "ocop-backup-1", "created": UTC time,
 *                              "stores": [{"service", "file", "bytes", "blake2b"}] in the order
 *                              they were copied, "files": [{"file", "mode", "blake2b"}]}
 *
 * A directory without MANIFEST.json is not a backup (the copy did not finish). */
#ifndef CTL_BACKUP_H
#define CTL_BACKUP_H

#include <stddef.h>

#include "ocop_fs.h"

#define CTL_BACKUP_FORMAT "ocop-backup-1"
#define CTL_BACKUP_MANIFEST "MANIFEST.json"

/* digest as lowercase hex (2 * OCOP_FS_DIGEST_LEN + 1 bytes). */
void ctl_backup_hex(const unsigned char digest[OCOP_FS_DIGEST_LEN], char hex[2 * OCOP_FS_DIGEST_LEN + 1]);

#endif
