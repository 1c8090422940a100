/* demo_promote_data — what the demo's trade promotion is made of: the 34 provinces with
 * their best-known yearly event and three points of sale, and the fairs of a year. Illustrative:
 * places and events are real, the shops are the demo's. */
#ifndef DEMO_PROMOTE_DATA_H
#define DEMO_PROMOTE_DATA_H

#include <stddef.h>

#include "promotion.pb-c.h"

#define DEMO_POS 3
#define DEMO_PROVINCES 34
#define DEMO_FAIRS 12

typedef struct {
    const char *name, *kind, *day; /* day: MM-DD of the first day */
    int days;
} demo_event_t;

typedef struct {
    Ocop__LocationType type;
    const char *name, *address, *channel;
    unsigned capacity;
} demo_pos_t;

typedef struct {
    const char *code, *name;
    int region; /* the socio-economic region of services/promotion/data/regions.json, 0..5 */
    demo_event_t signature;
    demo_pos_t pos[DEMO_POS];
} demo_province_t;

typedef struct {
    const char *province, *name; /* name: the year follows */
    const char *organiser, *venue, *day;
    int days;
    unsigned booths;
    const char *types, *focus; /* ';'-separated */
    const char *strategy;
    unsigned demand; /* applications per 100 booths, when enough products are eligible */
    double reach[3]; /* draw weight of a product of the host province, its region, elsewhere */
} demo_fair_t;

extern const demo_province_t demo_provinces[DEMO_PROVINCES];
extern const demo_fair_t demo_fairs[DEMO_FAIRS];

#endif
