/* jwt.c - JWS (compact) and JWKS verification with OpenSSL libcrypto. */
#include "jwt.h"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "json.h"
#include "util.h"

#define GW_JWT_MAX 16384 /* bytes of a token */
#define GW_KID_MAX 128

typedef enum { K_RSA, K_EC, K_ED } gw_ktype;

typedef struct {
    char kid[GW_KID_MAX + 1];
    bool has_kid;
    gw_ktype type;
    char alg[8];      /* the key's own "alg", or "" */
    EVP_PKEY *pkey;
} gw_jwk;

struct gw_jwks {
    gw_jwk *v;
    size_t n;
    size_t skipped; /* keys for encryption, other algorithms, types or curves */
};

/* base64url without padding (RFC 7515); malloc'd, NULL when invalid. */
static unsigned char *b64url(const char *s, size_t n, size_t *outlen)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] == '+' || s[i] == '/' || s[i] == '=')
            return NULL;
    return gw_b64_decode(s, n, outlen);
}

static BIGNUM *bn_of(const cJSON *o, const char *name, size_t *bytes)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!cJSON_IsString(v))
        return NULL;
    size_t n = 0;
    unsigned char *raw = b64url(v->valuestring, strlen(v->valuestring), &n);
    if (!raw || n == 0) {
        free(raw);
        return NULL;
    }
    BIGNUM *bn = BN_bin2bn(raw, (int)n, NULL);
    free(raw);
    if (bytes)
        *bytes = n;
    return bn;
}

static EVP_PKEY *key_from_params(const char *type, OSSL_PARAM_BLD *bld)
{
    EVP_PKEY *pkey = NULL;
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
    if (params && ctx && EVP_PKEY_fromdata_init(ctx) == 1 &&
        EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
        pkey = NULL;
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    return pkey;
}

/* True when the JWK holds private (or symmetric) key material. */
static bool jwk_private(const cJSON *k)
{
    static const char *const priv[] = {"d", "p", "q", "dp", "dq", "qi", "k", NULL};
    for (int i = 0; priv[i]; i++)
        if (cJSON_GetObjectItemCaseSensitive(k, priv[i]))
            return true;
    return false;
}

/* A public key from one JWK, or NULL with *why; *skip is set for a key
 * of a type or curve gwauth does not verify with (not an error). */
static EVP_PKEY *jwk_key(const cJSON *k, gw_ktype *type, const char **why, bool *skip)
{
    const cJSON *kty = cJSON_GetObjectItemCaseSensitive(k, "kty");
    if (!cJSON_IsString(kty)) {
        *why = "no kty";
        return NULL;
    }
    EVP_PKEY *pkey = NULL;
    if (strcmp(kty->valuestring, "RSA") == 0) {
        *type = K_RSA;
        BIGNUM *n = bn_of(k, "n", NULL), *e = bn_of(k, "e", NULL);
        OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
        if (n && e && bld && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) &&
            OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e))
            pkey = key_from_params("RSA", bld);
        OSSL_PARAM_BLD_free(bld);
        BN_free(n);
        BN_free(e);
        if (!pkey) {
            *why = "invalid RSA key (n, e)";
        } else if (EVP_PKEY_get_bits(pkey) < 2048) {
            *why = "RSA key shorter than 2048 bits";
            EVP_PKEY_free(pkey);
            pkey = NULL;
        }
    } else if (strcmp(kty->valuestring, "EC") == 0) {
        *type = K_EC;
        const cJSON *crv = cJSON_GetObjectItemCaseSensitive(k, "crv");
        const cJSON *x = cJSON_GetObjectItemCaseSensitive(k, "x");
        const cJSON *y = cJSON_GetObjectItemCaseSensitive(k, "y");
        if (!cJSON_IsString(crv) || strcmp(crv->valuestring, "P-256") != 0) {
            *skip = true;
            return NULL;
        }
        size_t xl = 0, yl = 0;
        unsigned char *xb = cJSON_IsString(x) ? b64url(x->valuestring, strlen(x->valuestring), &xl) : NULL;
        unsigned char *yb = cJSON_IsString(y) ? b64url(y->valuestring, strlen(y->valuestring), &yl) : NULL;
        if (xb && yb && xl == 32 && yl == 32) {
            unsigned char pub[65];
            pub[0] = 0x04; /* uncompressed point */
            memcpy(pub + 1, xb, 32);
            memcpy(pub + 33, yb, 32);
            OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
            if (bld && OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) &&
                OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof(pub)))
                pkey = key_from_params("EC", bld);
            OSSL_PARAM_BLD_free(bld);
        }
        free(xb);
        free(yb);
        if (pkey) { /* the point must be on the curve */
            EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(pkey, NULL);
            if (!c || EVP_PKEY_public_check(c) != 1) {
                EVP_PKEY_free(pkey);
                pkey = NULL;
            }
            EVP_PKEY_CTX_free(c);
        }
        if (!pkey)
            *why = "invalid P-256 key (x, y)";
    } else if (strcmp(kty->valuestring, "OKP") == 0) {
        *type = K_ED;
        const cJSON *crv = cJSON_GetObjectItemCaseSensitive(k, "crv");
        const cJSON *x = cJSON_GetObjectItemCaseSensitive(k, "x");
        if (!cJSON_IsString(crv) || strcmp(crv->valuestring, "Ed25519") != 0) {
            *skip = true;
            return NULL;
        }
        size_t xl = 0;
        unsigned char *xb = cJSON_IsString(x) ? b64url(x->valuestring, strlen(x->valuestring), &xl) : NULL;
        if (xb && xl == 32)
            pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, xb, 32);
        free(xb);
        if (!pkey)
            *why = "invalid Ed25519 key (x)";
    } else {
        *skip = true;
    }
    return pkey;
}

/* The algorithms gwauth verifies. */
static bool alg_accepted(const char *alg)
{
    return strcmp(alg, "RS256") == 0 || strcmp(alg, "PS256") == 0 || strcmp(alg, "ES256") == 0 ||
           strcmp(alg, "EdDSA") == 0;
}

/* The algorithms a key type may sign with. */
static bool alg_fits(gw_ktype t, const char *alg)
{
    switch (t) {
    case K_RSA: return strcmp(alg, "RS256") == 0 || strcmp(alg, "PS256") == 0;
    case K_EC: return strcmp(alg, "ES256") == 0;
    case K_ED: return strcmp(alg, "EdDSA") == 0;
    }
    return false;
}

/* RFC 7517 §4.3: "key_ops", when present, is an array of distinct
 * strings; a key whose operations do not include "verify" is not used
 * for verification (*skip). False when the member is malformed. */
static bool key_ops_ok(const cJSON *k, bool *skip)
{
    const cJSON *ops = cJSON_GetObjectItemCaseSensitive(k, "key_ops");
    if (!ops)
        return true;
    if (!cJSON_IsArray(ops))
        return false;
    bool verify = false;
    for (const cJSON *o = ops->child; o; o = o->next) {
        if (!cJSON_IsString(o))
            return false;
        for (const cJSON *q = ops->child; q != o; q = q->next)
            if (strcmp(q->valuestring, o->valuestring) == 0)
                return false;
        verify = verify || strcmp(o->valuestring, "verify") == 0;
    }
    *skip = !verify;
    return true;
}

gw_jwks *gw_jwks_parse(const char *json, size_t len, char **errors)
{
    gw_buf e;
    gw_buf_init(&e);
    *errors = NULL;
    cJSON *root = gw_json_parse_text(json, len);
    const cJSON *keys = cJSON_GetObjectItemCaseSensitive(root, "keys");
    gw_jwks *k = calloc(1, sizeof(*k));
    if (!k || !cJSON_IsArray(keys)) {
        gw_buf_puts(&e, "(file): expected a JSON object with a \"keys\" array\n");
        goto fail;
    }
    k->v = calloc((size_t)cJSON_GetArraySize(keys) + 1, sizeof(gw_jwk));
    if (!k->v)
        goto fail;
    int i = 0;
    for (const cJSON *j = keys->child; j; j = j->next, i++) {
        const char *why = NULL;
        gw_jwk key = {0};
        const cJSON *kid = cJSON_GetObjectItemCaseSensitive(j, "kid");
        const cJSON *use = cJSON_GetObjectItemCaseSensitive(j, "use");
        const cJSON *alg = cJSON_GetObjectItemCaseSensitive(j, "alg");
        bool skip = false;
        if (!cJSON_IsObject(j))
            why = "expected an object";
        else if (jwk_private(j))
            why = "holds private key material";
        else if (kid && (!cJSON_IsString(kid) || strlen(kid->valuestring) > GW_KID_MAX))
            why = "kid must be a string of at most 128 bytes";
        else if (use && !cJSON_IsString(use))
            why = "use must be a string";
        else if (alg && !cJSON_IsString(alg))
            why = "alg must be a string";
        else if (!key_ops_ok(j, &skip))
            why = "key_ops must be an array of distinct strings";
        else if (skip || (use && strcmp(use->valuestring, "sig") != 0) ||
                 (alg && !alg_accepted(alg->valuestring)))
            skip = true; /* an encryption key, one that may not verify, or
                            one for another algorithm */
        else
            key.pkey = jwk_key(j, &key.type, &why, &skip);
        if (skip) {
            k->skipped++;
            continue;
        }
        if (key.pkey && alg && !alg_fits(key.type, alg->valuestring)) {
            why = "alg does not fit the key type";
            EVP_PKEY_free(key.pkey);
            key.pkey = NULL;
        }
        if (!key.pkey) {
            gw_buf_printf(&e, "keys[%d]: %s\n", i, why ? why : "invalid");
            continue;
        }
        if (kid) {
            key.has_kid = true;
            gw_strlcpy(key.kid, kid->valuestring, sizeof(key.kid));
        }
        if (alg)
            gw_strlcpy(key.alg, alg->valuestring, sizeof(key.alg));
        k->v[k->n++] = key;
    }
    if (e.len || k->n == 0) {
        if (!e.len)
            gw_buf_puts(&e, "(file): no usable key\n");
        goto fail;
    }
    cJSON_Delete(root);
    return k;
fail:
    cJSON_Delete(root);
    gw_jwks_free(k);
    *errors = e.data ? e.data : strdup("out of memory\n");
    return NULL;
}

void gw_jwks_free(gw_jwks *k)
{
    if (!k)
        return;
    for (size_t i = 0; i < k->n; i++)
        EVP_PKEY_free(k->v[i].pkey);
    free(k->v);
    free(k);
}

size_t gw_jwks_count(const gw_jwks *k) { return k ? k->n : 0; }
size_t gw_jwks_skipped(const gw_jwks *k) { return k ? k->skipped : 0; }

/* ES256's raw r||s as the DER that OpenSSL verifies; malloc'd. */
static unsigned char *es256_der(const unsigned char *sig, size_t n, size_t *derlen)
{
    if (n != 64)
        return NULL;
    ECDSA_SIG *s = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(sig, 32, NULL), *ss = BN_bin2bn(sig + 32, 32, NULL);
    unsigned char *der = NULL;
    if (s && r && ss && ECDSA_SIG_set0(s, r, ss) == 1) {
        r = ss = NULL; /* owned by s now */
        int len = i2d_ECDSA_SIG(s, &der);
        if (len > 0)
            *derlen = (size_t)len;
        else
            der = NULL;
    }
    BN_free(r);
    BN_free(ss);
    ECDSA_SIG_free(s);
    return der;
}

static bool sig_ok(const gw_jwk *key, const char *alg, const unsigned char *msg, size_t msglen,
                   const unsigned char *sig, size_t siglen)
{
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    bool ok = false;
    unsigned char *der = NULL;
    size_t derlen = 0;
    if (!m)
        return false;
    if (key->type == K_ED) {
        ok = EVP_DigestVerifyInit(m, NULL, NULL, NULL, key->pkey) == 1 &&
             EVP_DigestVerify(m, sig, siglen, msg, msglen) == 1;
    } else if (EVP_DigestVerifyInit(m, &pctx, EVP_sha256(), NULL, key->pkey) == 1) {
        if (strcmp(alg, "PS256") == 0 &&
            (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
             EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1))
            goto out;
        if (key->type == K_EC) {
            der = es256_der(sig, siglen, &derlen);
            ok = der && EVP_DigestVerify(m, der, derlen, msg, msglen) == 1;
        } else {
            ok = EVP_DigestVerify(m, sig, siglen, msg, msglen) == 1;
        }
    }
out:
    OPENSSL_free(der);
    EVP_MD_CTX_free(m);
    return ok;
}

/* The numeric claim name, or false when absent or not a number. */
static bool num_claim(const cJSON *o, const char *name, double *v)
{
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!cJSON_IsNumber(c))
        return false;
    *v = c->valuedouble;
    return true;
}

static gw_status jwt_fail(const char **why, const char *reason)
{
    *why = reason;
    return GW_E_INVALID_TOKEN;
}

const char gw_jwt_no_key[] = "no key fits the token";

/* The realm whose issuers list iss, or NULL. */
static const gw_jwt_trust *realm_of(const gw_jwt_trust *realms, size_t n, const cJSON *iss)
{
    for (size_t i = 0; cJSON_IsString(iss) && i < n; i++)
        if (gw_strlist_has(realms[i].issuers, iss->valuestring))
            return &realms[i];
    return NULL;
}

gw_status gw_jwt_verify(const gw_jwks *keys, const char *token, const gw_jwt_policy *p,
                        time_t now, time_t *exp_out, cJSON **claims, const char **why)
{
    gw_jwt_trust one = {p->issuers, p->audiences, keys};
    return gw_jwt_verify_in(&one, 1, token, p, now, exp_out, claims, why);
}

gw_status gw_jwt_verify_in(const gw_jwt_trust *realms, size_t nrealms, const char *token,
                           const gw_jwt_policy *p, time_t now, time_t *exp_out, cJSON **claims,
                           const char **why)
{
    const char *dummy;
    if (!why)
        why = &dummy;
    if (!token || !realms || nrealms == 0)
        return jwt_fail(why, "no token");
    size_t tl = strlen(token);
    const char *d1 = strchr(token, '.'), *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
    if (tl > GW_JWT_MAX || !d1 || !d2 || strchr(d2 + 1, '.'))
        return jwt_fail(why, "not a compact JWS");
    size_t hl = 0, pl = 0, sl = 0;
    unsigned char *hj = b64url(token, (size_t)(d1 - token), &hl);
    unsigned char *pj = b64url(d1 + 1, (size_t)(d2 - d1 - 1), &pl);
    unsigned char *sig = b64url(d2 + 1, tl - (size_t)(d2 + 1 - token), &sl);
    cJSON *hdr = hj ? gw_json_parse_strict((char *)hj, hl) : NULL;
    cJSON *pay = pj ? gw_json_parse_strict((char *)pj, pl) : NULL;
    gw_status st = GW_E_INVALID_TOKEN;
    const gw_jwk *key = NULL;
    if (claims)
        *claims = NULL;
    if (!hdr || !pay || !sig || !cJSON_IsObject(hdr) || !cJSON_IsObject(pay)) {
        *why = "undecodable token";
        goto out;
    }
    /* the issuer chooses the keys (and audiences); it is trusted only
     * once they verified the signature */
    const cJSON *iss = cJSON_GetObjectItemCaseSensitive(pay, "iss");
    const gw_jwt_trust *realm = realm_of(realms, nrealms, iss);
    if (!realm || !realm->keys) {
        *why = "issuer not accepted";
        goto out;
    }
    const gw_jwks *keys = realm->keys;
    const cJSON *alg = cJSON_GetObjectItemCaseSensitive(hdr, "alg");
    const cJSON *kid = cJSON_GetObjectItemCaseSensitive(hdr, "kid");
    /* a key named by the token, or a parameter that changes how the
     * payload is read (RFC 7797 "b64", JWE's "zip"): never honoured, and
     * never ignored either */
    static const char *const banned[] = {"crit", "jku", "x5u", "x5c", "jwk", "b64", "zip", NULL};
    for (int i = 0; banned[i]; i++)
        if (cJSON_GetObjectItemCaseSensitive(hdr, banned[i])) {
            *why = "header names a key or extension (crit, jku, x5u, x5c, jwk, b64, zip)";
            goto out;
        }
    if (!cJSON_IsString(alg) || !alg_accepted(alg->valuestring)) {
        *why = "algorithm not accepted";
        goto out;
    }
    if (kid && !cJSON_IsString(kid)) {
        *why = "kid is not a string";
        goto out;
    }
    /* the kind of token: an ID token is untyped or "JWT"; a logout token
     * ("logout+jwt") or an access token ("at+jwt") is never one */
    const cJSON *typ = cJSON_GetObjectItemCaseSensitive(hdr, "typ");
    if (typ && !(cJSON_IsString(typ) && (strcasecmp(typ->valuestring, "JWT") == 0 ||
                                         (p->typ && strcasecmp(typ->valuestring, p->typ) == 0)))) {
        *why = "token type (typ) not accepted";
        goto out;
    }
    if (!p->typ && cJSON_GetObjectItemCaseSensitive(pay, "events")) {
        *why = "an event token (events), not an ID token";
        goto out;
    }
    size_t candidates = 0;
    for (size_t i = 0; i < keys->n; i++) {
        const gw_jwk *k = &keys->v[i];
        if (!alg_fits(k->type, alg->valuestring) || (*k->alg && strcmp(k->alg, alg->valuestring)))
            continue;
        if (kid ? (k->has_kid && strcmp(k->kid, kid->valuestring) == 0) : true) {
            key = k;
            candidates++;
        }
    }
    if (candidates != 1) {
        *why = candidates ? "several keys fit and the token names none" : gw_jwt_no_key;
        key = NULL;
        goto out;
    }
    if (!sig_ok(key, alg->valuestring, (const unsigned char *)token, (size_t)(d2 - token), sig, sl)) {
        *why = "bad signature";
        goto out;
    }
    double exp, nbf, iat, t = (double)now, lw = (double)p->leeway_seconds;
    if (!num_claim(pay, "exp", &exp)) {
        *why = "no exp";
        goto out;
    }
    /* RFC 7519 §4.1.4: not accepted on or after exp; with the leeway
     * the last second accepted is exp + leeway - 1 */
    if (t >= exp + lw) {
        *why = "expired";
        goto out;
    }
    if (exp > 1e12) { /* beyond any time_t a cast could hold safely */
        *why = "exp out of range";
        goto out;
    }
    if (cJSON_GetObjectItemCaseSensitive(pay, "nbf") && !num_claim(pay, "nbf", &nbf)) {
        *why = "nbf is not a number";
        goto out;
    }
    if (cJSON_GetObjectItemCaseSensitive(pay, "nbf") && t + lw < nbf) {
        *why = "not valid yet (nbf)";
        goto out;
    }
    if (cJSON_GetObjectItemCaseSensitive(pay, "iat") && !num_claim(pay, "iat", &iat)) {
        *why = "iat is not a number";
        goto out;
    }
    if (cJSON_GetObjectItemCaseSensitive(pay, "iat") && iat > t + lw) {
        *why = "issued in the future (iat)";
        goto out;
    }
    const gw_strlist *audiences = realm->audiences;
    if (audiences && audiences->n) {
        const cJSON *aud = cJSON_GetObjectItemCaseSensitive(pay, "aud");
        bool ok = cJSON_IsString(aud) && gw_strlist_has(audiences, aud->valuestring);
        for (const cJSON *a = cJSON_IsArray(aud) ? aud->child : NULL; a && !ok; a = a->next)
            ok = cJSON_IsString(a) && gw_strlist_has(audiences, a->valuestring);
        if (!ok) {
            *why = "audience not accepted";
            goto out;
        }
        /* OpenID Connect Core 3.1.3.7: the authorized party */
        const cJSON *azp = cJSON_GetObjectItemCaseSensitive(pay, "azp");
        if (cJSON_IsArray(aud) && cJSON_GetArraySize(aud) > 1 && !azp) {
            *why = "several audiences and no azp";
            goto out;
        }
        if (azp && !(cJSON_IsString(azp) && gw_strlist_has(audiences, azp->valuestring))) {
            *why = "authorized party (azp) not accepted";
            goto out;
        }
    }
    if (p->subject) {
        const cJSON *sub = gw_json_claim_get(pay, p->subject_claim ? p->subject_claim : "sub");
        char num[64];
        const char *text;
        if (!(cJSON_IsString(sub) || cJSON_IsNumber(sub)) || !gw_json_scalar_text(sub, num, &text) ||
            strcmp(text, p->subject) != 0) {
            *why = "subject differs from the identity";
            goto out;
        }
    }
    if (exp_out)
        *exp_out = (time_t)exp;
    if (claims) {
        *claims = pay;
        pay = NULL;
    }
    st = GW_OK;
out:
    cJSON_Delete(hdr);
    cJSON_Delete(pay);
    free(hj);
    free(pj);
    free(sig);
    return st;
}

#define GW_BCL_EVENT "http://schemas.openid.net/event/backchannel-logout"

/* A string claim of at most 255 bytes, copied; NULL when absent. *bad
 * when present but not such a string. */
static char *lt_str(const cJSON *pay, const char *name, bool *bad)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(pay, name);
    if (!v)
        return NULL;
    if (!cJSON_IsString(v) || !*v->valuestring || strlen(v->valuestring) > GW_ID_MAX_BYTES ||
        gw_has_ctl(v->valuestring)) {
        *bad = true;
        return NULL;
    }
    char *s = strdup(v->valuestring);
    if (!s)
        *bad = true;
    return s;
}

gw_status gw_logout_token_verify(const gw_jwt_trust *realms, size_t n, const char *token,
                                 const gw_jwt_policy *p, time_t now, long max_age,
                                 gw_logout_token *lt, const char **why)
{
    memset(lt, 0, sizeof(*lt));
    gw_jwt_policy pol = *p;
    pol.typ = "logout+jwt";
    pol.subject = NULL;
    cJSON *pay = NULL;
    time_t exp = 0;
    gw_status st = gw_jwt_verify_in(realms, n, token, &pol, now, &exp, &pay, why);
    if (st != GW_OK)
        return st;
    double iat;
    bool bad = false;
    const cJSON *events = cJSON_GetObjectItemCaseSensitive(pay, "events");
    const cJSON *ev = cJSON_IsObject(events) ? cJSON_GetObjectItemCaseSensitive(events, GW_BCL_EVENT)
                                             : NULL;
    st = GW_E_INVALID_TOKEN;
    if (!num_claim(pay, "iat", &iat) || iat > 1e12)
        *why = "no iat";
    else if (iat < (double)now - (double)max_age - (double)p->leeway_seconds)
        *why = "issued too long ago (iat)";
    else if (!cJSON_IsObject(ev))
        *why = "no back-channel logout event (events)";
    else if (cJSON_GetObjectItemCaseSensitive(pay, "nonce"))
        *why = "a nonce (a logout token has none)";
    else {
        lt->jti = lt_str(pay, "jti", &bad);
        lt->sub = lt_str(pay, "sub", &bad);
        lt->sid = lt_str(pay, "sid", &bad);
        const cJSON *iss = cJSON_GetObjectItemCaseSensitive(pay, "iss");
        lt->iss = cJSON_IsString(iss) ? strdup(iss->valuestring) : NULL;
        if (bad || !lt->iss)
            *why = "sub, sid or jti is not a short string";
        else if (!lt->jti)
            *why = "no jti";
        else if (!lt->sub && !lt->sid)
            *why = "neither sub nor sid";
        else {
            lt->iat = (long)iat;
            lt->exp = (long)exp;
            st = GW_OK;
        }
    }
    cJSON_Delete(pay);
    if (st != GW_OK)
        gw_logout_token_free(lt);
    return st;
}

void gw_logout_token_free(gw_logout_token *lt)
{
    free(lt->sub);
    free(lt->sid);
    free(lt->jti);
    free(lt->iss);
    memset(lt, 0, sizeof(*lt));
}
