/* demo_advance — moves the demo products through the OCOP cycle up to evaluation.
 *
 * Every demo product that registration accepted goes as far as the councils: its duplicate
 * review is cleared when registration flagged it (the products import journal says which), the
 * idea is accepted, the plan submitted and accepted (a few plans are first rejected and
 * resubmitted, so histories carry reasons), and the dossier submitted and accepted for
 * evaluation. The councils' results and the promotion of certified products come from
 * `ocop-demo evaluate`. The result is a transitions CSV for `ocopctl import transitions`;
 * the same journal and seed give the same file. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo.h"
#include "ctl_file.h"

/* One plan in twenty is sent back once before it is accepted. */
#define S_PLAN_REJECT_PER_MILLE 50

static const char *const s_plan_reasons[] = {
    "Phương án kinh doanh chưa có nghiên cứu thị trường",
    "Thiếu kế hoạch vùng nguyên liệu",
    "Chưa nêu rõ phương án bao bì, nhãn mác",
};

static uint64_t s_next(uint64_t *state)
{
    /* splitmix64: a tiny, well-mixed generator; reproducible across platforms. */
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static void s_row(FILE *out, size_t *n, const char *product_ref, const char *action, const char *reason,
                  const char *note)
{
    fprintf(out, "T%07zu,%s,%s,\"%s\",\"%s\"\n", ++*n, product_ref, action, reason, note);
}

int demo_advance(ctl_t *ctl, int argc, char **argv)
{
    (void)ctl;
    const char *journal = NULL, *out_path = NULL;
    uint64_t seed = 2025;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--journal") == 0 && i + 1 < argc)
            journal = argv[++i];
        else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
            out_path = argv[++i];
        else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc && ctl_parse_u64(argv[++i], 0, UINT64_MAX, &seed) == 0)
            continue;
        else {
            journal = out_path = NULL;
            break;
        }
    }
    if (!journal || !out_path) {
        fprintf(stderr, "usage: ocop-demo advance --journal PRODUCTS.journal --out FILE.csv [--seed N]\n"
                        "  PRODUCTS.journal is what 'ocopctl import products' wrote beside its CSV.\n");
        return CTL_EXIT_USAGE;
    }
    FILE *in = fopen(journal, "r");
    if (!in) {
        fprintf(stderr, "ocop-demo advance: cannot read %s\n", journal);
        return CTL_EXIT_USAGE;
    }
    /* Written whole or not at all: a re-run after an interruption finds no half a file. */
    ctl_file_t file;
    if (ctl_file_open(&file, out_path) != 0) {
        fclose(in);
        fprintf(stderr, "ocop-demo advance: cannot write %s\n", out_path);
        return CTL_EXIT_FAILED;
    }
    FILE *out = file.f;
    fprintf(out, "ref,product_ref,action,reason,note\n");
    char line[2048];
    size_t products = 0, rows = 0, reviewed = 0, rejected = 0;
    uint64_t rng = seed;
    while (fgets(line, sizeof line, in)) {
        char *save = NULL, *ref = strtok_r(line, "\t\n", &save), *status = strtok_r(NULL, "\t\n", &save);
        char *id = strtok_r(NULL, "\t\n", &save), *flags = strtok_r(NULL, "\t\n", &save);
        if (!ref || !status || !id || strcmp(status, "OK") != 0)
            continue;
        products++;
        if (flags && strcmp(flags, "flagged") == 0) {
            s_row(out, &rows, ref, "review_cleared", "", "Đã thẩm định: sản phẩm khác biệt, không trùng lặp");
            reviewed++;
        }
        s_row(out, &rows, ref, "accept", "", "");
        s_row(out, &rows, ref, "submit", "", "");
        if (s_next(&rng) % 1000 < S_PLAN_REJECT_PER_MILLE) {
            size_t n_reasons = sizeof s_plan_reasons / sizeof s_plan_reasons[0];
            s_row(out, &rows, ref, "reject", s_plan_reasons[s_next(&rng) % n_reasons], "");
            s_row(out, &rows, ref, "resubmit", "", "");
            rejected++;
        }
        s_row(out, &rows, ref, "accept", "", "");
        s_row(out, &rows, ref, "submit", "", "");
        s_row(out, &rows, ref, "accept", "", "");
    }
    fclose(in);
    if (ctl_file_commit(&file) != 0) {
        fprintf(stderr, "ocop-demo advance: cannot write %s\n", out_path);
        return CTL_EXIT_FAILED;
    }
    printf("demo: %zu transitions for %zu products (%zu reviews cleared, %zu plans rejected then resubmitted); "
           "wrote %s\n",
           rows, products, reviewed, rejected, out_path);
    return CTL_EXIT_OK;
}
