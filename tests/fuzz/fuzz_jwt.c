/* Fuzz target: the compact JWS parser and verifier. Keys are made once per
 * run, so nothing the fuzzer writes can carry a valid signature: every input
 * must be refused, with a reason. */
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "fuzz.h"
#include "jwt.h"
#include "mint.h"
#include "util.h"

static gw_jwks *fuzz_keys(void)
{
    EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    EVP_PKEY *ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    unsigned char pub[32], pt[65];
    size_t len = sizeof(pub), ptlen = 0;
    EVP_PKEY_get_raw_public_key(ed, pub, &len);
    EVP_PKEY_get_octet_string_param(ec, OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof(pt), &ptlen);
    EVP_PKEY_free(ed);
    EVP_PKEY_free(ec);
    char *x = mint_b64u(pub, 32), *ex = mint_b64u(pt + 1, 32), *ey = mint_b64u(pt + 33, 32), doc[512];
    snprintf(doc, sizeof(doc),
             "{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"%s\",\"kid\":\"k1\"},"
             "{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"k2\",\"x\":\"%s\",\"y\":\"%s\"}]}",
             x, ex, ey);
    free(x);
    free(ex);
    free(ey);
    char *err = NULL;
    gw_jwks *k = gw_jwks_parse(doc, strlen(doc), &err);
    if (!k) {
        fprintf(stderr, "fuzz jwks: %s\n", err);
        abort();
    }
    return k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static gw_jwks *keys;
    static char *iss[] = {"https://sso.example.org/realms/main"};
    static const gw_strlist issuers = {iss, 1};
    if (!keys)
        keys = fuzz_keys();
    char *tok = fuzz_str(data, size);
    gw_jwt_policy pol = {&issuers, NULL, 60, NULL, NULL, NULL};
    const char *why = NULL;
    gw_status st = gw_jwt_verify(keys, tok, &pol, (time_t)1800000000, NULL, NULL, &why);
    FUZZ_CHECK(st == GW_E_INVALID_TOKEN && why != NULL);
    free(tok);
    return 0;
}
