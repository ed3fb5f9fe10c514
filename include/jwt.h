/*
 * jwt.h - verification of the gateway's signed ID token (compact JWS)
 * against a JWKS, with OpenSSL libcrypto; no cryptography of our own.
 *
 * Accepted: RS256, PS256 (RSA keys of at least 2048 bits), ES256 (P-256,
 * raw r||s signature), EdDSA (Ed25519). Refused: "none", every HMAC
 * algorithm, an "alg" that does not fit the key's type, and headers that
 * carry "crit", "jku", "x5u", "x5c" or an embedded "jwk". The key is the
 * one whose "kid" matches, or, when the token names none, the only key of
 * the right type. Claims: "exp" required, "nbf" and "iat" honoured, all
 * with the leeway; "iss" must be listed; "aud" (string or array) must
 * meet the audiences when some are set; "sub" must equal the expected id.
 */
#ifndef GW_JWT_H
#define GW_JWT_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <time.h>

#include "config.h"
#include "gwauth.h"

typedef struct gw_jwks gw_jwks;

/* Parses a JWKS document ({"keys": [...]}), as identity providers
 * publish it. Keys for encryption ("use" other than "sig"), for an
 * algorithm other than the four above, or of another type or curve are
 * skipped. On success returns the keys (free with gw_jwks_free); on
 * failure NULL and *errors (malloc'd) names every refused key
 * ("keys[1]: holds private key material"). A document with no usable
 * key is refused. */
gw_jwks *gw_jwks_parse(const char *json, size_t len, char **errors);
void gw_jwks_free(gw_jwks *k);
size_t gw_jwks_count(const gw_jwks *k);   /* keys kept */
size_t gw_jwks_skipped(const gw_jwks *k); /* keys skipped */

typedef struct {
    const gw_strlist *issuers;   /* required: one must equal "iss" */
    const gw_strlist *audiences; /* when n > 0: "aud" must name one; with
                                    several audiences "azp" must be there,
                                    and any "azp" must be one of them */
    long leeway_seconds;
    const char *subject;         /* when not NULL: the subject claim must equal it */
    const char *subject_claim;   /* that claim's name; NULL means "sub" */
    const char *typ;             /* the "typ" header accepted besides absent
                                    and "JWT" (case-blind); NULL: an ID token,
                                    which also never carries "events" */
} gw_jwt_policy;

/* Verifies token at time now. GW_OK: the signature is valid and the claims
 * meet the policy; *exp (when not NULL) gets the token's "exp" and
 * *claims (when not NULL) the verified payload, for the caller to free.
 * Otherwise GW_E_INVALID_TOKEN with *why a static reason for the log;
 * gw_jwt_no_key when no key of the set fits the token (an unknown kid:
 * the caller may look at its key file again). */
gw_status gw_jwt_verify(const gw_jwks *keys, const char *token, const gw_jwt_policy *policy,
                        time_t now, time_t *exp, cJSON **claims, const char **why);
extern const char gw_jwt_no_key[];

/* Issuers with their own keys and audiences (identity.jwt's realms). */
typedef struct {
    const gw_strlist *issuers;
    const gw_strlist *audiences;
    const gw_jwks *keys;
} gw_jwt_trust;

/* Same as gw_jwt_verify against the realm whose issuers list the token's
 * "iss" (read before the signature only to choose the keys): policy's
 * issuers and audiences are replaced by that realm's. */
gw_status gw_jwt_verify_in(const gw_jwt_trust *realms, size_t n, const char *token,
                           const gw_jwt_policy *policy, time_t now, time_t *exp, cJSON **claims,
                           const char **why);

/* OpenID Connect Back-Channel Logout 1.0 (§2.4, §2.6): a logout token,
 * verified like an ID token of policy (without its subject; typ absent,
 * "JWT" or "logout+jwt"), then: "iat" present and not older than max_age
 * seconds (plus the leeway), "jti" present, "events" naming the
 * back-channel-logout event with an object, "sub" or "sid" (or both),
 * each at most 255 bytes, and no "nonce". GW_OK fills lt (free it with
 * gw_logout_token_free); else GW_E_INVALID_TOKEN with *why. */
typedef struct {
    char *iss, *sub, *sid, *jti; /* sub or sid may be NULL */
    long iat, exp;
} gw_logout_token;
gw_status gw_logout_token_verify(const gw_jwt_trust *realms, size_t n, const char *token,
                                 const gw_jwt_policy *policy, time_t now, long max_age,
                                 gw_logout_token *lt, const char **why);
void gw_logout_token_free(gw_logout_token *lt);

#endif
