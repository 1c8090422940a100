/* bench_postgres — see bench_postgres.h. */
#include "bench_postgres.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

static int s_parse_line(const char *line, bench_postgres_t *out)
{
    int clients;
    double tps;
    char tail;
    if (strncmp(line, "version ", 8) == 0) {
        snprintf(out->version, sizeof out->version, "%s", line + 8);
        return 0;
    }
    if (strncmp(line, "unavailable ", 12) == 0) {
        snprintf(out->unavailable, sizeof out->unavailable, "%s", line + 12);
        return 0;
    }
    if (sscanf(line, "clients %d tps %lf%c", &clients, &tps, &tail) == 2 && out->n < BENCH_POSTGRES_RUNS_MAX) {
        out->clients[out->n] = clients;
        out->per_second[out->n++] = tps;
        return 0;
    }
    fprintf(stderr, "bench_postgres: unexpected line from the script: %s\n", line);
    return -1;
}

int bench_postgres_run(const char *script, double seconds, const int *clients, size_t n, bench_postgres_t *out)
{
    memset(out, 0, sizeof *out);
    if (n == 0 || n > BENCH_POSTGRES_RUNS_MAX)
        return -1;
    char cmd[2048];
    int len = snprintf(cmd, sizeof cmd, "bash '%s' %.0f", script, seconds);
    for (size_t i = 0; i < n && len > 0 && (size_t)len < sizeof cmd; i++)
        len += snprintf(cmd + len, sizeof cmd - (size_t)len, " %d", clients[i]);
    if (len <= 0 || (size_t)len >= sizeof cmd)
        return -1;
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    char line[256];
    int rc = 0;
    while (fgets(line, sizeof line, p)) {
        line[strcspn(line, "\n")] = '\0';
        if (s_parse_line(line, out) != 0)
            rc = -1;
    }
    int status = pclose(p);
    if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        rc = -1;
    if (rc == 0 && !out->unavailable[0] && out->n != n)
        rc = -1;
    return rc;
}

double bench_postgres_rate(const bench_postgres_t *pg, int clients)
{
    for (size_t i = 0; i < pg->n; i++)
        if (pg->clients[i] == clients)
            return pg->per_second[i];
    return 0;
}
