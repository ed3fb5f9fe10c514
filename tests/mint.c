/* mint.c - keys' public JWKs and signed tokens, for the tests and the
 * benchmark (see mint.h). Made with libcrypto, like the verifier, but
 * sharing no code with it. */
#include "mint.h"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/rsa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

char *mint_b64u(const void *p, size_t n)
{
    char *s = gw_b64_encode(p, n);
    size_t k = 0;
    for (size_t i = 0; s[i]; i++) {
        char c = s[i] == '+' ? '-' : s[i] == '/' ? '_' : s[i];
        if (c != '=')
            s[k++] = c;
    }
    s[k] = '\0';
    return s;
}

static char *bn_b64u(const EVP_PKEY *k, const char *name)
{
    BIGNUM *bn = NULL;
    EVP_PKEY_get_bn_param(k, name, &bn);
    unsigned char buf[1024];
    int n = BN_bn2bin(bn, buf);
    BN_free(bn);
    return mint_b64u(buf, (size_t)n);
}

char *mint_jwk(EVP_PKEY *k, const char *kid)
{
    char *out = malloc(4096), kidpart[200] = "";
    if (kid)
        snprintf(kidpart, sizeof(kidpart), ",\"kid\":\"%s\"", kid);
    if (EVP_PKEY_is_a(k, "RSA")) {
        char *n = bn_b64u(k, OSSL_PKEY_PARAM_RSA_N), *e = bn_b64u(k, OSSL_PKEY_PARAM_RSA_E);
        snprintf(out, 4096, "{\"kty\":\"RSA\",\"n\":\"%s\",\"e\":\"%s\"%s}", n, e, kidpart);
        free(n);
        free(e);
    } else if (EVP_PKEY_is_a(k, "EC")) {
        unsigned char pub[65];
        size_t len = 0;
        EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof(pub), &len);
        char *x = mint_b64u(pub + 1, 32), *y = mint_b64u(pub + 33, 32);
        snprintf(out, 4096, "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"%s\",\"y\":\"%s\"%s}", x, y, kidpart);
        free(x);
        free(y);
    } else {
        unsigned char pub[32];
        size_t len = sizeof(pub);
        EVP_PKEY_get_raw_public_key(k, pub, &len);
        char *x = mint_b64u(pub, 32);
        snprintf(out, 4096, "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"%s\"%s}", x, kidpart);
        free(x);
    }
    return out;
}

char *mint_sign(EVP_PKEY *k, const char *alg, const char *header, const char *payload)
{
    char *h = mint_b64u(header, strlen(header)), *p = mint_b64u(payload, strlen(payload));
    size_t inlen = strlen(h) + 1 + strlen(p);
    char *in = malloc(inlen + 1);
    sprintf(in, "%s.%s", h, p);
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    unsigned char sig[1024];
    size_t sl = sizeof(sig);
    if (strcmp(alg, "EdDSA") == 0) {
        EVP_DigestSignInit(m, NULL, NULL, NULL, k);
        EVP_DigestSign(m, sig, &sl, (unsigned char *)in, inlen);
    } else {
        EVP_DigestSignInit(m, &pctx, EVP_sha256(), NULL, k);
        if (strcmp(alg, "PS256") == 0) {
            EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
            EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST);
        }
        EVP_DigestSign(m, sig, &sl, (unsigned char *)in, inlen);
        if (strcmp(alg, "ES256") == 0) { /* DER -> raw r||s */
            const unsigned char *q = sig;
            ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &q, (long)sl);
            BN_bn2binpad(ECDSA_SIG_get0_r(es), sig, 32);
            BN_bn2binpad(ECDSA_SIG_get0_s(es), sig + 32, 32);
            sl = 64;
            ECDSA_SIG_free(es);
        }
    }
    EVP_MD_CTX_free(m);
    char *s = mint_b64u(sig, sl);
    char *tok = malloc(inlen + strlen(s) + 2);
    sprintf(tok, "%s.%s", in, s);
    free(h);
    free(p);
    free(in);
    free(s);
    return tok;
}

