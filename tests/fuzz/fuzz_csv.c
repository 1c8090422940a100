/* fuzz_csv — libFuzzer target for the tables ocopctl imports (services/ocopctl/ctl_csv.c): the
 * input is written to a file read once as CSV and once as JSON (the reader picks by the name's
 * ending), every row of each is read with ctl_csv_next and every cell's text is touched. */
#include <stdint.h>
#include <string.h>

#include "ctl_csv.h"
#include "fuzz_dir.h"

/* Where the cells' lengths go, so that reading them is not optimised away. */
static volatile size_t s_sink;

/* Reads every row of the table at path and the text of every cell, as an import does. */
static void s_read_all(const char *path)
{
    char err[512];
    ctl_csv_t *csv = ctl_csv_open(path, err, sizeof err);
    if (!csv)
        return;
    size_t total = ctl_csv_rows(csv) + (size_t)ctl_csv_column(csv, "name");
    const char **fields;
    size_t count;
    while (ctl_csv_next(csv, &fields, &count) == 1) {
        total += ctl_csv_line(csv);
        for (size_t i = 0; i < count; i++)
            total += strlen(fields[i]);
    }
    ctl_csv_destroy(&csv);
    s_sink = total;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[PATH_MAX];
    fuzz_dir_write("input.csv", data, size, path);
    s_read_all(path);
    fuzz_dir_write("input.json", data, size, path);
    s_read_all(path);
    return 0;
}
