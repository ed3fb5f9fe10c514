/*
 * config.c - parse and check the JSON configuration (README "Configuration").
 *
 * The defaults are one JSON document (gw_config_default_json); the
 * operator's file is applied over it by the same code, so a default and
 * an explicit value are checked alike. Objects that are maps or lists
 * (users.fields, users.related, export, trusted_proxies, rules, ...)
 * replace the default as a whole when present.
 *
 * Every problem is collected with its key path; nothing stops at the
 * first one, so --check-config can print them all.
 *
 * This file holds the public API and the walk over the sections; the
 * other config_*.c files are listed in config_int.h.
 */
#include "config.h"
#include "config_int.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char gw_config_default_json[] =
    "{\n"
    "  \"database\": {\n"
    "    \"host\": \"localhost\", \"port\": 3306, \"socket\": \"\",\n"
    "    \"user\": \"gwauth\", \"password_file\": \"\", \"name\": \"gwauth\",\n"
    "    \"connect_timeout_ms\": 2000, \"read_timeout_ms\": 2000, \"cluster\": \"none\",\n"
    "    \"hosts\": [], \"failback_seconds\": 30\n"
    "  },\n"
    "  \"identity\": {\n"
    "    \"source\": \"apisix\",\n"
    "    \"header\": \"HTTP_X_USERINFO\",\n"
    "    \"id_claim\": \"sub\",\n"
    "    \"claim_headers\": {},\n"
    "    \"max_bytes\": 16384,\n"
    "    \"trusted_proxies\": [\"127.0.0.1/32\", \"::1/128\"],\n"
    "    \"cache_seconds\": 10, \"cache_bytes\": 8388608\n"
    "  },\n"
    "  \"users\": {\n"
    "    \"create\": true,\n"
    "    \"update\": true,\n"
    "    \"fields\": {\n"
    "      \"preferred_username\": \"username\", \"email\": \"email\",\n"
    "      \"given_name\": \"first_name\", \"family_name\": \"last_name\", \"name\": \"name\"\n"
    "    },\n"
    "    \"related\": {\n"
    "      \"user_profiles\": [[\"country_code\", \"country_code\", \"\"], [\"email_optin\", \"email_optin\", false]]\n"
    "    }\n"
    "  },\n"
    "  \"groups\": { \"claim\": \"groups\", \"sync\": \"off\", \"excluded\": [], \"max_count\": 256 },\n"
    "  \"export\": {\n"
    "    \"REMOTE_USER\": \"global_id\", \"GWAUTH_USER_ID\": \"id\", \"GWAUTH_EMAIL\": \"email\",\n"
    "    \"GWAUTH_USERNAME\": \"username\", \"GWAUTH_NAME\": \"name\", \"GWAUTH_GROUPS\": \"@groups\",\n"
    "    \"GWAUTH_SOURCE\": \"@source\"\n"
    "  },\n"
    "  \"access\": { \"default\": \"authenticated\", \"rules\": [], \"login_redirect\": \"\" },\n"
    "  \"session\": {\n"
    "    \"enabled\": false, \"cookie\": \"gwauth_session\", \"ttl_seconds\": 1209600,\n"
    "    \"idle_seconds\": 28800, \"touch_seconds\": 60, \"max_per_user\": 10,\n"
    "    \"secure\": true, \"same_site\": \"Lax\", \"establish_path\": \"/establish_session\"\n"
    "  },\n"
    "  \"logout\": {\n"
    "    \"path\": \"/applogout\", \"gateway_logout_url\": \"/logout\",\n"
    "    \"gateway_session_cookie\": \"\", \"default_destination\": \"/app\",\n"
    "    \"next_param\": \"next\", \"next_cookie\": \"gwauth_next\", \"allowed_hosts\": [],\n"
    "    \"backchannel_path\": \"\"\n"
    "  },\n"
    "  \"log\": { \"level\": \"info\", \"format\": \"text\" },\n"
    "  \"monitor\": {\n"
    "    \"health_path\": \"/gwauth/health\", \"metrics_path\": \"/gwauth/metrics\",\n"
    "    \"metrics_file\": \"/run/gwauth/metrics\"\n"
    "  },\n"
    "  \"fastcgi\": { \"secret_file\": \"\", \"peer_uids\": [], \"receive_timeout_ms\": 5000,\n"
    "                \"nginx_auth_request\": false }\n"
    "}\n";

/* Applies the document text over c; problems go to p. */
static void cfg_apply(cfgp *p, gw_config *c, const char *text, size_t len)
{
    static void (*const sections[])(cfgp *, gw_config *, const cJSON *) = {
        cfg_parse_database, cfg_parse_identity, cfg_parse_users, cfg_parse_groups,
        cfg_parse_export, cfg_parse_access, cfg_parse_session, cfg_parse_logout,
        cfg_parse_log, cfg_parse_monitor, cfg_parse_assertion, cfg_parse_fastcgi};
    const char *end = NULL;
    errno = 0;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (!root && errno == ENOMEM) { /* cJSON says only that it failed: malloc says why */
        cfg_oom(p, "");
        return;
    }
    if (!root) {
        int line = 1;
        for (const char *q = text; end && q < end && q < text + len; q++)
            line += *q == '\n';
        cfg_err(p, "(file)", "not valid JSON (near line %d)", line);
        return;
    }
    if (!cJSON_IsObject(root)) {
        cfg_err(p, "(file)", "the top level must be a JSON object");
        cJSON_Delete(root);
        return;
    }
    static const char *const top[] = {"database", "identity", "users", "groups", "export",
                                      "export_max_bytes", "access", "session", "logout", "log",
                                      "monitor", "assertion", "fastcgi", NULL};
    cfg_keys(p, root, "", top);
    long emb = (long)c->export_max_bytes;
    cfg_get_long(p, root, "", "export_max_bytes", 0, 1048576, &emb);
    if (emb > 0 && emb < 256)
        cfg_err(p, "export_max_bytes", "0 (no bound) or at least 256");
    c->export_max_bytes = (size_t)emb;
    /* once memory ran out, no section reads what an earlier one left half built */
    for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]) && !p->oom; i++)
        sections[i](p, c, root);
    cJSON_Delete(root);
}

/* A new configuration holding the built-in defaults (NULL: no memory). */
static gw_config *cfg_defaults(cfgp *p)
{
    gw_config *c = cfg_alloc(p, "", 1, sizeof(*c));
    if (c)
        cfg_apply(p, c, gw_config_default_json, strlen(gw_config_default_json));
    return c;
}

/* c, or NULL and the problems in *errors (c freed); out of memory is the
 * one problem reported when it is one. */
static gw_config *cfg_finish(cfgp *p, gw_config *c, char **errors)
{
    if (p->errs.oom) /* the text of the problems is cut short */
        cfg_oom(p, "");
    if (p->n == 0) {
        gw_buf_free(&p->errs);
        *errors = NULL;
        return c;
    }
    gw_config_free(c);
    if (!p->oom) {
        *errors = p->errs.data;
        return NULL;
    }
    gw_buf_free(&p->errs);
    char text[sizeof(p->oom_at) + 32];
    snprintf(text, sizeof(text), "%s: out of memory\n", p->oom_at);
    *errors = cfg_strndup(p, "", text, strlen(text));
    return NULL;
}

gw_config *gw_config_defaults(void)
{
    char *errors;
    cfgp p = {0};
    gw_config *c = cfg_finish(&p, cfg_defaults(&p), &errors);
    free(errors);
    return c;
}

gw_config *gw_config_parse(const char *text, size_t len, char **errors)
{
    cfgp p = {0};
    gw_config *c = cfg_defaults(&p);
    if (p.n == 0)
        cfg_apply(&p, c, text, len);
    if (p.n == 0) {
        cfg_derive(&p, c);
        if (!p.oom)
            cfg_check(&p, c);
    }
    return cfg_finish(&p, c, errors);
}

void gw_config_free(gw_config *c)
{
    if (!c)
        return;
    free(c->database.host);
    free(c->database.socket);
    cfg_strlist_free(&c->database.hosts);
    cfg_dbnodes_free(c);
    free(c->database.user);
    free(c->database.password_file);
    if (c->database.password) {
        memset(c->database.password, 0, strlen(c->database.password));
        free(c->database.password);
    }
    free(c->database.name);
    free(c->identity.header);
    free(c->identity.id_claim);
    cfg_claimvars_free(c);
    free(c->identity.proxies);
    free(c->id_vars);
    free(c->key_vars);
    free(c->identity.jwt.header);
    free(c->identity.jwt.jwks_file);
    cfg_strlist_free(&c->identity.jwt.audiences);
    cfg_realms_free(c);
    cfg_fields_free(c);
    cfg_related_free(c);
    free(c->groups.claim);
    free(c->groups.managed_prefix);
    cfg_sources_free(c);
    cfg_strlist_free(&c->groups.export_only);
    cfg_strlist_free(&c->groups.excluded);
    cfg_exports_free(c);
    cfg_rules_free(c);
    free(c->access.login_redirect);
    free(c->access.permissions_file);
    free(c->access.login_path);
    free(c->session.cookie);
    free(c->session.same_site);
    free(c->session.establish_path);
    free(c->logout.path);
    free(c->logout.gateway_logout_url);
    free(c->logout.gateway_session_cookie);
    free(c->logout.default_destination);
    free(c->logout.next_param);
    free(c->logout.next_cookie);
    free(c->logout.backchannel_path);
    free(c->monitor.health_path);
    free(c->monitor.metrics_path);
    free(c->monitor.metrics_file);
    cfg_strlist_free(&c->logout.allowed_hosts);
    free(c->assertion.key_file);
    free(c->assertion.issuer);
    free(c->assertion.audience);
    free(c->assertion.variable);
    free(c->assertion.jwks_path);
    cfg_strlist_free(&c->assertion.audiences);
    free(c->fastcgi.secret_file);
    free(c->fastcgi.peer_uids);
    cfg_strlist_free(&c->fastcgi.peer_names);
    memset(c->fastcgi.secret_hash, 0, sizeof(c->fastcgi.secret_hash));
    free(c);
}

bool gw_group_managed(const gw_config *c, const char *g)
{
    for (size_t i = 0; i < c->groups.excluded.n; i++)
        if (strcmp(c->groups.excluded.v[i], g) == 0)
            return false;
    const char *mp = c->groups.managed_prefix;
    return !mp || strncmp(g, mp, strlen(mp)) == 0;
}

bool gw_group_exported(const gw_config *c, const char *g)
{
    const gw_strlist *l = &c->groups.export_only;
    if (l->n == 0 && !c->groups.export_rules)
        return true;
    for (size_t i = 0; i < l->n; i++) {
        size_t n = strlen(l->v[i]);
        bool prefix = !c->groups.export_rules && n && l->v[i][n - 1] == '*'; /* the rules' names: exact */
        if (prefix ? strncmp(g, l->v[i], n - 1) == 0 : strcmp(g, l->v[i]) == 0)
            return true;
    }
    return false;
}
