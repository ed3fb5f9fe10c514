/*
 * rules.h - access rules (README "How a request is decided", step 7). Pure.
 */
#ifndef GW_RULES_H
#define GW_RULES_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "config.h"
#include "gwauth.h"
#include "request.h"

/* Normalizes the path of a request URI for rule matching: the query is
 * removed, every percent-escape is decoded once, empty segments ("//")
 * are merged, "." and ".." segments are resolved. Refused with
 * GW_E_BAD_PATH: an encoded '/' or NUL, any control character (raw or
 * encoded), a malformed escape, a path that does not start with '/', and
 * a path that climbs above '/'. On GW_OK *out is a malloc'd string. */
gw_status gw_rule_path_normalize(const char *uri, char **out);

/* The rule with the longest prefix of path that applies to method, or
 * NULL (access.default). A rule with "methods" applies to those request
 * methods only (method NULL: to none of them), and wins over one without
 * on the same prefix. */
const gw_rule *gw_rule_match(const gw_config *cfg, const char *path, const char *method);

/* The same among the rules in report mode (which gw_rule_match never
 * returns), or NULL: the rule being tried beside the enforced one. */
const gw_rule *gw_rule_report_match(const gw_config *cfg, const char *path, const char *method);

/* What the request may do under rule (NULL: access.default), given
 * whether it carries an identity, the user's groups, the claims (for
 * scopes_any, claims_any and claims_all; NULL when the identity comes from
 * a session, which meets none of them) and the permissions its user or
 * groups hold (permissions_any; none without perms). "deny" is
 * GW_E_FORBIDDEN with or without an identity. Returns GW_OK,
 * GW_E_UNAUTHENTICATED or GW_E_FORBIDDEN. */
typedef struct {
    bool identity;           /* the request carries one */
    const char *const *groups; /* the user's groups (sorted or not) */
    size_t ngroups;
    const cJSON *claims;     /* NULL for a session */
    const char *user;        /* the global id, for permissions_any */
    const struct gw_perms *perms; /* access.permissions_file's, or NULL */
} gw_rule_subject;
gw_status gw_rule_decide(const gw_config *cfg, const gw_rule *rule, const gw_rule_subject *s);

/* access.login_redirect with "next=<request URI, percent-encoded>"
 * appended (with '?' or '&'); malloc'd, NULL when no login_redirect is
 * set or out of memory. */
char *gw_rule_login_location(const gw_config *cfg, const char *request_uri);

/* Whether a request without identity on path (normalized) may be sent to
 * access.login_redirect: only a browser's navigation can follow that 302.
 * Not when Sec-Fetch-Mode is there and is not "navigate", X-Requested-With
 * is XMLHttpRequest, or Accept names neither text/html nor any type
 * (a script's fetch says so in Sec-Fetch-Mode); and never on the login
 * page itself, which would redirect to itself forever. */
bool gw_rule_login_fits(const gw_config *cfg, const gw_request *rq, const char *path);

#endif
