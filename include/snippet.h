/*
 * snippet.h - web server configuration derived from gwauth's own (pure):
 * the request headers that carry the identity to a proxied application,
 * the Apache lines that set them, remove every client-sent copy, and
 * keep mod_fcgid from showing the Variable- lines to the client, and the
 * nginx lines that take the variables from the auth_request subrequest
 * ($gw_<name in lower case>: $gw_remote_user, $gw_gwauth_email) and pass
 * them on. Printed
 * by gwauth-admin snippet, so that the web server's list cannot drift
 * from the configuration's "export".
 */
#ifndef GW_SNIPPET_H
#define GW_SNIPPET_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "util.h"

/* The request header that carries variable var to a proxied application:
 * REMOTE_USER is X-Gwauth-User, GWAUTH_<NAME> is X-Gwauth-<Name> ('_'
 * becoming '-', each word capitalized: GWAUTH_USER_ID is
 * X-Gwauth-User-Id). False for any other name (and GWAUTH_SECRET). The
 * same rule as examples/lighttpd-proxy-headers.lua. */
bool gw_snippet_proxy_header(const char *var, char *out, size_t n);

typedef enum {
    GW_SNIPPET_APACHE_PROXY, /* RequestHeader lines for mod_proxy_http */
    GW_SNIPPET_APACHE_FCGID, /* Header unset lines for FcgidAccessChecker */
    GW_SNIPPET_APACHE_ANONYMOUS, /* the anonymous paths of access.rules */
    GW_SNIPPET_NGINX_IDENTITY, /* auth_request and auth_request_set lines */
    GW_SNIPPET_NGINX_FASTCGI,  /* fastcgi_param lines for FastCGI applications */
    GW_SNIPPET_NGINX_PROXY,    /* proxy_set_header lines for proxied ones */
    GW_SNIPPET_COUNT
} gw_snippet_kind;

/* The kind named name ("apache-proxy", "apache-fcgid", "apache-anonymous",
 * "nginx-identity", "nginx-fastcgi", "nginx-proxy"); false if none. */
bool gw_snippet_kind_of(const char *name, gw_snippet_kind *kind);

/* The names of the kinds, for messages: "apache-proxy, apache-fcgid, ...". */
extern const char gw_snippet_kinds[];

/* The snippet of kind for cfg, appended to out; source names the
 * configuration file in its first comment. False (with *why, static
 * text) when the configuration cannot be written as that kind: for
 * apache-anonymous, a prefix holding a character outside
 * [A-Za-z0-9/._~!$&'()*+,;=:@-], or an identity variable that is not an
 * HTTP header (HTTP_*).
 *
 * apache-anonymous: mod_authnz_fcgi answers 500 when the authorizer allows
 * a request without a user, which gwauth does on an anonymous path without
 * an identity. For each anonymous region (an anonymous rule's prefix, or
 * "/" when access.default is anonymous, minus the longer authenticated
 * prefixes inside it) a <LocationMatch> whose <If> serves a request that
 * carries none of the identity headers without the provider: what gwauth
 * would decide, exporting nothing. A request with one goes through gwauth,
 * which allows it with the identity or denies it. (<If> sections are
 * merged after every <Location>: the exclusions keep an authenticated
 * prefix inside an anonymous one behind the provider.) */
bool gw_snippet(const gw_config *cfg, gw_snippet_kind kind, const char *source, gw_buf *out,
                const char **why);

#endif
