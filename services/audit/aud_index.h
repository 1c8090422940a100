/* aud_index — what an event is about: the products, councils and provinces it names, so that
 * the log can answer "every event of this product / council / province". */
#ifndef AUD_INDEX_H
#define AUD_INDEX_H

#include "envelope.pb-c.h"

/* The kinds of key an event can be found by. */
#define AUD_KEY_PRODUCT "product"
#define AUD_KEY_COUNCIL "council"
#define AUD_KEY_PROVINCE "province"
#define AUD_KEY_TYPE "type" /* the event's body, e.g. "eval_result_disclosed" */

/* Called once per key of an event; nonzero stops and is returned. */
typedef int (*aud_key_fn)(void *user, const char *kind, const char *value);

/* Calls fn for every (kind, value) event names (empty values skipped). 0 or fn's result. */
int aud_index_keys(const Ocop__Event *event, aud_key_fn fn, void *user);

#endif
