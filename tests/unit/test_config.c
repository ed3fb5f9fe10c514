/* config*.c: defaults, types, unknown keys, identifiers, every problem at once, the enum
 * tables, running out of memory. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_int.h"
#include "load.h"
#include "unit.h"

static gw_config *parse(const char *json, char **errors)
{
    return gw_config_parse(json, strlen(json), errors);
}

static void t_defaults(void)
{
    char *err = NULL;
    gw_config *c = parse("{}", &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_PTR_NULL(err);
    CU_ASSERT_STRING_EQUAL(c->database.host, "localhost");
    CU_ASSERT_EQUAL(c->database.port, 3306);
    CU_ASSERT_STRING_EQUAL(c->database.user, "gwauth");
    CU_ASSERT_STRING_EQUAL(c->database.name, "gwauth");
    CU_ASSERT_EQUAL(c->database.connect_timeout_ms, 2000);
    CU_ASSERT_EQUAL(c->database.read_timeout_ms, 2000);
    CU_ASSERT_EQUAL(c->identity.source, GW_SRC_APISIX);
    CU_ASSERT_STRING_EQUAL(c->identity.header, "HTTP_X_USERINFO");
    CU_ASSERT_STRING_EQUAL(c->identity.id_claim, "sub");
    CU_ASSERT_EQUAL(c->identity.max_bytes, 16384);
    CU_ASSERT_EQUAL(c->identity.nproxies, 2);
    CU_ASSERT_EQUAL(c->identity.cache_seconds, 10);
    CU_ASSERT_TRUE(c->users.create);
    CU_ASSERT_TRUE(c->users.update);
    CU_ASSERT_EQUAL_FATAL(c->users.nfields, 5);
    CU_ASSERT_STRING_EQUAL(c->users.fields[0].claim, "preferred_username");
    CU_ASSERT_STRING_EQUAL(c->users.fields[0].column, "username");
    CU_ASSERT_TRUE(c->users.fields[0].overwrite);
    CU_ASSERT_EQUAL_FATAL(c->users.nrelated, 1);
    CU_ASSERT_STRING_EQUAL(c->users.related[0].table, "user_profiles");
    CU_ASSERT_EQUAL_FATAL(c->users.related[0].ncols, 2);
    CU_ASSERT_EQUAL(c->users.nrelated_cols, 2); /* derived */
    CU_ASSERT_STRING_EQUAL(c->users.related[0].cols[1].deflt, "0");
    CU_ASSERT_EQUAL(c->groups.sync, GW_SYNC_OFF);
    CU_ASSERT_EQUAL_FATAL(c->exports.n, 7);
    CU_ASSERT_STRING_EQUAL(c->exports.v[0].name, "REMOTE_USER");
    CU_ASSERT_STRING_EQUAL(c->exports.v[0].column, "global_id");
    CU_ASSERT_EQUAL(c->exports.v[5].kind, GW_EXP_GROUPS);
    CU_ASSERT_EQUAL(c->exports.v[6].kind, GW_EXP_SOURCE);
    CU_ASSERT_EQUAL(c->access.deflt, GW_ACCESS_AUTHENTICATED);
    CU_ASSERT_FALSE(c->session.enabled);
    CU_ASSERT_EQUAL(c->session.ttl_seconds, 1209600);
    CU_ASSERT_STRING_EQUAL(c->session.same_site, "Lax");
    CU_ASSERT_STRING_EQUAL(c->logout.default_destination, "/app");
    CU_ASSERT_EQUAL(c->log.level, GW_LOG_INFO);
    /* the defaults alone print as the empty document's configuration */
    gw_config *d = gw_config_defaults();
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    char *jc = gw_config_json(c), *jd = gw_config_json(d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(jc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(jd);
    CU_ASSERT_STRING_EQUAL(jc, jd);
    free(jc);
    free(jd);
    gw_config_free(d);
    gw_config_free(c);
}

static void t_overrides(void)
{
    char *err = NULL;
    gw_config *c = parse(
        "{\"database\":{\"port\":3307,\"socket\":\"/run/x.sock\"},"
        "\"identity\":{\"id_claim\":\"uid\",\"trusted_proxies\":[\"10.0.0.0/8\"],\"cache_seconds\":0},"
        "\"users\":{\"fields\":{\"mail\":{\"column\":\"email\",\"overwrite\":false}},"
        "  \"related\":{\"extra\":[[\"n\",\"num\",42],[\"f\",\"flag\",true],[\"s\",\"str\",\"x\"]]}},"
        "\"export\":{\"WHO\":\"global_id\"},"
        "\"access\":{\"default\":\"anonymous\",\"rules\":[{\"prefix\":\"/admin/\",\"groups_any\":[\"staff\"]}]},"
        "\"log\":{\"level\":\"debug\"}}",
        &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_EQUAL(c->database.port, 3307);
    CU_ASSERT_STRING_EQUAL(c->database.host, "localhost"); /* untouched default */
    CU_ASSERT_STRING_EQUAL(c->identity.id_claim, "uid");
    CU_ASSERT_EQUAL(c->identity.nproxies, 1);
    CU_ASSERT_EQUAL_FATAL(c->users.nfields, 1); /* a given map replaces the default */
    CU_ASSERT_FALSE(c->users.fields[0].overwrite);
    CU_ASSERT_EQUAL_FATAL(c->users.related[0].ncols, 3);
    CU_ASSERT_EQUAL(c->users.nrelated_cols, 3 * c->users.nrelated);
    CU_ASSERT_STRING_EQUAL(c->users.related[0].cols[0].deflt, "42");
    CU_ASSERT_STRING_EQUAL(c->users.related[0].cols[1].deflt, "1");
    CU_ASSERT_STRING_EQUAL(c->users.related[0].cols[2].deflt, "x");
    CU_ASSERT_EQUAL(c->exports.n, 1);
    CU_ASSERT_EQUAL_FATAL(c->access.nrules, 4); /* and the implied logout, health, metrics rules */
    CU_ASSERT_STRING_EQUAL(c->access.rules[1].prefix, "/applogout");
    CU_ASSERT_EQUAL(c->access.rules[1].access, GW_ACCESS_ANONYMOUS);
    CU_ASSERT_STRING_EQUAL(c->access.rules[2].prefix, "/gwauth/health");
    CU_ASSERT_STRING_EQUAL(c->access.rules[3].prefix, "/gwauth/metrics");
    CU_ASSERT_TRUE(c->access.rules[2].implied && c->access.rules[3].implied);
    CU_ASSERT_EQUAL(c->access.rules[3].access, GW_ACCESS_ANONYMOUS);
    CU_ASSERT_EQUAL(c->access.rules[0].access, GW_ACCESS_AUTHENTICATED);
    CU_ASSERT_EQUAL(c->access.rules[0].groups_any.n, 1);
    CU_ASSERT_EQUAL(c->log.level, GW_LOG_DEBUG);
    gw_config_free(c);
}

/* Each document must be refused with a message holding the text. */
static void t_errors(void)
{
    static const struct { const char *json, *msg; } cases[] = {
        {"", "not valid JSON"},
        {"{", "not valid JSON"},
        {"[]", "top level must be a JSON object"},
        {"{\"identity\":{\"sourse\":\"apisix\"}}", "identity.sourse: unknown key"},
        {"{\"databse\":{}}", "databse: unknown key"},
        {"{\"monitor\":{\"health_path\":\"gwauth\"}}", "monitor.health_path: must be empty (off) or a local path"},
        {"{\"monitor\":{\"metrics_file\":\"run/x\"}}", "monitor.metrics_file: must be an absolute path"},
        {"{\"monitor\":{\"metrics_path\":\"/applogout\"}}", "monitor.metrics_path: must differ from logout.path"},
        {"{\"monitor\":{\"metrics_path\":\"/h\",\"health_path\":\"/h\"}}",
         "monitor.metrics_path: must differ from monitor.health_path"},
        {"{\"monitor\":{\"helth_path\":\"/h\"}}", "monitor.helth_path: unknown key"},
        {"{\"monitor\":{\"metrics_path\":\"/a/./m\"}}", "monitor.metrics_path: must be empty (off) or a local path in its normalized form"},
        {"{\"monitor\":{\"health_path\":\"/gwauth//health\"}}", "monitor.health_path: must be empty (off) or a local path"},
        {"{\"log\":{\"format\":\"xml\"}}", "log.format: invalid value, must be one of [text, json]"},
        {"{\"database\":{\"port\":\"3306\"}}", "database.port: expected an integer"},
        {"{\"database\":{\"port\":70000}}", "database.port: expected an integer from 1 to 65535"},
        {"{\"database\":{\"port\":1.5}}", "database.port: expected an integer"},
        {"{\"database\":{\"port\":1e300}}", "database.port: expected an integer from 1 to 65535"}, /* no cast first */
        {"{\"database\":{\"port\":-9.3e18}}", "database.port: expected an integer from 1 to 65535"},
        {"{\"database\":{\"user\":\"\"}}", "database.user: must not be empty"},
        {"{\"database\":[]}", "database: expected an object"},
        {"{\"identity\":{\"source\":\"kong\"}}", "identity.source: invalid value, must be one of [apisix, headers]"},
        {"{\"identity\":{\"header\":\"X-Userinfo\"}}", "identity.header: must be a variable name"},
        {"{\"identity\":{\"trusted_proxies\":[\"10.0.0.1/8\"]}}", "identity.trusted_proxies[0]: invalid network"},
        {"{\"identity\":{\"trusted_proxies\":[\"::1\",5]}}", "identity.trusted_proxies[1]: expected a string"},
        {"{\"identity\":{\"max_bytes\":0}}", "identity.max_bytes: expected an integer from 1"},
        {"{\"identity\":{\"source\":\"headers\",\"claim_headers\":{\"email\":\"HTTP_X_EMAIL\"}}}",
         "identity.claim_headers: source \"headers\" needs an entry for the id claim \"sub\""},
        {"{\"identity\":{\"claim_headers\":{\"sub\":\"http_remote_user\"}}}", "identity.claim_headers.sub: must be a variable name"},
        {"{\"users\":{\"create\":\"yes\"}}", "users.create: expected true or false"},
        {"{\"users\":{\"fields\":{\"e\":\"e-mail\"}}}", "users.fields.e: column must be a plain identifier"},
        {"{\"users\":{\"fields\":{\"e\":\"email`; DROP TABLE users; --\"}}}", "users.fields.e: column must be a plain identifier"},
        {"{\"users\":{\"fields\":{\"e\":\"global_id\"}}}", "users.fields.e: column \"global_id\" is managed by gwauth"},
        {"{\"users\":{\"fields\":{\"a\":\"email\",\"b\":\"email\"}}}", "users.fields.b: column \"email\" is mapped twice"},
        {"{\"users\":{\"fields\":{\"a\":{\"col\":\"email\"}}}}", "users.fields.a.col: unknown key"},
        {"{\"users\":{\"fields\":{\"a\":{\"overwrite\":false}}}}", "users.fields.a: missing key \"column\""},
        {"{\"users\":{\"fields\":{\"a\":5}}}", "users.fields.a: expected a column name"},
        {"{\"users\":{\"related\":{\"bad table\":[]}}}", "users.related.bad table: table must be a plain identifier"},
        {"{\"users\":{\"related\":{\"sessions\":[]}}}", "users.related.sessions: table \"sessions\" belongs to gwauth"},
        {"{\"users\":{\"related\":{\"p\":[[\"a\",\"b\"]]}}}", "users.related.p[0]: expected [claim, column, default]"},
        {"{\"users\":{\"related\":{\"p\":[[\"a\",\"user_id\",\"\"]]}}}", "users.related.p[0]: column must be a plain identifier other than user_id"},
        {"{\"users\":{\"related\":{\"p\":[[\"a\",\"b\",null]]}}}", "users.related.p[0]: default must be a string, number or boolean"},
        {"{\"users\":{\"related\":{\"p\":[[\"a\",\"b\",[1]]]}}}", "users.related.p[0]: default must be"},
        {"{\"groups\":{\"sync\":\"always\"}}", "groups.sync: invalid value, must be one of [off, existing, create]"},
        {"{\"export\":{\"remote_user\":\"global_id\"}}", "export.remote_user: variable name must match"},
        {"{\"export\":{\"X\":\"@group\"}}", "export.X: expected a users column, \"@groups\", \"@source\" or \"@permissions\""},
        {"{\"export\":{\"X\":\"a.b\"}}", "export.X: expected a users column"},
        {"{\"access\":{\"default\":\"public\"}}", "access.default: invalid value"},
        {"{\"access\":{\"rules\":[{\"access\":\"anonymous\"}]}}", "access.rules[0]: missing key \"prefix\""},
        {"{\"access\":{\"rules\":[{\"prefix\":\"admin\"}]}}", "access.rules[0].prefix: must be a local path"},
        {"{\"access\":{\"rules\":[{\"prefix\":\"/a\"},{\"prefix\":\"/a\"}]}}", "access.rules[1]: prefix \"/a\" is given twice"},
        {"{\"access\":{\"rules\":[{\"prefix\":\"/a\",\"group\":[]}]}}", "access.rules[0].group: unknown key"},
        {"{\"session\":{\"same_site\":\"lax\"}}", "session.same_site: invalid value, must be one of [Strict, Lax, None]"},
        {"{\"session\":{\"enabled\":true,\"same_site\":\"None\",\"secure\":false}}", "session.same_site: \"None\" requires session.secure = true"},
        {"{\"session\":{\"cookie\":\"a b\"}}", "session.cookie: must be a non-empty token"},
        {"{\"session\":{\"ttl_seconds\":10}}", "session.ttl_seconds: expected an integer from 60"},
        {"{\"logout\":{\"default_destination\":\"//evil.example\"}}", "logout.default_destination: must be a local path"},
        {"{\"logout\":{\"path\":\"/establish_session\"}}", "logout.path: must differ from session.establish_path"},
        {"{\"logout\":{\"backchannel_path\":\"/applogout\"}}", "logout.backchannel_path: must differ from logout.path"},
        {"{\"log\":{\"level\":\"verbose\"}}", "log.level: invalid value, must be one of [debug, info, warn, error]"},
        {"{\"log\":{\"level\":\"info\"},\"log\":{\"level\":\"debug\"}}", "log: key given twice"},
        {"{\"database\":{\"host\":\"a\\nb\"}}", "database.host: must not hold control characters"},
        {"{\"identity\":{\"jwt\":{\"issuers\":[\"https://i\"]}}}", "identity.jwt.jwks_file: required"},
        {"{\"identity\":{\"jwt\":{\"jwks_file\":\"keys.json\",\"issuers\":[\"https://i\"]}}}", "identity.jwt.jwks_file: required: the absolute path"},
        {"{\"identity\":{\"jwt\":{\"jwks_file\":\"/k.json\"}}}", "identity.jwt.issuers: required: at least one"},
        {"{\"identity\":{\"jwt\":{\"jwks_file\":\"/k.json\",\"issuers\":[]}}}", "identity.jwt.issuers: required: at least one"},
        {"{\"identity\":{\"jwt\":{\"jwks_file\":\"/k.json\",\"issuers\":[\"\"]}}}", "identity.jwt.issuers[0]: must not be empty"},
        {"{\"identity\":{\"jwt\":{\"jwks_file\":\"/k.json\",\"issuers\":[\"i\"],\"audiences\":[\"x\"],\"leeway_seconds\":-1}}}", "identity.jwt.leeway_seconds: expected an integer from 0 to 3600"},
        {"{\"identity\":{\"jwt\":{\"jwks_file\":\"/k.json\",\"issuers\":[\"i\"],\"audiences\":[\"x\"],\"algs\":[]}}}", "identity.jwt.algs: unknown key"},
        {"{\"identity\":{\"jwt\":{\"jwks_file\":\"/k.json\",\"issuers\":[\"i\"],\"audiences\":[\"x\"],\"header\":\"X-Token\"}}}", "identity.jwt.header: must be a variable name"},
        {"{\"identity\":{\"jwt\":{\"jwks_file\":\"/k.json\",\"issuers\":[\"i\"],\"audiences\":[\"x\"],\"header\":\"HTTP_X_USERINFO\"}}}", "identity.jwt.header: must differ"},
        {"{\"identity\":{\"jwt\":true}}", "identity.jwt: expected an object"},
        /* issuers as objects: a realm each, members default to the section's */
        {"{\"identity\":{\"jwt\":{\"issuers\":[{\"issuer\":\"i\",\"audiences\":[\"x\"]}]}}}", "identity.jwt.issuers[0].jwks_file: required (here or in identity.jwt)"},
        {"{\"identity\":{\"jwt\":{\"issuers\":[{\"issuer\":\"i\",\"jwks_file\":\"/k.json\"}]}}}", "identity.jwt.issuers[0].audiences: required"},
        {"{\"identity\":{\"jwt\":{\"issuers\":[{\"jwks_file\":\"/k.json\",\"audiences\":[\"x\"]}]}}}", "identity.jwt.issuers[0]: an object needs \"issuer\""},
        {"{\"identity\":{\"jwt\":{\"issuers\":[{\"issuer\":\"i\",\"jwks_file\":\"/k.json\",\"audiences\":[\"x\"],\"leeway\":1}]}}}", "identity.jwt.issuers[0].leeway: unknown key"},
        {"{\"identity\":{\"jwt\":{\"issuers\":[{\"issuer\":\"\",\"jwks_file\":\"/k.json\",\"audiences\":[\"x\"]}]}}}", "identity.jwt.issuers[0]: must not be empty"},
        {"{\"identity\":{\"jwt\":{\"jwks_file\":\"/k.json\",\"audiences\":[\"x\"],\"issuers\":[\"i\",{\"issuer\":\"i\"}]}}}", "identity.jwt.issuers[1]: this issuer is listed twice"},
        {"{\"identity\":{\"jwt\":{\"jwks_file\":\"/k.json\",\"audiences\":[\"x\"],\"issuers\":[\"i\",\"i\"]}}}", "identity.jwt.issuers[1]: this issuer is listed twice"},
        {"{\"identity\":{\"jwt\":{\"jwks_file\":\"/k.json\",\"audiences\":[\"x\"],\"issuers\":[7]}}}", "identity.jwt.issuers[0]: expected an issuer"},
        {"{\"identity\":{\"jwt\":{\"jwks_file\":\"/k.json\",\"audiences\":[\"x\"],\"issuers\":\"i\"}}}", "identity.jwt.issuers: expected an array of issuers"},
        {"{\"identity\":{\"jwt\":{\"jwks_file\":\"/k.json\",\"issuers\":[\"i\"]}}}", "identity.jwt.audiences: required: the client ids"},
        {"{\"identity\":{\"jwt\":{\"jwks_file\":\"/k.json\",\"issuers\":[\"i\"],\"audiences\":\"all\"}}}", "identity.jwt.audiences: expected an array of strings"},
        {NULL, NULL}};
    for (int i = 0; cases[i].json; i++) {
        char *err = NULL;
        gw_config *c = parse(cases[i].json, &err);
        CU_ASSERT_PTR_NULL(c);
        if (!err || !strstr(err, cases[i].msg)) {
            CU_FAIL(cases[i].json);
            fprintf(stderr, "\n  config %s\n  want: %s\n  got:  %s\n", cases[i].json,
                    cases[i].msg, err ? err : "(accepted)");
        }
        gw_config_free(c);
        free(err);
    }
}

/* identity.jwt: absent is off; present, its defaults; the cache key
 * gains the token's variable. */
static void t_jwt(void)
{
    gw_config *c = unit_config_of("{}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_FALSE(c->identity.jwt.enabled);
    CU_ASSERT_EQUAL(c->nkey_vars, 1);
    gw_config_free(c);
    /* no audiences: refused (any client's token would do), "any" says so */
    CU_ASSERT_PTR_NULL(unit_config_of("{\"identity\":{\"jwt\":{\"jwks_file\":\"/k.json\","
                                      "\"issuers\":[\"a\"]}}}"));
    CU_ASSERT_PTR_NULL(unit_config_of("{\"identity\":{\"jwt\":{\"jwks_file\":\"/k.json\","
                                      "\"issuers\":[\"a\"],\"audiences\":[]}}}"));
    CU_ASSERT_PTR_NULL(unit_config_of("{\"identity\":{\"jwt\":{\"jwks_file\":\"/k.json\","
                                      "\"issuers\":[\"a\"],\"audiences\":\"all\"}}}"));
    c = unit_config_of("{\"identity\":{\"jwt\":{\"jwks_file\":\"/etc/gwauth/jwks.json\","
                       "\"issuers\":[\"https://sso.example.org/realms/main\"],\"audiences\":\"any\"}}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_TRUE(c->identity.jwt.any_audience);
    CU_ASSERT_TRUE(c->identity.jwt.enabled);
    CU_ASSERT_STRING_EQUAL(c->identity.jwt.header, "HTTP_X_RAW_ID_TOKEN");
    CU_ASSERT_STRING_EQUAL(c->identity.jwt.jwks_file, "/etc/gwauth/jwks.json");
    CU_ASSERT_EQUAL_FATAL(c->identity.jwt.nrealms, 1);
    CU_ASSERT_EQUAL(c->identity.jwt.realms[0].issuers.n, 1);
    CU_ASSERT_TRUE(c->identity.jwt.realms[0].any_audience);
    CU_ASSERT_EQUAL(c->identity.jwt.audiences.n, 0);
    CU_ASSERT_EQUAL(c->identity.jwt.leeway_seconds, 60);
    CU_ASSERT_EQUAL_FATAL(c->nkey_vars, 2);
    CU_ASSERT_STRING_EQUAL(c->key_vars[0], "HTTP_X_USERINFO");
    CU_ASSERT_STRING_EQUAL(c->key_vars[1], "HTTP_X_RAW_ID_TOKEN");
    CU_ASSERT_EQUAL(c->nid_vars, 1); /* the token alone is not an identity */
    gw_config_free(c);
    c = unit_config_of("{\"identity\":{\"jwt\":{\"jwks_file\":\"/k.json\",\"issuers\":[\"a\",\"b\"],"
                       "\"audiences\":[\"x\"],\"header\":\"HTTP_AUTHORIZATION\",\"leeway_seconds\":0}}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_STRING_EQUAL(c->identity.jwt.header, "HTTP_AUTHORIZATION");
    CU_ASSERT_EQUAL_FATAL(c->identity.jwt.nrealms, 1);
    CU_ASSERT_EQUAL(c->identity.jwt.realms[0].issuers.n, 2);
    CU_ASSERT_STRING_EQUAL(c->identity.jwt.realms[0].jwks_file, "/k.json");
    CU_ASSERT_EQUAL(c->identity.jwt.audiences.n, 1);
    CU_ASSERT_EQUAL(c->identity.jwt.leeway_seconds, 0);
    gw_config_free(c);
    /* objects only: no section-wide file or audiences needed */
    c = unit_config_of("{\"identity\":{\"jwt\":{\"issuers\":[{\"issuer\":\"a\",\"jwks_file\":\"/a.json\","
                       "\"audiences\":[\"x\"]},{\"issuer\":\"b\",\"jwks_file\":\"/b.json\",\"audiences\":\"any\"}]}}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_EQUAL_FATAL(c->identity.jwt.nrealms, 2);
    CU_ASSERT_TRUE(c->identity.jwt.realms[0].own);
    CU_ASSERT_STRING_EQUAL(c->identity.jwt.realms[0].issuers.v[0], "a");
    CU_ASSERT_STRING_EQUAL(c->identity.jwt.realms[1].jwks_file, "/b.json");
    CU_ASSERT_TRUE(c->identity.jwt.realms[1].any_audience);
    CU_ASSERT_FALSE(c->identity.jwt.realms[0].any_audience);
    gw_config_free(c);
}

static void t_all_problems(void)
{
    char *err = NULL;
    gw_config *c = parse("{\"identity\":{\"sourse\":1,\"max_bytes\":\"x\"},\"database\":{\"port\":0},"
                         "\"bogus\":true,\"log\":{\"level\":5}}", &err);
    CU_ASSERT_PTR_NULL(c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "identity.sourse: unknown key"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "identity.max_bytes: expected an integer"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "database.port: expected an integer"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "bogus: unknown key"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "log.level: expected a string"));
    int lines = 0;
    for (char *p = err; *p; p++)
        lines += *p == '\n';
    CU_ASSERT_EQUAL(lines, 5);
    free(err);
}

static void t_load(void)
{
    char *err = NULL;
    gw_config *c = gw_load_config("/nonexistent/gwauth.json", &err);
    CU_ASSERT_PTR_NULL(c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "/nonexistent/gwauth.json: cannot read"));
    free(err);
}

/* --print-config: the printed document parses to the same configuration. */
/* database.hosts: the servers tried in order. */
static void t_db_hosts(void)
{
    gw_config *c = unit_config_of("{\"database\":{\"port\":3310,\"hosts\":[\"db1:3307\",\"unix:/run/db.sock\","
                                  "\"[::1]:3308\",\"db4\",\"10.0.0.5\"]}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_EQUAL_FATAL(c->database.nnodes, 5);
    CU_ASSERT_STRING_EQUAL(c->database.nodes[0].host, "db1");
    CU_ASSERT_EQUAL(c->database.nodes[0].port, 3307);
    CU_ASSERT_STRING_EQUAL(c->database.nodes[1].socket, "/run/db.sock");
    CU_ASSERT_STRING_EQUAL(c->database.nodes[2].host, "::1");
    CU_ASSERT_EQUAL(c->database.nodes[2].port, 3308);
    CU_ASSERT_EQUAL(c->database.nodes[3].port, 3310); /* database.port */
    CU_ASSERT_STRING_EQUAL(c->database.nodes[4].text, "10.0.0.5");
    gw_config_free(c);
    c = unit_config_of("{\"database\":{\"host\":\"db9\",\"port\":3311}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_EQUAL_FATAL(c->database.nnodes, 1); /* no list: host and port */
    CU_ASSERT_STRING_EQUAL(c->database.nodes[0].text, "db9:3311");
    CU_ASSERT_EQUAL(c->database.failback_seconds, 30);
    gw_config_free(c);
    static const char *const bad[] = {"db1:", "db1:0", "db1:70000", "db1:x", "::1:3306", "[::1",
                                      "[]:1", "unix:relative", "db 1", "db1:3306:1", NULL};
    for (int i = 0; bad[i]; i++) {
        char json[128], *err = NULL;
        snprintf(json, sizeof(json), "{\"database\":{\"hosts\":[\"ok\",\"%s\"]}}", bad[i]);
        gw_config *b = parse(json, &err);
        if (b || !err || !strstr(err, "database.hosts[1]"))
            fprintf(stderr, "\n  %s: %s\n", bad[i], err ? err : "accepted");
        CU_ASSERT_PTR_NULL(b);
        CU_ASSERT_PTR_NOT_NULL(err);
        CU_ASSERT_PTR_NOT_NULL(err && strstr(err, "database.hosts[1]"));
        free(err);
        gw_config_free(b);
    }
}

/* gwauth's own columns and tables cannot be mapped in any letter case
 * (MariaDB's names are case-insensitive). */
static void t_reserved_any_case(void)
{
    static const char *const bad[] = {
        "{\"users\":{\"fields\":{\"a\":\"IS_ACTIVE\"}}}",
        "{\"users\":{\"fields\":{\"a\":\"Global_Id\"}}}",
        "{\"users\":{\"fields\":{\"a\":\"ID\"}}}",
        "{\"users\":{\"fields\":{\"a\":\"Created_At\"}}}",
        "{\"users\":{\"fields\":{\"a\":\"email\",\"b\":\"EMAIL\"}}}",
        "{\"users\":{\"related\":{\"Sessions\":[[\"a\",\"b\",\"\"]]}}}",
        "{\"users\":{\"related\":{\"p\":[[\"a\",\"User_Id\",\"\"]]}}}",
        NULL};
    for (int i = 0; bad[i]; i++) {
        char *err = NULL;
        gw_config *c = parse(bad[i], &err);
        CU_ASSERT_PTR_NULL(c);
        CU_ASSERT_PTR_NOT_NULL(err);
        free(err);
        gw_config_free(c);
    }
}

/* assertion: off when absent; what it requires; the audiences' slots. */
static void t_assertion(void)
{
    gw_config *c = unit_config_of("{}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_FALSE(c->assertion.enabled);
    gw_config_free(c);
    const char *base = "\"key_file\":\"/k\",\"issuer\":\"i\",\"audience\":\"a\"";
    char doc[1024];
    static const char *const bad[] = {
        "{\"assertion\":{\"issuer\":\"i\",\"audience\":\"a\"}}",                      /* no key */
        "{\"assertion\":{\"key_file\":\"k.pem\",\"issuer\":\"i\",\"audience\":\"a\"}}", /* relative */
        "{\"assertion\":{\"key_file\":\"/k\",\"audience\":\"a\"}}",                    /* no issuer */
        "{\"assertion\":{\"key_file\":\"/k\",\"issuer\":\"i\"}}",                       /* no audience */
        "{\"access\":{\"rules\":[{\"prefix\":\"/b/\",\"audience\":\"b\"}]}}", /* without assertion */
        NULL};
    for (int i = 0; bad[i]; i++)
        CU_ASSERT_PTR_NULL(unit_config_of(bad[i]));
    snprintf(doc, sizeof(doc), "{\"assertion\":{%s,\"ttl_seconds\":5}}", base);
    CU_ASSERT_PTR_NULL(unit_config_of(doc)); /* below 10 s */
    snprintf(doc, sizeof(doc), "{\"assertion\":{%s,\"variable\":\"GWAUTH_EMAIL\"}}", base);
    CU_ASSERT_PTR_NULL(unit_config_of(doc)); /* an export's variable */
    snprintf(doc, sizeof(doc), "{\"assertion\":{%s},\"export\":{\"GWAUTH_X\":\"exp\"}}", base);
    CU_ASSERT_PTR_NULL(unit_config_of(doc)); /* a column named like a registered claim */
    snprintf(doc, sizeof(doc), "{\"assertion\":{%s,\"jwks_path\":\"/gwauth/health\"}}", base);
    CU_ASSERT_PTR_NULL(unit_config_of(doc)); /* a path the responder serves already */
    snprintf(doc, sizeof(doc), "{\"assertion\":{%s},\"access\":{\"rules\":["
             "{\"prefix\":\"/b/\",\"audience\":\"billing\"},{\"prefix\":\"/c/\",\"audience\":\"a\"},"
             "{\"prefix\":\"/d/\",\"audience\":\"billing\"},{\"prefix\":\"/e/\"}]}}", base);
    c = unit_config_of(doc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_EQUAL(c->assertion.ttl_seconds, 60);
    CU_ASSERT_STRING_EQUAL(c->assertion.variable, "GWAUTH_ASSERTION");
    CU_ASSERT_STRING_EQUAL(c->assertion.jwks_path, "/gwauth/jwks.json");
    CU_ASSERT_EQUAL(c->assertion.audiences.n, 2); /* each audience once */
    CU_ASSERT_STRING_EQUAL(c->assertion.audiences.v[0], "a");
    CU_ASSERT_STRING_EQUAL(c->assertion.audiences.v[1], "billing");
    size_t slots[4] = {1, 0, 1, 0};
    for (size_t i = 0; i < 4; i++)
        CU_ASSERT_EQUAL(c->access.rules[i].aud_slot, slots[i]);
    /* the key path is served anonymously, like the health check */
    const gw_rule *r = NULL;
    for (size_t i = 0; i < c->access.nrules; i++)
        if (strcmp(c->access.rules[i].prefix, "/gwauth/jwks.json") == 0)
            r = &c->access.rules[i];
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_TRUE(r->implied);
    CU_ASSERT_EQUAL(r->access, GW_ACCESS_ANONYMOUS);
    gw_config_free(c);
}

static void t_json_round_trip(void)
{
    static const char *const docs[] = {
        "{}",
        "{\"identity\":{\"source\":\"headers\",\"claim_headers\":{\"sub\":\"HTTP_REMOTE_USER\"},"
        "\"trusted_proxies\":[\"10.0.0.0/8\",\"2001:db8::/32\",\"192.0.2.7\"]},"
        "\"users\":{\"fields\":{\"m\":{\"column\":\"email\",\"overwrite\":false}},"
        "\"related\":{\"p\":[[\"a\",\"b\",true],[\"c\",\"d\",7]]}},"
        "\"groups\":{\"sync\":\"create\",\"excluded\":[\"x\"]},"
        "\"access\":{\"rules\":[{\"prefix\":\"/a/\",\"groups_any\":[\"g\"],\"scopes_any\":[\"s\"]}]},"
        "\"session\":{\"enabled\":true,\"same_site\":\"Strict\"},\"log\":{\"level\":\"warn\"}}",
        "{\"identity\":{\"jwt\":{\"jwks_file\":\"/k.json\",\"issuers\":[\"a\"],\"audiences\":[\"b\",\"c\"],"
        "\"leeway_seconds\":5}}}",
        "{\"database\":{\"cluster\":\"galera\",\"hosts\":[\"db1:3307\",\"unix:/run/db.sock\",\"[::1]:3308\",\"db4\"],"
        "\"failback_seconds\":5},\"fastcgi\":{\"secret_file\":\"/etc/gwauth/fastcgi.secret\",\"peer_uids\":[33,\"www-data\",0],"
        "\"receive_timeout_ms\":2500,\"nginx_auth_request\":true}}",
        "{\"assertion\":{\"key_file\":\"/etc/gwauth/keys\",\"issuer\":\"https://a.example/gw\","
        "\"audience\":\"orders\",\"ttl_seconds\":30,\"variable\":\"APP_JWT\",\"jwks_path\":\"/keys.json\"},"
        "\"access\":{\"rules\":[{\"prefix\":\"/billing/\",\"audience\":\"billing\"}]}}",
        NULL};
    for (int i = 0; docs[i]; i++) {
        gw_config *a = unit_config_of(docs[i]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(a);
        char *ja = gw_config_json(a);
        CU_ASSERT_PTR_NOT_NULL_FATAL(ja);
        gw_config *b = unit_config_of(ja);
        CU_ASSERT_PTR_NOT_NULL_FATAL(b);
        char *jb = gw_config_json(b);
        CU_ASSERT_STRING_EQUAL(ja, jb);
        if (i == 1) {
            CU_ASSERT_PTR_NOT_NULL(strstr(ja, "\"2001:db8::/32\""));
            CU_ASSERT_PTR_NOT_NULL(strstr(ja, "\"192.0.2.7/32\""));
            CU_ASSERT_EQUAL(b->access.nrules, 4); /* the implied rules, once each */
        }
        if (i == 2) {
            CU_ASSERT_TRUE(b->identity.jwt.enabled);
            CU_ASSERT_EQUAL(b->identity.jwt.audiences.n, 2);
            CU_ASSERT_EQUAL(b->identity.jwt.leeway_seconds, 5);
        }
        CU_ASSERT_EQUAL(strstr(ja, "\"jwt\"") != NULL, i == 2); /* only when set */
        CU_ASSERT_EQUAL(strstr(ja, "\"assertion\"") != NULL, i == 4);
        if (i == 4) {
            CU_ASSERT_TRUE(b->assertion.enabled);
            CU_ASSERT_EQUAL(b->assertion.ttl_seconds, 30);
            CU_ASSERT_STRING_EQUAL(b->assertion.variable, "APP_JWT");
            CU_ASSERT_STRING_EQUAL(b->access.rules[0].audience, "billing");
        }
        free(ja);
        free(jb);
        gw_config_free(a);
        gw_config_free(b);
    }
}

/* Every enum-valued key, every name of its table: the name parses to its
 * value, the printer writes that name, and the printed document parses
 * back to the value (one table serves both, so none can drift). */
static int of_cluster(const gw_config *c) { return c->database.galera; }
static int of_source(const gw_config *c) { return (int)c->identity.source; }
static int of_sync(const gw_config *c) { return (int)c->groups.sync; }
static int of_default(const gw_config *c) { return (int)c->access.deflt; }
static int of_rule_access(const gw_config *c) { return (int)c->access.rules[0].access; }
static int of_rule_mode(const gw_config *c) { return c->access.rules[0].report; }
static int of_level(const gw_config *c) { return (int)c->log.level; }
static int of_format(const gw_config *c) { return c->log.json; }
static int of_export(const gw_config *c) { return (int)c->exports.v[0].kind; }
static int of_same_site(const gw_config *c)
{
    int v = -1;
    cfg_enum_value(cfg_same_sites, c->session.same_site, &v);
    return v;
}

static void t_enum_tables(void)
{
    static const struct {
        const cfg_enum *t;
        const char *doc; /* %s: the name */
        int (*of)(const gw_config *);
        bool omits_first; /* the printer leaves the first (the default) out */
    } keys[] = {
        {cfg_clusters, "{\"database\":{\"cluster\":\"%s\"}}", of_cluster, false},
        {cfg_sources, "{\"identity\":{\"source\":\"%s\",\"claim_headers\":{\"sub\":\"HTTP_X_SUB\"}}}",
         of_source, false},
        {cfg_syncs, "{\"groups\":{\"sync\":\"%s\"}}", of_sync, false},
        {cfg_accesses, "{\"access\":{\"default\":\"%s\"}}", of_default, false},
        {cfg_accesses, "{\"access\":{\"rules\":[{\"prefix\":\"/a/\",\"access\":\"%s\"}]}}", of_rule_access, false},
        {cfg_modes, "{\"access\":{\"rules\":[{\"prefix\":\"/a/\",\"mode\":\"%s\"}]}}", of_rule_mode, true},
        {cfg_same_sites, "{\"session\":{\"same_site\":\"%s\"}}", of_same_site, false},
        {cfg_levels, "{\"log\":{\"level\":\"%s\"}}", of_level, false},
        {cfg_formats, "{\"log\":{\"format\":\"%s\"}}", of_format, false},
        {cfg_export_kinds, "{\"export\":{\"X\":\"%s\"},\"access\":{\"permissions_file\":\"/p.json\"}}",
         of_export, false},
    };
    for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
        const cfg_enum *t = keys[k].t;
        CU_ASSERT_PTR_NOT_NULL_FATAL(t[0].name);
        for (size_t i = 0; t[i].name; i++) {
            for (size_t j = 0; j < i; j++) /* names and values once each */
                CU_ASSERT(strcmp(t[i].name, t[j].name) != 0 && t[i].value != t[j].value);
            CU_ASSERT_STRING_EQUAL(cfg_enum_name(t, t[i].value), t[i].name);
            char doc[256], want[80];
            const char *at = strstr(keys[k].doc, "%s");
            snprintf(doc, sizeof(doc), "%.*s%s%s", (int)(at - keys[k].doc), keys[k].doc, t[i].name, at + 2);
            gw_config *a = unit_config_of(doc);
            CU_ASSERT_PTR_NOT_NULL_FATAL(a);
            CU_ASSERT_EQUAL(keys[k].of(a), t[i].value);
            char *ja = gw_config_json(a);
            CU_ASSERT_PTR_NOT_NULL_FATAL(ja);
            snprintf(want, sizeof(want), "\"%s\"", t[i].name);
            CU_ASSERT((strstr(ja, want) != NULL) != (keys[k].omits_first && i == 0));
            gw_config *b = unit_config_of(ja);
            CU_ASSERT_PTR_NOT_NULL_FATAL(b);
            CU_ASSERT_EQUAL(keys[k].of(b), t[i].value);
            free(ja);
            gw_config_free(a);
            gw_config_free(b);
        }
        int v = 12345;
        CU_ASSERT_FALSE(cfg_enum_value(t, "no such name", &v));
        CU_ASSERT_EQUAL(v, 12345);
        CU_ASSERT_PTR_NULL(cfg_enum_name(t, 12345));
    }
    CU_ASSERT_STRING_EQUAL(gw_access_name(GW_ACCESS_DENY), "deny");
}

/* A configuration that uses every section and most keys: what the
 * out-of-memory test parses. */
static const char oom_full[] =
    "{\"database\": {\"host\": \"db\", \"port\": 3307, \"user\": \"gw\", \"password_file\": \"/etc/gw/pw\","
    "  \"name\": \"gw\", \"cluster\": \"galera\", \"failback_seconds\": 10,"
    "  \"hosts\": [\"db1:3307\", \"unix:/run/db.sock\", \"[::1]:3308\", \"db4\"]},"
    " \"identity\": {\"header\": \"HTTP_X_USERINFO\", \"id_claim\": \"sub\", \"max_bytes\": 8192,"
    "  \"claim_headers\": {\"sub\": \"HTTP_X_SUB\", \"email\": \"HTTP_X_EMAIL\"},"
    "  \"trusted_proxies\": [\"127.0.0.1/32\", \"10.0.0.0/8\", \"::1\"], \"cache_seconds\": 5,"
    "  \"jwt\": {\"header\": \"HTTP_X_TOKEN\", \"jwks_file\": \"/etc/gw/jwks.json\", \"audiences\": [\"gw\"],"
    "   \"issuers\": [\"https://a.example\", {\"issuer\": \"https://b.example\", \"jwks_file\": \"/etc/gw/b.json\","
    "    \"audiences\": [\"b1\", \"b2\"]}, {\"issuer\": \"https://c.example\"}], \"leeway_seconds\": 30}},"
    " \"users\": {\"update\": false, \"fields\": {\"preferred_username\": \"username\","
    "  \"email\": {\"column\": \"email\", \"overwrite\": false}},"
    "  \"related\": {\"user_profiles\": [[\"country\", \"country_code\", \"\"], [\"optin\", \"email_optin\", false]],"
    "   \"user_stats\": [[\"n\", \"num\", 7]]}},"
    " \"groups\": {\"claims\": [{\"path\": \"groups\"}, {\"path\": \"realm_access.roles\", \"prefix\": \"role:\","
    "  \"lowercase\": true, \"strip_slash\": true}], \"sync\": \"create\", \"excluded\": [\"admins\"],"
    "  \"managed_prefix\": \"app:\", \"max_count\": 100, \"export_only\": [\"app:*\", \"staff\"]},"
    " \"export\": {\"REMOTE_USER\": \"global_id\", \"GWAUTH_USER_ID\": \"id\", \"GWAUTH_GROUPS\": \"@groups\","
    "  \"GWAUTH_SOURCE\": \"@source\", \"APP_PERMISSIONS\": \"@permissions\"}, \"export_max_bytes\": 4096,"
    " \"access\": {\"default\": \"deny\", \"login_redirect\": \"/login?x=1\", \"permissions_file\": \"/etc/gw/p.json\","
    "  \"rules\": [{\"prefix\": \"/admin/\", \"groups_any\": [\"staff\"], \"scopes_any\": [\"admin\"],"
    "    \"methods\": [\"GET\", \"POST\"], \"audience\": \"admin-app\"},"
    "   {\"prefix\": \"/app/\", \"claims_any\": [{\"path\": \"realm_access.roles\", \"any\": [\"user\"]}],"
    "    \"claims_all\": [{\"path\": \"email_verified\", \"all\": [\"true\"]}], \"permissions_any\": [\"READ\"]},"
    "   {\"prefix\": \"/app/\", \"mode\": \"report\", \"access\": \"deny\"}, {\"prefix\": \"/pub/\", \"access\": \"anonymous\"}]},"
    " \"session\": {\"enabled\": true, \"cookie\": \"gws\", \"same_site\": \"Strict\", \"establish_path\": \"/establish\"},"
    " \"logout\": {\"path\": \"/out\", \"gateway_session_cookie\": \"gw_sess\", \"allowed_hosts\": [\"app.example\"],"
    "  \"backchannel_path\": \"/bc\"},"
    " \"log\": {\"level\": \"debug\", \"format\": \"json\"},"
    " \"monitor\": {\"health_path\": \"/health\", \"metrics_path\": \"/metrics\", \"metrics_file\": \"/run/gw/m\"},"
    " \"assertion\": {\"key_file\": \"/etc/gw/keys\", \"issuer\": \"https://app.example/gw\", \"audience\": \"app\","
    "  \"jwks_path\": \"/jwks.json\"},"
    " \"fastcgi\": {\"secret_file\": \"/etc/gw/secret\", \"peer_uids\": [33, \"www-data\"], \"nginx_auth_request\": true}}";

/* Out of memory: the parser's allocator and cJSON's count each
 * allocation; the one numbered oom_at fails (and, with oom_after, every
 * one after it), as malloc fails: NULL and errno ENOMEM. */
static long oom_count, oom_at;
static bool oom_after;

static void *oom_realloc(void *ptr, size_t n)
{
    oom_count++;
    if (oom_at && (oom_count == oom_at || (oom_after && oom_count > oom_at))) {
        errno = ENOMEM;
        return NULL;
    }
    return realloc(ptr, n);
}

static void *oom_malloc(size_t n) { return oom_realloc(NULL, n); }

static gw_config *oom_parse(const char *doc, long at, bool after, char **err)
{
    cJSON_Hooks hooks = {oom_malloc, free};
    cJSON_InitHooks(&hooks);
    cfg_realloc_hook = oom_realloc;
    oom_count = 0;
    oom_at = at;
    oom_after = after;
    gw_config *c = gw_config_parse(doc, strlen(doc), err);
    cfg_realloc_hook = realloc;
    cJSON_InitHooks(NULL);
    return c;
}

/* Every allocation a parse makes, made to fail in turn: each time the
 * parse returns one problem, "<where>: out of memory", and frees what it
 * had (the ASan build's leak check and valgrind see the rest); with
 * every later allocation failing too it still returns, without a
 * configuration. */
static void t_out_of_memory(void)
{
    static const char *const docs[] = {
        "{}", oom_full,
        "{\"identity\": {\"source\": \"headers\", \"claim_headers\": {\"sub\": \"HTTP_X_SUB\"}},"
        " \"groups\": {\"claim\": \"roles\", \"export_only\": \"rules\"},"
        " \"access\": {\"rules\": [{\"prefix\": \"/a/\", \"groups_any\": [\"g1\", \"g2\"]}]}}",
        NULL};
    for (int d = 0; docs[d]; d++) {
        char *err = NULL;
        gw_config *c = oom_parse(docs[d], 0, false, &err);
        long total = oom_count;
        if (!c)
            fprintf(stderr, "\n  refused: %s\n", err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(c);
        gw_config_free(c);
        CU_ASSERT(total > 100);
        for (long n = 1; n <= total; n++) {
            c = oom_parse(docs[d], n, false, &err);
            const char *at = err ? strstr(err, ": out of memory\n") : NULL;
            bool ok = !c && at && at[16] == '\0' && !memchr(err, '\n', (size_t)(at - err));
            if (!ok)
                fprintf(stderr, "\n  document %d, allocation %ld of %ld failing: %s\n", d, n, total,
                        c ? "accepted" : err ? err : "no problem given");
            CU_ASSERT(ok);
            gw_config_free(c);
            free(err);
            c = oom_parse(docs[d], n, true, &err);
            CU_ASSERT_PTR_NULL(c);
            CU_ASSERT(!err || strstr(err, "out of memory"));
            gw_config_free(c);
            free(err);
        }
    }
}

/* The allocation helpers refuse a size that does not fit (as calloc
 * does) and a resize to nothing (realloc would free), and say where. */
static void t_alloc_sizes(void)
{
    cfgp p = {0};
    CU_ASSERT_PTR_NULL(cfg_alloc(&p, "a.b", SIZE_MAX / 2, 4));
    CU_ASSERT_TRUE(p.oom);
    CU_ASSERT_STRING_EQUAL(p.oom_at, "a.b");
    char *v = cfg_alloc(&p, "c", 0, 1); /* zero elements: one */
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_PTR_NULL(cfg_realloc(&p, "d", v, SIZE_MAX / 2, 4));
    CU_ASSERT_PTR_NULL(cfg_realloc(&p, "e", v, 0, 4));
    v[0] = 'x'; /* still v's */
    free(v);
    CU_ASSERT_STRING_EQUAL(p.oom_at, "a.b"); /* the first place */
    CU_ASSERT_EQUAL(p.n, 3);
    gw_buf_free(&p.errs);
}

/* The printer out of memory at each of its allocations: NULL, never a
 * document with something left out. */
static void t_print_out_of_memory(void)
{
    gw_config *c = unit_config_of(oom_full);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    char *whole = gw_config_json(c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(whole);
    cJSON_Hooks hooks = {oom_malloc, free};
    oom_count = oom_at = 0;
    oom_after = false; /* one allocation fails, the later ones do not */
    cJSON_InitHooks(&hooks);
    char *j = gw_config_json(c);
    long total = oom_count;
    CU_ASSERT(j && strcmp(j, whole) == 0);
    free(j);
    CU_ASSERT(total > 100);
    for (long n = 1; n <= total; n++) {
        oom_count = 0;
        oom_at = n;
        j = gw_config_json(c);
        if (j)
            fprintf(stderr, "\n  allocation %ld of %ld failing: printed anyway\n", n, total);
        CU_ASSERT_PTR_NULL(j);
        free(j);
    }
    oom_at = 0;
    cJSON_InitHooks(NULL);
    free(whole);
    gw_config_free(c);
}

void unit_config(void)
{
    static const unit_test tests[] = {
        {"defaults match the documented ones", t_defaults},
        {"given values replace defaults", t_overrides},
        {"each mistake is refused with its key path", t_errors},
        {"every problem is reported at once", t_all_problems},
        {"unreadable file", t_load},
        {"identity.jwt: off when absent, defaults when present", t_jwt},
        {"printed configuration parses to the same one", t_json_round_trip},
        {"assertion: required keys, refusals, one slot per audience", t_assertion},
        {"gwauth's own columns and tables, in any letter case", t_reserved_any_case},
        {"database.hosts: host, host:port, [v6]:port, unix:PATH", t_db_hosts},
        {"every enum name parses, prints and parses back to its value", t_enum_tables},
        {"out of memory at any allocation: an error, nothing kept", t_out_of_memory},
        {"out of memory while printing: NULL, not part of the document", t_print_out_of_memory},
        {"allocation sizes that do not fit are refused", t_alloc_sizes},
        {NULL, NULL}};
    unit_suite("config", tests);
}
