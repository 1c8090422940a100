/* ocop_api — the route table of the HTTP API and its matching. */
#include "ocop_api.h"

#include <stdio.h>
#include <string.h>

#include "ocop_error.h"

#define R_PUBLIC OCOP_ROLES_EVERYONE
#define R_USERS OCOP_ROLES_ANY_USER
#define R_CENTRAL OCOP_ROLE_CENTRAL
#define R_PROVINCE (OCOP_ROLE_PROVINCE | OCOP_ROLE_CENTRAL)
#define R_COMMUNE (OCOP_ROLE_COMMUNE | R_PROVINCE)
#define R_PRODUCER (OCOP_ROLE_PRODUCER | R_COMMUNE)

#define REG OCOP_API_REGISTRATION, OCOP_SHARD_NONE, NULL
#define AUD OCOP_API_AUDIT, OCOP_SHARD_NONE, NULL
#define PRO OCOP_API_PROMOTION, OCOP_SHARD_NONE, NULL
#define EVAL(rule, field) OCOP_API_EVALUATION, OCOP_SHARD_##rule, field
#define READ OCOP_SCOPE_NONE, NULL, false
#define WRITE(rule, field) OCOP_SCOPE_##rule, field, false
#define CREATE(rule, field) OCOP_SCOPE_##rule, field, true

static const ocop_api_route_t s_routes[] = {
    /* registration */
    {"GET", "/v1/units", "reg_unit_list", "reg_unit_page", REG, R_PUBLIC, READ,
     "Administrative units of a hierarchy version, under a parent"},
    {"GET", "/v1/units/{code}", "reg_unit_get", "reg_unit", REG, R_PUBLIC, READ, "One administrative unit"},
    {"POST", "/v1/unit-imports", "reg_unit_import", "reg_unit_import_result", REG, R_CENTRAL, CREATE(NONE, NULL),
     "Import an official list of administrative units (all or nothing)"},
    {"GET", "/v1/entities", "reg_entity_list", "reg_entity_page", REG, R_USERS, READ,
     "Economic entities by province, commune or type"},
    {"POST", "/v1/entities", "reg_entity_register", "reg_entity", REG, R_COMMUNE, CREATE(COMMUNE, "commune_code"),
     "Register an economic entity (cooperative, enterprise, household business, ...)"},
    {"GET", "/v1/entities/{id}", "reg_entity_get", "reg_entity", REG, R_USERS, READ, "One economic entity"},
    {"PATCH", "/v1/entities/{id}", "reg_entity_update", "reg_entity", REG, R_PRODUCER, WRITE(ENTITY, "id"),
     "Change an entity's name, representative or phone"},
    {"GET", "/v1/products", "reg_product_list", "reg_product_page", REG, R_USERS, READ,
     "Products by province, commune, entity, stage, sector or pending review"},
    {"POST", "/v1/products", "reg_product_register", "reg_product_detail", REG, R_PRODUCER, CREATE(ENTITY, "entity_id"),
     "Register a product of an entity (screened for duplicates)"},
    {"GET", "/v1/products/{id}", "reg_product_get", "reg_product_detail", REG, R_USERS, READ,
     "One product with its stage history and reviews"},
    {"PATCH", "/v1/products/{id}", "reg_product_update", "reg_product_detail", REG, R_PRODUCER, WRITE(PRODUCT, "id"),
     "Change a product's standards or processing level"},
    {"POST", "/v1/products/{product_id}/transitions", "reg_stage_transition", "reg_product_detail", REG, R_COMMUNE,
     WRITE(PRODUCT, "product_id"), "Move a product through the OCOP cycle"},
    {"POST", "/v1/products/{product_id}/duplicate-review", "reg_duplicate_review", "reg_product_detail", REG,
     R_PROVINCE, WRITE(PRODUCT, "product_id"), "Record the review of a product flagged as a possible duplicate"},
    {"GET", "/v1/counts", "reg_counts_get", "reg_counts", REG, R_PUBLIC, READ, "Products by province x sector x stage"},
    {"POST", "/v1/products/{product_id}/reclassify", "reg_product_reclassify", "reg_product_detail", REG, R_PROVINCE,
     WRITE(PRODUCT, "product_id"), "Move a product to a set of a newer catalogue that catalogue-map.json allows"},
    {"POST", "/v1/catalogues/migrate", "reg_catalogue_migrate", "reg_catalogue_migrate_result", REG, R_CENTRAL,
     WRITE(NONE, NULL), "Reclassify a batch of an older catalogue's one-to-one products (repeat until none remain)"},

    /* evaluation */
    {"POST", "/v1/councils", "eval_council_create", "eval_council", EVAL(PROVINCE, "province_code"), R_PROVINCE,
     CREATE(PROVINCE, "province_code"), "Create an evaluation council with its members"},
    {"GET", "/v1/councils/{id}", "eval_council_get", "eval_council", EVAL(ID, "id"), R_USERS, READ, "One council"},
    {"POST", "/v1/councils/{council_id}/ties", "eval_tie_declare", "eval_council", EVAL(ID, "council_id"),
     R_PROVINCE | OCOP_ROLE_COUNCIL, WRITE(COUNCIL, "council_id"),
     "Declare a member's tie to an entity (the member never scores its products)"},
    {"POST", "/v1/products/{product_id}/attestation", "eval_attest", "eval_product", EVAL(PRODUCT, "product_id"),
     R_COMMUNE, WRITE(PRODUCT, "product_id"), "The commune's attestation of a product's dossier (1489)"},
    {"GET", "/v1/late-dossiers", "eval_late_dossiers_get", "eval_late_dossiers", EVAL(PROVINCE, "province_code"),
     R_USERS, READ, "Dossiers a commune reported on after its time limit (26/2026 Art. 7.2), by province or commune"},
    {"GET", "/v1/products/{id}/rating", "eval_product_get", "eval_product", EVAL(PRODUCT, "id"), R_PUBLIC, READ,
     "A product's stars, certificate and rating history"},
    {"GET", "/v1/products/{product_id}/sheet", "eval_form_get", "eval_form", EVAL(PRODUCT, "product_id"), R_PUBLIC,
     READ,
     "The score sheet a product is evaluated on (?date=, default today): criteria, options, star minimums, "
     "knock-outs"},
    {"POST", "/v1/products/{product_id}/self-assessment", "eval_self_assess", "eval_self_assessment",
     EVAL(PRODUCT, "product_id"), OCOP_ROLE_PRODUCER, WRITE(PRODUCT, "product_id"),
     "The producer's self-assessment on the official sheet (Mẫu 02): points, band, the star it would reach and the "
     "cheapest changes to the next star"},
    {"GET", "/v1/products/{product_id}/self-assessment", "eval_self_assessment_get", "eval_self_assessment",
     EVAL(PRODUCT, "product_id"), R_USERS, READ, "A product's latest self-assessment by its producer"},
    {"POST", "/v1/sessions", "eval_session_open", "eval_session", EVAL(ID, "council_id"), R_PROVINCE,
     CREATE(COUNCIL, "council_id"), "Open a council's session for products ready for evaluation"},
    {"GET", "/v1/sessions/{id}", "eval_session_get", "eval_session", EVAL(ID, "id"), R_USERS, READ,
     "One session (scores hidden until it closes)"},
    {"POST", "/v1/sessions/{session_id}/start", "eval_session_start", "eval_session", EVAL(ID, "session_id"),
     R_PROVINCE, WRITE(SESSION, "session_id"), "Start scoring with the members present (quorum)"},
    {"POST", "/v1/sessions/{session_id}/sheets", "eval_sheet_submit", "eval_sheet_receipt", EVAL(ID, "session_id"),
     OCOP_ROLE_COUNCIL, CREATE(SESSION, "session_id"), "A member's sealed score sheet for one product"},
    {"GET", "/v1/sessions/{session_id}/sheets", "eval_sheet_list", "eval_sheet_page", EVAL(ID, "session_id"), R_USERS,
     READ, "The sheets of a closed session"},
    {"POST", "/v1/sessions/{session_id}/phase", "eval_phase_advance", "eval_session", EVAL(ID, "session_id"),
     R_PROVINCE, WRITE(SESSION, "session_id"), "Move a two-phase session to phase 2 with laboratory results"},
    {"POST", "/v1/sessions/{session_id}/close", "eval_session_close", "eval_session", EVAL(ID, "session_id"),
     R_PROVINCE, WRITE(SESSION, "session_id"), "Close a session: results, certificates, proposals"},
    {"GET", "/v1/certificates/{id}", "eval_certificate_get", "eval_certificate", EVAL(ID, "id"), R_PUBLIC, READ,
     "One OCOP certificate"},
    {"POST", "/v1/products/{product_id}/central-result-certification", "eval_central_result_certify",
     "eval_certificate", EVAL(PRODUCT, "product_id"), OCOP_ROLE_PROVINCE, WRITE(PRODUCT, "product_id"),
     "The province certifies 3★/4★ a product the central council did not rate 5★, on its result (26/2026 "
     "Art. 7.4(g))"},
    {"POST", "/v1/certificates/{id}/revoke", "eval_certificate_revoke", "eval_certificate", EVAL(ID, "id"), R_PROVINCE,
     WRITE(CERTIFICATE, "id"), "Revoke a certificate for one of the fixed reasons"},
    {"POST", "/v1/rounds", "eval_round_open", "eval_round", EVAL(PROVINCE, "province_code"), R_PROVINCE,
     CREATE(PROVINCE, "province_code"),
     "Declare an evaluation round of a year (26/2026 Art. 5): the policy's dates for its statutory rounds, both "
     "dates for further ones"},
    {"GET", "/v1/rounds", "eval_round_calendar_get", "eval_round_calendar", EVAL(PROVINCE, "province_code"), R_PUBLIC,
     READ,
     "A province's evaluation rounds of a year (?province_code=&year=): their sessions and what Art. 5 asks "
     "that is missing"},
    {"GET", "/v1/reports/stars", "eval_report_get", "eval_report", EVAL(MERGE, "province_code"), R_PUBLIC, READ,
     "Rated products by stars x province x sector x year (every shard merged)"},

    /* audit */
    {"GET", "/v1/audit/tree-head", "aud_tree_head_get", "aud_tree_head", AUD, R_PUBLIC, READ,
     "The latest signed tree head of the transparency log"},
    {"GET", "/v1/audit/heads", "aud_heads_get", "aud_head_page", AUD, R_PUBLIC, READ, "Signed tree heads by size"},
    {"GET", "/v1/audit/entries", "aud_entries_get", "aud_entry_page", AUD, R_PUBLIC, READ, "Log entries by index"},
    {"GET", "/v1/audit/entries/{index}/proof", "aud_inclusion_get", "aud_inclusion_proof", AUD, R_PUBLIC, READ,
     "Inclusion proof of an entry in a signed tree"},
    {"GET", "/v1/audit/consistency", "aud_consistency_get", "aud_consistency_proof", AUD, R_PUBLIC, READ,
     "Consistency proof between two tree sizes"},
    {"GET", "/v1/audit/events", "aud_events_query", "aud_entry_page", AUD, R_PUBLIC, READ,
     "Logged events of a product, council, province or time range"},
    {"GET", "/v1/audit/sources", "aud_sources_get", "aud_sources", AUD, R_PUBLIC, READ,
     "Each source's cursor, lag and (verify) contiguity"},
    {"GET", "/v1/audit/reports/{kind}", "aud_report_get", "aud_report", AUD, R_PUBLIC, READ,
     "Integrity reports: bunching, leniency, spread, distribution (kept as results are logged)"},
    {"GET", "/v1/audit/reports/{kind}/entries", "aud_report_entries_get", "aud_entry_page", AUD, R_PUBLIC, READ,
     "The log entries a report's row was computed from (group as the report names it), paged"},
    {"POST", "/v1/audit/inspection-plans", "aud_inspection_plan", "aud_inspection_page", AUD,
     OCOP_ROLE_AUDITOR | R_CENTRAL, CREATE(PROVINCE, "province_code"),
     "Plan inspections of a province's certified producers (risk + seeded sample)"},
    {"GET", "/v1/audit/inspections/{id}", "aud_inspection_get", "aud_inspection", AUD, R_USERS, READ, "One inspection"},
    {"POST", "/v1/audit/inspections/{id}/findings", "aud_inspection_record", "aud_inspection", AUD,
     OCOP_ROLE_AUDITOR | R_CENTRAL, WRITE(NONE, NULL),
     "Record an inspection's findings (a failure asks evaluation to revoke)"},

    /* trade promotion */
    {"POST", "/v1/fairs", "pro_fair_create", "pro_fair", PRO, R_PROVINCE, CREATE(PROVINCE, "province_code"),
     "Create a fair or exhibition"},
    {"GET", "/v1/fairs/{id}", "pro_fair_get", "pro_fair", PRO, R_PUBLIC, READ, "One fair"},
    {"POST", "/v1/fairs/{fair_id}/applications", "pro_apply", "pro_application", PRO, OCOP_ROLE_PRODUCER | R_PROVINCE,
     CREATE(PRODUCT, "product_id"), "Apply for a booth (valid 3-star+ certificate required)"},
    {"GET", "/v1/fairs/{fair_id}/applications", "pro_applications_get", "pro_application_page", PRO, R_PUBLIC, READ,
     "A fair's applications, booths and waiting list"},
    {"POST", "/v1/fairs/{fair_id}/allocation", "pro_allocate", "pro_application_page", PRO, R_PROVINCE,
     WRITE(FAIR, "fair_id"), "Allocate a fair's booths with its strategy"},
    {"POST", "/v1/points-of-sale", "pro_point_of_sale_create", "pro_point_of_sale", PRO, R_PROVINCE,
     CREATE(PROVINCE, "province_code"), "Register a point of sale (950/QD-BCT) or an e-commerce channel"},
    {"POST", "/v1/points-of-sale/{pos_id}/listings", "pro_listing_add", "pro_listing", PRO,
     OCOP_ROLE_PRODUCER | R_PROVINCE, CREATE(PRODUCT, "product_id"), "List a certified product at a point of sale"},
    {"POST", "/v1/plans", "pro_plan_submit", "pro_plan", PRO, OCOP_ROLE_PROVINCE, CREATE(PROVINCE, "province_code"),
     "Submit a province's annual trade-promotion plan"},
    {"GET", "/v1/calendar", "pro_calendar_get", "pro_calendar", PRO, R_PUBLIC, READ,
     "The national calendar of plans and fairs, with overlap warnings"},
    {"GET", "/v1/products/{product_id}/promotion", "pro_product_get", "pro_certificate_view", PRO, R_PUBLIC, READ,
     "A product's certificate as trade promotion sees it, with its bookings"},
};

const ocop_api_route_t *ocop_api_routes(size_t *count)
{
    *count = sizeof s_routes / sizeof s_routes[0];
    return s_routes;
}

static const ocop_scope_lookup_t s_lookups[] = {
    {OCOP_SCOPE_COMMUNE, OCOP_API_REGISTRATION, "reg_unit_get", "code", "unit_version", "version", "province_code",
     "code", NULL, NULL, NULL},
    {OCOP_SCOPE_ENTITY, OCOP_API_REGISTRATION, "reg_entity_get", "id", NULL, NULL, "current_province_code",
     "commune_code", "id", NULL, NULL},
    {OCOP_SCOPE_PRODUCT, OCOP_API_REGISTRATION, "reg_product_get", "id", NULL, NULL, "product.current_province_code",
     "product.commune_code", "product.entity_id", NULL, NULL},
    {OCOP_SCOPE_COUNCIL, OCOP_API_EVALUATION, "eval_council_get", "id", NULL, NULL, "province_code", NULL, NULL, "id",
     "level"},
    {OCOP_SCOPE_SESSION, OCOP_API_EVALUATION, "eval_session_get", "id", NULL, NULL, "province_code", NULL, NULL,
     "council_id", "level"},
    {OCOP_SCOPE_CERTIFICATE, OCOP_API_EVALUATION, "eval_certificate_get", "id", NULL, NULL, "province_code", NULL,
     "entity_id", NULL, NULL},
    {OCOP_SCOPE_FAIR, OCOP_API_PROMOTION, "pro_fair_get", "id", NULL, NULL, "province_code", NULL, NULL, NULL, NULL},
};

const ocop_scope_lookup_t *ocop_scope_lookup(ocop_scope_rule_t rule)
{
    for (size_t i = 0; i < sizeof s_lookups / sizeof s_lookups[0]; i++)
        if (s_lookups[i].rule == rule)
            return &s_lookups[i];
    return NULL;
}

const ocop_scope_lookup_t *ocop_scope_lookups(size_t *count)
{
    *count = sizeof s_lookups / sizeof s_lookups[0];
    return s_lookups;
}

const ocop_api_route_t *ocop_api_route_for_request(const char *request)
{
    for (size_t i = 0; i < sizeof s_routes / sizeof s_routes[0]; i++)
        if (strcmp(s_routes[i].request, request) == 0)
            return &s_routes[i];
    return NULL;
}

/* Matches one template against path; 1 on a match with the parameters filled. */
static int s_match_path(const char *tmpl, const char *path, ocop_api_params_t *params)
{
    params->count = 0;
    const char *t = tmpl, *p = path;
    while (*t && *p) {
        if (*t != '{') {
            if (*t != *p)
                return 0;
            t++, p++;
            continue;
        }
        const char *close = strchr(t, '}');
        const char *seg_end = strchr(p, '/');
        size_t len = seg_end ? (size_t)(seg_end - p) : strlen(p);
        if (!close || len == 0 || len >= OCOP_API_PARAM_MAX || params->count == OCOP_API_PARAMS_MAX)
            return 0;
        size_t nlen = (size_t)(close - t - 1);
        if (nlen >= sizeof params->name[0])
            return 0;
        memcpy(params->name[params->count], t + 1, nlen);
        params->name[params->count][nlen] = '\0';
        memcpy(params->value[params->count], p, len);
        params->value[params->count][len] = '\0';
        params->count++;
        t = close + 1;
        p += len;
    }
    return *t == '\0' && *p == '\0';
}

const ocop_api_route_t *ocop_api_match(const char *method, const char *path, ocop_api_params_t *params,
                                       bool *path_known)
{
    *path_known = false;
    ocop_api_params_t scratch;
    for (size_t i = 0; i < sizeof s_routes / sizeof s_routes[0]; i++) {
        if (!s_match_path(s_routes[i].path, path, &scratch))
            continue;
        *path_known = true;
        if (strcmp(s_routes[i].method, method) == 0) {
            *params = scratch;
            return &s_routes[i];
        }
    }
    return NULL;
}

static int s_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '_' || c == '~';
}

int ocop_api_path_fill(const ocop_api_route_t *route, const char *(*value)(const char *name, void *user), void *user,
                       char *out, size_t outlen)
{
    size_t n = 0;
    for (const char *t = route->path; *t;) {
        if (*t != '{') {
            if (n + 1 >= outlen)
                return -1;
            out[n++] = *t++;
            continue;
        }
        const char *close = strchr(t, '}');
        char name[OCOP_NAME_LEN_MAX];
        size_t nlen = close ? (size_t)(close - t - 1) : sizeof name;
        if (nlen >= sizeof name)
            return -1;
        memcpy(name, t + 1, nlen);
        name[nlen] = '\0';
        const char *v = value(name, user);
        if (!v || !*v)
            return -1;
        for (const unsigned char *c = (const unsigned char *)v; *c; c++) {
            if (n + 4 >= outlen)
                return -1;
            if (s_unreserved(*c))
                out[n++] = (char)*c;
            else
                n += (size_t)snprintf(out + n, outlen - n, "%%%02X", *c);
        }
        t = close + 1;
    }
    if (n >= outlen)
        return -1;
    out[n] = '\0';
    return 0;
}

int ocop_api_http_status(int status)
{
    switch (status) {
    case OCOP_OK:
        return 200;
    case OCOP_E_INVALID:
    case OCOP_E_MALFORMED:
    case OCOP_E_UNSUPPORTED:
        return 400;
    case OCOP_E_FORBIDDEN:
        return 403;
    case OCOP_E_NOT_FOUND:
        return 404;
    case OCOP_E_CONFLICT:
    case OCOP_E_ILLEGAL_STATE:
        return 409;
    case OCOP_E_TOO_LARGE:
        return 413;
    case OCOP_E_UNAVAILABLE:
        return 503;
    case OCOP_E_STORAGE_FULL:
        return 507;
    case OCOP_E_WRONG_SHARD: /* the gateway routed it: its shard map disagrees with the shard's */
        return 502;
    default:
        return 500;
    }
}

static const char *const s_role_names[OCOP_ROLE_COUNT] = {
    "public", "producer", "commune_officer", "province_officer", "council_member", "central_officer", "auditor",
};

const char *ocop_role_name(ocop_role_t role)
{
    for (unsigned i = 0; i < OCOP_ROLE_COUNT; i++)
        if (role == (1u << i))
            return s_role_names[i];
    return NULL;
}

ocop_role_t ocop_role_from_name(const char *name)
{
    for (unsigned i = 0; name && i < OCOP_ROLE_COUNT; i++)
        if (strcmp(name, s_role_names[i]) == 0)
            return (ocop_role_t)(1u << i);
    return 0;
}

const char *ocop_api_service_name(ocop_api_service_t service)
{
    static const char *const names[] = {"registration", "evaluation", "audit", "promotion"};
    return (unsigned)service < sizeof names / sizeof names[0] ? names[service] : "unknown";
}
