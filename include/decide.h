/*
 * decide.h - the decisions of the two programs that need no I/O, taken
 * out of authorizer.c and logout.c so that each is tested directly: which
 * responder route a request takes, what makes a session, when a logout
 * must come from this site, where a logout goes, and which signed tokens
 * a back-channel logout has made useless. Pure.
 */
#ifndef GW_DECIDE_H
#define GW_DECIDE_H

#include <stdbool.h>
#include <time.h>

#include "config.h"
#include "gwauth.h"
#include "request.h"
#include "usermap.h"

/* The responder's routes (README "Sessions", "Logout", "Monitoring"). */
typedef enum {
    GW_ROUTE_ESTABLISH,
    GW_ROUTE_LOGOUT,
    GW_ROUTE_BACKCHANNEL,
    GW_ROUTE_HEALTH,
    GW_ROUTE_METRICS,
    GW_ROUTE_JWKS
} gw_route;

/* The route of a normalized path and method: GW_OK with *route and *head
 * (a HEAD request: answered where GET would go, nothing changed);
 * GW_E_NOT_FOUND for a path no route serves (jwks only when the
 * assertion's keys are published: with_jwks); GW_E_METHOD with *allow set
 * to the reply's Allow line. */
gw_status gw_decide_route(const gw_config *cfg, bool with_jwks, const char *path,
                          const char *method, gw_route *route, bool *head, const char **allow);

/* Whether a request may make a session: the authorizer's users.id export
 * (1 to 20 digits) is there, and every @source export says "header" (only
 * a live gateway identity makes a session, never a cookie). GW_OK with
 * *uid, or GW_E_UNAUTHENTICATED with *why. */
gw_status gw_decide_establish(const gw_config *cfg, const gw_request *rq, const char **uid,
                              const char **why);

/* Whether the gateway still has a session: an identity variable holds a
 * value, or its session cookie (logout.gateway_session_cookie) is there. */
bool gw_decide_gateway_session(const gw_request *rq);

/* Whether a logout must be refused as coming from another site: it would
 * end something (a session, or the gateway's) and is not a HEAD, and
 * Origin / Referer / Sec-Fetch-Site do not name this site. */
bool gw_decide_cross_site(const gw_config *cfg, const gw_request *rq, bool ends_something,
                          bool head);

/* Where a logout goes: the next parameter, else the next cookie, else
 * logout.default_destination; a destination that is not safe
 * (gw_http_dest_valid) is replaced by the default and sets *refused.
 * Returns a malloc'd string, NULL when out of memory. */
char *gw_decide_destination(const gw_config *cfg, const gw_request *rq, bool *refused);

/* A back-channel logout's request: a form (Content-Type) with a body of 1
 * to max bytes (Content-Length, *len). GW_E_INVALID_REQUEST with *why. */
gw_status gw_decide_backchannel_form(const gw_request *rq, long max, long *len,
                                     const char **why);

/* What a verified token says against back-channel logouts, before the
 * one lookup: GW_E_INVALID_TOKEN (with *why) when the provider ended all
 * of the user's sessions after it issued the token (logged_out_at, a Unix
 * time, 0 for never; a token without iat counts as older), or when its
 * sid cannot be checked; else GW_OK, with *check_sid when its (iss, sid)
 * must be looked up. Without identity.jwt (no realms) always GW_OK. */
gw_status gw_decide_token(const gw_config *cfg, const gw_token_check *tok, long logged_out_at,
                          bool *check_sid, const char **why);

/* Until when an answer may be cached: identity.cache_seconds from now,
 * never beyond the token's expiry. At or before now: not cached. */
time_t gw_decide_cache_until(const gw_config *cfg, const gw_token_check *tok, time_t now);

#endif
