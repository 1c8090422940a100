/* eval_policy — who rates what: the rating-level policies of 1048/QĐ-TTg, 148/QĐ-TTg and
 * 1489/QĐ-TTg, loaded from policies/policy-*.json (format: data/FORMAT.md), each with its
 * effective date; the policy in force on a session's date; and what a council's mean score
 * means at its level (stars conferred, forwarded upward or not).
 *
 * Policies are read-only after loading and owned by their eval_policies_t. */
#ifndef EVAL_POLICY_H
#define EVAL_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "eval_json.h"

/* The administrative levels, in hierarchy order (lowest first). */
typedef enum {
    EVAL_LEVEL_COMMUNE = 0,
    EVAL_LEVEL_DISTRICT = 1,
    EVAL_LEVEL_PROVINCE = 2,
    EVAL_LEVEL_CENTRAL = 3,
} eval_level_t;

#define EVAL_LEVEL_COUNT 4

/* "commune", "district", "province", "central"; "unknown" otherwise. Static string. */
const char *eval_level_name(eval_level_t level);
/* 0 and *out, or -1 when name is not one of the four. */
int eval_level_parse(const char *name, eval_level_t *out);

typedef struct {
    eval_level_t level;
    bool scores;           /* a council at this level scores products */
    bool attests;          /* checks the dossier and attests (1489 commune) */
    int confers_min_stars; /* the stars this level may confer: min..max, */
    int confers_max_stars; /* 0..0 when it confers none (1048 district) */
    bool forwards;         /* forward_at is set */
    double forward_at;     /* a mean at or above it goes on to the next scoring level */
    /* false: a product forwarded from here gets no stars here until the next level decides
     * (26/2026 Art. 7.3(e): the province approves a ≥ 90 result and proposes it) */
    bool forwarded_confers;
    char until[EVAL_DATE_LEN]; /* "" or the last day a council at this level may sit */
    /* A council of this level (scoring levels): at least min_members members, exactly one
     * chair; it sits when quorum_present of every quorum_of members are there (rounded up),
     * the chair among them when chair_present. */
    int min_members, quorum_present, quorum_of;
    bool chair_present;
    char council_article[64];
    /* An attesting level's time limit for its report, in working days from the dossier's
     * receipt (26/2026 Art. 7.2: 15); 0 = none. */
    int report_working_days;
    char report_article[64];
} eval_policy_level_t;

/* What a province may do when the central council does not recognise a product it forwarded. */
typedef enum {
    EVAL_AFTER_CENTRAL_KEEPS = 0,            /* the product keeps what the province conferred */
    EVAL_AFTER_CENTRAL_PROVINCE_MAY_CERTIFY, /* the province may certify 3★/4★ on the central result */
} eval_after_central_t;

/* One ground of revocation: its code, article and text; the older fixed reasons it covers. */
typedef struct {
    char code[32];
    char article[64];
    char *text;
    char reasons[4][32]; /* RevocationReason names ("food_safety", ...) mapped to it */
    size_t n_reasons;
} eval_ground_t;

#define EVAL_GROUNDS_MAX 8

typedef struct {
    eval_ground_t grounds[EVAL_GROUNDS_MAX];
    size_t n_grounds;
    /* authority[stars]: the level that revokes a certificate of that many stars */
    eval_level_t authority[6];
    bool has_authority[6];
    int within_days; /* from the finding to the decision; 0 = no limit */
    char article[64];
} eval_revocation_rules_t;

/* Art. 12.2-style hand-over: a dossier filed before `before` finishes under the rules in force
 * on its filing day, within finish_days[kind] of `before` (DossierKind: 1 first, 2 upgrade,
 * 3 re-evaluation). */
typedef struct {
    bool has;
    char before[EVAL_DATE_LEN];
    int finish_days[4];
    char article[64];
} eval_handover_t;

/* Art. 7.6(a) / 12.3: a re-evaluation is filed between file_from_days and file_until_days
 * before the certificate expires; a later filer's certificate stays valid until the result, at
 * most late_extension_days past expiry. */
typedef struct {
    bool has;
    int file_from_days, file_until_days, late_extension_days;
    int finish_days; /* Art. 7.6(g): decided within this many days of the filing; 0 = no limit */
    char article[64];
} eval_reevaluation_rules_t;

/* One statutory evaluation round of a level (26/2026 Art. 5): its dossiers are filed on or
 * before cutoff and it is evaluated by deadline, both "MM-DD" in the round's year. */
typedef struct {
    int number; /* 1, 2, ... in the order listed */
    char cutoff[6];
    char deadline[6];
} eval_round_rule_t;

#define EVAL_ROUNDS_MAX 6

/* The "rounds" section: the statutory rounds per level and the fewest a level holds a year
 * (rounds beyond them are the council's own, with both dates given). */
typedef struct {
    bool has;
    int min_per_year;
    char article[64];
    eval_round_rule_t by_level[EVAL_LEVEL_COUNT][EVAL_ROUNDS_MAX];
    size_t n_by_level[EVAL_LEVEL_COUNT]; /* 0: the level holds no statutory rounds */
} eval_round_rules_t;

typedef struct {
    char instrument[16];                          /* "1048", "148", "1489" */
    char rubric[16];                              /* the rubric instrument its councils score with */
    char decision[64];                            /* "1489/QĐ-TTg": recorded on every result */
    char effective_from[EVAL_DATE_LEN];           /* YYYY-MM-DD */
    eval_policy_level_t levels[EVAL_LEVEL_COUNT]; /* in hierarchy order, each level at most once */
    size_t n_levels;
    int certificate_months;         /* a certificate's term */
    bool certificate_from_decision; /* the term runs from the decision's date, not the session's */
    char certificate_article[64];
    eval_after_central_t after_central;
    char after_central_article[64];
    eval_revocation_rules_t revocation;
    eval_handover_t handover;
    eval_reevaluation_rules_t reevaluation;
    eval_round_rules_t rounds;
    char *source;                          /* the file name it was loaded from */
    char digest[OCOP_RULEFILE_DIGEST_LEN]; /* SHA-256 of that file: recorded on every result */
} eval_policy_t;

typedef struct eval_policies_t eval_policies_t;

/* Loads every policy-*.json of dir. NULL + err naming the file and the field on the first
 * broken file, on a duplicate instrument or effective date, or when there is none. */
eval_policies_t *eval_policies_load(const char *dir, char *err, size_t errlen);
/* Frees and sets *self_p to NULL; safe on NULL and twice. */
void eval_policies_destroy(eval_policies_t **self_p);

size_t eval_policies_count(const eval_policies_t *self);
/* i < eval_policies_count; sorted by file name. */
const eval_policy_t *eval_policies_at(const eval_policies_t *self, size_t i);
const eval_policy_t *eval_policies_find(const eval_policies_t *self, const char *instrument);
/* The policy in force on day (YYYY-MM-DD): the latest effective_from not after it. NULL when
 * day is not a valid date or precedes every policy. */
const eval_policy_t *eval_policies_in_force(const eval_policies_t *self, const char *day);

/* The procedure sections of a policy file (certificate, after_central_below, revocation,
 * handover, reevaluation, rounds):
 * 0, or -1 with the file and field named (eval_policy_procedure.c). */
int eval_policy_parse_procedure(const eval_json_src_t *src, const cJSON *root, eval_policy_t *p);
void eval_policy_free_procedure(eval_policy_t *p);
/* The revocation ground with that code or, when code is empty, the one the older fixed reason
 * (a RevocationReason name) maps to; NULL when none. */
const eval_ground_t *eval_policy_ground(const eval_policy_t *p, const char *code, const char *reason);
/* The statutory round number of level under policy; NULL when it has none. */
const eval_round_rule_t *eval_policy_round(const eval_policy_t *p, eval_level_t level, int number);
/* The quorum of a council of n members at level l: ceil(n * quorum_present / quorum_of). */
unsigned eval_policy_quorum(const eval_policy_level_t *l, size_t n);
/* Whether a council at this level may sit on day (its level has not ended). */
bool eval_policy_level_sits(const eval_policy_level_t *l, const char *day);

/* The entry for level; NULL when the policy has no such level (districts under 1489). */
const eval_policy_level_t *eval_policy_level(const eval_policy_t *policy, eval_level_t level);
/* The first level above level that scores; NULL when none. */
const eval_policy_level_t *eval_policy_next_scoring(const eval_policy_t *policy, eval_level_t level);

typedef struct {
    int stars;               /* stars this council confers; 0 = none */
    bool forwarded;          /* the product goes on to forward_to */
    eval_level_t forward_to; /* the next scoring level when forwarded, else the council's own */
} eval_outcome_t;

/* What a council at level concludes from its mean and the stars its sheets rank the product
 * (band_stars: the band of the mean capped by the star minimums, 1..5; 0 when knocked out).
 *
 * A council never confers more stars than its level allows and a higher score goes upward:
 * - stars = min(band_stars, confers_max_stars) when band_stars >= confers_min_stars, else 0;
 * - forwarded when the level has forward_at and mean >= forward_at (1048 district: 50; 1048 and
 *   1489 province: 90, "potential 5★"); a level without forward_at forwards when the band is
 *   above what it may confer (148 district: a mean of 75 confers 3★ and goes to the province);
 *   never when there is no later scoring level, never with band_stars 0, and never when
 *   band_stars is below the lowest rating the next level confers (its minimums hold it here);
 * - a forwarded product gets no stars here when the level's forwarded_confers is false
 *   (26/2026 Art. 7.3(e): the province approves and proposes, the ministry decides).
 * So a forwarded product keeps the stars conferred here until the next level decides.
 *
 * 0 and *out, or -1 with err when the policy has no such level, the level does not score, or
 * mean / band_stars are out of range. */
int eval_policy_outcome(const eval_policy_t *policy, eval_level_t level, double mean, int band_stars,
                        eval_outcome_t *out, char *err, size_t errlen);

#endif
