/* decide.c - the programs' decisions that need no I/O (pure). */
#include "decide.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http.h"

/* path is the one served at served (an empty or unset one serves nothing). */
static bool gw_decide_is(const char *path, const char *served)
{
    return served && *served && strcmp(path, served) == 0;
}

gw_status gw_decide_route(const gw_config *cfg, bool with_jwks, const char *path,
                          const char *method, gw_route *route, bool *head, const char **allow)
{
    if (cfg->session.enabled && gw_decide_is(path, cfg->session.establish_path))
        *route = GW_ROUTE_ESTABLISH;
    else if (gw_decide_is(path, cfg->logout.path))
        *route = GW_ROUTE_LOGOUT;
    else if (gw_decide_is(path, cfg->logout.backchannel_path))
        *route = GW_ROUTE_BACKCHANNEL;
    else if (gw_decide_is(path, cfg->monitor.health_path))
        *route = GW_ROUTE_HEALTH;
    else if (gw_decide_is(path, cfg->monitor.metrics_path))
        *route = GW_ROUTE_METRICS;
    else if (with_jwks && gw_decide_is(path, cfg->assertion.jwks_path))
        *route = GW_ROUTE_JWKS;
    else
        return GW_E_NOT_FOUND;
    const char *m = method ? method : "";
    *head = strcmp(m, "HEAD") == 0;
    bool get = strcmp(m, "GET") == 0, post = strcmp(m, "POST") == 0;
    bool ok = *route == GW_ROUTE_BACKCHANNEL ? post
                                            : get || *head || (*route == GW_ROUTE_LOGOUT && post);
    if (ok)
        return GW_OK;
    *allow = *route == GW_ROUTE_BACKCHANNEL ? "Allow: POST\r\n"
             : *route == GW_ROUTE_LOGOUT    ? "Allow: GET, HEAD, POST\r\n"
                                            : "Allow: GET, HEAD\r\n";
    return GW_E_METHOD;
}

gw_status gw_decide_establish(const gw_config *cfg, const gw_request *rq, const char **uid,
                              const char **why)
{
    const char *u = gw_request_get(rq, rq->id_export);
    size_t n = u ? strspn(u, "0123456789") : 0;
    if (!u || n == 0 || n > 20 || u[n]) {
        *why = "no identity";
        return GW_E_UNAUTHENTICATED;
    }
    /* the authorizer gives no identity from a cookie on this path; checked
     * again where the source is exported: a stolen cookie cannot renew
     * itself */
    for (size_t i = 0; i < cfg->exports.n; i++) {
        const char *src = cfg->exports.v[i].kind == GW_EXP_SOURCE ? gw_request_get(rq, rq->exp[i])
                                                                  : "header";
        if (!src || strcmp(src, "header") != 0) {
            *why = "a session is made only from the gateway's identity";
            return GW_E_UNAUTHENTICATED;
        }
    }
    *uid = u;
    return GW_OK;
}

bool gw_decide_gateway_session(const gw_request *rq)
{
    for (size_t i = 0; i < rq->nid; i++)
        if (gw_request_len(rq, rq->id[i]))
            return true;
    return gw_request_has_cookie(rq, GW_RQ_CK_GATEWAY);
}

bool gw_decide_cross_site(const gw_config *cfg, const gw_request *rq, bool ends_something,
                          bool head)
{
    /* an <img src=/applogout> on another page must not log anyone out;
     * the provider's redirect back after the gateway's logout finds
     * nothing left to end, and passes */
    return ends_something && !head && !gw_http_same_site(rq, &cfg->logout.allowed_hosts);
}

char *gw_decide_destination(const gw_config *cfg, const gw_request *rq, bool *refused)
{
    *refused = false;
    char *d = gw_http_query_param(gw_request_get(rq, GW_RQ_QUERY), cfg->logout.next_param);
    if (d && !*d) {
        free(d);
        d = NULL;
    }
    char cv[3 * GW_DEST_MAX + 1];
    if (!d && gw_request_cookie(rq, GW_RQ_CK_NEXT, cv, sizeof(cv)) && *cv)
        d = gw_http_form_decode(cv, strlen(cv));
    if (d && !gw_http_dest_valid(d, &cfg->logout.allowed_hosts)) {
        *refused = true;
        free(d);
        d = NULL;
    }
    return d ? d : strdup(cfg->logout.default_destination);
}

gw_status gw_decide_backchannel_form(const gw_request *rq, long max, long *len,
                                     const char **why)
{
    const char *ct = gw_request_get(rq, GW_RQ_CONTENT_TYPE);
    const char *cl = gw_request_get(rq, GW_RQ_CONTENT_LENGTH);
    if (!ct || strncasecmp(ct, "application/x-www-form-urlencoded", 33) != 0 ||
        (ct[33] && ct[33] != ';' && ct[33] != ' ')) {
        *why = "not a form";
        return GW_E_INVALID_REQUEST;
    }
    char *end = NULL;
    *len = cl && *cl ? strtol(cl, &end, 10) : -1;
    if (!end || *end || *len <= 0 || *len > max) {
        *why = "no body, or too large";
        return GW_E_INVALID_REQUEST;
    }
    return GW_OK;
}

gw_status gw_decide_token(const gw_config *cfg, const gw_token_check *tok, long logged_out_at,
                          bool *check_sid, const char **why)
{
    *check_sid = false;
    if (!tok->nrealms)
        return GW_OK;
    /* the provider ended all of the user's sessions after it issued this
     * token: the gateway's own stale session cannot bring the user back */
    if (logged_out_at && tok->iat < logged_out_at) {
        *why = "token issued before a back-channel logout";
        return GW_E_INVALID_TOKEN;
    }
    /* nor can a token of a provider session that a back-channel logout
     * ended (one lookup, only with back-channel logout and a sid) */
    if (!*cfg->logout.backchannel_path)
        return GW_OK;
    if (tok->sid_bad || (*tok->sid && !*tok->iss)) {
        *why = "a sid that cannot be checked against back-channel logouts";
        return GW_E_INVALID_TOKEN;
    }
    *check_sid = *tok->sid != '\0';
    return GW_OK;
}

time_t gw_decide_cache_until(const gw_config *cfg, const gw_token_check *tok, time_t now)
{
    time_t until = now + cfg->identity.cache_seconds;
    return tok->nrealms && tok->exp < until ? tok->exp : until;
}
