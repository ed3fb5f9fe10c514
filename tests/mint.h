/* mint.h - what a gateway would do: public JWKs of keys, and compact JWS
 * tokens signed with them (RS256, PS256, ES256 as raw r||s, EdDSA). For
 * tests and the benchmark only; every result is malloc'd. */
#ifndef GW_TESTS_MINT_H
#define GW_TESTS_MINT_H

#include <openssl/evp.h>
#include <stddef.h>

/* base64url without padding */
char *mint_b64u(const void *p, size_t n);
/* The public JWK of k ({"kty":...}), with "kid" when kid is not NULL. */
char *mint_jwk(EVP_PKEY *k, const char *kid);
/* header and payload (JSON texts) signed with k as alg. */
char *mint_sign(EVP_PKEY *k, const char *alg, const char *header, const char *payload);

#endif
