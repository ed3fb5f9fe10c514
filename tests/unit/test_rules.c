/* rules.c: path normalization, longest-prefix match, access decisions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"
#include "unit.h"

/* gw_rule_decide for an identity (or none) without permissions. */
static gw_status decide(const gw_config *c, const gw_rule *r, bool identity, const char *const *groups,
                        size_t ngroups, const cJSON *claims)
{
    gw_rule_subject s = {identity, groups, ngroups, claims, NULL, NULL};
    return gw_rule_decide(c, r, &s);
}

static void t_normalize(void)
{
    static const struct { const char *in, *out; } ok[] = {
        {"/", "/"}, {"/app", "/app"}, {"/app/", "/app/"}, {"/app?x=/../..", "/app"},
        {"/a/b/../c", "/a/c"}, {"/a/./b", "/a/b"}, {"/a/b/.", "/a/b/"}, {"/a/b/..", "/a/"},
        {"//admin//x", "/admin/x"}, {"/public/../admin/", "/admin/"},
        {"/public/%2e%2e/admin/", "/admin/"}, {"/public/%2E%2E/admin/", "/admin/"},
        {"/public/.%2e/admin", "/admin"}, {"/%61dmin/", "/admin/"}, {"/adm%69n/", "/admin/"},
        {"/a%20b", "/a b"}, {"/%25", "/%"}, {"/%2525", "/%25"}, {"/caf%C3%A9", "/caf\xc3\xa9"},
        {"/a/..", "/"}, {"/a/../", "/"}, {"/.", "/"}, {"/./", "/"}, {"/a#frag", "/a"},
        {"/...", "/..."}, {"/a/..b", "/a/..b"}, {"/a\\..\\b", "/a\\..\\b"},
        {NULL, NULL}};
    for (int i = 0; ok[i].in; i++) {
        char *out = NULL;
        gw_status st = gw_rule_path_normalize(ok[i].in, &out);
        if (st != GW_OK || strcmp(out, ok[i].out) != 0) {
            fprintf(stderr, "\n  normalize %s -> %s (want %s)\n", ok[i].in, out ? out : "error", ok[i].out);
            CU_FAIL("normalize");
        }
        free(out);
    }
    static const char *const bad[] = {
        "", "admin", "*", "http://host/admin", "/..", "/../admin", "/a/../..", "/%2e%2e/admin",
        "/admin%2fsecret", "/admin%2Fsecret", "/a%00b", "/a%0ab", "/a%7f", "/a%", "/a%2", "/a%zz",
        "/a\x01" "b", "/a\tb", "/a%09b", "/./../x", NULL};
    for (int i = 0; bad[i]; i++) {
        char *out = NULL;
        if (gw_rule_path_normalize(bad[i], &out) != GW_E_BAD_PATH) {
            fprintf(stderr, "\n  normalize accepted %s -> %s\n", bad[i], out ? out : "?");
            CU_FAIL("normalize bad");
        }
        free(out);
    }
    char *out = NULL;
    CU_ASSERT_EQUAL(gw_rule_path_normalize(NULL, &out), GW_E_BAD_PATH);
}

static void t_match(void)
{
    gw_config *c = unit_config_of("{\"access\":{\"rules\":["
                          "{\"prefix\":\"/\",\"access\":\"anonymous\"},"
                          "{\"prefix\":\"/admin/\",\"groups_any\":[\"staff\"]},"
                          "{\"prefix\":\"/admin/public/\",\"access\":\"anonymous\"},"
                          "{\"prefix\":\"/api\",\"scopes_any\":[\"read\"]}]}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    static const struct { const char *path, *prefix; } cases[] = {
        {"/", "/"}, {"/x", "/"}, {"/admin", "/"}, {"/admin/", "/admin/"}, {"/admin/x", "/admin/"},
        {"/admin/public/", "/admin/public/"}, {"/admin/public/a", "/admin/public/"},
        {"/admin/publicx", "/admin/"}, {"/api", "/api"}, {"/apiv2", "/api"}, {"/ADMIN/", "/"},
        {"/applogout", "/applogout"}, /* implied anonymous rule */
        {"/applogoutX", "/"}, {"/applogout/x", "/"}, /* ...for that path exactly */
        {NULL, NULL}};
    for (int i = 0; cases[i].path; i++) {
        const gw_rule *r = gw_rule_match(c, cases[i].path, "GET");
        if (!r || strcmp(r->prefix, cases[i].prefix) != 0) {
            fprintf(stderr, "\n  %s matched %s\n", cases[i].path, r ? r->prefix : "none");
            CU_FAIL("match");
        }
    }
    CU_ASSERT_EQUAL(gw_rule_match(c, "/applogout", "GET")->access, GW_ACCESS_ANONYMOUS);
    gw_config_free(c);
    c = unit_config_of("{}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_PTR_NULL(gw_rule_match(c, "/admin/", "GET"));
    CU_ASSERT_PTR_NOT_NULL(gw_rule_match(c, "/applogout", "GET"));
    CU_ASSERT_PTR_NULL(gw_rule_match(c, "/applogoutX/secret", "GET")); /* the default applies */
    CU_ASSERT_PTR_NOT_NULL(gw_rule_match(c, "/applogout", "GET"));
    gw_config_free(c);
}

static void t_decide(void)
{
    gw_config *c = unit_config_of("{\"access\":{\"rules\":["
                          "{\"prefix\":\"/pub/\",\"access\":\"anonymous\"},"
                          "{\"prefix\":\"/admin/\",\"groups_any\":[\"staff\",\"ops\"]},"
                          "{\"prefix\":\"/api/\",\"scopes_any\":[\"read\",\"admin\"]},"
                          "{\"prefix\":\"/both/\",\"groups_any\":[\"staff\"],\"scopes_any\":[\"read\"]}]}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    const char *staff[] = {"ops-not", "staff"}, *none[] = {NULL};
    cJSON *s_str = cJSON_Parse("{\"scope\":\"openid  profile read\"}");
    cJSON *s_arr = cJSON_Parse("{\"scp\":[\"write\",\"admin\"]}");
    cJSON *s_bad = cJSON_Parse("{\"scope\":\"reader readonly\",\"scp\":\"openid\",\"Scope\":\"read\"}");
    const gw_rule *pub = gw_rule_match(c, "/pub/x", "GET"), *adm = gw_rule_match(c, "/admin/x", "GET"),
                  *api = gw_rule_match(c, "/api/x", "GET"), *both = gw_rule_match(c, "/both/x", "GET");
    struct { const gw_rule *r; int id; const char **g; size_t ng; const cJSON *cl; gw_status want; } cases[] = {
        {NULL, 0, none, 0, NULL, GW_E_UNAUTHENTICATED},   /* default authenticated */
        {NULL, 1, none, 0, NULL, GW_OK},
        {pub, 0, none, 0, NULL, GW_OK},
        {pub, 1, none, 0, NULL, GW_OK},
        {adm, 0, none, 0, NULL, GW_E_UNAUTHENTICATED},
        {adm, 1, none, 0, NULL, GW_E_FORBIDDEN},
        {adm, 1, staff, 1, NULL, GW_E_FORBIDDEN},         /* "ops-not" is not "ops" */
        {adm, 1, staff, 2, NULL, GW_OK},
        {api, 1, none, 0, NULL, GW_E_FORBIDDEN},           /* session: no claims */
        {api, 1, none, 0, s_str, GW_OK},
        {api, 1, none, 0, s_arr, GW_OK},
        {api, 1, none, 0, s_bad, GW_E_FORBIDDEN},
        {both, 1, staff, 2, s_bad, GW_E_FORBIDDEN},
        {both, 1, none, 0, s_str, GW_E_FORBIDDEN},
        {both, 1, staff, 2, s_str, GW_OK},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        if (decide(c, cases[i].r, cases[i].id, cases[i].g, cases[i].ng, cases[i].cl) !=
            cases[i].want) {
            fprintf(stderr, "\n  decide case %zu\n", i);
            CU_FAIL("decide");
        }
    cJSON_Delete(s_str);
    cJSON_Delete(s_arr);
    cJSON_Delete(s_bad);
    gw_config_free(c);
}

static void t_login_location(void)
{
    gw_config *c = unit_config_of("{\"access\":{\"login_redirect\":\"/login\"}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    char *l = gw_rule_login_location(c, "/app/x?a=1&b=/c d");
    CU_ASSERT_STRING_EQUAL(l, "/login?next=%2Fapp%2Fx%3Fa%3D1%26b%3D%2Fc%20d");
    free(l);
    gw_config_free(c);
    c = unit_config_of("{\"access\":{\"login_redirect\":\"https://gw.example/login?client=x\"}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    l = gw_rule_login_location(c, "/\r\n");
    CU_ASSERT_STRING_EQUAL(l, "https://gw.example/login?client=x&next=%2F%0D%0A");
    free(l);
    gw_config_free(c);
    c = unit_config_of("{}");
    CU_ASSERT_PTR_NULL(gw_rule_login_location(c, "/x"));
    gw_config_free(c);
}

/* Only a navigation is sent to the login page; never the page itself. */
static void t_login_fits(void)
{
    gw_config *c = unit_config_of("{\"access\":{\"login_redirect\":\"/login/?x=1\"}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    static const struct { const char *env[3]; const char *path; bool fits; } cases[] = {
        {{NULL}, "/app/", true}, /* curl, an old browser */
        {{"HTTP_SEC_FETCH_MODE=navigate", "HTTP_ACCEPT=text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"}, "/app/", true},
        {{"HTTP_SEC_FETCH_MODE=cors", "HTTP_ACCEPT=*/*"}, "/app/", false}, /* fetch() */
        {{"HTTP_SEC_FETCH_MODE=no-cors"}, "/app/", false},
        {{"HTTP_SEC_FETCH_MODE=same-origin"}, "/app/", false},
        {{"HTTP_X_REQUESTED_WITH=XMLHttpRequest"}, "/app/", false},
        {{"HTTP_X_REQUESTED_WITH=xmlhttprequest", "HTTP_ACCEPT=text/html"}, "/app/", false},
        {{"HTTP_ACCEPT=application/json"}, "/app/", false},
        {{"HTTP_ACCEPT=application/json, text/plain"}, "/app/", false},
        {{"HTTP_ACCEPT=application/json, TEXT/HTML;q=0.5"}, "/app/", true},
        {{"HTTP_ACCEPT=text/*"}, "/app/", true},
        {{"HTTP_ACCEPT=*/*"}, "/app/", true},
        {{"HTTP_ACCEPT=text/htmlx"}, "/app/", false},
        {{"HTTP_ACCEPT="}, "/app/", true},
        {{NULL}, "/login/", false}, /* the login page itself */
        {{NULL}, "/login", true},
        {{NULL}, "/login/x", true},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *env[4] = {(char *)cases[i].env[0], (char *)cases[i].env[1], (char *)cases[i].env[2], NULL};
        if (gw_rule_login_fits(c, unit_request_of(c, env), cases[i].path) != cases[i].fits) {
            fprintf(stderr, "\n  case %zu: %s %s\n", i, cases[i].env[0] ? cases[i].env[0] : "-", cases[i].path);
            CU_FAIL("login redirect fits");
        }
    }
    gw_config_free(c);
}

/* methods: a rule for some methods only, winning on its prefix. */
static void t_methods(void)
{
    gw_config *c = unit_config_of("{\"access\":{\"rules\":[{\"prefix\":\"/api/\",\"groups_any\":[\"g\"]},"
                                  "{\"prefix\":\"/api/\",\"methods\":[\"OPTIONS\"],\"access\":\"anonymous\"},"
                                  "{\"prefix\":\"/w/\",\"methods\":[\"POST\",\"PUT\"]}]}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    const gw_rule *o = gw_rule_match(c, "/api/x", "OPTIONS"), *g = gw_rule_match(c, "/api/x", "GET");
    CU_ASSERT_PTR_NOT_NULL_FATAL(o);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    CU_ASSERT_EQUAL(o->access, GW_ACCESS_ANONYMOUS);
    CU_ASSERT_EQUAL(g->access, GW_ACCESS_AUTHENTICATED);
    CU_ASSERT_PTR_EQUAL(gw_rule_match(c, "/api/x", NULL), g);  /* no method: never a method rule */
    CU_ASSERT_PTR_NULL(gw_rule_match(c, "/w/x", "GET"));        /* the default */
    CU_ASSERT_PTR_NOT_NULL(gw_rule_match(c, "/w/x", "PUT"));
    CU_ASSERT_PTR_NULL(gw_rule_match(c, "/w/x", "put"));        /* methods are exact */
    gw_config_free(c);
    /* the same prefix twice for one request, and what is not a method */
    CU_ASSERT_PTR_NULL(unit_config_of("{\"access\":{\"rules\":[{\"prefix\":\"/a/\"},{\"prefix\":\"/a/\"}]}}"));
    CU_ASSERT_PTR_NULL(unit_config_of("{\"access\":{\"rules\":[{\"prefix\":\"/a/\",\"methods\":[\"GET\",\"POST\"]},"
                                      "{\"prefix\":\"/a/\",\"methods\":[\"POST\"]}]}}"));
    CU_ASSERT_PTR_NULL(unit_config_of("{\"access\":{\"rules\":[{\"prefix\":\"/a/\",\"methods\":[\"get\"]}]}}"));
    CU_ASSERT_PTR_NULL(unit_config_of("{\"access\":{\"rules\":[{\"prefix\":\"/a/\",\"methods\":[\"G T\"]}]}}"));
}

/* The claims of a Keycloak ID token, as its documentation shows them:
 * realm roles, client roles, full-path groups. */
static const char *const keycloak =
    "{\"sub\":\"f:1\",\"realm_access\":{\"roles\":[\"offline_access\",\"admin\"]},"
    "\"resource_access\":{\"my-app\":{\"roles\":[\"editor\",\"viewer\"]},\"account\":{\"roles\":[\"view-profile\"]}},"
    "\"groups\":[\"/staff/ops\",\"/staff\"],\"email_verified\":true,\"acr\":1,\"tenant\":\"t1\","
    "\"https://app.example.org/tier\":\"gold\",\"a.b\":{\"c\":\"whole\"}}";

static gw_status decide_with(const char *rules, const char *path, const char *claims_json)
{
    char cfg[2048];
    snprintf(cfg, sizeof(cfg), "{\"access\":{\"rules\":[%s]}}", rules);
    gw_config *c = unit_config_of(cfg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    cJSON *claims = claims_json ? cJSON_Parse(claims_json) : NULL;
    const gw_rule *r = gw_rule_match(c, path, "GET");
    gw_status st = decide(c, r, 1, NULL, 0, claims);
    cJSON_Delete(claims);
    gw_config_free(c);
    return st;
}

static void t_claims(void)
{
    static const struct { const char *rule; const char *claims; gw_status st; } cases[] = {
        {"\"claims_any\":[{\"path\":\"realm_access.roles\",\"any\":[\"admin\"]}]", NULL, GW_OK},
        {"\"claims_any\":[{\"path\":\"realm_access.roles\",\"any\":[\"root\",\"admin\"]}]", NULL, GW_OK},
        {"\"claims_any\":[{\"path\":\"realm_access.roles\",\"any\":[\"root\"]}]", NULL, GW_E_FORBIDDEN},
        {"\"claims_any\":[{\"path\":\"resource_access.my-app.roles\",\"any\":[\"editor\"]}]", NULL, GW_OK},
        {"\"claims_any\":[{\"path\":\"resource_access.account.roles\",\"any\":[\"editor\"]}]", NULL, GW_E_FORBIDDEN},
        {"\"claims_any\":[{\"path\":\"groups\",\"any\":[\"/staff/ops\"]}]", NULL, GW_OK},
        {"\"claims_any\":[{\"path\":\"groups\",\"any\":[\"staff/ops\"]}]", NULL, GW_E_FORBIDDEN},
        /* one of the matchers */
        {"\"claims_any\":[{\"path\":\"realm_access.roles\",\"any\":[\"root\"]},{\"path\":\"tenant\",\"any\":[\"t1\"]}]", NULL, GW_OK},
        /* every matcher, every value of an "all" */
        {"\"claims_all\":[{\"path\":\"realm_access.roles\",\"any\":[\"admin\"]},{\"path\":\"tenant\",\"any\":[\"t1\"]}]", NULL, GW_OK},
        {"\"claims_all\":[{\"path\":\"realm_access.roles\",\"any\":[\"admin\"]},{\"path\":\"tenant\",\"any\":[\"t2\"]}]", NULL, GW_E_FORBIDDEN},
        {"\"claims_all\":[{\"path\":\"resource_access.my-app.roles\",\"all\":[\"editor\",\"viewer\"]}]", NULL, GW_OK},
        {"\"claims_all\":[{\"path\":\"resource_access.my-app.roles\",\"all\":[\"editor\",\"admin\"]}]", NULL, GW_E_FORBIDDEN},
        {"\"claims_any\":[{\"path\":\"resource_access.my-app.roles\",\"all\":[\"viewer\",\"editor\"]}]", NULL, GW_OK},
        /* scalars as text; objects and missing paths hold nothing */
        {"\"claims_any\":[{\"path\":\"email_verified\",\"any\":[\"1\"]}]", NULL, GW_OK},
        {"\"claims_any\":[{\"path\":\"acr\",\"any\":[\"1\"]}]", NULL, GW_OK},
        {"\"claims_any\":[{\"path\":\"realm_access\",\"any\":[\"admin\"]}]", NULL, GW_E_FORBIDDEN},
        {"\"claims_any\":[{\"path\":\"nope.roles\",\"any\":[\"admin\"]}]", NULL, GW_E_FORBIDDEN},
        {"\"claims_any\":[{\"path\":\"https://app.example.org/tier\",\"any\":[\"gold\"]}]", NULL, GW_OK},
        /* a member named "a.b" is found by the whole path only: "a\.b.c" */
        {"\"claims_any\":[{\"path\":\"a.b.c\",\"any\":[\"whole\"]}]", NULL, GW_E_FORBIDDEN},
        {"\"claims_any\":[{\"path\":\"a\\\\.b.c\",\"any\":[\"whole\"]}]", NULL, GW_OK},
        /* an array of arrays is not a list of roles */
        {"\"claims_any\":[{\"path\":\"r\",\"any\":[\"admin\"]}]", "{\"r\":[[\"admin\"]]}", GW_E_FORBIDDEN},
        /* a session: no claims, no claim rule met */
        {"\"claims_any\":[{\"path\":\"realm_access.roles\",\"any\":[\"admin\"]}]", "", GW_E_FORBIDDEN},
        /* with groups_any and scopes_any: every kind must hold */
        {"\"groups_any\":[\"g\"],\"claims_any\":[{\"path\":\"tenant\",\"any\":[\"t1\"]}]", NULL, GW_E_FORBIDDEN},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char rule[1024];
        snprintf(rule, sizeof(rule), "{\"prefix\":\"/a/\",%s}", cases[i].rule);
        const char *claims = cases[i].claims ? (*cases[i].claims ? cases[i].claims : NULL) : keycloak;
        gw_status st = decide_with(rule, "/a/x", claims);
        if (st != cases[i].st) {
            fprintf(stderr, "\n  claims case %zu: %s\n", i, gw_status_code(st));
            CU_FAIL("claims");
        }
    }
    static const struct { const char *rules, *msg; } bad[] = {
        {"{\"prefix\":\"/a/\",\"claims_any\":[]}", "claims_any: must not be empty"},
        {"{\"prefix\":\"/a/\",\"claims_any\":{}}", "claims_any: expected an array"},
        {"{\"prefix\":\"/a/\",\"claims_any\":[\"admin\"]}", "claims_any[0]: expected an object"},
        {"{\"prefix\":\"/a/\",\"claims_any\":[{\"any\":[\"x\"]}]}", "claims_any[0]: path: missing key"},
        {"{\"prefix\":\"/a/\",\"claims_any\":[{\"path\":\"a..b\",\"any\":[\"x\"]}]}", "claims_any[0]: path: not a claim path"},
        {"{\"prefix\":\"/a/\",\"claims_all\":[{\"path\":\"a\"}]}", "claims_all[0]: needs one of \"any\""},
        {"{\"prefix\":\"/a/\",\"claims_all\":[{\"path\":\"a\",\"any\":[\"x\"],\"all\":[\"y\"]}]}", "needs one of"},
        {"{\"prefix\":\"/a/\",\"claims_all\":[{\"path\":\"a\",\"any\":[]}]}", "any: at least one value"},
        {"{\"prefix\":\"/a/\",\"claims_all\":[{\"path\":\"a\",\"any\":[\"x\"],\"regex\":\".*\"}]}", "claims_all[0].regex: unknown key"},
        {"{\"prefix\":\"/a/\",\"access\":\"deny\",\"groups_any\":[\"g\"]}", "access \"deny\" refuses every request"},
        {"{\"prefix\":\"/a/\",\"mode\":\"dry-run\"}", "mode: invalid value, must be one of [enforce, report]"},
        {"{\"prefix\":\"/a/\",\"mode\":\"report\"},{\"prefix\":\"/a/\",\"mode\":\"report\"}", "given twice (for the same methods, in report mode)"},
        {NULL, NULL}};
    for (int i = 0; bad[i].rules; i++) {
        char cfg[1024];
        snprintf(cfg, sizeof(cfg), "{\"access\":{\"rules\":[%s]}}", bad[i].rules);
        CU_ASSERT_TRUE(unit_config_refused(cfg, bad[i].msg));
    }
    /* the paths the matchers read, once each, for the cache */
    gw_config *c = unit_config_of("{\"access\":{\"rules\":[{\"prefix\":\"/a/\",\"claims_any\":[{\"path\":\"x.y\",\"any\":[\"1\"]},"
                                  "{\"path\":\"z\",\"any\":[\"1\"]}]},{\"prefix\":\"/b/\",\"claims_all\":[{\"path\":\"x.y\",\"all\":[\"2\"]}]}]}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_EQUAL_FATAL(c->access.claim_paths.n, 2);
    CU_ASSERT_STRING_EQUAL(c->access.claim_paths.v[0], "x.y");
    CU_ASSERT_STRING_EQUAL(c->access.claim_paths.v[1], "z");
    gw_config_free(c);
}

/* "deny" refuses with and without an identity; no login redirect. */
static void t_deny(void)
{
    gw_config *c = unit_config_of("{\"access\":{\"default\":\"anonymous\",\"rules\":[{\"prefix\":\"/internal/\",\"access\":\"deny\"},"
                                  "{\"prefix\":\"/internal/status\",\"access\":\"anonymous\"}]}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    const gw_rule *r = gw_rule_match(c, "/internal/x", "GET");
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(decide(c, r, 1, NULL, 0, NULL), GW_E_FORBIDDEN);
    CU_ASSERT_EQUAL(decide(c, r, 0, NULL, 0, NULL), GW_E_FORBIDDEN);
    CU_ASSERT_EQUAL(decide(c, gw_rule_match(c, "/internal/status", "GET"), 0, NULL, 0, NULL), GW_OK);
    CU_ASSERT_EQUAL(decide(c, gw_rule_match(c, "/x", "GET"), 0, NULL, 0, NULL), GW_OK);
    gw_config_free(c);
    c = unit_config_of("{\"access\":{\"default\":\"deny\",\"rules\":[{\"prefix\":\"/app/\"}]}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_EQUAL(decide(c, gw_rule_match(c, "/other", "GET"), 1, NULL, 0, NULL), GW_E_FORBIDDEN);
    CU_ASSERT_EQUAL(decide(c, gw_rule_match(c, "/app/x", "GET"), 1, NULL, 0, NULL), GW_OK);
    gw_config_free(c);
}

/* A rule in report mode is never the one that decides; it is found on
 * its own, beside the enforced rule of the same prefix. */
static void t_report(void)
{
    gw_config *c = unit_config_of("{\"access\":{\"rules\":[{\"prefix\":\"/api/\"},"
                                  "{\"prefix\":\"/api/\",\"mode\":\"report\",\"claims_any\":[{\"path\":\"realm_access.roles\",\"any\":[\"api\"]}]},"
                                  "{\"prefix\":\"/api/admin/\",\"mode\":\"report\",\"access\":\"deny\"}]}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_EQUAL(c->access.nreport, 2);
    const gw_rule *e = gw_rule_match(c, "/api/x", "GET"), *t = gw_rule_report_match(c, "/api/x", "GET");
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_FALSE(e->report);
    CU_ASSERT_TRUE(t->report);
    cJSON *claims = cJSON_Parse(keycloak);
    CU_ASSERT_EQUAL(decide(c, e, 1, NULL, 0, claims), GW_OK);
    CU_ASSERT_EQUAL(decide(c, t, 1, NULL, 0, claims), GW_E_FORBIDDEN); /* would deny */
    /* the enforced rule on /api/admin/ is still /api/'s */
    CU_ASSERT_PTR_EQUAL(gw_rule_match(c, "/api/admin/x", "GET"), e);
    CU_ASSERT_EQUAL(gw_rule_report_match(c, "/api/admin/x", "GET")->access, GW_ACCESS_DENY);
    CU_ASSERT_PTR_NULL(gw_rule_report_match(c, "/other", "GET"));
    cJSON_Delete(claims);
    gw_config_free(c);
    c = unit_config_of("{}");
    CU_ASSERT_PTR_NULL(gw_rule_report_match(c, "/api/x", "GET"));
    gw_config_free(c);
}

void unit_rules(void)
{
    static const unit_test tests[] = {
        {"path normalization (dot segments, escapes, //)", t_normalize},
        {"longest prefix wins; logout path implied anonymous", t_match},
        {"anonymous / authenticated / groups_any / scopes_any", t_decide},
        {"login redirect carries the encoded request URI", t_login_location},
        {"login redirect only for a navigation, never to itself", t_login_fits},
        {"methods: a rule for some methods, winning on its prefix; refusals", t_methods},
        {"claims_any / claims_all on claim paths (Keycloak roles); refusals", t_claims},
        {"access deny: with and without an identity, and as the default", t_deny},
        {"mode report: beside the enforced rule, never deciding", t_report},
        {NULL, NULL}};
    unit_suite("rules", tests);
}
