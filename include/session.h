/*
 * session.h - persistent session tokens and their cookies (SPEC §4).
 * A token is 32 random bytes (OpenSSL RAND_bytes) written as 43 URL-safe
 * base64 characters; the database keeps only its SHA-256.
 */
#ifndef GW_SESSION_H
#define GW_SESSION_H

#include <stdbool.h>

#include "config.h"
#include "util.h"

#define GW_TOKEN_CHARS 43

/* A new token (NUL-terminated) and its hash. False when the system's
 * random source failed: never fall back to anything weaker. */
bool gw_token_new(char token[GW_TOKEN_CHARS + 1], unsigned char hash[32]);

/* Hashes a token received in a cookie. False (no hash) when it is not
 * exactly GW_TOKEN_CHARS URL-safe base64 characters. */
bool gw_token_hash(const char *token, unsigned char hash[32]);

/* Appends "Set-Cookie: NAME=VALUE; Path=/; Max-Age=N; HttpOnly[; Secure]
 * [; SameSite=X]\r\n". max_age 0 expires the cookie. secure and same_site
 * (NULL for none) come from the caller. value must be cookie-safe. */
void gw_cookie_line(gw_buf *out, const char *name, const char *value, long max_age,
                    bool secure, const char *same_site);

#endif
