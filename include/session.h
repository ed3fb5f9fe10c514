/*
 * session.h - persistent session tokens and their cookies (README "Sessions" and "Logout").
 * A token is 32 random bytes (OpenSSL RAND_bytes) written as 43 URL-safe
 * base64 characters; the database keeps only its SHA-256.
 */
#ifndef GW_SESSION_H
#define GW_SESSION_H

#include <stdbool.h>

#include "config.h"
#include "request.h"
#include "util.h"

#define GW_TOKEN_CHARS 43

/* A new token (NUL-terminated) and its hash. False when the system's
 * random source failed: never fall back to anything weaker. */
bool gw_token_new(char token[GW_TOKEN_CHARS + 1], unsigned char hash[32]);

/* Hashes a token received in a cookie. False (no hash) when it is not
 * exactly GW_TOKEN_CHARS URL-safe base64 characters. */
bool gw_token_hash(const char *token, unsigned char hash[32]);

/* The hash of the session token in the request's session cookie, when
 * sessions are on and it holds a well-formed one. */
bool gw_session_cookie_hash(const gw_request *rq, unsigned char hash[32]);

/* Appends "Set-Cookie: NAME=VALUE; Path=/; Max-Age=N; HttpOnly[; Secure]
 * [; SameSite=X]\r\n". max_age 0 expires the cookie. secure and same_site
 * (NULL for none) come from the caller. value must be cookie-safe. */
void gw_cookie_line(gw_buf *out, const char *name, const char *value, long max_age,
                    bool secure, const char *same_site);

/* Pairs (session token hash, global id) already checked for a user
 * switch, so that a header that comes with a cookie costs the database
 * once per pair and process, not on every request. The answer never
 * changes: a token is random and its row names one user for good; once
 * deleted it never comes back. A fixed table of GW_PAIRS_SLOTS digests,
 * newer pairs overwriting older ones (a forgotten pair is checked again).
 * Pure. */
#define GW_PAIRS_SLOTS 4096
typedef struct gw_pairs gw_pairs;
gw_pairs *gw_pairs_new(void); /* NULL when out of memory */
void gw_pairs_free(gw_pairs *s);
bool gw_pairs_has(const gw_pairs *s, const unsigned char hash[32], const char *global_id);
void gw_pairs_add(gw_pairs *s, const unsigned char hash[32], const char *global_id);

#endif
