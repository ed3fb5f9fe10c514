/*
 * config_identity.c - the "identity" section: where the identity comes
 * from (apisix's userinfo or claim headers), the trusted proxies, the
 * cache, and identity.jwt with its issuers' realms.
 */
#include "config_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

void cfg_claimvars_free(gw_config *c)
{
    for (size_t i = 0; i < c->identity.nclaim_headers; i++) {
        free(c->identity.claim_headers[i].claim);
        free(c->identity.claim_headers[i].var);
    }
    free(c->identity.claim_headers);
    c->identity.claim_headers = NULL;
    c->identity.nclaim_headers = 0;
}

void cfg_realms_free(gw_config *c)
{
    for (size_t i = 0; i < c->identity.jwt.nrealms; i++) {
        gw_jwt_realm *r = &c->identity.jwt.realms[i];
        cfg_strlist_free(&r->issuers);
        cfg_strlist_free(&r->audiences);
        free(r->jwks_file);
    }
    free(c->identity.jwt.realms);
    c->identity.jwt.realms = NULL;
    c->identity.jwt.nrealms = 0;
}

static const gw_jwt_realm *realm_of(const gw_config *c, const char *iss)
{
    for (size_t i = 0; i < c->identity.jwt.nrealms; i++)
        for (size_t j = 0; j < c->identity.jwt.realms[i].issuers.n; j++)
            if (strcmp(c->identity.jwt.realms[i].issuers.v[j], iss) == 0)
                return &c->identity.jwt.realms[i];
    return NULL;
}

/* "audiences": an array of client ids, or "any" (on purpose, warned). */
static void get_audiences(cfgp *p, const cJSON *o, const char *path, gw_strlist *dst, bool *any)
{
    const cJSON *aud = cJSON_GetObjectItemCaseSensitive(o, "audiences");
    if (!aud)
        return;
    *any = cJSON_IsString(aud) && strcmp(aud->valuestring, "any") == 0;
    if (*any)
        cfg_strlist_free(dst);
    else
        cfg_get_strlist(p, o, path, "audiences", CFG_NONEMPTY, dst);
}

#define GW_AUD_REQUIRED "required: the client ids the tokens are issued to (the gateway's), or \"any\""

/* identity.jwt.issuers: strings share the section's jwks_file and
 * audiences; an object {"issuer", "jwks_file", "audiences"} is a realm of
 * its own, each member defaulting to the section's. */
static void parse_jwt_issuers(cfgp *p, gw_config *c, const cJSON *o, const char *path)
{
    static const char *const keys[] = {"issuer", "jwks_file", "audiences", NULL};
    const cJSON *v = cfg_member(p, o, path, "issuers", cJSON_Array,
                                "an array of issuers (strings, or objects with issuer, jwks_file, audiences)");
    if (!v)
        return;
    char kp[256], ip[280], mp[320];
    cfg_path(kp, sizeof(kp), path, "issuers");
    cfg_realms_free(c);
    gw_jwt_realm *rs = cfg_alloc(p, kp, (size_t)cJSON_GetArraySize(v) + 1, sizeof(*rs));
    if (!rs)
        return;
    c->identity.jwt.realms = rs;
    c->identity.jwt.nrealms = 1; /* [0]: the strings */
    int i = 0;
    for (const cJSON *e = v->child; e; e = e->next, i++) {
        snprintf(ip, sizeof(ip), "%s[%d]", kp, i);
        const char *iss = NULL;
        gw_jwt_realm *r = &rs[0];
        if (cJSON_IsString(e)) {
            iss = e->valuestring;
        } else if (cJSON_IsObject(e)) {
            cfg_keys(p, e, ip, keys);
            r = &rs[c->identity.jwt.nrealms++];
            r->own = true;
            const cJSON *name = cfg_member(p, e, ip, "issuer", cJSON_String, "a string");
            if (name)
                iss = name->valuestring;
            else
                cfg_err(p, ip, "an object needs \"issuer\"");
            snprintf(mp, sizeof(mp), "%s.jwks_file", ip);
            if (!cfg_set_str(p, mp, &r->jwks_file, c->identity.jwt.jwks_file))
                return;
            cfg_get_str(p, e, ip, "jwks_file", CFG_ANY, &r->jwks_file);
            if (r->jwks_file[0] != '/')
                cfg_err(p, mp, "required (here or in identity.jwt): the absolute path of the JWKS file");
            snprintf(mp, sizeof(mp), "%s.audiences", ip);
            if (!cfg_strlist_copy(p, mp, &r->audiences, &c->identity.jwt.audiences))
                return;
            r->any_audience = c->identity.jwt.any_audience;
            get_audiences(p, e, ip, &r->audiences, &r->any_audience);
            if (!r->any_audience && r->audiences.n == 0)
                cfg_err(p, mp, "%s (here or in identity.jwt)", GW_AUD_REQUIRED);
        } else {
            cfg_err(p, ip, "expected an issuer: a string, or an object with issuer, jwks_file, audiences");
            continue;
        }
        if (!iss)
            continue;
        if (!*iss)
            cfg_err(p, ip, "must not be empty");
        else if (strlen(iss) > 511)
            cfg_err(p, ip, "an issuer is at most 511 bytes");
        else if (realm_of(c, iss))
            cfg_err(p, ip, "this issuer is listed twice (one issuer, one set of keys)");
        else if (!cfg_strlist_add(p, ip, &r->issuers, iss))
            return;
    }
}

/* identity.jwt: absent means no token is checked; present, it needs at
 * least one issuer, and for each a key file and its audiences. */
static void parse_jwt(cfgp *p, gw_config *c, const cJSON *identity, const char *ipath)
{
    static const char *const keys[] = {"header", "jwks_file", "issuers", "audiences",
                                       "leeway_seconds", NULL};
    char path[256];
    const cJSON *o = cfg_object(p, identity, ipath, "jwt", keys, path, sizeof(path));
    if (!o)
        return;
    c->identity.jwt.enabled = true;
    if (!c->identity.jwt.header &&
        !cfg_set_str(p, path, &c->identity.jwt.header, "HTTP_X_RAW_ID_TOKEN"))
        return;
    if (!c->identity.jwt.jwks_file && !cfg_set_str(p, path, &c->identity.jwt.jwks_file, ""))
        return;
    cfg_get_str(p, o, path, "header", CFG_VAR, &c->identity.jwt.header);
    cfg_get_str(p, o, path, "jwks_file", CFG_ANY, &c->identity.jwt.jwks_file);
    /* The audience is required: without it an ID token issued to any
     * client of the realm would do. "any" says so on purpose. */
    get_audiences(p, o, path, &c->identity.jwt.audiences, &c->identity.jwt.any_audience);
    c->identity.jwt.leeway_seconds = 60;
    cfg_get_long(p, o, path, "leeway_seconds", 0, 3600, &c->identity.jwt.leeway_seconds);
    parse_jwt_issuers(p, c, o, path);
    if (p->oom)
        return;
    gw_jwt_realm *shared = c->identity.jwt.nrealms ? &c->identity.jwt.realms[0] : NULL;
    if (!shared || shared->issuers.n) { /* issuers given as strings (or none at all) */
        if (!c->identity.jwt.any_audience && c->identity.jwt.audiences.n == 0)
            cfg_err(p, "identity.jwt.audiences", GW_AUD_REQUIRED);
        if (c->identity.jwt.jwks_file[0] != '/')
            cfg_err(p, "identity.jwt.jwks_file", "required: the absolute path of the JWKS file");
    }
    if (shared && shared->issuers.n) {
        if (!cfg_set_str(p, path, &shared->jwks_file, c->identity.jwt.jwks_file) ||
            !cfg_strlist_copy(p, path, &shared->audiences, &c->identity.jwt.audiences))
            return;
        shared->any_audience = c->identity.jwt.any_audience;
    } else if (shared) { /* objects only: no realm of strings */
        gw_jwt_realm *rs = c->identity.jwt.realms;
        cfg_strlist_free(&rs[0].issuers);
        memmove(rs, rs + 1, (c->identity.jwt.nrealms - 1) * sizeof(*rs));
        c->identity.jwt.nrealms--;
    }
    if (c->identity.jwt.nrealms == 0)
        cfg_err(p, "identity.jwt.issuers", "required: at least one accepted issuer");
}

void cfg_parse_identity(cfgp *p, gw_config *c, const cJSON *root)
{
    static const char *const keys[] = {"source", "header", "id_claim", "claim_headers",
                                       "max_bytes", "trusted_proxies", "cache_seconds",
                                       "cache_bytes", "jwt",
                                       NULL};
    char path[256], kp[256], ip[300];
    const cJSON *o = cfg_object(p, root, "", "identity", keys, path, sizeof(path));
    int src = (int)c->identity.source;
    cfg_get_enum(p, o, path, "source", cfg_sources, &src);
    c->identity.source = (gw_source)src;
    cfg_get_str(p, o, path, "header", CFG_VAR, &c->identity.header);
    cfg_get_str(p, o, path, "id_claim", CFG_NONEMPTY, &c->identity.id_claim);
    long mb = (long)c->identity.max_bytes;
    cfg_get_long(p, o, path, "max_bytes", 1, 1048576, &mb);
    c->identity.max_bytes = (size_t)mb;
    cfg_get_int(p, o, path, "cache_seconds", 0, 86400, &c->identity.cache_seconds);
    long cb = (long)c->identity.cache_bytes;
    cfg_get_long(p, o, path, "cache_bytes", 65536, 1073741824L, &cb);
    c->identity.cache_bytes = (size_t)cb;

    const cJSON *ch = cfg_object(p, o, path, "claim_headers", NULL, kp, sizeof(kp));
    if (ch) {
        cfg_claimvars_free(c);
        size_t n = (size_t)cJSON_GetArraySize(ch);
        if (!(c->identity.claim_headers = cfg_alloc(p, kp, n, sizeof(gw_claimvar))))
            return;
        for (const cJSON *e = ch->child; e; e = e->next) {
            cfg_path(ip, sizeof(ip), kp, e->string);
            const char *why = !*e->string ? "claim name must not be empty"
                              : gw_has_ctl(e->string) ? "claim name must not hold control characters"
                              : !cJSON_IsString(e) ? "expected a string"
                              : cfg_str_problem(e->valuestring, CFG_VAR);
            if (why) {
                cfg_err(p, ip, "%s", why);
                continue;
            }
            gw_claimvar *cv = &c->identity.claim_headers[c->identity.nclaim_headers++];
            if (!cfg_set_str(p, ip, &cv->claim, e->string) ||
                !cfg_set_str(p, ip, &cv->var, e->valuestring))
                return;
        }
    }

    const cJSON *tp = cfg_member(p, o, path, "trusted_proxies", cJSON_Array, "an array of strings");
    if (tp) {
        cfg_path(kp, sizeof(kp), path, "trusted_proxies");
        free(c->identity.proxies);
        c->identity.nproxies = 0;
        c->identity.proxies = cfg_alloc(p, kp, (size_t)cJSON_GetArraySize(tp), sizeof(gw_cidr));
        if (!c->identity.proxies)
            return;
        int i = 0;
        for (const cJSON *e = tp->child; e; e = e->next, i++) {
            snprintf(ip, sizeof(ip), "%s[%d]", kp, i);
            if (!cJSON_IsString(e))
                cfg_err(p, ip, "expected a string");
            else if (!gw_cidr_parse(e->valuestring, &c->identity.proxies[c->identity.nproxies]))
                cfg_err(p, ip, "invalid network, expected an address or ADDRESS/BITS with zero host bits");
            else
                c->identity.nproxies++;
        }
    }
    parse_jwt(p, c, o, path);
}
