/* gw_matrix — docs/access.md's matrix. */
#include "gw_matrix.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocop_api.h"

/* What a listed role's write must touch, by scope rule, for its cell: a write without a target
 * is listed for unscoped roles only, and open to them. */
static const char *s_scope_word(ocop_role_t role, ocop_scope_rule_t scope)
{
    if (scope == OCOP_SCOPE_NONE)
        return "yes";
    switch (role) {
    case OCOP_ROLE_PRODUCER:
        return "own entity";
    case OCOP_ROLE_COMMUNE:
        return "own commune";
    case OCOP_ROLE_PROVINCE:
        return "own province";
    case OCOP_ROLE_COUNCIL:
        return "own councils";
    default:
        return "yes";
    }
}

char *gw_matrix_markdown(void)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return NULL;
    fputs("| Route |", f);
    for (unsigned b = 0; b < OCOP_ROLE_COUNT; b++)
        fprintf(f, " %s |", ocop_role_name((ocop_role_t)(1u << b)));
    fputs(" Target of a write |\n|---|", f);
    for (unsigned b = 0; b < OCOP_ROLE_COUNT; b++)
        fputs("---|", f);
    fputs("---|\n", f);
    size_t n;
    const ocop_api_route_t *routes = ocop_api_routes(&n);
    for (size_t i = 0; i < n; i++) {
        const ocop_api_route_t *r = &routes[i];
        int write = strcmp(r->method, "GET") != 0;
        fprintf(f, "| `%s %s` |", r->method, r->path);
        for (unsigned b = 0; b < OCOP_ROLE_COUNT; b++) {
            ocop_role_t role = (ocop_role_t)(1u << b);
            const char *cell = !(r->roles & role) ? "—" : !write ? "yes" : s_scope_word(role, r->scope);
            fprintf(f, " %s |", cell);
        }
        fprintf(f, " %s |\n", write && r->scope_field ? r->scope_field : "");
    }
    fclose(f);
    return text;
}
