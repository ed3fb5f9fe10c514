/*
 * config_print.c - the effective configuration as JSON (--print-config):
 * a document that gw_config_parse accepts and that yields the same
 * configuration.
 */
#include "config_int.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

static void js_strs(cJSON *o, const char *key, const gw_strlist *l)
{
    cJSON *a = cJSON_AddArrayToObject(o, key);
    for (size_t i = 0; a && i < l->n; i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(l->v[i]));
}

static void js_matches(cJSON *o, const char *key, const gw_claim_match *m, size_t n)
{
    if (!n)
        return;
    cJSON *a = cJSON_AddArrayToObject(o, key);
    for (size_t i = 0; a && i < n; i++) {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "path", m[i].path ? m[i].path : "");
        js_strs(x, m[i].all ? "all" : "any", &m[i].values);
        cJSON_AddItemToArray(a, x);
    }
}

static void js_audiences(cJSON *o, bool any, const gw_strlist *l)
{
    if (any)
        cJSON_AddStringToObject(o, "audiences", "any");
    else
        js_strs(o, "audiences", l);
}

char *gw_config_json(const gw_config *c)
{
    cJSON *root = cJSON_CreateObject(), *o, *p, *q;

    o = cJSON_AddObjectToObject(root, "database");
    cJSON_AddStringToObject(o, "host", c->database.host);
    cJSON_AddNumberToObject(o, "port", c->database.port);
    cJSON_AddStringToObject(o, "socket", c->database.socket);
    cJSON_AddStringToObject(o, "user", c->database.user);
    cJSON_AddStringToObject(o, "password_file", c->database.password_file);
    cJSON_AddStringToObject(o, "name", c->database.name);
    cJSON_AddNumberToObject(o, "connect_timeout_ms", c->database.connect_timeout_ms);
    cJSON_AddNumberToObject(o, "read_timeout_ms", c->database.read_timeout_ms);
    cJSON_AddStringToObject(o, "cluster", cfg_enum_name(cfg_clusters, c->database.galera));
    js_strs(o, "hosts", &c->database.hosts);
    cJSON_AddNumberToObject(o, "failback_seconds", c->database.failback_seconds);

    o = cJSON_AddObjectToObject(root, "identity");
    cJSON_AddStringToObject(o, "source", cfg_enum_name(cfg_sources, (int)c->identity.source));
    cJSON_AddStringToObject(o, "header", c->identity.header);
    cJSON_AddStringToObject(o, "id_claim", c->identity.id_claim);
    p = cJSON_AddObjectToObject(o, "claim_headers");
    for (size_t i = 0; p && i < c->identity.nclaim_headers; i++)
        cJSON_AddStringToObject(p, c->identity.claim_headers[i].claim, c->identity.claim_headers[i].var);
    cJSON_AddNumberToObject(o, "max_bytes", (double)c->identity.max_bytes);
    p = cJSON_AddArrayToObject(o, "trusted_proxies");
    for (int i = 0; p && i < c->identity.nproxies; i++) {
        const gw_cidr *n = &c->identity.proxies[i];
        static const unsigned char v4[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
        char addr[64], text[80];
        bool is4 = n->bits >= 96 && memcmp(n->addr, v4, 12) == 0;
        inet_ntop(is4 ? AF_INET : AF_INET6, is4 ? n->addr + 12 : n->addr, addr, sizeof(addr));
        snprintf(text, sizeof(text), "%s/%d", addr, is4 ? n->bits - 96 : n->bits);
        cJSON_AddItemToArray(p, cJSON_CreateString(text));
    }
    cJSON_AddNumberToObject(o, "cache_seconds", c->identity.cache_seconds);
    cJSON_AddNumberToObject(o, "cache_bytes", (double)c->identity.cache_bytes);
    if (c->identity.jwt.enabled) {
        p = cJSON_AddObjectToObject(o, "jwt");
        cJSON_AddStringToObject(p, "header", c->identity.jwt.header);
        cJSON_AddStringToObject(p, "jwks_file", c->identity.jwt.jwks_file);
        js_audiences(p, c->identity.jwt.any_audience, &c->identity.jwt.audiences);
        cJSON *is = cJSON_AddArrayToObject(p, "issuers");
        for (size_t i = 0; i < c->identity.jwt.nrealms; i++) {
            const gw_jwt_realm *r = &c->identity.jwt.realms[i];
            for (size_t j = 0; !r->own && j < r->issuers.n; j++)
                cJSON_AddItemToArray(is, cJSON_CreateString(r->issuers.v[j]));
            if (r->own) {
                cJSON *ro = cJSON_CreateObject();
                cJSON_AddStringToObject(ro, "issuer", r->issuers.v[0]);
                cJSON_AddStringToObject(ro, "jwks_file", r->jwks_file);
                js_audiences(ro, r->any_audience, &r->audiences);
                cJSON_AddItemToArray(is, ro);
            }
        }
        cJSON_AddNumberToObject(p, "leeway_seconds", (double)c->identity.jwt.leeway_seconds);
    }

    o = cJSON_AddObjectToObject(root, "users");
    cJSON_AddBoolToObject(o, "create", c->users.create);
    cJSON_AddBoolToObject(o, "update", c->users.update);
    p = cJSON_AddObjectToObject(o, "fields");
    for (size_t i = 0; p && i < c->users.nfields; i++) {
        const gw_field *f = &c->users.fields[i];
        if (f->overwrite) {
            cJSON_AddStringToObject(p, f->claim, f->column);
        } else {
            q = cJSON_AddObjectToObject(p, f->claim);
            cJSON_AddStringToObject(q, "column", f->column);
            cJSON_AddBoolToObject(q, "overwrite", false);
        }
    }
    p = cJSON_AddObjectToObject(o, "related");
    for (size_t t = 0; p && t < c->users.nrelated; t++) {
        q = cJSON_AddArrayToObject(p, c->users.related[t].table);
        for (size_t i = 0; q && i < c->users.related[t].ncols; i++) {
            const gw_relcol *rc = &c->users.related[t].cols[i];
            cJSON *e = cJSON_CreateArray();
            cJSON_AddItemToArray(e, cJSON_CreateString(rc->claim));
            cJSON_AddItemToArray(e, cJSON_CreateString(rc->column));
            cJSON_AddItemToArray(e, cJSON_CreateString(rc->deflt));
            cJSON_AddItemToArray(q, e);
        }
    }

    o = cJSON_AddObjectToObject(root, "groups");
    const gw_group_source *g0 = c->groups.nsources == 1 ? &c->groups.sources[0] : NULL;
    bool plain = !c->groups.nsources || (g0 && !strcmp(g0->path, c->groups.claim) &&
                                         !*g0->prefix && !g0->strip_slash && !g0->lowercase);
    if (plain) /* "claim" says it all */
        cJSON_AddStringToObject(o, "claim", c->groups.claim);
    cJSON *gs = plain ? NULL : cJSON_AddArrayToObject(o, "claims");
    for (size_t i = 0; gs && i < c->groups.nsources; i++) {
        const gw_group_source *g = &c->groups.sources[i];
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "path", g->path ? g->path : "");
        cJSON_AddStringToObject(x, "prefix", g->prefix ? g->prefix : "");
        cJSON_AddBoolToObject(x, "strip_slash", g->strip_slash);
        cJSON_AddBoolToObject(x, "lowercase", g->lowercase);
        cJSON_AddItemToArray(gs, x);
    }
    if (c->groups.managed_prefix)
        cJSON_AddStringToObject(o, "managed_prefix", c->groups.managed_prefix);
    cJSON_AddNumberToObject(o, "max_count", c->groups.max_count);
    if (c->groups.export_rules)
        cJSON_AddStringToObject(o, "export_only", "rules");
    else if (c->groups.export_only.n)
        js_strs(o, "export_only", &c->groups.export_only);
    cJSON_AddStringToObject(o, "sync", cfg_enum_name(cfg_syncs, (int)c->groups.sync));
    js_strs(o, "excluded", &c->groups.excluded);

    o = cJSON_AddObjectToObject(root, "export");
    for (size_t i = 0; o && i < c->exports.n; i++) {
        const gw_export *e = &c->exports.v[i];
        cJSON_AddStringToObject(o, e->name, e->kind == GW_EXP_COLUMN
                                                ? e->column
                                                : cfg_enum_name(cfg_export_kinds, (int)e->kind));
    }

    if (c->export_max_bytes)
        cJSON_AddNumberToObject(root, "export_max_bytes", (double)c->export_max_bytes);
    o = cJSON_AddObjectToObject(root, "access");
    cJSON_AddStringToObject(o, "default", cfg_enum_name(cfg_accesses, (int)c->access.deflt));
    p = cJSON_AddArrayToObject(o, "rules");
    for (size_t i = 0; p && i < c->access.nrules; i++) {
        const gw_rule *r = &c->access.rules[i];
        if (r->implied)
            continue; /* parsing the printed document implies it again */
        q = cJSON_CreateObject();
        cJSON_AddStringToObject(q, "prefix", r->prefix);
        cJSON_AddStringToObject(q, "access", cfg_enum_name(cfg_accesses, (int)r->access));
        js_strs(q, "groups_any", &r->groups_any);
        js_strs(q, "scopes_any", &r->scopes_any);
        js_matches(q, "claims_any", r->claims_any, r->nclaims_any);
        js_matches(q, "claims_all", r->claims_all, r->nclaims_all);
        if (r->permissions_any.n)
            js_strs(q, "permissions_any", &r->permissions_any);
        if (r->report)
            cJSON_AddStringToObject(q, "mode", cfg_enum_name(cfg_modes, r->report));
        if (r->audience)
            cJSON_AddStringToObject(q, "audience", r->audience);
        if (r->methods.n)
            js_strs(q, "methods", &r->methods);
        cJSON_AddItemToArray(p, q);
    }
    cJSON_AddStringToObject(o, "login_redirect", c->access.login_redirect);
    cJSON_AddStringToObject(o, "permissions_file", c->access.permissions_file);

    o = cJSON_AddObjectToObject(root, "session");
    cJSON_AddBoolToObject(o, "enabled", c->session.enabled);
    cJSON_AddStringToObject(o, "cookie", c->session.cookie);
    cJSON_AddNumberToObject(o, "ttl_seconds", (double)c->session.ttl_seconds);
    cJSON_AddNumberToObject(o, "idle_seconds", (double)c->session.idle_seconds);
    cJSON_AddNumberToObject(o, "touch_seconds", (double)c->session.touch_seconds);
    cJSON_AddNumberToObject(o, "max_per_user", (double)c->session.max_per_user);
    cJSON_AddBoolToObject(o, "secure", c->session.secure);
    cJSON_AddStringToObject(o, "same_site", c->session.same_site);
    cJSON_AddStringToObject(o, "establish_path", c->session.establish_path);

    o = cJSON_AddObjectToObject(root, "logout");
    cJSON_AddStringToObject(o, "path", c->logout.path);
    cJSON_AddStringToObject(o, "gateway_logout_url", c->logout.gateway_logout_url);
    cJSON_AddStringToObject(o, "gateway_session_cookie", c->logout.gateway_session_cookie);
    cJSON_AddStringToObject(o, "default_destination", c->logout.default_destination);
    cJSON_AddStringToObject(o, "next_param", c->logout.next_param);
    cJSON_AddStringToObject(o, "next_cookie", c->logout.next_cookie);
    js_strs(o, "allowed_hosts", &c->logout.allowed_hosts);
    cJSON_AddStringToObject(o, "backchannel_path", c->logout.backchannel_path);

    o = cJSON_AddObjectToObject(root, "log");
    cJSON_AddStringToObject(o, "level", cfg_enum_name(cfg_levels, (int)c->log.level));
    cJSON_AddStringToObject(o, "format", cfg_enum_name(cfg_formats, c->log.json));

    o = cJSON_AddObjectToObject(root, "monitor");
    cJSON_AddStringToObject(o, "health_path", c->monitor.health_path);
    cJSON_AddStringToObject(o, "metrics_path", c->monitor.metrics_path);
    cJSON_AddStringToObject(o, "metrics_file", c->monitor.metrics_file);

    if (c->assertion.enabled) {
        o = cJSON_AddObjectToObject(root, "assertion");
        cJSON_AddStringToObject(o, "key_file", c->assertion.key_file);
        cJSON_AddStringToObject(o, "issuer", c->assertion.issuer);
        cJSON_AddStringToObject(o, "audience", c->assertion.audience);
        cJSON_AddNumberToObject(o, "ttl_seconds", (double)c->assertion.ttl_seconds);
        cJSON_AddStringToObject(o, "variable", c->assertion.variable);
        cJSON_AddStringToObject(o, "jwks_path", c->assertion.jwks_path);
    }

    o = cJSON_AddObjectToObject(root, "fastcgi");
    cJSON_AddStringToObject(o, "secret_file", c->fastcgi.secret_file);
    p = cJSON_AddArrayToObject(o, "peer_uids");
    for (size_t i = 0; p && i < c->fastcgi.npeer_numbers; i++)
        cJSON_AddItemToArray(p, cJSON_CreateNumber((double)c->fastcgi.peer_uids[i]));
    for (size_t i = 0; p && i < c->fastcgi.peer_names.n; i++)
        cJSON_AddItemToArray(p, cJSON_CreateString(c->fastcgi.peer_names.v[i]));
    cJSON_AddNumberToObject(o, "receive_timeout_ms", c->fastcgi.receive_timeout_ms);
    cJSON_AddBoolToObject(o, "nginx_auth_request", c->fastcgi.nginx_auth_request);

    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    return text;
}
