/* http.c: query, cookies, URL encoding, and the logout destination check
 * replayed over the open-redirect corpus. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "unit.h"

static void t_query(void)
{
    static const struct { const char *qs, *name, *want; } cases[] = {
        {"next=/app", "next", "/app"}, {"a=1&next=%2Fx%3Fy%3D1", "next", "/x?y=1"},
        {"next=a+b", "next", "a b"}, {"nextx=1&next=2", "next", "2"}, {"next", "next", ""},
        {"next=", "next", ""}, {"a=1;next=z", "next", "z"}, {"next=1&next=2", "next", "1"},
        {NULL, NULL, NULL}};
    for (int i = 0; cases[i].qs; i++) {
        char *v = gw_http_query_param(cases[i].qs, cases[i].name);
        CU_ASSERT_PTR_NOT_NULL(v);
        if (v)
            CU_ASSERT_STRING_EQUAL(v, cases[i].want);
        free(v);
    }
    CU_ASSERT_PTR_NULL(gw_http_query_param("a=1", "next"));
    CU_ASSERT_PTR_NULL(gw_http_query_param("next=%zz", "next"));
    CU_ASSERT_PTR_NULL(gw_http_query_param("next=%00", "next"));
    CU_ASSERT_PTR_NULL(gw_http_query_param("next=%2", "next"));
    CU_ASSERT_PTR_NULL(gw_http_query_param(NULL, "next"));
}

static void t_cookie(void)
{
    char v[64];
    CU_ASSERT_TRUE(
        gw_http_cookie_value("a=1; gwauth_session=abc; b=2", "gwauth_session", v, sizeof(v)));
    CU_ASSERT_STRING_EQUAL(v, "abc");
    CU_ASSERT_TRUE(gw_http_cookie_value("gwauth_session=\"q\"", "gwauth_session", v, sizeof(v)));
    CU_ASSERT_STRING_EQUAL(v, "q");
    CU_ASSERT_TRUE(gw_http_cookie_value("x_gwauth_session=1;gwauth_session=2", "gwauth_session", v,
                                        sizeof(v)));
    CU_ASSERT_STRING_EQUAL(v, "2");
    CU_ASSERT_FALSE(gw_http_cookie_value("gwauth_sessionx=1", "gwauth_session", v, sizeof(v)));
    CU_ASSERT_FALSE(gw_http_cookie_value("a=1", "gwauth_session", v, sizeof(v)));
    CU_ASSERT_FALSE(gw_http_cookie_value(NULL, "gwauth_session", v, sizeof(v)));
    /* Apache joins two Cookie headers with ", " */
    CU_ASSERT_TRUE(gw_http_cookie_value("a=1, gwauth_session=abc", "gwauth_session", v, sizeof(v)));
    CU_ASSERT_STRING_EQUAL(v, "abc");
    CU_ASSERT_TRUE(gw_http_cookie_value("gwauth_session=abc, a=1", "gwauth_session", v, sizeof(v)));
    CU_ASSERT_STRING_EQUAL(v, "abc");
    char big[200];
    memset(big, 'x', sizeof(big));
    memcpy(big, "s=", 2);
    big[199] = 0;
    CU_ASSERT_FALSE(gw_http_cookie_value(big, "s", v, sizeof(v))); /* too long: refused */
}

static void t_encode(void)
{
    char *e = gw_http_url_encode("/a b?c=d&e=\xc3\xa9~._-");
    CU_ASSERT_STRING_EQUAL(e, "%2Fa%20b%3Fc%3Dd%26e%3D%C3%A9~._-");
    free(e);
    char *d = gw_http_form_decode("%2Fa%20b+c", 10);
    CU_ASSERT_STRING_EQUAL(d, "/a b c");
    free(d);
}

static const char *const hosts[] = {"app.example.org", "sso.example.org:8443"};
static const gw_strlist allowed = {(char **)hosts, 2};

/* Reads the corpus file: one payload per line, '#' comments, \xHH escapes. */
static int replay(const char *file, int want_valid, int *count)
{
    char path[512];
    const char *top = getenv("GW_TOP");
    snprintf(path, sizeof(path), "%s/tests/redirect/%s", top ? top : ".", file);
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "\n  cannot open %s\n", path);
        return -1;
    }
    char line[4096], p[4096];
    int bad = 0;
    *count = 0;
    while (fgets(line, sizeof(line), f)) {
        size_t n = strcspn(line, "\n");
        line[n] = '\0';
        if (line[0] == '#' || n == 0)
            continue;
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            unsigned v;
            if (line[i] == '\\' && line[i + 1] == 'x' && sscanf(line + i + 2, "%2x", &v) == 1) {
                p[k++] = (char)v;
                i += 3;
            } else {
                p[k++] = line[i];
            }
        }
        p[k] = '\0';
        (*count)++;
        if (gw_http_dest_valid(p, &allowed) != want_valid) {
            fprintf(stderr, "\n  %s: %s judged %s\n", file, line, want_valid ? "invalid" : "valid");
            bad++;
        }
    }
    fclose(f);
    return bad;
}

static void t_corpus(void)
{
    int n = 0;
    CU_ASSERT_EQUAL(replay("payloads.txt", 0, &n), 0);
    CU_ASSERT_TRUE(n >= 150);
    CU_ASSERT_EQUAL(replay("valid.txt", 1, &n), 0);
    CU_ASSERT_TRUE(n >= 10);
}

static void t_dest_edges(void)
{
    char longp[GW_DEST_MAX + 2];
    memset(longp, 'a', sizeof(longp));
    longp[0] = '/';
    longp[GW_DEST_MAX] = '\0';
    CU_ASSERT_TRUE(gw_http_dest_valid(longp, &allowed));
    longp[GW_DEST_MAX] = 'a';
    longp[GW_DEST_MAX + 1] = '\0';
    CU_ASSERT_FALSE(gw_http_dest_valid(longp, &allowed));
    CU_ASSERT_FALSE(gw_http_dest_valid("", &allowed));
    CU_ASSERT_FALSE(gw_http_dest_valid(NULL, &allowed));
    gw_strlist none = {NULL, 0};
    CU_ASSERT_FALSE(gw_http_dest_valid("https://app.example.org/", &none));
    CU_ASSERT_TRUE(gw_http_dest_valid("/app", &none));
}

void unit_http(void)
{
    static const unit_test tests[] = {
        {"query parameters", t_query},
        {"cookies", t_cookie},
        {"URL encoding and form decoding", t_encode},
        {"open-redirect corpus: every payload refused, valid ones kept", t_corpus},
        {"destination length and allowed hosts", t_dest_edges},
        {NULL, NULL}};
    unit_suite("http", tests);
}
