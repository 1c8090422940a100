/* Unit: the users file — tokens are found by their hash only, the file keeps no token, names are
 * unique, each role needs its scope, a missing file is an empty set and a broken one is refused
 * naming the user. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>

#include "ocop_users.h"
#include "unit_tmpdir.h"

static char *s_read(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = calloc(1, 1 << 16);
    size_t n = buf ? fread(buf, 1, (1 << 16) - 1, f) : 0;
    (void)n;
    fclose(f);
    return buf;
}

static ocop_user_t s_user(const char *name, ocop_role_t role, const char *province)
{
    ocop_user_t u;
    memset(&u, 0, sizeof u);
    snprintf(u.name, sizeof u.name, "%s", name);
    u.role = role;
    snprintf(u.province, sizeof u.province, "%s", province ? province : "");
    return u;
}

static void test_add_and_find(void **state)
{
    (void)state;
    char dir[UNIT_TMPDIR_LEN], path[128], err[512];
    assert_non_null(unit_tmpdir(dir));
    snprintf(path, sizeof path, "%s/tokens.json", dir);
    ocop_users_t *users = ocop_users_load(path, err, sizeof err);
    assert_non_null(users); /* missing: empty */
    assert_int_equal(ocop_users_count(users), 0);
    ocop_users_destroy(&users);

    char t1[OCOP_TOKEN_LEN + 1], t2[OCOP_TOKEN_LEN + 1];
    ocop_user_t a = s_user("lan", OCOP_ROLE_PROVINCE, "01"), b = s_user("kiem", OCOP_ROLE_AUDITOR, NULL);
    ocop_token_new(t1, a.token_hash);
    ocop_token_new(t2, b.token_hash);
    assert_int_equal(strlen(t1), OCOP_TOKEN_LEN);
    assert_string_not_equal(t1, t2);
    assert_int_equal(ocop_users_add(path, &a, err, sizeof err), 0);
    assert_int_equal(ocop_users_add(path, &b, err, sizeof err), 0);
    assert_int_equal(ocop_users_add(path, &a, err, sizeof err), -1);
    assert_non_null(strstr(err, "already exists"));
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    char *text = s_read(path);
    assert_non_null(text);
    assert_null(strstr(text, t1 + 5)); /* only hashes */
    free(text);

    users = ocop_users_load(path, err, sizeof err);
    assert_non_null(users);
    assert_int_equal(ocop_users_count(users), 2);
    const ocop_user_t *u = ocop_users_find(users, t1);
    assert_non_null(u);
    assert_string_equal(u->name, "lan");
    assert_int_equal(u->role, OCOP_ROLE_PROVINCE);
    assert_string_equal(u->province, "01");
    assert_string_equal(ocop_users_find(users, t2)->name, "kiem");
    char wrong[OCOP_TOKEN_LEN + 1];
    memcpy(wrong, t1, sizeof wrong);
    wrong[10] = wrong[10] == 'a' ? 'b' : 'a';
    assert_null(ocop_users_find(users, wrong));
    assert_null(ocop_users_find(users, "ocop_short"));
    assert_null(ocop_users_find(users, NULL));
    ocop_users_destroy(&users);

    /* The file says who may do what: one that others may read or write is refused, like a
     * secret key (a 0666 file would let any local user add a central officer); so is adding to
     * it. */
    const mode_t lax[] = {0666, 0644, 0640, 0602, 0620};
    for (size_t i = 0; i < sizeof lax / sizeof lax[0]; i++) {
        assert_int_equal(chmod(path, lax[i]), 0);
        err[0] = '\0';
        assert_null(ocop_users_load(path, err, sizeof err));
        if (!strstr(err, path) || !strstr(err, "mode"))
            fail_msg("mode %04o: '%s'", (unsigned)lax[i], err);
        ocop_user_t c = s_user("tw", OCOP_ROLE_CENTRAL, NULL);
        ocop_token_new(t1, c.token_hash);
        assert_int_equal(ocop_users_add(path, &c, err, sizeof err), -1);
        assert_non_null(strstr(err, "mode"));
    }
    assert_int_equal(chmod(path, 0400), 0);
    users = ocop_users_load(path, err, sizeof err);
    assert_non_null(users);
    assert_int_equal(ocop_users_count(users), 2);
    ocop_users_destroy(&users);
    test_rmtree(dir);
}

static void test_scopes_and_broken_files(void **state)
{
    (void)state;
    char err[256];
    ocop_user_t u = s_user("x", OCOP_ROLE_PROVINCE, NULL);
    assert_int_equal(ocop_user_validate(&u, err, sizeof err), -1);
    assert_non_null(strstr(err, "needs province"));
    u = s_user("x", OCOP_ROLE_PRODUCER, NULL);
    assert_int_equal(ocop_user_validate(&u, err, sizeof err), -1);
    assert_non_null(strstr(err, "needs entity"));
    u = s_user("x", OCOP_ROLE_COUNCIL, NULL);
    snprintf(u.member, sizeof u.member, "m1");
    assert_int_equal(ocop_user_validate(&u, err, sizeof err), -1);
    assert_non_null(strstr(err, "needs councils"));
    u = s_user("x", OCOP_ROLE_CENTRAL, NULL);
    assert_int_equal(ocop_user_validate(&u, err, sizeof err), 0);

    char dir[UNIT_TMPDIR_LEN], path[128];
    assert_non_null(unit_tmpdir(dir));
    snprintf(path, sizeof path, "%s/tokens.json", dir);
    const char *broken[][2] = {
        {"{\"users\": [{\"name\": \"a\", \"role\": \"king\", \"token_hash\": "
         "\"0000000000000000000000000000000000000000000000000000000000000000\"}]}",
         "unknown role"},
        {"{\"users\": [{\"name\": \"a\", \"role\": \"auditor\", \"token_hash\": \"00\"}]}", "token_hash"},
        {"{\"people\": []}", "expected {\"users\""},
        {"{\"users\": [", "invalid JSON"},
    };
    for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++) {
        FILE *f = fopen(path, "w");
        fputs(broken[i][0], f);
        fclose(f);
        assert_int_equal(chmod(path, 0600), 0);
        char e[512] = "";
        ocop_users_t *users = ocop_users_load(path, e, sizeof e);
        assert_null(users);
        if (!strstr(e, broken[i][1]) || !strstr(e, path))
            fail_msg("case %zu: '%s' lacks '%s' or the path", i, e, broken[i][1]);
    }
    test_rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_and_find),
        cmocka_unit_test(test_scopes_and_broken_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
