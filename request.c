/* request.c - one request's environment, read once (pure). */
#include "request.h"

#include <stdlib.h>
#include <string.h>

#include "caller.h"
#include "http.h"

static const char *const gw_rq_fixed[GW_RQ_NFIXED] = {
    [GW_RQ_REMOTE_ADDR] = "REMOTE_ADDR",
    [GW_RQ_REQUEST_URI] = "REQUEST_URI",
    [GW_RQ_METHOD] = "REQUEST_METHOD",
    [GW_RQ_QUERY] = "QUERY_STRING",
    [GW_RQ_COOKIE] = "HTTP_COOKIE",
    [GW_RQ_HOST] = "HTTP_HOST",
    [GW_RQ_ORIGIN] = "HTTP_ORIGIN",
    [GW_RQ_REFERER] = "HTTP_REFERER",
    [GW_RQ_FETCH_SITE] = "HTTP_SEC_FETCH_SITE",
    [GW_RQ_FETCH_MODE] = "HTTP_SEC_FETCH_MODE",
    [GW_RQ_REQUESTED_WITH] = "HTTP_X_REQUESTED_WITH",
    [GW_RQ_ACCEPT] = "HTTP_ACCEPT",
    [GW_RQ_REQUEST_ID] = "HTTP_X_REQUEST_ID",
    [GW_RQ_USER_AGENT] = "HTTP_USER_AGENT",
    [GW_RQ_CONTENT_TYPE] = "CONTENT_TYPE",
    [GW_RQ_CONTENT_LENGTH] = "CONTENT_LENGTH",
    [GW_RQ_SECRET] = GW_SECRET_VAR,
};

/* The slot of name, added when it is new (the table has room for every
 * name the configuration can bring: see gw_request_init). */
static size_t gw_rq_slot(gw_request *rq, const char *name)
{
    if (!name || !*name)
        return GW_RQ_NONE;
    size_t n = strlen(name);
    for (size_t i = 0; i < rq->nnames; i++)
        if (rq->nlen[i] == n && memcmp(rq->name[i], name, n) == 0)
            return i;
    rq->name[rq->nnames] = name;
    rq->nlen[rq->nnames] = n;
    return rq->nnames++;
}

bool gw_request_init(gw_request *rq, const gw_config *cfg)
{
    memset(rq, 0, sizeof(*rq));
    size_t max = GW_RQ_NFIXED + cfg->nid_vars + 1 + cfg->identity.nclaim_headers +
                 cfg->exports.n + 1;
    rq->name = calloc(max, sizeof(*rq->name));
    rq->nlen = calloc(max, sizeof(*rq->nlen));
    rq->val = calloc(max, sizeof(*rq->val));
    rq->id = calloc(cfg->nid_vars + 1, sizeof(size_t));
    rq->claim = calloc(cfg->identity.nclaim_headers + 1, sizeof(size_t));
    rq->key = calloc(cfg->nkey_vars + 1, sizeof(size_t));
    rq->exp = calloc(cfg->exports.n + 1, sizeof(size_t));
    if (!rq->name || !rq->nlen || !rq->val || !rq->id || !rq->claim || !rq->key || !rq->exp) {
        gw_request_free(rq);
        return false;
    }
    for (size_t i = 0; i < GW_RQ_NFIXED; i++)
        gw_rq_slot(rq, gw_rq_fixed[i]);
    rq->nid = cfg->nid_vars;
    for (size_t i = 0; i < cfg->nid_vars; i++)
        rq->id[i] = gw_rq_slot(rq, cfg->id_vars[i]);
    rq->jwt = cfg->identity.jwt.enabled ? gw_rq_slot(rq, cfg->identity.jwt.header) : GW_RQ_NONE;
    for (size_t i = 0; i < cfg->identity.nclaim_headers; i++)
        rq->claim[i] = gw_rq_slot(rq, cfg->identity.claim_headers[i].var);
    /* the cache key's variables are the identity's and the token's */
    rq->nkey = cfg->nkey_vars;
    for (size_t i = 0; i < cfg->nkey_vars; i++)
        rq->key[i] = gw_rq_slot(rq, cfg->key_vars[i]);
    for (size_t i = 0; i < cfg->exports.n; i++)
        rq->exp[i] = gw_rq_slot(rq, cfg->exports.v[i].name);
    rq->id_export = gw_rq_slot(rq, cfg->id_export);
    if (cfg->session.enabled)
        rq->cookie_name[GW_RQ_CK_SESSION] = cfg->session.cookie;
    rq->cookie_name[GW_RQ_CK_NEXT] = cfg->logout.next_cookie;
    rq->cookie_name[GW_RQ_CK_GATEWAY] = cfg->logout.gateway_session_cookie;
    for (int k = 0; k < GW_RQ_NCOOKIES; k++)
        if (rq->cookie_name[k] && !*rq->cookie_name[k])
            rq->cookie_name[k] = NULL;
    return true;
}

void gw_request_free(gw_request *rq)
{
    free(rq->name);
    free(rq->nlen);
    free(rq->val);
    free(rq->id);
    free(rq->claim);
    free(rq->key);
    free(rq->exp);
    memset(rq, 0, sizeof(*rq));
}

void gw_request_read(gw_request *rq, char *const *envp)
{
    memset(rq->val, 0, rq->nnames * sizeof(*rq->val));
    for (; envp && *envp; envp++) {
        const char *e = *envp;
        const char *eq = strchr(e, '=');
        if (!eq)
            continue;
        size_t n = (size_t)(eq - e);
        for (size_t i = 0; i < rq->nnames; i++) {
            if (rq->nlen[i] != n || memcmp(rq->name[i], e, n) != 0)
                continue;
            gw_rqval *v = &rq->val[i];
            if (!v->count++) {
                v->v = eq + 1;
                v->len = strlen(v->v);
            }
            break;
        }
    }
    memset(rq->cookie, 0, sizeof(rq->cookie));
    const char *p = rq->val ? rq->val[GW_RQ_COOKIE].v : NULL, *name, *value;
    size_t nlen, vlen;
    while (p && gw_http_cookie_next(&p, &name, &nlen, &value, &vlen))
        for (int k = 0; k < GW_RQ_NCOOKIES; k++)
            if (rq->cookie_name[k] && !rq->cookie[k].v && strlen(rq->cookie_name[k]) == nlen &&
                memcmp(rq->cookie_name[k], name, nlen) == 0) {
                rq->cookie[k].v = value;
                rq->cookie[k].len = vlen;
            }
}

const char *gw_request_get(const gw_request *rq, size_t slot)
{
    return slot < rq->nnames ? rq->val[slot].v : NULL;
}

size_t gw_request_len(const gw_request *rq, size_t slot)
{
    return slot < rq->nnames ? rq->val[slot].len : 0;
}

size_t gw_request_count(const gw_request *rq, size_t slot)
{
    return slot < rq->nnames ? rq->val[slot].count : 0;
}

bool gw_request_cookie(const gw_request *rq, int which, char *out, size_t outlen)
{
    const char *v = rq->cookie[which].v;
    size_t n = rq->cookie[which].len;
    if (!v || n >= outlen)
        return false;
    memcpy(out, v, n);
    out[n] = '\0';
    return true;
}

bool gw_request_has_cookie(const gw_request *rq, int which) { return rq->cookie[which].v != NULL; }
