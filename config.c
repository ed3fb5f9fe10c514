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
 */
#include "config.h"
#include "rules.h"
#include "snippet.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "json.h"
#include "util.h"

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

/* Columns of users that gwauth itself manages; they cannot be mapped. */
static const char *const gw_reserved_user_columns[] = {
    "id", "global_id", "is_active", "created_at", "updated_at", "logged_out_at", NULL};
/* Tables of the base schema that cannot be used as related tables. */
static const char *const gw_reserved_tables[] = {
    "users", "groups", "user_groups", "sessions", "leases", "logout_tokens", "ended_sids", "schema_migrations", NULL};

typedef struct {
    gw_buf errs;
    int n;
} cfgp;

static void cfg_err(cfgp *p, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void cfg_err(cfgp *p, const char *path, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    gw_buf_printf(&p->errs, "%s: %s\n", path, msg);
    p->n++;
}

/* out = "base.key" (or "key" at the top). Keys are shown as given, cut
 * at 64 bytes and with control characters replaced, so a message never
 * carries raw bytes from the file. */
static void cfg_path(char *out, size_t n, const char *base, const char *key)
{
    char k[65];
    size_t len = strnlen(key, sizeof(k) - 1);
    for (size_t i = 0; i < len; i++)
        k[i] = ((unsigned char)key[i] < 0x20 || key[i] == 0x7F) ? '?' : key[i];
    k[len] = '\0';
    snprintf(out, n, "%s%s%s", base, *base ? "." : "", k);
}

static bool in_list(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(s, *list) == 0)
            return true;
    return false;
}

/* Same, ignoring ASCII letter case: MariaDB's column names (and, on most
 * servers, table names) are case-insensitive. */
static bool in_list_ci(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (strcasecmp(s, *list) == 0)
            return true;
    return false;
}

/* Reports keys of obj that are not in allowed, and keys given twice. */
static void cfg_keys(cfgp *p, const cJSON *obj, const char *path, const char *const *allowed)
{
    char kp[256];
    for (const cJSON *c = obj->child; c; c = c->next) {
        cfg_path(kp, sizeof(kp), path, c->string);
        if (allowed && !in_list(c->string, allowed))
            cfg_err(p, kp, "unknown key");
        for (const cJSON *d = obj->child; d != c; d = d->next)
            if (strcmp(d->string, c->string) == 0) {
                cfg_err(p, kp, "key given twice");
                break;
            }
    }
}

/* The member key of obj if present; when present with the wrong type,
 * reports it and returns NULL. */
static const cJSON *cfg_member(cfgp *p, const cJSON *obj, const char *path,
                               const char *key, int type, const char *expect)
{
    const cJSON *v = obj ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
    if (!v)
        return NULL;
    if ((v->type & 0xFF) & type)
        return v;
    char kp[256];
    cfg_path(kp, sizeof(kp), path, key);
    cfg_err(p, kp, "expected %s", expect);
    return NULL;
}

static const cJSON *cfg_object(cfgp *p, const cJSON *obj, const char *path, const char *key,
                               const char *const *allowed, char *subpath, size_t subn)
{
    const cJSON *v = cfg_member(p, obj, path, key, cJSON_Object, "an object");
    cfg_path(subpath, subn, path, key);
    if (v)
        cfg_keys(p, v, subpath, allowed);
    return v;
}

static void set_str(char **dst, const char *s)
{
    char *d = strdup(s);
    if (!d)
        abort(); /* start-up only: no memory at start is fatal */
    free(*dst);
    *dst = d;
}

/* Checks for string values, chosen per key. */
typedef enum {
    S_ANY,        /* any text without control characters */
    S_NONEMPTY,   /* same, not empty */
    S_IDENT,      /* SQL identifier */
    S_VAR,        /* CGI variable name */
    S_PATH,       /* local path: starts with one '/' */
    S_PREFIX,     /* rule prefix: a normalized local path */
    S_TOKEN,      /* cookie / parameter name */
    S_TOKEN_OPT,  /* same, or empty */
} str_kind;

static bool is_token(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c <= 0x20 || c >= 0x7F || strchr("()<>@,;:\\\"/[]?={}", c))
            return false;
    }
    return true;
}

static const char *str_problem(const char *s, str_kind k)
{
    if (gw_has_ctl(s))
        return "must not hold control characters";
    switch (k) {
    case S_ANY: return NULL;
    case S_NONEMPTY: return *s ? NULL : "must not be empty";
    case S_IDENT:
        return gw_is_identifier(s) ? NULL : "must be a plain identifier [A-Za-z_][A-Za-z0-9_]{0,63}";
    case S_VAR: return gw_is_var_name(s) ? NULL : "must be a variable name [A-Z][A-Z0-9_]*";
    case S_PATH:
        return (s[0] == '/' && s[1] != '/' && s[1] != '\\' && !strchr(s, ' '))
                   ? NULL : "must be a local path starting with a single '/'";
    case S_PREFIX:
        if (str_problem(s, S_PATH))
            return str_problem(s, S_PATH);
        if (strchr(s, '%') || strstr(s, "//") || strstr(s, "/./") || strstr(s, "/../") ||
            strchr(s, '\\'))
            return "must be a normalized path (no %-escapes, \"//\", \".\" or \"..\" segments)";
        {
            size_t l = strlen(s);
            if ((l >= 2 && strcmp(s + l - 2, "/.") == 0) || (l >= 3 && strcmp(s + l - 3, "/..") == 0))
                return "must be a normalized path (no %-escapes, \"//\", \".\" or \"..\" segments)";
        }
        return NULL;
    case S_TOKEN: return is_token(s) ? NULL : "must be a non-empty token (letters, digits, -_.)";
    case S_TOKEN_OPT: return (!*s || is_token(s)) ? NULL : "must be empty or a token (letters, digits, -_.)";
    }
    return NULL;
}

static void get_str(cfgp *p, const cJSON *obj, const char *path, const char *key,
                    str_kind k, char **dst)
{
    const cJSON *v = cfg_member(p, obj, path, key, cJSON_String, "a string");
    if (!v)
        return;
    const char *why = str_problem(v->valuestring, k);
    if (why) {
        char kp[256];
        cfg_path(kp, sizeof(kp), path, key);
        cfg_err(p, kp, "%s", why);
        return;
    }
    set_str(dst, v->valuestring);
}

static void get_long(cfgp *p, const cJSON *obj, const char *path, const char *key,
                     long min, long max, long *dst)
{
    const cJSON *v = cfg_member(p, obj, path, key, cJSON_Number, "an integer");
    if (!v)
        return;
    double d = v->valuedouble;
    /* the range first: converting a larger double is undefined */
    if (!(d >= (double)min && d <= (double)max) || d != (double)(long)d) {
        char kp[256];
        cfg_path(kp, sizeof(kp), path, key);
        cfg_err(p, kp, "expected an integer from %ld to %ld", min, max);
        return;
    }
    *dst = (long)d;
}

static void get_int(cfgp *p, const cJSON *obj, const char *path, const char *key,
                    int min, int max, int *dst)
{
    long l = *dst;
    get_long(p, obj, path, key, min, max, &l);
    *dst = (int)l;
}

static void get_bool(cfgp *p, const cJSON *obj, const char *path, const char *key, bool *dst)
{
    const cJSON *v = cfg_member(p, obj, path, key, cJSON_True | cJSON_False, "true or false");
    if (v)
        *dst = cJSON_IsTrue(v);
}

/* names is NULL-terminated; *dst gets the index. */
static void get_enum(cfgp *p, const cJSON *obj, const char *path, const char *key,
                     const char *const *names, int *dst)
{
    const cJSON *v = cfg_member(p, obj, path, key, cJSON_String, "a string");
    if (!v)
        return;
    for (int i = 0; names[i]; i++)
        if (strcmp(v->valuestring, names[i]) == 0) {
            *dst = i;
            return;
        }
    char kp[256], list[256] = "";
    cfg_path(kp, sizeof(kp), path, key);
    for (int i = 0; names[i]; i++) {
        strncat(list, i ? ", " : "", sizeof(list) - strlen(list) - 1);
        strncat(list, names[i], sizeof(list) - strlen(list) - 1);
    }
    cfg_err(p, kp, "invalid value, must be one of [%s]", list);
}

static void strlist_free(gw_strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

static void *xcalloc(size_t n, size_t sz)
{
    void *p = calloc(n ? n : 1, sz);
    if (!p)
        abort();
    return p;
}

static void strlist_add(gw_strlist *l, const char *s)
{
    char **v = realloc(l->v, (l->n + 1) * sizeof(char *));
    if (!v)
        abort();
    l->v = v;
    l->v[l->n] = NULL;
    set_str(&l->v[l->n++], s);
}

static void get_strlist(cfgp *p, const cJSON *obj, const char *path, const char *key,
                        str_kind k, gw_strlist *dst)
{
    const cJSON *v = cfg_member(p, obj, path, key, cJSON_Array, "an array of strings");
    if (!v)
        return;
    char kp[256], ip[280];
    cfg_path(kp, sizeof(kp), path, key);
    gw_strlist l = {xcalloc((size_t)cJSON_GetArraySize(v), sizeof(char *)), 0};
    int i = 0;
    for (const cJSON *c = v->child; c; c = c->next, i++) {
        snprintf(ip, sizeof(ip), "%s[%d]", kp, i);
        const char *why = cJSON_IsString(c) ? str_problem(c->valuestring, k) : "expected a string";
        if (why)
            cfg_err(p, ip, "%s", why);
        else
            set_str(&l.v[l.n++], c->valuestring);
    }
    strlist_free(dst);
    *dst = l;
}

static void parse_database(cfgp *p, gw_config *c, const cJSON *root)
{
    static const char *const keys[] = {"host", "port", "socket", "user", "password_file",
                                       "name", "connect_timeout_ms", "read_timeout_ms", "cluster",
                                       "hosts", "failback_seconds", NULL};
    static const char *const clusters[] = {"none", "galera", NULL};
    char path[256];
    const cJSON *o = cfg_object(p, root, "", "database", keys, path, sizeof(path));
    get_str(p, o, path, "host", S_NONEMPTY, &c->database.host);
    get_int(p, o, path, "port", 1, 65535, &c->database.port);
    get_str(p, o, path, "socket", S_ANY, &c->database.socket);
    get_str(p, o, path, "user", S_NONEMPTY, &c->database.user);
    get_str(p, o, path, "password_file", S_ANY, &c->database.password_file);
    get_str(p, o, path, "name", S_NONEMPTY, &c->database.name);
    get_int(p, o, path, "connect_timeout_ms", 1, 600000, &c->database.connect_timeout_ms);
    get_int(p, o, path, "read_timeout_ms", 1, 600000, &c->database.read_timeout_ms);
    int cl = c->database.galera;
    get_enum(p, o, path, "cluster", clusters, &cl);
    c->database.galera = cl == 1;
    get_strlist(p, o, path, "hosts", S_NONEMPTY, &c->database.hosts);
    get_int(p, o, path, "failback_seconds", 1, 86400, &c->database.failback_seconds);
}

static void dbnodes_free(gw_config *c)
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

/* Parses one database.hosts entry: "unix:/path", "host", "host:port" or
 * "[v6]:port" (the port defaults to database.port). NULL or why not. */
static const char *dbnode_parse(const char *s, int dflt_port, gw_dbnode *n)
{
    memset(n, 0, sizeof(*n));
    set_str(&n->text, s);
    if (strncmp(s, "unix:", 5) == 0) {
        if (s[5] != '/')
            return "a socket must be an absolute path (unix:/run/mysqld/mysqld.sock)";
        set_str(&n->host, "localhost");
        set_str(&n->socket, s + 5);
        n->port = dflt_port;
        return NULL;
    }
    set_str(&n->socket, "");
    const char *end, *colon;
    if (s[0] == '[') {
        end = strchr(s, ']');
        if (!end || end == s + 1)
            return "expected [IPv6]:port";
        colon = end[1] == ':' ? end + 1 : NULL;
        if (end[1] && !colon)
            return "expected [IPv6]:port";
        n->host = strndup(s + 1, (size_t)(end - s - 1));
    } else {
        colon = strchr(s, ':');
        if (colon && strchr(colon + 1, ':'))
            return "write an IPv6 address as [ADDRESS]:PORT";
        n->host = strndup(s, colon ? (size_t)(colon - s) : strlen(s));
    }
    if (!n->host)
        abort();
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
    dbnodes_free(c);
    size_t n = c->database.hosts.n ? c->database.hosts.n : 1;
    c->database.nodes = xcalloc(n, sizeof(gw_dbnode));
    if (!c->database.hosts.n) {
        gw_dbnode *d = &c->database.nodes[0];
        set_str(&d->host, c->database.host);
        set_str(&d->socket, c->database.socket);
        d->port = c->database.port;
        char text[320];
        if (*c->database.socket)
            snprintf(text, sizeof(text), "unix:%s", c->database.socket);
        else
            snprintf(text, sizeof(text), "%s:%d", c->database.host, c->database.port);
        set_str(&d->text, text);
        c->database.nnodes = 1;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        char kp[64];
        snprintf(kp, sizeof(kp), "database.hosts[%zu]", i);
        const char *why = dbnode_parse(c->database.hosts.v[i], c->database.port,
                                       &c->database.nodes[c->database.nnodes]);
        c->database.nnodes++;
        if (why)
            cfg_err(p, kp, "%s", why);
    }
}

static void claimvars_free(gw_config *c)
{
    for (size_t i = 0; i < c->identity.nclaim_headers; i++) {
        free(c->identity.claim_headers[i].claim);
        free(c->identity.claim_headers[i].var);
    }
    free(c->identity.claim_headers);
    c->identity.claim_headers = NULL;
    c->identity.nclaim_headers = 0;
}

static void strlist_copy(gw_strlist *dst, const gw_strlist *src)
{
    strlist_free(dst);
    dst->v = xcalloc(src->n + 1, sizeof(char *));
    for (dst->n = 0; dst->n < src->n; dst->n++)
        set_str(&dst->v[dst->n], src->v[dst->n]);
}

static void realms_free(gw_config *c)
{
    for (size_t i = 0; i < c->identity.jwt.nrealms; i++) {
        gw_jwt_realm *r = &c->identity.jwt.realms[i];
        strlist_free(&r->issuers);
        strlist_free(&r->audiences);
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
        strlist_free(dst);
    else
        get_strlist(p, o, path, "audiences", S_NONEMPTY, dst);
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
    realms_free(c);
    gw_jwt_realm *rs = xcalloc((size_t)cJSON_GetArraySize(v) + 1, sizeof(*rs));
    c->identity.jwt.realms = rs;
    c->identity.jwt.nrealms = 1; /* [0]: the strings */
    char kp[256], ip[280], mp[320];
    cfg_path(kp, sizeof(kp), path, "issuers");
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
            set_str(&r->jwks_file, c->identity.jwt.jwks_file);
            get_str(p, e, ip, "jwks_file", S_ANY, &r->jwks_file);
            snprintf(mp, sizeof(mp), "%s.jwks_file", ip);
            if (r->jwks_file[0] != '/')
                cfg_err(p, mp, "required (here or in identity.jwt): the absolute path of the JWKS file");
            strlist_copy(&r->audiences, &c->identity.jwt.audiences);
            r->any_audience = c->identity.jwt.any_audience;
            get_audiences(p, e, ip, &r->audiences, &r->any_audience);
            snprintf(mp, sizeof(mp), "%s.audiences", ip);
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
        else
            strlist_add(&r->issuers, iss);
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
    if (!c->identity.jwt.header)
        set_str(&c->identity.jwt.header, "HTTP_X_RAW_ID_TOKEN");
    if (!c->identity.jwt.jwks_file)
        set_str(&c->identity.jwt.jwks_file, "");
    get_str(p, o, path, "header", S_VAR, &c->identity.jwt.header);
    get_str(p, o, path, "jwks_file", S_ANY, &c->identity.jwt.jwks_file);
    /* The audience is required: without it an ID token issued to any
     * client of the realm would do. "any" says so on purpose. */
    get_audiences(p, o, path, &c->identity.jwt.audiences, &c->identity.jwt.any_audience);
    c->identity.jwt.leeway_seconds = 60;
    get_long(p, o, path, "leeway_seconds", 0, 3600, &c->identity.jwt.leeway_seconds);
    parse_jwt_issuers(p, c, o, path);
    gw_jwt_realm *shared = c->identity.jwt.nrealms ? &c->identity.jwt.realms[0] : NULL;
    if (!shared || shared->issuers.n) { /* issuers given as strings (or none at all) */
        if (!c->identity.jwt.any_audience && c->identity.jwt.audiences.n == 0)
            cfg_err(p, "identity.jwt.audiences", GW_AUD_REQUIRED);
        if (c->identity.jwt.jwks_file[0] != '/')
            cfg_err(p, "identity.jwt.jwks_file", "required: the absolute path of the JWKS file");
    }
    if (shared && shared->issuers.n) {
        set_str(&shared->jwks_file, c->identity.jwt.jwks_file);
        strlist_copy(&shared->audiences, &c->identity.jwt.audiences);
        shared->any_audience = c->identity.jwt.any_audience;
    } else if (shared) { /* objects only: no realm of strings */
        gw_jwt_realm *rs = c->identity.jwt.realms;
        strlist_free(&rs[0].issuers);
        memmove(rs, rs + 1, (c->identity.jwt.nrealms - 1) * sizeof(*rs));
        c->identity.jwt.nrealms--;
    }
    if (c->identity.jwt.nrealms == 0)
        cfg_err(p, "identity.jwt.issuers", "required: at least one accepted issuer");
}

static void parse_identity(cfgp *p, gw_config *c, const cJSON *root)
{
    static const char *const keys[] = {"source", "header", "id_claim", "claim_headers",
                                       "max_bytes", "trusted_proxies", "cache_seconds",
                                       "cache_bytes", "jwt",
                                       NULL};
    static const char *const sources[] = {"apisix", "headers", NULL};
    char path[256], kp[256], ip[300];
    const cJSON *o = cfg_object(p, root, "", "identity", keys, path, sizeof(path));
    int src = (int)c->identity.source;
    get_enum(p, o, path, "source", sources, &src);
    c->identity.source = (gw_source)src;
    get_str(p, o, path, "header", S_VAR, &c->identity.header);
    get_str(p, o, path, "id_claim", S_NONEMPTY, &c->identity.id_claim);
    long mb = (long)c->identity.max_bytes;
    get_long(p, o, path, "max_bytes", 1, 1048576, &mb);
    c->identity.max_bytes = (size_t)mb;
    get_int(p, o, path, "cache_seconds", 0, 86400, &c->identity.cache_seconds);
    long cb = (long)c->identity.cache_bytes;
    get_long(p, o, path, "cache_bytes", 65536, 1073741824L, &cb);
    c->identity.cache_bytes = (size_t)cb;

    const cJSON *ch = cfg_object(p, o, path, "claim_headers", NULL, kp, sizeof(kp));
    if (ch) {
        claimvars_free(c);
        c->identity.claim_headers = xcalloc((size_t)cJSON_GetArraySize(ch), sizeof(gw_claimvar));
        for (const cJSON *e = ch->child; e; e = e->next) {
            cfg_path(ip, sizeof(ip), kp, e->string);
            const char *why = !*e->string ? "claim name must not be empty"
                              : gw_has_ctl(e->string) ? "claim name must not hold control characters"
                              : !cJSON_IsString(e) ? "expected a string"
                              : str_problem(e->valuestring, S_VAR);
            if (why) {
                cfg_err(p, ip, "%s", why);
                continue;
            }
            gw_claimvar *cv = &c->identity.claim_headers[c->identity.nclaim_headers++];
            set_str(&cv->claim, e->string);
            set_str(&cv->var, e->valuestring);
        }
    }

    const cJSON *tp = cfg_member(p, o, path, "trusted_proxies", cJSON_Array, "an array of strings");
    if (tp) {
        cfg_path(kp, sizeof(kp), path, "trusted_proxies");
        free(c->identity.proxies);
        c->identity.proxies = xcalloc((size_t)cJSON_GetArraySize(tp), sizeof(gw_cidr));
        c->identity.nproxies = 0;
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

static void fields_free(gw_config *c)
{
    for (size_t i = 0; i < c->users.nfields; i++) {
        free(c->users.fields[i].claim);
        free(c->users.fields[i].column);
    }
    free(c->users.fields);
    c->users.fields = NULL;
    c->users.nfields = 0;
}

static void related_free(gw_config *c)
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
    fields_free(c);
    c->users.fields = xcalloc((size_t)cJSON_GetArraySize(fo), sizeof(gw_field));
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
            get_bool(p, e, ip, "overwrite", &overwrite);
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
        set_str(&f->claim, e->string);
        set_str(&f->column, col);
        f->overwrite = overwrite;
    }
}

static void parse_related(cfgp *p, gw_config *c, const cJSON *ro, const char *kp)
{
    char tp[300], ip[340];
    related_free(c);
    c->users.related = xcalloc((size_t)cJSON_GetArraySize(ro), sizeof(gw_related));
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
        set_str(&r->table, t->string);
        r->cols = xcalloc((size_t)cJSON_GetArraySize(t), sizeof(gw_relcol));
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
            set_str(&rc->claim, cl->valuestring);
            set_str(&rc->column, co->valuestring);
            set_str(&rc->deflt, dtext);
        }
    }
}

static void parse_users(cfgp *p, gw_config *c, const cJSON *root)
{
    static const char *const keys[] = {"create", "update", "fields", "related", NULL};
    char path[256], kp[256];
    const cJSON *o = cfg_object(p, root, "", "users", keys, path, sizeof(path));
    get_bool(p, o, path, "create", &c->users.create);
    get_bool(p, o, path, "update", &c->users.update);
    const cJSON *fo = cfg_object(p, o, path, "fields", NULL, kp, sizeof(kp));
    if (fo)
        parse_fields(p, c, fo, kp);
    const cJSON *ro = cfg_object(p, o, path, "related", NULL, kp, sizeof(kp));
    if (ro)
        parse_related(p, c, ro, kp);
}

/* The required "path" of an object at ip: a claim path. */
static void get_claim_path(cfgp *p, const cJSON *e, const char *ip, char **dst)
{
    get_str(p, e, ip, "path", S_NONEMPTY, dst);
    const char *why = *dst ? gw_json_claim_path_problem(*dst) : "missing key \"path\"";
    if (why)
        cfg_err(p, ip, "path: %s", why);
}

static void sources_free(gw_config *c)
{
    for (size_t i = 0; i < c->groups.nsources; i++) {
        free(c->groups.sources[i].path);
        free(c->groups.sources[i].prefix);
    }
    free(c->groups.sources);
    c->groups.sources = NULL;
    c->groups.nsources = 0;
}

bool gw_group_managed(const gw_config *c, const char *g)
{
    for (size_t i = 0; i < c->groups.excluded.n; i++)
        if (strcmp(c->groups.excluded.v[i], g) == 0)
            return false;
    const char *mp = c->groups.managed_prefix;
    return !mp || strncmp(g, mp, strlen(mp)) == 0;
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
    sources_free(c);
    c->groups.sources = xcalloc((size_t)cJSON_GetArraySize(v), sizeof(gw_group_source));
    int i = 0;
    for (const cJSON *e = v->child; e; e = e->next, i++) {
        snprintf(ip, sizeof(ip), "%s[%d]", kp, i);
        if (!cJSON_IsObject(e)) {
            cfg_err(p, ip, "expected an object {\"path\": ..., \"prefix\": ...}");
            continue;
        }
        cfg_keys(p, e, ip, skeys);
        gw_group_source *g = &c->groups.sources[c->groups.nsources++];
        get_claim_path(p, e, ip, &g->path);
        set_str(&g->prefix, "");
        get_str(p, e, ip, "prefix", S_ANY, &g->prefix);
        if (strchr(g->prefix, ',') || gw_has_ctl(g->prefix) || strlen(g->prefix) > 64)
            cfg_err(p, ip, "prefix: at most 64 bytes, no comma or control character");
        get_bool(p, e, ip, "strip_slash", &g->strip_slash);
        get_bool(p, e, ip, "lowercase", &g->lowercase);
        for (size_t k = 0; g->path && k + 1 < c->groups.nsources; k++)
            if (c->groups.sources[k].path && strcmp(c->groups.sources[k].path, g->path) == 0 &&
                strcmp(c->groups.sources[k].prefix, g->prefix) == 0)
                cfg_err(p, ip, "the same path and prefix twice");
    }
}

static void parse_groups(cfgp *p, gw_config *c, const cJSON *root)
{
    static const char *const keys[] = {"claim", "claims", "sync", "excluded", "managed_prefix",
                                       "max_count", "export_only", NULL};
    static const char *const syncs[] = {"off", "existing", "create", NULL};
    char path[256];
    const cJSON *o = cfg_object(p, root, "", "groups", keys, path, sizeof(path));
    get_str(p, o, path, "claim", S_NONEMPTY, &c->groups.claim);
    int s = (int)c->groups.sync;
    get_enum(p, o, path, "sync", syncs, &s);
    c->groups.sync = (gw_sync)s;
    get_strlist(p, o, path, "excluded", S_NONEMPTY, &c->groups.excluded);
    get_str(p, o, path, "managed_prefix", S_NONEMPTY, &c->groups.managed_prefix);
    get_int(p, o, path, "max_count", 1, GW_GROUPS_LIMIT, &c->groups.max_count);
    parse_group_sources(p, c, o, path);
    /* export_only: "rules", or names and prefixes ("app:*") */
    const cJSON *eo = cJSON_GetObjectItemCaseSensitive(o, "export_only");
    if (cJSON_IsString(eo) && strcmp(eo->valuestring, "rules") == 0) {
        c->groups.export_rules = true;
    } else if (eo) {
        c->groups.export_rules = false;
        get_strlist(p, o, path, "export_only", S_NONEMPTY, &c->groups.export_only);
        if (cJSON_IsArray(eo) && c->groups.export_only.n == 0)
            cfg_err(p, "groups.export_only", "must not be empty (leave it out to export every group)");
    }
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

static void exports_free(gw_config *c)
{
    for (size_t i = 0; i < c->exports.n; i++) {
        free(c->exports.v[i].name);
        free(c->exports.v[i].column);
    }
    free(c->exports.v);
    c->exports.v = NULL;
    c->exports.n = 0;
}

static void parse_export(cfgp *p, gw_config *c, const cJSON *root)
{
    char path[256], ip[300];
    const cJSON *o = cfg_object(p, root, "", "export", NULL, path, sizeof(path));
    if (!o)
        return;
    exports_free(c);
    c->exports.v = xcalloc((size_t)cJSON_GetArraySize(o), sizeof(gw_export));
    for (const cJSON *e = o->child; e; e = e->next) {
        cfg_path(ip, sizeof(ip), path, e->string);
        if (!gw_is_var_name(e->string)) {
            cfg_err(p, ip, "variable name must match [A-Z][A-Z0-9_]*");
            continue;
        }
        if (!cJSON_IsString(e)) {
            cfg_err(p, ip, "expected a users column, \"@groups\", \"@source\" or \"@permissions\"");
            continue;
        }
        gw_export x = {0};
        const char *v = e->valuestring;
        if (strcmp(v, "@groups") == 0)
            x.kind = GW_EXP_GROUPS;
        else if (strcmp(v, "@source") == 0)
            x.kind = GW_EXP_SOURCE;
        else if (strcmp(v, "@permissions") == 0)
            x.kind = GW_EXP_PERMISSIONS;
        else if (gw_is_identifier(v))
            x.kind = GW_EXP_COLUMN;
        else {
            cfg_err(p, ip, "expected a users column, \"@groups\", \"@source\" or \"@permissions\"");
            continue;
        }
        gw_export *d = &c->exports.v[c->exports.n++];
        d->kind = x.kind;
        set_str(&d->name, e->string);
        if (x.kind == GW_EXP_COLUMN)
            set_str(&d->column, v);
    }
}

static void matches_free(gw_claim_match *m, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(m[i].path);
        strlist_free(&m[i].values);
    }
    free(m);
}

static void rules_free(gw_config *c)
{
    for (size_t i = 0; i < c->access.nrules; i++) {
        matches_free(c->access.rules[i].claims_any, c->access.rules[i].nclaims_any);
        matches_free(c->access.rules[i].claims_all, c->access.rules[i].nclaims_all);
        free(c->access.rules[i].prefix);
        strlist_free(&c->access.rules[i].groups_any);
        strlist_free(&c->access.rules[i].scopes_any);
        strlist_free(&c->access.rules[i].permissions_any);
        strlist_free(&c->access.rules[i].methods);
        free(c->access.rules[i].audience);
    }
    free(c->access.rules);
    c->access.rules = NULL;
    c->access.nrules = 0;
    c->access.nreport = 0;
    strlist_free(&c->access.claim_paths);
}

const char *const gw_access_names[] = {"anonymous", "authenticated", "deny", NULL};

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
    gw_claim_match *m = xcalloc((size_t)cJSON_GetArraySize(v), sizeof(*m));
    int i = 0;
    for (const cJSON *e = v->child; e; e = e->next, i++) {
        snprintf(ip, sizeof(ip), "%s[%d]", kp, i);
        if (!cJSON_IsObject(e)) {
            cfg_err(p, ip, "expected an object {\"path\": ..., \"any\": [...]}");
            continue;
        }
        cfg_keys(p, e, ip, mkeys);
        gw_claim_match *x = &m[(*n)++];
        get_claim_path(p, e, ip, &x->path);
        const cJSON *any = cJSON_GetObjectItemCaseSensitive(e, "any");
        const cJSON *all = cJSON_GetObjectItemCaseSensitive(e, "all");
        x->all = all != NULL;
        if (!any == !all)
            cfg_err(p, ip, "needs one of \"any\" (the claim holds one of the values) or \"all\" "
                           "(it holds every one)");
        else
            get_strlist(p, e, ip, x->all ? "all" : "any", S_NONEMPTY, &x->values);
        if ((any || all) && x->values.n == 0)
            cfg_err(p, ip, "%s: at least one value", x->all ? "all" : "any");
        bool seen = false;
        for (size_t k = 0; x->path && k < c->access.claim_paths.n && !seen; k++)
            seen = strcmp(c->access.claim_paths.v[k], x->path) == 0;
        if (x->path && !seen)
            strlist_add(&c->access.claim_paths, x->path);
    }
    return m;
}

static void parse_access(cfgp *p, gw_config *c, const cJSON *root)
{
    static const char *const keys[] = {"default", "rules", "login_redirect", "permissions_file", NULL};
    static const char *const rkeys[] = {"prefix", "access", "groups_any", "scopes_any",
                                        "claims_any", "claims_all", "permissions_any", "mode",
                                        "audience", "methods", NULL};
    static const char *const modes[] = {"enforce", "report", NULL};
    char path[256], kp[256], ip[300];
    const cJSON *o = cfg_object(p, root, "", "access", keys, path, sizeof(path));
    int d = (int)c->access.deflt;
    get_enum(p, o, path, "default", gw_access_names, &d);
    c->access.deflt = (gw_access)d;
    get_str(p, o, path, "login_redirect", S_ANY, &c->access.login_redirect);
    if (!c->access.permissions_file)
        set_str(&c->access.permissions_file, "");
    get_str(p, o, path, "permissions_file", S_ANY, &c->access.permissions_file);
    if (*c->access.permissions_file && c->access.permissions_file[0] != '/')
        cfg_err(p, "access.permissions_file", "must be an absolute path (or empty for none)");
    const cJSON *rl = cfg_member(p, o, path, "rules", cJSON_Array, "an array of objects");
    if (!rl)
        return;
    cfg_path(kp, sizeof(kp), path, "rules");
    rules_free(c);
    c->access.rules = xcalloc((size_t)cJSON_GetArraySize(rl), sizeof(gw_rule));
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
        get_str(p, e, ip, "prefix", S_PREFIX, &r->prefix);
        if (!r->prefix) {
            if (!cJSON_GetObjectItemCaseSensitive(e, "prefix"))
                cfg_err(p, ip, "missing key \"prefix\"");
            set_str(&r->prefix, "/");
        }
        int a = (int)r->access;
        get_enum(p, e, ip, "access", gw_access_names, &a);
        r->access = (gw_access)a;
        get_strlist(p, e, ip, "groups_any", S_NONEMPTY, &r->groups_any);
        get_strlist(p, e, ip, "scopes_any", S_NONEMPTY, &r->scopes_any);
        r->claims_any = get_matches(p, c, e, ip, "claims_any", &r->nclaims_any);
        r->claims_all = get_matches(p, c, e, ip, "claims_all", &r->nclaims_all);
        get_strlist(p, e, ip, "permissions_any", S_NONEMPTY, &r->permissions_any);
        int mode = 0;
        get_enum(p, e, ip, "mode", modes, &mode);
        r->report = mode == 1;
        c->access.nreport += r->report;
        if (r->access == GW_ACCESS_DENY &&
            (r->groups_any.n || r->scopes_any.n || r->nclaims_any || r->nclaims_all ||
             r->permissions_any.n))
            cfg_err(p, ip, "access \"deny\" refuses every request: groups_any, scopes_any, "
                           "claims_any, claims_all and permissions_any would change nothing");
        get_str(p, e, ip, "audience", S_NONEMPTY, &r->audience);
        if (r->report && r->audience)
            cfg_err(p, ip, "audience: a rule in report mode decides nothing, so it names no audience");
        get_strlist(p, e, ip, "methods", S_NONEMPTY, &r->methods);
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

static void parse_session(cfgp *p, gw_config *c, const cJSON *root)
{
    static const char *const keys[] = {"enabled", "cookie", "ttl_seconds", "idle_seconds",
                                       "touch_seconds", "max_per_user", "secure",
                                       "same_site", "establish_path", NULL};
    static const char *const sites[] = {"Strict", "Lax", "None", NULL};
    char path[256];
    const cJSON *o = cfg_object(p, root, "", "session", keys, path, sizeof(path));
    get_bool(p, o, path, "enabled", &c->session.enabled);
    get_str(p, o, path, "cookie", S_TOKEN, &c->session.cookie);
    get_long(p, o, path, "ttl_seconds", 60, 31622400, &c->session.ttl_seconds);
    get_long(p, o, path, "idle_seconds", 0, 31622400, &c->session.idle_seconds);
    get_long(p, o, path, "touch_seconds", 1, 3600, &c->session.touch_seconds);
    get_long(p, o, path, "max_per_user", 0, 1000, &c->session.max_per_user);
    if (c->session.idle_seconds && c->session.idle_seconds < 2 * c->session.touch_seconds)
        cfg_err(p, "session.idle_seconds", "must be 0 (off) or at least twice touch_seconds (%ld)",
                c->session.touch_seconds);
    get_bool(p, o, path, "secure", &c->session.secure);
    int s = 1;
    for (int i = 0; sites[i]; i++)
        if (c->session.same_site && strcmp(c->session.same_site, sites[i]) == 0)
            s = i;
    get_enum(p, o, path, "same_site", sites, &s);
    set_str(&c->session.same_site, sites[s]);
    get_str(p, o, path, "establish_path", S_PATH, &c->session.establish_path);
}

/* A path that may be "" (off) or a local path, as key of section. */
static void get_opt_path(cfgp *p, const cJSON *o, const char *path, const char *key, char **dst)
{
    get_str(p, o, path, key, S_ANY, dst);
    const char *v = *dst;
    char *norm = NULL;
    if (v && *v && (v[0] != '/' || v[1] == '/' || strpbrk(v, "?#%\\") ||
                    gw_rule_path_normalize(v, &norm) != GW_OK || strcmp(norm, v) != 0)) {
        /* the responder compares the normalized request path with it */
        char kp[300];
        cfg_path(kp, sizeof(kp), path, key);
        cfg_err(p, kp, "must be empty (off) or a local path in its normalized form (no //, . or ..)");
    }
    free(norm);
}

static void parse_logout(cfgp *p, gw_config *c, const cJSON *root)
{
    static const char *const keys[] = {"path", "gateway_logout_url", "gateway_session_cookie",
                                       "default_destination", "next_param", "next_cookie",
                                       "allowed_hosts", "backchannel_path", NULL};
    char path[256];
    const cJSON *o = cfg_object(p, root, "", "logout", keys, path, sizeof(path));
    get_str(p, o, path, "path", S_PATH, &c->logout.path);
    get_str(p, o, path, "gateway_logout_url", S_NONEMPTY, &c->logout.gateway_logout_url);
    get_str(p, o, path, "gateway_session_cookie", S_TOKEN_OPT, &c->logout.gateway_session_cookie);
    get_str(p, o, path, "default_destination", S_PATH, &c->logout.default_destination);
    get_str(p, o, path, "next_param", S_TOKEN, &c->logout.next_param);
    get_str(p, o, path, "next_cookie", S_TOKEN, &c->logout.next_cookie);
    get_strlist(p, o, path, "allowed_hosts", S_NONEMPTY, &c->logout.allowed_hosts);
    get_opt_path(p, o, path, "backchannel_path", &c->logout.backchannel_path);
}

static void parse_log(cfgp *p, gw_config *c, const cJSON *root)
{
    static const char *const keys[] = {"level", "format", NULL};
    static const char *const levels[] = {"debug", "info", "warn", "error", NULL};
    static const char *const formats[] = {"text", "json", NULL};
    char path[256];
    const cJSON *o = cfg_object(p, root, "", "log", keys, path, sizeof(path));
    int l = (int)c->log.level, f = c->log.json ? 1 : 0;
    get_enum(p, o, path, "level", levels, &l);
    get_enum(p, o, path, "format", formats, &f);
    c->log.level = (gw_log_level)l;
    c->log.json = f == 1;
}

static void parse_monitor(cfgp *p, gw_config *c, const cJSON *root)
{
    static const char *const keys[] = {"health_path", "metrics_path", "metrics_file", NULL};
    char path[256];
    const cJSON *o = cfg_object(p, root, "", "monitor", keys, path, sizeof(path));
    get_opt_path(p, o, path, "health_path", &c->monitor.health_path);
    get_opt_path(p, o, path, "metrics_path", &c->monitor.metrics_path);
    get_str(p, o, path, "metrics_file", S_ANY, &c->monitor.metrics_file);
    if (*c->monitor.metrics_file && c->monitor.metrics_file[0] != '/')
        cfg_err(p, "monitor.metrics_file", "must be an absolute path (or empty: each process "
                "counts alone)");
}

/* assertion: absent means none is signed; present, it needs the key file,
 * the issuer and the audience. */
static void parse_assertion(cfgp *p, gw_config *c, const cJSON *root)
{
    static const char *const keys[] = {"key_file", "issuer", "audience", "ttl_seconds",
                                       "variable", "jwks_path", NULL};
    char path[256];
    const cJSON *o = cfg_object(p, root, "", "assertion", keys, path, sizeof(path));
    if (!o)
        return;
    c->assertion.enabled = true;
    set_str(&c->assertion.key_file, "");
    set_str(&c->assertion.issuer, "");
    set_str(&c->assertion.audience, "");
    set_str(&c->assertion.variable, "GWAUTH_ASSERTION");
    set_str(&c->assertion.jwks_path, "/gwauth/jwks.json");
    c->assertion.ttl_seconds = 60;
    get_str(p, o, path, "key_file", S_ANY, &c->assertion.key_file);
    get_str(p, o, path, "issuer", S_ANY, &c->assertion.issuer);
    get_str(p, o, path, "audience", S_ANY, &c->assertion.audience);
    get_long(p, o, path, "ttl_seconds", 10, 3600, &c->assertion.ttl_seconds);
    get_str(p, o, path, "variable", S_VAR, &c->assertion.variable);
    get_opt_path(p, o, path, "jwks_path", &c->assertion.jwks_path);
    if (c->assertion.key_file[0] != '/')
        cfg_err(p, "assertion.key_file", "required: the absolute path of a PEM key file or of "
                "a directory of *.pem key files");
    if (!*c->assertion.issuer)
        cfg_err(p, "assertion.issuer", "required: the \"iss\" the applications check "
                "(e.g. https://app.example.org/gwauth)");
    if (!*c->assertion.audience)
        cfg_err(p, "assertion.audience", "required: the \"aud\" the applications check");
}

static void parse_fastcgi(cfgp *p, gw_config *c, const cJSON *root)
{
    static const char *const keys[] = {"secret_file", "peer_uids", "receive_timeout_ms",
                                       "nginx_auth_request", NULL};
    char path[256], kp[256], ip[300];
    const cJSON *o = cfg_object(p, root, "", "fastcgi", keys, path, sizeof(path));
    get_str(p, o, path, "secret_file", S_ANY, &c->fastcgi.secret_file);
    if (c->fastcgi.secret_file && *c->fastcgi.secret_file && c->fastcgi.secret_file[0] != '/')
        cfg_err(p, "fastcgi.secret_file", "must be an absolute path (or empty for none)");
    get_int(p, o, path, "receive_timeout_ms", 100, 600000, &c->fastcgi.receive_timeout_ms);
    get_bool(p, o, path, "nginx_auth_request", &c->fastcgi.nginx_auth_request);
    const cJSON *u = cfg_member(p, o, path, "peer_uids", cJSON_Array,
                                "an array of user ids or user names");
    if (!u)
        return;
    cfg_path(kp, sizeof(kp), path, "peer_uids");
    size_t n = (size_t)cJSON_GetArraySize(u);
    free(c->fastcgi.peer_uids);
    strlist_free(&c->fastcgi.peer_names);
    c->fastcgi.peer_uids = xcalloc(n, sizeof(long));
    c->fastcgi.npeer_uids = 0;
    c->fastcgi.peer_names.v = xcalloc(n, sizeof(char *));
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
            else
                set_str(&c->fastcgi.peer_names.v[c->fastcgi.peer_names.n++], s);
        } else {
            cfg_err(p, ip, "expected a user id or a user name");
        }
    }
    c->fastcgi.npeer_numbers = c->fastcgi.npeer_uids;
}

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

/* assertion: the audiences (slot 0 is assertion.audience), the rules'
 * slots, and the names it must not share. */
static void cfg_assertion_checks(cfgp *p, gw_config *c)
{
    strlist_free(&c->assertion.audiences);
    for (size_t i = 0; i < c->access.nrules; i++)
        if (c->access.rules[i].audience && !c->assertion.enabled)
            cfg_err(p, "access.rules", "\"audience\" needs the assertion section");
    if (!c->assertion.enabled)
        return;
    strlist_add(&c->assertion.audiences, c->assertion.audience);
    for (size_t i = 0; i < c->access.nrules; i++) {
        gw_rule *r = &c->access.rules[i];
        const char *aud = r->audience ? r->audience : c->assertion.audience;
        size_t k = 0;
        while (k < c->assertion.audiences.n && strcmp(c->assertion.audiences.v[k], aud) != 0)
            k++;
        if (k == c->assertion.audiences.n)
            strlist_add(&c->assertion.audiences, aud);
        r->aud_slot = k;
    }
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
static void cfg_header_checks(cfgp *p, gw_config *c)
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

/* Rules that tie several keys together, checked once everything is read. */
static void cfg_cross_checks(cfgp *p, gw_config *c)
{
    cfg_dbnodes(p, c);
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
    if (c->groups.nsources == 0) { /* "claim" alone: one source, as it is */
        c->groups.sources = xcalloc(1, sizeof(gw_group_source));
        c->groups.nsources = 1;
        set_str(&c->groups.sources[0].path, c->groups.claim);
        set_str(&c->groups.sources[0].prefix, "");
    }
    if (c->session.enabled && strcmp(c->session.same_site, "None") == 0 && !c->session.secure)
        cfg_err(p, "session.same_site", "\"None\" requires session.secure = true");
    if (*c->logout.backchannel_path) {
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
    free(c->id_vars);
    c->nid_vars = c->identity.source == GW_SRC_APISIX ? 1 : c->identity.nclaim_headers;
    c->id_vars = xcalloc(c->nid_vars + 1, sizeof(char *));
    for (size_t i = 0; i < c->nid_vars; i++)
        c->id_vars[i] = c->identity.source == GW_SRC_APISIX ? c->identity.header
                                                            : c->identity.claim_headers[i].var;
    free(c->key_vars);
    c->nkey_vars = c->nid_vars + c->identity.jwt.enabled;
    c->key_vars = xcalloc(c->nkey_vars + 1, sizeof(char *));
    memcpy(c->key_vars, c->id_vars, c->nid_vars * sizeof(char *));
    if (c->identity.jwt.enabled) {
        c->key_vars[c->nid_vars] = c->identity.jwt.header;
        for (size_t i = 0; i < c->nid_vars; i++)
            if (strcmp(c->id_vars[i], c->identity.jwt.header) == 0)
                cfg_err(p, "identity.jwt.header", "must differ from the identity's own variables");
    }
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
    if (c->access.uses_permissions && !*c->access.permissions_file)
        cfg_err(p, "access.permissions_file", "required by permissions_any and @permissions: the "
                                              "absolute path of the permissions specification");
    for (size_t i = 0; i < c->access.nrules; i++) {
        c->uses_groups |= c->access.rules[i].groups_any.n > 0;
        for (size_t k = 0; c->groups.export_rules && k < c->access.rules[i].groups_any.n; k++)
            if (!gw_group_exported(c, c->access.rules[i].groups_any.v[k]))
                strlist_add(&c->groups.export_only, c->access.rules[i].groups_any.v[k]);
    }
    if (c->groups.export_rules && c->groups.export_only.n == 0)
        cfg_err(p, "groups.export_only", "\"rules\": no rule names a group (groups_any), so "
                                         "@groups would always be empty");
    for (size_t i = 0; c->export_max_bytes && i < c->exports.n; i++)
        if (strcmp(c->exports.v[i].name, GW_GROUPS_TRUNCATED_VAR) == 0)
            cfg_err(p, "export", "\"%s\" is what export_max_bytes sets", GW_GROUPS_TRUNCATED_VAR);
    if (c->session.enabled && !c->id_export)
        cfg_err(p, "export", "sessions need a variable exporting the users column \"id\" "
                             "(the responder reads the user from it)");
    /* the responder tells its endpoints apart by path alone ("" is off) */
    const char *served[] = {c->session.establish_path, c->logout.path, c->logout.backchannel_path,
                            c->monitor.health_path, c->monitor.metrics_path,
                            c->assertion.enabled ? c->assertion.jwks_path : ""};
    const char *names[] = {"session.establish_path", "logout.path", "logout.backchannel_path",
                           "monitor.health_path", "monitor.metrics_path", "assertion.jwks_path"};
    for (size_t i = 1; i < sizeof(served) / sizeof(served[0]); i++)
        for (size_t k = 0; k < i && *served[i]; k++)
            if (strcmp(served[i], served[k]) == 0)
                cfg_err(p, names[i], "must differ from %s", names[k]);
    for (size_t i = 0; i < c->exports.n; i++)
        for (size_t k = 0; k < i; k++)
            if (strcmp(c->exports.v[i].name, c->exports.v[k].name) == 0)
                cfg_err(p, "export", "variable \"%s\" is given twice", c->exports.v[i].name);
    cfg_header_checks(p, c);
    cfg_assertion_checks(p, c);
}

/* The logout path must work once the gateway's session is gone, the
 * identity provider calls the back-channel path without one, and a
 * monitor (health, metrics) has none: all are anonymous unless a rule
 * names them. */
static void cfg_implied_rule(gw_config *c, const char *path)
{
    for (size_t i = 0; i < c->access.nrules; i++)
        if (strcmp(c->access.rules[i].prefix, path) == 0)
            return;
    gw_rule *r = realloc(c->access.rules, (c->access.nrules + 1) * sizeof(gw_rule));
    if (!r)
        abort();
    c->access.rules = r;
    r += c->access.nrules++;
    memset(r, 0, sizeof(*r));
    set_str(&r->prefix, path);
    r->implied = true;
    r->access = GW_ACCESS_ANONYMOUS;
}

/* The login page's own path, once: a request for it is never sent there. */
static void cfg_login_path(gw_config *c)
{
    free(c->access.login_path);
    c->access.login_path = NULL;
    const char *base = c->access.login_redirect;
    size_t n = base ? strcspn(base, "?#") : 0;
    if (!n || base[0] != '/')
        return;
    char *tmp = strndup(base, n);
    if (!tmp)
        abort();
    if (gw_rule_path_normalize(tmp, &c->access.login_path) != GW_OK)
        c->access.login_path = NULL;
    free(tmp);
}

static void cfg_implied_rules(gw_config *c)
{
    cfg_implied_rule(c, c->logout.path);
    const char *anon[] = {c->logout.backchannel_path, c->monitor.health_path,
                          c->monitor.metrics_path, c->assertion.enabled ? c->assertion.jwks_path : ""};
    for (size_t i = 0; i < sizeof(anon) / sizeof(anon[0]); i++)
        if (*anon[i])
            cfg_implied_rule(c, anon[i]);
}

/* Applies the document text over c; problems go to p. */
static void cfg_apply(cfgp *p, gw_config *c, const char *text, size_t len)
{
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
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
    get_long(p, root, "", "export_max_bytes", 0, 1048576, &emb);
    if (emb > 0 && emb < 256)
        cfg_err(p, "export_max_bytes", "0 (no bound) or at least 256");
    c->export_max_bytes = (size_t)emb;
    parse_database(p, c, root);
    parse_identity(p, c, root);
    parse_users(p, c, root);
    parse_groups(p, c, root);
    parse_export(p, c, root);
    parse_access(p, c, root);
    parse_session(p, c, root);
    parse_logout(p, c, root);
    parse_log(p, c, root);
    parse_monitor(p, c, root);
    parse_assertion(p, c, root);
    parse_fastcgi(p, c, root);
    cJSON_Delete(root);
}

static gw_config *cfg_finish(cfgp *p, gw_config *c, char **errors)
{
    if (p->n == 0) {
        gw_buf_free(&p->errs);
        *errors = NULL;
        return c;
    }
    gw_config_free(c);
    *errors = p->errs.data ? p->errs.data : strdup("out of memory\n");
    return NULL;
}

gw_config *gw_config_defaults(void)
{
    char *errors;
    cfgp p = {0};
    gw_config *c = xcalloc(1, sizeof(*c));
    cfg_apply(&p, c, gw_config_default_json, strlen(gw_config_default_json));
    c = cfg_finish(&p, c, &errors);
    free(errors);
    return c;
}

gw_config *gw_config_parse(const char *text, size_t len, char **errors)
{
    cfgp p = {0};
    gw_config *c = gw_config_defaults();
    if (!c) {
        *errors = strdup("built-in defaults do not parse\n");
        return NULL;
    }
    cfg_apply(&p, c, text, len);
    if (p.n == 0)
        cfg_cross_checks(&p, c);
    if (p.n == 0) {
        cfg_implied_rules(c);
        cfg_login_path(c);
    }
    return cfg_finish(&p, c, errors);
}

void gw_config_free(gw_config *c)
{
    if (!c)
        return;
    free(c->database.host);
    free(c->database.socket);
    strlist_free(&c->database.hosts);
    dbnodes_free(c);
    free(c->database.user);
    free(c->database.password_file);
    if (c->database.password) {
        memset(c->database.password, 0, strlen(c->database.password));
        free(c->database.password);
    }
    free(c->database.name);
    free(c->identity.header);
    free(c->identity.id_claim);
    claimvars_free(c);
    free(c->identity.proxies);
    free(c->id_vars);
    free(c->key_vars);
    free(c->identity.jwt.header);
    free(c->identity.jwt.jwks_file);
    strlist_free(&c->identity.jwt.audiences);
    realms_free(c);
    fields_free(c);
    related_free(c);
    free(c->groups.claim);
    free(c->groups.managed_prefix);
    sources_free(c);
    strlist_free(&c->groups.export_only);
    strlist_free(&c->groups.excluded);
    exports_free(c);
    rules_free(c);
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
    strlist_free(&c->logout.allowed_hosts);
    free(c->assertion.key_file);
    free(c->assertion.issuer);
    free(c->assertion.audience);
    free(c->assertion.variable);
    free(c->assertion.jwks_path);
    strlist_free(&c->assertion.audiences);
    free(c->fastcgi.secret_file);
    free(c->fastcgi.peer_uids);
    strlist_free(&c->fastcgi.peer_names);
    memset(c->fastcgi.secret_hash, 0, sizeof(c->fastcgi.secret_hash));
    free(c);
}

/* --- the effective configuration as JSON (--print-config) ---------------- */

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

static const char *js_access(gw_access a) { return gw_access_names[a]; }

char *gw_config_json(const gw_config *c)
{
    static const char *const sources[] = {"apisix", "headers"};
    static const char *const syncs[] = {"off", "existing", "create"};
    static const char *const levels[] = {"debug", "info", "warn", "error"};
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
    cJSON_AddStringToObject(o, "cluster", c->database.galera ? "galera" : "none");
    js_strs(o, "hosts", &c->database.hosts);
    cJSON_AddNumberToObject(o, "failback_seconds", c->database.failback_seconds);

    o = cJSON_AddObjectToObject(root, "identity");
    cJSON_AddStringToObject(o, "source", sources[c->identity.source]);
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
    cJSON_AddStringToObject(o, "sync", syncs[c->groups.sync]);
    js_strs(o, "excluded", &c->groups.excluded);

    o = cJSON_AddObjectToObject(root, "export");
    for (size_t i = 0; o && i < c->exports.n; i++) {
        const gw_export *e = &c->exports.v[i];
        cJSON_AddStringToObject(o, e->name, e->kind == GW_EXP_COLUMN ? e->column
                                            : e->kind == GW_EXP_GROUPS ? "@groups"
                                            : e->kind == GW_EXP_SOURCE ? "@source" : "@permissions");
    }

    if (c->export_max_bytes)
        cJSON_AddNumberToObject(root, "export_max_bytes", (double)c->export_max_bytes);
    o = cJSON_AddObjectToObject(root, "access");
    cJSON_AddStringToObject(o, "default", js_access(c->access.deflt));
    p = cJSON_AddArrayToObject(o, "rules");
    for (size_t i = 0; p && i < c->access.nrules; i++) {
        const gw_rule *r = &c->access.rules[i];
        if (r->implied)
            continue; /* parsing the printed document implies it again */
        q = cJSON_CreateObject();
        cJSON_AddStringToObject(q, "prefix", r->prefix);
        cJSON_AddStringToObject(q, "access", js_access(r->access));
        js_strs(q, "groups_any", &r->groups_any);
        js_strs(q, "scopes_any", &r->scopes_any);
        js_matches(q, "claims_any", r->claims_any, r->nclaims_any);
        js_matches(q, "claims_all", r->claims_all, r->nclaims_all);
        if (r->permissions_any.n)
            js_strs(q, "permissions_any", &r->permissions_any);
        if (r->report)
            cJSON_AddStringToObject(q, "mode", "report");
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
    cJSON_AddStringToObject(o, "level", levels[c->log.level]);
    cJSON_AddStringToObject(o, "format", c->log.json ? "json" : "text");

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
