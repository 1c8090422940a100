/* ocop_config — the deployment's JSON configuration (cJSON).
 *
 * {
 *   "keys_dir": "keys",                 // relative paths are relative to the config file
 *   "data_dir": "data",
 *   "services": {
 *     "registration": {
 *       "endpoint": "tcp://127.0.0.1:7101",        // where clients connect for requests
 *       "events_endpoint": "tcp://127.0.0.1:7102", // where subscribers connect (PUB)
 *       "bind": "tcp://127.0.0.1:7101",            // optional, defaults to endpoint
 *       "events_bind": "...",                      // optional, defaults to events_endpoint
 *       "store_dir": "data/registration",          // optional, defaults to data_dir/<name>
 *       "map_size_mb": 64, "map_max_mb": 8192,
 *       "batch_max": 4096, "max_request_bytes": 1048576,
 *       "readers": 2,                              // threads serving reading routes (0: the loop)
 *       "rules_dir": "services/registration/data", // versioned rule/data files
 *       "allow": ["ocopctl", "gateway", "audit"]   // key names allowed to connect
 *       "trusted_callers": ["gateway", "ocopctl"]  // of those, the keys that may name any caller
 *     },
 *     "audit": { ..., "sources": ["registration", "evaluation-1"] },  // whose events it follows
 *     "evaluation-1": {                            // one shard of a sharded service "<group>-<N>"
 *       "shard": 1,                                // 1.., unique within the group
 *       "provinces": ["01", "79"],                 // the provinces it owns (each owned once; [] for a shard that gets
 * them by moves)
 *       ...
 *     }
 *   }
 * }
 * A gateway's section is top-level: "gateway": {"listen": "127.0.0.1:8080", "tokens": "tokens.json",
 * "threads": 64, "timeout_ms": 3000, "max_body_bytes": 1048576, "max_connections": 4096,
 * "max_connections_per_client": 64, "idle_timeout_s": 15, "request_deadline_s": 30,
 * "allow_remote": false}.
 * Every endpoint is tcp://host:port so services can sit on different hosts. */
#ifndef OCOP_CONFIG_H
#define OCOP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define OCOP_PATH_MAX 1024
#define OCOP_ENDPOINT_MAX 256
#define OCOP_NAME_MAX 64
#define OCOP_ALLOW_MAX 64
#define OCOP_PROVINCES_MAX 64
#define OCOP_PROVINCE_CODE_MAX 8

typedef struct {
    char name[OCOP_NAME_MAX];
    char endpoint[OCOP_ENDPOINT_MAX];
    char events_endpoint[OCOP_ENDPOINT_MAX];
    char bind[OCOP_ENDPOINT_MAX];
    char events_bind[OCOP_ENDPOINT_MAX];
    char store_dir[OCOP_PATH_MAX];
    char rules_dir[OCOP_PATH_MAX];
    size_t map_size; /* bytes */
    size_t map_max;  /* bytes */
    unsigned batch_max;
    unsigned readers; /* reader threads: reading routes are served off the writer loop */
    size_t max_request_bytes;
    char allow[OCOP_ALLOW_MAX][OCOP_NAME_MAX];
    size_t allow_count;
    /* allowed keys trusted to name any caller (the gateway names its users); any other key may
     * act only as itself. Default: "gateway" and "ocopctl" where allowed. */
    bool trusted[OCOP_ALLOW_MAX];                /* by allow index */
    char sources[OCOP_ALLOW_MAX][OCOP_NAME_MAX]; /* services whose events it follows (audit) */
    size_t source_count;
    unsigned shard; /* 0 = not a shard */
    char provinces[OCOP_PROVINCES_MAX][OCOP_PROVINCE_CODE_MAX];
    size_t province_count;
} ocop_service_config_t;

typedef struct ocop_config_t ocop_config_t;

/* Parses and validates the file. On error returns NULL and writes a message naming the file
 * and the field into err. */
ocop_config_t *ocop_config_load(const char *path, char *err, size_t errlen);
void ocop_config_destroy(ocop_config_t **self_p);

const char *ocop_config_keys_dir(const ocop_config_t *self);
const char *ocop_config_data_dir(const ocop_config_t *self);

/* Fills out with the named service's section, defaults applied. -1 (and err) when the section
 * is missing or invalid (an endpoint that is not tcp://host:port, a negative size, ...). */
int ocop_config_service(const ocop_config_t *self, const char *name, ocop_service_config_t *out, char *err,
                        size_t errlen);

/* The shard of group (sections named "<group>-<N>" with a "shard") that owns province: its
 * section name into name (namelen bytes). 0, or -1 when no shard owns it. */
int ocop_config_shard_owner(const ocop_config_t *self, const char *group, const char *province, char *name,
                            size_t namelen);

/* Every service section's name, in file order, into names (at most max). How many there are
 * (more than max when names was too short). */
size_t ocop_config_service_names(const ocop_config_t *self, char (*names)[OCOP_NAME_MAX], size_t max);

/* 1 when the file has a gateway section. */
int ocop_config_has_gateway(const ocop_config_t *self);

/* The section names of group's shards, in file order, into names (at most max). Their count. */
size_t ocop_config_shards(const ocop_config_t *self, const char *group, char (*names)[OCOP_NAME_MAX], size_t max);

/* The section name of shard number shard of group into name. 0, or -1 when there is none. */
int ocop_config_shard_name(const ocop_config_t *self, const char *group, unsigned shard, char *name, size_t namelen);

typedef struct {
    char host[64]; /* IPv4 address it listens on */
    unsigned port;
    char tokens[OCOP_PATH_MAX];     /* the users' hashed tokens; default <config dir>/gateway-tokens.json */
    unsigned threads;               /* HTTP workers (none waits for a service: requests wait suspended) */
    unsigned timeout_ms;            /* how long it waits for a service before answering 503 */
    size_t max_body_bytes;          /* larger request bodies get 413 */
    unsigned max_connections;       /* open connections, all clients together */
    unsigned max_per_client;        /* open connections from one IP address */
    unsigned idle_timeout_s;        /* a connection with nothing sent for this long is closed */
    unsigned request_deadline_s;    /* a request must arrive whole (headers and body) within this, from
                                     * the connection's start or the previous response */
    char static_dir[OCOP_PATH_MAX]; /* the dashboard's files, served at / ("" = none) */
} ocop_gateway_config_t;

/* The gateway section, defaults applied. Refuses a non-loopback address unless allow_remote is
 * true (nothing listens outside loopback by default). -1 with err. */
int ocop_config_gateway(const ocop_config_t *self, ocop_gateway_config_t *out, char *err, size_t errlen);

/* 1 when the service config owns province (it is a shard listing it). */
int ocop_service_owns(const ocop_service_config_t *sc, const char *province);

/* 1 if s is tcp://host:port with a port in 1..65535, else 0. */
int ocop_endpoint_valid(const char *s);

#endif
