/* harness — runs the real ocop-registration binary on loopback for integration tests.
 *
 * One harness = one temporary directory (mkdtemp under /tmp) holding the keys, the config,
 * the service's store and its log (stderr). Keys: "registration" (the service), "ocopctl"
 * and "audit" (both on the allow-list) and "stranger" (NOT on the allow-list). Ports are
 * free loopback ports picked by binding 127.0.0.1:0; if one was taken meanwhile, start
 * picks new ones and rewrites the config.
 *
 * Every harness is registered for an atexit handler that SIGKILLs a still-running service
 * and removes the directory, so an assertion failure (cmocka longjmp) never leaves a
 * process or a directory behind; the service also gets PR_SET_PDEATHSIG so it dies with
 * the test process even when that is killed outright (ctest timeout).
 *
 * zmq_ctx_term in harness_destroy waits for every socket of the context: a test keeps the
 * clients and subscribers it creates where its teardown can close them (a watchdog ends the
 * process after 20 s if one was forgotten).
 *
 * Environment: OCOP_BINARY_DIR (build tree: the service binary) and OCOP_SOURCE_DIR (source
 * tree: rules_dir = services/registration/data); OCOP_KEEP_TMP=1 keeps the directory. */
#ifndef HARNESS_H
#define HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "envelope.pb-c.h"
#include "ocop_client.h"
#include "ocop_keys.h"

#define HARNESS_PATH_MAX 1024
/* Replies to ordinary calls: generous, because the sanitizer build is several times slower. */
#define HARNESS_CALL_TIMEOUT_MS 15000

#define HARNESS_SHARDS_MAX 4
#define HARNESS_ID_LEN 32 /* a record id such as "R2-17" with its NUL */

typedef struct {
    size_t max_request_bytes; /* 0 = service default */
    unsigned batch_max;       /* 0 = service default */
    /* Evaluation shards "evaluation-1".. beside registration (0 = none), each owning the
     * comma-separated province codes of shard_provinces[i]. */
    unsigned shards;
    const char *shard_provinces[HARNESS_SHARDS_MAX];
    /* Shards left out of the config (bit i: shard i), as before a shard is added; adding it is
     * clearing the bit in harness_t.opts and harness_config_rewrite. */
    unsigned shards_unconfigured;
    int expire_every_ms;             /* the shards' expiry tick; 0 = the service default */
    const char *eval_rules_dir;      /* the shards' rules_dir; NULL = services/evaluation/data */
    int audit;                       /* also configure ocop-audit ("audit", following registration and every shard) */
    int promotion;                   /* also configure ocop-promotion ("promotion", following every shard) */
    int gateway;                     /* also configure ocop-gateway (tokens in <dir>/tokens.json) */
    unsigned gateway_timeout_ms;     /* its wait for a service; 0 = HARNESS_CALL_TIMEOUT_MS */
    size_t gateway_max_body;         /* 0 = its default */
    unsigned gateway_threads;        /* 0 = its default */
    const char *gateway_static_dir;  /* the dashboard's files; NULL = none */
    unsigned gateway_max_per_client; /* its max_connections_per_client; 0 = its default */
    unsigned gateway_request_deadline_s; /* its request_deadline_s; 0 = its default */
    /* Hosts (multi-host tests, as root): the address every service listens on (NULL =
     * 127.0.0.1), and per shard the network namespace it runs in and its address there (NULL =
     * this namespace, host). The gateway listens on 127.0.0.1 always. */
    const char *host;
    const char *shard_netns[HARNESS_SHARDS_MAX];
    const char *shard_host[HARNESS_SHARDS_MAX];
} harness_options_t;

/* One evaluation shard of the deployment (see harness_shard_start), or the audit service. */
typedef struct {
    char name[32]; /* "evaluation-<i+1>" */
    char endpoint[64];
    char events_endpoint[64];
    char store_dir[HARNESS_PATH_MAX];
    char log_path[HARNESS_PATH_MAX];
    char host[64];  /* the address it listens on */
    char netns[64]; /* the network namespace it runs in ("" = the test's) */
    ocop_keypair_t keys;
    pid_t pid;             /* 0 when not running */
    ocop_client_t *client; /* allowed client, caller "itest" */
    ocop_client_t *ping;
} harness_shard_t;

typedef struct {
    char dir[64];
    char host[64]; /* the address registration, audit and promotion listen on */
    char keys_dir[HARNESS_PATH_MAX];
    char config_path[HARNESS_PATH_MAX];
    char log_path[HARNESS_PATH_MAX];
    char store_dir[HARNESS_PATH_MAX];
    char binary[HARNESS_PATH_MAX];
    char rules_dir[HARNESS_PATH_MAX];
    char endpoint[64];
    char events_endpoint[64];
    harness_options_t opts;
    ocop_keypair_t server_keys;
    ocop_keypair_t ctl_keys;      /* "ocopctl": allowed */
    ocop_keypair_t audit_keys;    /* "audit": allowed, used by subscribers */
    ocop_keypair_t stranger_keys; /* "stranger": not on the allow-list */
    pid_t pid;                    /* 0 when not running */
    void *zctx;
    ocop_client_t *client; /* allowed client, caller "itest"; recreated when ports change */
    ocop_client_t *ping;   /* private client for readiness checks */
    char eval_binary[HARNESS_PATH_MAX];
    char eval_rules_dir[HARNESS_PATH_MAX];
    harness_shard_t shard[HARNESS_SHARDS_MAX];
    char audit_binary[HARNESS_PATH_MAX];
    harness_shard_t audit; /* with opts.audit; its CURVE key is audit_keys */
    char promotion_binary[HARNESS_PATH_MAX];
    char promotion_rules_dir[HARNESS_PATH_MAX];
    harness_shard_t promotion; /* with opts.promotion */
    char gateway_binary[HARNESS_PATH_MAX];
    char gateway_log[HARNESS_PATH_MAX];
    char tokens_path[HARNESS_PATH_MAX];
    int gateway_port;
    pid_t gateway_pid;
} harness_t;

/* Temp dir, keys, config (ports picked here). NULL (with a message on stderr) on failure. */
harness_t *harness_new(const harness_options_t *opts);
/* Stops the service (SIGTERM, then SIGKILL after a bounded wait), closes clients and the
 * zmq context, removes the directory. Safe on NULL and twice. */
void harness_destroy(harness_t **self_p);

/* Starts the service and waits (bounded) until it answers Ping. 0 / -1 (log tail printed). */
int harness_start(harness_t *self);
/* SIGTERM and a bounded wait (then SIGKILL). 0 when the service exited by itself with status 0;
 * -1 otherwise (log tail printed). */
int harness_stop(harness_t *self);
/* SIGKILL and reap. */
void harness_kill(harness_t *self);

/* Starts ocop-audit (opts.audit) and waits until it answers Ping; stop and kill as for shards. */
int harness_audit_start(harness_t *self);
int harness_audit_stop(harness_t *self);
void harness_audit_kill(harness_t *self);
/* Likewise ocop-promotion (opts.promotion). */
int harness_promotion_start(harness_t *self);
int harness_promotion_stop(harness_t *self);

/* Writes the config again with the endpoints the harness holds now (after new ports were
 * picked for a process whose port was taken). 0 / -1. */
int harness_config_rewrite(harness_t *self);

/* Starts ocop-gateway (opts.gateway) and waits until /healthz answers; stops it (SIGTERM). */
int harness_gateway_start(harness_t *self);
int harness_gateway_stop(harness_t *self);

/* Adds a user to the gateway's tokens file (before the gateway starts, or it picks the change
 * up within a second) and writes its token into token (OCOP_TOKEN_LEN + 1 bytes). role is an
 * ocop_role_name; scope members may be NULL; councils is ';'-separated. 0 / -1. */
int harness_gateway_user(harness_t *self, const char *name, const char *role, const char *province, const char *commune,
                         const char *entity, const char *member, const char *councils, char *token);

/* One HTTP exchange with the gateway. */
typedef struct {
    long status; /* 0 when no response came */
    char *body;  /* NUL-terminated, caller frees with harness_http_free */
    size_t body_len;
    char retry_after[16];
    char allow[64];
    char content_type[96];
    char csp[256]; /* Content-Security-Policy */
} harness_http_t;

/* method path (with query) to the gateway, with token (NULL: none) and body (NULL: none). 0 when
 * a response came (r->status), -1 otherwise. Frees what r held before. */
int harness_http(harness_t *self, const char *method, const char *path, const char *token, const char *body,
                 harness_http_t *r);
/* Sends exactly len bytes of body with extra raw headers (e.g. "Content-Type: ..."); for limits. */
int harness_http_raw(harness_t *self, const char *method, const char *path, const char *const *headers,
                     const char *body, size_t len, harness_http_t *r);
void harness_http_free(harness_http_t *r);

/* harness_new, then registration, every shard and the audit service (opts.audit) started: the whole deployment, ready.
 * NULL (destroyed, messages on stderr) when any of it fails. */
harness_t *harness_deploy(const harness_options_t *opts);

/* Starts evaluation shard i (after registration, whose events it follows) and waits until it
 * answers Ping. 0 / -1 (log tail printed). */
int harness_shard_start(harness_t *self, unsigned i);
/* As harness_stop / harness_kill, for shard i. */
int harness_shard_stop(harness_t *self, unsigned i);
void harness_shard_kill(harness_t *self, unsigned i);
/* Ping of shard i: its last event sequence, or -1. */
int64_t harness_shard_last_sequence(harness_t *self, unsigned i);
/* A new client of shard i (caller's to destroy), with the "ocopctl" pair. */
ocop_client_t *harness_shard_connect(harness_t *self, unsigned i, const char *caller);

/* --- process control shared by the service and the shards --- */

/* Forks and execs binary --config config --name name [extra...], its stdout and stderr
 * appended to log_path, dying with the test. The child's pid, or -1. */
/* Fresh ports for proc on its host: its endpoint and events endpoint. */
void harness_proc_endpoints(harness_shard_t *proc);

/* harness_spawn in network namespace netns (a name of `ip netns`; NULL or "" = the test's). */
pid_t harness_spawn_in(const char *netns, const char *binary, const char *config, const char *name,
                       const char *log_path, const char *const *extra);
pid_t harness_spawn(const char *binary, const char *config, const char *name, const char *log_path,
                    const char *const *extra);
/* Waits (bounded) until ping is answered: 0 ready, 1 the process exited (*pid is then 0),
 * -1 no answer in time. */
int harness_wait_ready(pid_t *pid, ocop_client_t *ping);
/* SIGTERM, a bounded wait, SIGKILL if needed; 0 when it exited with status 0 (*pid is 0 after). */
int harness_terminate(pid_t *pid, const char *log_path);
/* SIGKILL and reap; *pid is 0 after. */
void harness_kill_pid(pid_t *pid);
/* Tail of any log file on stderr. */
void harness_file_tail(const char *path, size_t bytes);

/* One finished run of a command-line program (harness_run). */
typedef struct {
    char cmd[2048]; /* for failure messages */
    int code;       /* exit status; 128 + signal when killed */
    int timed_out;
    char *out, *err;
    size_t out_len, err_len;
} harness_run_t;

/* Runs binary with args (NULL-terminated, at most 24, without the program name), stdin
 * /dev/null, dying with the test; captures stdout and stderr; SIGKILL after timeout_ms.
 * Frees what r held before. Returns the exit code, or -1 when it could not be run at all. */
int harness_run(const char *binary, const char *const *args, int timeout_ms, harness_run_t *r);
void harness_run_free(harness_run_t *r);

/* A new client of the service (caller's to destroy); keys NULL = the allowed "ocopctl" pair. */
ocop_client_t *harness_connect(harness_t *self, const ocop_keypair_t *keys, const char *caller);

/* ocop_client_call with the harness timeout; 0 / -1. *reply is the caller's. */
int harness_call(ocop_client_t *client, Ocop__Request *req, Ocop__Reply **reply);
/* Ping through the harness client: the service's last committed event sequence, or -1 on
 * no answer (as int64_t). */
int64_t harness_last_sequence(harness_t *self);

/* The whole file, NUL-terminated (malloc'd, caller frees); NULL if unreadable. */
char *harness_read_file(const char *path, size_t *len_out);

/* Tail of the service log on stderr (for failure messages). */
void harness_log_tail(const harness_t *self, size_t bytes);
/* 1 when the service log contains needle. */
int harness_log_contains(const harness_t *self, const char *needle);

int64_t harness_mono_ms(void);
int64_t harness_wall_ms(void);

/* ---------------------------------------------------------------- rule data, read at test time */

#define HARNESS_COMMUNES 4

typedef struct {
    char unit_version[16];      /* the hierarchy in force today (units-*.json) */
    char catalogue_version[16]; /* the catalogue in force today (catalogue-*.json) */
    /* communes[0..2] lie in province_a, communes[3] in province_b */
    char province_a[16];
    char province_b[16];
    char communes[HARNESS_COMMUNES][16];
    char unknown_commune[16]; /* a 5-digit code that is not a unit of unit_version */
    char sector[16];          /* a sector with a product set that is not fresh/raw ... */
    char product_set[16];     /* ... this one */
    char sector_b[16];        /* another sector's non-fresh set, for counts by sector */
    char product_set_b[16];
    char fresh_sector[16]; /* a product set marked fresh */
    char fresh_set[16];
} harness_data_t;

/* The rule directory of a service in the source tree: $OCOP_SOURCE_DIR/services/<service>/data. */
void harness_rules_dir(const char *service, char *out, size_t len);

/* Reads units-*.json and catalogue-*.json from rules_dir. 0 / -1 (message on stderr). */
int harness_data_load(const char *rules_dir, harness_data_t *out);
/* The same from registration's rule directory in the source tree (harness_rules_dir). */
int harness_data_load_registration(harness_data_t *out);

typedef struct {
    char sector[16];
    char set[16];
} harness_set_t;

typedef struct {
    char code[16];
    char district[16]; /* "" in a hierarchy without districts */
    char province[16];
} harness_commune_t;

/* The product sets of catalogue-<version>.json that are not fresh/raw (malloc'd array). 0 / -1. */
int harness_catalogue_sets(const char *rules_dir, const char *version, harness_set_t **out, size_t *n);
/* Every commune of units-<version>.json with its district and province (malloc'd). 0 / -1. */
int harness_communes(const char *rules_dir, const char *version, harness_commune_t **out, size_t *n);
/* Every province code of units-<version>.json (malloc'd). 0 / -1. */
int harness_provinces(const char *rules_dir, const char *version, char (**codes)[16], size_t *n);

/* ---------------------------------------------------------------- request helpers
 * Each builds the request on the stack, calls, and returns the reply (caller frees with
 * ocop__reply__free_unpacked) or NULL when no reply came. request_id NULL = fresh. */

Ocop__Reply *harness_entity_register(ocop_client_t *c, const char *request_id, Ocop__EntityType type, const char *name,
                                     const char *tax_code, const char *commune);
Ocop__Reply *harness_product_register(ocop_client_t *c, const char *entity_id, const char *name, const char *sector,
                                      const char *set, const char *commune, Ocop__ProcessingLevel processing);
Ocop__Reply *harness_transition(ocop_client_t *c, const char *product_id, Ocop__StageAction action, const char *reason);
Ocop__Reply *harness_product_get(ocop_client_t *c, const char *id);
Ocop__Reply *harness_entity_get(ocop_client_t *c, const char *id);
Ocop__Reply *harness_counts(ocop_client_t *c, const char *province);
Ocop__Reply *harness_review(ocop_client_t *c, const char *product_id, Ocop__ReviewState decision, const char *note);

/* Product list filtered by list (cursor/limit ignored), all pages of page_limit each: ids
 * (malloc'd array of malloc'd strings) in order; pages counts the pages fetched. -1 on a
 * failed call or a page that did not make progress. */
int harness_product_list_all(ocop_client_t *c, const Ocop__RegProductList *filter, unsigned page_limit, char ***ids,
                             size_t *n, size_t *pages);
int harness_entity_list_all(ocop_client_t *c, const Ocop__RegEntityList *filter, unsigned page_limit, char ***ids,
                            size_t *n, size_t *pages);
void harness_ids_free(char **ids, size_t n);

/* Everything a client can observe of a small store, as bytes, for before/after comparisons:
 * Ping's last sequence, every entity, every product with its history and reviews, and the
 * counts, read through c. 0 / -1; *out is the caller's to free. */
int harness_snapshot(harness_t *self, ocop_client_t *c, uint8_t **out, size_t *len);

/* The stable name of a status, for messages. */
const char *harness_status_name(int status);

#endif
