/*
 * logout.c - the FastCGI RESPONDER (README "Sessions" and "Logout"): GET establish_path creates a
 * persistent session; GET or POST logout.path ends it, through the
 * gateway's own logout while the gateway still has a session, unless the
 * request comes from another site (403). HEAD answers where GET would go
 * and changes nothing. POST logout.backchannel_path takes the identity
 * provider's logout token. GET monitor.health_path and monitor.metrics_path
 * serve the health check and the counters of every gwauth process of the
 * host; GET assertion.jwks_path the public keys of the identity assertion.
 * Other paths: 404; other methods: 405. Every reply carries
 * Cache-Control: no-store.
 */
#include <fastcgi.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "check.h"
#include "counters.h"
#include "db.h"
#include "decide.h"
#include "jwt.h"
#include "keyring.h"
#include "metrics.h"
#include "usermap.h"
#include "gwauth.h"
#include "http.h"
#include "log.h"
#include "reply.h"
#include "rules.h"
#include "session.h"
#include "signer.h"

typedef struct {
    const gw_config *cfg;
    gw_db *db;
    gw_trust *keys;        /* identity.jwt's realms and keys, or NULL */
    gw_signer *signer;     /* the assertion's keys, published, or NULL */
    struct timespec health_failed; /* the last failed health check */
    const char *health_reason;     /* and why */
} responder;

#define GW_HEALTH_HOLD_MS 2000 /* a failed health check is answered from memory this long */

#define GW_BCL_BODY_MAX 16384  /* a back-channel logout request's body */
#define GW_BCL_MAX_AGE 300     /* how old a logout token's iat may be, seconds */
#define GW_NEXT_COOKIE_SECONDS 300 /* the destination kept across the gateway's logout */

static int logout_start(gw_program *p, const gw_config *cfg)
{
    responder *r = p->ctx;
    r->cfg = cfg;
    r->db = gw_db_new(cfg);
    if (!r->db) {
        gw_log(GW_LOG_ERROR, "event=start_failed error=\"out of memory\"");
        return 1;
    }
    if (cfg->identity.jwt.enabled) {
        char *errors = NULL;
        if (!(r->keys = gw_trust_open(cfg, &errors))) {
            gw_log_lines(GW_LOG_ERROR, "start_failed", errors);
            free(errors);
            return 1;
        }
    }
    if (cfg->assertion.enabled && *cfg->assertion.jwks_path) {
        char *errors = NULL;
        if (!(r->signer = gw_signer_open(cfg->assertion.key_file, &errors))) {
            gw_log_lines(GW_LOG_ERROR, "start_failed", errors);
            free(errors);
            return 1;
        }
    }
    if (cfg->session.enabled)
        gw_db_ensure(r->db);
    return 0;
}

static void logout_stop(gw_program *p)
{
    responder *r = p->ctx;
    gw_db_free(r->db);
    gw_trust_free(r->keys);
    gw_signer_free(r->signer);
}

static bool logout_keys_recheck(void *arg)
{
    responder *rp = arg;
    return gw_trust_recheck(rp->keys);
}

/* The verified ID token's sid, when the gateway forwarded one: stored
 * with the session so that a back-channel logout of that provider session
 * ends it. "" when there is none or it does not verify. */
static void logout_token_sid(responder *rp, const gw_request *rq, char sid[256])
{
    sid[0] = '\0';
    if (!rp->keys || !*rp->cfg->logout.backchannel_path)
        return;
    time_t now = time(NULL);
    gw_token_check tok = {.now = now, .recheck = logout_keys_recheck, .arg = rp};
    tok.realms = gw_trust_get(rp->keys, now, NULL, &tok.nrealms);
    gw_user u;
    const char *why = NULL;
    if (gw_user_decode(rp->cfg, rq, &tok, &u, &why) != GW_OK) {
        /* the authorizer let it through a moment ago; say so, the session
         * can then only end by sub or by its own logout */
        gw_log(GW_LOG_WARN, "event=session_without_sid reason=\"%s\"", why ? why : "-");
        return;
    }
    gw_strlcpy(sid, tok.sid, 256);
    gw_user_free(&u);
}

/* The destination (gw_decide_destination), a refusal logged. */
static char *logout_destination(const gw_config *cfg, const gw_request *rq)
{
    bool refused;
    char *d = gw_decide_destination(cfg, rq, &refused);
    if (refused)
        gw_log(GW_LOG_INFO, "event=destination_refused");
    return d;
}

static gw_status logout_establish(responder *rp, const gw_request *rq, bool head, gw_buf *out,
                                  const char **why)
{
    const gw_config *cfg = rp->cfg;
    const char *uid = NULL;
    gw_status st = gw_decide_establish(cfg, rq, &uid, why);
    if (st != GW_OK)
        return st;
    if (head) { /* where GET would go, without a session */
        char *dest = logout_destination(cfg, rq);
        if (!dest) {
            *why = "out of memory";
            return GW_E_INTERNAL;
        }
        gw_reply_redirect(out, GW_OK, dest, NULL);
        free(dest);
        return GW_OK;
    }
    char token[GW_TOKEN_CHARS + 1];
    unsigned char hash[GW_SHA256_LEN], old[GW_SHA256_LEN];
    if (!gw_session_token_new(token, hash)) {
        *why = "random source failed";
        return GW_E_INTERNAL;
    }
    /* a session cookie the browser still holds is replaced, not kept */
    bool replaced = false;
    if (gw_session_cookie_hash(rq, old) && gw_db_session_delete(rp->db, old, &replaced) == GW_OK &&
        replaced)
        gw_count(GW_MF_SESSIONS_ENDED, GW_M_ENDED_REPLACED, 1);
    char sid[256];
    logout_token_sid(rp, rq, sid);
    gw_session_info info = {.client_addr = gw_request_get(rq, GW_RQ_REMOTE_ADDR),
                            .user_agent = gw_request_get(rq, GW_RQ_USER_AGENT),
                            .sid = *sid ? sid : NULL};
    st = gw_db_session_create(rp->db, uid, hash, &info);
    if (st != GW_OK) {
        *why = "session not created";
        return st;
    }
    char *dest = logout_destination(cfg, rq);
    gw_buf cookie;
    gw_buf_init(&cookie);
    if (dest)
        gw_http_cookie_line(&cookie, cfg->session.cookie, token, cfg->session.ttl_seconds,
                            cfg->session.secure, cfg->session.same_site);
    memset(token, 0, sizeof(token));
    bool oom = !dest || cookie.oom;
    if (!oom) {
        gw_reply_redirect(out, GW_OK, dest, cookie.data);
        gw_log(GW_LOG_INFO, "event=session_created user_id=%s", uid);
    }
    gw_buf_free(&cookie);
    free(dest);
    if (oom) /* never a 302 without its cookie */
        *why = "out of memory";
    return oom ? GW_E_INTERNAL : GW_OK;
}

static gw_status logout_logout(responder *rp, const gw_request *rq, bool head, gw_buf *out,
                               const char **why)
{
    const gw_config *cfg = rp->cfg;
    unsigned char hash[GW_SHA256_LEN];
    bool has_session = gw_session_cookie_hash(rq, hash);
    bool via_gateway = gw_decide_gateway_session(rq);
    /* a logout that would end something must come from this site */
    if (gw_decide_cross_site(cfg, rq, has_session || via_gateway, head)) {
        *why = "a logout from another site (Origin, Referer or Sec-Fetch-Site)";
        return GW_E_CROSS_SITE;
    }
    if (has_session && !head) {
        bool ended = false;
        gw_status st = gw_db_session_delete(rp->db, hash, &ended);
        if (st != GW_OK) {
            *why = "session not deleted";
            return st; /* never claim a logout that did not happen */
        }
        if (ended)
            gw_count(GW_MF_SESSIONS_ENDED, GW_M_ENDED_LOGOUT, 1);
    }
    char *dest = logout_destination(cfg, rq);
    if (!dest) {
        *why = "out of memory";
        return GW_E_INTERNAL;
    }
    gw_buf h;
    gw_buf_init(&h);
    if (cfg->session.enabled && !head)
        gw_http_cookie_line(&h, cfg->session.cookie, "", 0, cfg->session.secure,
                            cfg->session.same_site);
    if (head) {
        gw_reply_redirect(out, GW_OK, via_gateway ? cfg->logout.gateway_logout_url : dest, NULL);
    } else if (via_gateway) {
        /* remember the destination across the gateway's logout */
        char *enc = gw_http_url_encode(dest);
        if (enc)
            gw_http_cookie_line(&h, cfg->logout.next_cookie, enc, GW_NEXT_COOKIE_SECONDS,
                                cfg->session.secure, "Lax");
        free(enc);
        gw_reply_redirect(out, GW_OK, cfg->logout.gateway_logout_url, h.data);
    } else {
        gw_http_cookie_line(&h, cfg->logout.next_cookie, "", 0, cfg->session.secure, "Lax");
        gw_reply_redirect(out, GW_OK, dest, h.data);
    }
    if (!head)
        gw_log(GW_LOG_INFO, "event=logout via=%s", via_gateway ? "gateway" : "direct");
    bool oom = h.oom;
    gw_buf_free(&h);
    free(dest);
    if (oom)
        *why = "out of memory";
    return oom ? GW_E_INTERNAL : GW_OK;
}

/* OpenID Connect Back-Channel Logout 1.0: the identity provider POSTs a
 * form with logout_token. Verified (see gw_logout_token_verify: keys,
 * issuer, the gateway's audience, iat within GW_BCL_MAX_AGE, events, sub
 * or sid, no nonce), used once (jti), then the sessions go. 200 on
 * success; 400 invalid_request, nothing changed, on any refusal. */
static gw_status logout_backchannel(responder *rp, FCGX_Request *req, const gw_request *rq,
                                    gw_buf *out, const char **why)
{
    const gw_config *cfg = rp->cfg;
    long len;
    gw_status st = gw_decide_backchannel_form(rq, GW_BCL_BODY_MAX, &len, why);
    if (st != GW_OK)
        return st;
    char *body = malloc((size_t)len + 1);
    if (!body) {
        *why = "out of memory";
        return GW_E_INTERNAL;
    }
    int got = FCGX_GetStr(body, (int)len, req->in);
    body[got > 0 ? got : 0] = '\0';
    char *token = got == len ? gw_http_query_param(body, "logout_token") : NULL;
    free(body);
    if (!token || !*token) {
        free(token);
        *why = "no logout_token";
        return GW_E_INVALID_REQUEST;
    }
    time_t now = time(NULL);
    gw_jwt_policy pol = {.leeway_seconds = cfg->identity.jwt.leeway_seconds};
    size_t n;
    const gw_jwt_trust *realms = gw_trust_get(rp->keys, now, NULL, &n);
    gw_logout_token lt;
    st = gw_logout_token_verify(realms, n, token, &pol, now, GW_BCL_MAX_AGE, &lt, why);
    if (st != GW_OK && *why == gw_jwt_no_key && gw_trust_recheck(rp->keys))
        st = gw_logout_token_verify(realms, n, token, &pol, now, GW_BCL_MAX_AGE, &lt, why);
    free(token);
    if (st != GW_OK)
        return GW_E_INVALID_REQUEST;
    /* one use per issuer and jti; an ended provider session by issuer and sid */
    unsigned char hash[GW_SHA256_LEN], sid_hash[GW_SHA256_LEN];
    if (!gw_sha256_pair(lt.iss, lt.jti, hash) || (lt.sid && !gw_sha256_pair(lt.iss, lt.sid, sid_hash))) {
        gw_logout_token_free(&lt);
        *why = "out of memory";
        return GW_E_INTERNAL;
    }
    long ended = 0;
    bool replay = false;
    st = gw_db_backchannel_logout(rp->db, hash, lt.exp, lt.sub, lt.sid, sid_hash, lt.iat, &ended,
                                  &replay);
    if (st == GW_OK && replay) {
        *why = "a logout token used before (jti)";
        st = GW_E_INVALID_REQUEST;
    } else if (st == GW_OK) {
        char safe[40];
        gw_log(GW_LOG_INFO,
               "event=session_ended reason=backchannel_logout by=%s user=%s sessions=%ld",
               lt.sid ? "sid" : "sub", lt.sub ? gw_log_safe(lt.sub, GW_LOG_ID_CHARS, safe) : "-",
               ended);
        gw_count(GW_MF_SESSIONS_ENDED, GW_M_ENDED_BACKCHANNEL, ended > 0 ? (uint64_t)ended : 0);
        gw_buf_puts(out, "Status: 200 OK\r\nCache-Control: no-store\r\nContent-Length: 0\r\n\r\n");
    } else {
        *why = "sessions not ended";
    }
    gw_logout_token_free(&lt);
    return st;
}

/* GET monitor.health_path: 200 {"status":"ok"} when the database answers
 * and matches the configuration; else 503, its reason in the body. No
 * write. */
static gw_status logout_health(responder *rp, gw_buf *out, const char **why, const char **detail)
{
    /* An anonymous request must not make the database (or its absence)
     * cost a connect and a schema check each time: a failure is kept
     * GW_HEALTH_HOLD_MS. */
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long held = (now.tv_sec - rp->health_failed.tv_sec) * 1000 +
                (now.tv_nsec - rp->health_failed.tv_nsec) / 1000000;
    if (!rp->health_reason || held >= GW_HEALTH_HOLD_MS) {
        rp->health_reason = NULL;
        if (gw_db_health(rp->db, &rp->health_reason) != GW_OK)
            rp->health_failed = now;
    }
    if (rp->health_reason) {
        *why = *detail = rp->health_reason;
        return GW_E_UNAVAILABLE;
    }
    gw_buf_puts(out, "Status: 200 OK\r\nContent-Type: application/json\r\n"
                "Cache-Control: no-store\r\n\r\n{\"status\":\"ok\"}\n");
    return GW_OK;
}

/* GET monitor.metrics_path: the Prometheus text exposition. */
static void logout_metrics(bool head, gw_buf *out)
{
    static gw_metrics_data m; /* large: not on the stack */
    gw_counters_read(&m);
    gw_buf_puts(out, "Status: 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
                "Cache-Control: no-store\r\n\r\n");
    if (!head)
        gw_metrics_render(&m, out);
}

/* GET assertion.jwks_path: the public keys that sign the assertion, the
 * next one and the retired ones included; cacheable for a minute, so an
 * application that meets an unknown kid fetches again soon enough. */
static void logout_jwks(responder *rp, bool head, gw_buf *out)
{
    gw_signer_get(rp->signer, time(NULL), NULL);
    gw_buf_puts(out, "Status: 200 OK\r\nContent-Type: application/jwk-set+json\r\n"
                "Cache-Control: public, max-age=60\r\n\r\n");
    if (!head)
        gw_buf_puts(out, gw_signer_jwks(rp->signer));
}

static void logout_handle(gw_program *p, FCGX_Request *req, const gw_request *rq, gw_buf *out,
                          gw_outcome *o)
{
    responder *rp = p->ctx;
    const gw_config *cfg = rp->cfg;
    if (req->role != FCGI_RESPONDER) {
        o->status = GW_E_INTERNAL;
        o->why = "not called in the RESPONDER role";
        return;
    }
    char *path = NULL;
    const char *uri = gw_request_get(rq, GW_RQ_REQUEST_URI);
    if (gw_rule_path_normalize(uri ? uri : "/", &path) != GW_OK) {
        o->status = GW_E_NOT_FOUND;
        o->why = "no such path";
        return;
    }
    gw_route what;
    bool head = false;
    const char *allow = NULL;
    o->status = gw_decide_route(cfg, rp->signer != NULL, path, gw_request_get(rq, GW_RQ_METHOD),
                                &what, &head, &allow);
    free(path);
    if (o->status != GW_OK) {
        o->why = o->status == GW_E_METHOD ? "method" : "no such path";
        o->extra = allow;
        return;
    }
    switch (what) {
    case GW_ROUTE_ESTABLISH: o->status = logout_establish(rp, rq, head, out, &o->why); break;
    case GW_ROUTE_LOGOUT: o->status = logout_logout(rp, rq, head, out, &o->why); break;
    case GW_ROUTE_BACKCHANNEL: o->status = logout_backchannel(rp, req, rq, out, &o->why); break;
    case GW_ROUTE_HEALTH: o->status = logout_health(rp, out, &o->why, &o->detail); break;
    case GW_ROUTE_JWKS: logout_jwks(rp, head, out); break;
    case GW_ROUTE_METRICS: logout_metrics(head, out); break;
    }
    if ((what == GW_ROUTE_ESTABLISH || what == GW_ROUTE_LOGOUT) && cfg->id_export) {
        const char *uid = gw_request_get(rq, rq->id_export);
        if (uid)
            gw_log_safe(uid, 20, o->user_id);
    }
}

/* The database is checked only when the responder uses it. */
static int logout_verify(const gw_config *cfg, gw_buf *problems)
{
    return cfg->session.enabled || *cfg->monitor.health_path ? gw_check_database(cfg, problems) : 0;
}

int main(int argc, char **argv)
{
    responder r = {0};
    gw_program p = {
        .name = "logout",
        .prog = GW_PROG_RESPONDER,
        .summary = "FastCGI responder: establishes persistent sessions (GET establish_path), "
                   "logs out (logout.path, logout.backchannel_path), and serves the health check "
                   "and metrics (monitor.health_path, monitor.metrics_path), and publishes the "
                   "assertion's keys (assertion.jwks_path).",
        .start = logout_start,
        .handle = logout_handle,
        .stop = logout_stop,
        .verify = logout_verify,
        .check = gw_check_config,
        .check_jwks = gw_check_jwks,
        .ctx = &r,
    };
    return gw_app_main(&p, argc, argv);
}
