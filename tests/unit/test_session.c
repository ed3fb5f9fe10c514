/* session.c: session tokens, the cookie that carries one, the Set-Cookie
 * line, the (token, user) pairs already checked. */
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "session.h"
#include "unit.h"

static void t_token_new(void)
{
    char a[GW_TOKEN_CHARS + 1], b[GW_TOKEN_CHARS + 1];
    unsigned char ha[32], hb[32], again[32];
    CU_ASSERT_TRUE_FATAL(gw_session_token_new(a, ha));
    CU_ASSERT_TRUE_FATAL(gw_session_token_new(b, hb));
    CU_ASSERT_EQUAL(strlen(a), GW_TOKEN_CHARS);
    CU_ASSERT_EQUAL(strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
                    GW_TOKEN_CHARS); /* URL-safe base64, nothing to escape */
    CU_ASSERT_STRING_NOT_EQUAL(a, b);
    CU_ASSERT_NOT_EQUAL(memcmp(ha, hb, 32), 0);
    /* the hash kept is the hash of the token sent */
    CU_ASSERT_TRUE(gw_session_token_hash(a, again));
    CU_ASSERT_EQUAL(memcmp(ha, again, 32), 0);
    /* 32 random bytes are 256 bits in 43 characters of 6: the last one
     * carries 4 bits and 2 zero bits (an index that is a multiple of 4) */
    for (int k = 0; k < 64; k++) {
        CU_ASSERT_TRUE_FATAL(gw_session_token_new(b, hb));
        CU_ASSERT_PTR_NOT_NULL(strchr("AEIMQUYcgkosw048", b[GW_TOKEN_CHARS - 1]));
    }
}

static void t_token_hash(void)
{
    unsigned char h[32];
    char ok[GW_TOKEN_CHARS + 1];
    memset(ok, 'A', GW_TOKEN_CHARS);
    ok[GW_TOKEN_CHARS] = '\0';
    CU_ASSERT_TRUE(gw_session_token_hash(ok, h));
    char t[GW_TOKEN_CHARS + 2];
    memcpy(t, ok, sizeof(ok));
    t[GW_TOKEN_CHARS - 1] = '\0'; /* one short */
    CU_ASSERT_FALSE(gw_session_token_hash(t, h));
    memcpy(t, ok, GW_TOKEN_CHARS);
    t[GW_TOKEN_CHARS] = 'A';
    t[GW_TOKEN_CHARS + 1] = '\0'; /* one too many */
    CU_ASSERT_FALSE(gw_session_token_hash(t, h));
    static const char bad[] = "+/=.%\" ;\x01";
    for (const char *c = bad; *c; c++) {
        memcpy(t, ok, sizeof(ok));
        t[7] = *c; /* standard base64, padding, separators, control */
        CU_ASSERT_FALSE(gw_session_token_hash(t, h));
    }
    CU_ASSERT_FALSE(gw_session_token_hash("", h));
}

static void t_cookie_hash(void)
{
    gw_config *on = unit_config_of("{\"session\": {\"enabled\": true, \"cookie\": \"sid\"}}");
    gw_config *off = unit_config_of("{\"session\": {\"enabled\": false, \"cookie\": \"sid\"}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(on);
    CU_ASSERT_PTR_NOT_NULL_FATAL(off);
    char tok[GW_TOKEN_CHARS + 1], cookie[256];
    unsigned char want[32], h[32];
    CU_ASSERT_TRUE_FATAL(gw_session_token_new(tok, want));
    snprintf(cookie, sizeof(cookie), "HTTP_COOKIE=other=1; sid=%s; x=y", tok);
    char *envp[] = {"REQUEST_URI=/app/", cookie, NULL};
    CU_ASSERT_TRUE(gw_session_cookie_hash(unit_request_of(on, envp), h));
    CU_ASSERT_EQUAL(memcmp(h, want, 32), 0);
    CU_ASSERT_FALSE(gw_session_cookie_hash(unit_request_of(off, envp), h)); /* sessions off: never read */
    char *none[] = {"REQUEST_URI=/app/", NULL};
    CU_ASSERT_FALSE(gw_session_cookie_hash(unit_request_of(on, none), h));
    char *other[] = {"HTTP_COOKIE=gwauth_session=AAAA; sidx=AAAA", NULL};
    CU_ASSERT_FALSE(gw_session_cookie_hash(unit_request_of(on, other), h)); /* another cookie's name */
    snprintf(cookie, sizeof(cookie), "HTTP_COOKIE=sid=%s0", tok); /* one character too many */
    char *longer[] = {cookie, NULL};
    CU_ASSERT_FALSE(gw_session_cookie_hash(unit_request_of(on, longer), h));
    gw_config_free(on);
    gw_config_free(off);
}

static void t_cookie_line(void)
{
    gw_buf b;
    gw_buf_init(&b);
    gw_http_cookie_line(&b, "sid", "v1", 3600, true, "Lax");
    CU_ASSERT_STRING_EQUAL(b.data, "Set-Cookie: sid=v1; Path=/; Max-Age=3600; HttpOnly; Secure; SameSite=Lax\r\n");
    gw_buf_reset(&b);
    gw_http_cookie_line(&b, "sid", "", 0, false, NULL); /* expired, over plain HTTP, no SameSite */
    CU_ASSERT_STRING_EQUAL(b.data, "Set-Cookie: sid=; Path=/; Max-Age=0; HttpOnly\r\n");
    gw_buf_free(&b);
}

static void t_pairs(void)
{
    gw_session_pairs *s = gw_session_pairs_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    unsigned char h1[32], h2[32];
    memset(h1, 1, sizeof(h1));
    memset(h2, 2, sizeof(h2));
    CU_ASSERT_FALSE(gw_session_pairs_has(s, h1, "alice"));
    gw_session_pairs_add(s, h1, "alice");
    CU_ASSERT_TRUE(gw_session_pairs_has(s, h1, "alice"));
    CU_ASSERT_FALSE(gw_session_pairs_has(s, h1, "bob"));   /* the same token, another user */
    CU_ASSERT_FALSE(gw_session_pairs_has(s, h2, "alice")); /* another token */
    CU_ASSERT_FALSE(gw_session_pairs_has(s, h1, "alic"));  /* the id is not a prefix */
    CU_ASSERT_FALSE(gw_session_pairs_has(NULL, h1, "alice"));
    gw_session_pairs_add(NULL, h1, "alice"); /* no table: nothing, no crash */
    /* an id longer than any global id is never remembered */
    char *huge = malloc(1100);
    CU_ASSERT_PTR_NOT_NULL_FATAL(huge);
    memset(huge, 'x', 1099);
    huge[1099] = '\0';
    gw_session_pairs_add(s, h1, huge);
    CU_ASSERT_FALSE(gw_session_pairs_has(s, h1, huge));
    free(huge);
    /* newer pairs overwrite older ones in a fixed table: after many
     * more pairs than slots, most of the first ones are gone */
    unsigned char h[32];
    memset(h, 0, sizeof(h));
    size_t kept = 0;
    for (unsigned i = 0; i < 4 * GW_PAIRS_SLOTS; i++) {
        memcpy(h, &i, sizeof(i));
        gw_session_pairs_add(s, h, "u");
    }
    for (unsigned i = 0; i < GW_PAIRS_SLOTS; i++) {
        memcpy(h, &i, sizeof(i));
        kept += gw_session_pairs_has(s, h, "u");
    }
    CU_ASSERT_TRUE(kept < GW_PAIRS_SLOTS / 4);
    gw_session_pairs_free(s);
}

void unit_session(void)
{
    static const unit_test tests[] = {
        {"session: a new token and its hash", t_token_new},
        {"session: only well-formed tokens are hashed", t_token_hash},
        {"session: the cookie's token", t_cookie_hash},
        {"session: the Set-Cookie line", t_cookie_line},
        {"session: pairs already checked", t_pairs},
        {NULL, NULL},
    };
    unit_suite("session", tests);
}
