/*
 * usermap.c - identity checks, decoding and mapping (README steps 1-4).
 * Pure: reads the request's parameter array, never the process
 * environment, and does no I/O.
 */
#include "usermap.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "json.h"
#include "jwt.h"
#include "util.h"

/* Checks one identity variable: repeated, then size. Sets *present when
 * it holds a non-empty value. */
static gw_status gw_check_var(const gw_request *rq, size_t slot, size_t max, bool *present)
{
    if (gw_request_count(rq, slot) > 1)
        return GW_E_DUPLICATE;
    if (gw_request_len(rq, slot)) {
        *present = true;
        if (gw_request_len(rq, slot) > max)
            return GW_E_TOO_LARGE;
    }
    return GW_OK;
}

gw_status gw_user_check(const gw_config *cfg, const gw_request *rq, bool *present)
{
    *present = false;
    /* Every identity variable obeys the same rules; the size limit applies
     * to each value. A duplicate anywhere wins over size. */
    gw_status st = GW_OK;
    for (size_t i = 0; i < cfg->nid_vars; i++) {
        gw_status s = gw_check_var(rq, rq->id[i], cfg->identity.max_bytes, present);
        if (s == GW_E_DUPLICATE)
            return s;
        if (s != GW_OK && st == GW_OK)
            st = s;
    }
    /* A repeated token is as ambiguous as a repeated identity. */
    if (cfg->identity.jwt.enabled && gw_request_count(rq, rq->jwt) > 1)
        return GW_E_DUPLICATE;
    /* Step 2 comes before the size check: an untrusted sender learns
     * nothing about the limits. */
    if (*present && !gw_cidr_match(cfg->identity.proxies, cfg->identity.nproxies,
                                   gw_request_get(rq, GW_RQ_REMOTE_ADDR)))
        return GW_E_UNTRUSTED;
    return st;
}

/* Narrows s[0..*n) to its part without leading and trailing spaces and
 * tabs (which the web servers strip from an exported value anyway). */
static const char *gw_trim(const char *s, size_t *n)
{
    while (*n && (*s == ' ' || *s == '\t')) {
        s++;
        (*n)--;
    }
    while (*n && (s[*n - 1] == ' ' || s[*n - 1] == '\t'))
        (*n)--;
    return s;
}

/* Copies the text of a claim used for the database into *dst (NULL when
 * absent or null). Refuses arrays, objects and control characters. */
static gw_status gw_claim_text(const cJSON *claims, const char *name, char **dst,
                               const char **why)
{
    *dst = NULL;
    const cJSON *v = gw_json_claim_get(claims, name);
    if (!v || cJSON_IsNull(v))
        return GW_OK;
    char num[64];
    const char *text;
    if (!gw_json_scalar_text(v, num, &text)) {
        *why = "claim is an array or object";
        return GW_E_MALFORMED;
    }
    if (gw_has_ctl(text)) {
        *why = "claim holds a control character";
        return GW_E_MALFORMED;
    }
    size_t n = strlen(text);
    text = gw_trim(text, &n);
    *dst = strndup(text, n);
    if (!*dst) {
        *why = "out of memory";
        return GW_E_INTERNAL;
    }
    return GW_OK;
}

static int gw_strcmp_p(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds the name n bytes long at s to u's groups (trimmed, written as src
 * says, cut, checked). */
static gw_status gw_group_add(gw_user *u, const gw_group_source *src, const char *s, size_t n,
                              const char **why)
{
    s = gw_trim(s, &n);
    if (src->strip_slash && n && *s == '/') {
        s++;
        n--;
    }
    if (n == 0)
        return GW_OK;
    if (u->ngroups >= u->max_groups) {
        *why = "too many groups";
        return GW_E_MALFORMED;
    }
    size_t pl = strlen(src->prefix);
    char *g = malloc(pl + n + 1);
    if (!g) {
        *why = "out of memory";
        return GW_E_INTERNAL;
    }
    memcpy(g, src->prefix, pl);
    memcpy(g + pl, s, n);
    g[pl + n] = '\0';
    for (char *q = g + pl; src->lowercase && *q; q++)
        if (*q >= 'A' && *q <= 'Z')
            *q = (char)(*q - 'A' + 'a');
    if (gw_has_ctl(g)) {
        free(g);
        *why = "group name holds a control character";
        return GW_E_MALFORMED;
    }
    if (strchr(g, ',')) {
        /* @groups is comma-joined: such a name would read as two groups.
         * It is ignored: never stored, matched or exported. */
        free(g);
        return GW_OK;
    }
    g[gw_utf8_prefix(g, GW_GROUP_MAX_CHARS)] = '\0';
    u->groups[u->ngroups++] = g;
    return GW_OK;
}

/* One source's claim: an array of strings, one comma-separated string,
 * or an empty object or array. Absent or null: no groups. */
static gw_status gw_groups_source(const cJSON *v, const gw_group_source *src, gw_user *u,
                                  const char **why)
{
    gw_status st = GW_OK;
    if (!v || cJSON_IsNull(v)) {
        return GW_OK;
    } else if (cJSON_IsString(v)) {
        for (const char *p = v->valuestring; st == GW_OK;) {
            size_t len = strcspn(p, ",");
            st = gw_group_add(u, src, p, len, why);
            if (!p[len])
                break;
            p += len + 1;
        }
    } else if (cJSON_IsArray(v)) {
        for (const cJSON *e = v->child; e && st == GW_OK; e = e->next) {
            if (!cJSON_IsString(e)) {
                *why = "groups claim holds a non-string";
                return GW_E_MALFORMED;
            }
            st = gw_group_add(u, src, e->valuestring, strlen(e->valuestring), why);
        }
    } else if (!(cJSON_IsObject(v) && !v->child)) {
        *why = "groups claim is not a list";
        return GW_E_MALFORMED;
    }
    return st;
}

/* The groups of every source (groups.claims, in order), sorted, each
 * once. */
static gw_status gw_groups_parse(const gw_config *cfg, const cJSON *claims, gw_user *u,
                                 const char **why)
{
    u->max_groups = (size_t)cfg->groups.max_count;
    u->groups = calloc(u->max_groups + 1, sizeof(char *));
    if (!u->groups) {
        *why = "out of memory";
        return GW_E_INTERNAL;
    }
    gw_status st = GW_OK;
    for (size_t i = 0; i < cfg->groups.nsources && st == GW_OK; i++)
        st = gw_groups_source(gw_json_claim_get(claims, cfg->groups.sources[i].path),
                              &cfg->groups.sources[i], u, why);
    if (st != GW_OK)
        return st;
    qsort(u->groups, u->ngroups, sizeof(char *), gw_strcmp_p);
    size_t k = 0;
    for (size_t i = 0; i < u->ngroups; i++) {
        if (k && strcmp(u->groups[k - 1], u->groups[i]) == 0)
            free(u->groups[i]);
        else
            u->groups[k++] = u->groups[i];
    }
    u->ngroups = k;
    return GW_OK;
}

gw_status gw_user_map(const gw_config *cfg, cJSON *claims, gw_user *out, const char **why)
{
    const char *dummy;
    if (!why)
        why = &dummy;
    memset(out, 0, sizeof(*out));
    out->claims = claims;
    gw_status st = GW_OK;
    if (!cJSON_IsObject(claims)) {
        *why = "not a JSON object";
        st = GW_E_MALFORMED;
        goto fail;
    }
    const cJSON *id = gw_json_claim_get(claims, cfg->identity.id_claim);
    if (!id) {
        *why = "id claim missing";
        st = GW_E_MALFORMED;
    } else if (!cJSON_IsString(id)) {
        *why = "id claim is not a string";
        st = GW_E_MALFORMED;
    } else if (!*id->valuestring) {
        *why = "id claim is empty";
        st = GW_E_MALFORMED;
    } else if (strlen(id->valuestring) > GW_ID_MAX_BYTES) {
        *why = "id claim longer than 255 bytes";
        st = GW_E_MALFORMED;
    } else if (gw_has_ctl(id->valuestring)) {
        *why = "id claim holds a control character";
        st = GW_E_MALFORMED;
    } else if (gw_has_edge_space(id->valuestring)) {
        *why = "id claim starts or ends with white space";
        st = GW_E_MALFORMED;
    }
    if (st != GW_OK)
        goto fail;
    out->id = strdup(id->valuestring);
    out->nfields = cfg->users.nfields;
    out->fields = calloc(cfg->users.nfields + 1, sizeof(char *));
    out->nrelated = cfg->users.nrelated_cols;
    out->related = calloc(out->nrelated + 1, sizeof(char *));
    if (!out->id || !out->fields || !out->related) {
        *why = "out of memory";
        st = GW_E_INTERNAL;
        goto fail;
    }
    for (size_t i = 0; i < cfg->users.nfields; i++)
        if ((st = gw_claim_text(claims, cfg->users.fields[i].claim, &out->fields[i], why)))
            goto fail;
    size_t k = 0;
    for (size_t t = 0; t < cfg->users.nrelated; t++) {
        const gw_related *r = &cfg->users.related[t];
        for (size_t c = 0; c < r->ncols; c++, k++) {
            if ((st = gw_claim_text(claims, r->cols[c].claim, &out->related[k], why)))
                goto fail;
            if (!out->related[k] && !(out->related[k] = strdup(r->cols[c].deflt))) {
                *why = "out of memory";
                st = GW_E_INTERNAL;
                goto fail;
            }
        }
    }
    if (cfg->uses_groups && (st = gw_groups_parse(cfg, claims, out, why)))
        goto fail;
    return GW_OK;
fail:
    gw_user_free(out);
    return st;
}

/* Whether claim is one that groups are read from (a list). */
static bool gw_is_group_claim(const gw_config *cfg, const char *claim)
{
    for (size_t i = 0; i < cfg->groups.nsources; i++)
        if (strcmp(cfg->groups.sources[i].path, claim) == 0)
            return true;
    return false;
}

/* The "headers" source: one claim per variable, as strings. */
static gw_status gw_claims_from_headers(const gw_config *cfg, const gw_request *rq, cJSON **out,
                                        const char **why)
{
    cJSON *claims = cJSON_CreateObject();
    if (!claims) {
        *why = "out of memory";
        return GW_E_INTERNAL;
    }
    for (size_t i = 0; i < cfg->identity.nclaim_headers; i++) {
        const char *v = gw_request_get(rq, rq->claim[i]);
        if (!v || !*v)
            continue;
        if (!gw_utf8_valid((const unsigned char *)v, gw_request_len(rq, rq->claim[i]))) {
            cJSON_Delete(claims);
            *why = "header is not UTF-8";
            return GW_E_MALFORMED;
        }
        /* lighttpd and Apache join a repeated request header with ", ":
         * for a single-valued claim that is a second header, added by the
         * client where the proxy appends instead of replacing */
        if (strstr(v, ", ") && !gw_is_group_claim(cfg, cfg->identity.claim_headers[i].claim)) {
            cJSON_Delete(claims);
            *why = "a single-valued header was sent twice (its value holds \", \")";
            return GW_E_DUPLICATE;
        }
        if (!cJSON_AddStringToObject(claims, cfg->identity.claim_headers[i].claim, v)) {
            cJSON_Delete(claims);
            *why = "out of memory";
            return GW_E_INTERNAL;
        }
    }
    *out = claims;
    return GW_OK;
}

/* The "apisix" source: base64 of a strict JSON document. */
static gw_status gw_claims_from_userinfo(const gw_request *rq, cJSON **out, const char **why)
{
    /* the one identity variable of this source */
    const char *v = rq->nid ? gw_request_get(rq, rq->id[0]) : NULL;
    if (!v || !*v) {
        *why = "no identity";
        return GW_E_MALFORMED;
    }
    size_t len = 0;
    unsigned char *json = gw_b64_decode(v, gw_request_len(rq, rq->id[0]), &len);
    if (!json) {
        *why = "bad base64";
        return GW_E_MALFORMED;
    }
    *out = gw_json_parse_strict((char *)json, len);
    free(json);
    if (!*out) {
        *why = "not strict JSON (syntax, UTF-8, control bytes, depth or repeated key)";
        return GW_E_MALFORMED;
    }
    return GW_OK;
}

const char *gw_user_token(const gw_config *cfg, const gw_request *rq)
{
    const char *v = gw_request_get(rq, rq->jwt);
    if (!v || !*v)
        return NULL;
    if (strcmp(cfg->identity.jwt.header, "HTTP_AUTHORIZATION") != 0)
        return v;
    if (strncasecmp(v, "Bearer ", 7) != 0)
        return NULL;
    for (v += 7; *v == ' '; v++)
        ;
    return *v ? v : NULL;
}

/* identity.jwt: the token must verify, name the same identity as the
 * claims, and every claim it carries replaces the unsigned one. */
static gw_status gw_claims_bind(const gw_config *cfg, const gw_request *rq, gw_token_check *tok,
                                cJSON *claims, const char **why)
{
    const cJSON *id = gw_json_claim_get(claims, cfg->identity.id_claim);
    if (!cJSON_IsString(id))
        return GW_OK; /* refused by the mapping, with its own reason */
    gw_jwt_policy pol = {
        .leeway_seconds = cfg->identity.jwt.leeway_seconds,
        .subject = id->valuestring,
        .subject_claim = cfg->identity.id_claim,
    };
    cJSON *signed_claims = NULL;
    const char *token = gw_user_token(cfg, rq);
    if (!token || !tok) {
        *why = token ? "no keys" : "no token";
        return GW_E_INVALID_TOKEN;
    }
    gw_status st = gw_jwt_verify_in(tok->realms, tok->nrealms, token, &pol, tok->now, &tok->exp,
                                    &signed_claims, why);
    if (st != GW_OK && *why == gw_jwt_no_key && tok->recheck && tok->recheck(tok->arg))
        st = gw_jwt_verify_in(tok->realms, tok->nrealms, token, &pol, tok->now, &tok->exp,
                              &signed_claims, why); /* a key that came since the last look */
    if (st != GW_OK)
        return st;
    /* what the logout checks need, from the signed claims only */
    const cJSON *iat = cJSON_GetObjectItemCaseSensitive(signed_claims, "iat");
    const cJSON *sid = cJSON_GetObjectItemCaseSensitive(signed_claims, "sid");
    tok->iat = cJSON_IsNumber(iat) && iat->valuedouble > 0 && iat->valuedouble < 1e12
                   ? (long)iat->valuedouble : 0;
    tok->sid[0] = '\0';
    tok->sid_bad = false;
    if (cJSON_IsString(sid) && strlen(sid->valuestring) < sizeof(tok->sid) && !gw_has_ctl(sid->valuestring))
        gw_strlcpy(tok->sid, sid->valuestring, sizeof(tok->sid));
    else if (sid)
        tok->sid_bad = true;
    const cJSON *iss = cJSON_GetObjectItemCaseSensitive(signed_claims, "iss");
    tok->iss[0] = '\0';
    if (cJSON_IsString(iss) && strlen(iss->valuestring) < sizeof(tok->iss))
        gw_strlcpy(tok->iss, iss->valuestring, sizeof(tok->iss));
    while (signed_claims->child) {
        cJSON *c = cJSON_DetachItemViaPointer(signed_claims, signed_claims->child);
        cJSON *old = cJSON_GetObjectItemCaseSensitive(claims, c->string);
        bool ok = old ? cJSON_ReplaceItemViaPointer(claims, old, c)
                      : cJSON_AddItemToObject(claims, c->string, c);
        if (!ok) {
            cJSON_Delete(c);
            st = GW_E_INTERNAL;
            *why = "out of memory";
            break;
        }
    }
    cJSON_Delete(signed_claims);
    return st;
}

gw_status gw_user_decode(const gw_config *cfg, const gw_request *rq, gw_token_check *tok,
                         gw_user *out, const char **why)
{
    const char *dummy;
    if (!why)
        why = &dummy;
    memset(out, 0, sizeof(*out));
    cJSON *claims = NULL;
    gw_status st = cfg->identity.source == GW_SRC_HEADERS
                       ? gw_claims_from_headers(cfg, rq, &claims, why)
                       : gw_claims_from_userinfo(rq, &claims, why);
    if (st == GW_OK && cfg->identity.jwt.enabled && cJSON_IsObject(claims))
        st = gw_claims_bind(cfg, rq, tok, claims, why);
    if (st != GW_OK) {
        cJSON_Delete(claims);
        return st;
    }
    return gw_user_map(cfg, claims, out, why);
}

/* Cuts *value to at most max characters; returns true when it did. */
static bool gw_cut(char *value, size_t max)
{
    if (!value || max == 0)
        return false;
    size_t keep = gw_utf8_prefix(value, max);
    if (!value[keep])
        return false;
    value[keep] = '\0';
    return true;
}

size_t gw_user_fit(const gw_config *cfg, gw_user *u, const gw_collens *lens,
                   void (*cut)(void *arg, const char *table, const char *column), void *arg)
{
    size_t n = 0;
    for (size_t i = 0; i < cfg->users.nfields; i++)
        if (gw_cut(u->fields[i], lens->fields[i])) {
            n++;
            if (cut)
                cut(arg, "users", cfg->users.fields[i].column);
        }
    size_t k = 0;
    for (size_t t = 0; t < cfg->users.nrelated; t++)
        for (size_t c = 0; c < cfg->users.related[t].ncols; c++, k++)
            if (gw_cut(u->related[k], lens->related[k])) {
                n++;
                if (cut)
                    cut(arg, cfg->users.related[t].table, cfg->users.related[t].cols[c].column);
            }
    return n;
}

void gw_user_free(gw_user *u)
{
    for (size_t i = 0; u->fields && i < u->nfields; i++)
        free(u->fields[i]);
    for (size_t i = 0; u->related && i < u->nrelated; i++)
        free(u->related[i]);
    for (size_t i = 0; u->groups && i < u->ngroups; i++)
        free(u->groups[i]);
    free(u->fields);
    free(u->related);
    free(u->groups);
    free(u->id);
    cJSON_Delete(u->claims);
    memset(u, 0, sizeof(*u));
}
