/*
 * caller.h - is the FastCGI peer the web server gwauth was configured
 * for? (pure; the socket facts come from the accept edge, accept.c)
 *
 * Two independent proofs, each optional, both enforced when configured:
 *   - fastcgi.secret_file: the request carries the parameter GWAUTH_SECRET
 *     holding the secret, exactly once (compared in constant time, by
 *     SHA-256, so neither the value nor its length shows in the timing);
 *   - fastcgi.peer_uids: the connection is a unix socket whose peer
 *     process (SO_PEERCRED) runs as one of these uids. A TCP peer has no
 *     uid to prove and is refused when the list is set.
 */
#ifndef GW_CALLER_H
#define GW_CALLER_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

/* The request parameter that carries the secret. */
#define GW_SECRET_VAR "GWAUTH_SECRET"

/* True when the secret check passes: no secret is configured, or value
 * (the parameter, NULL when absent) is the secret and count (how many
 * times the parameter was sent) is 1. */
bool gw_caller_secret_ok(const gw_config *cfg, const char *value, size_t count);

/* True when the peer check passes: no peer_uids are configured, or the
 * peer is on a unix socket (is_unix) with a known uid (have_uid) in the
 * list. */
bool gw_caller_peer_ok(const gw_config *cfg, bool is_unix, bool have_uid, long uid);

/* True when neither proof is configured (--check-config warns). */
bool gw_caller_unprotected(const gw_config *cfg);

#endif
