/*
 * http.h - small HTTP helpers for the responder and the rules: URL
 * encoding, query parameters, cookies, and the redirect destination check
 * that keeps the logout flow from being an open redirect. Pure.
 */
#ifndef GW_HTTP_H
#define GW_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "request.h"

#define GW_DEST_MAX 2048

/* Percent-encodes everything but RFC 3986 unreserved characters;
 * malloc'd (NULL when out of memory). */
char *gw_http_url_encode(const char *s);

/* Decodes one application/x-www-form-urlencoded value ('+' is a space).
 * Returns a malloc'd string, or NULL for a malformed escape, an encoded
 * NUL, or no memory. */
char *gw_http_form_decode(const char *s, size_t n);

/* The decoded value of the first parameter name in the query string qs;
 * malloc'd, NULL when absent or malformed. */
char *gw_http_query_param(const char *qs, const char *name);

/* Walks the Cookie header *p: each call yields the next name=value pair
 * (the value without its quotes and trailing blanks) and advances *p;
 * false at the end. Pairs without a name or an '=' are passed over. */
bool gw_http_cookie_next(const char **p, const char **name, size_t *nlen, const char **value,
                         size_t *vlen);

/* Appends "Set-Cookie: NAME=VALUE; Path=/; Max-Age=N; HttpOnly[; Secure]
 * [; SameSite=X]\r\n". max_age 0 expires the cookie. secure and same_site
 * (NULL for none) come from the caller. value must be cookie-safe. */
void gw_http_cookie_line(gw_buf *out, const char *name, const char *value, long max_age,
                         bool secure, const char *same_site);

/* The value of the first cookie name in a Cookie header, copied into out
 * (at most outlen - 1 bytes; longer values are refused). Returns true when
 * found. */
bool gw_http_cookie_value(const char *header, const char *name, char *out, size_t outlen);

/* True when the Cookie header holds a cookie called name (any value). */
bool gw_http_cookie_present(const char *header, const char *name);

/* True when dest is a safe place to redirect a browser to:
 *   - at most GW_DEST_MAX bytes of printable ASCII, no whitespace;
 *   - every %XX escape well formed, and no escape of a control character,
 *     whitespace or DEL (%00-%20, %7F);
 *   - '\' counts as '/';
 *   - either a local path starting with exactly one '/' (not "//", not
 *     "/\"), or an http:// or https:// URL without userinfo whose host[:port]
 *     is one of allowed (compared without case);
 * judged both as written and after one round of percent-decoding. */
bool gw_http_dest_valid(const char *dest, const gw_strlist *allowed);

/* Whether the request comes from this site: Origin (or, without it,
 * Referer) names the request's Host or one of allowed (host or
 * host:port; the scheme's default port compares equal to none); without
 * either, Sec-Fetch-Site is absent, "same-origin" or "none". Origin
 * "null" is another site. The scheme is not compared: behind a gateway
 * that ends TLS the browser's https origin reaches gwauth over http. */
bool gw_http_same_site(const gw_request *rq, const gw_strlist *allowed);

#endif
