/*
 * config_access.c - the "access" section: the default, the login
 * redirect, the permissions file, and the rules with their matchers.
 */
#include "config_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

static void matches_free(gw_claim_match *m, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(m[i].path);
        cfg_strlist_free(&m[i].values);
    }
    free(m);
}

void cfg_rules_free(gw_config *c)
{
    for (size_t i = 0; i < c->access.nrules; i++) {
        matches_free(c->access.rules[i].claims_any, c->access.rules[i].nclaims_any);
        matches_free(c->access.rules[i].claims_all, c->access.rules[i].nclaims_all);
        free(c->access.rules[i].prefix);
        cfg_strlist_free(&c->access.rules[i].groups_any);
        cfg_strlist_free(&c->access.rules[i].scopes_any);
        cfg_strlist_free(&c->access.rules[i].permissions_any);
        cfg_strlist_free(&c->access.rules[i].methods);
        free(c->access.rules[i].audience);
    }
    free(c->access.rules);
    c->access.rules = NULL;
    c->access.nrules = 0;
    c->access.nreport = 0;
    cfg_strlist_free(&c->access.claim_paths);
}

/* A rule's "claims_any" or "claims_all": an array of
 * {"path": "realm_access.roles", "any": ["admin"]} (or "all": [...]). */
static gw_claim_match *get_matches(cfgp *p, gw_config *c, const cJSON *rule, const char *rpath,
                                   const char *key, size_t *n)
{
    static const char *const mkeys[] = {"path", "any", "all", NULL};
    const cJSON *v = cfg_member(p, rule, rpath, key, cJSON_Array,
                                "an array of {\"path\": ..., \"any\": [...]} (or \"all\")");
    *n = 0;
    if (!v)
        return NULL;
    char kp[300], ip[320];
    cfg_path(kp, sizeof(kp), rpath, key);
    if (cJSON_GetArraySize(v) == 0)
        cfg_err(p, kp, "must not be empty (leave it out)");
    gw_claim_match *m = cfg_alloc(p, kp, (size_t)cJSON_GetArraySize(v), sizeof(*m));
    if (!m)
        return NULL;
    int i = 0;
    for (const cJSON *e = v->child; e; e = e->next, i++) {
        snprintf(ip, sizeof(ip), "%s[%d]", kp, i);
        if (!cJSON_IsObject(e)) {
            cfg_err(p, ip, "expected an object {\"path\": ..., \"any\": [...]}");
            continue;
        }
        cfg_keys(p, e, ip, mkeys);
        gw_claim_match *x = &m[(*n)++];
        cfg_get_claim_path(p, e, ip, &x->path);
        const cJSON *any = cJSON_GetObjectItemCaseSensitive(e, "any");
        const cJSON *all = cJSON_GetObjectItemCaseSensitive(e, "all");
        x->all = all != NULL;
        if (!any == !all)
            cfg_err(p, ip, "needs one of \"any\" (the claim holds one of the values) or \"all\" "
                           "(it holds every one)");
        else
            cfg_get_strlist(p, e, ip, x->all ? "all" : "any", CFG_NONEMPTY, &x->values);
        if ((any || all) && x->values.n == 0)
            cfg_err(p, ip, "%s: at least one value", x->all ? "all" : "any");
        bool seen = false;
        for (size_t k = 0; x->path && k < c->access.claim_paths.n && !seen; k++)
            seen = strcmp(c->access.claim_paths.v[k], x->path) == 0;
        if (x->path && !seen && !cfg_strlist_add(p, ip, &c->access.claim_paths, x->path))
            break;
    }
    return m;
}

void cfg_parse_access(cfgp *p, gw_config *c, const cJSON *root)
{
    static const char *const keys[] = {"default", "rules", "login_redirect", "permissions_file", NULL};
    static const char *const rkeys[] = {"prefix", "access", "groups_any", "scopes_any",
                                        "claims_any", "claims_all", "permissions_any", "mode",
                                        "audience", "methods", NULL};
    char path[256], kp[256], ip[300];
    const cJSON *o = cfg_object(p, root, "", "access", keys, path, sizeof(path));
    int d = (int)c->access.deflt;
    cfg_get_enum(p, o, path, "default", cfg_accesses, &d);
    c->access.deflt = (gw_access)d;
    cfg_get_str(p, o, path, "login_redirect", CFG_ANY, &c->access.login_redirect);
    if (!c->access.permissions_file && !cfg_set_str(p, path, &c->access.permissions_file, ""))
        return;
    cfg_get_str(p, o, path, "permissions_file", CFG_ANY, &c->access.permissions_file);
    if (*c->access.permissions_file && c->access.permissions_file[0] != '/')
        cfg_err(p, "access.permissions_file", "must be an absolute path (or empty for none)");
    const cJSON *rl = cfg_member(p, o, path, "rules", cJSON_Array, "an array of objects");
    if (!rl)
        return;
    cfg_path(kp, sizeof(kp), path, "rules");
    cfg_rules_free(c);
    c->access.rules = cfg_alloc(p, kp, (size_t)cJSON_GetArraySize(rl), sizeof(gw_rule));
    if (!c->access.rules)
        return;
    int i = 0;
    for (const cJSON *e = rl->child; e; e = e->next, i++) {
        snprintf(ip, sizeof(ip), "%s[%d]", kp, i);
        if (!cJSON_IsObject(e)) {
            cfg_err(p, ip, "expected an object");
            continue;
        }
        cfg_keys(p, e, ip, rkeys);
        gw_rule *r = &c->access.rules[c->access.nrules++];
        r->access = GW_ACCESS_AUTHENTICATED;
        cfg_get_str(p, e, ip, "prefix", CFG_PREFIX, &r->prefix);
        if (!r->prefix) {
            if (!cJSON_GetObjectItemCaseSensitive(e, "prefix"))
                cfg_err(p, ip, "missing key \"prefix\"");
            if (!cfg_set_str(p, ip, &r->prefix, "/"))
                return;
        }
        int a = (int)r->access;
        cfg_get_enum(p, e, ip, "access", cfg_accesses, &a);
        r->access = (gw_access)a;
        cfg_get_strlist(p, e, ip, "groups_any", CFG_NONEMPTY, &r->groups_any);
        cfg_get_strlist(p, e, ip, "scopes_any", CFG_NONEMPTY, &r->scopes_any);
        r->claims_any = get_matches(p, c, e, ip, "claims_any", &r->nclaims_any);
        r->claims_all = get_matches(p, c, e, ip, "claims_all", &r->nclaims_all);
        cfg_get_strlist(p, e, ip, "permissions_any", CFG_NONEMPTY, &r->permissions_any);
        int mode = 0;
        cfg_get_enum(p, e, ip, "mode", cfg_modes, &mode);
        r->report = mode == 1;
        c->access.nreport += r->report;
        if (r->access == GW_ACCESS_DENY &&
            (r->groups_any.n || r->scopes_any.n || r->nclaims_any || r->nclaims_all ||
             r->permissions_any.n))
            cfg_err(p, ip, "access \"deny\" refuses every request: groups_any, scopes_any, "
                           "claims_any, claims_all and permissions_any would change nothing");
        cfg_get_str(p, e, ip, "audience", CFG_NONEMPTY, &r->audience);
        if (r->report && r->audience)
            cfg_err(p, ip, "audience: a rule in report mode decides nothing, so it names no audience");
        cfg_get_strlist(p, e, ip, "methods", CFG_NONEMPTY, &r->methods);
        for (size_t m = 0; m < r->methods.n; m++)
            if (strspn(r->methods.v[m], "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != strlen(r->methods.v[m]) ||
                strlen(r->methods.v[m]) > 16)
                cfg_err(p, ip, "methods: \"%s\" is not a request method (GET, OPTIONS, ...)",
                        r->methods.v[m]);
        /* one prefix may be given again for other methods, or in report
         * mode beside the enforced one: never twice for the same request */
        for (size_t k = 0; k + 1 < c->access.nrules; k++) {
            const gw_rule *other = &c->access.rules[k];
            if (strcmp(other->prefix, r->prefix) != 0 || other->report != r->report)
                continue;
            bool overlap = !other->methods.n && !r->methods.n;
            for (size_t x = 0; x < other->methods.n && !overlap; x++)
                for (size_t y = 0; y < r->methods.n && !overlap; y++)
                    overlap = strcmp(other->methods.v[x], r->methods.v[y]) == 0;
            if (overlap)
                cfg_err(p, ip, "prefix \"%s\" is given twice (for the same methods%s)", r->prefix,
                        r->report ? ", in report mode" : "");
        }
    }
}
