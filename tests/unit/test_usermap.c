/* usermap.c: identity checks (steps 1-3), decoding and mapping (step 4),
 * truncation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "json.h"
#include "usermap.h"
#include "util.h"

/* A parameter array: REMOTE_ADDR plus up to three "NAME=value" entries. */
typedef struct {
    char *v[6];
    char store[4][70000];
} envp_t;

static char **env_of(envp_t *e, const char *addr, const char *a, const char *b, const char *c)
{
    int n = 0;
    const char *src[] = {addr, a, b, c};
    for (int i = 0; i < 4; i++) {
        if (!src[i])
            continue;
        snprintf(e->store[i], sizeof(e->store[i]), "%s%s", i == 0 ? "REMOTE_ADDR=" : "", src[i]);
        e->v[n++] = e->store[i];
    }
    e->v[n] = NULL;
    return e->v;
}

/* The request of env_of's variables, as c reads it. */
static const gw_request *req_of(const gw_config *c, envp_t *e, const char *addr, const char *a,
                                const char *b, const char *d)
{
    return unit_request_of(c, env_of(e, addr, a, b, d));
}

static char *ui(const char *json)
{
    char *b = gw_b64_encode((const unsigned char *)json, strlen(json));
    char *r = malloc(strlen(b) + 32);
    sprintf(r, "HTTP_X_USERINFO=%s", b);
    free(b);
    return r;
}

static void t_identity_check(void)
{
    gw_config *c = unit_config_of("{\"identity\":{\"max_bytes\":64}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    envp_t e;
    bool present;
    char big[200] = "HTTP_X_USERINFO=";
    memset(big + 16, 'A', 100);
    big[116] = 0;
    const struct {
        const char *addr, *a, *b;
        gw_status st;
        bool present;
    } cases[] = {
        {"127.0.0.1", NULL, NULL, GW_OK, 0},
        {"127.0.0.1", "HTTP_X_USERINFO=", NULL, GW_OK, 0},          /* empty = absent */
        {"127.0.0.1", "HTTP_X_USERINFO=abc", NULL, GW_OK, 1},
        {"::1", "HTTP_X_USERINFO=abc", NULL, GW_OK, 1},
        {"::ffff:127.0.0.1", "HTTP_X_USERINFO=abc", NULL, GW_OK, 1},
        {"127.0.0.2", "HTTP_X_USERINFO=abc", NULL, GW_E_UNTRUSTED, 1},
        {"203.0.113.5", "HTTP_X_USERINFO=abc", NULL, GW_E_UNTRUSTED, 1},
        {"203.0.113.5", NULL, NULL, GW_OK, 0},                      /* anonymous is fine */
        {NULL, "HTTP_X_USERINFO=abc", NULL, GW_E_UNTRUSTED, 1},     /* no REMOTE_ADDR */
        {"127.0.0.1", "HTTP_X_USERINFO=a", "HTTP_X_USERINFO=b", GW_E_DUPLICATE, 0},
        {"127.0.0.1", "HTTP_X_USERINFO=", "HTTP_X_USERINFO=b", GW_E_DUPLICATE, 0},
        {"203.0.113.5", "HTTP_X_USERINFO=a", "HTTP_X_USERINFO=b", GW_E_DUPLICATE, 0},
        {"127.0.0.1", "HTTP_X_USERINFO_2=a", "HTTP_X_USERINF=b", GW_OK, 0},
        {"127.0.0.1", big, NULL, GW_E_TOO_LARGE, 1},
        {"203.0.113.5", big, NULL, GW_E_UNTRUSTED, 1},              /* trust before size */
        {NULL, NULL, NULL, GW_OK, 0}};
    for (int i = 0; cases[i].addr || cases[i].a; i++) {
        gw_status st =
            gw_user_check(c, req_of(c, &e, cases[i].addr, cases[i].a, cases[i].b, NULL), &present);
        if (st != cases[i].st || (st == GW_OK && present != cases[i].present)) {
            fprintf(stderr, "\n  case %d: status %d present %d\n", i, st, present);
            CU_FAIL("identity check case");
        }
    }
    gw_config_free(c);
}

static void t_identity_headers_source(void)
{
    gw_config *c = unit_config_of("{\"identity\":{\"source\":\"headers\",\"max_bytes\":16,"
                          "\"claim_headers\":{\"sub\":\"HTTP_REMOTE_USER\",\"email\":\"HTTP_REMOTE_EMAIL\"}}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    envp_t e;
    bool present;
    CU_ASSERT_EQUAL(
        gw_user_check(c, req_of(c, &e, "127.0.0.1", "HTTP_REMOTE_USER=bob", NULL, NULL), &present),
        GW_OK);
    CU_ASSERT_EQUAL(present, 1);
    CU_ASSERT_EQUAL(gw_user_check(c,
                                  req_of(c, &e, "127.0.0.1", "HTTP_REMOTE_EMAIL=a@b",
                                         "HTTP_REMOTE_EMAIL=c@d", NULL),
                                  &present),
                    GW_E_DUPLICATE);
    CU_ASSERT_EQUAL(
        gw_user_check(c, req_of(c, &e, "10.9.9.9", "HTTP_REMOTE_EMAIL=a@b", NULL, NULL), &present),
        GW_E_UNTRUSTED);
    CU_ASSERT_EQUAL(
        gw_user_check(c,
                      req_of(c, &e, "127.0.0.1", "HTTP_REMOTE_EMAIL=0123456789abcdefX", NULL, NULL),
                      &present),
        GW_E_TOO_LARGE);
    gw_config_free(c);
}

/* Decodes json (as X-Userinfo) with the default config. */
static gw_status decode(const gw_config *c, const char *json, gw_user *u)
{
    envp_t e;
    char *v = ui(json);
    gw_status st = gw_user_decode(c, req_of(c, &e, "127.0.0.1", v, NULL, NULL), NULL, u, NULL);
    free(v);
    return st;
}

static void t_decode_table(void)
{
    gw_config *c = unit_config_of("{}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    static const struct { const char *json; gw_status st; const char *id; } cases[] = {
        {"{\"sub\":\"alice\"}", GW_OK, "alice"},
        {" {\"sub\" : \"alice\"}\n", GW_OK, "alice"},
        {"{\"sub\":\"\\u00e9l\\u00e8ve\"}", GW_OK, "\xc3\xa9l\xc3\xa8ve"},
        {"{\"sub\":\"\\ud83d\\ude00\"}", GW_OK, "\xf0\x9f\x98\x80"},
        {"{\"sub\":\"a\",\"x\":{\"y\":[1,{\"z\":null}]}}", GW_OK, "a"},
        {"{\"Sub\":\"a\",\"sub\":\"b\"}", GW_OK, "b"},               /* case-sensitive names */
        {"{\"sub\\u0000x\":\"a\",\"sub\":\"b\"}", GW_OK, "b"},       /* NUL never aliases */
        {"{\"sub\":\"a\",\"email\":\"x\\u0000\"}", GW_E_MALFORMED, NULL},
        {"{\"sub\":\"a\",\"unused\":\"x\\u0000\\n\"}", GW_OK, "a"},   /* unused claims may */
        {"{\"sub\":\"a\\u0000\"}", GW_E_MALFORMED, NULL},
        {"{\"sub\":\"admin\\uzzzzx\"}", GW_E_MALFORMED, NULL}, /* cJSON: a NUL */
        {"{\"sub\":\"admin\\u12\"}", GW_E_MALFORMED, NULL},
        {"{\"sub\":\"admin\\u00e\"}", GW_E_MALFORMED, NULL},
        {"{\"su\\uzzzzb\":\"k\",\"sub\":\"v\"}", GW_E_MALFORMED, NULL},
        {"{\"sub\":\"a\\u0001\"}", GW_E_MALFORMED, NULL},
        {"{\"sub\":\" admin\"}", GW_E_MALFORMED, NULL},  /* the web servers strip it */
        {"{\"sub\":\"admin \"}", GW_E_MALFORMED, NULL},
        {"{\"sub\":\"admin\\t\"}", GW_E_MALFORMED, NULL},
        {"{\"sub\":\"ad min\"}", GW_OK, "ad min"},
        {"{\"sub\":\"a\\u0085b\"}", GW_E_MALFORMED, NULL},  /* C1: NEL */
        {"{\"sub\":\"a\\u009fb\"}", GW_E_MALFORMED, NULL},
        {"{\"sub\":\"a\\u00a0b\"}", GW_OK, "a\xc2\xa0" "b"},  /* NBSP is text */
        {"{\"sub\":\"a\\u2028b\"}", GW_E_MALFORMED, NULL},  /* line separator */
        {"{\"sub\":\"a\\u2029b\"}", GW_E_MALFORMED, NULL},
        {"{\"sub\":\"a\",\"email\":\"x\\u2028y\"}", GW_E_MALFORMED, NULL},
        {"{\"sub\":\"a\\u001f\"}", GW_E_MALFORMED, NULL},
        {"{\"sub\":\"a\\u007f\"}", GW_E_MALFORMED, NULL},
        {"{\"sub\":\"a\\r\\n\"}", GW_E_MALFORMED, NULL},
        {"{\"sub\":\"\\ud800\"}", GW_E_MALFORMED, NULL},
        {"{\"sub\":\"\\udc00\\ud800\"}", GW_E_MALFORMED, NULL},
        {"{\"sub\":\"x\",\"sub\":\"x\"}", GW_E_MALFORMED, NULL},
        {"{\"a\":{\"k\":1,\"k\":2},\"sub\":\"x\"}", GW_E_MALFORMED, NULL},
        {"{\"sub\":\"x\",\"email\":[\"a\"]}", GW_E_MALFORMED, NULL},
        {"{\"sub\":\"x\",\"email\":{}}", GW_E_MALFORMED, NULL},
        {"{\"sub\":1}", GW_E_MALFORMED, NULL},
        {"{\"sub\":true}", GW_E_MALFORMED, NULL},
        {"{\"sub\":null}", GW_E_MALFORMED, NULL},
        {"{\"sub\":\"\"}", GW_E_MALFORMED, NULL},
        {"{}", GW_E_MALFORMED, NULL},
        {"[]", GW_E_MALFORMED, NULL},
        {"\"sub\"", GW_E_MALFORMED, NULL},
        {"null", GW_E_MALFORMED, NULL},
        {"{\"sub\":\"x\"}x", GW_E_MALFORMED, NULL},
        {"{\"sub\":\"x\"", GW_E_MALFORMED, NULL},
        {"{'sub':'x'}", GW_E_MALFORMED, NULL},
        {"{\"sub\":\"x\",}", GW_E_MALFORMED, NULL},
        /* numbers: RFC 8259's grammar, not cJSON's loose reading */
        {"{\"sub\":\"x\",\"n\":[0,-0,1,-1.5,10,1e5,1E+5,2.5e-3,-0.0]}", GW_OK, "x"},
        {"{\"sub\":\"x\",\"n\":01}", GW_E_MALFORMED, NULL},
        {"{\"sub\":\"x\",\"n\":-01.e5}", GW_E_MALFORMED, NULL},
        {"{\"sub\":\"x\",\"n\":1700003600.}", GW_E_MALFORMED, NULL},
        {"{\"sub\":\"x\",\"n\":.5}", GW_E_MALFORMED, NULL},
        {"{\"sub\":\"x\",\"n\":+1}", GW_E_MALFORMED, NULL},
        {"{\"sub\":\"x\",\"n\":1e}", GW_E_MALFORMED, NULL},
        {"{\"sub\":\"x\",\"n\":1e+}", GW_E_MALFORMED, NULL},
        {"{\"sub\":\"x\",\"n\":-}", GW_E_MALFORMED, NULL},
        {"{\"sub\":\"x\",\"n\":1.5.3}", GW_E_MALFORMED, NULL},
        {"{\"sub\":\"x\",\"n\":1e5e5}", GW_E_MALFORMED, NULL},
        {"{\"sub\":\"x\",\"n\":1-2}", GW_E_MALFORMED, NULL},
        {"{\"sub\":\"x\",\"n\":--1}", GW_E_MALFORMED, NULL},
        {"{\"sub\":\"x\",\"n\":[1,-]}", GW_E_MALFORMED, NULL},
        {"\xef\xbb\xbf{\"sub\":\"x\"}", GW_E_MALFORMED, NULL},
        {"{\"sub\":\"\xc0\xaf\"}", GW_E_MALFORMED, NULL},
        {"{\"sub\":\"a\tb\"}", GW_E_MALFORMED, NULL},                /* raw control byte */
        {"{\"sub\":\"x\"}\x01", GW_E_MALFORMED, NULL},
        {NULL, GW_OK, NULL}};
    for (int i = 0; cases[i].json; i++) {
        gw_user u;
        gw_status st = decode(c, cases[i].json, &u);
        if (st != cases[i].st || (st == GW_OK && strcmp(u.id, cases[i].id) != 0)) {
            fprintf(stderr, "\n  decode %s: status %d\n", cases[i].json, st);
            CU_FAIL("decode case");
        }
        if (st == GW_OK)
            gw_user_free(&u);
    }
    gw_config_free(c);
}

static void t_decode_limits(void)
{
    gw_config *c = unit_config_of("{\"identity\":{\"max_bytes\":1048576}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    gw_user u;
    char *json = malloc(70000);
    /* id of exactly 255 bytes is fine, 256 is not */
    sprintf(json, "{\"sub\":\"%0255d\"}", 7);
    CU_ASSERT_EQUAL(decode(c, json, &u), GW_OK);
    gw_user_free(&u);
    sprintf(json, "{\"sub\":\"%0256d\"}", 7);
    CU_ASSERT_EQUAL(decode(c, json, &u), GW_E_MALFORMED);
    /* nesting: 64 levels fine, 65 refused, 20000 refused without crashing */
    int depths[] = {63, 64, 65, 20000};
    gw_status want[] = {GW_OK, GW_E_MALFORMED, GW_E_MALFORMED, GW_E_MALFORMED};
    for (int k = 0; k < 4; k++) {
        char *p = json + sprintf(json, "{\"sub\":\"d\",\"x\":");
        for (int i = 0; i < depths[k]; i++)
            *p++ = '[';
        for (int i = 0; i < depths[k]; i++)
            *p++ = ']';
        strcpy(p, "}");
        gw_status st = decode(c, json, &u);
        CU_ASSERT_EQUAL(st, want[k]);
        if (st == GW_OK)
            gw_user_free(&u);
    }
    /* many keys: a repeat far apart is still found */
    char *p = json + sprintf(json, "{\"sub\":\"k\"");
    for (int i = 0; i < 900; i++)
        p += sprintf(p, ",\"k%d\":%d", i, i);
    strcpy(p, ",\"k899\":0}");
    CU_ASSERT_EQUAL(decode(c, json, &u), GW_E_MALFORMED);
    /* members per object: 1000 accepted, 1001 refused */
    p = json + sprintf(json, "{\"sub\":\"k\"");
    for (int i = 1; i < 1000; i++)
        p += sprintf(p, ",\"k%d\":%d", i, i);
    strcpy(p, "}");
    CU_ASSERT_EQUAL_FATAL(decode(c, json, &u), GW_OK);
    gw_user_free(&u);
    strcpy(p, ",\"one-more\":1}");
    CU_ASSERT_EQUAL(decode(c, json, &u), GW_E_MALFORMED);
    free(json);
    gw_config_free(c);
}

static void t_map(void)
{
    gw_config *c = unit_config_of("{\"users\":{\"fields\":{\"email\":\"email\",\"n\":\"name\",\"b\":\"username\"},"
                          "\"related\":{\"p\":[[\"cc\",\"country_code\",\"ZZ\"],[\"opt\",\"email_optin\",false],"
                          "[\"num\",\"score\",7]]}}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    gw_user u;
    CU_ASSERT_EQUAL_FATAL(decode(c, "{\"sub\":\"s\",\"email\":\"e@x\",\"n\":12.5,\"b\":true,"
                                    "\"opt\":true,\"num\":null}", &u), GW_OK);
    CU_ASSERT_EQUAL_FATAL(u.nfields, 3);
    CU_ASSERT_STRING_EQUAL(u.fields[0], "e@x");
    CU_ASSERT_STRING_EQUAL(u.fields[1], "12.5");
    CU_ASSERT_STRING_EQUAL(u.fields[2], "1");
    CU_ASSERT_EQUAL_FATAL(u.nrelated, 3);
    CU_ASSERT_STRING_EQUAL(u.related[0], "ZZ");   /* absent: default */
    CU_ASSERT_STRING_EQUAL(u.related[1], "1");
    CU_ASSERT_STRING_EQUAL(u.related[2], "7");    /* null: default */
    gw_user_free(&u);
    /* numbers beyond any integer type stay numbers (no undefined conversion) */
    CU_ASSERT_EQUAL_FATAL(decode(c, "{\"sub\":\"s\",\"n\":1e300,\"num\":-1e300}", &u), GW_OK);
    CU_ASSERT_STRING_EQUAL(u.fields[1], "1.0000000000000001e+300");
    gw_user_free(&u);
    CU_ASSERT_EQUAL_FATAL(decode(c, "{\"sub\":\"s\",\"n\":42,\"cc\":\"FR\"}", &u), GW_OK);
    CU_ASSERT_PTR_NULL(u.fields[0]);                /* absent: leave the column */
    CU_ASSERT_STRING_EQUAL(u.fields[1], "42");
    CU_ASSERT_STRING_EQUAL(u.related[0], "FR");
    gw_user_free(&u);
    /* edge white space goes (the web servers would strip it on export) */
    CU_ASSERT_EQUAL_FATAL(decode(c, "{\"sub\":\"s\",\"email\":\"  e@x  \",\"n\":\" \",\"cc\":\" F R \"}", &u), GW_OK);
    CU_ASSERT_STRING_EQUAL(u.fields[0], "e@x");
    CU_ASSERT_STRING_EQUAL(u.fields[1], "");
    CU_ASSERT_STRING_EQUAL(u.related[0], "F R");
    gw_user_free(&u);
    gw_config_free(c);
}

/* Claim paths: a Keycloak userinfo (realm roles, client roles, an
 * address object, a namespaced claim), the paths that read it, and the
 * ones the configuration refuses. */
static void t_claim_paths(void)
{
    static const char kc[] =
        "{\"sub\":\"f:1b2c:kim\",\"preferred_username\":\"kim\","
        "\"realm_access\":{\"roles\":[\"offline_access\",\"admin\"]},"
        "\"resource_access\":{\"my-app\":{\"roles\":[\"editor\"]},\"other\":{\"roles\":[\"x\"]}},"
        "\"address\":{\"country\":\"NO\",\"locality\":\"Oslo\"},"
        "\"https://app.example.org/tier\":\"gold\",\"a.b\":{\"c\":\"escaped\"},"
        "\"ids\":{\"global\":\"g-1\"}}";
    gw_config *c = unit_config_of(
        "{\"identity\":{\"id_claim\":\"ids.global\"},"
        "\"users\":{\"fields\":{\"address.country\":\"email\",\"https://app.example.org/tier\":\"name\","
        "\"a\\\\.b.c\":\"username\",\"address.missing\":\"last_name\",\"realm_access.roles.x\":\"first_name\"},"
        "\"related\":{\"p\":[[\"address.locality\",\"city\",\"none\"]]}},"
        "\"groups\":{\"claim\":\"realm_access.roles\",\"sync\":\"create\"}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    gw_user u;
    CU_ASSERT_EQUAL_FATAL(decode(c, kc, &u), GW_OK);
    CU_ASSERT_STRING_EQUAL(u.id, "g-1");                 /* a nested id claim */
    CU_ASSERT_STRING_EQUAL(u.fields[0], "NO");           /* address.country */
    CU_ASSERT_STRING_EQUAL(u.fields[1], "gold");         /* a whole name holding dots */
    CU_ASSERT_STRING_EQUAL(u.fields[2], "escaped");      /* "a\.b" then "c" */
    CU_ASSERT_PTR_NULL(u.fields[3]);                     /* a missing segment: absent */
    CU_ASSERT_PTR_NULL(u.fields[4]);                     /* through an array: absent */
    CU_ASSERT_STRING_EQUAL(u.related[0], "Oslo");
    CU_ASSERT_EQUAL_FATAL(u.ngroups, 2);                 /* realm_access.roles, sorted */
    CU_ASSERT_STRING_EQUAL(u.groups[0], "admin");
    CU_ASSERT_STRING_EQUAL(u.groups[1], "offline_access");
    gw_user_free(&u);
    gw_config_free(c);
    /* client roles */
    c = unit_config_of("{\"groups\":{\"claim\":\"resource_access.my-app.roles\",\"sync\":\"create\"}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_EQUAL_FATAL(decode(c, "{\"sub\":\"s\",\"resource_access\":{\"my-app\":{\"roles\":[\"editor\"]}}}", &u), GW_OK);
    CU_ASSERT_EQUAL_FATAL(u.ngroups, 1);
    CU_ASSERT_STRING_EQUAL(u.groups[0], "editor");
    gw_user_free(&u);
    CU_ASSERT_EQUAL_FATAL(decode(c, "{\"sub\":\"s\",\"resource_access\":\"not an object\"}", &u), GW_OK);
    CU_ASSERT_EQUAL(u.ngroups, 0);                       /* absent: no groups */
    gw_user_free(&u);
    gw_config_free(c);
    /* a nested id that is not a string is refused like a top-level one */
    c = unit_config_of("{\"identity\":{\"id_claim\":\"ids.global\"}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_EQUAL(decode(c, "{\"ids\":{\"global\":7}}", &u), GW_E_MALFORMED);
    CU_ASSERT_EQUAL(decode(c, "{\"ids\":{}}", &u), GW_E_MALFORMED);
    gw_config_free(c);
    /* the configuration refuses paths that are not */
    static const char *const bad[] = {
        "{\"identity\":{\"id_claim\":\"a..b\"}}",
        "{\"identity\":{\"id_claim\":\".a\"}}",
        "{\"groups\":{\"claim\":\"roles.\"}}",
        "{\"users\":{\"fields\":{\"a\\\\x\":\"email\"}}}",
        "{\"users\":{\"related\":{\"p\":[[\"a\\\\\",\"city\",\"\"]]}}}",
        NULL};
    for (int i = 0; bad[i]; i++)
        CU_ASSERT_PTR_NULL(unit_config_of(bad[i]));
    CU_ASSERT_PTR_NULL(gw_json_claim_path_problem("realm_access.roles"));
    CU_ASSERT_PTR_NULL(gw_json_claim_path_problem("a\\.b\\\\c"));
    CU_ASSERT_PTR_NOT_NULL(gw_json_claim_path_problem(""));
}

static void t_fit(void)
{
    gw_config *c = unit_config_of("{\"users\":{\"fields\":{\"a\":\"username\",\"b\":\"name\",\"c\":\"email\"},"
                          "\"related\":{\"p\":[[\"cc\",\"country_code\",\"\"]]}}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    gw_user u;
    CU_ASSERT_EQUAL_FATAL(decode(c, "{\"sub\":\"s\",\"a\":\"\\u00e9\\u00e9\\u00e9\",\"b\":\"abcdef\","
                                    "\"c\":\"\\ud83d\\ude00x\",\"cc\":\"FRA\"}", &u), GW_OK);
    size_t fl[3] = {2, 0, 1}, rl[1] = {2};
    gw_collens lens = {fl, rl};
    CU_ASSERT_EQUAL(gw_user_fit(c, &u, &lens, NULL, NULL), 3);
    CU_ASSERT_STRING_EQUAL(u.fields[0], "\xc3\xa9\xc3\xa9");  /* two characters, four bytes */
    CU_ASSERT_STRING_EQUAL(u.fields[1], "abcdef");            /* 0 = no limit */
    CU_ASSERT_STRING_EQUAL(u.fields[2], "\xf0\x9f\x98\x80");
    CU_ASSERT_STRING_EQUAL(u.related[0], "FR");
    CU_ASSERT_EQUAL(gw_user_fit(c, &u, &lens, NULL, NULL), 0); /* idempotent */
    gw_user_free(&u);
    gw_config_free(c);
}

/* groups.claims: several sources merged in order, with prefixes and
 * normalization; groups.managed_prefix. */
static void t_group_sources(void)
{
    gw_config *c = unit_config_of(
        "{\"groups\":{\"sync\":\"create\",\"managed_prefix\":\"kc:\",\"excluded\":[\"kc:local\"],\"claims\":["
        "{\"path\":\"groups\",\"prefix\":\"kc:\",\"strip_slash\":true},"
        "{\"path\":\"realm_access.roles\",\"prefix\":\"kc:role:\",\"lowercase\":true},"
        "{\"path\":\"resource_access.my-app.roles\",\"prefix\":\"kc:app:\"},"
        "{\"path\":\"groups\"}]}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    gw_user u;
    CU_ASSERT_EQUAL_FATAL(decode(c, "{\"sub\":\"s\",\"groups\":[\"/staff/ops\",\"/staff\"],"
                                    "\"realm_access\":{\"roles\":[\"Admin\",\"offline_access\"]},"
                                    "\"resource_access\":{\"my-app\":{\"roles\":[\"Editor\"]}}}", &u), GW_OK);
    char joined[512] = "";
    for (size_t k = 0; k < u.ngroups; k++) {
        strcat(joined, k ? "," : "");
        strcat(joined, u.groups[k]);
    }
    CU_ASSERT_STRING_EQUAL(joined, "/staff,/staff/ops,kc:app:Editor,kc:role:admin,kc:role:offline_access,"
                                   "kc:staff,kc:staff/ops");
    gw_user_free(&u);
    /* one source's problem is the identity's */
    CU_ASSERT_EQUAL(decode(c, "{\"sub\":\"s\",\"realm_access\":{\"roles\":[1]}}", &u), GW_E_MALFORMED);
    /* the sync's groups: the managed prefix, never an excluded one */
    CU_ASSERT_TRUE(gw_group_managed(c, "kc:staff"));
    CU_ASSERT_FALSE(gw_group_managed(c, "/staff"));
    CU_ASSERT_FALSE(gw_group_managed(c, "app-beta-testers"));
    CU_ASSERT_FALSE(gw_group_managed(c, "kc:local"));
    gw_config_free(c);
    c = unit_config_of("{\"groups\":{\"excluded\":[\"x\"]}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_TRUE(gw_group_managed(c, "anything"));
    CU_ASSERT_FALSE(gw_group_managed(c, "x"));
    CU_ASSERT_EQUAL(c->groups.nsources, 1); /* "claim" as one plain source */
    gw_config_free(c);
    /* every source counts in the one limit of 256 */
    c = unit_config_of("{\"groups\":{\"claims\":[{\"path\":\"a\"},{\"path\":\"b\"}]}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    char *json = malloc(20000), *p = json + sprintf(json, "{\"sub\":\"s\",\"a\":[");
    for (int i = 0; i < 200; i++)
        p += sprintf(p, "%s\"a%d\"", i ? "," : "", i);
    p += sprintf(p, "],\"b\":[");
    for (int i = 0; i < 57; i++)
        p += sprintf(p, "%s\"b%d\"", i ? "," : "", i);
    strcpy(p, "]}");
    CU_ASSERT_EQUAL(decode(c, json, &u), GW_E_MALFORMED);
    free(json);
    gw_config_free(c);
    static const struct { const char *json, *msg; } bad[] = {
        {"{\"groups\":{\"claim\":\"g\",\"claims\":[{\"path\":\"g\"}]}}", "give \"claim\" or \"claims\""},
        {"{\"groups\":{\"claims\":[]}}", "groups.claims: must not be empty"},
        {"{\"groups\":{\"claims\":[\"groups\"]}}", "groups.claims[0]: expected an object"},
        {"{\"groups\":{\"claims\":[{\"prefix\":\"x\"}]}}", "groups.claims[0]: path: missing key"},
        {"{\"groups\":{\"claims\":[{\"path\":\"a.\"}]}}", "groups.claims[0]: path: not a claim path"},
        {"{\"groups\":{\"claims\":[{\"path\":\"a\",\"prefix\":\"r,\"}]}}", "prefix: at most 64 bytes, no comma"},
        {"{\"groups\":{\"claims\":[{\"path\":\"a\",\"lowercase\":\"yes\"}]}}", "groups.claims[0].lowercase: expected"},
        {"{\"groups\":{\"claims\":[{\"path\":\"a\",\"case\":1}]}}", "groups.claims[0].case: unknown key"},
        {"{\"groups\":{\"claims\":[{\"path\":\"a\"},{\"path\":\"a\"}]}}", "groups.claims[1]: the same path and prefix twice"},
        {"{\"groups\":{\"managed_prefix\":\"\"}}", "groups.managed_prefix: must not be empty"},
        {NULL, NULL}};
    for (int i = 0; bad[i].json; i++)
        CU_ASSERT_TRUE(unit_config_refused(bad[i].json, bad[i].msg));
}

static void t_groups(void)
{
    gw_config *c = unit_config_of("{\"groups\":{\"sync\":\"create\"}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    static const struct { const char *json; gw_status st; const char *joined; } cases[] = {
        {"{\"sub\":\"s\",\"groups\":[\"b\",\"a\",\"b\"]}", GW_OK, "a,b"},
        {"{\"sub\":\"s\",\"groups\":\" x , y,,x \"}", GW_OK, "x,y"},
        {"{\"sub\":\"s\",\"groups\":\"solo\"}", GW_OK, "solo"},
        {"{\"sub\":\"s\",\"groups\":{}}", GW_OK, ""},
        {"{\"sub\":\"s\",\"groups\":[]}", GW_OK, ""},
        {"{\"sub\":\"s\",\"groups\":\"\"}", GW_OK, ""},
        {"{\"sub\":\"s\",\"groups\":null}", GW_OK, ""},
        {"{\"sub\":\"s\"}", GW_OK, ""},
        {"{\"sub\":\"s\",\"groups\":[\"B\",\"a\",\"\u00e9\"]}", GW_OK, "B,a,\xc3\xa9"},
        {"{\"sub\":\"s\",\"groups\":[\"a\",1]}", GW_E_MALFORMED, NULL},
        {"{\"sub\":\"s\",\"groups\":[\"a\",[\"b\"]]}", GW_E_MALFORMED, NULL},
        {"{\"sub\":\"s\",\"groups\":{\"a\":1}}", GW_E_MALFORMED, NULL},
        {"{\"sub\":\"s\",\"groups\":true}", GW_E_MALFORMED, NULL},
        {"{\"sub\":\"s\",\"groups\":[\"a\\nb\"]}", GW_E_MALFORMED, NULL},
        {"{\"sub\":\"s\",\"groups\":[\"a\\u0085b\"]}", GW_E_MALFORMED, NULL},
        /* a comma would read as two groups in @groups: such a name is ignored */
        {"{\"sub\":\"s\",\"groups\":[\"staff,admins\",\"users\"]}", GW_OK, "users"},
        {"{\"sub\":\"s\",\"groups\":\"a,b\\u0000c\"}", GW_E_MALFORMED, NULL},
        {NULL, GW_OK, NULL}};
    for (int i = 0; cases[i].json; i++) {
        gw_user u;
        gw_status st = decode(c, cases[i].json, &u);
        if (st != cases[i].st) {
            fprintf(stderr, "\n  groups %s: status %d\n", cases[i].json, st);
            CU_FAIL("groups status");
            if (st == GW_OK)
                gw_user_free(&u);
            continue;
        }
        if (st != GW_OK)
            continue;
        char joined[256] = "";
        for (size_t k = 0; k < u.ngroups; k++) {
            strcat(joined, k ? "," : "");
            strcat(joined, u.groups[k]);
        }
        if (strcmp(joined, cases[i].joined) != 0) {
            fprintf(stderr, "\n  groups %s -> %s\n", cases[i].json, joined);
            CU_FAIL("groups value");
        }
        gw_user_free(&u);
    }
    /* limits: 256 groups accepted, 257 refused; names cut to 150 characters */
    char *json = malloc(20000), *p = json + sprintf(json, "{\"sub\":\"s\",\"groups\":[");
    for (int i = 0; i < GW_GROUPS_MAX; i++)
        p += sprintf(p, "%s\"g%d\"", i ? "," : "", i);
    strcpy(p, "]}");
    gw_user u;
    CU_ASSERT_EQUAL_FATAL(decode(c, json, &u), GW_OK);
    CU_ASSERT_EQUAL(u.ngroups, GW_GROUPS_MAX);
    gw_user_free(&u);
    strcpy(p, ",\"one-more\"]}");
    CU_ASSERT_EQUAL(decode(c, json, &u), GW_E_MALFORMED);
    p = json + sprintf(json, "{\"sub\":\"s\",\"groups\":[\"");
    for (int i = 0; i < 200; i++)
        p += sprintf(p, "\\u00e9");
    strcpy(p, "\"]}");
    CU_ASSERT_EQUAL_FATAL(decode(c, json, &u), GW_OK);
    CU_ASSERT_EQUAL(strlen(u.groups[0]), 2 * GW_GROUP_MAX_CHARS);
    gw_user_free(&u);
    free(json);
    gw_config_free(c);
    /* groups are not even looked at when nothing uses them */
    c = unit_config_of("{\"export\":{\"REMOTE_USER\":\"global_id\"}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_FALSE(c->uses_groups);
    CU_ASSERT_EQUAL_FATAL(decode(c, "{\"sub\":\"s\",\"groups\":7}", &u), GW_OK);
    CU_ASSERT_EQUAL(u.ngroups, 0);
    gw_user_free(&u);
    gw_config_free(c);
}

static void t_headers_source(void)
{
    gw_config *c = unit_config_of("{\"identity\":{\"source\":\"headers\",\"claim_headers\":{"
                          "\"sub\":\"HTTP_REMOTE_USER\",\"email\":\"HTTP_REMOTE_EMAIL\","
                          "\"groups\":\"HTTP_REMOTE_GROUPS\"}},\"groups\":{\"sync\":\"create\"}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    envp_t e;
    gw_user u;
    const char *why;
    CU_ASSERT_EQUAL_FATAL(gw_user_decode(c, req_of(c, &e, "127.0.0.1", "HTTP_REMOTE_USER=bob",
                                                   "HTTP_REMOTE_EMAIL=bob@x", "HTTP_REMOTE_GROUPS=b,a"), NULL,
                                         &u, &why), GW_OK);
    CU_ASSERT_STRING_EQUAL(u.id, "bob");
    CU_ASSERT_STRING_EQUAL(u.fields[1], "bob@x"); /* default fields: email is second */
    CU_ASSERT_EQUAL_FATAL(u.ngroups, 2);
    CU_ASSERT_STRING_EQUAL(u.groups[0], "a");
    gw_user_free(&u);
    CU_ASSERT_EQUAL(gw_user_decode(c, req_of(c, &e, "127.0.0.1", "HTTP_REMOTE_EMAIL=bob@x", NULL, NULL), NULL,
                                   &u, &why), GW_E_MALFORMED); /* no id */
    CU_ASSERT_EQUAL(gw_user_decode(c, req_of(c, &e, "127.0.0.1", "HTTP_REMOTE_USER=b\xff", NULL, NULL), NULL,
                                   &u, &why), GW_E_MALFORMED); /* not UTF-8 */
    CU_ASSERT_EQUAL(gw_user_decode(c, req_of(c, &e, "127.0.0.1", "HTTP_REMOTE_USER=bob",
                                             "HTTP_REMOTE_EMAIL=a\tb", NULL), NULL, &u, &why), GW_E_MALFORMED);
    /* two Remote-User (or Remote-Email) lines, joined by the web server */
    CU_ASSERT_EQUAL(gw_user_decode(c, req_of(c, &e, "127.0.0.1", "HTTP_REMOTE_USER=bob, admin", NULL, NULL),
                                   NULL, &u, &why), GW_E_DUPLICATE);
    CU_ASSERT_EQUAL(gw_user_decode(c, req_of(c, &e, "127.0.0.1", "HTTP_REMOTE_USER=bob",
                                             "HTTP_REMOTE_EMAIL=bob@x, admin@x", NULL), NULL, &u, &why),
                    GW_E_DUPLICATE);
    /* a groups header may hold ", ": it is a list (and cannot be checked) */
    CU_ASSERT_EQUAL_FATAL(gw_user_decode(c, req_of(c, &e, "127.0.0.1", "HTTP_REMOTE_USER=bob",
                                                   "HTTP_REMOTE_GROUPS=users, admins", NULL), NULL, &u, &why), GW_OK);
    CU_ASSERT_EQUAL(u.ngroups, 2);
    gw_user_free(&u);
    gw_config_free(c);
}

void unit_usermap(void)
{
    static const unit_test tests[] = {
        {"steps 1-3: one identity, trusted, bounded", t_identity_check},
        {"steps 1-3 for plain headers", t_identity_headers_source},
        {"step 4: decoding, table of hostile inputs", t_decode_table},
        {"step 4: size, depth and key-count limits", t_decode_limits},
        {"mapping: types, absent claims, defaults", t_map},
        {"claim paths: Keycloak roles, nested ids, escaped dots, namespaced names", t_claim_paths},
        {"truncation at character boundaries", t_fit},
        {"groups claim: array, comma string, {} / [], limits", t_groups},
        {"groups.claims: several sources, prefixes, normalization; managed_prefix", t_group_sources},
        {"plain-header source", t_headers_source},
        {NULL, NULL}};
    unit_suite("usermap", tests);
}
