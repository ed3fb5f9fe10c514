/* rules.c: path normalization, longest-prefix match, access decisions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"
#include "unit.h"

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
        gw_status st = gw_path_normalize(ok[i].in, &out);
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
        if (gw_path_normalize(bad[i], &out) != GW_E_BAD_PATH) {
            fprintf(stderr, "\n  normalize accepted %s -> %s\n", bad[i], out ? out : "?");
            CU_FAIL("normalize bad");
        }
        free(out);
    }
    char *out = NULL;
    CU_ASSERT_EQUAL(gw_path_normalize(NULL, &out), GW_E_BAD_PATH);
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
    char *staff[] = {"ops-not", "staff"}, *none[] = {NULL};
    cJSON *s_str = cJSON_Parse("{\"scope\":\"openid  profile read\"}");
    cJSON *s_arr = cJSON_Parse("{\"scp\":[\"write\",\"admin\"]}");
    cJSON *s_bad = cJSON_Parse("{\"scope\":\"reader readonly\",\"scp\":\"openid\",\"Scope\":\"read\"}");
    const gw_rule *pub = gw_rule_match(c, "/pub/x", "GET"), *adm = gw_rule_match(c, "/admin/x", "GET"),
                  *api = gw_rule_match(c, "/api/x", "GET"), *both = gw_rule_match(c, "/both/x", "GET");
    struct { const gw_rule *r; int id; char **g; size_t ng; const cJSON *cl; gw_status want; } cases[] = {
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
        if (gw_access_decide(c, cases[i].r, cases[i].id, cases[i].g, cases[i].ng, cases[i].cl) !=
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
    char *l = gw_login_location(c, "/app/x?a=1&b=/c d");
    CU_ASSERT_STRING_EQUAL(l, "/login?next=%2Fapp%2Fx%3Fa%3D1%26b%3D%2Fc%20d");
    free(l);
    gw_config_free(c);
    c = unit_config_of("{\"access\":{\"login_redirect\":\"https://gw.example/login?client=x\"}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    l = gw_login_location(c, "/\r\n");
    CU_ASSERT_STRING_EQUAL(l, "https://gw.example/login?client=x&next=%2F%0D%0A");
    free(l);
    gw_config_free(c);
    c = unit_config_of("{}");
    CU_ASSERT_PTR_NULL(gw_login_location(c, "/x"));
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
        if (gw_login_redirect_fits(c, env, cases[i].path) != cases[i].fits) {
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

void unit_rules(void)
{
    static const unit_test tests[] = {
        {"path normalization (dot segments, escapes, //)", t_normalize},
        {"longest prefix wins; logout path implied anonymous", t_match},
        {"anonymous / authenticated / groups_any / scopes_any", t_decide},
        {"login redirect carries the encoded request URI", t_login_location},
        {"login redirect only for a navigation, never to itself", t_login_fits},
        {"methods: a rule for some methods, winning on its prefix; refusals", t_methods},
        {NULL, NULL}};
    unit_suite("rules", tests);
}
