/* ocop_keys: key files (round trip, modes, malformed) and the ZAP allow-list, both by
 * talking RFC 27 to the handler directly and through a real CURVE handshake. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "ocop_keys.h"
#include "ocop_fs.h"
#include "unit_tmpdir.h"

typedef struct {
    char dir[UNIT_TMPDIR_LEN];
    char keys[UNIT_TMPDIR_LEN + 16];
} s_fixture_t;

static int s_setup(void **state)
{
    s_fixture_t *fx = calloc(1, sizeof *fx);
    if (!fx)
        return -1;
    if (!unit_tmpdir(fx->dir)) {
        free(fx);
        return -1;
    }
    snprintf(fx->keys, sizeof fx->keys, "%s/keys", fx->dir);
    *state = fx;
    return 0;
}

static int s_teardown(void **state)
{
    s_fixture_t *fx = *state;
    test_rmtree(fx->dir);
    free(fx);
    return 0;
}

static void s_write(const char *path, const char *text, mode_t mode)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    assert_int_equal(chmod(path, mode), 0);
}

static void test_generate(void **state)
{
    (void)state;
    assert_true(ocop_curve_available());
    ocop_keypair_t a, b;
    assert_int_equal(ocop_keys_generate(&a), 0);
    assert_int_equal(ocop_keys_generate(&b), 0);
    assert_int_equal(strlen(a.public_z85), OCOP_Z85_KEY_LEN);
    assert_int_equal(strlen(a.secret_z85), OCOP_Z85_KEY_LEN);
    assert_string_not_equal(a.public_z85, b.public_z85);
    assert_string_not_equal(a.public_z85, a.secret_z85);
}

static void test_save_load(void **state)
{
    s_fixture_t *fx = *state;
    ocop_keypair_t pair, loaded;
    char pub[OCOP_Z85_KEY_LEN + 1];
    char err[256] = "";
    assert_int_equal(ocop_keys_generate(&pair), 0);
    assert_int_equal(ocop_keys_save(fx->keys, "registration", &pair), 0);

    char path[256];
    struct stat st;
    assert_int_equal(stat(fx->keys, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    snprintf(path, sizeof path, "%s/registration.key", fx->keys);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    snprintf(path, sizeof path, "%s/registration.pub", fx->keys);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);

    /* The exact file format is part of the contract (deploy scripts read it). */
    char text[256] = "";
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    char want[128];
    snprintf(want, sizeof want, "public=%s\n", pair.public_z85);
    assert_string_equal(text, want);

    assert_int_equal(ocop_keys_load_pair(fx->keys, "registration", &loaded, err, sizeof err), 0);
    assert_string_equal(loaded.public_z85, pair.public_z85);
    assert_string_equal(loaded.secret_z85, pair.secret_z85);
    assert_int_equal(ocop_keys_load_public(fx->keys, "registration", pub, err, sizeof err), 0);
    assert_string_equal(pub, pair.public_z85);

    /* Saving again replaces the pair and keeps the mode. */
    ocop_keypair_t other;
    assert_int_equal(ocop_keys_generate(&other), 0);
    assert_int_equal(ocop_keys_save(fx->keys, "registration", &other), 0);
    assert_int_equal(ocop_keys_load_pair(fx->keys, "registration", &loaded, err, sizeof err), 0);
    assert_string_equal(loaded.public_z85, other.public_z85);
}

static void test_key_mode_refused(void **state)
{
    s_fixture_t *fx = *state;
    ocop_keypair_t pair, loaded;
    char err[256] = "";
    char path[256];
    assert_int_equal(ocop_keys_generate(&pair), 0);
    assert_int_equal(ocop_keys_save(fx->keys, "gateway", &pair), 0);
    snprintf(path, sizeof path, "%s/gateway.key", fx->keys);

    const mode_t bad[] = {0644, 0640, 0604, 0620, 0602, 0610, 0601};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(chmod(path, bad[i]), 0);
        err[0] = '\0';
        assert_int_equal(ocop_keys_load_pair(fx->keys, "gateway", &loaded, err, sizeof err), -1);
        assert_non_null(strstr(err, "gateway.key"));
        assert_non_null(strstr(err, "0600"));
    }
    assert_int_equal(chmod(path, 0400), 0);
    assert_int_equal(ocop_keys_load_pair(fx->keys, "gateway", &loaded, err, sizeof err), 0);
}

/* Root replacing a file that another account owns (the gateway's tokens file) leaves it to that
 * account; anyone else writes a file of its own. */
static void test_replaced_file_keeps_owner(void **state)
{
    s_fixture_t *fx = *state;
    char path[256];
    snprintf(path, sizeof path, "%s/tokens.json", fx->dir);
    assert_int_equal(ocop_fs_write_file(path, "{\"users\": []}\n", 0600), 0);
    const uid_t other = 65534; /* nobody */
    int root = geteuid() == 0;
    if (root)
        assert_int_equal(chown(path, other, other), 0);
    assert_int_equal(ocop_fs_write_file(path, "{\"users\": [1]}\n", 0600), 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_uid, root ? other : geteuid());
    assert_int_equal(st.st_gid, root ? other : getegid());
    assert_int_equal(st.st_mode & 0777, 0600);
    char text[64], err[256];
    assert_int_equal(ocop_keys_read_file(path, 1, text, sizeof text, err, sizeof err), 0);
    assert_string_equal(text, "{\"users\": [1]}\n");
}

static void test_load_errors(void **state)
{
    s_fixture_t *fx = *state;
    ocop_keypair_t a, b, loaded;
    char pub[OCOP_Z85_KEY_LEN + 1];
    char err[256] = "";
    char path[256], text[256];
    assert_int_equal(ocop_keys_generate(&a), 0);
    assert_int_equal(ocop_keys_generate(&b), 0);
    assert_int_equal(ocop_keys_save(fx->keys, "x", &a), 0);

    assert_int_equal(ocop_keys_load_pair(fx->keys, "missing", &loaded, err, sizeof err), -1);
    assert_non_null(strstr(err, "missing.key"));
    assert_int_equal(ocop_keys_load_public(fx->keys, "missing", pub, err, sizeof err), -1);
    assert_non_null(strstr(err, "missing.pub"));
    /* Names cannot escape the keys directory. */
    assert_int_equal(ocop_keys_load_pair(fx->keys, "../x", &loaded, err, sizeof err), -1);
    assert_int_equal(ocop_keys_save(fx->keys, "a/b", &a), -1);
    assert_int_equal(ocop_keys_save(fx->keys, "", &a), -1);

    snprintf(path, sizeof path, "%s/x.key", fx->keys);
    const char *const malformed[] = {
        "",
        "public=short\nsecret=short\n",
        "garbage\n",
    };
    for (size_t i = 0; i < sizeof malformed / sizeof malformed[0]; i++) {
        s_write(path, malformed[i], 0600);
        err[0] = '\0';
        assert_int_equal(ocop_keys_load_pair(fx->keys, "x", &loaded, err, sizeof err), -1);
        assert_non_null(strstr(err, "malformed"));
    }
    /* Halves of two different pairs. */
    snprintf(text, sizeof text, "public=%s\nsecret=%s\n", a.public_z85, b.secret_z85);
    s_write(path, text, 0600);
    assert_int_equal(ocop_keys_load_pair(fx->keys, "x", &loaded, err, sizeof err), -1);
    assert_non_null(strstr(err, "does not match"));
    /* Characters outside the Z85 alphabet. */
    snprintf(text, sizeof text, "public=%s\nsecret=%.39s~\n", a.public_z85, a.secret_z85);
    text[7] = '"';
    s_write(path, text, 0600);
    assert_int_equal(ocop_keys_load_pair(fx->keys, "x", &loaded, err, sizeof err), -1);
    /* Without the trailing newline the file is still fine. */
    snprintf(text, sizeof text, "public=%s\nsecret=%s", a.public_z85, a.secret_z85);
    s_write(path, text, 0600);
    assert_int_equal(ocop_keys_load_pair(fx->keys, "x", &loaded, err, sizeof err), 0);
}

/* ---- ZAP ---------------------------------------------------------------------------- */

static int s_recv_str(void *socket, char *buf, size_t len)
{
    int n = zmq_recv(socket, buf, len - 1, 0);
    if (n < 0)
        return -1;
    buf[(size_t)n < len - 1 ? (size_t)n : len - 1] = '\0';
    return n;
}

static int s_more(void *socket)
{
    int more = 0;
    size_t size = sizeof more;
    zmq_getsockopt(socket, ZMQ_RCVMORE, &more, &size);
    return more;
}

/* Sends an RFC 27 request through a REQ socket and checks the reply frames. */
static void s_zap_exchange(void *req, const char *mechanism, const void *cred, size_t cred_len, int extra,
                           const char *want_status, const char *want_user)
{
    const char *head[] = {"1.0", "req-7", "ocop", "127.0.0.1", ""};
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(zmq_send(req, head[i], strlen(head[i]), ZMQ_SNDMORE), (int)strlen(head[i]));
    assert_int_equal(zmq_send(req, mechanism, strlen(mechanism), cred ? ZMQ_SNDMORE : 0), (int)strlen(mechanism));
    if (cred)
        assert_int_equal(zmq_send(req, cred, cred_len, extra ? ZMQ_SNDMORE : 0), (int)cred_len);
    for (int i = 0; i < extra; i++)
        assert_int_equal(zmq_send(req, "x", 1, i + 1 < extra ? ZMQ_SNDMORE : 0), 1);

    zmq_pollitem_t item = {.socket = req, .events = ZMQ_POLLIN};
    assert_int_equal(zmq_poll(&item, 1, 5000), 1);
    char frame[128];
    const char *want[] = {"1.0", "req-7", want_status, NULL, want_user, ""};
    for (size_t i = 0; i < 6; i++) {
        assert_true(s_recv_str(req, frame, sizeof frame) >= 0);
        if (want[i])
            assert_string_equal(frame, want[i]);
        assert_int_equal(s_more(req), i < 5);
    }
}

static void test_zap_protocol(void **state)
{
    (void)state;
    ocop_keypair_t allowed, stranger;
    assert_int_equal(ocop_keys_generate(&allowed), 0);
    assert_int_equal(ocop_keys_generate(&stranger), 0);
    uint8_t allowed_bin[32], stranger_bin[32];
    assert_non_null(zmq_z85_decode(allowed_bin, allowed.public_z85));
    assert_non_null(zmq_z85_decode(stranger_bin, stranger.public_z85));

    void *ctx = zmq_ctx_new();
    const char *list[] = {allowed.public_z85};
    ocop_zap_t *zap = ocop_zap_new(ctx, list, 1);
    assert_non_null(zap);
    /* Only one handler per context: the endpoint is taken. */
    assert_null(ocop_zap_new(ctx, list, 1));

    void *req = zmq_socket(ctx, ZMQ_REQ);
    int linger = 0;
    zmq_setsockopt(req, ZMQ_LINGER, &linger, sizeof linger);
    assert_int_equal(zmq_connect(req, "inproc://zeromq.zap.01"), 0);

    s_zap_exchange(req, "CURVE", allowed_bin, 32, 0, "200", allowed.public_z85);
    assert_int_equal(ocop_zap_refused(zap), 0);
    s_zap_exchange(req, "CURVE", stranger_bin, 32, 0, "400", "");
    assert_int_equal(ocop_zap_refused(zap), 1);
    s_zap_exchange(req, "CURVE", allowed_bin, 31, 0, "400", "");
    s_zap_exchange(req, "NULL", NULL, 0, 0, "400", "");
    s_zap_exchange(req, "PLAIN", "admin", 5, 0, "400", "");
    /* Too many frames: refused, and the handler stays in step for the next request. */
    s_zap_exchange(req, "CURVE", allowed_bin, 32, 5, "400", "");
    assert_int_equal(ocop_zap_refused(zap), 5);
    s_zap_exchange(req, "CURVE", allowed_bin, 32, 0, "200", allowed.public_z85);
    assert_int_equal(ocop_zap_refused(zap), 5);

    zmq_close(req);
    ocop_zap_destroy(&zap);
    assert_null(zap);
    ocop_zap_destroy(&zap);
    assert_int_equal(zmq_ctx_term(ctx), 0);

    /* Keys that are not Z85 are refused up front. */
    ctx = zmq_ctx_new();
    const char *bad[] = {"not a key"};
    assert_null(ocop_zap_new(ctx, bad, 1));
    zmq_ctx_term(ctx);
}

static void *s_dealer(void *ctx, const ocop_keypair_t *self, const char *server_pub, const char *endpoint)
{
    void *dealer = zmq_socket(ctx, ZMQ_DEALER);
    int linger = 0;
    zmq_setsockopt(dealer, ZMQ_LINGER, &linger, sizeof linger);
    assert_int_equal(ocop_curve_client(dealer, self, server_pub), 0);
    assert_int_equal(zmq_connect(dealer, endpoint), 0);
    return dealer;
}

static void test_zap_curve_handshake(void **state)
{
    (void)state;
    ocop_keypair_t server, good, bad;
    assert_int_equal(ocop_keys_generate(&server), 0);
    assert_int_equal(ocop_keys_generate(&good), 0);
    assert_int_equal(ocop_keys_generate(&bad), 0);

    void *ctx = zmq_ctx_new();
    const char *list[] = {good.public_z85};
    ocop_zap_t *zap = ocop_zap_new(ctx, list, 1);
    assert_non_null(zap);

    void *router = zmq_socket(ctx, ZMQ_ROUTER);
    int linger = 0;
    zmq_setsockopt(router, ZMQ_LINGER, &linger, sizeof linger);
    assert_int_equal(ocop_curve_server(router, &server), 0);
    assert_int_equal(zmq_bind(router, "tcp://127.0.0.1:*"), 0);
    char endpoint[128];
    size_t len = sizeof endpoint;
    assert_int_equal(zmq_getsockopt(router, ZMQ_LAST_ENDPOINT, endpoint, &len), 0);

    void *stranger = s_dealer(ctx, &bad, server.public_z85, endpoint);
    void *friend = s_dealer(ctx, &good, server.public_z85, endpoint);
    assert_int_equal(zmq_send(stranger, "intruder", 8, 0), 8);
    assert_int_equal(zmq_send(friend, "hello", 5, 0), 5);

    /* The server sees exactly the allowed client's message, and echoes it. */
    zmq_pollitem_t item = {.socket = router, .events = ZMQ_POLLIN};
    assert_int_equal(zmq_poll(&item, 1, 5000), 1);
    zmq_msg_t id;
    zmq_msg_init(&id);
    assert_true(zmq_msg_recv(&id, router, 0) > 0);
    char body[32];
    assert_int_equal(s_recv_str(router, body, sizeof body), 5);
    assert_string_equal(body, "hello");
    assert_int_equal(zmq_msg_send(&id, router, ZMQ_SNDMORE), (int)zmq_msg_size(&id));
    zmq_msg_close(&id);
    assert_int_equal(zmq_send(router, "hello", 5, 0), 5);

    item.socket = friend;
    assert_int_equal(zmq_poll(&item, 1, 5000), 1);
    assert_int_equal(s_recv_str(friend, body, sizeof body), 5);
    assert_string_equal(body, "hello");

    /* The refused client gets nothing back, and the server nothing from it, for ~1 s. */
    zmq_pollitem_t both[2] = {{.socket = router, .events = ZMQ_POLLIN}, {.socket = stranger, .events = ZMQ_POLLIN}};
    assert_int_equal(zmq_poll(both, 2, 1000), 0);

    /* The refusal was counted (the handshake ran while we waited; bounded in case it has not). */
    for (int i = 0; i < 50 && ocop_zap_refused(zap) == 0; i++)
        zmq_poll(both, 2, 100);
    assert_true(ocop_zap_refused(zap) >= 1);

    zmq_close(stranger);
    zmq_close(friend);
    zmq_close(router);
    ocop_zap_destroy(&zap);
    assert_int_equal(zmq_ctx_term(ctx), 0);
}

static void test_curve_options_validated(void **state)
{
    (void)state;
    ocop_keypair_t pair, broken = {.public_z85 = "x", .secret_z85 = "y"};
    assert_int_equal(ocop_keys_generate(&pair), 0);
    void *ctx = zmq_ctx_new();
    void *s = zmq_socket(ctx, ZMQ_DEALER);
    assert_int_equal(ocop_curve_client(s, &pair, "too short"), -1);
    assert_int_equal(ocop_curve_client(s, &broken, pair.public_z85), -1);
    assert_int_equal(ocop_curve_server(s, &broken), -1);
    assert_int_equal(ocop_curve_client(NULL, &pair, pair.public_z85), -1);
    zmq_close(s);
    zmq_ctx_term(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generate),
        cmocka_unit_test_setup_teardown(test_save_load, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_key_mode_refused, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_replaced_file_keeps_owner, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_load_errors, s_setup, s_teardown),
        cmocka_unit_test(test_zap_protocol),
        cmocka_unit_test(test_zap_curve_handshake),
        cmocka_unit_test(test_curve_options_validated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
