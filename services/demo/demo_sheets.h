/* demo_sheets — the demo councils' sheets: each product's form asked of its shard
 * (EvalFormGet, once per product set), and a member's choices on it that total close to a
 * target while meeting the star minimums of the band the target is in, as a council member
 * who finds the product in that band would tick them. */
#ifndef DEMO_SHEETS_H
#define DEMO_SHEETS_H

#include <stdint.h>

#include "ocop_client.h"
#include "envelope.pb-c.h"

typedef struct demo_forms_t demo_forms_t;

demo_forms_t *demo_forms_new(void);
/* Frees every form and sets *self_p to NULL; safe on NULL and twice. */
void demo_forms_destroy(demo_forms_t **self_p);

/* The form product_id is scored on at date: asked of shard the first time its (catalogue,
 * set) is seen, then kept (owned by self). NULL, with the reason on stderr, when the shard
 * does not answer or has no sheet for it. */
const Ocop__EvalForm *demo_forms_get(demo_forms_t *self, ocop_client_t *shard, const char *product_id,
                                     const char *catalogue, const char *set, const char *date, int timeout_ms);

/* Fills scores[0..*n) (room for form->n_criteria) with one choice per criterion (the first
 * alternative of each set): from the best options down, one option at a time, to the lowest
 * total not below target, never below the option a star minimum of band (3..5) requires;
 * variety picks which criteria give points up first, so members differ. On a sheet without
 * options the points are spread over the criteria in half points. Ids point into form. */
void demo_choose(const Ocop__EvalForm *form, double target, int band, uint64_t variety, Ocop__EvalScore *scores,
                 size_t *n);

#endif
