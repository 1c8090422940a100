/* ctl_csv — tabular input read row by row: RFC 4180 CSV with a header row, or a JSON file
 * (name ending in .json) holding an array of objects, whose keys act as the columns (numbers
 * are read as their text, arrays of strings joined with ';'). */
#ifndef CTL_CSV_H
#define CTL_CSV_H

#include <stddef.h>

typedef struct ctl_csv_t ctl_csv_t;

/* Reads the whole file and its header. NULL + err when unreadable, empty or (JSON) not an
 * array of flat objects. */
ctl_csv_t *ctl_csv_open(const char *path, char *err, size_t errlen);
void ctl_csv_destroy(ctl_csv_t **self_p);

/* Index of a header column, or -1. */
int ctl_csv_column(const ctl_csv_t *self, const char *name);

/* Next data row: fields valid until the next call. 1 row, 0 end, -1 malformed (unterminated
 * quote). A missing trailing field reads as "". */
int ctl_csv_next(ctl_csv_t *self, const char ***fields, size_t *count);

/* 1-based line number where the last row started. */
size_t ctl_csv_line(const ctl_csv_t *self);
/* Rows in the file (counted at open). */
size_t ctl_csv_rows(const ctl_csv_t *self);

#endif
