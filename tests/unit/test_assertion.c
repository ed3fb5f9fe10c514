/* assertion.c: keys from PEM, the published set, and assertions that
 * gwauth's own verifier (jwt.c) accepts for each algorithm. */
#include <cjson/cJSON.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assertion.h"
#include "jwt.h"
#include "unit.h"
#include "util.h"

#define NOW 1800000000L

/* PEM text of k: its private key (PKCS#8), or its public key. */
static char *pem_of(EVP_PKEY *k, bool priv)
{
    BIO *b = BIO_new(BIO_s_mem());
    if (priv)
        PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL);
    else
        PEM_write_bio_PUBKEY(b, k);
    char *data = NULL;
    long n = BIO_get_mem_data(b, &data);
    char *out = strndup(data, (size_t)n);
    BIO_free(b);
    return out;
}

static gw_signkey *key_of(EVP_PKEY *k, bool priv)
{
    char *pem = pem_of(k, priv);
    const char *why = NULL;
    gw_signkey *s = gw_signkey_parse(pem, strlen(pem), &why);
    if (!s)
        fprintf(stderr, "signkey: %s\n", why);
    free(pem);
    return s;
}

static const char *refusal(EVP_PKEY *k)
{
    char *pem = pem_of(k, true);
    const char *why = NULL;
    gw_signkey *s = gw_signkey_parse(pem, strlen(pem), &why);
    free(pem);
    gw_signkey_free(s);
    return s ? NULL : why;
}

static char *const iss_v[] = {"https://app.example.org/gwauth"};
static char *const aud_v[] = {"orders"};
static const gw_strlist issuers = {(char **)iss_v, 1}, audiences = {(char **)aud_v, 1};

/* Signs an assertion with k and verifies it against the set's JWKS. */
static gw_status sign_verify(const gw_keyset *set, const gw_signkey *k, const char *body,
                             long now, cJSON **claims)
{
    char *jwks = gw_keyset_jwks(set), *err = NULL;
    gw_jwks *pub = gw_jwks_parse(jwks, strlen(jwks), &err);
    CU_ASSERT_PTR_NOT_NULL(pub);
    free(err);
    free(jwks);
    gw_buf tok;
    gw_buf_init(&tok);
    gw_status st = gw_assertion_sign(k, iss_v[0], "orders", body, NOW, 60, &tok);
    CU_ASSERT_EQUAL(st, GW_OK);
    gw_jwt_policy pol = {&issuers, &audiences, 0, "alice", NULL, NULL};
    const char *why = NULL;
    st = gw_jwt_verify(pub, tok.data, &pol, (time_t)now, NULL, claims, &why);
    gw_buf_free(&tok);
    gw_jwks_free(pub);
    return st;
}

static void t_algorithms(void)
{
    const char *algs[] = {"ES256", "EdDSA", "RS256"};
    for (int i = 0; i < 3; i++) {
        EVP_PKEY *k = i == 0 ? EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256")
                      : i == 1 ? EVP_PKEY_Q_keygen(NULL, NULL, "ED25519")
                               : EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
        CU_ASSERT_PTR_NOT_NULL_FATAL(k);
        gw_signkey *s = key_of(k, true);
        CU_ASSERT_PTR_NOT_NULL_FATAL(s);
        CU_ASSERT_STRING_EQUAL(gw_signkey_alg(s), algs[i]);
        CU_ASSERT_TRUE(gw_signkey_private(s));
        CU_ASSERT_EQUAL(strlen(gw_signkey_kid(s)), GW_KID_LEN);
        gw_keyset *set = gw_keyset_new();
        CU_ASSERT_TRUE(gw_keyset_add(set, s));
        cJSON *claims = NULL;
        CU_ASSERT_EQUAL(sign_verify(set, s, "\"sub\":\"alice\",\"gwauth_uid\":7", NOW, &claims), GW_OK);
        CU_ASSERT_EQUAL(cJSON_GetObjectItem(claims, "exp")->valuedouble, NOW + 60);
        CU_ASSERT_EQUAL(cJSON_GetObjectItem(claims, "iat")->valuedouble, NOW);
        CU_ASSERT_EQUAL(strlen(cJSON_GetObjectItem(claims, "jti")->valuestring), 22);
        cJSON_Delete(claims);
        /* expired one second after exp, as every verifier sees it */
        CU_ASSERT_EQUAL(sign_verify(set, s, "\"sub\":\"alice\",\"gwauth_uid\":7", NOW + 61, NULL),
                        GW_E_INVALID_TOKEN);
        gw_keyset_free(set);
        EVP_PKEY_free(k);
    }
}

/* The kid is the RFC 7638 thumbprint: recomputed here from the JWK's
 * published members in their canonical order. */
static void t_kid_thumbprint(void)
{
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    gw_keyset *set = gw_keyset_new();
    gw_signkey *s = key_of(k, true);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    gw_keyset_add(set, s);
    char *jwks = gw_keyset_jwks(set);
    cJSON *doc = cJSON_Parse(jwks);
    cJSON *jwk = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "keys"), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(jwk);
    CU_ASSERT_PTR_NULL(cJSON_GetObjectItem(jwk, "d")); /* never the private part */
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(jwk, "use")->valuestring, "sig");
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(jwk, "alg")->valuestring, "ES256");
    char canon[512];
    snprintf(canon, sizeof(canon), "{\"crv\":\"%s\",\"kty\":\"%s\",\"x\":\"%s\",\"y\":\"%s\"}",
             cJSON_GetObjectItem(jwk, "crv")->valuestring, cJSON_GetObjectItem(jwk, "kty")->valuestring,
             cJSON_GetObjectItem(jwk, "x")->valuestring, cJSON_GetObjectItem(jwk, "y")->valuestring);
    unsigned char h[32];
    CU_ASSERT_TRUE(gw_sha256(canon, strlen(canon), h));
    gw_buf kid;
    gw_buf_init(&kid);
    gw_buf_b64url(&kid, h, 32);
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(jwk, "kid")->valuestring, kid.data);
    CU_ASSERT_STRING_EQUAL(gw_signkey_kid(s), kid.data);
    /* x and y are 32 bytes each: 43 characters */
    CU_ASSERT_EQUAL(strlen(cJSON_GetObjectItem(jwk, "x")->valuestring), 43);
    gw_buf_free(&kid);
    cJSON_Delete(doc);
    free(jwks);
    gw_keyset_free(set);
    EVP_PKEY_free(k);
}

static void t_refused(void)
{
    EVP_PKEY *p384 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
    EVP_PKEY *rsa1k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
    EVP_PKEY *x25519 = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
    CU_ASSERT_PTR_NOT_NULL(strstr(refusal(p384), "P-256"));
    CU_ASSERT_PTR_NOT_NULL(strstr(refusal(rsa1k), "2048"));
    CU_ASSERT_PTR_NOT_NULL(strstr(refusal(x25519), "key type"));
    const char *why = NULL;
    CU_ASSERT_PTR_NULL(gw_signkey_parse("hello", 5, &why));
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "no PEM"));
    /* an encrypted key is not read (no passphrase is ever asked for) */
    EVP_PKEY *ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    BIO *b = BIO_new(BIO_s_mem());
    PEM_write_bio_PKCS8PrivateKey(b, ec, EVP_aes_256_cbc(), NULL, 0, NULL, (void *)"secret");
    char *data = NULL;
    long n = BIO_get_mem_data(b, &data);
    char *pem = strndup(data, (size_t)n);
    CU_ASSERT_PTR_NULL(gw_signkey_parse(pem, strlen(pem), &why));
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "encrypted"));
    free(pem);
    BIO_free(b);
    EVP_PKEY_free(ec);
    EVP_PKEY_free(p384);
    EVP_PKEY_free(rsa1k);
    EVP_PKEY_free(x25519);
}

/* Every key is published; the private key added last signs; a public
 * key never does, and the private half replaces it. */
static void t_keyset(void)
{
    EVP_PKEY *a = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    EVP_PKEY *b = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    EVP_PKEY *c = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    gw_keyset *set = gw_keyset_new();
    gw_signkey *pub_c = key_of(c, false);
    CU_ASSERT_FALSE(gw_signkey_private(pub_c));
    gw_buf tok;
    gw_buf_init(&tok);
    CU_ASSERT_EQUAL(gw_assertion_sign(pub_c, "i", "a", "\"sub\":\"x\"", NOW, 60, &tok), GW_E_INTERNAL);
    CU_ASSERT_EQUAL(tok.len, 0);
    gw_buf_free(&tok);
    char kid_c[GW_KID_LEN + 1];
    gw_strlcpy(kid_c, gw_signkey_kid(pub_c), sizeof(kid_c));
    gw_keyset_add(set, pub_c);
    CU_ASSERT_PTR_NULL(gw_keyset_signer(set));
    gw_signkey *ka = key_of(a, true), *kb = key_of(b, true);
    gw_keyset_add(set, ka);
    gw_keyset_add(set, kb);
    CU_ASSERT_PTR_EQUAL(gw_keyset_signer(set), kb);
    gw_keyset_add(set, key_of(a, false)); /* the public half again: dropped */
    CU_ASSERT_EQUAL(gw_keyset_count(set), 3);
    CU_ASSERT_PTR_EQUAL(gw_keyset_signer(set), kb);
    gw_keyset_add(set, key_of(c, true)); /* its private half: replaces, and signs */
    CU_ASSERT_EQUAL(gw_keyset_count(set), 3);
    CU_ASSERT_STRING_EQUAL(gw_signkey_kid(gw_keyset_signer(set)), kid_c);
    char *jwks = gw_keyset_jwks(set);
    cJSON *doc = cJSON_Parse(jwks);
    CU_ASSERT_EQUAL(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "keys")), 3);
    cJSON_Delete(doc);
    free(jwks);
    /* each key's assertion verifies against the whole set */
    cJSON *claims = NULL;
    CU_ASSERT_EQUAL(sign_verify(set, gw_keyset_signer(set), "\"sub\":\"alice\"", NOW, &claims), GW_OK);
    cJSON_Delete(claims);
    CU_ASSERT_EQUAL(sign_verify(set, ka, "\"sub\":\"alice\"", NOW, NULL), GW_OK);
    gw_keyset_free(set);
    EVP_PKEY_free(a);
    EVP_PKEY_free(b);
    EVP_PKEY_free(c);
}

static void t_body(void)
{
    const char *names[] = {"email", "name", "gwauth_source"};
    const char *values[] = {"a@example.org", "Ann \"the\" O\\Brien\n", "header"};
    const char *groups[] = {"staff", "caf\xc3\xa9"};
    gw_assertion_subject s = {.sub = "alice", .uid = "42", .names = names, .values = values,
                              .n = 3, .groups = groups, .ngroups = 2, .with_groups = true};
    gw_buf b;
    gw_buf_init(&b);
    CU_ASSERT_EQUAL(gw_assertion_body(&b, &s), GW_OK);
    char doc[1024];
    snprintf(doc, sizeof(doc), "{%s}", b.data);
    cJSON *o = cJSON_Parse(doc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(o);
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(o, "sub")->valuestring, "alice");
    CU_ASSERT_TRUE(cJSON_IsNumber(cJSON_GetObjectItem(o, "gwauth_uid")));
    CU_ASSERT_EQUAL(cJSON_GetObjectItem(o, "gwauth_uid")->valuedouble, 42);
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(o, "name")->valuestring, values[1]);
    CU_ASSERT_STRING_EQUAL(cJSON_GetArrayItem(cJSON_GetObjectItem(o, "groups"), 1)->valuestring,
                           "caf\xc3\xa9");
    cJSON_Delete(o);
    /* a value that is not UTF-8 makes no assertion */
    values[0] = "\xff";
    gw_buf_reset(&b);
    CU_ASSERT_EQUAL(gw_assertion_body(&b, &s), GW_E_INTERNAL);
    /* no groups when the configuration has none; NULL values are left out */
    values[0] = NULL;
    s.with_groups = false;
    gw_buf_reset(&b);
    CU_ASSERT_EQUAL(gw_assertion_body(&b, &s), GW_OK);
    CU_ASSERT_PTR_NULL(strstr(b.data, "groups"));
    CU_ASSERT_PTR_NULL(strstr(b.data, "email"));
    gw_buf_free(&b);
}

void unit_assertion(void)
{
    static const unit_test tests[] = {
        {"ES256, EdDSA and RS256 assertions verify; expired after exp", t_algorithms},
        {"kid is the RFC 7638 thumbprint; no private member published", t_kid_thumbprint},
        {"refused keys: other curves, short RSA, other types, encrypted, garbage", t_refused},
        {"key set: all published, the last private key signs", t_keyset},
        {"subject claims: escaped, typed, UTF-8 only", t_body},
        {NULL, NULL},
    };
    unit_suite("assertion", tests);
}
