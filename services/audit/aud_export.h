/* aud_export — reading an audit export ("ocopctl audit export") into the verifier.
 *
 * The file is the 20 bytes "OCOP-AUDIT-EXPORT-1\n", then records, each be32(length) || a packed
 * AudExportRecord (every signed head first, then every entry by index). Every byte must matter:
 * a record must be exactly the bytes its fields pack to (no unknown or repeated fields, no
 * default values spelled out, no overlong varints), an entry carries only its index and data
 * (the gateway's leaf hash and public form never belong in an export), and a head names the
 * key it is verified with. */
#ifndef AUD_EXPORT_H
#define AUD_EXPORT_H

#include <stdio.h>

#include "aud_verify.h"

#define AUD_EXPORT_MAGIC "OCOP-AUDIT-EXPORT-1\n"
#define AUD_EXPORT_MAGIC_LEN 20

/* Feeds every record of f to v. 0 when all were taken; 1 when the verifier found a problem
 * (aud_verifier_problem); 2 when the file is not a well-formed export (err says where). */
int aud_export_read(aud_verifier_t *v, FILE *f, char *err, size_t errlen);

#endif
