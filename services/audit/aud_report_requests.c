/* aud_report_requests — the integrity reports' requests: check the request and that the tallies
 * cover the log, then read the report (aud_reports) or the entries one of its rows rests on,
 * paged, so a reader can check each through an inclusion proof against a signed tree head. */
#include <stdlib.h>
#include <string.h>

#include "aud_derived.h"
#include "aud_handlers.h"
#include "aud_reports.h"
#include "ocop_error.h"

#define S_ENTRIES_DEFAULT 100
#define S_ENTRIES_MAX 1000

/* The tallies cover the log as the request sees it; otherwise the caller is told to come back. */
static int s_tallies_current(ocop_ctx_t *ctx, Ocop__Reply *reply, uint64_t *size)
{
    uint64_t kept;
    if (aud_derived_coverage_in(ctx, reply, &kept, size) != 0)
        return -1;
    if (kept < *size)
        return ocop_ctx_fail(ctx, reply, OCOP_E_UNAVAILABLE, "",
                             "the reports are being brought up to the log (%llu of %llu entries); try again shortly",
                             (unsigned long long)kept, (unsigned long long)*size);
    return 0;
}

int aud_handle_report_get(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    const Ocop__AudReportGet *in = req->aud_report_get;
    unsigned window;
    if (!aud_reports_kind_known(in->kind))
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "kind",
                             "kind must be bunching, leniency, spread or distribution, not '%.32s'", in->kind);
    if (aud_reports_window(in->window, &window) != 0)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "window",
                             "window is 0.1 to %g points in tenths of a point (0 = 2): a wider one would mix the "
                             "bands of neighbouring cut-offs",
                             AUD_TALLY_WINDOW_MAX / 10.0);
    ocop_arena_t *arena = ocop_ctx_arena(ctx);
    Ocop__AudReport *report = ocop_arena_alloc(arena, sizeof *report);
    ocop__aud_report__init(report);
    if (s_tallies_current(ctx, reply, &report->tree_size) != 0)
        return -1;
    if (aud_reports_build_in(ctx, reply, &aud_state(ctx)->db.tally, in, report) != 0)
        return -1;
    reply->body_case = OCOP__REPLY__BODY_AUD_REPORT;
    reply->aud_report = report;
    return 0;
}

/* ---------------------------------------------------------------- a row's entries */

/* Which tallies hold the entries of a report's row: family, group and, for a province-year row,
 * its year. -1 when the kind has no such row. */
static int s_row_entries_of(const char *kind, const char *row, ocop_arena_t *arena, const char **family,
                            const char **group, unsigned *year)
{
    *year = 0;
    if (strcmp(kind, "bunching") == 0 && strncmp(row, "council ", 8) == 0) {
        *family = AUD_TALLY_COUNCIL;
        *group = row + 8;
        return 0;
    }
    if (strcmp(kind, "leniency") == 0 && strncmp(row, "member ", 7) == 0) {
        *family = AUD_TALLY_MEMBER;
        *group = row + 7;
        return 0;
    }
    if (strncmp(row, "province ", 9) != 0)
        return -1;
    *family = AUD_TALLY_PROVINCE;
    const char *space = strchr(row + 9, ' ');
    if (strcmp(kind, "distribution") == 0 && !space) {
        *group = row + 9;
        return 0;
    }
    if (strcmp(kind, "bunching") != 0 || !space || strlen(space + 1) != 4 || strspn(space + 1, "0123456789") != 4)
        return -1;
    *group = ocop_arena_printf(arena, "%.*s", (int)(space - (row + 9)), row + 9);
    *year = (unsigned)atoi(space + 1);
    return 0;
}

int aud_handle_report_entries_get(ocop_ctx_t *ctx, const Ocop__Request *req, Ocop__Reply *reply)
{
    const Ocop__AudReportEntriesGet *in = req->aud_report_entries_get;
    ocop_arena_t *arena = ocop_ctx_arena(ctx);
    if (strcmp(in->kind, "spread") == 0)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "kind", "a spread row names its one entry itself");
    if (!aud_reports_kind_known(in->kind))
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "kind",
                             "kind must be bunching, leniency or distribution, not '%.32s'", in->kind);
    const char *family, *group;
    unsigned year;
    if (s_row_entries_of(in->kind, in->group, arena, &family, &group, &year) != 0)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "group", "a %s report has no row named '%.64s'", in->kind,
                             in->group);
    if (in->limit > S_ENTRIES_MAX)
        return ocop_ctx_fail(ctx, reply, OCOP_E_INVALID, "limit", "limit is 0 (%d) to %d", S_ENTRIES_DEFAULT,
                             S_ENTRIES_MAX);
    size_t limit = in->limit ? in->limit : S_ENTRIES_DEFAULT;
    Ocop__AudEntryPage *page = ocop_arena_alloc(arena, sizeof *page);
    ocop__aud_entry_page__init(page);
    if (s_tallies_current(ctx, reply, &page->tree_size) != 0)
        return -1;
    uint64_t *found = ocop_arena_alloc(arena, limit * sizeof *found);
    page->entries = ocop_arena_alloc(arena, limit * sizeof *page->entries);
    size_t n = 0;
    /* A province-year row's entries are its year's: another year asked for leaves none. */
    if (!year || !in->year || in->year == year) {
        if (aud_tally_entries_in(ctx, reply, &aud_state(ctx)->db.tally, family, group, in->province_code,
                                 year ? year : in->year, in->cursor, found, limit, &n, &page->next) != 0)
            return -1;
    }
    for (size_t i = 0; i < n; i++)
        if (!(page->entries[page->n_entries++] = aud_entry_load(ctx, reply, "group", found[i])))
            return -1;
    reply->body_case = OCOP__REPLY__BODY_AUD_ENTRY_PAGE;
    reply->aud_entry_page = page;
    return 0;
}
