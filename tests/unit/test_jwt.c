/* jwt.c: keys and tokens made here with libcrypto; each algorithm, each
 * refusal, the leeway boundary. */
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jwt.h"
#include "keyring.h"
#include "load.h"
#include "mint.h"
#include "unit.h"
#include "usermap.h"
#include "util.h"

#define NOW 1800000000L

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
    gw_jwt_policy pol = {&issuers, &audiences, 60, subject, NULL, NULL};
    return gw_jwt_verify(keys, tok, &pol, (time_t)now, NULL, NULL, why);
}

static void setup_keys(void)
{
    if (keys)
        return;
    rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    rsa2 = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    char *j1 = mint_jwk(rsa, "rsa-1"), *j2 = mint_jwk(ec, "ec-1"), *j3 = mint_jwk(ed, "ed-1");
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
        char *tok = mint_sign(cases[i].k, cases[i].alg, hdr, p);
        const char *why = NULL;
        time_t exp = 0;
        gw_jwt_policy pol = {&issuers, &audiences, 60, "alice", NULL, NULL};
        gw_status st = gw_jwt_verify(keys, tok, &pol, NOW, &exp, NULL, &why);
        if (st != GW_OK)
            fprintf(stderr, "\n  %s kid %s: %s\n", cases[i].alg, cases[i].kid ? cases[i].kid : "-", why);
        CU_ASSERT_EQUAL(st, GW_OK);
        CU_ASSERT_EQUAL(exp, NOW + 300);
        /* one flipped bit anywhere in the signature: refused */
        char *last = tok + strlen(tok) - 2;
        *last = *last == 'A' ? 'B' : 'A';
        CU_ASSERT_EQUAL(verify(tok, NOW, "alice", &why), GW_E_INVALID_TOKEN);
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
        {rsa, "RS256", "{\"alg\":\"RS256\",\"b64\":false}", good, NOW, "alice", "header names"},
        {rsa, "RS256", "{\"alg\":\"RS256\",\"b64\":true}", good, NOW, "alice", "header names"},
        {rsa, "RS256", "{\"alg\":\"RS256\",\"zip\":\"DEF\"}", good, NOW, "alice", "header names"},
        /* numbers outside RFC 8259's grammar, and dates no time_t holds */
        {rsa, "RS256", "{\"alg\":\"RS256\"}", "{\"iss\":\"https://sso.example.org/realms/main\",\"aud\":\"my-client\",\"sub\":\"alice\",\"exp\":1800000300.}", NOW, "alice", "undecodable"},
        {rsa, "RS256", "{\"alg\":\"RS256\"}", "{\"iss\":\"https://sso.example.org/realms/main\",\"aud\":\"my-client\",\"sub\":\"alice\",\"exp\":01800000300}", NOW, "alice", "undecodable"},
        {rsa, "RS256", "{\"alg\":\"RS256\"}", "{\"iss\":\"https://sso.example.org/realms/main\",\"aud\":\"my-client\",\"sub\":\"alice\",\"exp\":1800000300,\"nbf\":-01.e5}", NOW, "alice", "undecodable"},
        {rsa, "RS256", "{\"alg\":\"RS256\"}", "{\"iss\":\"https://sso.example.org/realms/main\",\"aud\":\"my-client\",\"sub\":\"alice\",\"exp\":9.3e18}", NOW, "alice", "exp out of range"},
        {rsa, "RS256", "{\"alg\":\"RS256\"}", "{\"iss\":\"https://sso.example.org/realms/main\",\"aud\":\"my-client\",\"sub\":\"alice\",\"exp\":-1e300}", NOW, "alice", "expired"},
        {rsa, "RS256", "{\"alg\":\"RS256\"}", "{\"iss\":\"https://sso.example.org/realms/main\",\"aud\":\"my-client\",\"sub\":\"alice\",\"exp\":1800000300,\"nbf\":1e300}", NOW, "alice", "nbf"},
        {rsa, "RS256", "{\"alg\":\"RS256\"}", "{\"iss\":\"https://sso.example.org/realms/main\",\"aud\":\"my-client\",\"sub\":\"alice\",\"exp\":1800000300,\"iat\":9.3e18}", NOW, "alice", "iat"},
        {rsa, "RS256", "{\"alg\":\"RS256\",\"kid\":\"rsa-1\",\"alg\":\"none\"}", good, NOW, "alice", "undecodable"},
        {rsa, "RS256", "{\"alg\":\"RS256\"}", "{\"iss\":\"https://sso.example.org/realms/main\",\"aud\":\"my-client\",\"sub\":\"alice\"}", NOW, "alice", "no exp"},
        {rsa, "RS256", "{\"alg\":\"RS256\"}", good, NOW + 300 + 60, "alice", "expired"},
        {rsa, "RS256", "{\"alg\":\"RS256\"}", "{\"iss\":\"https://sso.example.org/realms/main\",\"aud\":\"my-client\",\"sub\":\"alice\",\"exp\":1800000300,\"nbf\":1800000061}", NOW, "alice", "nbf"},
        {rsa, "RS256", "{\"alg\":\"RS256\"}", "{\"iss\":\"https://sso.example.org/realms/main\",\"aud\":\"my-client\",\"sub\":\"alice\",\"exp\":1800000300,\"iat\":1800000061}", NOW, "alice", "iat"},
        {rsa, "RS256", "{\"alg\":\"RS256\"}", "{\"iss\":\"https://evil.example/\",\"aud\":\"my-client\",\"sub\":\"alice\",\"exp\":1800000300}", NOW, "alice", "issuer"},
        {rsa, "RS256", "{\"alg\":\"RS256\"}", "{\"iss\":\"https://sso.example.org/realms/main\",\"aud\":\"other\",\"sub\":\"alice\",\"exp\":1800000300}", NOW, "alice", "audience"},
        {rsa, "RS256", "{\"alg\":\"RS256\"}", "{\"iss\":\"https://sso.example.org/realms/main\",\"aud\":[\"a\",\"b\"],\"sub\":\"alice\",\"exp\":1800000300}", NOW, "alice", "audience"},
        {rsa, "RS256", "{\"alg\":\"RS256\"}", good, NOW, "bob", "subject"},
        {rsa, "RS256", "{\"alg\":\"RS256\"}", "{\"iss\":\"https://sso.example.org/realms/main\",\"aud\":\"my-client\",\"sub\":\"alice\",\"exp\":\"1800000300\"}", NOW, "alice", "no exp"},
        {rsa, "RS256", "{\"alg\":\"RS256\"}", "{\"iss\":\"https://sso.example.org/realms/main\",\"aud\":\"my-client\",\"sub\":\"alice\",\"exp\":1e300}", NOW, "alice", "exp out of range"},
        /* other kinds of token are never an ID token */
        {rsa, "RS256", "{\"alg\":\"RS256\",\"typ\":\"logout+jwt\"}", good, NOW, "alice", "typ"},
        {rsa, "RS256", "{\"alg\":\"RS256\",\"typ\":\"at+jwt\"}", good, NOW, "alice", "typ"},
        {rsa, "RS256", "{\"alg\":\"RS256\",\"typ\":7}", good, NOW, "alice", "typ"},
        /* an untyped logout token is not an ID token either */
        {rsa, "RS256", "{\"alg\":\"RS256\"}", "{\"iss\":\"https://sso.example.org/realms/main\",\"aud\":\"my-client\",\"sub\":\"alice\",\"exp\":1800000300,\"events\":{\"http://schemas.openid.net/event/backchannel-logout\":{}}}", NOW, "alice", "events"},
        /* several audiences need the authorized party, which must be ours */
        {rsa, "RS256", "{\"alg\":\"RS256\"}", "{\"iss\":\"https://sso.example.org/realms/main\",\"aud\":[\"x\",\"my-client\"],\"sub\":\"alice\",\"exp\":1800000300}", NOW, "alice", "no azp"},
        {rsa, "RS256", "{\"alg\":\"RS256\"}", "{\"iss\":\"https://sso.example.org/realms/main\",\"aud\":[\"x\",\"my-client\"],\"azp\":\"x\",\"sub\":\"alice\",\"exp\":1800000300}", NOW, "alice", "azp"},
        {rsa, "RS256", "{\"alg\":\"RS256\"}", "{\"iss\":\"https://sso.example.org/realms/main\",\"aud\":\"my-client\",\"azp\":\"other\",\"sub\":\"alice\",\"exp\":1800000300}", NOW, "alice", "azp"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *tok = mint_sign(cases[i].k, cases[i].alg, cases[i].hdr, cases[i].pay);
        const char *why = NULL;
        gw_status st = verify(tok, cases[i].now, cases[i].sub, &why);
        if (st == GW_OK || !why || !strstr(why, cases[i].why)) {
            fprintf(stderr, "\n  case %zu: %s (want %s)\n", i, st == GW_OK ? "accepted" : why, cases[i].why);
            CU_FAIL("refusal");
        }
        free(tok);
    }
    /* the leeway boundary (RFC 7519 §4.1.4: never on or after exp):
     * exp + 60 - 1 is the last second accepted */
    char *tok = mint_sign(rsa, "RS256", "{\"alg\":\"RS256\"}", good);
    CU_ASSERT_EQUAL(verify(tok, NOW + 300 + 59, "alice", NULL), GW_OK);
    CU_ASSERT_EQUAL(verify(tok, NOW + 300 + 60, "alice", NULL), GW_E_INVALID_TOKEN);
    /* without a leeway: exp itself is too late */
    gw_jwt_policy strict = {&issuers, &audiences, 0, "alice", NULL, NULL};
    CU_ASSERT_EQUAL(gw_jwt_verify(keys, tok, &strict, NOW + 299, NULL, NULL, NULL), GW_OK);
    CU_ASSERT_EQUAL(gw_jwt_verify(keys, tok, &strict, NOW + 300, NULL, NULL, NULL), GW_E_INVALID_TOKEN);
    /* an audience array with one accepted value and our azp is fine */
    char *aud = "{\"iss\":\"https://sso.example.org/realms/main\",\"aud\":[\"x\",\"my-client\"],\"azp\":\"my-client\",\"sub\":\"alice\",\"exp\":1800000300}";
    char *tok2 = mint_sign(rsa, "RS256", "{\"alg\":\"RS256\"}", aud);
    CU_ASSERT_EQUAL(verify(tok2, NOW, "alice", NULL), GW_OK);
    /* typ "JWT" in any letter case is an ID token; a required typ is met */
    char *tj = mint_sign(rsa, "RS256", "{\"alg\":\"RS256\",\"typ\":\"jwt\"}", good);
    CU_ASSERT_EQUAL(verify(tj, NOW, "alice", NULL), GW_OK);
    char *tl = mint_sign(rsa, "RS256", "{\"alg\":\"RS256\",\"typ\":\"logout+jwt\"}", good);
    gw_jwt_policy lpol = {&issuers, &audiences, 60, NULL, NULL, "logout+jwt"};
    CU_ASSERT_EQUAL(gw_jwt_verify(keys, tl, &lpol, NOW, NULL, NULL, NULL), GW_OK);
    CU_ASSERT_EQUAL(gw_jwt_verify(keys, tj, &lpol, NOW, NULL, NULL, NULL), GW_OK);
    char *tat = mint_sign(rsa, "RS256", "{\"alg\":\"RS256\",\"typ\":\"at+jwt\"}", good);
    CU_ASSERT_EQUAL(gw_jwt_verify(keys, tat, &lpol, NOW, NULL, NULL, NULL), GW_E_INVALID_TOKEN);
    free(tat);
    free(tj);
    free(tl);
    /* shapes: too few or too many parts, padding, a tampered payload */
    CU_ASSERT_EQUAL(verify("a.b", NOW, NULL, NULL), GW_E_INVALID_TOKEN);
    CU_ASSERT_EQUAL(verify("a.b.c.d", NOW, NULL, NULL), GW_E_INVALID_TOKEN);
    CU_ASSERT_EQUAL(verify("", NOW, NULL, NULL), GW_E_INVALID_TOKEN);
    char *pad = malloc(strlen(tok) + 2);
    sprintf(pad, "%s=", tok);
    CU_ASSERT_EQUAL(verify(pad, NOW, "alice", NULL), GW_E_INVALID_TOKEN);
    char *dot1 = strchr(tok2, '.');
    dot1[1] = dot1[1] == 'e' ? 'f' : 'e';
    CU_ASSERT_EQUAL(verify(tok2, NOW, "alice", NULL), GW_E_INVALID_TOKEN);
    free(pad);
    free(tok);
    free(tok2);
    free(good);
}

/* Back-channel logout tokens: what makes one, and what refuses it. */
static void t_logout_token(void)
{
    setup_keys();
    static const char *ev = "\"events\":{\"http://schemas.openid.net/event/backchannel-logout\":{}}";
    struct { const char *extra; bool events; long iat; bool ok; const char *why; } cases[] = {
        {"\"jti\":\"j\",\"sid\":\"s\"", true, NOW, true, NULL},
        {"\"jti\":\"j\",\"sub\":\"alice\"", true, NOW - 290, true, NULL},
        {"\"jti\":\"j\",\"sub\":\"alice\"", true, NOW - 400, false, "iat"},
        {"\"jti\":\"j\",\"sid\":\"s\"", false, NOW, false, "events"},
        {"\"jti\":\"j\",\"sid\":\"s\",\"nonce\":\"n\"", true, NOW, false, "nonce"},
        {"\"sid\":\"s\"", true, NOW, false, "jti"},
        {"\"jti\":\"j\"", true, NOW, false, "neither"},
        {"\"jti\":7,\"sid\":\"s\"", true, NOW, false, "short string"},
        {"\"jti\":\"j\",\"sid\":\"\"", true, NOW, false, "short string"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char pay[1024];
        snprintf(pay, sizeof(pay), "{\"iss\":\"https://sso.example.org/realms/main\",\"aud\":\"my-client\","
                 "\"iat\":%ld,\"exp\":%ld,%s%s%s}", cases[i].iat, (long)NOW + 100, cases[i].extra,
                 cases[i].events ? "," : "", cases[i].events ? ev : "");
        char *tok = mint_sign(rsa, "RS256", "{\"alg\":\"RS256\",\"typ\":\"logout+jwt\"}", pay);
        gw_jwt_policy pol = {&issuers, &audiences, 0, NULL, NULL, NULL};
        gw_logout_token lt;
        const char *why = NULL;
        gw_jwt_trust one = {&issuers, &audiences, keys};
        gw_status st = gw_logout_token_verify(&one, 1, tok, &pol, NOW, 300, &lt, &why);
        if ((st == GW_OK) != cases[i].ok || (!cases[i].ok && (!why || !strstr(why, cases[i].why)))) {
            fprintf(stderr, "\n  case %zu: %s\n", i, st == GW_OK ? "accepted" : why);
            CU_FAIL("logout token");
        }
        if (st == GW_OK) {
            CU_ASSERT_STRING_EQUAL(lt.jti, "j");
            CU_ASSERT_EQUAL(lt.iat, cases[i].iat);
            gw_logout_token_free(&lt);
        }
        free(tok);
    }
}

static void t_jwks(void)
{
    setup_keys();
    EVP_PKEY *small = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
    char *js = mint_jwk(small, "small"), *jr = mint_jwk(rsa, "r");
    char doc[8192];
    char *err = NULL;
    static const struct { const char *doc, *msg; } bad[] = {
        {"{}", "expected a JSON object with a \"keys\" array"},
        {"{\"keys\":[]}", "no usable key"},
        {"{\"keys\":[{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}]}", "keys[0]: holds private key material"},
        {"{\"keys\":[{\"kty\":\"oct\"}]}", "no usable key"}, /* skipped: another type */
        {"{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-384\",\"x\":\"AA\",\"y\":\"AA\"}]}", "no usable key"},
        {"{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\",\"y\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}]}", "keys[0]: invalid P-256 key"},
        {"{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"X25519\",\"x\":\"AA\"}]}", "no usable key"},
        {"{\"keys\":[{\"kty\":\"RSA\",\"use\":\"enc\",\"n\":\"AQAB\",\"e\":\"AQAB\",\"d\":\"AQAB\"}]}", "keys[0]: holds private key material"},
        {"{\"keys\":[{\"kty\":\"RSA\",\"use\":5,\"n\":\"AQAB\",\"e\":\"AQAB\"}]}", "keys[0]: use must be a string"},
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
    /* as Keycloak publishes it: an encryption key and a key for another
     * algorithm beside the signing key; those two are skipped */
    snprintf(doc, sizeof(doc),
             "{\"keys\":[{\"kid\":\"enc\",\"kty\":\"RSA\",\"alg\":\"RSA-OAEP\",\"use\":\"enc\",\"n\":\"AQAB\","
             "\"e\":\"AQAB\",\"x5c\":[\"MIIB\"],\"x5t#S256\":\"abc\"},"
             "{\"kid\":\"hs\",\"kty\":\"RSA\",\"alg\":\"RS512\",\"use\":\"sig\",\"n\":\"AQAB\",\"e\":\"AQAB\"},"
             "%.*s,\"use\":\"sig\",\"alg\":\"RS256\",\"x5c\":[\"MIIB\"]}]}", (int)strlen(jr) - 1, jr);
    gw_jwks *kc = gw_jwks_parse(doc, strlen(doc), &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(kc);
    CU_ASSERT_EQUAL(gw_jwks_count(kc), 1);
    CU_ASSERT_EQUAL(gw_jwks_skipped(kc), 2);
    gw_jwks_free(kc);
    /* a key declared for another algorithm than its type allows */
    snprintf(doc, sizeof(doc), "{\"keys\":[%.*s,\"alg\":\"ES256\"}]}", (int)strlen(jr) - 1, jr);
    CU_ASSERT_PTR_NULL(gw_jwks_parse(doc, strlen(doc), &err));
    CU_ASSERT_PTR_NOT_NULL(err && strstr(err, "alg does not fit"));
    free(err);
    /* RFC 7517 §4.3: a key whose key_ops leave out "verify" is not used */
    snprintf(doc, sizeof(doc), "{\"keys\":[%.*s,\"key_ops\":[\"encrypt\"]},%.*s,\"key_ops\":[\"verify\",\"sign\"]}]}",
             (int)strlen(jr) - 1, jr, (int)strlen(jr) - 1, jr);
    gw_jwks *ops = gw_jwks_parse(doc, strlen(doc), &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ops);
    CU_ASSERT_EQUAL(gw_jwks_count(ops), 1);
    CU_ASSERT_EQUAL(gw_jwks_skipped(ops), 1);
    gw_jwks_free(ops);
    snprintf(doc, sizeof(doc), "{\"keys\":[%.*s,\"key_ops\":[\"sign\"]}]}", (int)strlen(jr) - 1, jr);
    CU_ASSERT_PTR_NULL(gw_jwks_parse(doc, strlen(doc), &err));
    CU_ASSERT_PTR_NOT_NULL(err && strstr(err, "no usable key"));
    free(err);
    static const char *const bad_ops[] = {"\"verify\"", "[\"verify\",\"verify\"]", "[7]", "{}", NULL};
    for (int i = 0; bad_ops[i]; i++) {
        snprintf(doc, sizeof(doc), "{\"keys\":[%.*s,\"key_ops\":%s}]}", (int)strlen(jr) - 1, jr, bad_ops[i]);
        CU_ASSERT_PTR_NULL(gw_jwks_parse(doc, strlen(doc), &err));
        CU_ASSERT_PTR_NOT_NULL(err && strstr(err, "key_ops must be"));
        free(err);
    }
    /* a key restricted to PS256 refuses RS256 tokens */
    snprintf(doc, sizeof(doc), "{\"keys\":[%.*s,\"alg\":\"PS256\"}]}", (int)strlen(jr) - 1, jr);
    gw_jwks *only = gw_jwks_parse(doc, strlen(doc), &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(only);
    char *p = payload(NOW + 10, NULL);
    char *t1 = mint_sign(rsa, "RS256", "{\"alg\":\"RS256\"}", p), *t2 = mint_sign(rsa, "PS256", "{\"alg\":\"PS256\"}", p);
    gw_jwt_policy pol = {&issuers, &audiences, 0, NULL, NULL, NULL};
    CU_ASSERT_EQUAL(gw_jwt_verify(only, t1, &pol, NOW, NULL, NULL, NULL), GW_E_INVALID_TOKEN);
    CU_ASSERT_EQUAL(gw_jwt_verify(only, t2, &pol, NOW, NULL, NULL, NULL), GW_OK);
    /* two RSA keys and a token without kid: ambiguous, refused */
    char *j2 = mint_jwk(rsa2, NULL), *j1 = mint_jwk(rsa, NULL);
    snprintf(doc, sizeof(doc), "{\"keys\":[%s,%s]}", j1, j2);
    gw_jwks *two = gw_jwks_parse(doc, strlen(doc), &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(two);
    const char *why = NULL;
    CU_ASSERT_EQUAL(gw_jwt_verify(two, t1, &pol, NOW, NULL, NULL, &why), GW_E_INVALID_TOKEN);
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

/* "NAME=" + base64 of json; malloc'd */
static char *var_b64(const char *name, const char *json)
{
    char *b = gw_b64_encode((const unsigned char *)json, strlen(json));
    char *r = malloc(strlen(name) + strlen(b) + 2);
    sprintf(r, "%s=%s", name, b);
    free(b);
    return r;
}

static char *var_of(const char *name, const char *prefix, const char *value)
{
    char *r = malloc(strlen(name) + strlen(prefix) + strlen(value) + 2);
    sprintf(r, "%s=%s%s", name, prefix, value);
    return r;
}

/* Decodes a request with REMOTE_ADDR and up to three more variables. */
static gw_status decode_with(const gw_config *c, char *a, char *b, char *d, gw_user *u,
                             time_t *exp, const char **why)
{
    char *env[5] = {"REMOTE_ADDR=127.0.0.1", a, b, d, NULL};
    CU_ASSERT_EQUAL_FATAL(c->identity.jwt.nrealms, 1);
    gw_jwt_trust one = {&c->identity.jwt.realms[0].issuers, &c->identity.jwt.realms[0].audiences, keys};
    gw_token_check tok = {.realms = &one, .nrealms = 1, .now = NOW};
    gw_status st = gw_user_decode(c, unit_request_of(c, env), &tok, u, why);
    if (exp)
        *exp = tok.exp;
    return st;
}

/* identity.jwt through gw_user_decode: the token binds the userinfo. */
static void t_bind(void)
{
    setup_keys();
    gw_config *c = unit_config_of(
        "{\"identity\":{\"jwt\":{\"jwks_file\":\"/unused\",\"issuers\":[\"https://sso.example.org/realms/main\"],"
        "\"audiences\":[\"my-client\"]}}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    char *info = var_b64("HTTP_X_USERINFO", "{\"sub\":\"alice\",\"email\":\"forged@x\",\"groups\":[\"admin\"],"
                                             "\"name\":\"Alice\"}");
    char *p = payload(NOW + 300, ",\"email\":\"alice@x\",\"groups\":[\"staff\"]");
    char *t = mint_sign(rsa, "RS256", "{\"alg\":\"RS256\",\"kid\":\"rsa-1\"}", p);
    char *tv = var_of("HTTP_X_RAW_ID_TOKEN", "", t);
    gw_user u;
    time_t exp = 0;
    const char *why = NULL;
    gw_status st0 = decode_with(c, info, tv, NULL, &u, &exp, &why);
    if (st0 != GW_OK)
        fprintf(stderr, "\n  bind: %s\n", why);
    CU_ASSERT_EQUAL_FATAL(st0, GW_OK);
    CU_ASSERT_STRING_EQUAL(u.id, "alice");
    CU_ASSERT_EQUAL(exp, NOW + 300);
    /* the token's claims win over the unsigned ones; others stay */
    CU_ASSERT_STRING_EQUAL(u.fields[1], "alice@x");
    CU_ASSERT_STRING_EQUAL(u.fields[4], "Alice");
    CU_ASSERT_EQUAL_FATAL(u.ngroups, 1);
    CU_ASSERT_STRING_EQUAL(u.groups[0], "staff");
    gw_user_free(&u);

    /* a repeated token is as refused as a repeated identity */
    bool present = false;
    char *env2[] = {"REMOTE_ADDR=127.0.0.1", info, tv, tv, NULL};
    CU_ASSERT_EQUAL(gw_user_check(c, unit_request_of(c, env2), &present), GW_E_DUPLICATE);
    env2[3] = NULL;
    CU_ASSERT_EQUAL(gw_user_check(c, unit_request_of(c, env2), &present), GW_OK);
    CU_ASSERT_EQUAL(present, 1);
    env2[1] = tv; /* a token alone is no identity */
    env2[2] = NULL;
    CU_ASSERT_EQUAL(gw_user_check(c, unit_request_of(c, env2), &present), GW_OK);
    CU_ASSERT_EQUAL(present, 0);

    /* refusals: each is invalid_token, with a reason */
    char *p_bob = payload(NOW + 300, NULL);
    p_bob[strstr(p_bob, "alice") - p_bob] = 'X'; /* "Xlice" */
    char *t_other = mint_sign(rsa, "RS256", "{\"alg\":\"RS256\",\"kid\":\"rsa-1\"}", p_bob);
    char *t_foreign = mint_sign(rsa2, "RS256", "{\"alg\":\"RS256\",\"kid\":\"rsa-1\"}", p);
    char *p_old = payload(NOW - 100, NULL);
    char *t_old = mint_sign(ec, "ES256", "{\"alg\":\"ES256\"}", p_old);
    char *p_aud = payload(NOW + 300, NULL);
    memcpy(strstr(p_aud, "my-client"), "my-clienT", 9);
    char *t_aud = mint_sign(ed, "EdDSA", "{\"alg\":\"EdDSA\"}", p_aud);
    struct { char *tok; const char *why; } bad[] = {
        {NULL, "no token"},
        {var_of("HTTP_X_RAW_ID_TOKEN", "", t_other), "subject differs"},
        {var_of("HTTP_X_RAW_ID_TOKEN", "", t_foreign), "bad signature"},
        {var_of("HTTP_X_RAW_ID_TOKEN", "", t_old), "expired"},
        {var_of("HTTP_X_RAW_ID_TOKEN", "", t_aud), "audience"},
        {var_of("HTTP_X_RAW_ID_TOKEN", "Bearer ", t), "undecodable"}, /* only Authorization has a scheme */
        {var_of("HTTP_X_RAW_ID_TOKEN", "", ""), "no token"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        why = NULL;
        gw_status st = decode_with(c, info, bad[i].tok, NULL, &u, NULL, &why);
        if (st != GW_E_INVALID_TOKEN || !why || !strstr(why, bad[i].why)) {
            fprintf(stderr, "\n  bind case %zu: status %d, %s (want %s)\n", i, st, why ? why : "-", bad[i].why);
            CU_FAIL("binding refusal");
        }
        free(bad[i].tok);
    }
    /* without a userinfo id the mapping refuses, as without jwt */
    char *noid = var_b64("HTTP_X_USERINFO", "{\"email\":\"a@x\"}");
    CU_ASSERT_EQUAL(decode_with(c, noid, tv, NULL, &u, NULL, &why), GW_E_MALFORMED);
    gw_config_free(c);

    /* Authorization: Bearer, any case of the scheme, extra spaces */
    c = unit_config_of("{\"identity\":{\"jwt\":{\"jwks_file\":\"/unused\",\"header\":\"HTTP_AUTHORIZATION\","
                       "\"issuers\":[\"https://sso.example.org/realms/main\"],\"audiences\":[\"my-client\"]}}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    const char *prefixes[] = {"Bearer ", "bearer   ", "BEARER "};
    for (int i = 0; i < 3; i++) {
        char *ah = var_of("HTTP_AUTHORIZATION", prefixes[i], t);
        CU_ASSERT_EQUAL(decode_with(c, info, ah, NULL, &u, NULL, &why), GW_OK);
        gw_user_free(&u);
        free(ah);
    }
    const char *refused[] = {"Basic ", "Bearer", "", "Bearer  "};
    for (int i = 0; i < 4; i++) {
        char *ah = var_of("HTTP_AUTHORIZATION", refused[i], i == 1 || i == 3 ? "" : t);
        CU_ASSERT_EQUAL(decode_with(c, info, ah, NULL, &u, NULL, &why), GW_E_INVALID_TOKEN);
        free(ah);
    }
    gw_config_free(c);

    /* the "headers" source: the mapped id is what the token must name */
    c = unit_config_of("{\"identity\":{\"source\":\"headers\",\"claim_headers\":{\"sub\":\"HTTP_REMOTE_USER\"},"
                       "\"jwt\":{\"jwks_file\":\"/unused\",\"issuers\":[\"https://sso.example.org/realms/main\"],\"audiences\":[\"my-client\"]}}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_EQUAL(decode_with(c, "HTTP_REMOTE_USER=alice", tv, NULL, &u, NULL, &why), GW_OK);
    gw_user_free(&u);
    CU_ASSERT_EQUAL(decode_with(c, "HTTP_REMOTE_USER=mallory", tv, NULL, &u, NULL, &why), GW_E_INVALID_TOKEN);
    gw_config_free(c);

    /* another id claim: the token's claim of that name binds */
    c = unit_config_of("{\"identity\":{\"id_claim\":\"email\",\"jwt\":{\"jwks_file\":\"/unused\","
                       "\"issuers\":[\"https://sso.example.org/realms/main\"],\"audiences\":[\"my-client\"]}}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    char *info2 = var_b64("HTTP_X_USERINFO", "{\"email\":\"alice@x\"}");
    char *info3 = var_b64("HTTP_X_USERINFO", "{\"email\":\"boss@x\"}");
    CU_ASSERT_EQUAL(decode_with(c, info2, tv, NULL, &u, NULL, &why), GW_OK);
    gw_user_free(&u);
    CU_ASSERT_EQUAL(decode_with(c, info3, tv, NULL, &u, NULL, &why), GW_E_INVALID_TOKEN);
    gw_config_free(c);

    free(info);
    free(info2);
    free(info3);
    free(noid);
    free(tv);
    free(t);
    free(p);
    free(p_bob);
    free(t_other);
    free(t_foreign);
    free(p_old);
    free(t_old);
    free(p_aud);
    free(t_aud);
}

static void write_file(const char *dir, const char *path, const char *text)
{
    char tmp[512];
    snprintf(tmp, sizeof(tmp), "%s/new", dir);
    FILE *f = fopen(tmp, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs(text, f);
    fclose(f);
    CU_ASSERT_EQUAL(rename(tmp, path), 0); /* as an operator's deploy would */
}

/* The JWKS file is re-read when it changes: rotation without a restart;
 * a bad new file keeps the old keys and is logged once. */
static void t_rotation(void)
{
    setup_keys();
    char dir[] = "/tmp/gwauth-unit-XXXXXX", path[512], logpath[512];
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/jwks.json", dir);
    snprintf(logpath, sizeof(logpath), "%s/log", dir);
    char *j1 = mint_jwk(rsa, "k1"), *j2 = mint_jwk(rsa2, "k2"), doc[8192];
    char *p = payload(NOW + 300, NULL);
    char *t1 = mint_sign(rsa, "RS256", "{\"alg\":\"RS256\",\"kid\":\"k1\"}", p);
    char *t2 = mint_sign(rsa2, "RS256", "{\"alg\":\"RS256\",\"kid\":\"k2\"}", p);
    gw_jwt_policy pol = {&issuers, &audiences, 60, "alice", NULL, NULL};
    /* the log goes to a file for the duration */
    fflush(stderr);
    int saved = dup(2);
    FILE *lf = fopen(logpath, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(lf);
    dup2(fileno(lf), 2);

    char *err = NULL;
    CU_ASSERT_PTR_NULL(gw_keyring_open(path, &err)); /* no file yet */
    CU_ASSERT_PTR_NOT_NULL(err && strstr(err, "jwks.json: cannot read"));
    free(err);
    snprintf(doc, sizeof(doc), "{\"keys\":[%s]}", j1);
    write_file(dir, path, doc);
    gw_keyring *r = gw_keyring_open(path, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    unsigned gen = 99;
    time_t t0 = time(NULL);
    const gw_jwks *k = gw_keyring_get(r, t0, &gen);
    CU_ASSERT_EQUAL(gen, 0);
    CU_ASSERT_EQUAL(gw_jwt_verify(k, t1, &pol, NOW, NULL, NULL, NULL), GW_OK);
    CU_ASSERT_EQUAL(gw_jwt_verify(k, t2, &pol, NOW, NULL, NULL, NULL), GW_E_INVALID_TOKEN);

    /* rotated: k2 replaces k1 */
    snprintf(doc, sizeof(doc), "{\"keys\":[%s]}", j2);
    write_file(dir, path, doc);
    k = gw_keyring_get(r, t0, &gen); /* the same second: not looked at */
    CU_ASSERT_EQUAL(gen, 0);
    k = gw_keyring_get(r, t0 + 1, &gen);
    CU_ASSERT_EQUAL(gen, 1);
    CU_ASSERT_EQUAL(gw_jwt_verify(k, t1, &pol, NOW, NULL, NULL, NULL), GW_E_INVALID_TOKEN);
    CU_ASSERT_EQUAL(gw_jwt_verify(k, t2, &pol, NOW, NULL, NULL, NULL), GW_OK);

    /* a bad file: the previous keys stay, the refusal is logged once */
    write_file(dir, path, "{\"keys\":[{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}]}");
    for (int i = 2; i < 5; i++)
        k = gw_keyring_get(r, t0 + i, &gen);
    CU_ASSERT_EQUAL(gen, 1);
    CU_ASSERT_EQUAL(gw_jwt_verify(k, t2, &pol, NOW, NULL, NULL, NULL), GW_OK);
    /* gone: the same */
    unlink(path);
    for (int i = 5; i < 8; i++)
        k = gw_keyring_get(r, t0 + i, &gen);
    CU_ASSERT_EQUAL(gen, 1);
    CU_ASSERT_EQUAL(gw_jwt_verify(k, t2, &pol, NOW, NULL, NULL, NULL), GW_OK);
    /* back, with both keys */
    snprintf(doc, sizeof(doc), "{\"keys\":[%s,%s]}", j1, j2);
    write_file(dir, path, doc);
    k = gw_keyring_get(r, t0 + 8, &gen);
    CU_ASSERT_EQUAL(gen, 2);
    CU_ASSERT_EQUAL(gw_jwks_count(k), 2);
    CU_ASSERT_EQUAL(gw_jwt_verify(k, t1, &pol, NOW, NULL, NULL, NULL), GW_OK);
    gw_keyring_free(r);

    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    fclose(lf);
    size_t len = 0;
    int e = 0;
    char *log = gw_load_text(logpath, &len, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(log);
    int refusals = 0, reloads = 0;
    for (const char *q = log; (q = strstr(q, "keeping=previous")); q++)
        refusals++;
    for (const char *q = log; (q = strstr(q, "event=jwks_reloaded")); q++)
        reloads++;
    CU_ASSERT_EQUAL(refusals, 2); /* the bad file, the missing file */
    CU_ASSERT_EQUAL(reloads, 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(log, "keys[0]: holds private key material"));
    CU_ASSERT_PTR_NULL(strstr(log, "c2VjcmV0")); /* never the key itself */
    free(log);
    unlink(logpath);
    unlink(path);
    rmdir(dir);
    free(j1);
    free(j2);
    free(p);
    free(t1);
    free(t2);
}

/* A recheck that brings the key the token names. */
static int rechecks;
static bool bring_key(void *arg)
{
    gw_token_check *tok = arg;
    static gw_jwt_trust full;
    full = tok->realms[0];
    full.keys = keys;
    tok->realms = &full;
    rechecks++;
    return true;
}

/* Several issuers, each with its key file and audiences; an unknown kid
 * looks at the files again at once (rate-limited). */
static void t_realms(void)
{
    setup_keys();
    char dir[] = "/tmp/gwauth-unit-XXXXXX", main_path[512], part_path[512], cfg[2048];
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    snprintf(main_path, sizeof(main_path), "%s/main.json", dir);
    snprintf(part_path, sizeof(part_path), "%s/partners.json", dir);
    snprintf(cfg, sizeof(cfg),
             "{\"identity\":{\"jwt\":{\"jwks_file\":\"%s\",\"audiences\":[\"my-client\"],"
             "\"issuers\":[\"https://sso.example.org/realms/main\","
             "{\"issuer\":\"https://sso.example.org/realms/partners\",\"jwks_file\":\"%s\","
             "\"audiences\":[\"partner-gw\"]},"
             "{\"issuer\":\"https://sso.example.org/realms/staff\"}]}}}", main_path, part_path);
    gw_config *c = unit_config_of(cfg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_EQUAL_FATAL(c->identity.jwt.nrealms, 3);
    CU_ASSERT_FALSE(c->identity.jwt.realms[0].own);
    CU_ASSERT_STRING_EQUAL(c->identity.jwt.realms[1].jwks_file, part_path);
    CU_ASSERT_STRING_EQUAL(c->identity.jwt.realms[2].jwks_file, main_path); /* the section's */
    CU_ASSERT_STRING_EQUAL(c->identity.jwt.realms[2].audiences.v[0], "my-client");
    char *jr = mint_jwk(rsa, "k1"), *je = mint_jwk(ec, "e1"), *j2 = mint_jwk(rsa2, "k2"), doc[8192];
    snprintf(doc, sizeof(doc), "{\"keys\":[%s]}", jr);
    write_file(dir, main_path, doc);
    snprintf(doc, sizeof(doc), "{\"keys\":[%s]}", je);
    write_file(dir, part_path, doc);
    char *err = NULL;
    gw_trust *t = gw_trust_open(c, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    size_t n = 0;
    unsigned gen = 99;
    time_t t0 = time(NULL);
    const gw_jwt_trust *rs = gw_trust_get(t, t0, &gen, &n);
    CU_ASSERT_EQUAL_FATAL(n, 3);
    CU_ASSERT_EQUAL(gen, 0);
    gw_jwt_policy pol = {NULL, NULL, 0, NULL, NULL, NULL};
    const char *hr = "{\"alg\":\"RS256\",\"kid\":\"k1\"}", *he = "{\"alg\":\"ES256\",\"kid\":\"e1\"}";
    const char *h2 = "{\"alg\":\"RS256\",\"kid\":\"k2\"}";
#define pay "{\"iss\":\"https://sso.example.org/realms/%s\",\"aud\":\"%s\",\"sub\":\"alice\",\"exp\":%ld}"
    struct { EVP_PKEY *k; const char *alg, *hdr, *realm, *aud, *why; } cases[] = {
        {rsa, "RS256", hr, "main", "my-client", NULL},
        {ec, "ES256", he, "partners", "partner-gw", NULL},
        {rsa, "RS256", hr, "staff", "my-client", NULL},      /* the section's file and audiences */
        {rsa, "RS256", hr, "partners", "partner-gw", "no key fits"}, /* main's key, partners' issuer */
        {ec, "ES256", he, "main", "my-client", "no key fits"},
        {ec, "ES256", he, "partners", "my-client", "audience"},  /* main's audience */
        {rsa, "RS256", hr, "main", "partner-gw", "audience"},
        {rsa, "RS256", hr, "other", "my-client", "issuer not accepted"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char p[512];
        snprintf(p, sizeof(p), pay, cases[i].realm, cases[i].aud, (long)NOW + 300);
        char *tok = mint_sign(cases[i].k, cases[i].alg, cases[i].hdr, p);
        const char *why = NULL;
        gw_status st = gw_jwt_verify_in(rs, n, tok, &pol, NOW, NULL, NULL, &why);
        if ((st == GW_OK) != !cases[i].why || (cases[i].why && (!why || !strstr(why, cases[i].why)))) {
            fprintf(stderr, "\n  realm case %zu: %s (want %s)\n", i, st == GW_OK ? "accepted" : why,
                    cases[i].why ? cases[i].why : "accepted");
            CU_FAIL("realm");
        }
        free(tok);
    }
    /* partners rotate in k2 within the second: the stat waits for the
     * next second, the unknown kid does not */
    char p[512];
    snprintf(p, sizeof(p), pay, "partners", "partner-gw", (long)NOW + 300);
    char *tk2 = mint_sign(rsa2, "RS256", h2, p);
    snprintf(doc, sizeof(doc), "{\"keys\":[%s,%s]}", je, j2);
    write_file(dir, part_path, doc);
    rs = gw_trust_get(t, t0, &gen, &n);
    const char *why = NULL;
    CU_ASSERT_EQUAL(gw_jwt_verify_in(rs, n, tk2, &pol, NOW, NULL, NULL, &why), GW_E_INVALID_TOKEN);
    CU_ASSERT_PTR_EQUAL(why, gw_jwt_no_key);
    CU_ASSERT_TRUE(gw_trust_recheck(t));
    CU_ASSERT_EQUAL(gw_jwt_verify_in(rs, n, tk2, &pol, NOW, NULL, NULL, &why), GW_OK);
    rs = gw_trust_get(t, t0, &gen, &n);
    CU_ASSERT_EQUAL(gen, 1);
    /* rate-limited: a second look right away does not read the file */
    snprintf(doc, sizeof(doc), "{\"keys\":[%s]}", je);
    write_file(dir, part_path, doc);
    CU_ASSERT_FALSE(gw_trust_recheck(t));
    CU_ASSERT_EQUAL(gw_jwt_verify_in(rs, n, tk2, &pol, NOW, NULL, NULL, &why), GW_OK);
    usleep((GW_KEYRING_RECHECK_MS + 20) * 1000);
    CU_ASSERT_TRUE(gw_trust_recheck(t));
    CU_ASSERT_EQUAL(gw_jwt_verify_in(rs, n, tk2, &pol, NOW, NULL, NULL, &why), GW_E_INVALID_TOKEN);
    gw_trust_free(t);
    /* one file per realm, read once: a missing one stops the start */
    unlink(part_path);
    CU_ASSERT_PTR_NULL(gw_trust_open(c, &err));
    CU_ASSERT_PTR_NOT_NULL(err && strstr(err, "partners.json: cannot read"));
    free(err);
    gw_config_free(c);

    /* gw_user_decode asks for a recheck on an unknown kid, and verifies
     * once more when it brought new keys */
    c = unit_config_of("{\"identity\":{\"jwt\":{\"jwks_file\":\"/unused\",\"issuers\":"
                       "[\"https://sso.example.org/realms/main\"],\"audiences\":[\"my-client\"]}}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    char *only_ec = NULL;
    snprintf(doc, sizeof(doc), "{\"keys\":[%s]}", je);
    gw_jwks *ek = gw_jwks_parse(doc, strlen(doc), &only_ec);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ek);
    gw_jwt_trust few = {&c->identity.jwt.realms[0].issuers, &c->identity.jwt.realms[0].audiences, ek};
    char *pa = payload(NOW + 300, NULL);
    char *ta = mint_sign(rsa, "RS256", "{\"alg\":\"RS256\",\"kid\":\"rsa-1\"}", pa);
    char *info = var_b64("HTTP_X_USERINFO", "{\"sub\":\"alice\"}");
    char *tv = var_of("HTTP_X_RAW_ID_TOKEN", "", ta);
    char *env[] = {"REMOTE_ADDR=127.0.0.1", info, tv, NULL};
    gw_token_check tok = {.realms = &few, .nrealms = 1, .now = NOW};
    gw_user u;
    CU_ASSERT_EQUAL(gw_user_decode(c, unit_request_of(c, env), &tok, &u, &why), GW_E_INVALID_TOKEN); /* no recheck */
    tok.recheck = bring_key;
    tok.arg = &tok;
    rechecks = 0;
    CU_ASSERT_EQUAL_FATAL(gw_user_decode(c, unit_request_of(c, env), &tok, &u, &why), GW_OK);
    CU_ASSERT_EQUAL(rechecks, 1);
    CU_ASSERT_STRING_EQUAL(u.id, "alice");
    gw_user_free(&u);
    /* a bad signature is no reason to look again */
    tok.realms = &few;
    char *tb = mint_sign(ec, "ES256", "{\"alg\":\"ES256\",\"kid\":\"e1\"}", pa);
    tb[strlen(tb) - 2] ^= 1;
    char *tbv = var_of("HTTP_X_RAW_ID_TOKEN", "", tb);
    env[2] = tbv;
    CU_ASSERT_EQUAL(gw_user_decode(c, unit_request_of(c, env), &tok, &u, &why), GW_E_INVALID_TOKEN);
    CU_ASSERT_EQUAL(rechecks, 1);
    gw_jwks_free(ek);
    gw_config_free(c);
    free(pa);
    free(ta);
    free(tb);
    free(tbv);
    free(info);
    free(tv);
    unlink(main_path);
    rmdir(dir);
    free(jr);
    free(je);
    free(j2);
    free(tk2);
}
#undef pay

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
        {"back-channel logout tokens: events, iat, jti, sub or sid, no nonce", t_logout_token},
        {"identity.jwt: the token binds and overrides the userinfo", t_bind},
        {"JWKS file: rotation, bad or missing file keeps the keys", t_rotation},
        {"several issuers with their own keys and audiences; an unknown kid looks again", t_realms},
        {"cleanup", t_cleanup},
        {NULL, NULL}};
    unit_suite("jwt", tests);
}
