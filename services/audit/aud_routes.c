/* aud_routes — the route table. Nothing a client sends can change the log; clients write only
 * inspections. */
#include "aud_handlers.h"

static const ocop_route_t s_routes[] = {
    {OCOP__REQUEST__BODY_AUD_TREE_HEAD_GET, "tree_head_get", false, aud_handle_tree_head_get, false, NULL},
    {OCOP__REQUEST__BODY_AUD_HEADS_GET, "heads_get", false, aud_handle_heads_get, false, NULL},
    {OCOP__REQUEST__BODY_AUD_ENTRIES_GET, "entries_get", false, aud_handle_entries_get, false, NULL},
    {OCOP__REQUEST__BODY_AUD_INCLUSION_GET, "inclusion_get", false, aud_handle_inclusion_get, false, NULL},
    {OCOP__REQUEST__BODY_AUD_CONSISTENCY_GET, "consistency_get", false, aud_handle_consistency_get, false, NULL},
    {OCOP__REQUEST__BODY_AUD_EVENTS_QUERY, "events_query", false, aud_handle_events_query, false, NULL},
    {OCOP__REQUEST__BODY_AUD_SOURCES_GET, "sources_get", false, aud_handle_sources_get, false, NULL},
    {OCOP__REQUEST__BODY_AUD_REPORT_GET, "report_get", false, aud_handle_report_get, false, NULL},
    {OCOP__REQUEST__BODY_AUD_REPORT_ENTRIES_GET, "report_entries_get", false, aud_handle_report_entries_get, false,
     NULL},
    {OCOP__REQUEST__BODY_AUD_INSPECTION_PLAN, "inspection_plan", true, aud_handle_inspection_plan, false, NULL},
    {OCOP__REQUEST__BODY_AUD_INSPECTION_RECORD, "inspection_record", true, aud_handle_inspection_record, false, NULL},
    {OCOP__REQUEST__BODY_AUD_INSPECTION_GET, "inspection_get", false, aud_handle_inspection_get, false, NULL},
};

const ocop_route_t *aud_routes(size_t *count)
{
    *count = sizeof s_routes / sizeof s_routes[0];
    return s_routes;
}
