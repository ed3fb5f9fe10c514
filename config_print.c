/*
 * config_print.c - the effective configuration as JSON (--print-config):
 * a document that gw_config_parse accepts and that yields the same
 * configuration.
 */
#include "config_int.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

/* The document being built: ok turns false when an item cannot be made
 * or added (no memory), and the printer then returns NULL rather than a
 * document with something left out. */
typedef struct {
    bool ok;
} jsb;

static cJSON *js_got(jsb *b, cJSON *item)
{
    b->ok = b->ok && item;
    return item;
}

static void js_str(jsb *b, cJSON *o, const char *key, const char *v)
{
    js_got(b, cJSON_AddStringToObject(o, key, v));
}

static void js_num(jsb *b, cJSON *o, const char *key, double v)
{
    js_got(b, cJSON_AddNumberToObject(o, key, v));
}

static void js_bool(jsb *b, cJSON *o, const char *key, bool v)
{
    js_got(b, cJSON_AddBoolToObject(o, key, v));
}

static cJSON *js_obj(jsb *b, cJSON *o, const char *key)
{
    return js_got(b, cJSON_AddObjectToObject(o, key));
}

static cJSON *js_arr(jsb *b, cJSON *o, const char *key)
{
    return js_got(b, cJSON_AddArrayToObject(o, key));
}

/* item appended to the array a, or deleted. */
static void js_push(jsb *b, cJSON *a, cJSON *item)
{
    if (!a || !item || !cJSON_AddItemToArray(a, item)) {
        b->ok = false;
        cJSON_Delete(item);
    }
}

static void js_strs(jsb *b, cJSON *o, const char *key, const gw_strlist *l)
{
    cJSON *a = js_arr(b, o, key);
    for (size_t i = 0; a && i < l->n; i++)
        js_push(b, a, cJSON_CreateString(l->v[i]));
}

static void js_matches(jsb *b, cJSON *o, const char *key, const gw_claim_match *m, size_t n)
{
    if (!n)
        return;
    cJSON *a = js_arr(b, o, key);
    for (size_t i = 0; a && i < n; i++) {
        cJSON *x = cJSON_CreateObject();
        js_str(b, x, "path", m[i].path ? m[i].path : "");
        js_strs(b, x, m[i].all ? "all" : "any", &m[i].values);
        js_push(b, a, x);
    }
}

static void js_audiences(jsb *b, cJSON *o, bool any, const gw_strlist *l)
{
    if (any)
        js_str(b, o, "audiences", "any");
    else
        js_strs(b, o, "audiences", l);
}

char *gw_config_json(const gw_config *c)
{
    jsb bs = {true}, *b = &bs;
    cJSON *root = cJSON_CreateObject(), *o, *p, *q;

    o = js_obj(b, root, "database");
    js_str(b, o, "host", c->database.host);
    js_num(b, o, "port", c->database.port);
    js_str(b, o, "socket", c->database.socket);
    js_str(b, o, "user", c->database.user);
    js_str(b, o, "password_file", c->database.password_file);
    js_str(b, o, "name", c->database.name);
    js_num(b, o, "connect_timeout_ms", c->database.connect_timeout_ms);
    js_num(b, o, "read_timeout_ms", c->database.read_timeout_ms);
    js_str(b, o, "cluster", cfg_enum_name(cfg_clusters, c->database.galera));
    js_strs(b, o, "hosts", &c->database.hosts);
    js_num(b, o, "failback_seconds", c->database.failback_seconds);

    o = js_obj(b, root, "identity");
    js_str(b, o, "source", cfg_enum_name(cfg_sources, (int)c->identity.source));
    js_str(b, o, "header", c->identity.header);
    js_str(b, o, "id_claim", c->identity.id_claim);
    p = js_obj(b, o, "claim_headers");
    for (size_t i = 0; p && i < c->identity.nclaim_headers; i++)
        js_str(b, p, c->identity.claim_headers[i].claim, c->identity.claim_headers[i].var);
    js_num(b, o, "max_bytes", (double)c->identity.max_bytes);
    p = js_arr(b, o, "trusted_proxies");
    for (int i = 0; p && i < c->identity.nproxies; i++) {
        const gw_cidr *n = &c->identity.proxies[i];
        static const unsigned char v4[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
        char addr[64], text[80];
        bool is4 = n->bits >= 96 && memcmp(n->addr, v4, 12) == 0;
        inet_ntop(is4 ? AF_INET : AF_INET6, is4 ? n->addr + 12 : n->addr, addr, sizeof(addr));
        snprintf(text, sizeof(text), "%s/%d", addr, is4 ? n->bits - 96 : n->bits);
        js_push(b, p, cJSON_CreateString(text));
    }
    js_num(b, o, "cache_seconds", c->identity.cache_seconds);
    js_num(b, o, "cache_bytes", (double)c->identity.cache_bytes);
    if (c->identity.jwt.enabled) {
        p = js_obj(b, o, "jwt");
        js_str(b, p, "header", c->identity.jwt.header);
        js_str(b, p, "jwks_file", c->identity.jwt.jwks_file);
        js_audiences(b, p, c->identity.jwt.any_audience, &c->identity.jwt.audiences);
        cJSON *is = js_arr(b, p, "issuers");
        for (size_t i = 0; i < c->identity.jwt.nrealms; i++) {
            const gw_jwt_realm *r = &c->identity.jwt.realms[i];
            for (size_t j = 0; !r->own && j < r->issuers.n; j++)
                js_push(b, is, cJSON_CreateString(r->issuers.v[j]));
            if (r->own) {
                cJSON *ro = cJSON_CreateObject();
                js_str(b, ro, "issuer", r->issuers.v[0]);
                js_str(b, ro, "jwks_file", r->jwks_file);
                js_audiences(b, ro, r->any_audience, &r->audiences);
                js_push(b, is, ro);
            }
        }
        js_num(b, p, "leeway_seconds", (double)c->identity.jwt.leeway_seconds);
    }

    o = js_obj(b, root, "users");
    js_bool(b, o, "create", c->users.create);
    js_bool(b, o, "update", c->users.update);
    p = js_obj(b, o, "fields");
    for (size_t i = 0; p && i < c->users.nfields; i++) {
        const gw_field *f = &c->users.fields[i];
        if (f->overwrite) {
            js_str(b, p, f->claim, f->column);
        } else {
            q = js_obj(b, p, f->claim);
            js_str(b, q, "column", f->column);
            js_bool(b, q, "overwrite", false);
        }
    }
    p = js_obj(b, o, "related");
    for (size_t t = 0; p && t < c->users.nrelated; t++) {
        q = js_arr(b, p, c->users.related[t].table);
        for (size_t i = 0; q && i < c->users.related[t].ncols; i++) {
            const gw_relcol *rc = &c->users.related[t].cols[i];
            cJSON *e = cJSON_CreateArray();
            js_push(b, e, cJSON_CreateString(rc->claim));
            js_push(b, e, cJSON_CreateString(rc->column));
            js_push(b, e, cJSON_CreateString(rc->deflt));
            js_push(b, q, e);
        }
    }

    o = js_obj(b, root, "groups");
    const gw_group_source *g0 = c->groups.nsources == 1 ? &c->groups.sources[0] : NULL;
    bool plain = !c->groups.nsources || (g0 && !strcmp(g0->path, c->groups.claim) &&
                                         !*g0->prefix && !g0->strip_slash && !g0->lowercase);
    if (plain) /* "claim" says it all */
        js_str(b, o, "claim", c->groups.claim);
    cJSON *gs = plain ? NULL : js_arr(b, o, "claims");
    for (size_t i = 0; gs && i < c->groups.nsources; i++) {
        const gw_group_source *g = &c->groups.sources[i];
        cJSON *x = cJSON_CreateObject();
        js_str(b, x, "path", g->path ? g->path : "");
        js_str(b, x, "prefix", g->prefix ? g->prefix : "");
        js_bool(b, x, "strip_slash", g->strip_slash);
        js_bool(b, x, "lowercase", g->lowercase);
        js_push(b, gs, x);
    }
    if (c->groups.managed_prefix)
        js_str(b, o, "managed_prefix", c->groups.managed_prefix);
    js_num(b, o, "max_count", c->groups.max_count);
    if (c->groups.export_rules)
        js_str(b, o, "export_only", "rules");
    else if (c->groups.export_only.n)
        js_strs(b, o, "export_only", &c->groups.export_only);
    js_str(b, o, "sync", cfg_enum_name(cfg_syncs, (int)c->groups.sync));
    js_strs(b, o, "excluded", &c->groups.excluded);

    o = js_obj(b, root, "export");
    for (size_t i = 0; o && i < c->exports.n; i++) {
        const gw_export *e = &c->exports.v[i];
        js_str(b, o, e->name, e->kind == GW_EXP_COLUMN
                                                ? e->column
                                                : cfg_enum_name(cfg_export_kinds, (int)e->kind));
    }

    if (c->export_max_bytes)
        js_num(b, root, "export_max_bytes", (double)c->export_max_bytes);
    o = js_obj(b, root, "access");
    js_str(b, o, "default", cfg_enum_name(cfg_accesses, (int)c->access.deflt));
    p = js_arr(b, o, "rules");
    for (size_t i = 0; p && i < c->access.nrules; i++) {
        const gw_rule *r = &c->access.rules[i];
        if (r->implied)
            continue; /* parsing the printed document implies it again */
        q = cJSON_CreateObject();
        js_str(b, q, "prefix", r->prefix);
        js_str(b, q, "access", cfg_enum_name(cfg_accesses, (int)r->access));
        js_strs(b, q, "groups_any", &r->groups_any);
        js_strs(b, q, "scopes_any", &r->scopes_any);
        js_matches(b, q, "claims_any", r->claims_any, r->nclaims_any);
        js_matches(b, q, "claims_all", r->claims_all, r->nclaims_all);
        if (r->permissions_any.n)
            js_strs(b, q, "permissions_any", &r->permissions_any);
        if (r->report)
            js_str(b, q, "mode", cfg_enum_name(cfg_modes, r->report));
        if (r->audience)
            js_str(b, q, "audience", r->audience);
        if (r->methods.n)
            js_strs(b, q, "methods", &r->methods);
        js_push(b, p, q);
    }
    js_str(b, o, "login_redirect", c->access.login_redirect);
    js_str(b, o, "permissions_file", c->access.permissions_file);

    o = js_obj(b, root, "session");
    js_bool(b, o, "enabled", c->session.enabled);
    js_str(b, o, "cookie", c->session.cookie);
    js_num(b, o, "ttl_seconds", (double)c->session.ttl_seconds);
    js_num(b, o, "idle_seconds", (double)c->session.idle_seconds);
    js_num(b, o, "touch_seconds", (double)c->session.touch_seconds);
    js_num(b, o, "max_per_user", (double)c->session.max_per_user);
    js_bool(b, o, "secure", c->session.secure);
    js_str(b, o, "same_site", c->session.same_site);
    js_str(b, o, "establish_path", c->session.establish_path);

    o = js_obj(b, root, "logout");
    js_str(b, o, "path", c->logout.path);
    js_str(b, o, "gateway_logout_url", c->logout.gateway_logout_url);
    js_str(b, o, "gateway_session_cookie", c->logout.gateway_session_cookie);
    js_str(b, o, "default_destination", c->logout.default_destination);
    js_str(b, o, "next_param", c->logout.next_param);
    js_str(b, o, "next_cookie", c->logout.next_cookie);
    js_strs(b, o, "allowed_hosts", &c->logout.allowed_hosts);
    js_str(b, o, "backchannel_path", c->logout.backchannel_path);

    o = js_obj(b, root, "log");
    js_str(b, o, "level", cfg_enum_name(cfg_levels, (int)c->log.level));
    js_str(b, o, "format", cfg_enum_name(cfg_formats, c->log.json));

    o = js_obj(b, root, "monitor");
    js_str(b, o, "health_path", c->monitor.health_path);
    js_str(b, o, "metrics_path", c->monitor.metrics_path);
    js_str(b, o, "metrics_file", c->monitor.metrics_file);

    if (c->assertion.enabled) {
        o = js_obj(b, root, "assertion");
        js_str(b, o, "key_file", c->assertion.key_file);
        js_str(b, o, "issuer", c->assertion.issuer);
        js_str(b, o, "audience", c->assertion.audience);
        js_num(b, o, "ttl_seconds", (double)c->assertion.ttl_seconds);
        js_str(b, o, "variable", c->assertion.variable);
        js_str(b, o, "jwks_path", c->assertion.jwks_path);
    }

    o = js_obj(b, root, "fastcgi");
    js_str(b, o, "secret_file", c->fastcgi.secret_file);
    p = js_arr(b, o, "peer_uids");
    for (size_t i = 0; p && i < c->fastcgi.npeer_numbers; i++)
        js_push(b, p, cJSON_CreateNumber((double)c->fastcgi.peer_uids[i]));
    for (size_t i = 0; p && i < c->fastcgi.peer_names.n; i++)
        js_push(b, p, cJSON_CreateString(c->fastcgi.peer_names.v[i]));
    js_num(b, o, "receive_timeout_ms", c->fastcgi.receive_timeout_ms);
    js_bool(b, o, "nginx_auth_request", c->fastcgi.nginx_auth_request);

    char *text = b->ok ? cJSON_Print(root) : NULL;
    cJSON_Delete(root);
    return text;
}
