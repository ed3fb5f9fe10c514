/* rules.c - path normalization and access rules (README "How a request is decided", step 7; pure). */
#include "rules.h"

#include <stdlib.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "http.h"
#include "json.h"
#include "perms.h"
#include "util.h"

gw_status gw_rule_path_normalize(const char *uri, char **out)
{
    *out = NULL;
    if (!uri || uri[0] != '/')
        return GW_E_BAD_PATH;
    size_t n = strcspn(uri, "?#");
    /* 1. decode every escape once */
    char *dec = malloc(n + 1);
    if (!dec)
        return GW_E_INTERNAL;
    size_t d = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)uri[i];
        if (c == '%') {
            int v = gw_pct_byte(uri, i, n);
            if (v < 0) {
                free(dec);
                return GW_E_BAD_PATH;
            }
            c = (unsigned char)v;
            if (c == '/' || c == 0) {
                free(dec);
                return GW_E_BAD_PATH;
            }
            i += 2;
        }
        if (c < 0x20 || c == 0x7F) {
            free(dec);
            return GW_E_BAD_PATH;
        }
        dec[d++] = (char)c;
    }
    dec[d] = '\0';
    /* 2. segments: merge "//", resolve "." and ".." */
    char *res = malloc(d + 2);
    if (!res) {
        free(dec);
        return GW_E_INTERNAL;
    }
    size_t r = 0;
    bool trailing = false;
    const char *p = dec;
    while (*p) {
        while (*p == '/')
            p++;
        const char *seg = p;
        while (*p && *p != '/')
            p++;
        size_t len = (size_t)(p - seg);
        trailing = (*p == '/') || len == 0;
        if (len == 0)
            break;
        if (len == 1 && seg[0] == '.') {
            trailing = true;
            continue;
        }
        if (len == 2 && seg[0] == '.' && seg[1] == '.') {
            if (r == 0) { /* climbs above '/' */
                free(dec);
                free(res);
                return GW_E_BAD_PATH;
            }
            while (r > 0 && res[r - 1] != '/')
                r--;
            if (r > 0)
                r--; /* drop the '/' before the removed segment */
            trailing = true;
            continue;
        }
        res[r++] = '/';
        memcpy(res + r, seg, len);
        r += len;
    }
    if (r == 0 || trailing)
        res[r++] = '/';
    res[r] = '\0';
    free(dec);
    *out = res;
    return GW_OK;
}

static const gw_rule *rule_match(const gw_config *cfg, const char *path, const char *method,
                                 bool report)
{
    const gw_rule *best = NULL;
    size_t best_len = 0;
    for (size_t i = 0; i < cfg->access.nrules; i++) {
        const gw_rule *rl = &cfg->access.rules[i];
        size_t len = strlen(rl->prefix);
        if (rl->report != report || (rl->methods.n && !gw_strlist_has(&rl->methods, method)))
            continue;
        /* on the same prefix, the rule naming the method wins */
        bool better = !best || len > best_len || (len == best_len && rl->methods.n);
        if (better && strncmp(path, rl->prefix, len) == 0 && (!rl->implied || path[len] == '\0')) {
            best = rl;
            best_len = len;
        }
    }
    return best;
}

const gw_rule *gw_rule_match(const gw_config *cfg, const char *path, const char *method)
{
    return rule_match(cfg, path, method, false);
}

const gw_rule *gw_rule_report_match(const gw_config *cfg, const char *path, const char *method)
{
    return cfg->access.nreport ? rule_match(cfg, path, method, true) : NULL;
}

/* True when the claims grant scope s: "scope" as a space-separated string
 * (or an array), or "scp" as an array (or a space-separated string). */
static bool has_scope(const cJSON *claims, const char *s)
{
    static const char *const names[] = {"scope", "scp"};
    size_t sl = strlen(s);
    for (int k = 0; k < 2; k++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(claims, names[k]);
        if (cJSON_IsString(v)) {
            const char *p = v->valuestring;
            while (*p) {
                while (*p == ' ')
                    p++;
                size_t len = strcspn(p, " ");
                if (len == sl && strncmp(p, s, sl) == 0)
                    return true;
                p += len;
            }
        } else if (cJSON_IsArray(v)) {
            for (const cJSON *e = v->child; e; e = e->next)
                if (cJSON_IsString(e) && strcmp(e->valuestring, s) == 0)
                    return true;
        }
    }
    return false;
}

/* Whether v is a string, number or boolean whose text is value. */
static bool scalar_is(const cJSON *v, const char *value)
{
    char num[64];
    const char *text;
    return !cJSON_IsArray(v) && !cJSON_IsObject(v) && gw_json_scalar_text(v, num, &text) &&
           strcmp(text, value) == 0;
}

/* Whether the claim v (a scalar, or an array of scalars) holds value. */
static bool claim_holds(const cJSON *v, const char *value)
{
    if (!cJSON_IsArray(v))
        return scalar_is(v, value);
    for (const cJSON *e = v->child; e; e = e->next)
        if (scalar_is(e, value))
            return true;
    return false;
}

static bool match_holds(const gw_claim_match *m, const cJSON *claims)
{
    const cJSON *v = claims ? gw_json_claim_get(claims, m->path) : NULL;
    if (!v)
        return false;
    for (size_t i = 0; i < m->values.n; i++) {
        bool has = claim_holds(v, m->values.v[i]);
        if (has != m->all)
            return has; /* any: the first found; all: the first missing */
    }
    return m->all;
}

gw_status gw_rule_decide(const gw_config *cfg, const gw_rule *rule, const gw_rule_subject *s)
{
    int has_identity = s->identity;
    const char *const *groups = s->groups;
    size_t ngroups = s->ngroups;
    const cJSON *claims = s->claims;
    gw_access a = rule ? rule->access : cfg->access.deflt;
    if (a == GW_ACCESS_DENY)
        return GW_E_FORBIDDEN;
    if (!has_identity)
        return a == GW_ACCESS_ANONYMOUS ? GW_OK : GW_E_UNAUTHENTICATED;
    if (!rule)
        return GW_OK;
    if (rule->groups_any.n) {
        bool ok = false;
        for (size_t i = 0; i < rule->groups_any.n && !ok; i++)
            ok = gw_str_in(rule->groups_any.v[i], groups, ngroups);
        if (!ok)
            return GW_E_FORBIDDEN;
    }
    if (rule->scopes_any.n) {
        bool ok = false;
        for (size_t i = 0; i < rule->scopes_any.n && !ok && claims; i++)
            ok = has_scope(claims, rule->scopes_any.v[i]);
        if (!ok)
            return GW_E_FORBIDDEN;
    }
    if (rule->nclaims_any) {
        bool ok = false;
        for (size_t i = 0; i < rule->nclaims_any && !ok; i++)
            ok = match_holds(&rule->claims_any[i], claims);
        if (!ok)
            return GW_E_FORBIDDEN;
    }
    for (size_t i = 0; i < rule->nclaims_all; i++)
        if (!match_holds(&rule->claims_all[i], claims))
            return GW_E_FORBIDDEN;
    if (rule->permissions_any.n) {
        bool ok = false;
        for (size_t i = 0; i < rule->permissions_any.n && !ok; i++)
            ok = gw_perms_has(s->perms, rule->permissions_any.v[i], s->user, groups, ngroups);
        if (!ok)
            return GW_E_FORBIDDEN;
    }
    return GW_OK;
}

/* Case-blind: does the comma-separated header list name type (before
 * any ";" parameters)? */
static bool gw_accept_names(const char *accept, const char *type)
{
    size_t n = strlen(type);
    for (const char *p = accept; *p;) {
        p += strspn(p, " \t,");
        if (strncasecmp(p, type, n) == 0 && strchr(" \t;,", p[n]))
            return true;
        p += strcspn(p, ",");
    }
    return false;
}

bool gw_rule_login_fits(const gw_config *cfg, const gw_request *rq, const char *path)
{
    const char *mode = gw_request_get(rq, GW_RQ_FETCH_MODE);
    if (mode && strcasecmp(mode, "navigate") != 0)
        return false;
    const char *xrw = gw_request_get(rq, GW_RQ_REQUESTED_WITH);
    if (xrw && strcasecmp(xrw, "XMLHttpRequest") == 0)
        return false;
    const char *accept = gw_request_get(rq, GW_RQ_ACCEPT);
    if (accept && *accept && !gw_accept_names(accept, "text/html") &&
        !gw_accept_names(accept, "*/*") && !gw_accept_names(accept, "text/*"))
        return false;
    /* the login page itself (a gateway route that sends it here again) */
    return !(cfg->access.login_path && strcmp(cfg->access.login_path, path) == 0);
}

char *gw_rule_login_location(const gw_config *cfg, const char *request_uri)
{
    const char *base = cfg->access.login_redirect;
    if (!base || !*base)
        return NULL;
    char *enc = gw_http_url_encode(request_uri ? request_uri : "/");
    if (!enc)
        return NULL;
    gw_buf b;
    gw_buf_init(&b);
    gw_buf_printf(&b, "%s%snext=%s", base, strchr(base, '?') ? "&" : "?", enc);
    free(enc);
    if (b.oom) {
        gw_buf_free(&b);
        return NULL;
    }
    return b.data;
}
