/* util.c: base64, UTF-8, control characters, identifiers, parameters. */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "util.h"

static void t_b64_valid(void)
{
    static const struct { const char *in, *out; } cases[] = {
        {"", ""},
        {"YQ==", "a"}, {"YQ", "a"},
        {"YWI=", "ab"}, {"YWI", "ab"},
        {"YWJj", "abc"},
        {"eyJzdWIiOiJ4In0=", "{\"sub\":\"x\"}"}, {"eyJzdWIiOiJ4In0", "{\"sub\":\"x\"}"},
        {"Pz8_", "??\?"}, {"Pz8/", "??\?"},       /* URL-safe and standard */
        {"-_-_", "\xfb\xff\xbf"}, {"+/+/", "\xfb\xff\xbf"},
        {NULL, NULL}};
    for (int i = 0; cases[i].in; i++) {
        size_t n = 99;
        unsigned char *d = gw_b64_decode(cases[i].in, strlen(cases[i].in), &n);
        CU_ASSERT_PTR_NOT_NULL_FATAL(d);
        CU_ASSERT_EQUAL(n, strlen(cases[i].out));
        CU_ASSERT_EQUAL(memcmp(d, cases[i].out, n), 0);
        free(d);
    }
}

static void t_b64_invalid(void)
{
    static const char *const bad[] = {
        "Y", "YQ=", "YQ===", "Y===", "=", "====", "YQ==YQ==", "Y Q==", "YQ==\n", "YQ\n==",
        "YR==", "YWJ=", /* non-zero unused bits */
        "ab+_", "a-b/", /* mixed alphabets */
        "YW*j", "YW.j", "YW\"j", "\xc3\xa9YWJ", "YWJj=", "YWJjZA=", NULL};
    for (int i = 0; bad[i]; i++) {
        size_t n;
        unsigned char *d = gw_b64_decode(bad[i], strlen(bad[i]), &n);
        if (d)
            CU_FAIL(bad[i]);
        free(d);
    }
}

static void t_b64_roundtrip(void)
{
    unsigned char in[256];
    for (int i = 0; i < 256; i++)
        in[i] = (unsigned char)(i * 7 + 3);
    for (size_t len = 0; len < sizeof(in); len += 17) {
        char *e = gw_b64_encode(in, len);
        CU_ASSERT_PTR_NOT_NULL_FATAL(e);
        size_t n;
        unsigned char *d = gw_b64_decode(e, strlen(e), &n);
        CU_ASSERT_PTR_NOT_NULL_FATAL(d);
        CU_ASSERT_EQUAL(n, len);
        CU_ASSERT_EQUAL(memcmp(d, in, len), 0);
        free(d);
        free(e);
    }
}

static void t_utf8_valid(void)
{
    static const struct { const char *s; int ok; } cases[] = {
        {"", 1}, {"plain", 1}, {"\xc3\xa9", 1}, {"\xe2\x82\xac", 1}, {"\xf0\x9f\x98\x80", 1},
        {"\xef\xbb\xbf", 1}, {"\xf4\x8f\xbf\xbf", 1}, {"\xed\x9f\xbf", 1},
        {"\xc3", 0},                 /* truncated */
        {"\xe2\x82", 0},
        {"\x80", 0},                 /* lone continuation */
        {"\xc0\xaf", 0},             /* overlong '/' */
        {"\xc1\xbf", 0},
        {"\xe0\x80\xaf", 0},         /* overlong */
        {"\xf0\x80\x80\xaf", 0},
        {"\xed\xa0\x80", 0},         /* UTF-16 surrogate */
        {"\xed\xbf\xbf", 0},
        {"\xf4\x90\x80\x80", 0},     /* above U+10FFFF */
        {"\xf8\x88\x80\x80\x80", 0}, /* 5-byte form */
        {"\xff", 0}, {"\xfe", 0},
        {"a\xc3(", 0},
        {NULL, 0}};
    for (int i = 0; cases[i].s; i++)
        CU_ASSERT_EQUAL(gw_utf8_valid((const unsigned char *)cases[i].s, strlen(cases[i].s)),
                        cases[i].ok);
}

static void t_utf8_prefix(void)
{
    static const struct { const char *s; size_t max, bytes; } cases[] = {
        {"abc", 2, 2}, {"abc", 3, 3}, {"abc", 10, 3}, {"abc", 0, 0},
        {"\xc3\xa9\xc3\xa9\xc3\xa9", 2, 4},
        {"a\xe2\x82\xac" "b", 2, 4},
        {"\xf0\x9f\x98\x80x", 1, 4},
        {"", 5, 0},
        {NULL, 0, 0}};
    for (int i = 0; cases[i].s; i++)
        CU_ASSERT_EQUAL(gw_utf8_prefix(cases[i].s, cases[i].max), cases[i].bytes);
}

static void t_ctl(void)
{
    CU_ASSERT_FALSE(gw_has_ctl("plain text, with: punctuation!"));
    CU_ASSERT_FALSE(gw_has_ctl("\xc3\xa9\xe2\x82\xac"));
    CU_ASSERT_FALSE(gw_has_ctl(""));
    for (int c = 1; c < 0x20; c++) {
        char s[4] = {'a', (char)c, 'b', 0};
        CU_ASSERT_TRUE(gw_has_ctl(s));
    }
    CU_ASSERT_TRUE(gw_has_ctl("a\x7f"));
}

static void t_identifiers(void)
{
    CU_ASSERT_TRUE(gw_is_identifier("users"));
    CU_ASSERT_TRUE(gw_is_identifier("_x9"));
    CU_ASSERT_TRUE(gw_is_identifier("A"));
    CU_ASSERT_FALSE(gw_is_identifier(""));
    CU_ASSERT_FALSE(gw_is_identifier("9x"));
    CU_ASSERT_FALSE(gw_is_identifier("a-b"));
    CU_ASSERT_FALSE(gw_is_identifier("a`b"));
    CU_ASSERT_FALSE(gw_is_identifier("a b"));
    CU_ASSERT_FALSE(gw_is_identifier("users;drop"));
    CU_ASSERT_FALSE(gw_is_identifier("\xc3\xa9"));
    char longid[70];
    memset(longid, 'a', 64);
    longid[64] = 0;
    CU_ASSERT_TRUE(gw_is_identifier(longid));
    longid[64] = 'a';
    longid[65] = 0;
    CU_ASSERT_FALSE(gw_is_identifier(longid));
    CU_ASSERT_TRUE(gw_is_var_name("REMOTE_USER"));
    CU_ASSERT_TRUE(gw_is_var_name("X9"));
    CU_ASSERT_FALSE(gw_is_var_name("remote_user"));
    CU_ASSERT_FALSE(gw_is_var_name("_X"));
    CU_ASSERT_FALSE(gw_is_var_name("X-Y"));
    CU_ASSERT_FALSE(gw_is_var_name(""));
}

static void t_hex_pct(void)
{
    CU_ASSERT_EQUAL(gw_hex_digit('0'), 0);
    CU_ASSERT_EQUAL(gw_hex_digit('9'), 9);
    CU_ASSERT_EQUAL(gw_hex_digit('a'), 10);
    CU_ASSERT_EQUAL(gw_hex_digit('F'), 15);
    CU_ASSERT_EQUAL(gw_hex_digit('g'), -1);
    CU_ASSERT_EQUAL(gw_hex_digit('/'), -1);
    CU_ASSERT_EQUAL(gw_hex_digit(':'), -1);
    CU_ASSERT_EQUAL(gw_hex_digit('@'), -1);
    CU_ASSERT_EQUAL(gw_hex_digit('G'), -1);
    CU_ASSERT_EQUAL(gw_hex_digit('`'), -1);
    const char *s = "a%4a%2F%00%G1%4";
    size_t n = strlen(s);
    CU_ASSERT_EQUAL(gw_pct_byte(s, 0, n), -1); /* not an escape */
    CU_ASSERT_EQUAL(gw_pct_byte(s, 1, n), 0x4a);
    CU_ASSERT_EQUAL(gw_pct_byte(s, 4, n), '/');
    CU_ASSERT_EQUAL(gw_pct_byte(s, 7, n), 0);
    CU_ASSERT_EQUAL(gw_pct_byte(s, 10, n), -1); /* not hex */
    CU_ASSERT_EQUAL(gw_pct_byte(s, 13, n), -1); /* cut short */
    CU_ASSERT_EQUAL(gw_pct_byte(s, 1, 3), -1);  /* beyond the bytes given */
    CU_ASSERT_EQUAL(gw_pct_byte(s, 1, 4), 0x4a);
}

static void t_lists(void)
{
    const char *v[] = {"staff", "ops"};
    CU_ASSERT_TRUE(gw_str_in("ops", v, 2));
    CU_ASSERT_FALSE(gw_str_in("op", v, 2));
    CU_ASSERT_FALSE(gw_str_in("ops", v, 1));
    CU_ASSERT_FALSE(gw_str_in(NULL, v, 2));
    char *w[] = {"GET", "POST"};
    gw_strlist l = {w, 2};
    CU_ASSERT_TRUE(gw_strlist_has(&l, "POST"));
    CU_ASSERT_FALSE(gw_strlist_has(&l, "post"));
    CU_ASSERT_FALSE(gw_strlist_has(NULL, "GET"));
}

static void t_b64url_into(void)
{
    char out[16];
    memset(out, '#', sizeof(out));
    CU_ASSERT_EQUAL(gw_b64url_into("\xfb\xff", 2, out), 3); /* no padding */
    CU_ASSERT_EQUAL(memcmp(out, "-_8\0#", 5), 0);
    CU_ASSERT_EQUAL(gw_b64url_into("abc", 3, out), 4);
    CU_ASSERT_EQUAL(memcmp(out, "YWJj", 4), 0);
    CU_ASSERT_EQUAL(gw_b64url_into("", 0, out), 0);
}

static void t_buf(void)
{
    gw_buf b;
    gw_buf_init(&b);
    for (int i = 0; i < 1000; i++)
        gw_buf_printf(&b, "%d,", i);
    CU_ASSERT_FALSE(b.oom);
    CU_ASSERT_EQUAL(strlen(b.data), b.len);
    CU_ASSERT_EQUAL(strncmp(b.data, "0,1,2,", 6), 0);
    gw_buf_reset(&b);
    CU_ASSERT_EQUAL(b.len, 0);
    gw_buf_puts(&b, "x");
    CU_ASSERT_STRING_EQUAL(b.data, "x");
    gw_buf_free(&b);
    char small[4];
    CU_ASSERT_STRING_EQUAL(gw_strlcpy(small, "abcdef", sizeof(small)), "abc");
}

void unit_util(void)
{
    static const unit_test tests[] = {{"base64 decodes both alphabets, padded or not", t_b64_valid},
                                      {"base64 refuses malformed input", t_b64_invalid},
                                      {"base64 round trip", t_b64_roundtrip},
                                      {"UTF-8 validation", t_utf8_valid},
                                      {"UTF-8 prefix by characters", t_utf8_prefix},
                                      {"control characters", t_ctl},
                                      {"identifiers and variable names", t_identifiers},
                                      {"growable buffer", t_buf},
                                      {"hex digits and percent escapes", t_hex_pct},
                                      {"list membership", t_lists},
                                      {"base64url into a buffer", t_b64url_into},
                                      {NULL, NULL}};
    unit_suite("util", tests);
}
