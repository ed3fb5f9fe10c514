/*
 * gwauth.h - what every gwauth module shares: the version, and the one
 * error shape (gw_status) with its HTTP status and JSON error code.
 */
#ifndef GWAUTH_H
#define GWAUTH_H

#define GWAUTH_VERSION "0.1.0"

/* The longest global id (users.global_id is VARCHAR(255)), in bytes. */
#define GW_ID_MAX_BYTES 255

/* The outcome of a step of a request. Every deny the authorizer or the
 * responder can answer is one of these; gw_status_http() and
 * gw_status_code() give its HTTP status and its JSON error code. */
typedef enum {
    GW_OK = 0,
    GW_E_DUPLICATE,      /* 400 duplicate_identity_header */
    GW_E_UNTRUSTED,      /* 403 untrusted_source */
    GW_E_UNTRUSTED_CALLER, /* 403 untrusted_caller (FastCGI peer without the secret) */
    GW_E_TOO_LARGE,      /* 431 userinfo_too_large */
    GW_E_MALFORMED,      /* 400 malformed_userinfo */
    GW_E_UNKNOWN_USER,   /* 403 unknown_user */
    GW_E_INACTIVE,       /* 403 inactive_user */
    GW_E_UNAUTHENTICATED,/* 401 unauthenticated */
    GW_E_INVALID_TOKEN,  /* 401 invalid_token (identity.jwt) */
    GW_E_FORBIDDEN,      /* 403 forbidden */
    GW_E_CROSS_SITE,     /* 403 cross_site_request (a logout from another site) */
    GW_E_BAD_PATH,       /* 400 bad_path */
    GW_E_NOT_FOUND,      /* 404 not_found */
    GW_E_METHOD,         /* 405 method_not_allowed */
    GW_E_INVALID_REQUEST, /* 400 invalid_request (a back-channel logout refused) */
    GW_E_UNAVAILABLE,    /* 503 unavailable (+ Retry-After) */
    GW_E_INTERNAL,       /* 500 internal_error */
    GW_STATUS_COUNT
} gw_status;

/* HTTP status number of s (200 for GW_OK). */
int gw_status_http(gw_status s);
/* Reason phrase for the Status: line, e.g. "Bad Request". */
const char *gw_status_reason(gw_status s);
/* JSON error code, e.g. "malformed_userinfo"; "" for GW_OK. */
const char *gw_status_code(gw_status s);

#endif
