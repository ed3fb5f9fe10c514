/*
 * util.h - small pure helpers: a growable buffer, base64, UTF-8, and
 * lookups in a FastCGI parameter array ("NAME=value" strings).
 * No I/O here.
 */
#ifndef GW_UTIL_H
#define GW_UTIL_H

#include <stdbool.h>
#include <stddef.h>

/* A growable byte buffer, always NUL-terminated once anything was added.
 * After an allocation failure 'oom' is set and further appends do nothing,
 * so callers check once at the end. */
typedef struct {
    char *data;
    size_t len;
    size_t cap;
    bool oom;
} gw_buf;

void gw_buf_init(gw_buf *b);
void gw_buf_free(gw_buf *b);
void gw_buf_reset(gw_buf *b);              /* len = 0, keeps the memory */
void gw_buf_add(gw_buf *b, const void *p, size_t n);
void gw_buf_puts(gw_buf *b, const char *s);
void gw_buf_printf(gw_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Appends each line of text to b as "prefix: line\n"; returns how many. */
size_t gw_buf_prefix_lines(gw_buf *b, const char *prefix, const char *text);

/* Decodes base64 (standard '+/' or URL-safe '-_' alphabet, not mixed;
 * '=' padding optional but correct when present; no whitespace; unused
 * trailing bits must be zero). Returns a malloc'd, NUL-terminated buffer
 * and its length in *outlen, or NULL on invalid input or no memory. */
unsigned char *gw_b64_decode(const char *in, size_t inlen, size_t *outlen);

/* Encodes with the standard alphabet and padding; malloc'd string or NULL. */
char *gw_b64_encode(const unsigned char *in, size_t inlen);

/* Appends in[0..inlen) to b as base64url without padding (RFC 7515 §2). */
void gw_buf_b64url(gw_buf *b, const void *in, size_t inlen);
/* The same into out, which has room for 4 * ((inlen + 2) / 3) + 1 bytes,
 * NUL-terminated. Returns the characters written (without the NUL). */
size_t gw_b64url_into(const void *in, size_t inlen, char *out);

/* Appends s to b as a JSON string, quotes included: '"', '\\' and
 * control characters escaped, other bytes as they are (s must be UTF-8). */
void gw_buf_json_str(gw_buf *b, const char *s);

/* True when s[0..n) is well-formed UTF-8 (no overlong forms, no
 * surrogates, nothing above U+10FFFF). */
bool gw_utf8_valid(const unsigned char *s, size_t n);

/* Byte length of the longest prefix of the well-formed UTF-8 string s
 * that holds at most maxchars characters. */
size_t gw_utf8_prefix(const char *s, size_t maxchars);

/* True when s holds a control character: a byte below 0x20 or 0x7F, a C1
 * control (U+0080-U+009F, in UTF-8) or a line or paragraph separator
 * (U+2028, U+2029): nothing that could split or disguise a header line
 * or a log line. */
bool gw_has_ctl(const char *s);

/* Both strings set and equal (a NULL, as an SQL NULL, equals nothing). */
bool gw_str_same(const char *a, const char *b);

/* A list of strings (owned by whoever made it). */
typedef struct {
    char **v;
    size_t n;
} gw_strlist;

/* Whether s is one of v[0..n) (strcmp), or of list l (NULL: empty). */
bool gw_str_in(const char *s, const char *const *v, size_t n);
bool gw_strlist_has(const gw_strlist *l, const char *s);

/* The value of hex digit c (either case), or -1. */
int gw_hex_digit(char c);
/* The byte of the percent escape at s[i] ("%4A"), of a string of n
 * bytes; -1 when s[i] is not '%' or no two hex digits follow. */
int gw_pct_byte(const char *s, size_t i, size_t n);

/* True when s starts or ends with a space or a tab (which the web servers
 * strip from Variable- values, so " admin" would reach the application
 * as "admin"). */
bool gw_has_edge_space(const char *s);

/* True for a plain identifier [A-Za-z_][A-Za-z0-9_]{0,63}. */
bool gw_is_identifier(const char *s);
/* True for an environment variable name [A-Z][A-Z0-9_]*. */
bool gw_is_var_name(const char *s);

#define GW_SHA256_LEN 32

/* SHA-256 of p[0..n) (OpenSSL). False only when the library fails. */
bool gw_sha256(const void *p, size_t n, unsigned char hash[GW_SHA256_LEN]);
/* SHA-256 in parts: gw_sha256_begin, any number of gw_sha256_add, then
 * gw_sha256_end, which is false when the library failed at any step. The
 * process has one such hash at a time (the digest and its context are
 * made once, not per hash); gw_sha256 and gw_sha256_pair use it too, so
 * neither may be called between begin and end. */
void gw_sha256_begin(void);
void gw_sha256_add(const void *p, size_t n);
bool gw_sha256_end(unsigned char hash[GW_SHA256_LEN]);
/* SHA-256 of a, a NUL, then b: a key for a pair (an issuer and its jti
 * or sid) that no other pair shares. */
bool gw_sha256_pair(const char *a, const char *b, unsigned char hash[GW_SHA256_LEN]);

/* Compares a and b in time that depends on n only. True when equal. */
bool gw_equal_ct(const void *a, const void *b, size_t n);

/* Copies at most n-1 bytes of src to dst, always terminating; returns dst. */
char *gw_strlcpy(char *dst, const char *src, size_t n);

#endif
