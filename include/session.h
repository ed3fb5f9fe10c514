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

#define GW_TOKEN_BYTES 32 /* random bytes of a session token */
#define GW_TOKEN_CHARS 43 /* their base64url characters */

/* A new token (NUL-terminated) and its hash. False when the system's
 * random source failed: never fall back to anything weaker. */
bool gw_session_token_new(char token[GW_TOKEN_CHARS + 1], unsigned char hash[GW_SHA256_LEN]);

/* Hashes a token received in a cookie. False (no hash) when it is not
 * exactly GW_TOKEN_CHARS URL-safe base64 characters. */
bool gw_session_token_hash(const char *token, unsigned char hash[GW_SHA256_LEN]);

/* The hash of the session token in the request's session cookie, when
 * sessions are on and it holds a well-formed one. */
bool gw_session_cookie_hash(const gw_request *rq, unsigned char hash[GW_SHA256_LEN]);

/* Pairs (session token hash, global id) already checked for a user
 * switch, so that a header that comes with a cookie costs the database
 * once per pair and process, not on every request. The answer never
 * changes: a token is random and its row names one user for good; once
 * deleted it never comes back. A fixed table of GW_PAIRS_SLOTS digests,
 * newer pairs overwriting older ones (a forgotten pair is checked again).
 * Pure. */
#define GW_PAIRS_SLOTS 4096
typedef struct gw_session_pairs gw_session_pairs;
gw_session_pairs *gw_session_pairs_new(void); /* NULL when out of memory */
void gw_session_pairs_free(gw_session_pairs *s);
bool gw_session_pairs_has(const gw_session_pairs *s, const unsigned char hash[GW_SHA256_LEN],
                          const char *global_id);
void gw_session_pairs_add(gw_session_pairs *s, const unsigned char hash[GW_SHA256_LEN],
                          const char *global_id);

#endif
