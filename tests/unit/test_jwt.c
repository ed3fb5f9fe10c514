/* jwt.c: keys and tokens made here with libcrypto; each algorithm, each
 * refusal, the leeway boundary. */
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jwt.h"
#include "unit.h"
#include "util.h"

#define NOW 1800000000L

/* base64url without padding */
static char *b64u(const void *p, size_t n)
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
    return b64u(buf, (size_t)n);
}

/* The public JWK of k, with kid (may be NULL). */
static char *jwk_of(EVP_PKEY *k, const char *kid)
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
        char *x = b64u(pub + 1, 32), *y = b64u(pub + 33, 32);
        snprintf(out, 4096, "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"%s\",\"y\":\"%s\"%s}", x, y, kidpart);
        free(x);
        free(y);
    } else {
        unsigned char pub[32];
        size_t len = sizeof(pub);
        EVP_PKEY_get_raw_public_key(k, pub, &len);
        char *x = b64u(pub, 32);
        snprintf(out, 4096, "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"%s\"%s}", x, kidpart);
        free(x);
    }
    return out;
}

/* A token: header and payload JSON, signed with k as alg. */
static char *sign(EVP_PKEY *k, const char *alg, const char *header, const char *payload)
{
    char *h = b64u(header, strlen(header)), *p = b64u(payload, strlen(payload));
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
    char *s = b64u(sig, sl);
    char *tok = malloc(inlen + strlen(s) + 2);
    sprintf(tok, "%s.%s", in, s);
    free(h);
    free(p);
    free(in);
    free(s);
    return tok;
}

static EVP_PKEY *rsa, *rsa2, *ec, *ed;
static gw_jwks *keys;
static char *const iss_v[] = {"https://sso.example.org/realms/main"};
static char *const aud_v[] = {"my-client"};
static const gw_strlist issuers = {(char **)iss_v, 1}, audiences = {(char **)aud_v, 1};

static char *payload(long exp, const char *extra)
{
    char *p = malloc(512);
    snprintf(p, 512, "{\"iss\":\"https://sso.example.org/realms/main\",\"aud\":\"my-client\","
                     "\"sub\":\"alice\",\"exp\":%ld%s}", exp, extra ? extra : "");
    return p;
}

static gw_status verify(const char *tok, long now, const char *subject, const char **why)
{
    gw_jwt_policy pol = {&issuers, &audiences, 60, subject};
    return gw_jwt_verify(keys, tok, &pol, (time_t)now, NULL, why);
}

static void setup_keys(void)
{
    if (keys)
        return;
    rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    rsa2 = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    char *j1 = jwk_of(rsa, "rsa-1"), *j2 = jwk_of(ec, "ec-1"), *j3 = jwk_of(ed, "ed-1");
    char doc[16384];
    snprintf(doc, sizeof(doc), "{\"keys\":[%s,%s,%s]}", j1, j2, j3);
    char *err = NULL;
    keys = gw_jwks_parse(doc, strlen(doc), &err);
    if (!keys)
        fprintf(stderr, "jwks: %s\n", err);
    free(err);
    free(j1);
    free(j2);
    free(j3);
}

static void t_algorithms(void)
{
    setup_keys();
    CU_ASSERT_PTR_NOT_NULL_FATAL(keys);
    CU_ASSERT_EQUAL(gw_jwks_count(keys), 3);
    struct { EVP_PKEY *k; const char *alg, *kid; } cases[] = {
        {rsa, "RS256", "rsa-1"}, {rsa, "PS256", "rsa-1"}, {ec, "ES256", "ec-1"}, {ed, "EdDSA", "ed-1"},
        {rsa, "RS256", NULL}, {ec, "ES256", NULL}, {ed, "EdDSA", NULL}, /* the only key of its type */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char hdr[128];
        if (cases[i].kid)
            snprintf(hdr, sizeof(hdr), "{\"alg\":\"%s\",\"typ\":\"JWT\",\"kid\":\"%s\"}", cases[i].alg, cases[i].kid);
        else
            snprintf(hdr, sizeof(hdr), "{\"alg\":\"%s\"}", cases[i].alg);
        char *p = payload(NOW + 300, ",\"iat\":1799999990,\"nbf\":1799999990");
        char *tok = sign(cases[i].k, cases[i].alg, hdr, p);
        const char *why = NULL;
        time_t exp = 0;
        gw_jwt_policy pol = {&issuers, &audiences, 60, "alice"};
        gw_status st = gw_jwt_verify(keys, tok, &pol, NOW, &exp, &why);
        if (st != GW_OK)
            fprintf(stderr, "\n  %s kid %s: %s\n", cases[i].alg, cases[i].kid ? cases[i].kid : "-", why);
        CU_ASSERT_EQUAL(st, GW_OK);
        CU_ASSERT_EQUAL(exp, NOW + 300);
        /* one flipped bit anywhere in the signature: refused */
        char *last = tok + strlen(tok) - 2;
        *last = *last == 'A' ? 'B' : 'A';
        CU_ASSERT_EQUAL(verify(tok, NOW, "alice", &why), GW_E_UNAUTHENTICATED);
        free(tok);
        free(p);
    }
}

static void t_refusals(void)
{
    setup_keys();
    CU_ASSERT_PTR_NOT_NULL_FATAL(keys);
    char *good = payload(NOW + 300, NULL);
    struct { EVP_PKEY *k; const char *alg, *hdr; const char *pay; long now; const char *sub; const char *why; } cases[] = {
        {rsa2, "RS256", "{\"alg\":\"RS256\",\"kid\":\"rsa-1\"}", good, NOW, "alice", "bad signature"}, /* a key not in the JWKS */
        {rsa2, "RS256", "{\"alg\":\"RS256\"}", good, NOW, "alice", "bad signature"},
        {rsa, "RS256", "{\"alg\":\"none\",\"kid\":\"rsa-1\"}", good, NOW, "alice", "algorithm not accepted"},
        {rsa, "RS256", "{\"alg\":\"HS256\",\"kid\":\"rsa-1\"}", good, NOW, "alice", "algorithm not accepted"},
        {rsa, "RS256", "{\"alg\":\"RS512\",\"kid\":\"rsa-1\"}", good, NOW, "alice", "algorithm not accepted"},
        {rsa, "RS256", "{\"alg\":\"ES256\",\"kid\":\"rsa-1\"}", good, NOW, "alice", "no key fits the token"}, /* alg vs key type */
        {ec, "ES256", "{\"alg\":\"ES256\",\"kid\":\"rsa-1\"}", good, NOW, "alice", "no key fits the token"},
        {rsa, "RS256", "{\"alg\":\"RS256\",\"kid\":\"nope\"}", good, NOW, "alice", "no key fits the token"},
        {rsa, "RS256", "{\"alg\":\"RS256\",\"kid\":\"rsa-1\",\"crit\":[\"exp\"]}", good, NOW, "alice", "header names"},
        {rsa, "RS256", "{\"alg\":\"RS256\",\"jku\":\"https://evil.example/k\"}", good, NOW, "alice", "header names"},
        {rsa, "RS256", "{\"alg\":\"RS256\",\"x5u\":\"https://evil.example/c\"}", good, NOW, "alice", "header names"},
        {rsa, "RS256", "{\"alg\":\"RS256\",\"jwk\":{\"kty\":\"RSA\"}}", good, NOW, "alice", "header names"},
        {rsa, "RS256", "{\"alg\":\"RS256\",\"kid\":\"rsa-1\",\"alg\":\"none\"}", good, NOW, "alice", "undecodable"},
        {rsa, "RS256", "{\"alg\":\"RS256\"}", "{\"iss\":\"https://sso.example.org/realms/main\",\"aud\":\"my-client\",\"sub\":\"alice\"}", NOW, "alice", "no exp"},
        {rsa, "RS256", "{\"alg\":\"RS256\"}", good, NOW + 300 + 61, "alice", "expired"},
        {rsa, "RS256", "{\"alg\":\"RS256\"}", "{\"iss\":\"https://sso.example.org/realms/main\",\"aud\":\"my-client\",\"sub\":\"alice\",\"exp\":1800000300,\"nbf\":1800000061}", NOW, "alice", "nbf"},
        {rsa, "RS256", "{\"alg\":\"RS256\"}", "{\"iss\":\"https://sso.example.org/realms/main\",\"aud\":\"my-client\",\"sub\":\"alice\",\"exp\":1800000300,\"iat\":1800000061}", NOW, "alice", "iat"},
        {rsa, "RS256", "{\"alg\":\"RS256\"}", "{\"iss\":\"https://evil.example/\",\"aud\":\"my-client\",\"sub\":\"alice\",\"exp\":1800000300}", NOW, "alice", "issuer"},
        {rsa, "RS256", "{\"alg\":\"RS256\"}", "{\"iss\":\"https://sso.example.org/realms/main\",\"aud\":\"other\",\"sub\":\"alice\",\"exp\":1800000300}", NOW, "alice", "audience"},
        {rsa, "RS256", "{\"alg\":\"RS256\"}", "{\"iss\":\"https://sso.example.org/realms/main\",\"aud\":[\"a\",\"b\"],\"sub\":\"alice\",\"exp\":1800000300}", NOW, "alice", "audience"},
        {rsa, "RS256", "{\"alg\":\"RS256\"}", good, NOW, "bob", "subject"},
        {rsa, "RS256", "{\"alg\":\"RS256\"}", "{\"iss\":\"https://sso.example.org/realms/main\",\"aud\":\"my-client\",\"sub\":\"alice\",\"exp\":\"1800000300\"}", NOW, "alice", "no exp"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *tok = sign(cases[i].k, cases[i].alg, cases[i].hdr, cases[i].pay);
        const char *why = NULL;
        gw_status st = verify(tok, cases[i].now, cases[i].sub, &why);
        if (st == GW_OK || !why || !strstr(why, cases[i].why)) {
            fprintf(stderr, "\n  case %zu: %s (want %s)\n", i, st == GW_OK ? "accepted" : why, cases[i].why);
            CU_FAIL("refusal");
        }
        free(tok);
    }
    /* the leeway boundary: exp + 60 is still fine, a second later is not */
    char *tok = sign(rsa, "RS256", "{\"alg\":\"RS256\"}", good);
    CU_ASSERT_EQUAL(verify(tok, NOW + 300 + 60, "alice", NULL), GW_OK);
    CU_ASSERT_EQUAL(verify(tok, NOW + 300 + 61, "alice", NULL), GW_E_UNAUTHENTICATED);
    /* an audience array with one accepted value is fine */
    char *aud = "{\"iss\":\"https://sso.example.org/realms/main\",\"aud\":[\"x\",\"my-client\"],\"sub\":\"alice\",\"exp\":1800000300}";
    char *tok2 = sign(rsa, "RS256", "{\"alg\":\"RS256\"}", aud);
    CU_ASSERT_EQUAL(verify(tok2, NOW, "alice", NULL), GW_OK);
    /* shapes: too few or too many parts, padding, a tampered payload */
    CU_ASSERT_EQUAL(verify("a.b", NOW, NULL, NULL), GW_E_UNAUTHENTICATED);
    CU_ASSERT_EQUAL(verify("a.b.c.d", NOW, NULL, NULL), GW_E_UNAUTHENTICATED);
    CU_ASSERT_EQUAL(verify("", NOW, NULL, NULL), GW_E_UNAUTHENTICATED);
    char *pad = malloc(strlen(tok) + 2);
    sprintf(pad, "%s=", tok);
    CU_ASSERT_EQUAL(verify(pad, NOW, "alice", NULL), GW_E_UNAUTHENTICATED);
    char *dot1 = strchr(tok2, '.');
    dot1[1] = dot1[1] == 'e' ? 'f' : 'e';
    CU_ASSERT_EQUAL(verify(tok2, NOW, "alice", NULL), GW_E_UNAUTHENTICATED);
    free(pad);
    free(tok);
    free(tok2);
    free(good);
}

static void t_jwks(void)
{
    setup_keys();
    EVP_PKEY *small = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
    char *js = jwk_of(small, "small"), *jr = jwk_of(rsa, "r");
    char doc[8192];
    char *err = NULL;
    static const struct { const char *doc, *msg; } bad[] = {
        {"{}", "expected a JSON object with a \"keys\" array"},
        {"{\"keys\":[]}", "no usable key"},
        {"{\"keys\":[{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}]}", "keys[0]: holds private key material"},
        {"{\"keys\":[{\"kty\":\"oct\"}]}", "keys[0]: unsupported kty"},
        {"{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-384\",\"x\":\"AA\",\"y\":\"AA\"}]}", "keys[0]: EC key not on P-256"},
        {"{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\",\"y\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}]}", "keys[0]: invalid P-256 key"},
        {"{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"X25519\",\"x\":\"AA\"}]}", "keys[0]: OKP key not Ed25519"},
        {"{\"keys\":[{\"kty\":\"RSA\",\"n\":\"AQAB\",\"e\":\"AQAB\",\"d\":\"AQAB\"}]}", "keys[0]: holds private key material"},
        {NULL, NULL}};
    for (int i = 0; bad[i].doc; i++) {
        gw_jwks *k = gw_jwks_parse(bad[i].doc, strlen(bad[i].doc), &err);
        CU_ASSERT_PTR_NULL(k);
        if (!err || !strstr(err, bad[i].msg)) {
            fprintf(stderr, "\n  jwks %s: %s (want %s)\n", bad[i].doc, err ? err : "accepted", bad[i].msg);
            CU_FAIL("jwks refusal");
        }
        gw_jwks_free(k);
        free(err);
        err = NULL;
    }
    snprintf(doc, sizeof(doc), "{\"keys\":[%s]}", js);
    CU_ASSERT_PTR_NULL(gw_jwks_parse(doc, strlen(doc), &err));
    CU_ASSERT_PTR_NOT_NULL(err && strstr(err, "shorter than 2048 bits"));
    free(err);
    /* a key declared for another algorithm than its type allows */
    snprintf(doc, sizeof(doc), "{\"keys\":[%.*s,\"alg\":\"ES256\"}]}", (int)strlen(jr) - 1, jr);
    CU_ASSERT_PTR_NULL(gw_jwks_parse(doc, strlen(doc), &err));
    CU_ASSERT_PTR_NOT_NULL(err && strstr(err, "alg does not fit"));
    free(err);
    /* a key restricted to PS256 refuses RS256 tokens */
    snprintf(doc, sizeof(doc), "{\"keys\":[%.*s,\"alg\":\"PS256\"}]}", (int)strlen(jr) - 1, jr);
    gw_jwks *only = gw_jwks_parse(doc, strlen(doc), &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(only);
    char *p = payload(NOW + 10, NULL);
    char *t1 = sign(rsa, "RS256", "{\"alg\":\"RS256\"}", p), *t2 = sign(rsa, "PS256", "{\"alg\":\"PS256\"}", p);
    gw_jwt_policy pol = {&issuers, &audiences, 0, NULL};
    CU_ASSERT_EQUAL(gw_jwt_verify(only, t1, &pol, NOW, NULL, NULL), GW_E_UNAUTHENTICATED);
    CU_ASSERT_EQUAL(gw_jwt_verify(only, t2, &pol, NOW, NULL, NULL), GW_OK);
    /* two RSA keys and a token without kid: ambiguous, refused */
    char *j2 = jwk_of(rsa2, NULL), *j1 = jwk_of(rsa, NULL);
    snprintf(doc, sizeof(doc), "{\"keys\":[%s,%s]}", j1, j2);
    gw_jwks *two = gw_jwks_parse(doc, strlen(doc), &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(two);
    const char *why = NULL;
    CU_ASSERT_EQUAL(gw_jwt_verify(two, t1, &pol, NOW, NULL, &why), GW_E_UNAUTHENTICATED);
    CU_ASSERT_PTR_NOT_NULL(why && strstr(why, "several keys"));
    gw_jwks_free(two);
    gw_jwks_free(only);
    free(j1);
    free(j2);
    free(t1);
    free(t2);
    free(p);
    free(js);
    free(jr);
    EVP_PKEY_free(small);
}

static void t_cleanup(void)
{
    gw_jwks_free(keys);
    EVP_PKEY_free(rsa);
    EVP_PKEY_free(rsa2);
    EVP_PKEY_free(ec);
    EVP_PKEY_free(ed);
    keys = NULL;
    CU_PASS("freed");
}

void unit_jwt(void)
{
    static const unit_test tests[] = {
        {"RS256, PS256, ES256, EdDSA accepted; a flipped bit refused", t_algorithms},
        {"every refusal: keys, algorithms, headers, claims, leeway boundary", t_refusals},
        {"JWKS parsing: refused keys, alg restrictions, ambiguous keys", t_jwks},
        {"cleanup", t_cleanup},
        {NULL, NULL}};
    unit_suite("jwt", tests);
}
