/* assertion.c - the signed identity assertion and its key set (see assertion.h). */
#include "assertion.h"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

struct gw_signkey {
    EVP_PKEY *pkey;
    const char *alg;
    bool priv;
    bool ed;                   /* EdDSA: signs the message itself, no digest */
    bool ec;                   /* ES256: the signature is re-encoded as r||s */
    char kid[GW_KID_LEN + 1];
    char *jwk;                 /* the public JWK, as JSON text */
    char *header;              /* base64url of the JWS header */
};

struct gw_keyset {
    gw_signkey **v;
    size_t n;
    const gw_signkey *signer;
};

/* A password callback that refuses: an encrypted key is not read. */
static int no_password(char *buf, int size, int rwflag, void *u)
{
    (void)buf, (void)size, (void)rwflag, (void)u;
    return 0;
}

static EVP_PKEY *pem_key(const char *pem, size_t len, bool *priv)
{
    if (len > 65536)
        return NULL;
    BIO *bio = BIO_new_mem_buf(pem, (int)len);
    EVP_PKEY *k = bio ? PEM_read_bio_PrivateKey(bio, NULL, no_password, NULL) : NULL;
    *priv = k != NULL;
    BIO_free(bio);
    if (!k && (bio = BIO_new_mem_buf(pem, (int)len))) {
        k = PEM_read_bio_PUBKEY(bio, NULL, no_password, NULL);
        BIO_free(bio);
    }
    ERR_clear_error();
    return k;
}

/* Appends "name":"base64url(bn, padded to width bytes; 0: its own)". */
static bool add_bn(gw_buf *b, const char *name, const EVP_PKEY *k, const char *param, int width)
{
    BIGNUM *bn = NULL;
    unsigned char raw[1024];
    if (EVP_PKEY_get_bn_param(k, param, &bn) != 1)
        return false;
    int n = width ? width : BN_num_bytes(bn);
    bool ok = n > 0 && (size_t)n <= sizeof(raw) && BN_bn2binpad(bn, raw, n) == n;
    BN_free(bn);
    if (ok) {
        gw_buf_printf(b, "\"%s\":\"", name);
        gw_buf_b64url(b, raw, (size_t)n);
        gw_buf_add(b, "\"", 1);
    }
    return ok;
}

/* The RFC 7638 members of k, in their lexicographic order, into b
 * (the opening brace, not the closing one). */
static bool thumb_members(gw_buf *b, gw_signkey *k)
{
    switch (EVP_PKEY_get_base_id(k->pkey)) {
    case EVP_PKEY_EC:
        gw_buf_puts(b, "{\"crv\":\"P-256\",\"kty\":\"EC\",");
        if (!add_bn(b, "x", k->pkey, OSSL_PKEY_PARAM_EC_PUB_X, 32))
            return false;
        gw_buf_add(b, ",", 1);
        return add_bn(b, "y", k->pkey, OSSL_PKEY_PARAM_EC_PUB_Y, 32);
    case EVP_PKEY_ED25519: {
        unsigned char raw[32];
        size_t n = sizeof(raw);
        if (EVP_PKEY_get_raw_public_key(k->pkey, raw, &n) != 1 || n != 32)
            return false;
        gw_buf_puts(b, "{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"");
        gw_buf_b64url(b, raw, n);
        gw_buf_add(b, "\"", 1);
        return true;
    }
    default: /* RSA */
        gw_buf_add(b, "{", 1);
        if (!add_bn(b, "e", k->pkey, OSSL_PKEY_PARAM_RSA_E, 0))
            return false;
        gw_buf_puts(b, ",\"kty\":\"RSA\",");
        return add_bn(b, "n", k->pkey, OSSL_PKEY_PARAM_RSA_N, 0);
    }
}

/* The kind of k, or why gwauth does not sign with it. */
static const char *key_kind(gw_signkey *k)
{
    char group[64];
    switch (EVP_PKEY_get_base_id(k->pkey)) {
    case EVP_PKEY_EC:
        if (EVP_PKEY_get_utf8_string_param(k->pkey, OSSL_PKEY_PARAM_GROUP_NAME, group,
                                           sizeof(group), NULL) != 1 ||
            strcmp(group, "prime256v1") != 0)
            return "an EC key on a curve other than P-256";
        k->alg = "ES256";
        k->ec = true;
        return NULL;
    case EVP_PKEY_ED25519:
        k->alg = "EdDSA";
        k->ed = true;
        return NULL;
    case EVP_PKEY_RSA:
        if (EVP_PKEY_get_bits(k->pkey) < 2048 || EVP_PKEY_get_bits(k->pkey) > 8192)
            return "an RSA key shorter than 2048 or longer than 8192 bits";
        k->alg = "RS256";
        return NULL;
    default:
        return "a key type other than EC P-256, Ed25519 or RSA";
    }
}

gw_signkey *gw_signkey_parse(const char *pem, size_t len, const char **why)
{
    gw_signkey *k = calloc(1, sizeof(*k));
    if (!k) {
        *why = "out of memory";
        return NULL;
    }
    if (!(k->pkey = pem_key(pem, len, &k->priv))) {
        static const char enc[] = "ENCRYPTED";
        bool encrypted = false;
        for (size_t i = 0; !encrypted && i + sizeof(enc) - 1 <= len; i++)
            encrypted = memcmp(pem + i, enc, sizeof(enc) - 1) == 0;
        *why = encrypted ? "an encrypted key (store it without a passphrase, readable by gwauth "
                           "alone)"
                         : "no PEM private or public key";
        free(k);
        return NULL;
    }
    if ((*why = key_kind(k))) {
        gw_signkey_free(k);
        return NULL;
    }
    gw_buf t, jwk, hdr;
    gw_buf_init(&t);
    gw_buf_init(&jwk);
    gw_buf_init(&hdr);
    unsigned char hash[GW_SHA256_LEN];
    bool ok = thumb_members(&t, k);
    gw_buf_add(&t, "}", 1);
    ok = ok && !t.oom && gw_sha256(t.data, t.len, hash);
    if (ok) {
        gw_buf kid;
        gw_buf_init(&kid);
        gw_buf_b64url(&kid, hash, sizeof(hash));
        ok = !kid.oom && kid.len == GW_KID_LEN;
        if (ok)
            memcpy(k->kid, kid.data, GW_KID_LEN + 1);
        gw_buf_free(&kid);
    }
    if (ok) {
        /* the thumbprint's members, then what a JWKS entry adds */
        gw_buf_add(&jwk, t.data, t.len - 1);
        gw_buf_printf(&jwk, ",\"use\":\"sig\",\"alg\":\"%s\",\"kid\":\"%s\"}", k->alg, k->kid);
        char h[128];
        int n = snprintf(h, sizeof(h), "{\"alg\":\"%s\",\"typ\":\"JWT\",\"kid\":\"%s\"}", k->alg,
                         k->kid);
        gw_buf_b64url(&hdr, h, (size_t)n);
        ok = !jwk.oom && !hdr.oom;
    }
    gw_buf_free(&t);
    k->jwk = jwk.data;
    k->header = hdr.data;
    if (!ok) {
        *why = "the key's public values cannot be read";
        gw_signkey_free(k);
        return NULL;
    }
    return k;
}

void gw_signkey_free(gw_signkey *k)
{
    if (!k)
        return;
    EVP_PKEY_free(k->pkey);
    free(k->jwk);
    free(k->header);
    free(k);
}

const char *gw_signkey_alg(const gw_signkey *k) { return k->alg; }
const char *gw_signkey_kid(const gw_signkey *k) { return k->kid; }
bool gw_signkey_private(const gw_signkey *k) { return k->priv; }

gw_keyset *gw_keyset_new(void) { return calloc(1, sizeof(gw_keyset)); }

void gw_keyset_free(gw_keyset *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        gw_signkey_free(s->v[i]);
    free(s->v);
    free(s);
}

bool gw_keyset_add(gw_keyset *s, gw_signkey *k)
{
    for (size_t i = 0; i < s->n; i++) {
        if (strcmp(s->v[i]->kid, k->kid) != 0)
            continue;
        if (k->priv && !s->v[i]->priv) { /* the private half replaces the public one */
            gw_signkey_free(s->v[i]);
            s->v[i] = k;
            s->signer = k;
        } else {
            if (k->priv) /* added again: it is still the newest */
                s->signer = s->v[i];
            gw_signkey_free(k);
        }
        return true;
    }
    gw_signkey **v = realloc(s->v, (s->n + 1) * sizeof(*v));
    if (!v) {
        gw_signkey_free(k);
        return false;
    }
    s->v = v;
    s->v[s->n++] = k;
    if (k->priv)
        s->signer = k;
    return true;
}

size_t gw_keyset_count(const gw_keyset *s) { return s ? s->n : 0; }
const gw_signkey *gw_keyset_signer(const gw_keyset *s) { return s ? s->signer : NULL; }

char *gw_keyset_jwks(const gw_keyset *s)
{
    gw_buf b;
    gw_buf_init(&b);
    gw_buf_puts(&b, "{\"keys\":[");
    for (size_t i = 0; i < s->n; i++) {
        if (i)
            gw_buf_add(&b, ",", 1);
        gw_buf_puts(&b, s->v[i]->jwk);
    }
    gw_buf_puts(&b, "]}\n");
    if (b.oom) {
        gw_buf_free(&b);
        return NULL;
    }
    return b.data;
}

/* Appends "name": as a JSON member name, then the value as a string. */
static void add_member(gw_buf *b, const char *name, const char *value)
{
    gw_buf_add(b, ",", 1);
    gw_buf_json_str(b, name);
    gw_buf_add(b, ":", 1);
    gw_buf_json_str(b, value);
}

static bool utf8_ok(const char *s) { return gw_utf8_valid((const unsigned char *)s, strlen(s)); }

gw_status gw_assertion_body(gw_buf *b, const gw_assertion_subject *s)
{
    bool ok = utf8_ok(s->sub);
    gw_buf_puts(b, "\"sub\":");
    gw_buf_json_str(b, s->sub);
    /* users.id is a decimal number: a number in the claims */
    bool digits = *s->uid && strspn(s->uid, "0123456789") == strlen(s->uid) && strlen(s->uid) < 20 &&
                  (s->uid[0] != '0' || !s->uid[1]); /* JSON has no leading zeros */
    if (digits)
        gw_buf_printf(b, ",\"gwauth_uid\":%s", s->uid);
    else
        add_member(b, "gwauth_uid", s->uid);
    for (size_t i = 0; i < s->n; i++) {
        if (!s->values[i])
            continue;
        ok &= utf8_ok(s->values[i]);
        add_member(b, s->names[i], s->values[i]);
    }
    if (s->with_groups) {
        gw_buf_puts(b, ",\"groups\":[");
        for (size_t i = 0; i < s->ngroups; i++) {
            ok &= utf8_ok(s->groups[i]);
            if (i)
                gw_buf_add(b, ",", 1);
            gw_buf_json_str(b, s->groups[i]);
        }
        gw_buf_add(b, "]", 1);
    }
    return ok && !b->oom ? GW_OK : GW_E_INTERNAL;
}

/* ES256: OpenSSL's DER signature as the raw r||s that JWS carries. */
static bool es256_raw(const unsigned char *der, size_t n, unsigned char raw[64])
{
    const unsigned char *p = der;
    ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)n);
    bool ok = sig && BN_bn2binpad(ECDSA_SIG_get0_r(sig), raw, 32) == 32 &&
              BN_bn2binpad(ECDSA_SIG_get0_s(sig), raw + 32, 32) == 32;
    ECDSA_SIG_free(sig);
    return ok;
}

gw_status gw_assertion_sign(const gw_signkey *k, const char *iss, const char *aud,
                            const char *body, time_t now, long ttl, gw_buf *out)
{
    unsigned char jti[16];
    if (!k->priv || RAND_bytes(jti, sizeof(jti)) != 1)
        return GW_E_INTERNAL;
    gw_buf pay;
    gw_buf_init(&pay);
    gw_buf_puts(&pay, "{\"iss\":");
    gw_buf_json_str(&pay, iss);
    gw_buf_puts(&pay, ",\"aud\":");
    gw_buf_json_str(&pay, aud);
    gw_buf_printf(&pay, ",\"iat\":%lld,\"exp\":%lld,\"jti\":\"", (long long)now,
                  (long long)now + ttl);
    gw_buf_b64url(&pay, jti, sizeof(jti));
    gw_buf_puts(&pay, "\",");
    gw_buf_puts(&pay, body);
    gw_buf_add(&pay, "}", 1);

    size_t start = out->len;
    gw_buf_puts(out, k->header);
    gw_buf_add(out, ".", 1);
    if (!pay.oom)
        gw_buf_b64url(out, pay.data, pay.len);
    gw_buf_free(&pay);
    bool ok = !pay.oom && !out->oom;
    size_t msglen = out->len - start;

    unsigned char sig[1024];
    size_t siglen = sizeof(sig);
    EVP_MD_CTX *m = ok ? EVP_MD_CTX_new() : NULL;
    ok = m && EVP_DigestSignInit(m, NULL, k->ed ? NULL : EVP_sha256(), NULL, k->pkey) == 1 &&
         EVP_DigestSign(m, NULL, &siglen, (const unsigned char *)out->data + start, msglen) == 1 &&
         siglen <= sizeof(sig) &&
         EVP_DigestSign(m, sig, &siglen, (const unsigned char *)out->data + start, msglen) == 1;
    EVP_MD_CTX_free(m);
    unsigned char raw[64];
    if (ok && k->ec) {
        ok = es256_raw(sig, siglen, raw);
        memcpy(sig, raw, sizeof(raw));
        siglen = sizeof(raw);
    }
    if (ok) {
        gw_buf_add(out, ".", 1);
        gw_buf_b64url(out, sig, siglen);
    }
    if (!ok || out->oom) {
        ERR_clear_error();
        out->len = start;
        if (out->data)
            out->data[start] = '\0';
        return GW_E_INTERNAL;
    }
    return GW_OK;
}
