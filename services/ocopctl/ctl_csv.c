/* ctl_csv — see ctl_csv.h. CSV is parsed in place (fields point into the loaded text); JSON
 * rows are turned into text cells one at a time. */
#include "ctl_csv.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_FIELDS_MAX 64

struct ctl_csv_t {
    char *text;
    size_t len, pos, line, row_line, rows;
    char *header[S_FIELDS_MAX];
    size_t header_count;
    const char *fields[S_FIELDS_MAX];
    cJSON *json;           /* JSON input: the array of row objects */
    const cJSON *json_row; /* the next row object */
    char cells[S_FIELDS_MAX][512];
};

static int s_ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Columns are the keys of all objects, in order of first appearance. */
static int s_open_json(ctl_csv_t *self, const char *path, char *err, size_t errlen)
{
    self->json = cJSON_Parse(self->text);
    if (!cJSON_IsArray(self->json)) {
        snprintf(err, errlen, "%s: expected a JSON array of objects", path);
        return -1;
    }
    size_t i = 0;
    const cJSON *row;
    cJSON_ArrayForEach (row, self->json) {
        if (!cJSON_IsObject(row)) {
            snprintf(err, errlen, "%s: element %zu is not an object", path, i);
            return -1;
        }
        const cJSON *v;
        cJSON_ArrayForEach (v, row) {
            if (ctl_csv_column(self, v->string) < 0 && self->header_count < S_FIELDS_MAX)
                self->header[self->header_count++] = v->string;
        }
        i++;
    }
    self->rows = i;
    self->json_row = self->json->child;
    return 0;
}

/* One JSON row as text cells in header order. */
static void s_json_row(ctl_csv_t *self, const cJSON *row)
{
    for (size_t c = 0; c < self->header_count; c++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(row, self->header[c]);
        char *cell = self->cells[c];
        cell[0] = '\0';
        if (cJSON_IsString(v))
            snprintf(cell, sizeof self->cells[c], "%s", v->valuestring);
        else if (cJSON_IsNumber(v))
            snprintf(cell, sizeof self->cells[c], "%.17g", v->valuedouble);
        else if (cJSON_IsBool(v))
            snprintf(cell, sizeof self->cells[c], "%s", cJSON_IsTrue(v) ? "true" : "false");
        else if (cJSON_IsArray(v)) {
            const cJSON *el;
            cJSON_ArrayForEach (el, v) {
                if (cJSON_IsString(el))
                    snprintf(cell + strlen(cell), sizeof self->cells[c] - strlen(cell), "%s%s", cell[0] ? ";" : "",
                             el->valuestring);
            }
        }
        self->fields[c] = cell;
    }
}

/* Parses one record at pos into out (in place, unquoting). 1, 0 at end, -1 malformed. */
static int s_record(ctl_csv_t *self, const char **out, size_t *count)
{
    *count = 0;
    if (self->pos >= self->len)
        return 0;
    self->row_line = self->line;
    char *p = self->text + self->pos, *end = self->text + self->len;
    for (;;) {
        char *field = p, *w = p;
        if (p < end && *p == '"') {
            p++;
            for (;;) {
                if (p >= end)
                    return -1;
                if (*p == '"') {
                    if (p + 1 < end && p[1] == '"') {
                        *w++ = '"';
                        p += 2;
                        continue;
                    }
                    p++;
                    break;
                }
                if (*p == '\n')
                    self->line++;
                *w++ = *p++;
            }
        } else {
            while (p < end && *p != ',' && *p != '\n' && *p != '\r')
                *w++ = *p++;
        }
        if (*count < S_FIELDS_MAX)
            out[(*count)++] = field;
        char sep = p < end ? *p : '\n';
        *w = '\0';
        if (sep == ',') {
            p++;
            continue;
        }
        if (sep == '\r' && p + 1 < end && p[1] == '\n')
            p++;
        if (p < end)
            p++;
        self->line++;
        break;
    }
    self->pos = (size_t)(p - self->text);
    return 1;
}

ctl_csv_t *ctl_csv_open(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open", path);
        return NULL;
    }
    ctl_csv_t *self = calloc(1, sizeof *self);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    self->text = malloc((size_t)size + 1);
    if (!self->text || fread(self->text, 1, (size_t)size, f) != (size_t)size) {
        fclose(f);
        snprintf(err, errlen, "%s: cannot read", path);
        ctl_csv_destroy(&self);
        return NULL;
    }
    fclose(f);
    self->len = (size_t)size;
    self->text[size] = '\0';
    self->line = 1;
    if (s_ends_with(path, ".json")) {
        self->row_line = 0; /* JSON rows are numbered from 1 */
        if (s_open_json(self, path, err, errlen) != 0) {
            ctl_csv_destroy(&self);
            return NULL;
        }
        return self;
    }
    /* Skip a UTF-8 byte order mark, which spreadsheet exports often add. */
    if (self->len >= 3 && memcmp(self->text, "\xEF\xBB\xBF", 3) == 0)
        self->pos = 3;
    for (size_t i = self->pos; i < self->len; i++)
        self->rows += self->text[i] == '\n';
    if (self->len && self->text[self->len - 1] != '\n')
        self->rows++;
    const char *fields[S_FIELDS_MAX];
    size_t n;
    if (s_record(self, fields, &n) != 1) {
        snprintf(err, errlen, "%s: no header row", path);
        ctl_csv_destroy(&self);
        return NULL;
    }
    self->rows = self->rows ? self->rows - 1 : 0;
    for (size_t i = 0; i < n; i++)
        self->header[i] = (char *)fields[i];
    self->header_count = n;
    return self;
}

void ctl_csv_destroy(ctl_csv_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    cJSON_Delete((*self_p)->json);
    free((*self_p)->text);
    free(*self_p);
    *self_p = NULL;
}

int ctl_csv_column(const ctl_csv_t *self, const char *name)
{
    for (size_t i = 0; i < self->header_count; i++)
        if (strcmp(self->header[i], name) == 0)
            return (int)i;
    return -1;
}

int ctl_csv_next(ctl_csv_t *self, const char ***fields, size_t *count)
{
    if (self->json) {
        const cJSON *row = self->json_row;
        if (!row)
            return 0;
        self->json_row = row->next;
        self->row_line++;
        s_json_row(self, row);
        *fields = self->fields;
        *count = self->header_count;
        return 1;
    }
    for (;;) {
        int rc = s_record(self, self->fields, count);
        if (rc != 1)
            return rc;
        /* Blank lines carry nothing. */
        if (*count == 1 && self->fields[0][0] == '\0')
            continue;
        for (size_t i = *count; i < self->header_count; i++)
            self->fields[i] = "";
        if (*count < self->header_count)
            *count = self->header_count;
        *fields = self->fields;
        return 1;
    }
}

size_t ctl_csv_line(const ctl_csv_t *self)
{
    return self->row_line;
}
size_t ctl_csv_rows(const ctl_csv_t *self)
{
    return self->rows;
}
