/* reply.c: every reply is a complete header block; no value splits a line. */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "reply.h"
#include "unit.h"

static void t_deny(void)
{
    static const struct { gw_status st; const char *line, *code; } cases[] = {
        {GW_E_DUPLICATE, "Status: 400 Bad Request\r\n", "duplicate_identity_header"},
        {GW_E_UNTRUSTED, "Status: 403 Forbidden\r\n", "untrusted_source"},
        {GW_E_TOO_LARGE, "Status: 431 Request Header Fields Too Large\r\n", "userinfo_too_large"},
        {GW_E_MALFORMED, "Status: 400 Bad Request\r\n", "malformed_userinfo"},
        {GW_E_UNKNOWN_USER, "Status: 403 Forbidden\r\n", "unknown_user"},
        {GW_E_INACTIVE, "Status: 403 Forbidden\r\n", "inactive_user"},
        {GW_E_UNAUTHENTICATED, "Status: 401 Unauthorized\r\n", "unauthenticated"},
        {GW_E_UNAVAILABLE, "Status: 503 Service Unavailable\r\n", "unavailable"},
        {GW_OK, "Status: 500 Internal Server Error\r\n", "internal_error"}, /* never a 200 */
        {(gw_status)999, "Status: 500 Internal Server Error\r\n", "internal_error"},
        {GW_STATUS_COUNT, NULL, NULL}};
    for (int i = 0; cases[i].line; i++) {
        gw_buf b;
        gw_buf_init(&b);
        gw_reply_deny(&b, cases[i].st, NULL, NULL);
        CU_ASSERT_EQUAL(strncmp(b.data, cases[i].line, strlen(cases[i].line)), 0);
        CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "\r\nContent-Type: application/json\r\n"));
        CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "\r\nCache-Control: no-store\r\n"));
        CU_ASSERT_EQUAL(strstr(b.data, "Retry-After: 5\r\n") != NULL, cases[i].st == GW_E_UNAVAILABLE);
        char body[128];
        snprintf(body, sizeof(body), "\r\n\r\n{\"error\":\"%s\"}\n", cases[i].code);
        CU_ASSERT_PTR_NOT_NULL(strstr(b.data, body));
        CU_ASSERT_PTR_NULL(strstr(b.data, "Variable-"));
        gw_buf_free(&b);
    }
    gw_buf b;
    gw_buf_init(&b);
    gw_reply_deny(&b, GW_E_UNAVAILABLE, "X-A: 1\r\n", "schema_mismatch");
    CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "Retry-After: 5\r\nX-A: 1\r\n\r\n"
                                          "{\"error\":\"unavailable\",\"reason\":\"schema_mismatch\"}\n"));
    gw_buf_free(&b);
}

/* nginx's auth_request: only 401 and 403, the real answer in headers. */
static void t_subrequest_deny(void)
{
    static const struct {
        gw_status st;
        const char *loc, *status, *real, *code;
    } cases[] = {
        {GW_E_UNAUTHENTICATED, NULL, "401 Unauthorized", "401", "unauthenticated"},
        {GW_E_INVALID_TOKEN, NULL, "401 Unauthorized", "401", "invalid_token"},
        {GW_E_UNAUTHENTICATED, "/login?next=%2F", "401 Unauthorized", "302", "unauthenticated"},
        {GW_E_FORBIDDEN, NULL, "403 Forbidden", "403", "forbidden"},
        {GW_E_MALFORMED, NULL, "403 Forbidden", "400", "malformed_userinfo"},
        {GW_E_TOO_LARGE, NULL, "403 Forbidden", "431", "userinfo_too_large"},
        {GW_E_UNAVAILABLE, NULL, "403 Forbidden", "503", "unavailable"},
        {GW_E_INTERNAL, NULL, "403 Forbidden", "500", "internal_error"},
        {GW_OK, NULL, "403 Forbidden", "500", "internal_error"}, /* never an allow */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        gw_buf b;
        gw_buf_init(&b);
        gw_reply_subrequest_deny(&b, cases[i].st, cases[i].loc);
        char want[256];
        snprintf(want, sizeof(want), "Status: %s\r\n", cases[i].status);
        CU_ASSERT_EQUAL(strncmp(b.data, want, strlen(want)), 0);
        snprintf(want, sizeof(want), "X-Gwauth-Status: %s\r\nX-Gwauth-Error: %s\r\n", cases[i].real,
                 cases[i].code);
        CU_ASSERT_PTR_NOT_NULL(strstr(b.data, want));
        CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "Cache-Control: no-store\r\n"));
        CU_ASSERT_EQUAL(strstr(b.data, "X-Gwauth-Location: ") != NULL, cases[i].loc != NULL);
        snprintf(want, sizeof(want), "\r\n\r\n{\"error\":\"%s\"}\n", cases[i].code);
        CU_ASSERT_PTR_NOT_NULL(strstr(b.data, want));
        CU_ASSERT_PTR_NULL(strstr(b.data, "Variable-"));
        gw_buf_free(&b);
    }
}

static void t_allow(void)
{
    gw_var v[] = {{"REMOTE_USER", "alice"}, {"GWAUTH_EMAIL", ""}, {"GWAUTH_GROUPS", NULL},
                  {"GWAUTH_NAME", "Al \xc3\xa9 : x"}};
    gw_buf b;
    gw_buf_init(&b);
    CU_ASSERT_EQUAL(gw_reply_allow(&b, v, 4), GW_OK);
    CU_ASSERT_STRING_EQUAL(b.data, "Status: 200 OK\r\nVariable-REMOTE_USER: alice\r\n"
                                   "Variable-GWAUTH_NAME: Al \xc3\xa9 : x\r\n\r\n");
    gw_buf_reset(&b);
    CU_ASSERT_EQUAL(gw_reply_allow(&b, NULL, 0), GW_OK);
    CU_ASSERT_STRING_EQUAL(b.data, "Status: 200 OK\r\n\r\n");
    gw_buf_free(&b);
}

/* No byte of any value can add a header line: every value with a control
 * character is refused and nothing at all is written. */
static void t_allow_never_splits(void)
{
    gw_buf b;
    gw_buf_init(&b);
    for (int c = 0; c < 256; c++) {
        char val[8] = {'a', (char)c, 'b', 0};
        if (c == 0)
            val[1] = '\0'; /* a NUL simply ends the C string */
        gw_var v[] = {{"REMOTE_USER", "ok"}, {"GWAUTH_X", val}};
        gw_buf_reset(&b);
        gw_status st = gw_reply_allow(&b, v, 2);
        if (c != 0 && (c < 0x20 || c == 0x7F)) {
            CU_ASSERT_EQUAL(st, GW_E_INTERNAL);
            CU_ASSERT_EQUAL(b.len, 0);
        } else {
            CU_ASSERT_EQUAL(st, GW_OK);
            /* exactly: status line, two variables, empty line */
            int crlf = 0;
            for (size_t i = 0; i + 1 < b.len; i++)
                crlf += b.data[i] == '\r' && b.data[i + 1] == '\n';
            CU_ASSERT_EQUAL(crlf, 4);
        }
        for (size_t i = 0; i < b.len; i++)
            if (b.data[i] == '\n')
                CU_ASSERT_TRUE(i > 0 && b.data[i - 1] == '\r');
    }
    gw_buf_free(&b);
}

/* Values the web servers would change (edge white space), C1 controls
 * and the Unicode line separators are never exported. */
static void t_allow_refuses_disguise(void)
{
    static const char *const bad[] = {" admin", "admin ", "\tadmin", "a\xc2\x85" "b",
                                      "a\xc2\x9f", "a\xe2\x80\xa8" "b", "a\xe2\x80\xa9", NULL};
    gw_buf b;
    gw_buf_init(&b);
    for (int i = 0; bad[i]; i++) {
        gw_var v[] = {{"REMOTE_USER", bad[i]}};
        gw_buf_reset(&b);
        CU_ASSERT_EQUAL(gw_reply_allow(&b, v, 1), GW_E_INTERNAL);
        CU_ASSERT_EQUAL(b.len, 0);
    }
    gw_var ok[] = {{"REMOTE_USER", "ad min"}, {"GWAUTH_NAME", "\xc3\xa9l\xc2\xa0ve"}};
    gw_buf_reset(&b);
    CU_ASSERT_EQUAL(gw_reply_allow(&b, ok, 2), GW_OK);
    gw_buf_free(&b);
}

/* export_max_bytes: over the bound, @groups goes and the flag comes;
 * nothing is cut inside a value. */
static void t_export_fit(void)
{
    gw_config *c = unit_config_of("{\"export_max_bytes\":300,\"export\":{\"REMOTE_USER\":\"global_id\","
                                  "\"GWAUTH_GROUPS\":\"@groups\",\"APP_GROUPS\":\"@groups\"}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    char big[400];
    memset(big, 'g', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    gw_var v[4] = {{"REMOTE_USER", "alice"}, {"GWAUTH_GROUPS", "a,b"}, {"APP_GROUPS", "a,b"}, {NULL, NULL}};
    size_t bytes = 0;
    bool truncated = true;
    CU_ASSERT_EQUAL(gw_reply_export_fit(c, v, 3, &bytes, &truncated), 3); /* within: as it is */
    CU_ASSERT_FALSE(truncated);
    CU_ASSERT_EQUAL(bytes, strlen("Variable-REMOTE_USER: alice\r\nVariable-GWAUTH_GROUPS: a,b\r\n"
                                  "Variable-APP_GROUPS: a,b\r\n"));
    v[1].value = v[2].value = big;
    CU_ASSERT_EQUAL_FATAL(gw_reply_export_fit(c, v, 3, &bytes, &truncated), 4);
    CU_ASSERT_TRUE(truncated);
    CU_ASSERT_PTR_NULL(v[1].value);
    CU_ASSERT_PTR_NULL(v[2].value);
    CU_ASSERT_STRING_EQUAL(v[0].value, "alice");
    CU_ASSERT_STRING_EQUAL(v[3].name, "GWAUTH_GROUPS_TRUNCATED");
    CU_ASSERT_STRING_EQUAL(v[3].value, "1");
    gw_buf b;
    gw_buf_init(&b);
    CU_ASSERT_EQUAL(gw_reply_allow(&b, v, 4), GW_OK);
    CU_ASSERT_STRING_EQUAL(b.data, "Status: 200 OK\r\nVariable-REMOTE_USER: alice\r\n"
                                   "Variable-GWAUTH_GROUPS_TRUNCATED: 1\r\n\r\n");
    gw_buf_free(&b);
    gw_config_free(c);
    /* no bound: never */
    c = unit_config_of("{}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    gw_var w[2] = {{"GWAUTH_GROUPS", big}, {NULL, NULL}};
    CU_ASSERT_EQUAL(gw_reply_export_fit(c, w, 1, &bytes, &truncated), 1);
    CU_ASSERT_FALSE(truncated);
    gw_config_free(c);
    static const struct { const char *json, *msg; } bad[] = {
        {"{\"export_max_bytes\":100}", "export_max_bytes: 0 (no bound) or at least 256"},
        {"{\"export_max_bytes\":-1}", "export_max_bytes: expected an integer from 0 to 1048576"},
        {"{\"export_max_bytes\":1024,\"export\":{\"GWAUTH_GROUPS_TRUNCATED\":\"email\"}}", "is what export_max_bytes sets"},
        {"{\"groups\":{\"export_only\":\"rules\"}}", "groups.export_only: \"rules\": no rule names a group"},
        {"{\"groups\":{\"export_only\":[]}}", "groups.export_only: must not be empty"},
        {"{\"groups\":{\"export_only\":\"all\"}}", "groups.export_only: expected an array of strings"},
        {"{\"groups\":{\"max_count\":1025}}", "groups.max_count: expected an integer from 1 to 1024"},
        {NULL, NULL}};
    for (int i = 0; bad[i].json; i++)
        CU_ASSERT_TRUE(unit_config_refused(bad[i].json, bad[i].msg));
    /* export_only: the rules' groups exactly, or names and prefixes */
    c = unit_config_of("{\"groups\":{\"export_only\":\"rules\"},\"access\":{\"rules\":["
                       "{\"prefix\":\"/a/\",\"groups_any\":[\"staff\",\"ops*\"]},{\"prefix\":\"/b/\",\"groups_any\":[\"staff\"]}]}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_EQUAL(c->groups.export_only.n, 2);
    CU_ASSERT_TRUE(gw_group_exported(c, "staff"));
    CU_ASSERT_TRUE(gw_group_exported(c, "ops*"));
    CU_ASSERT_FALSE(gw_group_exported(c, "opsx")); /* a rule's name is a name */
    CU_ASSERT_FALSE(gw_group_exported(c, "readers"));
    gw_config_free(c);
    c = unit_config_of("{\"groups\":{\"export_only\":[\"staff\",\"app:*\"]}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_TRUE(gw_group_exported(c, "app:editors"));
    CU_ASSERT_TRUE(gw_group_exported(c, "staff"));
    CU_ASSERT_FALSE(gw_group_exported(c, "staffers"));
    CU_ASSERT_FALSE(gw_group_exported(c, "ap"));
    gw_config_free(c);
}

/* gw_reply_redirect: the logout's and the login's 302s. */
static void t_redirect(void)
{
    gw_buf b;
    gw_buf_init(&b);
    gw_reply_redirect(&b, GW_OK, "https://app.example.org/bye", "Set-Cookie: s=; Max-Age=0\r\n");
    CU_ASSERT_STRING_EQUAL(b.data, "Status: 302 Found\r\nLocation: https://app.example.org/bye\r\n"
                                   "Cache-Control: no-store\r\nSet-Cookie: s=; Max-Age=0\r\n"
                                   "Content-Length: 0\r\n\r\n");
    gw_buf_reset(&b);
    /* a deny that redirects (the login redirect): the deny's JSON body */
    gw_reply_redirect(&b, GW_E_UNAUTHENTICATED, "/login?next=%2Fapp%2F", NULL);
    CU_ASSERT_STRING_EQUAL(b.data, "Status: 302 Found\r\nLocation: /login?next=%2Fapp%2F\r\n"
                                   "Cache-Control: no-store\r\nContent-Type: application/json\r\n\r\n"
                                   "{\"error\":\"unauthenticated\"}\n");
    /* a redirect never carries an identity */
    CU_ASSERT_PTR_NULL(strstr(b.data, "Variable-"));
    gw_buf_free(&b);
}

void unit_reply(void)
{
    static const unit_test tests[] = {
        {"deny: status, JSON code, no-store, Retry-After on 503", t_deny},
        {"allow: one Variable- line per non-empty value", t_allow},
        {"nginx subrequest deny: 401 or 403, the real status and code in headers", t_subrequest_deny},
        {"allow: no value can produce CR or LF", t_allow_never_splits},
        {"allow: no edge white space, C1 control or line separator", t_allow_refuses_disguise},
        {"export_max_bytes: @groups left out, the flag set; export_only", t_export_fit},
        {"redirect: 302, no-store, extra lines; a deny's JSON body", t_redirect},
        {NULL, NULL}};
    unit_suite("reply", tests);
}
