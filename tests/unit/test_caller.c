/* caller.c and config's fastcgi section: who may talk to the sockets. */
#include <stdlib.h>
#include <string.h>

#include "caller.h"
#include "unit.h"

static const char secret[] = "3f9a1c7e5b2d8046af13c9e7b5d20486";

/* A configuration as gw_load_config leaves it for secret_file = secret. */
static gw_config *with_secret(void)
{
    gw_config *c = unit_config_of("{\"fastcgi\":{\"secret_file\":\"/s\"}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    c->fastcgi.has_secret = gw_sha256(secret, strlen(secret), c->fastcgi.secret_hash);
    CU_ASSERT_TRUE_FATAL(c->fastcgi.has_secret);
    return c;
}

static void t_secret(void)
{
    gw_config *c = with_secret();
    CU_ASSERT_TRUE(gw_caller_secret_ok(c, secret, 1));
    CU_ASSERT_FALSE(gw_caller_secret_ok(c, NULL, 0));          /* absent */
    CU_ASSERT_FALSE(gw_caller_secret_ok(c, "", 1));            /* empty */
    CU_ASSERT_FALSE(gw_caller_secret_ok(c, secret, 2));        /* sent twice */
    CU_ASSERT_FALSE(gw_caller_secret_ok(c, "3f9a1c7e5b2d8046af13c9e7b5d2048", 1)); /* prefix */
    CU_ASSERT_FALSE(gw_caller_secret_ok(c, "3f9a1c7e5b2d8046af13c9e7b5d204860", 1));
    CU_ASSERT_FALSE(gw_caller_secret_ok(c, "3F9A1C7E5B2D8046AF13C9E7B5D20486", 1));
    CU_ASSERT_FALSE(gw_caller_unprotected(c));
    gw_config_free(c);
    /* no secret configured: anything passes, and --check-config warns */
    c = unit_config_of("{}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_TRUE(gw_caller_secret_ok(c, NULL, 0));
    CU_ASSERT_TRUE(gw_caller_unprotected(c));
    gw_config_free(c);
}

static void t_peer(void)
{
    gw_config *c = unit_config_of("{\"fastcgi\":{\"peer_uids\":[33, 0]}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_FALSE(gw_caller_unprotected(c));
    CU_ASSERT_TRUE(gw_caller_peer_ok(c, true, true, 33));
    CU_ASSERT_TRUE(gw_caller_peer_ok(c, true, true, 0));
    CU_ASSERT_FALSE(gw_caller_peer_ok(c, true, true, 1000));
    CU_ASSERT_FALSE(gw_caller_peer_ok(c, true, false, 33)); /* uid unknown */
    CU_ASSERT_FALSE(gw_caller_peer_ok(c, false, false, 0)); /* TCP: no uid to prove */
    gw_config_free(c);
    c = unit_config_of("{}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_TRUE(gw_caller_peer_ok(c, false, false, 0));
    gw_config_free(c);
    /* a name alone protects too (resolved at load) */
    c = unit_config_of("{\"fastcgi\":{\"peer_uids\":[\"www-data\"]}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_FALSE(gw_caller_unprotected(c));
    gw_config_free(c);
}

static void t_config(void)
{
    gw_config *c = unit_config_of("{}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_STRING_EQUAL(c->fastcgi.secret_file, "");
    CU_ASSERT_FALSE(c->fastcgi.has_secret);
    CU_ASSERT_EQUAL(c->fastcgi.receive_timeout_ms, 5000);
    gw_config_free(c);
    static const struct {
        const char *json, *problem;
    } bad[] = {
        {"{\"fastcgi\":{\"secret_file\":\"relative/secret\"}}", "fastcgi.secret_file: must be an absolute"},
        {"{\"fastcgi\":{\"secret\":\"x\"}}", "fastcgi.secret: unknown key"},
        {"{\"fastcgi\":{\"peer_uids\":[-1]}}", "fastcgi.peer_uids[0]: expected a user id"},
        {"{\"fastcgi\":{\"peer_uids\":[1.5]}}", "fastcgi.peer_uids[0]: expected a user id"},
        {"{\"fastcgi\":{\"peer_uids\":[1e300]}}", "fastcgi.peer_uids[0]: expected a user id"},
        {"{\"fastcgi\":{\"peer_uids\":[0, \"bad name\"]}}", "fastcgi.peer_uids[1]: expected a user name"},
        {"{\"fastcgi\":{\"peer_uids\":[true]}}", "fastcgi.peer_uids[0]: expected a user id or a user name"},
        {"{\"fastcgi\":{\"peer_uids\":\"www-data\"}}", "fastcgi.peer_uids: expected an array"},
        {"{\"fastcgi\":{\"receive_timeout_ms\":0}}", "fastcgi.receive_timeout_ms: expected an integer"},
        {"{\"database\":{\"cluster\":\"mysql-cluster\"}}", "database.cluster: invalid value, must be one of [none, galera]"},
        {NULL, NULL}};
    for (int i = 0; bad[i].json; i++) {
        char *err = NULL;
        gw_config *b = gw_config_parse(bad[i].json, strlen(bad[i].json), &err);
        CU_ASSERT_PTR_NULL(b);
        CU_ASSERT_PTR_NOT_NULL_FATAL(err);
        CU_ASSERT_PTR_NOT_NULL(strstr(err, bad[i].problem));
        free(err);
    }
}

static void t_secret_problem(void)
{
    CU_ASSERT_PTR_NULL(gw_secret_problem(secret));
    CU_ASSERT_PTR_NULL(gw_secret_problem("Zk3m9QpX2vB7nR4tY8wL1cH6jD5sF0gAeUiOoPaSd"));
    CU_ASSERT_PTR_NOT_NULL(gw_secret_problem(""));
    CU_ASSERT_PTR_NOT_NULL(gw_secret_problem("3f9a1c7e5b2d8046af13c9e7b5d2048"));  /* 31 bytes */
    CU_ASSERT_PTR_NOT_NULL(gw_secret_problem("passwordpasswordpasswordpassword")); /* 7 distinct */
    CU_ASSERT_PTR_NOT_NULL(gw_secret_problem("3f9a1c7e5b2d8046 af13c9e7b5d20486")); /* space */
    CU_ASSERT_PTR_NOT_NULL(gw_secret_problem("3f9a1c7e5b2d8046\taf13c9e7b5d20486"));
    CU_ASSERT_PTR_NOT_NULL(gw_secret_problem("3f9a1c7e5b2d8046\"af13c9e7b5d20486")); /* quote */
    CU_ASSERT_PTR_NULL(gw_secret_problem("q8N+f2/Lk0=Zx_7.Wm:3-Ae9Rt5Yu1Io4Pj6"));     /* base64 */
}

void unit_caller(void)
{
    static const unit_test tests[] = {
        {"the secret: exact, once, constant-time by hash", t_secret},
        {"peer uids: unix sockets only, listed uids only", t_peer},
        {"the fastcgi section: defaults and refusals", t_config},
        {"a secret must be long and look random", t_secret_problem},
        {NULL, NULL}};
    unit_suite("caller", tests);
}
