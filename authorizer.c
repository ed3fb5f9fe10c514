/*
 * authorizer.c - the FastCGI AUTHORIZER (README "How a request is decided"): a thin loop over the
 * pure core (usermap, rules) and the database edge (db).
 *
 * For each request: one identity, from a trusted proxy, of bounded size
 * (steps 1-3); decoded and mapped (step 4); the request path normalized
 * (step 7, before any database work); the user created or updated (step
 * 5) or, without a header, found by its session cookie (step 6); the
 * access rule applied (step 7); then an allow with Variable- lines
 * (step 8), or a deny with a JSON error and no Variable- line.
 */
#include <fastcgi.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "assertion.h"
#include "cache.h"
#include "check.h"
#include "counters.h"
#include "db.h"
#include "decide.h"
#include "gwauth.h"
#include "http.h"
#include "keyring.h"
#include "log.h"
#include "perms.h"
#include "reply.h"
#include "rules.h"
#include "session.h"
#include "signer.h"
#include "usermap.h"

typedef struct {
    const gw_config *cfg;
    gw_db *db;
    gw_var *vars;
    gw_cache *cache;          /* NULL when identity.cache_seconds is 0 */
    gw_trust *keys;           /* identity.jwt's realms and keys, or NULL */
    unsigned keys_gen;        /* their generation the cache was filled with */
    gw_session_pairs *checked; /* (session, user) pairs checked for a user switch */
    gw_signer *signer;        /* assertion's keys, or NULL */
    unsigned signer_gen;      /* their generation the cache was filled with */
    const gw_keyset *sign_keys; /* the current ones, for this request */
    gw_buf allow;             /* the allow reply being built */
    gw_buf abody;             /* the assertion's subject claims being built */
    const char **anames;      /* its claims: names (derived at start, a column
                                 exported twice is one claim), the export */
    size_t *aexport;          /* each comes from, and this request's values */
    const char **avalues;
    size_t nclaims;
    gw_buf jws;               /* an assertion being signed */
    gw_keyring *perms_file;   /* access.permissions_file, or NULL */
    const gw_perms *perms;    /* its permissions, for this request */
    unsigned perms_gen;       /* their generation the cache was filled with */
    gw_buf perm_csv;          /* the @permissions export being built */
} authz;

/* What the reply of an allowed request is made of: from the cache, or
 * from this request's decoding and database work. */
typedef struct {
    bool identity;
    const char *const *groups;
    size_t ngroups;
    const cJSON *claims;
    const char *user;         /* the global id, for permissions */
    const char *allow;        /* the allow reply, without the assertion */
    size_t allow_len;
    const char *abody;        /* the assertion's subject claims, or NULL */
    const unsigned char *key; /* the identity's cache key, and its entry, when */
    const gw_cached *entry;   /* it is cached (valid until the next put) */
} authz_subject;

/* Everything one request owns; freed by authz_req_free. */
typedef struct {
    gw_user user;            /* from the header */
    bool have_user;
    gw_dbresult res;         /* from the database */
    bool identity;
    const char *source;      /* "header" or "session" */
    char *path;              /* normalized */
    const char *const *groups; /* the user's groups, for rules and @groups:
                                the database's or the claim's */
    size_t ngroups;
    char *groups_csv;        /* the @groups export */
    const char *who;         /* the user's global id, for the log */
    char who_buf[40];        /* copies of what the log needs from the user's */
    char user_id[24];        /* row, taken before any later database call */
} authz_req;

static void authz_req_free(authz_req *r)
{
    if (r->have_user)
        gw_user_free(&r->user);
    free(r->path);
    free(r->groups_csv);
}

static void authz_stop(gw_program *p)
{
    authz *a = p->ctx;
    gw_db_free(a->db);
    free(a->vars);
    gw_cache_free(a->cache);
    gw_trust_free(a->keys);
    gw_session_pairs_free(a->checked);
    gw_signer_free(a->signer);
    free(a->anames);
    free(a->aexport);
    free(a->avalues);
    gw_buf_free(&a->allow);
    gw_buf_free(&a->abody);
    gw_buf_free(&a->jws);
    gw_buf_free(&a->perm_csv);
    gw_keyring_free(a->perms_file);
    memset(a, 0, sizeof(*a));
}

static int authz_start(gw_program *p, const gw_config *cfg)
{
    authz *a = p->ctx;
    a->cfg = cfg;
    a->db = gw_db_new(cfg);
    a->vars = calloc(cfg->exports.n + 1, sizeof(gw_var));
    a->anames = calloc(cfg->exports.n + 1, sizeof(char *));
    a->aexport = calloc(cfg->exports.n + 1, sizeof(size_t));
    a->avalues = calloc(cfg->exports.n + 1, sizeof(char *));
    for (size_t i = 0; a->anames && a->aexport && i < cfg->exports.n; i++) {
        const char *claim;
        if (!gw_assertion_claim_of(&cfg->exports.v[i], &claim))
            continue;
        size_t k = 0;
        while (k < a->nclaims && strcmp(a->anames[k], claim) != 0)
            k++;
        if (k == a->nclaims) {
            a->anames[a->nclaims] = claim;
            a->aexport[a->nclaims++] = i;
        }
    }
    a->cache = cfg->identity.cache_seconds > 0 ? gw_cache_new(GW_CACHE_ENTRIES, cfg->identity.cache_bytes) : NULL;
    a->checked = cfg->session.enabled ? gw_session_pairs_new() : NULL;
    gw_buf_init(&a->allow);
    gw_buf_init(&a->abody);
    gw_buf_init(&a->jws);
    if (cfg->assertion.enabled) {
        char *errors = NULL;
        if (!(a->signer = gw_signer_open(cfg->assertion.key_file, &errors))) {
            gw_log_lines(GW_LOG_ERROR, "start_failed", errors);
            free(errors);
            authz_stop(p);
            return 1;
        }
        const gw_keyset *k = gw_signer_get(a->signer, time(NULL), &a->signer_gen);
        gw_log(GW_LOG_INFO, "event=assertion_keys_loaded keys=%zu kid=%s alg=%s",
               gw_keyset_count(k), gw_signkey_kid(gw_keyset_signer(k)),
               gw_signkey_alg(gw_keyset_signer(k)));
    }
    if (*cfg->access.permissions_file) {
        char *errors = NULL;
        if (!(a->perms_file = gw_watched_open(cfg->access.permissions_file, &gw_file_permissions,
                                              &errors))) {
            gw_log_lines(GW_LOG_ERROR, "start_failed", errors);
            free(errors);
            authz_stop(p);
            return 1;
        }
        a->perms = gw_watched_get(a->perms_file, time(NULL), &a->perms_gen);
        gw_log(GW_LOG_INFO, "event=permissions_loaded permissions=%zu file=\"%s\"",
               gw_perms_count(a->perms), cfg->access.permissions_file);
    }
    if (cfg->identity.jwt.enabled) {
        char *errors = NULL;
        if (!(a->keys = gw_trust_open(cfg, &errors))) {
            gw_log_lines(GW_LOG_ERROR, "start_failed", errors);
            free(errors);
            authz_stop(p);
            return 1;
        }
        size_t n;
        gw_trust_get(a->keys, time(NULL), &a->keys_gen, &n);
        gw_trust_log(a->keys);
    }
    if (!a->db || !a->vars || !a->anames || !a->aexport || !a->avalues || (cfg->identity.cache_seconds > 0 && !a->cache) ||
        (cfg->session.enabled && !a->checked)) {
        gw_log(GW_LOG_ERROR, "event=start_failed error=\"out of memory\"");
        authz_stop(p);
        return 1;
    }
    /* Connect now so that a wrong password shows at start; a database
     * that is down is not fatal: requests answer 503 until it is back. */
    gw_db_ensure(a->db);
    return 0;
}

static void authz_cut(void *arg, const char *table, const char *column)
{
    (void)arg;
    gw_log(GW_LOG_INFO, "event=value_truncated table=%s column=%s", table, column);
}

/* A failed step: st, with *why for the log set here and only here, to
 * what (when given) or to what st means. */
static gw_status authz_fail(gw_status st, const char *what, const char **why)
{
    if (what)
        *why = what;
    else
        switch (st) {
        case GW_E_UNAVAILABLE: *why = "database unavailable"; break;
        case GW_E_INACTIVE: *why = "inactive user"; break;
        case GW_E_UNKNOWN_USER: *why = "unknown user (users.create is false)"; break;
        case GW_E_MALFORMED: *why = "a value the database refuses (its column, or another user's unique key)"; break;
        case GW_E_INTERNAL: *why = "internal error (see the previous line)"; break;
        default: *why = gw_status_code(st); break;
        }
    return st;
}

/* The user's groups: from the database when gwauth keeps them there
 * (sync on, or a session), else from the claim. */
static gw_status authz_groups(const gw_config *cfg, authz_req *r)
{
    if (!cfg->uses_groups)
        return GW_OK;
    if (r->res.groups) {
        r->groups = r->res.groups;
        r->ngroups = r->res.ngroups;
    } else if (r->have_user) {
        r->groups = (const char *const *)r->user.groups;
        r->ngroups = r->user.ngroups;
    }
    gw_buf csv;
    gw_buf_init(&csv);
    gw_buf_add(&csv, "", 0);
    for (size_t i = 0, k = 0; i < r->ngroups; i++)
        if (gw_group_exported(cfg, r->groups[i]))
            gw_buf_printf(&csv, "%s%s", k++ ? "," : "", r->groups[i]);
    if (csv.oom) {
        gw_buf_free(&csv);
        return GW_E_INTERNAL;
    }
    r->groups_csv = csv.data;
    return GW_OK;
}

/* Step 6: the identity of a session cookie, when sessions are on. Returns
 * GW_OK with r->identity set or not; or a deny (inactive, unavailable). */
static gw_status authz_session(authz *a, const gw_request *rq, authz_req *r)
{
    unsigned char hash[GW_SHA256_LEN];
    if (!gw_session_cookie_hash(rq, hash))
        return GW_OK;
    gw_status st = gw_db_session_user(a->db, hash, &r->res);
    if (st == GW_E_UNAUTHENTICATED) /* unknown or expired: no identity */
        return GW_OK;
    if (st == GW_OK) {
        r->identity = true;
        r->source = "session";
        r->who =
            r->res.global_id ? gw_log_safe(r->res.global_id, GW_LOG_ID_CHARS, r->who_buf) : NULL;
        gw_strlcpy(r->user_id, r->res.user_id ? r->res.user_id : "", sizeof(r->user_id));
    }
    return st;
}

/* The user switch: a gateway identity that comes with the session cookie
 * of another user ends that session (the row goes: the authorizer cannot
 * set cookies), so that the browser is not the other user again once the
 * gateway's session is gone. Costs the database once per (cookie, user)
 * pair and process. */
static gw_status authz_user_switch(authz *a, const gw_request *rq, const char *global_id)
{
    unsigned char hash[GW_SHA256_LEN];
    if (!global_id || !gw_session_cookie_hash(rq, hash) ||
        gw_session_pairs_has(a->checked, hash, global_id))
        return GW_OK;
    bool ended = false;
    gw_status st = gw_db_session_end_other(a->db, hash, global_id, &ended);
    if (st != GW_OK)
        return st;
    if (ended) {
        char safe[40];
        gw_log(GW_LOG_INFO, "event=session_ended reason=user_switch user=%s",
               gw_log_safe(global_id, GW_LOG_ID_CHARS, safe));
        gw_count(GW_MF_SESSIONS_ENDED, GW_M_ENDED_USER_SWITCH, 1);
    }
    gw_session_pairs_add(a->checked, hash, global_id);
    return GW_OK;
}

/* The user's global id: the session's or the identity's. */
static const char *authz_global_id(const authz_req *r)
{
    if (!r->identity || !r->source)
        return NULL;
    return strcmp(r->source, "session") == 0 ? r->res.global_id : r->user.id;
}

/* Step 8: the allow reply for this identity, one Variable- line per
 * export with a value, into a->allow. */
static gw_status authz_allow(authz *a, authz_req *r)
{
    const gw_config *cfg = a->cfg;
    for (size_t i = 0; i < cfg->exports.n; i++) {
        const gw_export *e = &cfg->exports.v[i];
        a->vars[i].name = e->name;
        a->vars[i].value = e->kind == GW_EXP_COLUMN ? r->res.exports[i]
                           : e->kind == GW_EXP_SOURCE ? r->source
                           : e->kind == GW_EXP_PERMISSIONS ? NULL
                           : r->groups_csv;
    }
    if (cfg->access.uses_permissions) {
        gw_buf_reset(&a->perm_csv);
        gw_buf_add(&a->perm_csv, "", 0);
        gw_perms_list(a->perms, authz_global_id(r), r->groups, r->ngroups, &a->perm_csv);
        if (a->perm_csv.oom)
            return GW_E_INTERNAL;
        for (size_t i = 0; i < cfg->exports.n; i++)
            if (cfg->exports.v[i].kind == GW_EXP_PERMISSIONS)
                a->vars[i].value = a->perm_csv.data;
    }
    size_t bytes;
    bool truncated;
    size_t n = gw_reply_export_fit(cfg, a->vars, cfg->exports.n, &bytes, &truncated);
    if (truncated) {
        gw_log(GW_LOG_WARN, "event=export_truncated groups=%zu bytes=%zu max=%zu", r->ngroups, bytes,
               cfg->export_max_bytes);
        gw_count(GW_MF_EXPORTS_TRUNCATED, 0, 1);
    }
    gw_buf_reset(&a->allow);
    gw_status st = gw_reply_allow(&a->allow, a->vars, n);
    if (st == GW_OK && a->allow.oom)
        st = GW_E_INTERNAL;
    if (st != GW_OK || !a->signer)
        return st;
    /* the assertion's claims: the exports by their claim names */
    for (size_t k = 0; k < a->nclaims; k++) {
        const char *v = a->vars[a->aexport[k]].value;
        a->avalues[k] = v && *v ? v : NULL;
    }
    gw_assertion_subject sub = {
        .sub = authz_global_id(r),
        .uid = r->user_id, .names = a->anames, .values = a->avalues, .n = a->nclaims,
        .groups = r->groups, .ngroups = r->ngroups, .with_groups = cfg->uses_groups};
    gw_buf_reset(&a->abody);
    return sub.sub ? gw_assertion_body(&a->abody, &sub) : GW_E_INTERNAL;
}

/* The allow reply of an identity with its assertion for the rule's
 * audience: the cached one while half its lifetime is left, else a new
 * one (kept in the cache when the identity is). */
static gw_status authz_assert(authz *a, const gw_rule *rule, const authz_subject *s, time_t now,
                              gw_buf *out)
{
    const gw_config *cfg = a->cfg;
    size_t slot = rule ? rule->aud_slot : 0;
    if (!s->abody)
        return GW_E_INTERNAL;
    const gw_cached *e = s->entry;
    const char *jws = NULL;
    if (e && slot < e->nslots && e->jws[slot] && now < e->renew[slot]) {
        jws = e->jws[slot];
    } else {
        gw_buf_reset(&a->jws);
        gw_status st = gw_assertion_sign(gw_keyset_signer(a->sign_keys), cfg->assertion.issuer,
                                         cfg->assertion.audiences.v[slot], s->abody, now,
                                         cfg->assertion.ttl_seconds, &a->jws);
        if (st != GW_OK)
            return st;
        gw_count(GW_MF_ASSERTIONS, 0, 1);
        jws = a->jws.data;
        if (e)
            gw_cache_put_assertion(a->cache, s->key, slot, jws, now + cfg->assertion.ttl_seconds / 2);
    }
    /* the allow reply ends with its empty line: the assertion goes before */
    gw_buf_add(out, s->allow, s->allow_len - 2);
    gw_buf_printf(out, "Variable-%s: %s\r\n\r\n", cfg->assertion.variable, jws);
    return out->oom ? GW_E_INTERNAL : GW_OK;
}

/* The access decision for the normalized path and the reply: the allow
 * reply (identity) or an empty allow (anonymous), a login redirect (its
 * reply written, o->http set), or a deny status for the caller. */
static gw_status authz_access(authz *a, const gw_request *rq, const char *path,
                              const authz_subject *s, time_t now, gw_buf *out, gw_outcome *o)
{
    const char **why = &o->why;
    const gw_config *cfg = a->cfg;
    const char *method = gw_request_get(rq, GW_RQ_METHOD);
    const gw_rule *rule = gw_rule_match(cfg, path, method);
    gw_rule_subject as = {s->identity, s->groups, s->ngroups, s->claims, s->user, a->perms};
    gw_status st = gw_rule_decide(cfg, rule, &as);
    const gw_rule *trial = gw_rule_report_match(cfg, path, method);
    if (trial) { /* a rule being tried: what it would say, never what happens */
        gw_status would = gw_rule_decide(cfg, trial, &as);
        gw_count(GW_MF_RULE_REPORTS, would == GW_OK ? GW_M_WOULD_ALLOW : GW_M_WOULD_DENY, 1);
        if (would != GW_OK)
            gw_log(GW_LOG_INFO, "event=rule_report rule=\"%s\" would=%d code=%s enforced=%d",
                   trial->prefix, gw_status_http(would), gw_status_code(would),
                   gw_status_http(st));
    }
    o->rule = rule ? rule->prefix : NULL;
    if (st == GW_E_UNAUTHENTICATED && cfg->access.login_redirect && *cfg->access.login_redirect &&
        !gw_rule_login_fits(cfg, rq, path))
        return authz_fail(st, "no identity (not a navigation, or the login page itself: no "
                          "redirect)", why);
    if (st == GW_E_UNAUTHENTICATED) {
        char *loc = gw_rule_login_location(cfg, gw_request_get(rq, GW_RQ_REQUEST_URI));
        if (!loc)
            return authz_fail(st, "no identity", why);
        *why = "login redirect";
        if (o->subrequest)
            gw_reply_subrequest_deny(out, GW_E_UNAUTHENTICATED, loc);
        else
            gw_reply_redirect(out, GW_E_UNAUTHENTICATED, loc, NULL);
        free(loc);
        o->http = 302;
        return st;
    }
    if (st != GW_OK) /* the rule (or access.default) said no */
        return authz_fail(st, rule ? rule->prefix : NULL, why);
    o->source = s->identity ? o->source : "anonymous";
    if (!s->identity)
        return gw_reply_allow(out, NULL, 0);
    if (a->signer && (st = authz_assert(a, rule, s, now, out)) != GW_OK)
        return authz_fail(st, "the assertion could not be signed", why);
    if (a->signer)
        return GW_OK;
    gw_buf_add(out, s->allow, s->allow_len);
    return GW_OK;
}

/* New keys: what the old ones verified goes from the cache. */
static void authz_keys_changed(authz *a, unsigned gen)
{
    if (gen != a->keys_gen) {
        a->keys_gen = gen;
        gw_cache_clear(a->cache);
    }
}

/* A token named a key none of the files holds: look at them now. */
static bool authz_keys_recheck(void *arg)
{
    authz *a = arg;
    if (!gw_trust_recheck(a->keys))
        return false;
    unsigned gen;
    size_t n;
    gw_trust_get(a->keys, time(NULL), &gen, &n);
    authz_keys_changed(a, gen);
    gw_log(GW_LOG_INFO, "event=jwks_reread reason=\"a token named an unknown key\"");
    return true;
}
/* The files the request depends on, as they are now: the token's realms
 * into tok; new keys or permissions empty the cache. */
static void authz_files(authz *a, time_t now, gw_token_check *tok)
{
    if (a->keys) {
        unsigned gen;
        tok->realms = gw_trust_get(a->keys, now, &gen, &tok->nrealms);
        authz_keys_changed(a, gen);
    }
    if (a->perms_file) {
        unsigned gen;
        a->perms = gw_watched_get(a->perms_file, now, &gen);
        if (gen != a->perms_gen) { /* @permissions of the old file goes */
            a->perms_gen = gen;
            gw_cache_clear(a->cache);
        }
    }
    if (a->signer) {
        unsigned gen;
        a->sign_keys = gw_signer_get(a->signer, now, &gen);
        if (gen != a->signer_gen) { /* a new signing key: no assertion of the old one */
            a->signer_gen = gen;
            gw_cache_clear(a->cache);
        }
    }
}

/* Step 9: the subject of an identity seen within cache_seconds, with the
 * very same header values: no decoding, no database. */
static gw_status authz_from_cache(authz *a, const gw_request *rq, authz_req *r,
                                  const gw_cached *hit, const unsigned char *key,
                                  authz_subject *s, gw_outcome *o)
{
    r->who = hit->user_id;
    o->source = "header";
    const char *uri = gw_request_get(rq, GW_RQ_REQUEST_URI);
    gw_status st = gw_rule_path_normalize(uri ? uri : "/", &r->path);
    if (st != GW_OK)
        return authz_fail(st, "request path", &o->why);
    /* answered from memory even while the database is away (README step
     * 9): the switch is then checked on a later request */
    if (authz_user_switch(a, rq, hit->user_id) != GW_OK)
        gw_log(GW_LOG_WARN, "event=user_switch_unchecked reason=\"database unavailable\"");
    *s = (authz_subject){.identity = true, .groups = (const char *const *)hit->groups,
                         .ngroups = hit->ngroups, .claims = hit->claims, .user = hit->user_id,
                         .allow = hit->reply, .allow_len = hit->reply_len, .abody = hit->abody,
                         .key = key, .entry = hit};
    return GW_OK;
}

/* Steps 5 and 6 for a header identity: its row created or updated, the
 * token checked against back-channel logouts, the user switch. */
static gw_status authz_header_user(authz *a, const gw_request *rq, authz_req *r,
                                   const gw_token_check *tok, const char **why)
{
    const gw_config *cfg = a->cfg;
    if (gw_db_ensure(a->db) != GW_OK)
        return authz_fail(GW_E_UNAVAILABLE, NULL, why);
    gw_user_fit(cfg, &r->user, gw_db_collens(a->db), authz_cut, NULL);
    gw_status st = gw_db_sync_user(a->db, &r->user, &r->res);
    if (st != GW_OK)
        return authz_fail(st, NULL, why);
    gw_strlcpy(r->user_id, r->res.user_id ? r->res.user_id : "", sizeof(r->user_id));
    /* what back-channel logouts made of the token (decide.h) */
    bool check_sid = false;
    const char *twhy = NULL;
    if ((st = gw_decide_token(cfg, tok, r->res.logged_out_at, &check_sid, &twhy)) != GW_OK)
        return authz_fail(st, twhy, why);
    unsigned char sid_hash[GW_SHA256_LEN];
    bool ended = false;
    if (check_sid && !gw_sha256_pair(tok->iss, tok->sid, sid_hash))
        return authz_fail(GW_E_INTERNAL, "hashing failed", why);
    if (check_sid && (st = gw_db_sid_ended(a->db, sid_hash, &ended)) != GW_OK)
        return authz_fail(st, NULL, why);
    if (ended)
        return authz_fail(GW_E_INVALID_TOKEN, "token of a provider session ended by a "
                          "back-channel logout", why);
    char safe[40];
    if (r->res.created) {
        gw_log(GW_LOG_INFO, "event=user_created user=%s",
               gw_log_safe(r->user.id, GW_LOG_ID_CHARS, safe));
        gw_count(GW_MF_USERS, GW_M_USER_CREATED, 1);
    } else if (r->res.updated) {
        gw_log(GW_LOG_DEBUG, "event=user_updated user=%s",
               gw_log_safe(r->user.id, GW_LOG_ID_CHARS, safe));
        gw_count(GW_MF_USERS, GW_M_USER_UPDATED, 1);
    }
    r->identity = true;
    r->source = "header";
    if ((st = authz_user_switch(a, rq, r->user.id)) != GW_OK)
        return authz_fail(st, NULL, why);
    return GW_OK;
}

/* The subject of this request's own identity: the header's (decoded,
 * its row synced), else the session's, else none; its allow reply built
 * and, when it may be, cached under key. */
static gw_status authz_from_request(authz *a, const gw_request *rq, authz_req *r, bool present,
                                    gw_token_check *tok, const unsigned char *key, bool cacheable,
                                    authz_subject *s, gw_outcome *o)
{
    const char **why = &o->why;
    const gw_config *cfg = a->cfg;
    gw_status st;
    if (present) {
        if ((st = gw_user_decode(cfg, rq, tok, &r->user, why)) != GW_OK)
            return st;
        r->have_user = true;
        r->who = r->user.id;
    }
    const char *uri = gw_request_get(rq, GW_RQ_REQUEST_URI);
    if ((st = gw_rule_path_normalize(uri ? uri : "/", &r->path)) != GW_OK)
        return authz_fail(st, "request path", why);
    if (r->have_user) {
        if ((st = authz_header_user(a, rq, r, tok, why)) != GW_OK)
            return st;
    } else if (!(cfg->session.enabled && strcmp(r->path, cfg->session.establish_path) == 0) &&
               (st = authz_session(a, rq, r)) != GW_OK) {
        /* a session is made only from a live gateway identity: on the
         * establish path a cookie alone is no identity */
        return authz_fail(st, NULL, why);
    }
    if ((st = authz_groups(cfg, r)) != GW_OK)
        return authz_fail(st, "out of memory", why);
    const gw_cached *entry = NULL;
    if (r->identity) {
        if ((st = authz_allow(a, r)) != GW_OK)
            return authz_fail(st, "a stored value holds a control character or edge white space",
                              why);
        time_t expires = gw_decide_cache_until(cfg, tok, tok->now);
        if (cacheable && expires > tok->now) {
            gw_cache_in in = {.reply = a->allow.data, .reply_len = a->allow.len,
                              .groups = r->groups, .ngroups = r->ngroups,
                              .claims = r->user.claims,
                              .claim_paths = cfg->access.claim_paths.v,
                              .nclaim_paths = cfg->access.claim_paths.n, .user_id = r->user.id,
                              .abody = a->signer ? a->abody.data : NULL,
                              .nslots = cfg->assertion.audiences.n};
            entry = gw_cache_put(a->cache, key, expires, &in);
        }
    }
    o->source = r->source;
    *s = (authz_subject){.identity = r->identity, .groups = r->groups, .ngroups = r->ngroups,
                         .claims = r->have_user ? r->user.claims : NULL,
                         .user = authz_global_id(r), .allow = a->allow.data,
                         .allow_len = a->allow.len, .abody = a->abody.data,
                         .key = entry ? key : NULL, .entry = entry};
    return GW_OK;
}

/* Decides the request: steps 1-3, then the subject (from the cache, or
 * from the request's identity or session), then the access rule. Writes
 * an allow or a redirect into out and returns GW_OK, or returns the deny
 * (with o->why) for the caller to answer. */
static gw_status authz_decide(authz *a, const gw_request *rq, authz_req *r, gw_buf *out,
                              gw_outcome *o)
{
    bool present = false;
    gw_status st = gw_user_check(a->cfg, rq, &present);
    if (st != GW_OK)
        return st;
    time_t now = time(NULL);
    gw_token_check tok = {.now = now, .recheck = authz_keys_recheck, .arg = a};
    authz_files(a, now, &tok);
    unsigned char key[GW_SHA256_LEN];
    bool cacheable = present && a->cache && gw_cache_key(rq, key);
    const gw_cached *hit = cacheable ? gw_cache_get(a->cache, key, now) : NULL;
    if (cacheable)
        gw_count(GW_MF_CACHE, hit ? GW_M_CACHE_HIT : GW_M_CACHE_MISS, 1);
    authz_subject s = {0};
    st = hit ? authz_from_cache(a, rq, r, hit, key, &s, o)
             : authz_from_request(a, rq, r, present, &tok, key, cacheable, &s, o);
    return st == GW_OK ? authz_access(a, rq, r->path, &s, now, out, o) : st;
}

static void authz_handle(gw_program *p, FCGX_Request *req, const gw_request *rq, gw_buf *out,
                         gw_outcome *o)
{
    authz *a = p->ctx;
    /* nginx sends its auth_request subrequest in the RESPONDER role */
    o->subrequest = a->cfg->fastcgi.nginx_auth_request && req->role == FCGI_RESPONDER;
    if (req->role != FCGI_AUTHORIZER && !o->subrequest) {
        o->status = GW_E_INTERNAL;
        o->why = a->cfg->fastcgi.nginx_auth_request
                     ? "not called in the AUTHORIZER role, nor in nginx's RESPONDER role"
                     : "not called in the AUTHORIZER role (nginx: fastcgi.nginx_auth_request)";
        return;
    }
    authz_req r;
    memset(&r, 0, sizeof(r));
    o->status = authz_decide(a, rq, &r, out, o);
    if (r.who)
        gw_log_safe(r.who, GW_LOG_ID_CHARS, o->user);
    gw_strlcpy(o->user_id, r.user_id, sizeof(o->user_id));
    authz_req_free(&r);
}

int main(int argc, char **argv)
{
    authz a = {0};
    gw_program p = {
        .name = "authorizer",
        .prog = GW_PROG_AUTHORIZER,
        .summary = "FastCGI authorizer: turns the gateway's identity into a local user and "
                   "REMOTE_USER / GWAUTH_* variables.",
        .start = authz_start,
        .handle = authz_handle,
        .stop = authz_stop,
        .verify = gw_check_database,
        .check = gw_check_config,
        .check_jwks = gw_check_jwks,
        .ctx = &a,
    };
    return gw_app_main(&p, argc, argv);
}
