/* ctl_csv — RFC 4180 CSV files with a header row, read row by row. */
#ifndef CTL_CSV_H
#define CTL_CSV_H

#include <stddef.h>

typedef struct ctl_csv_t ctl_csv_t;

/* Reads the whole file and its header. NULL + err when unreadable or empty. */
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
