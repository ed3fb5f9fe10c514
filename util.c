/* util.c - buffer, base64, UTF-8 and parameter helpers (pure). */
#include "util.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void gw_buf_init(gw_buf *b) { memset(b, 0, sizeof(*b)); }

void gw_buf_free(gw_buf *b)
{
    free(b->data);
    gw_buf_init(b);
}

void gw_buf_reset(gw_buf *b)
{
    b->len = 0;
    b->oom = false;
    if (b->data)
        b->data[0] = '\0';
}

static bool gw_buf_reserve(gw_buf *b, size_t extra)
{
    if (b->oom)
        return false;
    if (extra > SIZE_MAX / 2 - b->len) {
        b->oom = true;
        return false;
    }
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p) {
        b->oom = true;
        return false;
    }
    b->data = p;
    b->cap = cap;
    return true;
}

void gw_buf_add(gw_buf *b, const void *p, size_t n)
{
    if (!gw_buf_reserve(b, n))
        return;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void gw_buf_puts(gw_buf *b, const char *s) { gw_buf_add(b, s, strlen(s)); }

void gw_buf_printf(gw_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !gw_buf_reserve(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* Digit values of both alphabets: 0..63, 64 for "not a digit". The
 * standard and URL-safe columns differ only for + / - _. */
static unsigned char gw_b64_std[256], gw_b64_url[256];

static void gw_b64_tables(void)
{
    static bool done;
    if (done)
        return;
    memset(gw_b64_std, 64, sizeof(gw_b64_std));
    memset(gw_b64_url, 64, sizeof(gw_b64_url));
    for (int i = 0; i < 26; i++) {
        gw_b64_std['A' + i] = gw_b64_url['A' + i] = (unsigned char)i;
        gw_b64_std['a' + i] = gw_b64_url['a' + i] = (unsigned char)(26 + i);
    }
    for (int i = 0; i < 10; i++)
        gw_b64_std['0' + i] = gw_b64_url['0' + i] = (unsigned char)(52 + i);
    gw_b64_std['+'] = 62;
    gw_b64_std['/'] = 63;
    gw_b64_url['-'] = 62;
    gw_b64_url['_'] = 63;
    done = true;
}

unsigned char *gw_b64_decode(const char *in, size_t inlen, size_t *outlen)
{
    gw_b64_tables();
    const unsigned char *s = (const unsigned char *)in;
    const unsigned char *tab = gw_b64_std;
    for (size_t i = 0; i < inlen; i++)
        if (s[i] == '-' || s[i] == '_') {
            tab = gw_b64_url;
            break;
        }
    size_t n = inlen;
    if (n % 4 == 0 && n > 0 && s[n - 1] == '=') {
        n--;
        if (s[n - 1] == '=')
            n--;
    }
    if (n % 4 == 1)
        return NULL;
    unsigned char *out = malloc(n / 4 * 3 + 3);
    if (!out)
        return NULL;
    size_t o = 0, i = 0;
    for (; i + 4 <= n; i += 4) {
        unsigned a = tab[s[i]], b = tab[s[i + 1]], c = tab[s[i + 2]], d = tab[s[i + 3]];
        if ((a | b | c | d) & 64)
            goto bad;
        uint32_t v = a << 18 | b << 12 | c << 6 | d;
        out[o++] = (unsigned char)(v >> 16);
        out[o++] = (unsigned char)(v >> 8);
        out[o++] = (unsigned char)v;
    }
    if (n - i == 2 || n - i == 3) {
        unsigned a = tab[s[i]], b = tab[s[i + 1]], c = n - i == 3 ? tab[s[i + 2]] : 0;
        if ((a | b | c) & 64)
            goto bad;
        uint32_t v = a << 18 | b << 12 | c << 6;
        out[o++] = (unsigned char)(v >> 16);
        /* unused trailing bits must be zero (one encoding per value) */
        if (n - i == 3)
            out[o++] = (unsigned char)(v >> 8);
        if ((n - i == 2 && (v & 0xFFFF)) || (n - i == 3 && (v & 0xFF)))
            goto bad;
    }
    out[o] = '\0';
    *outlen = o;
    return out;
bad:
    free(out);
    return NULL;
}

/* Encodes in[0..inlen) into out (room for (inlen + 2) / 3 * 4 + 1 bytes)
 * with the standard alphabet and padding, or the URL-safe one without;
 * returns the length written, not counting the NUL. */
static size_t b64_encode_into(const unsigned char *in, size_t inlen, char *out, bool url)
{
    const char *tab = url ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                          : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0, i = 0;
    for (; i + 2 < inlen; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o++] = tab[v >> 18];
        out[o++] = tab[(v >> 12) & 63];
        out[o++] = tab[(v >> 6) & 63];
        out[o++] = tab[v & 63];
    }
    if (i < inlen) {
        uint32_t v = (uint32_t)in[i] << 16;
        if (i + 1 < inlen)
            v |= (uint32_t)in[i + 1] << 8;
        out[o++] = tab[v >> 18];
        out[o++] = tab[(v >> 12) & 63];
        if (i + 1 < inlen)
            out[o++] = tab[(v >> 6) & 63];
        else if (!url)
            out[o++] = '=';
        if (!url)
            out[o++] = '=';
    }
    out[o] = '\0';
    return o;
}

char *gw_b64_encode(const unsigned char *in, size_t inlen)
{
    char *out = malloc((inlen + 2) / 3 * 4 + 1);
    if (out)
        b64_encode_into(in, inlen, out, false);
    return out;
}

bool gw_str_in(const char *s, const char *const *v, size_t n)
{
    for (size_t i = 0; s && i < n; i++)
        if (strcmp(v[i], s) == 0)
            return true;
    return false;
}

bool gw_strlist_has(const gw_strlist *l, const char *s)
{
    return l && gw_str_in(s, (const char *const *)l->v, l->n);
}

int gw_hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int gw_pct_byte(const char *s, size_t i, size_t n)
{
    if (s[i] != '%' || i + 2 >= n)
        return -1;
    int hi = gw_hex_digit(s[i + 1]), lo = gw_hex_digit(s[i + 2]);
    return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

size_t gw_b64url_into(const void *in, size_t inlen, char *out)
{
    return b64_encode_into(in, inlen, out, true);
}

void gw_buf_b64url(gw_buf *b, const void *in, size_t inlen)
{
    if (gw_buf_reserve(b, (inlen + 2) / 3 * 4))
        b->len += b64_encode_into(in, inlen, b->data + b->len, true);
}

bool gw_utf8_valid(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len;
        uint32_t cp, min;
        if ((c & 0xE0) == 0xC0) { len = 2; cp = c & 0x1F; min = 0x80; }
        else if ((c & 0xF0) == 0xE0) { len = 3; cp = c & 0x0F; min = 0x800; }
        else if ((c & 0xF8) == 0xF0) { len = 4; cp = c & 0x07; min = 0x10000; }
        else return false;
        if (n - i < len)
            return false;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += len;
    }
    return true;
}

size_t gw_utf8_prefix(const char *s, size_t maxchars)
{
    size_t i = 0, chars = 0;
    while (s[i] && chars < maxchars) {
        i++;
        while ((s[i] & 0xC0) == 0x80) /* continuation bytes */
            i++;
        chars++;
    }
    return i;
}

bool gw_str_same(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

bool gw_has_ctl(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7F)
            return true;
        if (p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F) /* C1: U+0080-U+009F */
            return true;
        if (p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9)) /* U+2028/9 */
            return true;
    }
    return false;
}

bool gw_has_edge_space(const char *s)
{
    size_t n = strlen(s);
    return n && (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t');
}

bool gw_is_identifier(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++) {
        char c = s[n];
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
                  (n > 0 && c >= '0' && c <= '9');
        if (!ok)
            return false;
    }
    return n >= 1 && n <= 64;
}

bool gw_is_var_name(const char *s)
{
    if (!(*s >= 'A' && *s <= 'Z'))
        return false;
    for (const char *p = s + 1; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_'))
            return false;
    return strlen(s) <= 128;
}

char *gw_strlcpy(char *dst, const char *src, size_t n)
{
    if (n == 0)
        return dst;
    size_t l = strlen(src);
    if (l >= n)
        l = n - 1;
    memcpy(dst, src, l);
    dst[l] = '\0';
    return dst;
}

size_t gw_buf_prefix_lines(gw_buf *b, const char *prefix, const char *text)
{
    size_t lines = 0;
    for (const char *l = text; l && *l; lines++) {
        size_t n = strcspn(l, "\n");
        gw_buf_printf(b, "%s: %.*s\n", prefix, (int)n, l);
        l += n + (l[n] == '\n');
    }
    return lines;
}

/* The process's hash: the digest is fetched from OpenSSL's provider and
 * its context made once, not on every hash (each fetch takes a lock and a
 * lookup; a hash is taken on every request). The programs are
 * single-threaded. */
static EVP_MD_CTX *gw_sha_ctx;
static bool gw_sha_ok;

void gw_sha256_begin(void)
{
    static EVP_MD *md;
    if (!md)
        md = EVP_MD_fetch(NULL, "SHA2-256", NULL);
    if (md && !gw_sha_ctx)
        gw_sha_ctx = EVP_MD_CTX_new();
    gw_sha_ok = md && gw_sha_ctx && EVP_DigestInit_ex2(gw_sha_ctx, md, NULL) == 1;
}

void gw_sha256_add(const void *p, size_t n)
{
    gw_sha_ok = gw_sha_ok && EVP_DigestUpdate(gw_sha_ctx, p, n) == 1;
}

bool gw_sha256_end(unsigned char hash[GW_SHA256_LEN])
{
    unsigned int len = 0;
    bool ok = gw_sha_ok && EVP_DigestFinal_ex(gw_sha_ctx, hash, &len) == 1 && len == GW_SHA256_LEN;
    gw_sha_ok = false;
    return ok;
}

bool gw_sha256(const void *p, size_t n, unsigned char hash[GW_SHA256_LEN])
{
    gw_sha256_begin();
    gw_sha256_add(p, n);
    return gw_sha256_end(hash);
}

bool gw_sha256_pair(const char *a, const char *b, unsigned char hash[GW_SHA256_LEN])
{
    gw_sha256_begin();
    gw_sha256_add(a, strlen(a) + 1); /* with its NUL: a separator */
    gw_sha256_add(b, strlen(b));
    return gw_sha256_end(hash);
}

bool gw_equal_ct(const void *a, const void *b, size_t n)
{
    return CRYPTO_memcmp(a, b, n) == 0;
}

void gw_buf_json_str(gw_buf *b, const char *s)
{
    gw_buf_add(b, "\"", 1);
    for (const char *run = s;; s++) {
        unsigned char c = (unsigned char)*s;
        if (c && c != '"' && c != '\\' && c >= 0x20)
            continue;
        gw_buf_add(b, run, (size_t)(s - run));
        if (!c)
            break;
        if (c == '"' || c == '\\')
            gw_buf_printf(b, "\\%c", c);
        else
            gw_buf_printf(b, "\\u%04x", c);
        run = s + 1;
    }
    gw_buf_add(b, "\"", 1);
}
