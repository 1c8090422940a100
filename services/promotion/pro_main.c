/* ocop-promotion — the trade-promotion service.
 *
 *   ocop-promotion --config FILE [--name promotion]
 *
 * Keeps a replica of the certificates of every evaluation shard listed in its "sources", and
 * asks itself (ProCascadeDue) to cancel the bookings and listings of products that lost their
 * rating, as soon as the replica marks one. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "ocop_client.h"
#include "ocop_config.h"
#include "ocop_error.h"
#include "ocop_feed.h"
#include "ocop_keys.h"
#include "ocop_log.h"
#include "ocop_service.h"
#include "ocop_subscriber.h"
#include "pro_handlers.h"
#include "pro_replica.h"

#define S_TICK_MS 200

static void s_usage(FILE *out)
{
    fprintf(out, "usage: ocop-promotion --config FILE [--name NAME]\n"
                 "  Runs the trade-promotion service of section services.NAME of FILE (default \"promotion\"):\n"
                 "  fairs, points of sale, plans; follows the certificates of the evaluation shards listed in\n"
                 "  its \"sources\". Stops cleanly on SIGTERM or SIGINT.\n");
}

typedef struct {
    ocop_config_t *config;
    ocop_service_config_t sc;
    ocop_keypair_t keys;
    char allowed[OCOP_ALLOW_MAX + 1][OCOP_Z85_KEY_LEN + 1];
    const char *allowed_p[OCOP_ALLOW_MAX + 1];
    size_t allowed_count;
    ocop_subscriber_t *subscribers[OCOP_ALLOW_MAX];
    size_t n_subscribers;
    void *zctx;
    ocop_client_t *self_client;
    pro_state_t *state;
} s_setup_t;

/* The tick: when the replica marked products, ask this service to act on them. */
static void s_tick(void *user)
{
    s_setup_t *s = user;
    MDB_txn *txn;
    MDB_cursor *cur;
    MDB_val k, v;
    int pending = 0;
    ocop_store_hold(s->state->store);
    if (mdb_txn_begin(ocop_store_env(s->state->store), NULL, MDB_RDONLY, &txn) == 0) {
        if (mdb_cursor_open(txn, s->state->db.cascade, &cur) == 0) {
            pending = mdb_cursor_get(cur, &k, &v, MDB_FIRST) == 0;
            mdb_cursor_close(cur);
        }
        mdb_txn_abort(txn);
    }
    ocop_store_release(s->state->store);
    if (!pending)
        return;
    Ocop__ProCascadeDue due = OCOP__PRO_CASCADE_DUE__INIT;
    Ocop__Request req = OCOP__REQUEST__INIT;
    req.body_case = OCOP__REQUEST__BODY_PRO_CASCADE_DUE;
    req.pro_cascade_due = &due;
    Ocop__Reply *reply;
    if (ocop_client_call(s->self_client, &req, &reply, 10000, 1) != 0) {
        ocop_log_warn("cascade_unanswered", "timeout_ms=10000");
        return;
    }
    if (reply->status != OCOP__STATUS__STATUS_OK)
        ocop_log_warn("cascade_failed", "status=%s message=\"%s\"", ocop_status_name(reply->status), reply->message);
    else
        ocop_log_info("cascade", "products=%u cancelled=%u promoted=%u", reply->pro_cascade_result->products,
                      reply->pro_cascade_result->cancelled, reply->pro_cascade_result->promoted);
    ocop__reply__free_unpacked(reply, NULL);
}

static int s_load(s_setup_t *s, const char *path, const char *name, char *err, size_t errlen)
{
    s->config = ocop_config_load(path, err, errlen);
    if (!s->config || ocop_config_service(s->config, name, &s->sc, err, errlen) != 0 ||
        ocop_keys_load_pair(ocop_config_keys_dir(s->config), name, &s->keys, err, errlen) != 0)
        return -1;
    for (size_t i = 0; i < s->sc.allow_count; i++) {
        if (ocop_keys_load_public(ocop_config_keys_dir(s->config), s->sc.allow[i], s->allowed[i], err, errlen) != 0)
            return -1;
        s->allowed_p[i] = s->allowed[i];
    }
    /* Its own key, for the requests it sends itself. */
    s->allowed_count = s->sc.allow_count;
    memcpy(s->allowed[s->allowed_count], s->keys.public_z85, OCOP_Z85_KEY_LEN + 1);
    s->allowed_p[s->allowed_count] = s->allowed[s->allowed_count];
    s->allowed_count++;
    return 0;
}

static int s_subscribe(s_setup_t *s, pro_state_t *state, char *err, size_t errlen)
{
    s->zctx = zmq_ctx_new();
    if (!s->zctx)
        return -1;
    for (size_t i = 0; i < s->sc.source_count; i++) {
        const char *section = s->sc.sources[i];
        ocop_service_config_t src;
        char key[OCOP_Z85_KEY_LEN + 1];
        if (ocop_config_service(s->config, section, &src, err, errlen) != 0 ||
            ocop_keys_load_public(ocop_config_keys_dir(s->config), section, key, err, errlen) != 0)
            return -1;
        ocop_subscriber_options_t so = {.zctx = s->zctx,
                                        .store = state->store,
                                        .cursor_name = section,
                                        .endpoint = src.endpoint,
                                        .events_endpoint = src.events_endpoint,
                                        .server_public_z85 = key,
                                        .keys = &s->keys,
                                        .apply = pro_replica_apply,
                                        .user = state,
                                        .request_timeout_ms = 1000};
        if (!(s->subscribers[i] = ocop_subscriber_new(&so)))
            return -1;
        s->n_subscribers++;
    }
    s->self_client = ocop_client_new(s->zctx, s->sc.endpoint, s->keys.public_z85, &s->keys, s->sc.name);
    return s->self_client ? 0 : -1;
}

int main(int argc, char **argv)
{
    const char *config_path = NULL, *name = "promotion";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
            config_path = argv[++i];
        else if (strcmp(argv[i], "--name") == 0 && i + 1 < argc)
            name = argv[++i];
        else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            s_usage(stdout);
            return 0;
        } else {
            s_usage(stderr);
            return 2;
        }
    }
    if (!config_path) {
        s_usage(stderr);
        return 2;
    }
    ocop_log_init(name);
    char err[512];
    int status = 1, state_open = 0;
    s_setup_t setup;
    memset(&setup, 0, sizeof setup);
    ocop_store_t *store = NULL;
    ocop_service_t *service = NULL;
    ocop_feed_t *feed = NULL;
    pro_state_t state;
    if (s_load(&setup, config_path, name, err, sizeof err) != 0) {
        ocop_log_error("config_invalid", "error=\"%s\"", err);
        goto done;
    }
    ocop_store_options_t so = {
        .path = setup.sc.store_dir, .map_size = setup.sc.map_size, .map_max = setup.sc.map_max, .max_dbs = 32};
    if (!(store = ocop_store_open(&so, err, sizeof err))) {
        ocop_log_error("store_open_failed", "error=\"%s\"", err);
        goto done;
    }
    if (pro_state_open(&state, store, setup.sc.rules_dir, err, sizeof err) != 0) {
        ocop_log_error("rules_invalid", "error=\"%s\"", err);
        pro_state_close(&state);
        goto done;
    }
    state_open = 1;
    setup.state = &state;
    size_t route_count;
    const ocop_route_t *routes = pro_routes(&route_count);
    ocop_service_options_t opts = {.name = "promotion",
                                   .config = &setup.sc,
                                   .keys = &setup.keys,
                                   .allowed_keys = setup.allowed_p,
                                   .allowed_count = setup.allowed_count,
                                   .store = store,
                                   .routes = routes,
                                   .route_count = route_count,
                                   .user = &state};
    if (!(service = ocop_service_new(&opts)))
        goto done;
    if (s_subscribe(&setup, &state, err, sizeof err) != 0) {
        ocop_log_error("sources_invalid", "error=\"%s\"", err);
        goto done;
    }
    ocop_feed_options_t fo = {.subscribers = setup.subscribers,
                              .count = setup.n_subscribers,
                              .tick = s_tick,
                              .tick_user = &setup,
                              .tick_ms = S_TICK_MS};
    if (!(feed = ocop_feed_start(&fo)))
        goto done;
    status = ocop_service_run(service) == 0 ? 0 : 1;
done:
    ocop_feed_stop(&feed);
    ocop_client_destroy(&setup.self_client);
    for (size_t i = 0; i < setup.n_subscribers; i++)
        ocop_subscriber_destroy(&setup.subscribers[i]);
    if (setup.zctx)
        zmq_ctx_term(setup.zctx);
    ocop_service_destroy(&service);
    if (state_open)
        pro_state_close(&state);
    ocop_store_destroy(&store);
    ocop_config_destroy(&setup.config);
    sodium_memzero(&setup.keys, sizeof setup.keys);
    return status;
}
