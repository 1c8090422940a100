/* ctl_csv — see ctl_csv.h. Parses in place: fields point into the loaded text. */
#include "ctl_csv.h"

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
};

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

size_t ctl_csv_line(const ctl_csv_t *self) { return self->row_line; }
size_t ctl_csv_rows(const ctl_csv_t *self) { return self->rows; }
