/* decide.c: the programs' decisions without I/O. */
#include <stdlib.h>
#include <string.h>

#include "decide.h"
#include "unit.h"

#define JWT_BCL                                                                                    \
    "\"identity\":{\"jwt\":{\"jwks_file\":\"/unused\",\"issuers\":[\"https://i\"],"              \
    "\"audiences\":[\"gw\"]}},\"session\":{\"enabled\":true},"                                    \
    "\"logout\":{\"backchannel_path\":\"/bcl\"}"

static void t_route(void)
{
    gw_config *c = unit_config_of("{" JWT_BCL "}");
    gw_config *off = unit_config_of("{\"monitor\":{\"health_path\":\"\"}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    gw_config *asrt = unit_config_of("{\"assertion\":{\"key_file\":\"/k.pem\",\"issuer\":\"i\","
                                     "\"audience\":\"a\"}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(off);
    CU_ASSERT_PTR_NOT_NULL_FATAL(asrt);
    const struct {
        const gw_config *c;
        bool jwks;
        const char *path, *method;
        gw_status st;
        gw_route route;
        bool head;
        const char *allow;
    } cases[] = {
        {c, false, "/establish_session", "GET", GW_OK, GW_ROUTE_ESTABLISH, false, NULL},
        {c, false, "/establish_session", "HEAD", GW_OK, GW_ROUTE_ESTABLISH, true, NULL},
        {c, false, "/establish_session", "POST", GW_E_METHOD, 0, 0, "Allow: GET, HEAD\r\n"},
        {c, false, "/applogout", "POST", GW_OK, GW_ROUTE_LOGOUT, false, NULL},
        {c, false, "/applogout", "GET", GW_OK, GW_ROUTE_LOGOUT, false, NULL},
        {c, false, "/applogout", "DELETE", GW_E_METHOD, 0, 0, "Allow: GET, HEAD, POST\r\n"},
        {c, false, "/bcl", "POST", GW_OK, GW_ROUTE_BACKCHANNEL, false, NULL},
        {c, false, "/bcl", "GET", GW_E_METHOD, 0, 0, "Allow: POST\r\n"},
        {c, false, "/bcl", "HEAD", GW_E_METHOD, 0, 0, "Allow: POST\r\n"},
        {c, false, "/gwauth/health", "GET", GW_OK, GW_ROUTE_HEALTH, false, NULL},
        {c, false, "/gwauth/metrics", NULL, GW_E_METHOD, 0, 0, "Allow: GET, HEAD\r\n"},
        {c, false, "/gwauth/metrics", "get", GW_E_METHOD, 0, 0, "Allow: GET, HEAD\r\n"},
        {c, false, "/gwauth/metrics", "GET", GW_OK, GW_ROUTE_METRICS, false, NULL},
        {c, false, "/gwauth/jwks.json", "GET", GW_E_NOT_FOUND, 0, 0, NULL}, /* not published */
        {c, true, "/gwauth/jwks.json", "GET", GW_E_NOT_FOUND, 0, 0, NULL},  /* no assertion */
        {c, false, "/", "GET", GW_E_NOT_FOUND, 0, 0, NULL},
        {c, false, "/applogout/", "GET", GW_E_NOT_FOUND, 0, 0, NULL},
        {off, false, "/establish_session", "GET", GW_E_NOT_FOUND, 0, 0, NULL}, /* sessions off */
        {off, false, "/gwauth/health", "GET", GW_E_NOT_FOUND, 0, 0, NULL},     /* not served */
        {off, false, "", "GET", GW_E_NOT_FOUND, 0, 0, NULL}, /* "" serves nothing */
        {asrt, true, "/gwauth/jwks.json", "HEAD", GW_OK, GW_ROUTE_JWKS, true, NULL},
        {asrt, false, "/gwauth/jwks.json", "GET", GW_E_NOT_FOUND, 0, 0, NULL}, /* no keys */
        {asrt, true, "/gwauth/jwks.json", "POST", GW_E_METHOD, 0, 0, "Allow: GET, HEAD\r\n"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        gw_route r = (gw_route)-1;
        bool head = !cases[i].head;
        const char *allow = NULL;
        gw_status st = gw_decide_route(cases[i].c, cases[i].jwks, cases[i].path, cases[i].method,
                                       &r, &head, &allow);
        bool ok = st == cases[i].st &&
                  (st != GW_OK || (r == cases[i].route && head == cases[i].head)) &&
                  (st != GW_E_METHOD || (allow && strcmp(allow, cases[i].allow) == 0));
        if (!ok) {
            fprintf(stderr, "\n  case %zu: %s %s: status %d route %d\n", i,
                    cases[i].method ? cases[i].method : "-", cases[i].path, st, (int)r);
            CU_FAIL("route");
        }
    }
    gw_config_free(c);
    gw_config_free(off);
    gw_config_free(asrt);
}

static void t_establish(void)
{
    gw_config *c = unit_config_of("{\"session\":{\"enabled\":true}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    const struct {
        const char *uid, *source;
        gw_status st;
    } cases[] = {
        {"GWAUTH_USER_ID=17", "GWAUTH_SOURCE=header", GW_OK},
        {"GWAUTH_USER_ID=12345678901234567890", "GWAUTH_SOURCE=header", GW_OK},
        {"GWAUTH_USER_ID=123456789012345678901", "GWAUTH_SOURCE=header", GW_E_UNAUTHENTICATED},
        {"GWAUTH_USER_ID=", "GWAUTH_SOURCE=header", GW_E_UNAUTHENTICATED},
        {"GWAUTH_USER_ID=17x", "GWAUTH_SOURCE=header", GW_E_UNAUTHENTICATED},
        {"GWAUTH_USER_ID=-17", "GWAUTH_SOURCE=header", GW_E_UNAUTHENTICATED},
        {NULL, "GWAUTH_SOURCE=header", GW_E_UNAUTHENTICATED},
        /* a session's identity never makes another session */
        {"GWAUTH_USER_ID=17", "GWAUTH_SOURCE=session", GW_E_UNAUTHENTICATED},
        {"GWAUTH_USER_ID=17", "GWAUTH_SOURCE=", GW_E_UNAUTHENTICATED},
        {"GWAUTH_USER_ID=17", NULL, GW_E_UNAUTHENTICATED},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *envp[3] = {NULL, NULL, NULL};
        int n = 0;
        if (cases[i].uid)
            envp[n++] = (char *)cases[i].uid;
        if (cases[i].source)
            envp[n++] = (char *)cases[i].source;
        const char *uid = NULL, *why = NULL;
        gw_status st = gw_decide_establish(c, unit_request_of(c, envp), &uid, &why);
        if (st != cases[i].st || (st == GW_OK ? !uid || strcmp(uid, cases[i].uid + 15) != 0
                                              : why == NULL)) {
            fprintf(stderr, "\n  case %zu: status %d\n", i, st);
            CU_FAIL("establish");
        }
    }
    gw_config_free(c);
}

static void t_gateway_and_cross_site(void)
{
    gw_config *c = unit_config_of("{\"logout\":{\"gateway_session_cookie\":\"gwsess\","
                                  "\"allowed_hosts\":[\"sso.example.org\"]}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    char *ident[] = {"HTTP_X_USERINFO=e30", NULL};
    char *empty[] = {"HTTP_X_USERINFO=", NULL};
    char *cookie[] = {"HTTP_COOKIE=a=1; gwsess=x", NULL};
    char *other[] = {"HTTP_COOKIE=gwsessx=1", NULL};
    CU_ASSERT_TRUE(gw_decide_gateway_session(unit_request_of(c, ident)));
    CU_ASSERT_FALSE(gw_decide_gateway_session(unit_request_of(c, empty)));
    CU_ASSERT_TRUE(gw_decide_gateway_session(unit_request_of(c, cookie)));
    CU_ASSERT_FALSE(gw_decide_gateway_session(unit_request_of(c, other)));

    char *foreign[] = {"HTTP_HOST=app.example.org", "HTTP_ORIGIN=https://evil.example", NULL};
    char *same[] = {"HTTP_HOST=app.example.org", "HTTP_ORIGIN=https://app.example.org", NULL};
    char *sso[] = {"HTTP_HOST=app.example.org", "HTTP_REFERER=https://sso.example.org/x", NULL};
    char *site[] = {"HTTP_HOST=app.example.org", "HTTP_SEC_FETCH_SITE=same-site", NULL};
    char *none[] = {"HTTP_HOST=app.example.org", NULL};
    CU_ASSERT_TRUE(gw_decide_cross_site(c, unit_request_of(c, foreign), true, false));
    CU_ASSERT_FALSE(gw_decide_cross_site(c, unit_request_of(c, foreign), false, false));
    CU_ASSERT_FALSE(gw_decide_cross_site(c, unit_request_of(c, foreign), true, true)); /* HEAD */
    CU_ASSERT_FALSE(gw_decide_cross_site(c, unit_request_of(c, same), true, false));
    CU_ASSERT_FALSE(gw_decide_cross_site(c, unit_request_of(c, sso), true, false));
    CU_ASSERT_TRUE(gw_decide_cross_site(c, unit_request_of(c, site), true, false));
    CU_ASSERT_FALSE(gw_decide_cross_site(c, unit_request_of(c, none), true, false));
    gw_config_free(c);
}

static void t_destination(void)
{
    gw_config *c = unit_config_of("{\"logout\":{\"default_destination\":\"/home\"}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    const struct {
        const char *query, *cookie, *want;
        bool refused;
    } cases[] = {
        {"QUERY_STRING=next=%2Fapp%2Fx", NULL, "/app/x", false},
        {"QUERY_STRING=a=1&next=/b", "HTTP_COOKIE=gwauth_next=%2Fc", "/b", false},
        {"QUERY_STRING=next=", "HTTP_COOKIE=gwauth_next=%2Fc", "/c", false}, /* empty: cookie */
        {NULL, "HTTP_COOKIE=gwauth_next=%2Fc%3Fd%3D1", "/c?d=1", false},
        {NULL, "HTTP_COOKIE=gwauth_next=", "/home", false},
        {NULL, NULL, "/home", false},
        {"QUERY_STRING=next=%2F%2Fevil.example", NULL, "/home", true},
        {"QUERY_STRING=next=https://evil.example/", NULL, "/home", true},
        {NULL, "HTTP_COOKIE=gwauth_next=%2F%2Fevil.example", "/home", true},
        {"QUERY_STRING=next=%0d%0aSet-Cookie", NULL, "/home", true},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *envp[3] = {NULL, NULL, NULL};
        int n = 0;
        if (cases[i].query)
            envp[n++] = (char *)cases[i].query;
        if (cases[i].cookie)
            envp[n++] = (char *)cases[i].cookie;
        bool refused = !cases[i].refused;
        char *d = gw_decide_destination(c, unit_request_of(c, envp), &refused);
        if (!d || strcmp(d, cases[i].want) != 0 || refused != cases[i].refused) {
            fprintf(stderr, "\n  case %zu: %s\n", i, d ? d : "(null)");
            CU_FAIL("destination");
        }
        free(d);
    }
    gw_config_free(c);
}

static void t_backchannel_form(void)
{
    gw_config *c = unit_config_of("{}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    const struct {
        const char *ct, *cl;
        gw_status st;
    } cases[] = {
        {"CONTENT_TYPE=application/x-www-form-urlencoded", "CONTENT_LENGTH=10", GW_OK},
        {"CONTENT_TYPE=Application/X-WWW-Form-Urlencoded; charset=UTF-8", "CONTENT_LENGTH=100",
         GW_OK},
        {"CONTENT_TYPE=application/x-www-form-urlencodedX", "CONTENT_LENGTH=10",
         GW_E_INVALID_REQUEST},
        {"CONTENT_TYPE=application/json", "CONTENT_LENGTH=10", GW_E_INVALID_REQUEST},
        {NULL, "CONTENT_LENGTH=10", GW_E_INVALID_REQUEST},
        {"CONTENT_TYPE=application/x-www-form-urlencoded", "CONTENT_LENGTH=100", GW_OK},
        {"CONTENT_TYPE=application/x-www-form-urlencoded", "CONTENT_LENGTH=101",
         GW_E_INVALID_REQUEST},
        {"CONTENT_TYPE=application/x-www-form-urlencoded", "CONTENT_LENGTH=0",
         GW_E_INVALID_REQUEST},
        {"CONTENT_TYPE=application/x-www-form-urlencoded", "CONTENT_LENGTH=", GW_E_INVALID_REQUEST},
        {"CONTENT_TYPE=application/x-www-form-urlencoded", "CONTENT_LENGTH=12x",
         GW_E_INVALID_REQUEST},
        {"CONTENT_TYPE=application/x-www-form-urlencoded", NULL, GW_E_INVALID_REQUEST},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *envp[3] = {NULL, NULL, NULL};
        int n = 0;
        if (cases[i].ct)
            envp[n++] = (char *)cases[i].ct;
        if (cases[i].cl)
            envp[n++] = (char *)cases[i].cl;
        long len = -1;
        const char *why = NULL;
        gw_status st = gw_decide_backchannel_form(unit_request_of(c, envp), 100, &len, &why);
        if (st != cases[i].st || (st == GW_OK) == (why != NULL) ||
            (st == GW_OK && len != strtol(cases[i].cl + 15, NULL, 10))) {
            fprintf(stderr, "\n  case %zu: status %d\n", i, st);
            CU_FAIL("back-channel form");
        }
    }
    gw_config_free(c);
}

static void t_token(void)
{
    gw_config *c = unit_config_of("{" JWT_BCL "}");
    gw_config *nobcl = unit_config_of("{\"identity\":{\"jwt\":{\"jwks_file\":\"/unused\","
                                      "\"issuers\":[\"https://i\"],\"audiences\":[\"gw\"]}}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(nobcl);
    gw_token_check tok;
    bool check = true;
    const char *why = NULL;
    memset(&tok, 0, sizeof(tok));
    /* without identity.jwt there is no token to judge */
    CU_ASSERT_EQUAL(gw_decide_token(c, &tok, 2000, &check, &why), GW_OK);
    CU_ASSERT_FALSE(check);
    tok.nrealms = 1;
    tok.iat = 1000;
    CU_ASSERT_EQUAL(gw_decide_token(c, &tok, 0, &check, &why), GW_OK);
    CU_ASSERT_EQUAL(gw_decide_token(c, &tok, 1000, &check, &why), GW_OK); /* same second */
    CU_ASSERT_EQUAL(gw_decide_token(c, &tok, 1001, &check, &why), GW_E_INVALID_TOKEN);
    CU_ASSERT_PTR_NOT_NULL(why);
    tok.iat = 0; /* no iat: older than any logout */
    CU_ASSERT_EQUAL(gw_decide_token(c, &tok, 1, &check, &why), GW_E_INVALID_TOKEN);
    CU_ASSERT_EQUAL(gw_decide_token(nobcl, &tok, 1, &check, &why), GW_E_INVALID_TOKEN);
    tok.iat = 1000;
    /* a sid: looked up with back-channel logout, refused when it cannot be */
    strcpy(tok.sid, "s1");
    strcpy(tok.iss, "https://i");
    CU_ASSERT_EQUAL(gw_decide_token(c, &tok, 0, &check, &why), GW_OK);
    CU_ASSERT_TRUE(check);
    CU_ASSERT_EQUAL(gw_decide_token(nobcl, &tok, 0, &check, &why), GW_OK);
    CU_ASSERT_FALSE(check);
    tok.iss[0] = '\0';
    why = NULL;
    CU_ASSERT_EQUAL(gw_decide_token(c, &tok, 0, &check, &why), GW_E_INVALID_TOKEN);
    CU_ASSERT_PTR_NOT_NULL(why);
    tok.sid[0] = '\0';
    CU_ASSERT_EQUAL(gw_decide_token(c, &tok, 0, &check, &why), GW_OK);
    CU_ASSERT_FALSE(check);
    tok.sid_bad = true;
    CU_ASSERT_EQUAL(gw_decide_token(c, &tok, 0, &check, &why), GW_E_INVALID_TOKEN);
    CU_ASSERT_EQUAL(gw_decide_token(nobcl, &tok, 0, &check, &why), GW_OK);

    /* the cache: never beyond the token's expiry */
    time_t now = 1000000;
    memset(&tok, 0, sizeof(tok));
    tok.exp = now + 5;
    CU_ASSERT_EQUAL(gw_decide_cache_until(c, &tok, now), now + c->identity.cache_seconds);
    tok.nrealms = 1;
    CU_ASSERT_EQUAL(gw_decide_cache_until(c, &tok, now), now + 5);
    tok.exp = now + c->identity.cache_seconds + 100;
    CU_ASSERT_EQUAL(gw_decide_cache_until(c, &tok, now), now + c->identity.cache_seconds);
    gw_config_free(c);
    gw_config_free(nobcl);
}

void unit_decide(void)
{
    static const unit_test tests[] = {
        {"decide: the responder's routes and methods", t_route},
        {"decide: what makes a session", t_establish},
        {"decide: the gateway's session, a logout from another site", t_gateway_and_cross_site},
        {"decide: where a logout goes", t_destination},
        {"decide: a back-channel logout's form", t_backchannel_form},
        {"decide: tokens against back-channel logouts; the cache's bound", t_token},
        {NULL, NULL},
    };
    unit_suite("decide", tests);
}
