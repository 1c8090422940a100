/* reg_json — see reg_json.h. */
#include "reg_json.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

cJSON *reg_json_read_file(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open", path);
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = malloc((size_t)size + 1);
    if (!text || fread(text, 1, (size_t)size, f) != (size_t)size) {
        fclose(f);
        free(text);
        snprintf(err, errlen, "%s: cannot read", path);
        return NULL;
    }
    fclose(f);
    text[size] = '\0';
    cJSON *root = cJSON_Parse(text);
    if (!root) {
        const char *at = cJSON_GetErrorPtr();
        snprintf(err, errlen, "%s: not valid JSON near offset %ld", path, at ? (long)(at - text) : -1L);
    }
    free(text);
    return root;
}

int reg_json_string(const cJSON *obj, const char *name, int required, char *out, size_t outlen)
{
    out[0] = '\0';
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (!item || cJSON_IsNull(item))
        return required ? -1 : 0;
    if (!cJSON_IsString(item) || strlen(item->valuestring) >= outlen)
        return -1;
    memcpy(out, item->valuestring, strlen(item->valuestring) + 1);
    return 0;
}

static int s_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int reg_json_list(const char *dir, const char *prefix, char ***paths, size_t *count)
{
    *paths = NULL;
    *count = 0;
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    struct dirent *e;
    size_t cap = 0;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (strncmp(e->d_name, prefix, strlen(prefix)) != 0 || n < 5 || strcmp(e->d_name + n - 5, ".json") != 0)
            continue;
        if (*count == cap) {
            cap = cap ? cap * 2 : 8;
            char **grown = realloc(*paths, cap * sizeof *grown);
            if (!grown)
                break;
            *paths = grown;
        }
        size_t len = strlen(dir) + n + 2;
        (*paths)[*count] = malloc(len);
        snprintf((*paths)[*count], len, "%s/%s", dir, e->d_name);
        (*count)++;
    }
    closedir(d);
    if (*count)
        qsort(*paths, *count, sizeof **paths, s_cmp);
    return 0;
}

void reg_json_list_free(char **paths, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(paths[i]);
    free(paths);
}
