/* pro_plan — provincial annual trade-promotion plans, sent to the central coordination office,
 * and the national calendar it sees: every plan's events and every fair of a year, with a
 * warning for each two events of one region whose dates overlap.
 *
 * Who may submit: a province's plan comes from that province. Until the gateway (which knows
 * people, roles and provinces) stands in front, the caller names its province as a suffix:
 * "officer@19" may submit province 19's plan and nobody else's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocop_error.h"
#include "pro_handlers.h"

#define S_ITEMS_MAX 200

typedef struct {
    Ocop__ProCalendar *cal;
    size_t cap;
    ocop_arena_t *arena;
} s_cal_t;

static void s_add(s_cal_t *c, const char *province, const char *region, const char *source, Ocop__ProPlanItem *item)
{
    Ocop__ProCalendar *cal = c->cal;
    cal->items = ocop_arena_grow(c->arena, cal->items, cal->n_items, &c->cap, sizeof *cal->items);
    Ocop__ProCalendarItem *it = ocop_arena_alloc(c->arena, sizeof *it);
    ocop__pro_calendar_item__init(it);
    it->province_code = (char *)province;
    it->region = (char *)region;
    it->source = (char *)source;
    it->item = item;
    cal->items[cal->n_items++] = it;
}

static int s_cmp_item(const void *a, const void *b)
{
    const Ocop__ProCalendarItem *x = *(Ocop__ProCalendarItem *const *)a, *y = *(Ocop__ProCalendarItem *const *)b;
    int c = strcmp(x->item->start, y->item->start);
    return c ? c : strcmp(x->source, y->source);
}

/* Calls fn for every record of dbi. 0, or an MDB error. */
static int s_each(ocop_ctx_t *ctx, Ocop__Reply *reply, ocop_table_t table,
                  void (*fn)(s_cal_t *c, const ocop_bytes_t *v, unsigned year), s_cal_t *c, unsigned year)
{
    ocop_scan_t scan;
    if (ocop_ctx_scan_open(ctx, reply, &scan, table, NULL, NULL) != 0)
        return -1;
    while (ocop_scan_next(&scan))
        fn(c, &scan.value, year);
    return ocop_ctx_scan_close(ctx, reply, &scan, "reading the calendar");
}

static void s_plan_items(s_cal_t *c, const ocop_bytes_t *v, unsigned year)
{
    Ocop__ProPlan *p = ocop__pro_plan__unpack(ocop_arena_allocator(c->arena), v->size, v->data);
    if (p && p->year == year)
        for (size_t i = 0; i < p->n_items; i++)
            s_add(c, p->province_code, p->region, ocop_arena_printf(c->arena, "plan %s", p->id), p->items[i]);
}

static void s_fair_item(s_cal_t *c, const ocop_bytes_t *v, unsigned year)
{
    Ocop__ProFair *f = ocop__pro_fair__unpack(ocop_arena_allocator(c->arena), v->size, v->data);
    if (!f || (unsigned)ocop_date_year(f->start) != year)
        return;
    Ocop__ProPlanItem *it = ocop_arena_alloc(c->arena, sizeof *it);
    ocop__pro_plan_item__init(it);
    it->name = f->name;
    it->start = f->start;
    it->end = f->end;
    it->kind = "fair";
    s_add(c, f->province_code, f->region, f->id, it);
}

/* Every plan item and fair of year, by start date. */
static int s_collect(ocop_ctx_t *ctx, Ocop__Reply *reply, unsigned year, s_cal_t *c)
{
    pro_state_t *state = pro_state(ctx);
    if (s_each(ctx, reply, state->db.plans, s_plan_items, c, year) != 0 ||
        s_each(ctx, reply, state->db.fairs, s_fair_item, c, year) != 0)
        return -1;
    if (c->cal->n_items)
        qsort(c->cal->items, c->cal->n_items, sizeof *c->cal->items, s_cmp_item);
    return 0;
}

/* Overlaps within a region between events of different sources (only those involving `only`'s
 * source when it is given). */
static void s_warnings(s_cal_t *c, const char *only, char ***out, size_t *n)
{
    Ocop__ProCalendar *cal = c->cal;
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    for (size_t i = 0; i < cal->n_items; i++)
        for (size_t j = i + 1; j < cal->n_items && strcmp(cal->items[j]->item->start, cal->items[i]->item->end) <= 0;
             j++) {
            const Ocop__ProCalendarItem *a = cal->items[i], *b = cal->items[j];
            if (strcmp(a->region, b->region) != 0 || strcmp(a->source, b->source) == 0 ||
                (only && strcmp(a->source, only) != 0 && strcmp(b->source, only) != 0))
                continue;
            *out = ocop_arena_grow(c->arena, *out, *n, &cap, sizeof **out);
            (*out)[(*n)++] = ocop_arena_printf(c->arena, "%s: \"%s\" (%s, %s to %s) overlaps \"%s\" (%s, %s to %s)",
                                               a->region, a->item->name, a->source, a->item->start, a->item->end,
                                               b->item->name, b->source, b->item->start, b->item->end);
        }
}

static int s_check_caller(ocop_ctx_t *ctx, Ocop__Reply *reply, const char *province)
{
    const char *caller = ocop_ctx_caller(ctx), *at = strrchr(caller, '@');
    if (at && strcmp(at + 1, province) == 0)
        return 0;
    return ocop_ctx_fail(ctx, reply, OCOP_E_FORBIDDEN, "province_code",
                         "caller %.64s may not submit the plan of province %s (a province's officer, "
                         "<name>@%s, does)",
                         caller, province, province);
}

static int s_check_items(ocop_ctx_t *ctx, Ocop__Reply *reply, const Ocop__ProPlanSubmit *in)
{
    if (in->year < 2000 || in->year > 2100)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "year", "year must be from 2000 to 2100");
    if (in->n_items == 0 || in->n_items > S_ITEMS_MAX)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "items", "a plan has 1 to %d events", S_ITEMS_MAX);
    for (size_t i = 0; i < in->n_items; i++) {
        const Ocop__ProPlanItem *it = in->items[i];
        char field[32];
        snprintf(field, sizeof field, "items[%zu]", i);
        if (ocop_ctx_check_text(ctx, reply, field, it->name, 1, PRO_NAME_MAX) != 0 ||
            ocop_ctx_check_text(ctx, reply, field, it->kind, 0, 32) != 0 ||
            pro_check_date(ctx, reply, field, it->start) != 0 || pro_check_date(ctx, reply, field, it->end) != 0)
            return -1;
        if (strcmp(it->end, it->start) < 0 || (unsigned)ocop_date_year(it->start) != in->year)
            return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, field,
                                 "event \"%s\" must start in %u and end on or after its start", it->name, in->year);
    }
    return 0;
}

int pro_handle_plan_submit(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    const Ocop__ProPlanSubmit *in = req->pro_plan_submit;
    pro_state_t *state = pro_state(ctx);
    ocop_arena_t *arena = ocop_ctx_arena(ctx);
    if (pro_check_province(ctx, reply, "province_code", in->province_code) != 0 ||
        s_check_caller(ctx, reply, in->province_code) != 0 || s_check_items(ctx, reply, in) != 0)
        return -1;
    Ocop__ProPlan *p = ocop_arena_alloc(arena, sizeof *p);
    ocop__pro_plan__init(p);
    p->id = ocop_arena_printf(arena, "%s-%u", in->province_code, in->year);
    ocop_key_t key;
    ocop_key_init(&key);
    ocop_key_str(&key, in->province_code);
    ocop_key_u32(&key, in->year);
    void *old;
    if (ocop_ctx_record(ctx, reply, state->db.plans, &key, &ocop__pro_plan__descriptor, &old) < 0)
        return -1;
    p->revision = old ? ((Ocop__ProPlan *)old)->revision : 0;
    p->province_code = in->province_code;
    p->region = (char *)pro_state_region(state, in->province_code);
    p->year = in->year;
    p->n_items = in->n_items;
    p->items = in->items;
    p->submitted_by = (char *)ocop_ctx_caller(ctx);
    p->submitted_ms = ocop_ctx_now_ms(ctx);
    p->revision++;
    if (ocop_ctx_record_put(ctx, reply, state->db.plans, &key, &p->base) != 0)
        return -1;
    Ocop__ProCalendar cal = OCOP__PRO_CALENDAR__INIT;
    s_cal_t c = {&cal, 0, arena};
    if (s_collect(ctx, reply, in->year, &c) != 0)
        return -1;
    char *source = ocop_arena_printf(arena, "plan %s", p->id);
    s_warnings(&c, source, &p->warnings, &p->n_warnings);
    Ocop__ProPlanSubmitted body = OCOP__PRO_PLAN_SUBMITTED__INIT;
    body.plan = p;
    body.n_warnings = p->n_warnings;
    body.warnings = p->warnings;
    if (ocop_ctx_publish_body(ctx, reply, &body.base) != 0)
        return -1;
    reply->body_case = OCOP__REPLY__BODY_PRO_PLAN;
    reply->pro_plan = p;
    return 0;
}

int pro_handle_calendar_get(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    unsigned year = req->pro_calendar_get->year;
    if (year < 2000 || year > 2100)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "year", "year must be from 2000 to 2100");
    ocop_arena_t *arena = ocop_ctx_arena(ctx);
    Ocop__ProCalendar *cal = ocop_arena_alloc(arena, sizeof *cal);
    ocop__pro_calendar__init(cal);
    s_cal_t c = {cal, 0, arena};
    if (s_collect(ctx, reply, year, &c) != 0)
        return -1;
    s_warnings(&c, NULL, &cal->warnings, &cal->n_warnings);
    reply->body_case = OCOP__REPLY__BODY_PRO_CALENDAR;
    reply->pro_calendar = cal;
    return 0;
}
