/*
 * config_get.c - the configuration parser's plumbing: problems with their
 * key paths, unknown and repeated keys, the typed getters (strings and
 * their kinds, integers, booleans, enums, lists) and the copies they keep.
 */
#include "config_int.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "rules.h"

void cfg_err(cfgp *p, const char *path, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    gw_buf_printf(&p->errs, "%s: %s\n", path, msg);
    p->n++;
}

void cfg_oom(cfgp *p, const char *path)
{
    if (!p->oom)
        gw_strlcpy(p->oom_at, *path ? path : "(file)", sizeof(p->oom_at));
    p->oom = true;
    p->n++;
}

/* Keys are shown as given, cut at 64 bytes and with control characters
 * replaced, so a message never carries raw bytes from the file. */
void cfg_path(char *out, size_t n, const char *base, const char *key)
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

void cfg_keys(cfgp *p, const cJSON *obj, const char *path, const char *const *allowed)
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

const cJSON *cfg_member(cfgp *p, const cJSON *obj, const char *path, const char *key, int type,
                        const char *expect)
{
    const cJSON *v = obj && !p->oom ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
    if (!v)
        return NULL;
    if ((v->type & 0xFF) & type)
        return v;
    char kp[256];
    cfg_path(kp, sizeof(kp), path, key);
    cfg_err(p, kp, "expected %s", expect);
    return NULL;
}

const cJSON *cfg_object(cfgp *p, const cJSON *obj, const char *path, const char *key,
                        const char *const *allowed, char *subpath, size_t subn)
{
    const cJSON *v = cfg_member(p, obj, path, key, cJSON_Object, "an object");
    cfg_path(subpath, subn, path, key);
    if (v)
        cfg_keys(p, v, subpath, allowed);
    return v;
}

/* --- memory ------------------------------------------------------------- */

void *(*cfg_realloc_hook)(void *ptr, size_t n) = realloc;

void *cfg_alloc(cfgp *p, const char *path, size_t n, size_t size)
{
    n = n ? n : 1;
    void *v = n <= SIZE_MAX / size ? cfg_realloc_hook(NULL, n * size) : NULL;
    if (!v) {
        cfg_oom(p, path);
        return NULL;
    }
    return memset(v, 0, n * size);
}

void *cfg_realloc(cfgp *p, const char *path, void *v, size_t n, size_t size)
{
    void *w = n && n <= SIZE_MAX / size ? cfg_realloc_hook(v, n * size) : NULL;
    if (!w)
        cfg_oom(p, path);
    return w;
}

char *cfg_strndup(cfgp *p, const char *path, const char *s, size_t n)
{
    char *d = cfg_realloc_hook(NULL, n + 1);
    if (!d) {
        cfg_oom(p, path);
        return NULL;
    }
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

bool cfg_set_str(cfgp *p, const char *path, char **dst, const char *s)
{
    char *d = cfg_strndup(p, path, s, strlen(s));
    if (!d)
        return false;
    free(*dst);
    *dst = d;
    return true;
}

void cfg_strlist_free(gw_strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

bool cfg_strlist_add(cfgp *p, const char *path, gw_strlist *l, const char *s)
{
    char **v = cfg_realloc(p, path, l->v, l->n + 1, sizeof(char *));
    if (!v)
        return false;
    l->v = v;
    l->v[l->n] = NULL;
    if (!cfg_set_str(p, path, &l->v[l->n], s))
        return false;
    l->n++;
    return true;
}

bool cfg_strlist_copy(cfgp *p, const char *path, gw_strlist *dst, const gw_strlist *src)
{
    cfg_strlist_free(dst);
    if (!(dst->v = cfg_alloc(p, path, src->n + 1, sizeof(char *))))
        return false;
    for (; dst->n < src->n; dst->n++)
        if (!cfg_set_str(p, path, &dst->v[dst->n], src->v[dst->n]))
            return false;
    return true;
}

/* --- typed getters ------------------------------------------------------- */

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

const char *cfg_str_problem(const char *s, cfg_str_kind k)
{
    if (gw_has_ctl(s))
        return "must not hold control characters";
    switch (k) {
    case CFG_ANY: return NULL;
    case CFG_NONEMPTY: return *s ? NULL : "must not be empty";
    case CFG_IDENT:
        return gw_is_identifier(s) ? NULL : "must be a plain identifier [A-Za-z_][A-Za-z0-9_]{0,63}";
    case CFG_VAR: return gw_is_var_name(s) ? NULL : "must be a variable name [A-Z][A-Z0-9_]*";
    case CFG_PATH:
        return (s[0] == '/' && s[1] != '/' && s[1] != '\\' && !strchr(s, ' '))
                   ? NULL : "must be a local path starting with a single '/'";
    case CFG_PREFIX:
        if (cfg_str_problem(s, CFG_PATH))
            return cfg_str_problem(s, CFG_PATH);
        if (strchr(s, '%') || strstr(s, "//") || strstr(s, "/./") || strstr(s, "/../") ||
            strchr(s, '\\'))
            return "must be a normalized path (no %-escapes, \"//\", \".\" or \"..\" segments)";
        {
            size_t l = strlen(s);
            if ((l >= 2 && strcmp(s + l - 2, "/.") == 0) || (l >= 3 && strcmp(s + l - 3, "/..") == 0))
                return "must be a normalized path (no %-escapes, \"//\", \".\" or \"..\" segments)";
        }
        return NULL;
    case CFG_TOKEN: return is_token(s) ? NULL : "must be a non-empty token (letters, digits, -_.)";
    case CFG_TOKEN_OPT: return (!*s || is_token(s)) ? NULL : "must be empty or a token (letters, digits, -_.)";
    }
    return NULL;
}

void cfg_get_str(cfgp *p, const cJSON *obj, const char *path, const char *key, cfg_str_kind k,
                 char **dst)
{
    const cJSON *v = cfg_member(p, obj, path, key, cJSON_String, "a string");
    if (!v)
        return;
    char kp[256];
    cfg_path(kp, sizeof(kp), path, key);
    const char *why = cfg_str_problem(v->valuestring, k);
    if (why)
        cfg_err(p, kp, "%s", why);
    else
        cfg_set_str(p, kp, dst, v->valuestring);
}

void cfg_get_long(cfgp *p, const cJSON *obj, const char *path, const char *key, long min, long max,
                  long *dst)
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

void cfg_get_int(cfgp *p, const cJSON *obj, const char *path, const char *key, int min, int max,
                 int *dst)
{
    long l = *dst;
    cfg_get_long(p, obj, path, key, min, max, &l);
    *dst = (int)l;
}

void cfg_get_bool(cfgp *p, const cJSON *obj, const char *path, const char *key, bool *dst)
{
    const cJSON *v = cfg_member(p, obj, path, key, cJSON_True | cJSON_False, "true or false");
    if (v)
        *dst = cJSON_IsTrue(v);
}

void cfg_get_strlist(cfgp *p, const cJSON *obj, const char *path, const char *key, cfg_str_kind k,
                     gw_strlist *dst)
{
    const cJSON *v = cfg_member(p, obj, path, key, cJSON_Array, "an array of strings");
    if (!v)
        return;
    char kp[256], ip[280];
    cfg_path(kp, sizeof(kp), path, key);
    gw_strlist l = {cfg_alloc(p, kp, (size_t)cJSON_GetArraySize(v), sizeof(char *)), 0};
    if (!l.v)
        return;
    int i = 0;
    for (const cJSON *c = v->child; c; c = c->next, i++) {
        snprintf(ip, sizeof(ip), "%s[%d]", kp, i);
        const char *why = cJSON_IsString(c) ? cfg_str_problem(c->valuestring, k) : "expected a string";
        if (why) {
            cfg_err(p, ip, "%s", why);
        } else if (!cfg_set_str(p, ip, &l.v[l.n], c->valuestring)) {
            cfg_strlist_free(&l);
            return;
        } else {
            l.n++;
        }
    }
    cfg_strlist_free(dst);
    *dst = l;
}

void cfg_get_claim_path(cfgp *p, const cJSON *e, const char *ip, char **dst)
{
    cfg_get_str(p, e, ip, "path", CFG_NONEMPTY, dst);
    const char *why = *dst ? gw_json_claim_path_problem(*dst) : "missing key \"path\"";
    if (why)
        cfg_err(p, ip, "path: %s", why);
}

void cfg_get_opt_path(cfgp *p, const cJSON *o, const char *path, const char *key, char **dst)
{
    cfg_get_str(p, o, path, key, CFG_ANY, dst);
    const char *v = *dst;
    if (!v || !*v)
        return;
    /* the responder compares the normalized request path with it */
    char *norm = NULL, kp[300];
    cfg_path(kp, sizeof(kp), path, key);
    gw_status st = v[0] != '/' || v[1] == '/' || strpbrk(v, "?#%\\") ? GW_E_BAD_PATH
                                                                     : gw_rule_path_normalize(v, &norm);
    if (st == GW_E_INTERNAL) /* its allocation failed */
        cfg_oom(p, kp);
    else if (st != GW_OK || strcmp(norm, v) != 0)
        cfg_err(p, kp, "must be empty (off) or a local path in its normalized form (no //, . or ..)");
    free(norm);
}

/* --- the enum-valued keys' names, for the parser and the printer --------- */

const cfg_enum cfg_clusters[] = {{"none", 0}, {"galera", 1}, {NULL, 0}};
const cfg_enum cfg_sources[] = {{"apisix", GW_SRC_APISIX}, {"headers", GW_SRC_HEADERS}, {NULL, 0}};
const cfg_enum cfg_syncs[] = {
    {"off", GW_SYNC_OFF}, {"existing", GW_SYNC_EXISTING}, {"create", GW_SYNC_CREATE}, {NULL, 0}};
const cfg_enum cfg_accesses[] = {{"anonymous", GW_ACCESS_ANONYMOUS},
                                 {"authenticated", GW_ACCESS_AUTHENTICATED},
                                 {"deny", GW_ACCESS_DENY},
                                 {NULL, 0}};
const cfg_enum cfg_modes[] = {{"enforce", 0}, {"report", 1}, {NULL, 0}};
const cfg_enum cfg_same_sites[] = {{"Strict", 0}, {"Lax", 1}, {"None", 2}, {NULL, 0}};
const cfg_enum cfg_levels[] = {{"debug", GW_LOG_DEBUG},
                               {"info", GW_LOG_INFO},
                               {"warn", GW_LOG_WARN},
                               {"error", GW_LOG_ERROR},
                               {NULL, 0}};
const cfg_enum cfg_formats[] = {{"text", 0}, {"json", 1}, {NULL, 0}};
const cfg_enum cfg_export_kinds[] = {{"@groups", GW_EXP_GROUPS},
                                     {"@source", GW_EXP_SOURCE},
                                     {"@permissions", GW_EXP_PERMISSIONS},
                                     {NULL, 0}};

bool cfg_enum_value(const cfg_enum *t, const char *name, int *value)
{
    for (; t->name; t++)
        if (strcmp(t->name, name) == 0) {
            *value = t->value;
            return true;
        }
    return false;
}

const char *cfg_enum_name(const cfg_enum *t, int value)
{
    for (; t->name; t++)
        if (t->value == value)
            return t->name;
    return NULL;
}

const char *gw_access_name(gw_access a) { return cfg_enum_name(cfg_accesses, (int)a); }

void cfg_get_enum(cfgp *p, const cJSON *obj, const char *path, const char *key, const cfg_enum *t,
                  int *dst)
{
    const cJSON *v = cfg_member(p, obj, path, key, cJSON_String, "a string");
    if (!v || cfg_enum_value(t, v->valuestring, dst))
        return;
    char kp[256], list[256] = "";
    cfg_path(kp, sizeof(kp), path, key);
    for (int i = 0; t[i].name; i++) {
        strncat(list, i ? ", " : "", sizeof(list) - strlen(list) - 1);
        strncat(list, t[i].name, sizeof(list) - strlen(list) - 1);
    }
    cfg_err(p, kp, "invalid value, must be one of [%s]", list);
}
