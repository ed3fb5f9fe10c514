/*
 * config.h - the JSON configuration shared by both programs (README "Configuration").
 *
 * gw_config_parse() is pure: text in, a checked gw_config or a list of
 * problems out. gw_load_config() (load.h) adds the file reading and the
 * password (password_file or GWAUTH_DB_PASSWORD).
 */
#ifndef GW_CONFIG_H
#define GW_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "cidr.h"
#include "log.h"
#include "util.h"

typedef enum { GW_SRC_APISIX, GW_SRC_HEADERS } gw_source;
typedef enum { GW_SYNC_OFF, GW_SYNC_EXISTING, GW_SYNC_CREATE } gw_sync;
typedef enum { GW_ACCESS_ANONYMOUS, GW_ACCESS_AUTHENTICATED, GW_ACCESS_DENY } gw_access;
const char *gw_access_name(gw_access a); /* "anonymous", ...: as the configuration writes it */
typedef enum { GW_EXP_COLUMN, GW_EXP_GROUPS, GW_EXP_SOURCE, GW_EXP_PERMISSIONS } gw_export_kind;

#define GW_GROUPS_LIMIT 1024 /* groups.max_count at most: the memberships read back */

/* identity.jwt: issuers that share a key file and audiences, as a
 * provider's realm does. */
typedef struct {
    gw_strlist issuers;   /* the "iss" values accepted */
    char *jwks_file;      /* absolute */
    gw_strlist audiences; /* n == 0 with any_audience */
    bool any_audience;
    bool own;             /* given as an object in "issuers" */
} gw_jwt_realm;

/* users.fields entry: claim -> users column. */
typedef struct {
    char *claim;
    char *column;
    bool overwrite; /* false: write only while the column holds its default */
} gw_field;

/* users.related: one column of a related table. */
typedef struct {
    char *claim;
    char *column;
    char *deflt; /* default as text (booleans become "1"/"0") */
} gw_relcol;

typedef struct {
    char *table;
    gw_relcol *cols;
    size_t ncols;
} gw_related;

typedef struct {
    char *name;           /* variable name, e.g. REMOTE_USER */
    gw_export_kind kind;
    char *column;         /* for GW_EXP_COLUMN */
} gw_export;

/* identity.claim_headers entry: claim -> CGI variable. */
typedef struct {
    char *claim;
    char *var;
} gw_claimvar;

/* groups.claims entry: where groups come from, and how their names are
 * written. */
typedef struct {
    char *path;        /* a claim path */
    char *prefix;      /* put before each name ("role:") */
    bool strip_slash;  /* "/staff/ops" -> "staff/ops" */
    bool lowercase;    /* ASCII letters */
} gw_group_source;

/* A rule's claim matcher: the claim at path (a string, a number, a
 * boolean, or an array of them) holds one of values ("any") or all of
 * them ("all"). */
typedef struct {
    char *path;
    gw_strlist values;
    bool all;
} gw_claim_match;

typedef struct {
    char *prefix;
    bool implied;         /* the logout path's own rule: matches that path
                             exactly, not as a prefix; not printed */
    gw_access access;
    gw_strlist groups_any;
    gw_strlist scopes_any;
    gw_claim_match *claims_any; /* one of them must hold */
    size_t nclaims_any;
    gw_claim_match *claims_all; /* every one must hold */
    size_t nclaims_all;
    gw_strlist permissions_any; /* access.permissions_file: one must be held */
    bool report;          /* "mode": "report": evaluated, logged and
                             counted, never enforced */
    gw_strlist methods;   /* the request methods it applies to; none: all */
    char *audience;       /* the assertion's "aud" on this prefix; NULL:
                             assertion.audience */
    size_t aud_slot;      /* derived: its index in assertion.audiences */
} gw_rule;

/* One database server to connect to: TCP host and port, or a socket. */
typedef struct {
    char *host;
    int port;
    char *socket;   /* "" for TCP */
    char *text;     /* as written, for logs: "db1:3306", "unix:/run/..." */
} gw_dbnode;

typedef struct gw_config {
    struct {
        char *host;
        int port;
        char *socket;
        char *user;
        char *password_file;
        char *password; /* resolved by gw_load_config; never logged */
        char *name;
        int connect_timeout_ms;
        int read_timeout_ms;
        bool galera;    /* database.cluster "galera": reads of sessions wait
                           for the cluster's committed writes */
        gw_strlist hosts;  /* database.hosts as written */
        int failback_seconds; /* on a later node, try the first ones again after */
        gw_dbnode *nodes;  /* derived: hosts, or host/port/socket alone */
        size_t nnodes;
    } database;
    struct {
        gw_source source;
        char *header;
        char *id_claim;
        gw_claimvar *claim_headers;
        size_t nclaim_headers;
        size_t max_bytes;
        gw_cidr *proxies;
        int nproxies;
        int cache_seconds;
        size_t cache_bytes;   /* bound on the cache's memory */
        struct {
            bool enabled;       /* identity.jwt is present */
            char *header;       /* variable holding the token */
            char *jwks_file;    /* the issuers' given as strings; "" none */
            gw_strlist audiences;
            bool any_audience;  /* "audiences": "any" (warned about) */
            long leeway_seconds;
            gw_jwt_realm *realms; /* derived from "issuers": the strings
                                     first (one realm, when there are
                                     any), then one per object */
            size_t nrealms;
        } jwt;
    } identity;
    struct {
        bool create;
        bool update;
        gw_field *fields;
        size_t nfields;
        gw_related *related;
        size_t nrelated;
        size_t nrelated_cols; /* derived: the columns of every related table */
    } users;
    struct {
        char *claim;
        gw_sync sync;
        gw_strlist excluded;
        gw_group_source *sources; /* "claims", or derived from "claim" */
        size_t nsources;
        char *managed_prefix;     /* "": every group is the sync's */
        int max_count;            /* more groups in one identity: refused
                                     (256; at most GW_GROUPS_LIMIT) */
        bool export_rules;        /* export_only "rules" */
        gw_strlist export_only;   /* names ("x") and prefixes ("x*") @groups
                                     exports; n == 0: all (derived from the
                                     rules' groups_any with export_rules) */
    } groups;
    size_t export_max_bytes;     /* the exported lines' bound; 0: none */
    struct {
        gw_export *v;
        size_t n;
    } exports;
    struct {
        gw_access deflt;
        gw_rule *rules;
        size_t nrules;
        size_t nreport;      /* derived: rules in report mode */
        char *permissions_file; /* "": none */
        bool uses_permissions;  /* derived: a permissions_any rule or an @permissions export */
        gw_strlist claim_paths; /* derived: every path the matchers read */
        char *login_redirect;
        char *login_path;    /* its normalized local path, or NULL (derived) */
    } access;
    struct {
        bool enabled;
        char *cookie;
        long ttl_seconds;    /* absolute lifetime */
        long idle_seconds;   /* ends unused this long; 0 = off */
        long touch_seconds;  /* last_used_at written at most this often */
        long max_per_user;   /* the oldest go beyond this; 0 = no limit */
        bool secure;
        char *same_site;
        char *establish_path;
    } session;
    struct {
        char *path;
        char *gateway_logout_url;
        char *gateway_session_cookie;
        char *default_destination;
        char *next_param;
        char *next_cookie;
        char *backchannel_path;  /* OpenID Connect back-channel logout; "" = off */
        gw_strlist allowed_hosts;
    } logout;
    struct {
        gw_log_level level;
        bool json;               /* log.format "json": one JSON object per line */
    } log;
    /* The responder's health and metrics endpoints (anonymous unless a
     * rule names them) and the counters' file; "" turns each off. */
    struct {
        char *health_path;
        char *metrics_path;
        char *metrics_file;
    } monitor;
    /* The signed identity assertion for the applications (absent: off). */
    struct {
        bool enabled;
        char *key_file;          /* a PEM file or a directory of *.pem */
        char *issuer;
        char *audience;
        long ttl_seconds;
        char *variable;          /* the variable that carries it */
        char *jwks_path;         /* where the responder publishes the keys; "" off */
        gw_strlist audiences;    /* derived: audience, then each rule's own,
                                    once each (a rule's aud_slot indexes it) */
    } assertion;
    /* Who may talk to the FastCGI sockets (see SECURITY.md). */
    struct {
        char *secret_file;       /* absolute path, or "" for no secret */
        bool has_secret;         /* secret_hash is set (by gw_load_config) */
        unsigned char secret_hash[GW_SHA256_LEN]; /* SHA-256 of the secret */
        long *peer_uids;         /* uids allowed on a unix socket (numbers, and
                                    names resolved by gw_load_config) */
        size_t npeer_uids;
        gw_strlist peer_names;   /* the names as written, for the printer */
        size_t npeer_numbers;    /* peer_uids[0..npeer_numbers) were numbers */
        int receive_timeout_ms;  /* a connection's time to deliver its request */
        bool nginx_auth_request; /* the authorizer also answers in the RESPONDER
                                    role, as nginx's auth_request needs */
    } fastcgi;

    /* Derived once at load: */
    const char **id_vars;  /* the variables that carry the identity: the
                              header (apisix) or every mapped one (headers) */
    size_t nid_vars;
    const char **key_vars; /* what a cached identity is keyed on: id_vars,
                              then the token variable when jwt is on */
    size_t nkey_vars;
    const char *id_export; /* variable exporting users.id, or NULL */
    bool uses_groups;      /* sync, an @groups export or a groups_any rule */
} gw_config;

/* Parses the JSON text over the built-in defaults. On success returns a
 * new config (free with gw_config_free) and sets *errors to NULL. On
 * failure returns NULL and sets *errors to a malloc'd text holding every
 * problem, one per line, each starting with the key path
 * ("identity.sourse: unknown key"). The logout path gets an implied
 * anonymous rule unless a rule names it. It never aborts: when memory
 * runs out it frees what it built and the one problem is "<key path>:
 * out of memory" (*errors is NULL only if even that text could not be
 * allocated). */
gw_config *gw_config_parse(const char *text, size_t len, char **errors);

/* The built-in defaults alone (NULL only when out of memory). */
gw_config *gw_config_defaults(void);

void gw_config_free(gw_config *cfg);

/* Whether groups.sync creates, adds and removes group g: not excluded,
 * and carrying groups.managed_prefix when one is set. */
bool gw_group_managed(const gw_config *c, const char *g);

/* Whether @groups exports group g (groups.export_only). */
bool gw_group_exported(const gw_config *c, const char *g);

/* The variable set when export_max_bytes left @groups out. */
#define GW_GROUPS_TRUNCATED_VAR "GWAUTH_GROUPS_TRUNCATED"

/* The effective configuration (defaults included) as a JSON document that
 * gw_config_parse accepts and that yields the same configuration; no
 * password. malloc'd; NULL when out of memory. */
char *gw_config_json(const gw_config *cfg);

/* The claim under which an assertion carries export e ("gwauth_source"
 * for @source, the column's name for a column); false when it carries
 * none of its own (@groups is "groups"; id and global_id are
 * "gwauth_uid" and "sub"). */
bool gw_assertion_claim_of(const gw_export *e, const char **claim);

/* The smallest secret fastcgi.secret_file may hold, in bytes. */
#define GW_SECRET_MIN 32

/* Checks a secret read from fastcgi.secret_file (its first line): NULL
 * when acceptable, else why not (shorter than GW_SECRET_MIN, a character
 * outside [A-Za-z0-9+/=_.:-], too few distinct characters to be random). */
const char *gw_secret_problem(const char *secret);

/* The built-in default document, as JSON text (README "Configuration"). */
extern const char gw_config_default_json[];

#endif
