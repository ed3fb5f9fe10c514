/*
 * config_sections.c - the sections with no file of their own: database,
 * users (fields, related tables), groups, export, session, logout, log,
 * monitor, assertion, fastcgi.
 */
#include "config_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "json.h"

/* Columns of users that gwauth itself manages; they cannot be mapped. */
static const char *const gw_reserved_user_columns[] = {
    "id", "global_id", "is_active", "created_at", "updated_at", "logged_out_at", NULL};
/* Tables of the base schema that cannot be used as related tables. */
static const char *const gw_reserved_tables[] = {
    "users", "groups", "user_groups", "sessions", "leases", "logout_tokens", "ended_sids", "schema_migrations", NULL};

/* Whether s is in list, ignoring ASCII letter case: MariaDB's column
 * names (and, on most servers, table names) are case-insensitive. */
static bool in_list_ci(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (strcasecmp(s, *list) == 0)
            return true;
    return false;
}

void cfg_parse_database(cfgp *p, gw_config *c, const cJSON *root)
{
    static const char *const keys[] = {"host", "port", "socket", "user", "password_file",
                                       "name", "connect_timeout_ms", "read_timeout_ms", "cluster",
                                       "hosts", "failback_seconds", NULL};
    char path[256];
    const cJSON *o = cfg_object(p, root, "", "database", keys, path, sizeof(path));
    cfg_get_str(p, o, path, "host", CFG_NONEMPTY, &c->database.host);
    cfg_get_int(p, o, path, "port", 1, 65535, &c->database.port);
    cfg_get_str(p, o, path, "socket", CFG_ANY, &c->database.socket);
    cfg_get_str(p, o, path, "user", CFG_NONEMPTY, &c->database.user);
    cfg_get_str(p, o, path, "password_file", CFG_ANY, &c->database.password_file);
    cfg_get_str(p, o, path, "name", CFG_NONEMPTY, &c->database.name);
    cfg_get_int(p, o, path, "connect_timeout_ms", 1, 600000, &c->database.connect_timeout_ms);
    cfg_get_int(p, o, path, "read_timeout_ms", 1, 600000, &c->database.read_timeout_ms);
    int cl = c->database.galera;
    cfg_get_enum(p, o, path, "cluster", cfg_clusters, &cl);
    c->database.galera = cl == 1;
    cfg_get_strlist(p, o, path, "hosts", CFG_NONEMPTY, &c->database.hosts);
    cfg_get_int(p, o, path, "failback_seconds", 1, 86400, &c->database.failback_seconds);
}

void cfg_fields_free(gw_config *c)
{
    for (size_t i = 0; i < c->users.nfields; i++) {
        free(c->users.fields[i].claim);
        free(c->users.fields[i].column);
    }
    free(c->users.fields);
    c->users.fields = NULL;
    c->users.nfields = 0;
}

void cfg_related_free(gw_config *c)
{
    for (size_t t = 0; t < c->users.nrelated; t++) {
        gw_related *r = &c->users.related[t];
        for (size_t i = 0; i < r->ncols; i++) {
            free(r->cols[i].claim);
            free(r->cols[i].column);
            free(r->cols[i].deflt);
        }
        free(r->cols);
        free(r->table);
    }
    free(c->users.related);
    c->users.related = NULL;
    c->users.nrelated = 0;
}

static void parse_fields(cfgp *p, gw_config *c, const cJSON *fo, const char *kp)
{
    static const char *const fkeys[] = {"column", "overwrite", NULL};
    char ip[300];
    cfg_fields_free(c);
    c->users.fields = cfg_alloc(p, kp, (size_t)cJSON_GetArraySize(fo), sizeof(gw_field));
    if (!c->users.fields)
        return;
    for (const cJSON *e = fo->child; e; e = e->next) {
        cfg_path(ip, sizeof(ip), kp, e->string);
        if (!*e->string || gw_has_ctl(e->string)) {
            cfg_err(p, ip, "claim name must be non-empty text without control characters");
            continue;
        }
        if (gw_json_claim_path_problem(e->string)) {
            cfg_err(p, ip, "%s", gw_json_claim_path_problem(e->string));
            continue;
        }
        const char *col = NULL;
        bool overwrite = true;
        if (cJSON_IsString(e)) {
            col = e->valuestring;
        } else if (cJSON_IsObject(e)) {
            cfg_keys(p, e, ip, fkeys);
            const cJSON *cv = cfg_member(p, e, ip, "column", cJSON_String, "a string");
            if (!cv && !cJSON_GetObjectItemCaseSensitive(e, "column"))
                cfg_err(p, ip, "missing key \"column\"");
            col = cv ? cv->valuestring : NULL;
            cfg_get_bool(p, e, ip, "overwrite", &overwrite);
        } else {
            cfg_err(p, ip, "expected a column name or {\"column\": ..., \"overwrite\": ...}");
        }
        if (!col)
            continue;
        if (!gw_is_identifier(col)) {
            cfg_err(p, ip, "column must be a plain identifier [A-Za-z_][A-Za-z0-9_]{0,63}");
            continue;
        }
        if (in_list_ci(col, gw_reserved_user_columns)) {
            cfg_err(p, ip, "column \"%s\" is managed by gwauth and cannot be mapped", col);
            continue;
        }
        bool dup = false;
        for (size_t i = 0; i < c->users.nfields; i++)
            dup |= strcasecmp(c->users.fields[i].column, col) == 0;
        if (dup) {
            cfg_err(p, ip, "column \"%s\" is mapped twice", col);
            continue;
        }
        gw_field *f = &c->users.fields[c->users.nfields++];
        f->overwrite = overwrite;
        if (!cfg_set_str(p, ip, &f->claim, e->string) || !cfg_set_str(p, ip, &f->column, col))
            return;
    }
}

static void parse_related(cfgp *p, gw_config *c, const cJSON *ro, const char *kp)
{
    char tp[300], ip[340];
    cfg_related_free(c);
    c->users.related = cfg_alloc(p, kp, (size_t)cJSON_GetArraySize(ro), sizeof(gw_related));
    if (!c->users.related)
        return;
    for (const cJSON *t = ro->child; t; t = t->next) {
        cfg_path(tp, sizeof(tp), kp, t->string);
        if (!gw_is_identifier(t->string)) {
            cfg_err(p, tp, "table must be a plain identifier [A-Za-z_][A-Za-z0-9_]{0,63}");
            continue;
        }
        if (in_list_ci(t->string, gw_reserved_tables)) {
            cfg_err(p, tp, "table \"%s\" belongs to gwauth and cannot be a related table", t->string);
            continue;
        }
        if (!cJSON_IsArray(t)) {
            cfg_err(p, tp, "expected an array of [claim, column, default]");
            continue;
        }
        gw_related *r = &c->users.related[c->users.nrelated++];
        if (!cfg_set_str(p, tp, &r->table, t->string) ||
            !(r->cols = cfg_alloc(p, tp, (size_t)cJSON_GetArraySize(t), sizeof(gw_relcol))))
            return;
        int i = 0;
        for (const cJSON *e = t->child; e; e = e->next, i++) {
            snprintf(ip, sizeof(ip), "%s[%d]", tp, i);
            const cJSON *cl = cJSON_GetArrayItem(e, 0), *co = cJSON_GetArrayItem(e, 1),
                        *de = cJSON_GetArrayItem(e, 2);
            char num[64];
            const char *dtext = NULL;
            if (!cJSON_IsArray(e) || cJSON_GetArraySize(e) != 3 || !cJSON_IsString(cl) ||
                !cJSON_IsString(co)) {
                cfg_err(p, ip, "expected [claim, column, default]");
                continue;
            }
            if (!*cl->valuestring || gw_has_ctl(cl->valuestring)) {
                cfg_err(p, ip, "claim name must be non-empty text without control characters");
                continue;
            }
            if (gw_json_claim_path_problem(cl->valuestring)) {
                cfg_err(p, ip, "%s", gw_json_claim_path_problem(cl->valuestring));
                continue;
            }
            if (!gw_is_identifier(co->valuestring) || strcasecmp(co->valuestring, "user_id") == 0) {
                cfg_err(p, ip, "column must be a plain identifier other than user_id");
                continue;
            }
            if (!gw_json_scalar_text(de, num, &dtext) || gw_has_ctl(dtext)) {
                cfg_err(p, ip, "default must be a string, number or boolean without control characters");
                continue;
            }
            bool dup = false;
            for (size_t k = 0; k < r->ncols; k++)
                dup |= strcasecmp(r->cols[k].column, co->valuestring) == 0;
            if (dup) {
                cfg_err(p, ip, "column \"%s\" is mapped twice", co->valuestring);
                continue;
            }
            gw_relcol *rc = &r->cols[r->ncols++];
            if (!cfg_set_str(p, ip, &rc->claim, cl->valuestring) ||
                !cfg_set_str(p, ip, &rc->column, co->valuestring) ||
                !cfg_set_str(p, ip, &rc->deflt, dtext))
                return;
        }
    }
}

void cfg_parse_users(cfgp *p, gw_config *c, const cJSON *root)
{
    static const char *const keys[] = {"create", "update", "fields", "related", NULL};
    char path[256], kp[256];
    const cJSON *o = cfg_object(p, root, "", "users", keys, path, sizeof(path));
    cfg_get_bool(p, o, path, "create", &c->users.create);
    cfg_get_bool(p, o, path, "update", &c->users.update);
    const cJSON *fo = cfg_object(p, o, path, "fields", NULL, kp, sizeof(kp));
    if (fo)
        parse_fields(p, c, fo, kp);
    const cJSON *ro = cfg_object(p, o, path, "related", NULL, kp, sizeof(kp));
    if (ro)
        parse_related(p, c, ro, kp);
}

void cfg_sources_free(gw_config *c)
{
    for (size_t i = 0; i < c->groups.nsources; i++) {
        free(c->groups.sources[i].path);
        free(c->groups.sources[i].prefix);
    }
    free(c->groups.sources);
    c->groups.sources = NULL;
    c->groups.nsources = 0;
}

/* groups.claims: [{"path": "realm_access.roles", "prefix": "role:",
 * "strip_slash": false, "lowercase": false}, ...], merged in order. */
static void parse_group_sources(cfgp *p, gw_config *c, const cJSON *o, const char *path)
{
    static const char *const skeys[] = {"path", "prefix", "strip_slash", "lowercase", NULL};
    const cJSON *v = cfg_member(p, o, path, "claims", cJSON_Array,
                                "an array of {\"path\": ..., \"prefix\": ...}");
    if (!v)
        return;
    char kp[256], ip[280];
    cfg_path(kp, sizeof(kp), path, "claims");
    if (cJSON_GetObjectItemCaseSensitive(o, "claim"))
        cfg_err(p, kp, "give \"claim\" or \"claims\", not both");
    if (cJSON_GetArraySize(v) == 0)
        cfg_err(p, kp, "must not be empty (leave it out for \"claim\")");
    cfg_sources_free(c);
    c->groups.sources = cfg_alloc(p, kp, (size_t)cJSON_GetArraySize(v), sizeof(gw_group_source));
    if (!c->groups.sources)
        return;
    int i = 0;
    for (const cJSON *e = v->child; e; e = e->next, i++) {
        snprintf(ip, sizeof(ip), "%s[%d]", kp, i);
        if (!cJSON_IsObject(e)) {
            cfg_err(p, ip, "expected an object {\"path\": ..., \"prefix\": ...}");
            continue;
        }
        cfg_keys(p, e, ip, skeys);
        gw_group_source *g = &c->groups.sources[c->groups.nsources++];
        cfg_get_claim_path(p, e, ip, &g->path);
        if (!cfg_set_str(p, ip, &g->prefix, ""))
            return;
        cfg_get_str(p, e, ip, "prefix", CFG_ANY, &g->prefix);
        if (strchr(g->prefix, ',') || gw_has_ctl(g->prefix) || strlen(g->prefix) > 64)
            cfg_err(p, ip, "prefix: at most 64 bytes, no comma or control character");
        cfg_get_bool(p, e, ip, "strip_slash", &g->strip_slash);
        cfg_get_bool(p, e, ip, "lowercase", &g->lowercase);
        for (size_t k = 0; g->path && k + 1 < c->groups.nsources; k++)
            if (c->groups.sources[k].path && strcmp(c->groups.sources[k].path, g->path) == 0 &&
                strcmp(c->groups.sources[k].prefix, g->prefix) == 0)
                cfg_err(p, ip, "the same path and prefix twice");
    }
}

void cfg_parse_groups(cfgp *p, gw_config *c, const cJSON *root)
{
    static const char *const keys[] = {"claim", "claims", "sync", "excluded", "managed_prefix",
                                       "max_count", "export_only", NULL};
    char path[256];
    const cJSON *o = cfg_object(p, root, "", "groups", keys, path, sizeof(path));
    cfg_get_str(p, o, path, "claim", CFG_NONEMPTY, &c->groups.claim);
    int s = (int)c->groups.sync;
    cfg_get_enum(p, o, path, "sync", cfg_syncs, &s);
    c->groups.sync = (gw_sync)s;
    cfg_get_strlist(p, o, path, "excluded", CFG_NONEMPTY, &c->groups.excluded);
    cfg_get_str(p, o, path, "managed_prefix", CFG_NONEMPTY, &c->groups.managed_prefix);
    cfg_get_int(p, o, path, "max_count", 1, GW_GROUPS_LIMIT, &c->groups.max_count);
    parse_group_sources(p, c, o, path);
    /* export_only: "rules", or names and prefixes ("app:*") */
    const cJSON *eo = cJSON_GetObjectItemCaseSensitive(o, "export_only");
    if (cJSON_IsString(eo) && strcmp(eo->valuestring, "rules") == 0) {
        c->groups.export_rules = true;
    } else if (eo) {
        c->groups.export_rules = false;
        cfg_get_strlist(p, o, path, "export_only", CFG_NONEMPTY, &c->groups.export_only);
        if (cJSON_IsArray(eo) && c->groups.export_only.n == 0)
            cfg_err(p, "groups.export_only", "must not be empty (leave it out to export every group)");
    }
}

void cfg_exports_free(gw_config *c)
{
    for (size_t i = 0; i < c->exports.n; i++) {
        free(c->exports.v[i].name);
        free(c->exports.v[i].column);
    }
    free(c->exports.v);
    c->exports.v = NULL;
    c->exports.n = 0;
}

void cfg_parse_export(cfgp *p, gw_config *c, const cJSON *root)
{
    char path[256], ip[300];
    const cJSON *o = cfg_object(p, root, "", "export", NULL, path, sizeof(path));
    if (!o)
        return;
    cfg_exports_free(c);
    c->exports.v = cfg_alloc(p, path, (size_t)cJSON_GetArraySize(o), sizeof(gw_export));
    if (!c->exports.v)
        return;
    for (const cJSON *e = o->child; e; e = e->next) {
        cfg_path(ip, sizeof(ip), path, e->string);
        if (!gw_is_var_name(e->string)) {
            cfg_err(p, ip, "variable name must match [A-Z][A-Z0-9_]*");
            continue;
        }
        const char *v = cJSON_IsString(e) ? e->valuestring : NULL;
        int kind = GW_EXP_COLUMN;
        if (!v || (!cfg_enum_value(cfg_export_kinds, v, &kind) && !gw_is_identifier(v))) {
            cfg_err(p, ip, "expected a users column, \"@groups\", \"@source\" or \"@permissions\"");
            continue;
        }
        gw_export *d = &c->exports.v[c->exports.n++];
        d->kind = (gw_export_kind)kind;
        if (!cfg_set_str(p, ip, &d->name, e->string) ||
            (d->kind == GW_EXP_COLUMN && !cfg_set_str(p, ip, &d->column, v)))
            return;
    }
}

void cfg_parse_session(cfgp *p, gw_config *c, const cJSON *root)
{
    static const char *const keys[] = {"enabled", "cookie", "ttl_seconds", "idle_seconds",
                                       "touch_seconds", "max_per_user", "secure",
                                       "same_site", "establish_path", NULL};
    char path[256];
    const cJSON *o = cfg_object(p, root, "", "session", keys, path, sizeof(path));
    cfg_get_bool(p, o, path, "enabled", &c->session.enabled);
    cfg_get_str(p, o, path, "cookie", CFG_TOKEN, &c->session.cookie);
    cfg_get_long(p, o, path, "ttl_seconds", 60, 31622400, &c->session.ttl_seconds);
    cfg_get_long(p, o, path, "idle_seconds", 0, 31622400, &c->session.idle_seconds);
    cfg_get_long(p, o, path, "touch_seconds", 1, 3600, &c->session.touch_seconds);
    cfg_get_long(p, o, path, "max_per_user", 0, 1000, &c->session.max_per_user);
    if (c->session.idle_seconds && c->session.idle_seconds < 2 * c->session.touch_seconds)
        cfg_err(p, "session.idle_seconds", "must be 0 (off) or at least twice touch_seconds (%ld)",
                c->session.touch_seconds);
    cfg_get_bool(p, o, path, "secure", &c->session.secure);
    int s = 1; /* "Lax" */
    if (c->session.same_site)
        cfg_enum_value(cfg_same_sites, c->session.same_site, &s);
    cfg_get_enum(p, o, path, "same_site", cfg_same_sites, &s);
    cfg_set_str(p, path, &c->session.same_site, cfg_enum_name(cfg_same_sites, s));
    cfg_get_str(p, o, path, "establish_path", CFG_PATH, &c->session.establish_path);
}

void cfg_parse_logout(cfgp *p, gw_config *c, const cJSON *root)
{
    static const char *const keys[] = {"path", "gateway_logout_url", "gateway_session_cookie",
                                       "default_destination", "next_param", "next_cookie",
                                       "allowed_hosts", "backchannel_path", NULL};
    char path[256];
    const cJSON *o = cfg_object(p, root, "", "logout", keys, path, sizeof(path));
    cfg_get_str(p, o, path, "path", CFG_PATH, &c->logout.path);
    cfg_get_str(p, o, path, "gateway_logout_url", CFG_NONEMPTY, &c->logout.gateway_logout_url);
    cfg_get_str(p, o, path, "gateway_session_cookie", CFG_TOKEN_OPT, &c->logout.gateway_session_cookie);
    cfg_get_str(p, o, path, "default_destination", CFG_PATH, &c->logout.default_destination);
    cfg_get_str(p, o, path, "next_param", CFG_TOKEN, &c->logout.next_param);
    cfg_get_str(p, o, path, "next_cookie", CFG_TOKEN, &c->logout.next_cookie);
    cfg_get_strlist(p, o, path, "allowed_hosts", CFG_NONEMPTY, &c->logout.allowed_hosts);
    cfg_get_opt_path(p, o, path, "backchannel_path", &c->logout.backchannel_path);
}

void cfg_parse_log(cfgp *p, gw_config *c, const cJSON *root)
{
    static const char *const keys[] = {"level", "format", NULL};
    char path[256];
    const cJSON *o = cfg_object(p, root, "", "log", keys, path, sizeof(path));
    int l = (int)c->log.level, f = c->log.json ? 1 : 0;
    cfg_get_enum(p, o, path, "level", cfg_levels, &l);
    cfg_get_enum(p, o, path, "format", cfg_formats, &f);
    c->log.level = (gw_log_level)l;
    c->log.json = f == 1;
}

void cfg_parse_monitor(cfgp *p, gw_config *c, const cJSON *root)
{
    static const char *const keys[] = {"health_path", "metrics_path", "metrics_file", NULL};
    char path[256];
    const cJSON *o = cfg_object(p, root, "", "monitor", keys, path, sizeof(path));
    cfg_get_opt_path(p, o, path, "health_path", &c->monitor.health_path);
    cfg_get_opt_path(p, o, path, "metrics_path", &c->monitor.metrics_path);
    cfg_get_str(p, o, path, "metrics_file", CFG_ANY, &c->monitor.metrics_file);
    if (c->monitor.metrics_file && *c->monitor.metrics_file && c->monitor.metrics_file[0] != '/')
        cfg_err(p, "monitor.metrics_file", "must be an absolute path (or empty: each process "
                "counts alone)");
}

/* assertion: absent means none is signed; present, it needs the key file,
 * the issuer and the audience. */
void cfg_parse_assertion(cfgp *p, gw_config *c, const cJSON *root)
{
    static const char *const keys[] = {"key_file", "issuer", "audience", "ttl_seconds",
                                       "variable", "jwks_path", NULL};
    char path[256];
    const cJSON *o = cfg_object(p, root, "", "assertion", keys, path, sizeof(path));
    if (!o)
        return;
    c->assertion.enabled = true;
    if (!cfg_set_str(p, path, &c->assertion.key_file, "") ||
        !cfg_set_str(p, path, &c->assertion.issuer, "") ||
        !cfg_set_str(p, path, &c->assertion.audience, "") ||
        !cfg_set_str(p, path, &c->assertion.variable, "GWAUTH_ASSERTION") ||
        !cfg_set_str(p, path, &c->assertion.jwks_path, "/gwauth/jwks.json"))
        return;
    c->assertion.ttl_seconds = 60;
    cfg_get_str(p, o, path, "key_file", CFG_ANY, &c->assertion.key_file);
    cfg_get_str(p, o, path, "issuer", CFG_ANY, &c->assertion.issuer);
    cfg_get_str(p, o, path, "audience", CFG_ANY, &c->assertion.audience);
    cfg_get_long(p, o, path, "ttl_seconds", 10, 3600, &c->assertion.ttl_seconds);
    cfg_get_str(p, o, path, "variable", CFG_VAR, &c->assertion.variable);
    cfg_get_opt_path(p, o, path, "jwks_path", &c->assertion.jwks_path);
    if (c->assertion.key_file[0] != '/')
        cfg_err(p, "assertion.key_file", "required: the absolute path of a PEM key file or of "
                "a directory of *.pem key files");
    if (!*c->assertion.issuer)
        cfg_err(p, "assertion.issuer", "required: the \"iss\" the applications check "
                "(e.g. https://app.example.org/gwauth)");
    if (!*c->assertion.audience)
        cfg_err(p, "assertion.audience", "required: the \"aud\" the applications check");
}

void cfg_parse_fastcgi(cfgp *p, gw_config *c, const cJSON *root)
{
    static const char *const keys[] = {"secret_file", "peer_uids", "receive_timeout_ms",
                                       "nginx_auth_request", NULL};
    char path[256], kp[256], ip[300];
    const cJSON *o = cfg_object(p, root, "", "fastcgi", keys, path, sizeof(path));
    cfg_get_str(p, o, path, "secret_file", CFG_ANY, &c->fastcgi.secret_file);
    if (c->fastcgi.secret_file && *c->fastcgi.secret_file && c->fastcgi.secret_file[0] != '/')
        cfg_err(p, "fastcgi.secret_file", "must be an absolute path (or empty for none)");
    cfg_get_int(p, o, path, "receive_timeout_ms", 100, 600000, &c->fastcgi.receive_timeout_ms);
    cfg_get_bool(p, o, path, "nginx_auth_request", &c->fastcgi.nginx_auth_request);
    const cJSON *u = cfg_member(p, o, path, "peer_uids", cJSON_Array,
                                "an array of user ids or user names");
    if (!u)
        return;
    cfg_path(kp, sizeof(kp), path, "peer_uids");
    size_t n = (size_t)cJSON_GetArraySize(u);
    free(c->fastcgi.peer_uids);
    c->fastcgi.npeer_uids = c->fastcgi.npeer_numbers = 0;
    cfg_strlist_free(&c->fastcgi.peer_names);
    if (!(c->fastcgi.peer_uids = cfg_alloc(p, kp, n, sizeof(long))) ||
        !(c->fastcgi.peer_names.v = cfg_alloc(p, kp, n, sizeof(char *))))
        return;
    int i = 0;
    /* numbers first, then names (resolved to uids by gw_config_load) */
    for (const cJSON *e = u->child; e; e = e->next, i++) {
        snprintf(ip, sizeof(ip), "%s[%d]", kp, i);
        if (cJSON_IsNumber(e)) {
            double d = e->valuedouble;
            if (!(d >= 0 && d <= 4294967294.0) || d != (double)(long)d)
                cfg_err(p, ip, "expected a user id from 0 to 4294967294");
            else
                c->fastcgi.peer_uids[c->fastcgi.npeer_uids++] = (long)d;
        } else if (cJSON_IsString(e)) {
            const char *s = e->valuestring;
            bool ok = *s && strlen(s) <= 64 && !(*s >= '0' && *s <= '9');
            for (const char *q = s; ok && *q; q++)
                ok = (*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
                     (*q >= '0' && *q <= '9') || *q == '_' || *q == '-' || *q == '.';
            if (!ok)
                cfg_err(p, ip, "expected a user name ([A-Za-z_][A-Za-z0-9_.-]*) or a user id");
            else if (!cfg_set_str(p, ip, &c->fastcgi.peer_names.v[c->fastcgi.peer_names.n], s))
                return;
            else
                c->fastcgi.peer_names.n++;
        } else {
            cfg_err(p, ip, "expected a user id or a user name");
        }
    }
    c->fastcgi.npeer_numbers = c->fastcgi.npeer_uids;
}
