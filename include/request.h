/*
 * request.h - one FastCGI request as a value: its environment read once,
 * into the variables and cookies gwauth looks at (README "How a request is
 * decided"). Pure: the values point into the request's environment and
 * stay valid until the next request is accepted.
 *
 * gw_request_init builds, from a configuration, the list of names to look
 * for (fixed ones like REMOTE_ADDR, then the configuration's identity
 * variables, token header, exports and cookies); gw_request_read fills in
 * one request's values in one walk of its environment.
 */
#ifndef GW_REQUEST_H
#define GW_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

/* The variables read by fixed name: the first slots of every request. */
enum {
    GW_RQ_REMOTE_ADDR,
    GW_RQ_REQUEST_URI,
    GW_RQ_METHOD,         /* REQUEST_METHOD */
    GW_RQ_QUERY,          /* QUERY_STRING */
    GW_RQ_COOKIE,         /* HTTP_COOKIE */
    GW_RQ_HOST,           /* HTTP_HOST */
    GW_RQ_ORIGIN,         /* HTTP_ORIGIN */
    GW_RQ_REFERER,        /* HTTP_REFERER */
    GW_RQ_FETCH_SITE,     /* HTTP_SEC_FETCH_SITE */
    GW_RQ_FETCH_MODE,     /* HTTP_SEC_FETCH_MODE */
    GW_RQ_REQUESTED_WITH, /* HTTP_X_REQUESTED_WITH */
    GW_RQ_ACCEPT,         /* HTTP_ACCEPT */
    GW_RQ_REQUEST_ID,     /* HTTP_X_REQUEST_ID */
    GW_RQ_USER_AGENT,     /* HTTP_USER_AGENT */
    GW_RQ_CONTENT_TYPE,
    GW_RQ_CONTENT_LENGTH,
    GW_RQ_SECRET,         /* GW_SECRET_VAR (caller.h) */
    GW_RQ_NFIXED
};

/* The cookies read: session.cookie, logout.next_cookie and
 * logout.gateway_session_cookie (each only when configured). */
enum { GW_RQ_CK_SESSION, GW_RQ_CK_NEXT, GW_RQ_CK_GATEWAY, GW_RQ_NCOOKIES };

#define GW_RQ_NONE SIZE_MAX /* a slot the configuration does not use */

typedef struct {
    const char *v; /* the first value, or NULL when absent */
    size_t len;    /* its length */
    size_t count;  /* how many entries carry the name */
} gw_rqval;

typedef struct {
    /* the names looked for, each once (built by gw_request_init) */
    const char **name;
    size_t *nlen;
    size_t nnames;
    size_t *id;          /* slot of each of cfg->id_vars (nid) */
    size_t nid;
    size_t jwt;          /* slot of identity.jwt.header, or GW_RQ_NONE */
    size_t *claim;       /* slot of each identity.claim_headers[i].var */
    size_t *key;         /* slot of each of cfg->key_vars (nkey) */
    size_t nkey;
    size_t *exp;         /* slot of each export's variable (exports.n) */
    size_t id_export;    /* slot of cfg->id_export, or GW_RQ_NONE */
    const char *cookie_name[GW_RQ_NCOOKIES]; /* NULL when not configured */
    /* one request's values (gw_request_read) */
    gw_rqval *val;       /* nnames */
    struct {
        const char *v;   /* the first cookie of that name, unquoted; NULL when none */
        size_t len;
    } cookie[GW_RQ_NCOOKIES];
} gw_request;

/* The names cfg makes a program read. False when out of memory (rq is
 * then empty, and gw_request_free is safe). cfg must outlive rq. */
bool gw_request_init(gw_request *rq, const gw_config *cfg);
void gw_request_free(gw_request *rq);

/* Reads one request's environment (a NULL-terminated array of
 * "NAME=value"; NULL reads as empty): one walk, then the cookies. */
void gw_request_read(gw_request *rq, char *const *envp);

/* The first value in a slot (NULL when absent or GW_RQ_NONE), its
 * length, and how many entries carried it. */
const char *gw_request_get(const gw_request *rq, size_t slot);
size_t gw_request_len(const gw_request *rq, size_t slot);
size_t gw_request_count(const gw_request *rq, size_t slot);

/* The value of a cookie, copied into out (at most outlen - 1 bytes; a
 * longer value is refused). True when found and it fit. */
bool gw_request_cookie(const gw_request *rq, int which, char *out, size_t outlen);
/* True when the request carries that cookie (any value). */
bool gw_request_has_cookie(const gw_request *rq, int which);

#endif
