/*
 * usermap.h - from the request's parameters to a user record (README
 * "How a request is decided", steps 1-4). Pure: no FastCGI, no database; bytes in, decisions out.
 */
#ifndef GW_USERMAP_H
#define GW_USERMAP_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <time.h>

#include "config.h"
#include "gwauth.h"
#include "jwt.h"
#include "request.h"

/* What the identity claims say, mapped onto the configured columns.
 * Owns everything it points to; free with gw_user_free. */
typedef struct {
    char *id;          /* the id claim: users.global_id */
    char **fields;     /* one per cfg->users.fields entry; NULL = claim absent */
    size_t nfields;
    char **related;    /* one per related column, tables in config order,
                          columns in table order; claim value or default */
    size_t nrelated;
    char **groups;     /* the groups claim, when cfg->uses_groups: names cut
                          to GW_GROUP_MAX_CHARS, sorted, unique */
    size_t ngroups;
    size_t max_groups; /* groups.max_count: more is refused */
    cJSON *claims;     /* the whole claims object (scopes) */
} gw_user;

#define GW_GROUP_MAX_CHARS 150 /* groups.name is VARCHAR(150) */
#define GW_GROUPS_MAX 256      /* groups.max_count's default */

/* Maximum length in characters of each mapped column, learned from the
 * database; 0 means "no character limit known" (numbers, dates). Same
 * shape as gw_user: fields[] and related[]. */
typedef struct {
    size_t *fields;
    size_t *related;
} gw_collens;

/* Steps 1-3 for the configured source: refuses a repeated identity
 * variable (GW_E_DUPLICATE), an identity from a REMOTE_ADDR outside
 * identity.trusted_proxies (GW_E_UNTRUSTED), an oversized value
 * (GW_E_TOO_LARGE). On GW_OK, *present tells whether the request carries
 * an identity at all (an empty variable counts as absent). */
gw_status gw_user_check(const gw_config *cfg, const gw_request *rq, bool *present);

/* What identity.jwt needs to check a token: the realms (issuers with
 * their keys) and the time in, the token's "exp", "iat" (0 when absent)
 * and "sid" ("" when absent) out, from the signed claims only. When no
 * key fits the token, recheck(arg) (when set) may look at the key files
 * again: true means realms now hold new keys, and the token is verified
 * once more. */
typedef struct {
    const gw_jwt_trust *realms;
    size_t nrealms;
    bool (*recheck)(void *arg);
    void *arg;
    time_t now;
    time_t exp;
    long iat;
    char sid[256];
    bool sid_bad;            /* out: a "sid" too long or not a clean string */
    char iss[512];           /* out: its "iss" ("" when too long to keep) */
} gw_token_check;

/* Step 4: decodes the identity of a request that passed
 * gw_user_check with *present set (base64 JSON for "apisix", one
 * variable per claim for "headers"), and maps it into *out. With
 * identity.jwt, the token (tok->keys, tok->now) must verify and name the
 * same id in its id claim, and the claims it carries replace the unsigned
 * ones; tok->exp gets its expiry (tok NULL refuses every token). Returns GW_OK,
 * GW_E_MALFORMED or GW_E_INVALID_TOKEN; on error *out holds nothing to
 * free and, when why is not NULL, *why names the reason (a static string
 * for the log, never a claim value). */
gw_status gw_user_decode(const gw_config *cfg, const gw_request *rq, gw_token_check *tok,
                         gw_user *out, const char **why);

/* The token of identity.jwt in the request: the header's value, or for
 * HTTP_AUTHORIZATION what follows "Bearer "; NULL when there is none. */
const char *gw_user_token(const gw_config *cfg, const gw_request *rq);

/* Same as gw_user_decode for an already decoded claims object (takes
 * ownership of claims, also on error). */
gw_status gw_user_map(const gw_config *cfg, cJSON *claims, gw_user *out, const char **why);

/* Cuts every value longer than its column at a character boundary.
 * For each cut, calls cut(arg, table, column) when cut is not NULL.
 * Returns the number of values cut. */
size_t gw_user_fit(const gw_config *cfg, gw_user *u, const gw_collens *lens,
                   void (*cut)(void *arg, const char *table, const char *column), void *arg);

void gw_user_free(gw_user *u);

#endif
