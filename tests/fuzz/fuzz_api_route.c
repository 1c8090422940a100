/* fuzz_api_route — libFuzzer target for HTTP routing: the input is a method, a NUL or newline,
 * and a path; ocop_api_match finds its route and path parameters, and a route found has its
 * path written back from those parameters by ocop_api_path_fill (as ocopctl builds its URLs). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ocop_api.h"

/* The value of path parameter name in params (the ocop_api_path_fill callback). */
static const char *s_param(const char *name, void *user)
{
    const ocop_api_params_t *params = user;
    for (size_t i = 0; i < params->count; i++)
        if (strcmp(params->name[i], name) == 0)
            return params->value[i];
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t split = 0;
    while (split < size && data[split] != '\0' && data[split] != '\n')
        split++;
    size_t path_len = split < size ? size - split - 1 : 0;
    char *method = malloc(split + 1), *path = malloc(path_len + 1);
    if (!method || !path)
        abort();
    memcpy(method, data, split);
    method[split] = '\0';
    memcpy(path, data + size - path_len, path_len);
    path[path_len] = '\0';

    ocop_api_params_t params;
    bool path_known;
    const ocop_api_route_t *route = ocop_api_match(method, path, &params, &path_known);
    if (route) {
        char filled[4 * OCOP_API_PARAMS_MAX * OCOP_API_PARAM_MAX]; /* room for every parameter percent-encoded */
        ocop_api_path_fill(route, s_param, &params, filled, sizeof filled);
    }
    free(method);
    free(path);
    return 0;
}
