/* session.c - session tokens and cookie lines. */
#include "session.h"

#include <openssl/rand.h>
#include <string.h>

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

void gw_cookie_line(gw_buf *out, const char *name, const char *value, long max_age,
                    bool secure, const char *same_site)
{
    gw_buf_printf(out, "Set-Cookie: %s=%s; Path=/; Max-Age=%ld; HttpOnly%s%s%s\r\n", name, value,
                  max_age, secure ? "; Secure" : "", same_site ? "; SameSite=" : "",
                  same_site ? same_site : "");
}
