/* gateway_world — a whole deployment behind the gateway with something in it, for the gateway
 * tests: two provinces (A on evaluation-1, B on evaluation-2), in each an entity with a product
 * rated 4 stars by a province council (a council, a closed session, a certificate) and a fair;
 * and one user per role: a producer of A's entity, a commune officer of A's commune, a province
 * officer of A (and one of B), a member ("m1") of A's council, a central officer and an auditor. Set up through
 * the services directly (the gateway is what is under test). */
#ifndef GATEWAY_WORLD_H
#define GATEWAY_WORLD_H

#include "harness.h"
#include "ocop_users.h"

enum { GW_A, GW_B };

typedef struct {
    harness_t *h;
    harness_data_t data;
    char province[2][16];
    char commune[2][16];
    char entity[2][32];
    char product[2][32];
    char council[2][32];
    char session[2][32];
    char certificate[2][32];
    char fair[2][32];
    /* tokens by role bit index (ocop_role_t = 1 << i); public has none */
    char token[OCOP_ROLE_COUNT][OCOP_TOKEN_LEN + 1];
    char token_province_b[OCOP_TOKEN_LEN + 1]; /* a province officer of B */
} gateway_world_t;

/* 0, or -1 (message on stderr; what was made is destroyed by gateway_world_destroy). */
int gateway_world_new(gateway_world_t *w, const harness_options_t *extra);
void gateway_world_destroy(gateway_world_t *w);

/* The token of role, NULL for public. */
const char *gateway_world_token(const gateway_world_t *w, ocop_role_t role);

/* Every service's last event sequence as one string ("registration=12 ..."), from /healthz: a
 * refused request must leave it unchanged. The caller frees it; NULL when /healthz failed. */
char *gateway_world_sequences(gateway_world_t *w);

#endif
