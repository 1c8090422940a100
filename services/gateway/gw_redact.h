/* gw_redact — what the public audit routes show of a log entry. Anyone may read the log and
 * check its proofs, but the law makes public the ratings, decisions and certificates, not a
 * producer's tax code, phone and representative, a council member's name or the account of the
 * officer who acted. Every entry a reply carries gets its leaf hash; for a caller who may not
 * read all of it, an entry holding private fields loses its data and carries instead the Event
 * with those fields cleared and the list of what was withheld. The leaf hash still proves the
 * entry's place in the signed tree. */
#ifndef GW_REDACT_H
#define GW_REDACT_H

#include <stdbool.h>

#include "ocop_api.h"
#include "ocop_arena.h"
#include "envelope.pb-c.h"

/* Whether role reads audit entries whole (auditors and the ministry's officers). */
bool gw_redact_reads_all(ocop_role_t role);

/* What to render of body: an AudEntryPage or AudInclusionProof comes back as a copy (memory
 * from arena; body is not touched) whose every entry carries its leaf hash and, unless role
 * reads all, withholds private fields as above; any other body comes back as it is. NULL when
 * an entry cannot be read as an Event (nothing of it may then be shown). */
const ProtobufCMessage *gw_redact_entries(const ProtobufCMessage *body, ocop_role_t role, ocop_arena_t *arena);

#endif
