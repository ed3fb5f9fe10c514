/*
 * assertion.h - the identity assertion gwauth signs for the applications
 * behind it (a compact JWS, RFC 7515 and 7519), and the key set it
 * publishes so that they can verify it (RFC 7517). Pure: keys come in as
 * PEM text, tokens and JWKS documents go out; OpenSSL libcrypto does the
 * cryptography.
 *
 * Keys: EC P-256 (ES256), Ed25519 (EdDSA) and RSA of at least 2048 bits
 * (RS256). A key's "kid" is its RFC 7638 thumbprint (base64url of the
 * SHA-256 of its required public members), so the same key has the same
 * kid on every host and no name to keep in step.
 */
#ifndef GW_ASSERTION_H
#define GW_ASSERTION_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "gwauth.h"
#include "util.h"

#define GW_KID_LEN 43 /* base64url of a SHA-256 */

typedef struct gw_signkey gw_signkey;

/* A key from PEM text: a private key (PKCS#8 or the traditional form, not
 * encrypted), or a public key (SubjectPublicKeyInfo), which is published
 * but never signs. NULL with *why (static text) when the text holds no
 * key, an encrypted one, or a type, curve or size gwauth refuses. */
gw_signkey *gw_signkey_parse(const char *pem, size_t len, const char **why);
void gw_signkey_free(gw_signkey *k);
const char *gw_signkey_alg(const gw_signkey *k); /* "ES256", "EdDSA", "RS256" */
const char *gw_signkey_kid(const gw_signkey *k);
bool gw_signkey_private(const gw_signkey *k);

/* A set of keys: every one is published; the private key added last
 * signs. */
typedef struct gw_keyset gw_keyset;

gw_keyset *gw_keyset_new(void);
void gw_keyset_free(gw_keyset *s);
/* Takes k (also on failure). A key already in the set (same kid) is
 * dropped, except that a private key replaces its public half. False
 * when out of memory. */
bool gw_keyset_add(gw_keyset *s, gw_signkey *k);
size_t gw_keyset_count(const gw_keyset *s);
const gw_signkey *gw_keyset_signer(const gw_keyset *s); /* NULL: none can sign */

/* The public keys as a JWKS document ({"keys": [...]}, each with kty,
 * its public members, "use": "sig", "alg" and "kid"); malloc'd, NULL when
 * out of memory. */
char *gw_keyset_jwks(const gw_keyset *s);

/* What an assertion says about one subject besides the time and the
 * audience: built once per identity (and cached with it). */
typedef struct {
    const char *sub;          /* users.global_id */
    const char *uid;          /* users.id, decimal */
    const char *const *names; /* claim names, with values[i]; NULL values skipped */
    const char *const *values;
    size_t n;
    const char *const *groups; /* with_groups: the user's groups */
    size_t ngroups;
    bool with_groups;
} gw_assertion_subject;

/* Appends the subject's claims to b as JSON object members without the
 * braces ("sub":"...","gwauth_uid":12,...). GW_E_INTERNAL when a value is
 * not well-formed UTF-8, or out of memory. */
gw_status gw_assertion_body(gw_buf *b, const gw_assertion_subject *s);

/* Appends a compact JWS signed by k to out: header {"alg","typ":"JWT",
 * "kid"}, payload {"iss", "aud", "iat": now, "exp": now + ttl, "jti" (16
 * random bytes), then body}. GW_E_INTERNAL when the library fails. */
gw_status gw_assertion_sign(const gw_signkey *k, const char *iss, const char *aud,
                            const char *body, time_t now, long ttl, gw_buf *out);

#endif
