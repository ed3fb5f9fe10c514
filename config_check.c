/*
 * config_check.c - what ties keys together, once every section is read.
 *
 * Two passes, in this order: cfg_derive computes the fields that follow
 * from others (the database servers, the identity's variables, what uses
 * groups and permissions, the exported groups, the assertion's audiences,
 * the implied anonymous rules, the login page's path); cfg_check then
 * refuses the combinations that cannot work, and changes nothing.
 */
#include "config_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "json.h"
#include "rules.h"
#include "snippet.h"

/* --- deriving ------------------------------------------------------------ */

void cfg_dbnodes_free(gw_config *c)
{
    for (size_t i = 0; i < c->database.nnodes; i++) {
        free(c->database.nodes[i].host);
        free(c->database.nodes[i].socket);
        free(c->database.nodes[i].text);
    }
    free(c->database.nodes);
    c->database.nodes = NULL;
    c->database.nnodes = 0;
}

/* Parses one database.hosts entry (at kp): "unix:/path", "host",
 * "host:port" or "[v6]:port" (the port defaults to database.port). NULL
 * or why not (NULL too when memory ran out, reported to p). */
static const char *dbnode_parse(cfgp *p, const char *kp, const char *s, int dflt_port, gw_dbnode *n)
{
    memset(n, 0, sizeof(*n));
    if (!cfg_set_str(p, kp, &n->text, s))
        return NULL;
    if (strncmp(s, "unix:", 5) == 0) {
        if (s[5] != '/')
            return "a socket must be an absolute path (unix:/run/mysqld/mysqld.sock)";
        if (cfg_set_str(p, kp, &n->host, "localhost"))
            cfg_set_str(p, kp, &n->socket, s + 5);
        n->port = dflt_port;
        return NULL;
    }
    if (!cfg_set_str(p, kp, &n->socket, ""))
        return NULL;
    const char *end, *colon;
    if (s[0] == '[') {
        end = strchr(s, ']');
        if (!end || end == s + 1)
            return "expected [IPv6]:port";
        colon = end[1] == ':' ? end + 1 : NULL;
        if (end[1] && !colon)
            return "expected [IPv6]:port";
        n->host = cfg_strndup(p, kp, s + 1, (size_t)(end - s - 1));
    } else {
        colon = strchr(s, ':');
        if (colon && strchr(colon + 1, ':'))
            return "write an IPv6 address as [ADDRESS]:PORT";
        n->host = cfg_strndup(p, kp, s, colon ? (size_t)(colon - s) : strlen(s));
    }
    if (!n->host)
        return NULL;
    if (!*n->host || strspn(n->host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:") != strlen(n->host))
        return "expected a host name or address";
    n->port = dflt_port;
    if (colon) {
        char *e;
        long port = strtol(colon + 1, &e, 10);
        if (!colon[1] || *e || port < 1 || port > 65535)
            return "the port must be a number from 1 to 65535";
        n->port = (int)port;
    }
    return NULL;
}

/* database.nodes: the hosts list, else the one server of host/port/socket. */
static void cfg_dbnodes(cfgp *p, gw_config *c)
{
    cfg_dbnodes_free(c);
    size_t n = c->database.hosts.n ? c->database.hosts.n : 1;
    if (!(c->database.nodes = cfg_alloc(p, "database", n, sizeof(gw_dbnode))))
        return;
    if (!c->database.hosts.n) {
        gw_dbnode *d = &c->database.nodes[0];
        c->database.nnodes = 1;
        d->port = c->database.port;
        char text[320];
        if (*c->database.socket)
            snprintf(text, sizeof(text), "unix:%s", c->database.socket);
        else
            snprintf(text, sizeof(text), "%s:%d", c->database.host, c->database.port);
        if (cfg_set_str(p, "database", &d->host, c->database.host) &&
            cfg_set_str(p, "database", &d->socket, c->database.socket))
            cfg_set_str(p, "database", &d->text, text);
        return;
    }
    for (size_t i = 0; i < n && !p->oom; i++) {
        char kp[64];
        snprintf(kp, sizeof(kp), "database.hosts[%zu]", i);
        const char *why = dbnode_parse(p, kp, c->database.hosts.v[i], c->database.port,
                                       &c->database.nodes[c->database.nnodes]);
        c->database.nnodes++;
        if (why)
            cfg_err(p, kp, "%s", why);
    }
}

/* groups.sources: "claim" alone is one source, as it is. */
static void cfg_group_sources(cfgp *p, gw_config *c)
{
    if (c->groups.nsources ||
        !(c->groups.sources = cfg_alloc(p, "groups.claim", 1, sizeof(gw_group_source))))
        return;
    c->groups.nsources = 1;
    if (cfg_set_str(p, "groups.claim", &c->groups.sources[0].path, c->groups.claim))
        cfg_set_str(p, "groups.claim", &c->groups.sources[0].prefix, "");
}

/* The variables that carry the identity, and what a cached one is keyed
 * on (those, then the token's variable). */
static void cfg_id_vars(cfgp *p, gw_config *c)
{
    free(c->id_vars);
    c->nid_vars = c->identity.source == GW_SRC_APISIX ? 1 : c->identity.nclaim_headers;
    if (!(c->id_vars = cfg_alloc(p, "identity", c->nid_vars + 1, sizeof(char *))))
        return;
    for (size_t i = 0; i < c->nid_vars; i++)
        c->id_vars[i] = c->identity.source == GW_SRC_APISIX ? c->identity.header
                                                            : c->identity.claim_headers[i].var;
    free(c->key_vars);
    c->nkey_vars = c->nid_vars + c->identity.jwt.enabled;
    if (!(c->key_vars = cfg_alloc(p, "identity", c->nkey_vars + 1, sizeof(char *))))
        return;
    memcpy(c->key_vars, c->id_vars, c->nid_vars * sizeof(char *));
    if (c->identity.jwt.enabled)
        c->key_vars[c->nid_vars] = c->identity.jwt.header;
}

/* The variable exporting users.id; whether groups and permissions are
 * used; with export_only "rules", the rules' groups. */
static void cfg_uses(cfgp *p, gw_config *c)
{
    c->users.nrelated_cols = 0;
    for (size_t t = 0; t < c->users.nrelated; t++)
        c->users.nrelated_cols += c->users.related[t].ncols;
    c->id_export = NULL;
    c->uses_groups = c->groups.sync != GW_SYNC_OFF;
    for (size_t i = 0; i < c->exports.n; i++) {
        if (c->exports.v[i].kind == GW_EXP_COLUMN && strcmp(c->exports.v[i].column, "id") == 0 &&
            !c->id_export)
            c->id_export = c->exports.v[i].name;
        c->uses_groups |= c->exports.v[i].kind == GW_EXP_GROUPS;
        c->access.uses_permissions |= c->exports.v[i].kind == GW_EXP_PERMISSIONS;
    }
    for (size_t i = 0; i < c->access.nrules; i++)
        c->access.uses_permissions |= c->access.rules[i].permissions_any.n > 0;
    /* a permission is held by the user or by one of its groups */
    c->uses_groups |= c->access.uses_permissions;
    for (size_t i = 0; i < c->access.nrules; i++) {
        c->uses_groups |= c->access.rules[i].groups_any.n > 0;
        for (size_t k = 0; c->groups.export_rules && k < c->access.rules[i].groups_any.n; k++)
            if (!gw_group_exported(c, c->access.rules[i].groups_any.v[k]) &&
                !cfg_strlist_add(p, "groups.export_only", &c->groups.export_only,
                                 c->access.rules[i].groups_any.v[k]))
                return;
    }
}

/* assertion.audiences (slot 0 is assertion.audience, then each rule's
 * own once) and each rule's slot in it. */
static void cfg_audiences(cfgp *p, gw_config *c)
{
    cfg_strlist_free(&c->assertion.audiences);
    if (!c->assertion.enabled || !cfg_strlist_add(p, "assertion.audience", &c->assertion.audiences,
                                                  c->assertion.audience))
        return;
    for (size_t i = 0; i < c->access.nrules; i++) {
        gw_rule *r = &c->access.rules[i];
        const char *aud = r->audience ? r->audience : c->assertion.audience;
        size_t k = 0;
        while (k < c->assertion.audiences.n && strcmp(c->assertion.audiences.v[k], aud) != 0)
            k++;
        if (k == c->assertion.audiences.n &&
            !cfg_strlist_add(p, "access.rules", &c->assertion.audiences, aud))
            return;
        r->aud_slot = k;
    }
}

/* The logout path must work once the gateway's session is gone, the
 * identity provider calls the back-channel path without one, and a
 * monitor (health, metrics) has none: all are anonymous unless a rule
 * names them. */
static void cfg_implied_rule(cfgp *p, gw_config *c, const char *path)
{
    for (size_t i = 0; i < c->access.nrules; i++)
        if (strcmp(c->access.rules[i].prefix, path) == 0)
            return;
    gw_rule *r = cfg_realloc(p, "access.rules", c->access.rules, c->access.nrules + 1,
                             sizeof(gw_rule));
    if (!r)
        return;
    c->access.rules = r;
    r += c->access.nrules;
    memset(r, 0, sizeof(*r));
    r->implied = true;
    r->access = GW_ACCESS_ANONYMOUS;
    if (cfg_set_str(p, "access.rules", &r->prefix, path))
        c->access.nrules++;
}

static void cfg_implied_rules(cfgp *p, gw_config *c)
{
    const char *anon[] = {c->logout.path, c->logout.backchannel_path, c->monitor.health_path,
                          c->monitor.metrics_path, c->assertion.enabled ? c->assertion.jwks_path : ""};
    for (size_t i = 0; i < sizeof(anon) / sizeof(anon[0]) && !p->oom; i++)
        if (*anon[i])
            cfg_implied_rule(p, c, anon[i]);
}

/* The login page's own path, once: a request for it is never sent there. */
static void cfg_login_path(cfgp *p, gw_config *c)
{
    free(c->access.login_path);
    c->access.login_path = NULL;
    const char *base = c->access.login_redirect;
    size_t n = base ? strcspn(base, "?#") : 0;
    char *tmp = n && base[0] == '/' ? cfg_strndup(p, "access.login_redirect", base, n) : NULL;
    if (tmp && gw_rule_path_normalize(tmp, &c->access.login_path) == GW_E_INTERNAL)
        cfg_oom(p, "access.login_redirect"); /* its allocation failed */
    free(tmp);
}

void cfg_derive(cfgp *p, gw_config *c)
{
    static void (*const steps[])(cfgp *, gw_config *) = {
        cfg_dbnodes, cfg_group_sources, cfg_id_vars, cfg_uses, cfg_audiences, cfg_implied_rules,
        cfg_login_path};
    /* in order: each step may use what the ones before it derived; none
     * runs once memory ran out */
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]) && !p->oom; i++)
        steps[i](p, c);
}

/* --- checking ------------------------------------------------------------ */

const char *gw_secret_problem(const char *s)
{
    size_t n = strlen(s);
    if (n < GW_SECRET_MIN)
        return "must hold at least 32 bytes (e.g. openssl rand -hex 32)";
    bool seen[256] = {false};
    size_t distinct = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        /* what openssl rand -hex / -base64 writes: safe inside any web
         * server's configuration string without quoting */
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
              strchr("+/=_.:-", ch)))
            return "may hold only letters, digits and + / = _ . : - (e.g. openssl rand -hex 32)";
        distinct += !seen[ch];
        seen[ch] = true;
    }
    return distinct < 12 ? "does not look random (fewer than 12 distinct characters)" : NULL;
}

/* The claims an assertion sets itself: no exported column may take them. */
static const char *const gw_assertion_claims[] = {"iss", "aud", "iat", "exp", "nbf", "jti", "sub",
                                                  "gwauth_uid", "gwauth_source", "groups", NULL};

bool gw_assertion_claim_of(const gw_export *e, const char **claim)
{
    *claim = e->kind == GW_EXP_SOURCE ? "gwauth_source" : e->kind == GW_EXP_COLUMN ? e->column : NULL;
    /* id and global_id are "gwauth_uid" and "sub" already */
    return *claim && strcmp(*claim, "id") != 0 && strcmp(*claim, "global_id") != 0;
}

/* The assertion's own names: the rules' audiences need it, and no export
 * may take its variable or one of its claims. */
static void cfg_assertion_checks(cfgp *p, const gw_config *c)
{
    for (size_t i = 0; i < c->access.nrules; i++)
        if (c->access.rules[i].audience && !c->assertion.enabled)
            cfg_err(p, "access.rules", "\"audience\" needs the assertion section");
    if (!c->assertion.enabled)
        return;
    for (size_t i = 0; i < c->exports.n; i++) {
        const char *claim;
        if (strcmp(c->exports.v[i].name, c->assertion.variable) == 0)
            cfg_err(p, "assertion.variable", "\"%s\" is an export's variable already",
                    c->assertion.variable);
        if (c->exports.v[i].kind == GW_EXP_COLUMN && gw_assertion_claim_of(&c->exports.v[i], &claim))
            for (size_t k = 0; gw_assertion_claims[k]; k++)
                if (strcmp(claim, gw_assertion_claims[k]) == 0)
                    cfg_err(p, "export", "the column \"%s\" would be the assertion's own claim "
                            "\"%s\"", claim, claim);
    }
}

/* Two variables that a proxied application would get as the same header
 * (REMOTE_USER and GWAUTH_USER are both X-Gwauth-User): the web servers
 * would send one value or both, never reliably the identity's. */
static void cfg_header_checks(cfgp *p, const gw_config *c)
{
    size_t n = c->exports.n + (c->assertion.enabled ? 1 : 0);
    for (size_t i = 0; i < n; i++) {
        const char *vi = i < c->exports.n ? c->exports.v[i].name : c->assertion.variable;
        char hi[128], hk[128];
        if (!gw_snippet_proxy_header(vi, hi, sizeof(hi)))
            continue;
        for (size_t k = 0; k < i; k++) {
            const char *vk = c->exports.v[k].name;
            if (gw_snippet_proxy_header(vk, hk, sizeof(hk)) && strcasecmp(hi, hk) == 0)
                cfg_err(p, "export", "\"%s\" and \"%s\" would both reach a proxied application as "
                        "the header %s", vk, vi, hi);
        }
    }
}

/* logout.backchannel_path: a logout token is verified against the
 * provider's keys, for the gateway's client, and names a session's sub. */
static void cfg_backchannel_checks(cfgp *p, const gw_config *c)
{
    if (!*c->logout.backchannel_path)
        return;
    bool any = false;
    for (size_t i = 0; i < c->identity.jwt.nrealms; i++)
        any = any || c->identity.jwt.realms[i].any_audience;
    if (!c->identity.jwt.enabled || any)
        cfg_err(p, "logout.backchannel_path", "needs identity.jwt with its audiences (for every "
                "issuer): the logout token is verified with the provider's keys and must be "
                "issued to the gateway's client");
    if (!c->session.enabled)
        cfg_err(p, "logout.backchannel_path", "needs session.enabled (it ends sessions)");
    if (strcmp(c->identity.id_claim, "sub") != 0)
        cfg_err(p, "logout.backchannel_path", "needs identity.id_claim \"sub\": a logout token "
                "names the user by its sub");
}

/* The responder tells its endpoints apart by path alone ("" is off). */
static void cfg_served_checks(cfgp *p, const gw_config *c)
{
    const char *served[] = {c->session.establish_path, c->logout.path, c->logout.backchannel_path,
                            c->monitor.health_path, c->monitor.metrics_path,
                            c->assertion.enabled ? c->assertion.jwks_path : ""};
    const char *names[] = {"session.establish_path", "logout.path", "logout.backchannel_path",
                           "monitor.health_path", "monitor.metrics_path", "assertion.jwks_path"};
    for (size_t i = 1; i < sizeof(served) / sizeof(served[0]); i++)
        for (size_t k = 0; k < i && *served[i]; k++)
            if (strcmp(served[i], served[k]) == 0)
                cfg_err(p, names[i], "must differ from %s", names[k]);
}

void cfg_check(cfgp *p, const gw_config *c)
{
    if (c->identity.source == GW_SRC_HEADERS) {
        bool has_id = false;
        for (size_t i = 0; i < c->identity.nclaim_headers; i++)
            has_id |= strcmp(c->identity.claim_headers[i].claim, c->identity.id_claim) == 0;
        if (!has_id)
            cfg_err(p, "identity.claim_headers",
                    "source \"headers\" needs an entry for the id claim \"%s\"", c->identity.id_claim);
    }
    if (gw_json_claim_path_problem(c->identity.id_claim))
        cfg_err(p, "identity.id_claim", "%s", gw_json_claim_path_problem(c->identity.id_claim));
    if (gw_json_claim_path_problem(c->groups.claim))
        cfg_err(p, "groups.claim", "%s", gw_json_claim_path_problem(c->groups.claim));
    if (c->session.enabled && strcmp(c->session.same_site, "None") == 0 && !c->session.secure)
        cfg_err(p, "session.same_site", "\"None\" requires session.secure = true");
    cfg_backchannel_checks(p, c);
    for (size_t i = 0; c->identity.jwt.enabled && i < c->nid_vars; i++)
        if (strcmp(c->id_vars[i], c->identity.jwt.header) == 0)
            cfg_err(p, "identity.jwt.header", "must differ from the identity's own variables");
    if (c->access.uses_permissions && !*c->access.permissions_file)
        cfg_err(p, "access.permissions_file", "required by permissions_any and @permissions: the "
                                              "absolute path of the permissions specification");
    if (c->groups.export_rules && c->groups.export_only.n == 0)
        cfg_err(p, "groups.export_only", "\"rules\": no rule names a group (groups_any), so "
                                         "@groups would always be empty");
    for (size_t i = 0; c->export_max_bytes && i < c->exports.n; i++)
        if (strcmp(c->exports.v[i].name, GW_GROUPS_TRUNCATED_VAR) == 0)
            cfg_err(p, "export", "\"%s\" is what export_max_bytes sets", GW_GROUPS_TRUNCATED_VAR);
    if (c->session.enabled && !c->id_export)
        cfg_err(p, "export", "sessions need a variable exporting the users column \"id\" "
                             "(the responder reads the user from it)");
    cfg_served_checks(p, c);
    for (size_t i = 0; i < c->exports.n; i++)
        for (size_t k = 0; k < i; k++)
            if (strcmp(c->exports.v[i].name, c->exports.v[k].name) == 0)
                cfg_err(p, "export", "variable \"%s\" is given twice", c->exports.v[i].name);
    cfg_header_checks(p, c);
    cfg_assertion_checks(p, c);
}
