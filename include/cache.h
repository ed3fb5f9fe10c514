/*
 * cache.h - recent identities in the process's memory (README "The in-process cache", step 9).
 *
 * Keyed by the SHA-256 of the exact identity value (the header, or every
 * mapped header of the "headers" source), so a different value never finds
 * another's entry. An entry holds what a hit needs without decoding or the
 * database: the allow reply (Status and Variable- lines), the user's groups
 * and the claims the access rules read, and the user id for the log. Entries
 * expire after identity.cache_seconds; the least recently used ones go
 * when the cache is full: of entries, or of bytes (identity.cache_bytes,
 * counting what each entry allocates, so large identities with hundreds
 * of groups cannot grow a process beyond it). Never used for session cookies. Pure: the caller
 * passes the time.
 */
#ifndef GW_CACHE_H
#define GW_CACHE_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "request.h"

#define GW_CACHE_ENTRIES 2048

typedef struct gw_cache gw_cache;

typedef struct {
    char *reply;      /* the complete allow reply (without the assertion) */
    size_t reply_len;
    char **groups;    /* sorted */
    size_t ngroups;
    cJSON *claims;    /* what the rules read of the claims ("scope", "scp",
                         the matchers' paths), or NULL */
    char *user_id;    /* global id, for the log */
    char *abody;      /* the assertion's subject claims, or NULL */
    char **jws;       /* per audience slot (nslots): a signed assertion or NULL */
    time_t *renew;    /* when each is to be signed again */
    size_t nslots;
} gw_cached;

/* What gw_cache_put copies into an entry. */
typedef struct {
    const char *reply;
    size_t reply_len;
    const char *const *groups;
    size_t ngroups;
    const cJSON *claims;  /* what the rules read of it is kept; may be NULL */
    char *const *claim_paths; /* the matchers' paths (access.claim_paths) */
    size_t nclaim_paths;
    const char *user_id;
    const char *abody;    /* NULL: no assertion */
    size_t nslots;        /* audience slots for the assertions */
} gw_cache_in;

/* A cache of at most capacity entries holding at most max_bytes (NULL
 * when out of memory). */
gw_cache *gw_cache_new(size_t capacity, size_t max_bytes);
void gw_cache_free(gw_cache *c);

/* The live entry for key at time now, or NULL (an expired one is dropped).
 * Valid until the next put or put_assertion. */
const gw_cached *gw_cache_get(gw_cache *c, const unsigned char key[GW_SHA256_LEN], time_t now);

/* Stores copies of in's values under key until expires, replacing an
 * entry with the same key and evicting the least recently used one when
 * full, and returns the entry (valid until the next put). An entry larger
 * than the whole bound, or out of memory: nothing is stored, NULL. */
const gw_cached *gw_cache_put(gw_cache *c, const unsigned char key[GW_SHA256_LEN], time_t expires,
                              const gw_cache_in *in);

/* Keeps a copy of jws as the assertion of the entry of key for audience
 * slot, to be signed again from renew on. Nothing when the entry is gone,
 * slot is out of range, or the bytes bound would be passed even without
 * the other entries. */
void gw_cache_put_assertion(gw_cache *c, const unsigned char key[GW_SHA256_LEN], size_t slot,
                            const char *jws, time_t renew);

/* Drops every entry (the keys that verified them changed). */
void gw_cache_clear(gw_cache *c);

/* Entries held now, and the bytes they hold. */
size_t gw_cache_size(const gw_cache *c);
size_t gw_cache_bytes(const gw_cache *c);

/* SHA-256 of the identity: the request's value of each of the cache
 * key's variables (the identity's and the token's), each prefixed by its
 * length, so no two different sets of values hash alike. False when
 * hashing failed: then the cache must not be used. */
bool gw_cache_key(const gw_request *rq, unsigned char key[GW_SHA256_LEN]);

#endif
