/* fuzz_rubric — libFuzzer target for the evaluation rubric files (services/evaluation/
 * eval_rubric.c): the input is written as the only rubric-*.json of a directory, loaded with
 * eval_rubrics_load and, when it loads, one sheet is checked against it: the best option (or
 * the maximum) of every criterion, the first alternative of each set, every knock-out. */
#include <stdint.h>
#include <stdlib.h>

#include "eval_rubric.h"
#include "fuzz_dir.h"

static void s_check_best_sheet(const eval_rubric_t *rubric)
{
    eval_choice_t *choices = calloc(rubric->n_criteria + 1, sizeof *choices);
    const char **knockouts = calloc(rubric->n_knockouts + 1, sizeof *knockouts);
    bool *set_given = calloc(rubric->n_alternatives + 1, sizeof *set_given);
    if (!choices || !knockouts || !set_given)
        abort();
    size_t n = 0;
    for (size_t i = 0; i < rubric->n_criteria; i++) {
        const eval_criterion_t *c = &rubric->criteria[i];
        if (c->alternative >= 0 && set_given[c->alternative])
            continue;
        if (c->alternative >= 0)
            set_given[c->alternative] = true;
        choices[n].id = c->id;
        if (c->n_options)
            choices[n].option = c->options[c->n_options - 1].id;
        else
            choices[n].score = c->max;
        n++;
    }
    for (size_t i = 0; i < rubric->n_knockouts; i++)
        knockouts[i] = rubric->knockouts[i].id;
    eval_sheet_t sheet = {choices, n, knockouts, rubric->n_knockouts};
    eval_sheet_result_t result;
    char err[512];
    eval_rubric_check_sheet(rubric, &sheet, &result, err, sizeof err);
    free(choices);
    free(knockouts);
    free(set_given);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[PATH_MAX];
    fuzz_dir_write("rubric-fuzz.json", data, size, path);
    char err[1024];
    eval_rubrics_t *rubrics = eval_rubrics_load(fuzz_dir(), err, sizeof err);
    for (size_t i = 0; rubrics && i < eval_rubrics_count(rubrics); i++)
        s_check_best_sheet(eval_rubrics_at(rubrics, i));
    eval_rubrics_destroy(&rubrics);
    return 0;
}
