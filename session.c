/* session.c - session tokens and cookie lines. */
#include "session.h"

#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

bool gw_session_token_new(char token[GW_TOKEN_CHARS + 1], unsigned char hash[GW_SHA256_LEN])
{
    unsigned char raw[GW_TOKEN_BYTES];
    if (RAND_bytes(raw, GW_TOKEN_BYTES) != 1)
        return false;
    /* 32 bytes -> 43 characters of base64url (no padding) */
    if (gw_b64url_into(raw, GW_TOKEN_BYTES, token) != GW_TOKEN_CHARS)
        return false;
    bool ok = gw_sha256(token, GW_TOKEN_CHARS, hash);
    memset(raw, 0, sizeof(raw));
    return ok;
}

bool gw_session_token_hash(const char *token, unsigned char hash[GW_SHA256_LEN])
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

bool gw_session_cookie_hash(const gw_request *rq, unsigned char hash[GW_SHA256_LEN])
{
    char token[GW_TOKEN_CHARS + 2];
    return gw_request_cookie(rq, GW_RQ_CK_SESSION, token, sizeof(token)) &&
           gw_session_token_hash(token, hash);
}

/* A slot holds bytes 4..19 of the pair's digest; bytes 0..3 chose it. */
struct gw_session_pairs {
    unsigned char slot[GW_PAIRS_SLOTS][16];
};

gw_session_pairs *gw_session_pairs_new(void)
{
    return calloc(1, sizeof(gw_session_pairs));
}
void gw_session_pairs_free(gw_session_pairs *s)
{
    free(s);
}

static bool gw_pairs_digest(const unsigned char hash[GW_SHA256_LEN], const char *global_id,
                            unsigned char d[GW_SHA256_LEN])
{
    unsigned char buf[GW_SHA256_LEN + 1 + 1024]; /* a global id: 255 characters of UTF-8 */
    size_t n = strlen(global_id);
    if (n > 1024)
        return false; /* never met: then it is checked every time */
    memcpy(buf, hash, GW_SHA256_LEN);
    buf[GW_SHA256_LEN] = 0;
    memcpy(buf + 33, global_id, n);
    return gw_sha256(buf, 33 + n, d);
}

static size_t gw_pairs_index(const unsigned char d[GW_SHA256_LEN])
{
    return ((size_t)d[0] << 24 | (size_t)d[1] << 16 | (size_t)d[2] << 8 | d[3]) % GW_PAIRS_SLOTS;
}

bool gw_session_pairs_has(const gw_session_pairs *s, const unsigned char hash[GW_SHA256_LEN],
                          const char *global_id)
{
    unsigned char d[GW_SHA256_LEN];
    if (!s || !gw_pairs_digest(hash, global_id, d))
        return false;
    return memcmp(s->slot[gw_pairs_index(d)], d + 4, 16) == 0;
}

void gw_session_pairs_add(gw_session_pairs *s, const unsigned char hash[GW_SHA256_LEN],
                          const char *global_id)
{
    unsigned char d[GW_SHA256_LEN];
    if (s && gw_pairs_digest(hash, global_id, d))
        memcpy(s->slot[gw_pairs_index(d)], d + 4, 16);
}
