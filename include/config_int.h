/*
 * config_int.h - what the configuration parser's files share; no other
 * module of the programs includes it (config.h is the interface; the
 * unit tests reach the tables and the allocator through it).
 *
 *   config.c           the public API: the defaults, the walk over the
 *                      document's sections, gw_config_parse, gw_config_free
 *   config_get.c       problems and key paths, memory, the typed getters,
 *                      the enum-valued keys' tables
 *   config_identity.c  identity and identity.jwt
 *   config_access.c    access and its rules
 *   config_sections.c  every other section
 *   config_check.c     what ties keys together, once everything is read
 *   config_print.c     gw_config_json
 *
 * All of them are pure: no file is opened here (load.c reads them).
 *
 * Running out of memory. Parsing never aborts, since it also runs in a
 * live server (on SIGHUP). When an allocation fails (the parser's own,
 * cJSON's while it reads the text, the path normalizer's), the parse
 * stops reading: cfg_member finds no more members, and the walk over the
 * sections and cfg_derive stop before their next step, so what was half
 * built is freed, never used.
 * gw_config_parse then frees everything it allocated and returns NULL
 * with a single problem, "<key path>: out of memory" (the others it
 * found may be mere consequences). For the programs that means: at start
 * the configuration is refused and the program does not start; on SIGHUP
 * the reload is refused and the running configuration is kept (app.c,
 * event=reload_refused keeping=previous), as for any other problem.
 *
 * The parser's own allocations go through cfg_realloc_hook, which is
 * realloc; the unit tests replace it and cJSON's hooks to make each
 * allocation of a parse fail in turn. (The problems' text, a gw_buf, and
 * the path normalizer allocate with malloc; their failures are detected
 * the same way: gw_buf's oom flag, GW_E_INTERNAL.)
 */
#ifndef GW_CONFIG_INT_H
#define GW_CONFIG_INT_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "util.h"

/* One parse: every problem, each "path: message\n", and how many. */
typedef struct {
    gw_buf errs;
    int n;            /* problems, running out of memory included */
    bool oom;         /* an allocation failed: the only problem reported */
    char oom_at[128]; /* the key path where it first failed */
} cfgp;

/* --- problems and key paths (config_get.c) ------------------------------- */

void cfg_err(cfgp *p, const char *path, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* An allocation failed at path ("": the document as a whole). */
void cfg_oom(cfgp *p, const char *path);

/* out = "base.key" (or "key" at the top), the key made printable. */
void cfg_path(char *out, size_t n, const char *base, const char *key);

/* Reports keys of obj that are not in allowed (NULL: any key), and keys
 * given twice. */
void cfg_keys(cfgp *p, const cJSON *obj, const char *path, const char *const *allowed);

/* The member key of obj (NULL obj: none) if present; when present with
 * the wrong type (a cJSON type mask), reports "expected <expect>" and
 * returns NULL. NULL for every member once memory ran out. */
const cJSON *cfg_member(cfgp *p, const cJSON *obj, const char *path, const char *key, int type,
                        const char *expect);

/* The object member key, its keys checked against allowed; subpath gets
 * its path whether or not it is present. */
const cJSON *cfg_object(cfgp *p, const cJSON *obj, const char *path, const char *key,
                        const char *const *allowed, char *subpath, size_t subn);

/* --- memory (config_get.c) ----------------------------------------------- */

/* Each of these reports a failure with cfg_oom(p, path) and returns NULL
 * or false; what they were given is then as it was (or, for a list,
 * holds what it held plus the entries copied before the failure). */

extern void *(*cfg_realloc_hook)(void *ptr, size_t n);

/* n (at least one) zeroed elements of size bytes. */
void *cfg_alloc(cfgp *p, const char *path, size_t n, size_t size);
/* v resized to n elements (n > 0); v is left as it was on failure. */
void *cfg_realloc(cfgp *p, const char *path, void *v, size_t n, size_t size);
/* A NUL-terminated copy of s[0..n). */
char *cfg_strndup(cfgp *p, const char *path, const char *s, size_t n);
/* *dst = a copy of s, the old one freed. */
bool cfg_set_str(cfgp *p, const char *path, char **dst, const char *s);
bool cfg_strlist_add(cfgp *p, const char *path, gw_strlist *l, const char *s);
/* *dst = a copy of src, the old one freed. */
bool cfg_strlist_copy(cfgp *p, const char *path, gw_strlist *dst, const gw_strlist *src);
void cfg_strlist_free(gw_strlist *l);

/* --- typed getters (config_get.c) ---------------------------------------- */

/* Each reads obj's member key (path is obj's), reports a problem under
 * "path.key" and leaves *dst as it was when the value is not acceptable
 * (or cannot be copied), and does nothing when the member is absent. */

/* Checks for string values, chosen per key. */
typedef enum {
    CFG_ANY,        /* any text without control characters */
    CFG_NONEMPTY,   /* same, not empty */
    CFG_IDENT,      /* SQL identifier */
    CFG_VAR,        /* CGI variable name */
    CFG_PATH,       /* local path: starts with one '/' */
    CFG_PREFIX,     /* rule prefix: a normalized local path */
    CFG_TOKEN,      /* cookie / parameter name */
    CFG_TOKEN_OPT,  /* same, or empty */
} cfg_str_kind;

/* Why s is not a string of kind k, or NULL. */
const char *cfg_str_problem(const char *s, cfg_str_kind k);

void cfg_get_str(cfgp *p, const cJSON *obj, const char *path, const char *key, cfg_str_kind k,
                 char **dst);
void cfg_get_long(cfgp *p, const cJSON *obj, const char *path, const char *key, long min, long max,
                  long *dst);
void cfg_get_int(cfgp *p, const cJSON *obj, const char *path, const char *key, int min, int max,
                 int *dst);
void cfg_get_bool(cfgp *p, const cJSON *obj, const char *path, const char *key, bool *dst);
/* An array of strings of kind k: replaces *dst as a whole (without the
 * entries that are refused). */
void cfg_get_strlist(cfgp *p, const cJSON *obj, const char *path, const char *key, cfg_str_kind k,
                     gw_strlist *dst);
/* The required "path" of the object e at ip: a claim path. */
void cfg_get_claim_path(cfgp *p, const cJSON *e, const char *ip, char **dst);
/* A path that may be "" (off) or a local path in its normalized form. */
void cfg_get_opt_path(cfgp *p, const cJSON *o, const char *path, const char *key, char **dst);

/* --- the enum-valued keys ------------------------------------------------ */

/* One table per enum-valued key, {name, value} ending with {NULL, 0}: the
 * parser reads the names with it and the printer writes them with it, so
 * a value cannot be read under one name and printed under another. */
typedef struct {
    const char *name;
    int value;
} cfg_enum;

extern const cfg_enum cfg_clusters[];     /* database.cluster: galera or not */
extern const cfg_enum cfg_sources[];      /* identity.source: gw_source */
extern const cfg_enum cfg_syncs[];        /* groups.sync: gw_sync */
extern const cfg_enum cfg_accesses[];     /* access.default, a rule's access: gw_access */
extern const cfg_enum cfg_modes[];        /* a rule's mode: report or not */
extern const cfg_enum cfg_same_sites[];   /* session.same_site (kept as its name) */
extern const cfg_enum cfg_levels[];       /* log.level: gw_log_level */
extern const cfg_enum cfg_formats[];      /* log.format: json or not */
extern const cfg_enum cfg_export_kinds[]; /* an export's "@..." values: gw_export_kind */

/* The value of name in t (true), or false when t has no such name. */
bool cfg_enum_value(const cfg_enum *t, const char *name, int *value);
/* The name of value in t, or NULL. */
const char *cfg_enum_name(const cfg_enum *t, int value);
/* The member key of obj, one of t's names: *dst gets its value. */
void cfg_get_enum(cfgp *p, const cJSON *obj, const char *path, const char *key, const cfg_enum *t,
                  int *dst);

/* --- the sections: each applies its object of root over c ---------------- */

void cfg_parse_database(cfgp *p, gw_config *c, const cJSON *root);  /* config_sections.c */
void cfg_parse_identity(cfgp *p, gw_config *c, const cJSON *root);  /* config_identity.c */
void cfg_parse_users(cfgp *p, gw_config *c, const cJSON *root);     /* config_sections.c ... */
void cfg_parse_groups(cfgp *p, gw_config *c, const cJSON *root);
void cfg_parse_export(cfgp *p, gw_config *c, const cJSON *root);
void cfg_parse_access(cfgp *p, gw_config *c, const cJSON *root);    /* config_access.c */
void cfg_parse_session(cfgp *p, gw_config *c, const cJSON *root);   /* config_sections.c ... */
void cfg_parse_logout(cfgp *p, gw_config *c, const cJSON *root);
void cfg_parse_log(cfgp *p, gw_config *c, const cJSON *root);
void cfg_parse_monitor(cfgp *p, gw_config *c, const cJSON *root);
void cfg_parse_assertion(cfgp *p, gw_config *c, const cJSON *root);
void cfg_parse_fastcgi(cfgp *p, gw_config *c, const cJSON *root);

/* What a section replaces as a whole, freed (by it and gw_config_free). */
void cfg_claimvars_free(gw_config *c);  /* config_identity.c */
void cfg_realms_free(gw_config *c);
void cfg_fields_free(gw_config *c);     /* config_sections.c */
void cfg_related_free(gw_config *c);
void cfg_sources_free(gw_config *c);
void cfg_exports_free(gw_config *c);
void cfg_rules_free(gw_config *c);      /* config_access.c */
void cfg_dbnodes_free(gw_config *c);    /* config_check.c */

/* --- once everything is read (config_check.c) ---------------------------- */

/* Computes the fields that follow from others (the "derived" ones of
 * config.h); reports only a value it cannot derive from (a
 * database.hosts entry that does not parse). */
void cfg_derive(cfgp *p, gw_config *c);
/* Refuses the combinations of keys that cannot work; changes nothing.
 * Keys of one section are checked together by its parser already. */
void cfg_check(cfgp *p, const gw_config *c);

#endif
