/* Unit tests for eval_policy: the three rating-level policies load; the policy in force on a
 * date; per-level outcomes (stars capped at what a level may confer, forwarding upward);
 * broken policy files are refused naming file and field; the real policies load. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "eval_policy.h"
#include "unit_tmpdir.h"

#define S_N(a) (sizeof(a) / sizeof((a)[0]))

/* The procedure sections every policy carries (FORMAT.md): certificate term, what follows a
 * central refusal, revocation (one ground, a province for 3★/4★ and the centre for 5★). */
#define S_PROC                                                                                                         \
    "\"certificate\": {\"months\": 36, \"from\": \"session\", \"article\": \"Art. 1\"}, "                              \
    "\"after_central_below\": {\"action\": \"keep_province_stars\", \"article\": \"Art. 2\"}, "                        \
    "\"revocation\": {\"article\": \"Art. 3\", \"within_days\": 15, \"authority\": [{\"level\": \"province\", "        \
    "\"stars\": [3, 4]}, {\"level\": \"central\", \"stars\": [5]}], \"grounds\": [{\"code\": \"law_violation\", "      \
    "\"article\": \"Art. 3.1\", \"text\": \"vi phạm\", \"reasons\": [\"food_safety\"]}]}, "

/* The three policies as the decisions describe them, in the FORMAT.md layout. */
static const char s_1048[] =
    "{\"instrument\": \"1048\", \"decision\": \"1048/QĐ-TTg\", \"effective_from\": \"2019-08-21\", \"rubric\": "
    "\"1048\", " S_PROC "\"levels\": ["
    "{\"level\": \"district\", \"scores\": true, \"council\": {\"min_members\": 1, \"quorum_present\": 3, "
    "\"quorum_of\": 4, \"chair_present\": true, \"article\": \"x\"}, \"confers_min_stars\": 0, \"confers_max_stars\": "
    "0,"
    " \"forward_at\": 50},"
    "{\"level\": \"province\", \"scores\": true, \"council\": {\"min_members\": 1, \"quorum_present\": 3, "
    "\"quorum_of\": 4, \"chair_present\": true, \"article\": \"x\"}, \"confers_min_stars\": 3, \"confers_max_stars\": "
    "4,"
    " \"forward_at\": 90},"
    "{\"level\": \"central\", \"scores\": true, \"council\": {\"min_members\": 1, \"quorum_present\": 3, "
    "\"quorum_of\": 4, \"chair_present\": true, \"article\": \"x\"}, \"confers_min_stars\": 5, \"confers_max_stars\": "
    "5}],"
    " \"notes\": \"\"}";
/* District without forward_at: exercises forwarding by "band above what the level confers". */
static const char s_148[] =
    "{\"instrument\": \"148\", \"decision\": \"148/QĐ-TTg\", \"effective_from\": \"2023-02-24\", \"rubric\": "
    "\"148\", " S_PROC "\"levels\": ["
    "{\"level\": \"district\", \"scores\": true, \"council\": {\"min_members\": 1, \"quorum_present\": 3, "
    "\"quorum_of\": 4, \"chair_present\": true, \"article\": \"x\"}, \"confers_min_stars\": 3, \"confers_max_stars\": "
    "3},"
    "{\"level\": \"province\", \"scores\": true, \"council\": {\"min_members\": 1, \"quorum_present\": 3, "
    "\"quorum_of\": 4, \"chair_present\": true, \"article\": \"x\"}, \"confers_min_stars\": 4, \"confers_max_stars\": "
    "4,"
    " \"forward_at\": 90},"
    "{\"level\": \"central\", \"scores\": true, \"council\": {\"min_members\": 1, \"quorum_present\": 3, "
    "\"quorum_of\": 4, \"chair_present\": true, \"article\": \"x\"}, \"confers_min_stars\": 5, \"confers_max_stars\": "
    "5}],"
    " \"notes\": \"\"}";
static const char s_1489[] =
    "{\"instrument\": \"1489\", \"decision\": \"1489/QĐ-TTg\", \"effective_from\": \"2025-07-06\", \"rubric\": "
    "\"148\", " S_PROC "\"levels\": ["
    "{\"level\": \"commune\", \"scores\": false, \"attests\": true},"
    "{\"level\": \"province\", \"scores\": true, \"council\": {\"min_members\": 1, \"quorum_present\": 3, "
    "\"quorum_of\": 4, \"chair_present\": true, \"article\": \"x\"}, \"confers_min_stars\": 3, \"confers_max_stars\": "
    "4,"
    " \"forward_at\": 90},"
    "{\"level\": \"central\", \"scores\": true, \"council\": {\"min_members\": 1, \"quorum_present\": 3, "
    "\"quorum_of\": 4, \"chair_present\": true, \"article\": \"x\"}, \"confers_min_stars\": 5, \"confers_max_stars\": "
    "5}],"
    " \"notes\": \"\"}";

static eval_policies_t *s_load_three(unit_fixture_t *fx)
{
    char dir[UNIT_TMPDIR_LEN + 16], err[512] = "";
    assert_int_equal(unit_fixture_case_dir(fx, dir, sizeof dir), 0);
    assert_int_equal(unit_write_file(dir, "policy-1048.json", s_1048), 0);
    assert_int_equal(unit_write_file(dir, "policy-148.json", s_148), 0);
    assert_int_equal(unit_write_file(dir, "policy-1489.json", s_1489), 0);
    eval_policies_t *set = eval_policies_load(dir, err, sizeof err);
    if (!set)
        fail_msg("valid policies refused: %s", err);
    return set;
}

static void test_levels(void **state)
{
    eval_policies_t *set = s_load_three(*state);
    assert_int_equal(eval_policies_count(set), 3);
    assert_string_equal(eval_policies_at(set, 0)->source, "policy-1048.json");
    assert_null(eval_policies_at(set, 3));
    assert_null(eval_policies_find(set, "781"));

    const eval_policy_t *p = eval_policies_find(set, "1489");
    assert_non_null(p);
    assert_string_equal(p->decision, "1489/QĐ-TTg");
    assert_string_equal(p->effective_from, "2025-07-06");
    assert_int_equal(strlen(p->digest), 64);
    assert_int_equal(p->n_levels, 3);
    assert_null(eval_policy_level(p, EVAL_LEVEL_DISTRICT));
    const eval_policy_level_t *commune = eval_policy_level(p, EVAL_LEVEL_COMMUNE);
    assert_non_null(commune);
    assert_false(commune->scores);
    assert_true(commune->attests);
    const eval_policy_level_t *province = eval_policy_level(p, EVAL_LEVEL_PROVINCE);
    assert_true(province->scores && !province->attests);
    assert_int_equal(province->confers_min_stars, 3);
    assert_int_equal(province->confers_max_stars, 4);
    assert_true(province->forwards && province->forward_at == 90);
    assert_int_equal(eval_policy_next_scoring(p, EVAL_LEVEL_COMMUNE)->level, EVAL_LEVEL_PROVINCE);
    assert_int_equal(eval_policy_next_scoring(p, EVAL_LEVEL_PROVINCE)->level, EVAL_LEVEL_CENTRAL);
    assert_null(eval_policy_next_scoring(p, EVAL_LEVEL_CENTRAL));

    const eval_policy_level_t *district = eval_policy_level(eval_policies_find(set, "1048"), EVAL_LEVEL_DISTRICT);
    assert_int_equal(district->confers_max_stars, 0);
    assert_true(district->forwards && district->forward_at == 50);
    assert_false(eval_policy_level(eval_policies_find(set, "148"), EVAL_LEVEL_DISTRICT)->forwards);

    eval_level_t level;
    assert_int_equal(eval_level_parse("province", &level), 0);
    assert_int_equal(level, EVAL_LEVEL_PROVINCE);
    assert_int_equal(eval_level_parse("ward", &level), -1);
    assert_int_equal(eval_level_parse(NULL, &level), -1);
    assert_string_equal(eval_level_name(EVAL_LEVEL_CENTRAL), "central");
    assert_string_equal(eval_level_name((eval_level_t)7), "unknown");
    eval_policies_destroy(&set);
    assert_null(set);
    eval_policies_destroy(&set);
}

typedef struct {
    const char *day;
    const char *instrument; /* NULL: none in force */
} s_day_case_t;

static const s_day_case_t s_days[] = {
    {"2019-08-20", NULL},   {"2019-08-21", "1048"},
    {"2020-01-01", "1048"}, {"2023-02-23", "1048"},
    {"2023-02-24", "148"},  {"2024-01-01", "148"},
    {"2025-07-05", "148"},  {"2025-07-06", "1489"},
    {"2025-08-01", "1489"}, {"2031-12-31", "1489"},
    {"2025-8-1", NULL},     {"2025-02-29", NULL},
    {"2024-02-29", "148"},  {"", NULL},
    {"yesterday", NULL},
};

static void test_in_force(void **state)
{
    eval_policies_t *set = s_load_three(*state);
    for (size_t i = 0; i < S_N(s_days); i++) {
        const eval_policy_t *p = eval_policies_in_force(set, s_days[i].day);
        const char *got = p ? p->instrument : NULL;
        if ((got == NULL) != (s_days[i].instrument == NULL) || (got && strcmp(got, s_days[i].instrument) != 0))
            fail_msg("%s: in force %s, expected %s", s_days[i].day, got ? got : "none",
                     s_days[i].instrument ? s_days[i].instrument : "none");
    }
    eval_policies_destroy(&set);
}

typedef struct {
    const char *instrument;
    eval_level_t level;
    double mean;
    int band; /* the stars the sheets rank the product: its band capped by the minimums; 0 = knocked out */
    int rc;
    int stars;
    bool forwarded;
    eval_level_t forward_to;
} s_outcome_case_t;

static const s_outcome_case_t s_outcomes[] = {
    /* 1048: the district only scores and forwards from 50. */
    {"1048", EVAL_LEVEL_DISTRICT, 49.99, 2, 0, 0, false, EVAL_LEVEL_DISTRICT},
    {"1048", EVAL_LEVEL_DISTRICT, 50, 3, 0, 0, true, EVAL_LEVEL_PROVINCE},
    {"1048", EVAL_LEVEL_DISTRICT, 95, 5, 0, 0, true, EVAL_LEVEL_PROVINCE},
    /* 1048 province: 3★–4★; ≥ 90 keeps 4★ here and goes to the ministry as potential 5★. */
    {"1048", EVAL_LEVEL_PROVINCE, 45, 2, 0, 0, false, EVAL_LEVEL_PROVINCE},
    {"1048", EVAL_LEVEL_PROVINCE, 65, 3, 0, 3, false, EVAL_LEVEL_PROVINCE},
    {"1048", EVAL_LEVEL_PROVINCE, 89.99, 4, 0, 4, false, EVAL_LEVEL_PROVINCE},
    {"1048", EVAL_LEVEL_PROVINCE, 90, 5, 0, 4, true, EVAL_LEVEL_CENTRAL},
    {"1048", EVAL_LEVEL_CENTRAL, 95, 5, 0, 5, false, EVAL_LEVEL_CENTRAL},
    {"1048", EVAL_LEVEL_CENTRAL, 85, 4, 0, 0, false, EVAL_LEVEL_CENTRAL},
    /* 148 district confers only 3★: a 75 confers 3★ and is forwarded to the province. */
    {"148", EVAL_LEVEL_DISTRICT, 75, 4, 0, 3, true, EVAL_LEVEL_PROVINCE},
    {"148", EVAL_LEVEL_DISTRICT, 69.99, 3, 0, 3, false, EVAL_LEVEL_DISTRICT},
    {"148", EVAL_LEVEL_DISTRICT, 40, 2, 0, 0, false, EVAL_LEVEL_DISTRICT},
    {"148", EVAL_LEVEL_DISTRICT, 75, 0, 0, 0, false, EVAL_LEVEL_DISTRICT}, /* knocked out */
    {"148", EVAL_LEVEL_PROVINCE, 80, 4, 0, 4, false, EVAL_LEVEL_PROVINCE},
    {"148", EVAL_LEVEL_PROVINCE, 60, 3, 0, 0, false, EVAL_LEVEL_PROVINCE},
    {"148", EVAL_LEVEL_PROVINCE, 92, 5, 0, 4, true, EVAL_LEVEL_CENTRAL},
    {"148", EVAL_LEVEL_PROVINCE, 95, 0, 0, 0, false, EVAL_LEVEL_PROVINCE}, /* knocked out */
    {"148", EVAL_LEVEL_CENTRAL, 91, 5, 0, 5, false, EVAL_LEVEL_CENTRAL},
    /* Held below its band by a star minimum: ranked 4★ at 95 stays at the province (the
     * ministry confers only 5★); a district's 75 held at 3★ is not the province's 4★. */
    {"148", EVAL_LEVEL_PROVINCE, 95, 4, 0, 4, false, EVAL_LEVEL_PROVINCE},
    {"148", EVAL_LEVEL_DISTRICT, 75, 3, 0, 3, false, EVAL_LEVEL_DISTRICT},
    {"148", EVAL_LEVEL_DISTRICT, 75, 2, 0, 0, false, EVAL_LEVEL_DISTRICT},
    /* 1489: the commune attests but does not score; no districts. */
    {"1489", EVAL_LEVEL_PROVINCE, 70, 4, 0, 4, false, EVAL_LEVEL_PROVINCE},
    {"1489", EVAL_LEVEL_PROVINCE, 50, 3, 0, 3, false, EVAL_LEVEL_PROVINCE},
    {"1489", EVAL_LEVEL_PROVINCE, 90, 5, 0, 4, true, EVAL_LEVEL_CENTRAL},
    {"1489", EVAL_LEVEL_COMMUNE, 75, 4, -1, 0, false, EVAL_LEVEL_COMMUNE},
    {"1489", EVAL_LEVEL_DISTRICT, 75, 4, -1, 0, false, EVAL_LEVEL_COMMUNE},
    /* malformed calls */
    {"1489", EVAL_LEVEL_PROVINCE, 75, 6, -1, 0, false, EVAL_LEVEL_COMMUNE},
    {"1489", EVAL_LEVEL_PROVINCE, -1, 1, -1, 0, false, EVAL_LEVEL_COMMUNE},
    {"1489", EVAL_LEVEL_PROVINCE, NAN, 1, -1, 0, false, EVAL_LEVEL_COMMUNE},
};

static void test_outcomes(void **state)
{
    eval_policies_t *set = s_load_three(*state);
    for (size_t i = 0; i < S_N(s_outcomes); i++) {
        const s_outcome_case_t *c = &s_outcomes[i];
        const eval_policy_t *p = eval_policies_find(set, c->instrument);
        eval_outcome_t out;
        char err[256] = "";
        int rc = eval_policy_outcome(p, c->level, c->mean, c->band, &out, err, sizeof err);
        if (rc != c->rc)
            fail_msg("case %zu (%s %s %g): rc %d, expected %d (%s)", i, c->instrument, eval_level_name(c->level),
                     c->mean, rc, c->rc, err);
        if (rc != 0) {
            assert_true(err[0] != '\0');
            continue;
        }
        if (out.stars != c->stars || out.forwarded != c->forwarded || out.forward_to != c->forward_to)
            fail_msg("case %zu (%s %s %g, band %d): %d★ forwarded %d to %s; expected %d★ %d %s", i, c->instrument,
                     eval_level_name(c->level), c->mean, c->band, out.stars, out.forwarded,
                     eval_level_name(out.forward_to), c->stars, c->forwarded, eval_level_name(c->forward_to));
    }
    char err[256] = "";
    eval_outcome_t out;
    eval_policy_outcome(eval_policies_find(set, "1489"), EVAL_LEVEL_DISTRICT, 75, 4, &out, err, sizeof err);
    assert_string_equal(err, "level: 1489/QĐ-TTg has no district level");
    eval_policy_outcome(eval_policies_find(set, "1489"), EVAL_LEVEL_COMMUNE, 75, 4, &out, err, sizeof err);
    assert_string_equal(err, "level: under 1489/QĐ-TTg the commune level does not score");
    eval_policies_destroy(&set);
}

/* ---- broken files -------------------------------------------------------------------------- */

#define S_HEAD                                                                                                         \
    "{\"instrument\": \"9\", \"decision\": \"9/QĐ-TTg\", \"effective_from\": \"2030-01-01\", \"notes\": \"\", "       \
    "\"rubric\": \"148\", " S_PROC
#define S_CENTRAL                                                                                                      \
    "{\"level\": \"central\", \"scores\": true, \"council\": {\"min_members\": 1, \"quorum_present\": 3, "             \
    "\"quorum_of\": 4, \"chair_present\": true, \"article\": \"x\"}, \"confers_min_stars\": 5, "                       \
    "\"confers_max_stars\": 5}"
#define S_PROVINCE                                                                                                     \
    "{\"level\": \"province\", \"scores\": true, \"council\": {\"min_members\": 1, \"quorum_present\": 3, "            \
    "\"quorum_of\": 4, \"chair_present\": true, \"article\": \"x\"}, \"confers_min_stars\": 3, "                       \
    "\"confers_max_stars\": 4, \"forward_at\": "                                                                       \
    "90}"

/* A policy of a province and a central level with the given "rounds" members. */
#define S_ROUNDS(members) S_HEAD "\"levels\": [" S_PROVINCE ", " S_CENTRAL "], \"rounds\": {" members "}}"
#define S_ROUND(number, cutoff, deadline)                                                                              \
    "{\"number\": " number ", \"cutoff\": \"" cutoff "\", \"deadline\": \"" deadline "\"}"

typedef struct {
    const char *label;
    const char *json;
    const char *field;
    const char *reason;
} s_broken_t;

static const s_broken_t s_broken[] = {
    {"unknown level", S_HEAD "\"levels\": [{\"level\": \"ward\", \"scores\": false, \"attests\": true}]}",
     ": levels[0].level: ", "unknown level \"ward\""},
    {"order", S_HEAD "\"levels\": [" S_CENTRAL ", " S_PROVINCE "]}", ": levels[1].level: ", "province after central"},
    {"twice", S_HEAD "\"levels\": [" S_CENTRAL ", " S_CENTRAL "]}", ": levels[1].level: ", "central after central"},
    {"non-scoring confers",
     S_HEAD
     "\"levels\": [{\"level\": \"commune\", \"scores\": false, \"attests\": true, \"confers_max_stars\": 3}, " S_CENTRAL
     "]}",
     ": levels[0].confers_max_stars: ", "only a level that scores"},
    {"neither scores nor attests", S_HEAD "\"levels\": [{\"level\": \"commune\", \"scores\": false}, " S_CENTRAL "]}",
     ": levels[0].attests: ", "must attest"},
    {"missing scores", S_HEAD "\"levels\": [{\"level\": \"central\"}]}", ": levels[0].scores: ", "is required"},
    {"missing max stars",
     S_HEAD "\"levels\": [{\"level\": \"central\", \"scores\": true, \"council\": {\"min_members\": 1, "
            "\"quorum_present\": 3, \"quorum_of\": 4, \"chair_present\": true, \"article\": \"x\"}}]}",
     ": levels[0].confers_max_stars: ", "is required"},
    {"min above max",
     S_HEAD
     "\"levels\": [{\"level\": \"central\", \"scores\": true, \"council\": {\"min_members\": 1, \"quorum_present\": 3, "
     "\"quorum_of\": 4, \"chair_present\": true, \"article\": \"x\"}, \"confers_min_stars\": 5, "
     "\"confers_max_stars\": 4}]}",
     ": levels[0].confers_min_stars: ", "from 1 to 4, found 5"},
    {"six stars",
     S_HEAD
     "\"levels\": [{\"level\": \"central\", \"scores\": true, \"council\": {\"min_members\": 1, \"quorum_present\": 3, "
     "\"quorum_of\": 4, \"chair_present\": true, \"article\": \"x\"}, \"confers_min_stars\": 5, "
     "\"confers_max_stars\": 6}]}",
     ": levels[0].confers_max_stars: ", "from 0 to 5, found 6"},
    {"half a star",
     S_HEAD
     "\"levels\": [{\"level\": \"central\", \"scores\": true, \"council\": {\"min_members\": 1, \"quorum_present\": 3, "
     "\"quorum_of\": 4, \"chair_present\": true, \"article\": \"x\"}, \"confers_min_stars\": 4.5, "
     "\"confers_max_stars\": 5}]}",
     ": levels[0].confers_min_stars: ", "whole number"},
    {"confers nothing, forwards nowhere",
     S_HEAD
     "\"levels\": [{\"level\": \"district\", \"scores\": true, \"council\": {\"min_members\": 1, \"quorum_present\": "
     "3, \"quorum_of\": 4, \"chair_present\": true, \"article\": \"x\"}, \"confers_max_stars\": 0}, " S_CENTRAL "]}",
     ": levels[0].forward_at: ", "is required"},
    {"forward from the top", S_HEAD "\"levels\": [" S_PROVINCE "]}",
     ": levels[0].forward_at: ", "no later level scores"},
    {"negative forward",
     S_HEAD
     "\"levels\": [{\"level\": \"province\", \"scores\": true, \"council\": {\"min_members\": 1, \"quorum_present\": "
     "3, \"quorum_of\": 4, \"chair_present\": true, \"article\": \"x\"}, \"confers_min_stars\": 3, "
     "\"confers_max_stars\": 4, \"forward_at\": -5}, " S_CENTRAL "]}",
     ": levels[0].forward_at: ", "must be positive"},
    {"no scoring level", S_HEAD "\"levels\": [{\"level\": \"commune\", \"scores\": false, \"attests\": true}]}",
     ": levels: ", "no level scores"},
    {"empty levels", S_HEAD "\"levels\": []}", ": levels: ", "must not be empty"},
    {"missing decision",
     "{\"instrument\": \"9\", \"effective_from\": \"2030-01-01\", \"rubric\": \"148\", " S_PROC
     "\"levels\": [" S_CENTRAL "]}",
     ": decision: ", "is required"},
    {"missing rubric",
     "{\"instrument\": \"9\", \"decision\": \"9\", \"effective_from\": \"2030-01-01\", " S_PROC
     "\"levels\": [" S_CENTRAL "]}",
     ": rubric: ", "is required"},
    {"missing instrument",
     "{\"decision\": \"9\", \"effective_from\": \"2030-01-01\", \"rubric\": \"148\", " S_PROC "\"levels\": [" S_CENTRAL
     "]}",
     ": instrument: ", "is required"},
    {"bad date",
     "{\"instrument\": \"9\", \"decision\": \"9\", \"effective_from\": \"2030-13-01\", \"rubric\": \"148\", " S_PROC
     "\"levels\": [" S_CENTRAL "]}",
     ": effective_from: ", "YYYY-MM-DD"},
    {"missing notes",
     "{\"instrument\": \"9\", \"decision\": \"9\", \"effective_from\": \"2030-01-01\", \"rubric\": \"148\", " S_PROC
     "\"levels\": [" S_CENTRAL "]}",
     ": notes: ", "is required"},
    {"scores not boolean", S_HEAD "\"levels\": [{\"level\": \"central\", \"scores\": 1}]}",
     ": levels[0].scores: ", "true or false"},
    {"same instrument as 1048",
     "{\"instrument\": \"1048\", \"decision\": \"x\", \"effective_from\": \"2030-01-01\", \"rubric\": \"148\","
     " \"notes\": \"\", " S_PROC "\"levels\": [" S_CENTRAL "]}",
     ": instrument: ", "1048 is already defined by policy-1048.json"},
    {"same date as 1048",
     "{\"instrument\": \"9\", \"decision\": \"x\", \"effective_from\": \"2019-08-21\", \"rubric\": \"148\","
     " \"notes\": \"\", " S_PROC "\"levels\": [" S_CENTRAL "]}",
     ": effective_from: ", "2019-08-21 is also the date of policy-1048.json"},
    /* The procedure sections. */
    {"no certificate section",
     "{\"instrument\": \"9\", \"decision\": \"9\", \"effective_from\": \"2030-01-01\", \"rubric\": \"148\", "
     "\"notes\": \"\", \"levels\": [" S_CENTRAL "]}",
     ": certificate: ", "is required"},
    {"certificate term from an unknown date",
     "{\"instrument\": \"9\", \"decision\": \"9\", \"effective_from\": \"2030-01-01\", \"rubric\": \"148\", "
     "\"notes\": \"\", \"certificate\": {\"months\": 36, \"from\": \"signature\", \"article\": \"x\"}, \"levels\": "
     "[" S_CENTRAL "]}",
     ": certificate.from: ", "\"signature\""},
    {"revocation: an unknown reason",
     "{\"instrument\": \"9\", \"decision\": \"9\", \"effective_from\": \"2030-01-01\", \"rubric\": \"148\", "
     "\"notes\": \"\", \"certificate\": {\"months\": 36, \"from\": \"decision\", \"article\": \"x\"}, "
     "\"after_central_below\": {\"action\": \"province_may_certify\", \"article\": \"x\"}, \"revocation\": "
     "{\"article\": "
     "\"x\", \"within_days\": 15, \"authority\": [{\"level\": \"central\", \"stars\": [5]}], \"grounds\": [{\"code\": "
     "\"g\", \"article\": \"x\", \"text\": \"t\", "
     "\"reasons\": [\"bad_weather\"]}]}, \"levels\": [" S_CENTRAL "]}",
     ": revocation.grounds[0].reasons: ", "revocation reason name"},
    {"revocation: two authorities for 5 stars",
     "{\"instrument\": \"9\", \"decision\": \"9\", \"effective_from\": \"2030-01-01\", \"rubric\": \"148\", "
     "\"notes\": \"\", \"certificate\": {\"months\": 36, \"from\": \"decision\", \"article\": \"x\"}, "
     "\"after_central_below\": {\"action\": \"province_may_certify\", \"article\": \"x\"}, \"revocation\": "
     "{\"article\": "
     "\"x\", \"within_days\": 15, \"authority\": [{\"level\": \"province\", \"stars\": [5]}, {\"level\": \"central\", "
     "\"stars\": [5]}], \"grounds\": []}, \"levels\": [" S_CENTRAL "]}",
     ": revocation.authority[1].stars: ", "5 stars already has an authority"},
    {"after a central refusal: unknown action",
     "{\"instrument\": \"9\", \"decision\": \"9\", \"effective_from\": \"2030-01-01\", \"rubric\": \"148\", "
     "\"notes\": \"\", \"certificate\": {\"months\": 36, \"from\": \"decision\", \"article\": \"x\"}, "
     "\"after_central_below\": {\"action\": \"appeal\", \"article\": \"x\"}, \"levels\": [" S_CENTRAL "]}",
     ": after_central_below.action: ", "\"appeal\""},
    {"a scoring level without council rules",
     S_HEAD "\"levels\": [{\"level\": \"central\", \"scores\": true, \"confers_min_stars\": 5, "
            "\"confers_max_stars\": 5}]}",
     ": levels[0].council: ", "is required for a level that scores"},
    {"district until not a date",
     S_HEAD "\"levels\": [{\"level\": \"district\", \"scores\": true, \"council\": {\"min_members\": 1, "
            "\"quorum_present\": 3, \"quorum_of\": 4, \"chair_present\": true, \"article\": \"x\"}, "
            "\"confers_min_stars\": 3, \"confers_max_stars\": 3, "
            "\"until\": \"2025-06-31\"}, " S_CENTRAL "]}",
     ": levels[0].until: ", "YYYY-MM-DD"},
    /* The rounds (26/2026 Art. 5). */
    {"rounds: no article", S_ROUNDS("\"min_per_year\": 1, \"province\": [" S_ROUND("1", "04-30", "06-30") "]"),
     ": rounds.article: ", "is required"},
    {"rounds: none a year", S_ROUNDS("\"article\": \"Art. 5\", \"min_per_year\": 0, \"province\": []"),
     ": rounds.min_per_year: ", "from 1 to"},
    {"rounds: no level", S_ROUNDS("\"article\": \"Art. 5\", \"min_per_year\": 1"),
     ": rounds: ", "names no level's rounds"},
    {"rounds: an unknown member",
     S_ROUNDS("\"article\": \"Art. 5\", \"min_per_year\": 1, \"ward\": [" S_ROUND("1", "04-30", "06-30") "]"),
     ": rounds.ward: ", "unknown member"},
    {"rounds: a level that does not score",
     S_ROUNDS("\"article\": \"Art. 5\", \"min_per_year\": 1, \"district\": [" S_ROUND("1", "04-30", "06-30") "]"),
     ": rounds.district: ", "does not score"},
    {"rounds: an empty level", S_ROUNDS("\"article\": \"Art. 5\", \"min_per_year\": 1, \"province\": []"),
     ": rounds.province: ", "non-empty array"},
    {"rounds: not a day",
     S_ROUNDS("\"article\": \"Art. 5\", \"min_per_year\": 1, \"province\": [" S_ROUND("1", "02-30", "06-30") "]"),
     ": rounds.province[0].cutoff: ", "\"02-30\" is not a day of every year"},
    {"rounds: 29 February",
     S_ROUNDS("\"article\": \"Art. 5\", \"min_per_year\": 1, \"province\": [" S_ROUND("1", "01-30", "02-29") "]"),
     ": rounds.province[0].deadline: ", "not a day of every year"},
    {"rounds: a full date",
     S_ROUNDS("\"article\": \"Art. 5\", \"min_per_year\": 1, \"province\": [" S_ROUND("1", "2026-04-30", "06-30") "]"),
     ": rounds.province[0].cutoff: ", "MM-DD"},
    {"rounds: deadline before the cut-off",
     S_ROUNDS("\"article\": \"Art. 5\", \"min_per_year\": 1, \"central\": [" S_ROUND("1", "07-30", "03-30") "]"),
     ": rounds.central[0].deadline: ", "03-30 is not after the cut-off 07-30"},
    {"rounds: numbered out of order",
     S_ROUNDS("\"article\": \"Art. 5\", \"min_per_year\": 1, \"province\": [" S_ROUND("2", "04-30", "06-30") "]"),
     ": rounds.province[0].number: ", "numbered 1, 2"},
    {"rounds: fewer than a year needs",
     S_ROUNDS("\"article\": \"Art. 5\", \"min_per_year\": 2, \"province\": [" S_ROUND("1", "04-30", "06-30") "]"),
     ": rounds.province: ", "1 rounds, fewer than min_per_year 2"},
};

static void test_broken_files(void **state)
{
    unit_fixture_t *fx = *state;
    for (size_t i = 0; i < S_N(s_broken); i++) {
        char dir[UNIT_TMPDIR_LEN + 16], err[512] = "";
        assert_int_equal(unit_fixture_case_dir(fx, dir, sizeof dir), 0);
        assert_int_equal(unit_write_file(dir, "policy-1048.json", s_1048), 0);
        assert_int_equal(unit_write_file(dir, "policy-9.json", s_broken[i].json), 0);
        eval_policies_t *set = eval_policies_load(dir, err, sizeof err);
        if (set) {
            eval_policies_destroy(&set);
            fail_msg("%s: loaded, expected an error", s_broken[i].label);
        }
        if (!strstr(err, "policy-9.json") || !strstr(err, s_broken[i].field) || !strstr(err, s_broken[i].reason))
            fail_msg("%s: error '%s' lacks policy-9.json, '%s' or '%s'", s_broken[i].label, err, s_broken[i].field,
                     s_broken[i].reason);
    }
    char dir[UNIT_TMPDIR_LEN + 16], err[512] = "";
    assert_int_equal(unit_fixture_case_dir(fx, dir, sizeof dir), 0);
    assert_null(eval_policies_load(dir, err, sizeof err));
    assert_non_null(strstr(err, ": no policy-*.json file"));
}

static void test_real_policies(void **state)
{
    const char *src = getenv("OCOP_SOURCE_DIR");
    if (!src)
        fail_msg("OCOP_SOURCE_DIR is not set (ctest sets it)");
    char dir[1024], err[512] = "";
    snprintf(dir, sizeof dir, "%s/services/evaluation/data/policies", src);
    eval_policies_t *set = eval_policies_load(dir, err, sizeof err);
    if (!set)
        fail_msg("the real policies do not load: %s", err);
    assert_int_equal(eval_policies_count(set), 4);
    assert_string_equal(eval_policies_in_force(set, "2020-01-01")->instrument, "1048");
    assert_string_equal(eval_policies_in_force(set, "2024-01-01")->instrument, "148");
    assert_string_equal(eval_policies_in_force(set, "2025-08-01")->instrument, "1489");
    assert_string_equal(eval_policies_in_force(set, "2026-05-21")->instrument, "1489");
    assert_string_equal(eval_policies_in_force(set, "2026-05-22")->instrument, "26-2026");
    assert_string_equal(eval_policies_in_force(set, "2026-05-22")->rubric, "26-2026");
    /* Council size and quorum are data: three quarters of a province council, 5 of 7 centrally. */
    const eval_policy_t *now = eval_policies_find(set, "26-2026");
    assert_int_equal(eval_policy_quorum(eval_policy_level(now, EVAL_LEVEL_PROVINCE), 4), 3);
    assert_int_equal(eval_policy_quorum(eval_policy_level(now, EVAL_LEVEL_PROVINCE), 7), 6);
    assert_int_equal(eval_policy_quorum(eval_policy_level(now, EVAL_LEVEL_CENTRAL), 7), 5);
    assert_int_equal(eval_policy_level(now, EVAL_LEVEL_PROVINCE)->min_members, 3);
    assert_true(eval_policy_level(now, EVAL_LEVEL_PROVINCE)->chair_present);
    /* 26/2026: certificates from the decision, Art. 7.4(g), six grounds, the hand-over windows. */
    assert_true(now->certificate_from_decision);
    assert_int_equal(now->certificate_months, 36);
    assert_int_equal(now->after_central, EVAL_AFTER_CENTRAL_PROVINCE_MAY_CERTIFY);
    assert_int_equal(now->revocation.n_grounds, 6);
    assert_int_equal(now->revocation.authority[5], EVAL_LEVEL_CENTRAL);
    assert_int_equal(now->revocation.authority[4], EVAL_LEVEL_PROVINCE);
    assert_true(now->handover.has && now->handover.finish_days[3] == 30);
    assert_false(eval_policy_level(now, EVAL_LEVEL_PROVINCE)->forwarded_confers);
    /* Art. 5: two rounds a year at each level with their cut-off and deadline; none before. */
    assert_true(now->rounds.has);
    assert_int_equal(now->rounds.min_per_year, 2);
    assert_string_equal(now->rounds.article, "Art. 5");
    assert_string_equal(eval_policy_round(now, EVAL_LEVEL_PROVINCE, 1)->cutoff, "04-30");
    assert_string_equal(eval_policy_round(now, EVAL_LEVEL_PROVINCE, 2)->deadline, "12-30");
    assert_string_equal(eval_policy_round(now, EVAL_LEVEL_CENTRAL, 1)->cutoff, "07-30");
    assert_string_equal(eval_policy_round(now, EVAL_LEVEL_CENTRAL, 2)->deadline, "03-30");
    assert_null(eval_policy_round(now, EVAL_LEVEL_PROVINCE, 3));
    assert_null(eval_policy_round(now, EVAL_LEVEL_COMMUNE, 1));
    assert_false(eval_policies_find(set, "1489")->rounds.has);
    assert_string_equal(eval_policy_level(eval_policies_find(set, "148"), EVAL_LEVEL_DISTRICT)->until, "2025-06-30");
    /* The worked example: a 148 district council with a mean of 75 confers 3★ and forwards. */
    eval_outcome_t out;
    assert_int_equal(
        eval_policy_outcome(eval_policies_find(set, "148"), EVAL_LEVEL_DISTRICT, 75, 4, &out, err, sizeof err), 0);
    assert_int_equal(out.stars, 3);
    assert_true(out.forwarded);
    assert_int_equal(out.forward_to, EVAL_LEVEL_PROVINCE);
    assert_int_equal(
        eval_policy_outcome(eval_policies_find(set, "1048"), EVAL_LEVEL_DISTRICT, 55, 3, &out, err, sizeof err), 0);
    assert_int_equal(out.stars, 0);
    assert_true(out.forwarded);
    assert_null(eval_policy_level(eval_policies_find(set, "1489"), EVAL_LEVEL_DISTRICT));
    eval_policies_destroy(&set);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_levels, unit_fixture_setup, unit_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_in_force, unit_fixture_setup, unit_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_outcomes, unit_fixture_setup, unit_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_broken_files, unit_fixture_setup, unit_fixture_teardown),
        cmocka_unit_test(test_real_policies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
