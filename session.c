/* session.c - session tokens and cookie lines. */
#include "session.h"

#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

bool gw_token_new(char token[GW_TOKEN_CHARS + 1], unsigned char hash[32])
{
    static const char tab[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    unsigned char raw[33];
    if (RAND_bytes(raw, 32) != 1)
        return false;
    raw[32] = 0;
    /* 32 bytes -> 43 characters (the last one carries 2 bits + zero pad) */
    size_t o = 0;
    for (size_t i = 0; i < 33; i += 3) {
        unsigned v = (unsigned)raw[i] << 16 | (i + 1 < 33 ? (unsigned)raw[i + 1] << 8 : 0) |
                     (i + 2 < 33 ? raw[i + 2] : 0);
        for (int k = 0; k < 4 && o < GW_TOKEN_CHARS; k++)
            token[o++] = tab[(v >> (18 - 6 * k)) & 63];
    }
    token[GW_TOKEN_CHARS] = '\0';
    bool ok = gw_sha256(token, GW_TOKEN_CHARS, hash);
    memset(raw, 0, sizeof(raw));
    return ok;
}

bool gw_token_hash(const char *token, unsigned char hash[32])
{
    size_t n = 0;
    for (; token[n]; n++) {
        char c = token[n];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_') || n >= GW_TOKEN_CHARS)
            return false;
    }
    return n == GW_TOKEN_CHARS && gw_sha256(token, n, hash);
}

bool gw_session_cookie_hash(const gw_request *rq, unsigned char hash[32])
{
    char token[GW_TOKEN_CHARS + 2];
    return gw_request_cookie(rq, GW_RQ_CK_SESSION, token, sizeof(token)) &&
           gw_token_hash(token, hash);
}

void gw_cookie_line(gw_buf *out, const char *name, const char *value, long max_age,
                    bool secure, const char *same_site)
{
    gw_buf_printf(out, "Set-Cookie: %s=%s; Path=/; Max-Age=%ld; HttpOnly%s%s%s\r\n", name, value,
                  max_age, secure ? "; Secure" : "", same_site ? "; SameSite=" : "",
                  same_site ? same_site : "");
}

/* A slot holds bytes 4..19 of the pair's digest; bytes 0..3 chose it. */
struct gw_pairs {
    unsigned char slot[GW_PAIRS_SLOTS][16];
};

gw_pairs *gw_pairs_new(void) { return calloc(1, sizeof(gw_pairs)); }
void gw_pairs_free(gw_pairs *s) { free(s); }

static bool gw_pairs_digest(const unsigned char hash[32], const char *global_id,
                            unsigned char d[32])
{
    unsigned char buf[32 + 1 + 1024]; /* a global id: 255 characters of UTF-8 */
    size_t n = strlen(global_id);
    if (n > 1024)
        return false; /* never met: then it is checked every time */
    memcpy(buf, hash, 32);
    buf[32] = 0;
    memcpy(buf + 33, global_id, n);
    return gw_sha256(buf, 33 + n, d);
}

static size_t gw_pairs_index(const unsigned char d[32])
{
    return ((size_t)d[0] << 24 | (size_t)d[1] << 16 | (size_t)d[2] << 8 | d[3]) % GW_PAIRS_SLOTS;
}

bool gw_pairs_has(const gw_pairs *s, const unsigned char hash[32], const char *global_id)
{
    unsigned char d[32];
    if (!s || !gw_pairs_digest(hash, global_id, d))
        return false;
    return memcmp(s->slot[gw_pairs_index(d)], d + 4, 16) == 0;
}

void gw_pairs_add(gw_pairs *s, const unsigned char hash[32], const char *global_id)
{
    unsigned char d[32];
    if (s && gw_pairs_digest(hash, global_id, d))
        memcpy(s->slot[gw_pairs_index(d)], d + 4, 16);
}
