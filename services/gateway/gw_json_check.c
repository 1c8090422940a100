/* gw_json_check — the body's bytes after its value, duplicate keys, NUL in strings. */
#include "gw_json_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int s_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int s_by_name(const void *a, const void *b)
{
    return strcmp((*(const cJSON *const *)a)->string, (*(const cJSON *const *)b)->string);
}

/* A key twice in one object, anywhere in the tree: 0, or -1 with out filled. */
static int s_duplicates(const cJSON *node, gw_response_t *out)
{
    size_t n = 0;
    for (const cJSON *c = node->child; c; c = c->next) {
        if (s_duplicates(c, out) != 0)
            return -1;
        n++;
    }
    if (!cJSON_IsObject(node) || n < 2)
        return 0;
    const cJSON **items = malloc(n * sizeof *items);
    if (!items) {
        gw_error(out, 503, "UNAVAILABLE", "", "out of memory reading the body");
        return -1;
    }
    n = 0;
    for (const cJSON *c = node->child; c; c = c->next)
        items[n++] = c;
    qsort(items, n, sizeof *items, s_by_name);
    int rc = 0;
    for (size_t i = 1; i < n && rc == 0; i++)
        if (strcmp(items[i - 1]->string, items[i]->string) == 0) {
            gw_error(out, 400, "INVALID", items[i]->string, "%.64s is given twice", items[i]->string);
            rc = -1;
        }
    free(items);
    return rc;
}

/* The end of the string whose text starts at start (the index of its closing quote). */
static size_t s_string_end(const char *body, size_t len, size_t start)
{
    size_t i = start;
    while (i < len && body[i] != '"')
        i += body[i] == '\\' ? 2 : 1;
    return i;
}

/* A NUL in a string of a body cJSON parsed (a raw 0 byte or a \u0000 escape): the body is valid
 * JSON, so every backslash is inside a string and starts an escape. The field named is the
 * string itself when it is a key, else the last key before it. */
static int s_nul(const char *body, size_t len, gw_response_t *out)
{
    size_t start = 0, key = 0, key_len = 0, last = 0, last_len = 0;
    int in_string = 0;
    for (size_t i = 0; i < len; i++) {
        char c = body[i];
        int escaped_nul =
            in_string && c == '\\' && i + 5 < len && body[i + 1] == 'u' && strncmp(body + i + 2, "0000", 4) == 0;
        if (c == '\0' || escaped_nul) {
            size_t k = key, k_len = key_len;
            if (in_string) {
                size_t j = s_string_end(body, len, start) + 1;
                while (j < len && s_space(body[j]))
                    j++;
                if (j < len && body[j] == ':') {
                    k = start;
                    k_len = i - start;
                }
            }
            char field[65];
            snprintf(field, sizeof field, "%.*s", (int)(k_len < 64 ? k_len : 64), body + k);
            gw_error(out, 400, "INVALID", field, "a string holds a NUL character (byte %zu)", i);
            return -1;
        }
        if (!in_string) {
            if (c == '"') {
                in_string = 1;
                start = i + 1;
            } else if (c == ':') {
                key = last;
                key_len = last_len;
            }
        } else if (c == '"') {
            in_string = 0;
            last = start;
            last_len = i - start;
        } else if (c == '\\') {
            i++; /* the escaped character */
        }
    }
    return 0;
}

int gw_json_check(const char *body, size_t len, const char *end, const cJSON *root, gw_response_t *out)
{
    size_t at = end && end >= body ? (size_t)(end - body) : len;
    while (at < len && s_space(body[at]))
        at++;
    if (at < len) {
        gw_error(out, 400, "MALFORMED", "", "the body goes on after its JSON value (byte %zu)", at);
        return -1;
    }
    if (s_nul(body, len, out) != 0)
        return -1;
    return s_duplicates(root, out);
}
