/*
 * reply.h - the CGI header blocks the programs answer (pure).
 *
 * Every reply starts with a "Status:" line and ends with an empty line:
 * lighttpd takes empty or truncated authorizer output as "allow".
 */
#ifndef GW_REPLY_H
#define GW_REPLY_H

#include <stdbool.h>
#include <stddef.h>

#include "gwauth.h"
#include "util.h"

typedef struct {
    const char *name;
    const char *value;
} gw_var;

/* A deny: status line, Content-Type: application/json, Cache-Control:
 * no-store, Retry-After: 5 for 503, body {"error":"<code>"}, with
 * ,"reason":"<reason>" when reason (a static [a-z_] word) is not NULL.
 * extra (may be NULL) holds whole header lines ending in "\r\n". */
void gw_reply_deny(gw_buf *out, gw_status st, const char *extra, const char *reason);

/* A deny for a web server that only tells 2xx, 401 and 403 apart (an
 * nginx auth_request subrequest: any other status becomes its 500): 401
 * for 401 and for the login redirect (location not NULL), else 403, with
 * the real answer in X-Gwauth-Status (the HTTP status gwauth would have
 * sent: 302, 400, 503, ...), X-Gwauth-Error (the JSON code) and, for the
 * redirect, X-Gwauth-Location, for the web server to answer with them.
 * The body is the deny's JSON, as for gw_reply_deny. */
void gw_reply_subrequest_deny(gw_buf *out, gw_status st, const char *location);

/* A 302 to location (already validated, no control characters), with
 * Cache-Control: no-store and the extra header lines (may be NULL). For a
 * deny (st not GW_OK, e.g. the login redirect) the body is the deny's
 * JSON; otherwise there is none. */
void gw_reply_redirect(gw_buf *out, gw_status st, const char *location, const char *extra);

/* An allow: "Status: 200 OK" and one "Variable-NAME: value" line per var
 * with a non-empty value. Returns GW_OK, or GW_E_INTERNAL without writing
 * anything when a value holds a control character (a header line can
 * never be split by a stored value) or starts or ends with white space
 * (the web server would strip it: the application would see another
 * value than gwauth decided on). */
gw_status gw_reply_allow(gw_buf *out, const gw_var *vars, size_t n);

/* export_max_bytes: vars[i] being cfg's export i (n of them, with room
 * for one more), the bytes of their Variable- lines; when over the bound,
 * every @groups variable is left out and GW_GROUPS_TRUNCATED_VAR=1 is
 * added in their place (*truncated set). Returns the new count. Nothing
 * is cut inside a value. */
struct gw_config;
size_t gw_reply_export_fit(const struct gw_config *cfg, gw_var *vars, size_t n, size_t *bytes,
                           bool *truncated);

#endif
