/* ctl — shared state of the ocopctl command-line client. */
#ifndef CTL_H
#define CTL_H

#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "envelope.pb-c.h"
#include "ocop_arena.h"
#include "ocop_client.h"
#include "ocop_json.h"
#include "ocop_config.h"
#include "ocop_keys.h"

/* Exit codes (documented in --help). */
enum {
    CTL_EXIT_OK = 0,
    CTL_EXIT_FAILED = 1,
    CTL_EXIT_USAGE = 2,
    CTL_EXIT_INVALID = 3,
    CTL_EXIT_NOT_FOUND = 4,
    CTL_EXIT_CONFLICT = 5,
    CTL_EXIT_FORBIDDEN = 6,
    CTL_EXIT_UNAVAILABLE = 7,
    CTL_EXIT_STORAGE_FULL = 8,
};

typedef struct {
    const char *config_path;
    const char *as; /* key name this client authenticates with */
    int output_json;
    int timeout_ms;
    ocop_config_t *config;
    ocop_keypair_t keys;
    void *zctx;
    ocop_arena_t *arena;
    const char *gateway; /* "http://host:port": every request through the gateway (HTTP) */
    const char *token;   /* the API token sent to the gateway */
    void *curl;          /* the gateway connection (CURL *), kept alive across requests */
    int output_csv;
} ctl_t;

/* A command of a tool: its word, and what runs it with argv from that word on. */
typedef struct {
    const char *word;
    int (*run)(ctl_t *ctl, int argc, char **argv);
} ctl_command_t;

/* A whole command-line tool (ocopctl, ocop-demo): the client's defaults ($OCOP_CONFIG,
 * $OCOP_GATEWAY, $OCOP_TOKEN; the key "ocopctl"; 5 s per attempt), the options before the command
 * word (--config, --as, --gateway, --token, --output, --timeout, --help: usage to stdout), then
 * the command of that word; closes what it opened. The exit status (usage to stderr after a
 * wrong option, an unknown command's name after tool). */
int ctl_run(int argc, char **argv, const char *tool, void (*usage)(FILE *out), const ctl_command_t *commands, size_t n);

/* Loads config and keys (once). 0, or an exit code after printing why. */
int ctl_prepare(ctl_t *ctl);

/* Through the gateway: msg (the Request body field body_name) as its route's HTTP request, with
 * request_id as Idempotency-Key (NULL: none); *reply is the caller's, as ctl_call's. 0, or an
 * exit code after printing why. */
int ctl_http_call(ctl_t *ctl, const char *body_name, const ProtobufCMessage *msg, const char *request_id,
                  Ocop__Reply **reply);
/* GET /healthz of the gateway, printed; 0 when every service is up, else CTL_EXIT_UNAVAILABLE. */
int ctl_http_health(ctl_t *ctl);

/* The body message of a built request. */
const ProtobufCMessage *ctl_request_body(const Ocop__Request *req);

/* Opens a client to service (a section name of the config). NULL after printing why. */
ocop_client_t *ctl_connect(ctl_t *ctl, const char *service);

/* Builds a request whose body field is body_name (e.g. "reg_entity_get") from JSON. Returns 0,
 * or CTL_EXIT_USAGE (unknown body) / CTL_EXIT_INVALID (the JSON does not fit it) with the reason
 * in *why, or printed when why is NULL. */
int ctl_build_request(ctl_t *ctl, const char *body_name, const cJSON *body, Ocop__Request *req, ocop_json_error_t *why);

/* Adds name: an array of the ';'-separated items of list (how CSV cells and flags carry lists). */
void ctl_json_add_list(cJSON *obj, const char *name, const char *list);

/* Sends a request to service (through the gateway when ctl->gateway is set: service is then
 * ignored, the route decides); *reply is the caller's (ocop__reply__free_unpacked). 0, or an
 * exit code after printing why no reply came. */
int ctl_call(ctl_t *ctl, const char *service, const char *body_name, const cJSON *body, Ocop__Reply **reply);

/* Sends a request to service and prints the reply. Returns the exit code for its status. */
int ctl_call_and_print(ctl_t *ctl, const char *service, const char *body_name, const cJSON *body);

/* text as a whole decimal number within [min, max] into *out: 0, or -1 (not a number, trailing
 * characters, out of range) so that the caller refuses it rather than reading 0 or a part. */
int ctl_parse_long(const char *text, long min, long max, long *out);
/* The same for an unsigned 64-bit number ("-1" and "" refused). */
int ctl_parse_u64(const char *text, uint64_t min, uint64_t max, uint64_t *out);

/* The exit code for a reply status. */
int ctl_exit_for_status(int status);

/* Prints a reply as JSON or as a table / key-value lines. */
void ctl_print_reply(const ctl_t *ctl, const Ocop__Reply *reply);
/* Prints an EventBatch with every event decoded: JSON, or a table of sequence, time and type. */
void ctl_print_events(const ctl_t *ctl, const Ocop__EventBatch *batch);

/* Subcommands. argv[0] is the subcommand's own name. */
/* ocopctl keygen: needs no config. */
int ctl_cmd_keygen(int argc, char **argv);
/* ocopctl backup DIR / restore DIR: the stores, keys and tokens of a deployment. */
int ctl_cmd_backup(ctl_t *ctl, int argc, char **argv);
int ctl_cmd_restore(ctl_t *ctl, int argc, char **argv);
/* ocopctl config check|services: the config at path, read as the services read it. */
int ctl_cmd_config(const char *path, int argc, char **argv);
int ctl_cmd_import(ctl_t *ctl, int argc, char **argv);
/* "stars": the stars report of the evaluation shards. */
int ctl_cmd_stars(ctl_t *ctl, int argc, char **argv);
/* shard map | shard move: the evaluation shard map and online province moves (ctl_shard.c). */
int ctl_cmd_shard(ctl_t *ctl, int argc, char **argv);
/* "audit export FILE": the audit log for the offline verifier. */
int ctl_cmd_audit(ctl_t *ctl, int argc, char **argv);
int ctl_cmd_registration(ctl_t *ctl, int argc, char **argv);
/* "token create": a gateway user and its API token. */
int ctl_cmd_token(ctl_t *ctl, int argc, char **argv);
/* "catalogue migrate": an older catalogue's one-to-one products to the newer one, in batches. */
int ctl_cmd_catalogue(ctl_t *ctl, int argc, char **argv);

#endif
