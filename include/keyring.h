/*
 * keyring.h - the JWKS file of identity.jwt (and the permissions file of
 * access.permissions_file), kept current: read at start,
 * looked at again (stat) at most once a second, and re-read when its
 * inode, size or modification time changed, so a key rotation needs no
 * restart. A new file that cannot be read or holds a refused key keeps
 * the previous keys and logs each problem once.
 */
#ifndef GW_KEYRING_H
#define GW_KEYRING_H

#include <stdbool.h>
#include <time.h>

#include "config.h"

#include "jwt.h"

typedef struct gw_keyring gw_keyring;

/* Any such file: what it holds (gw_file_jwks: a gw_jwks; gw_file_permissions:
 * a gw_perms), read the same way, logged as event=<kind>_reloaded and
 * <kind>_refused, counted in the kind's reloads family. */
typedef struct gw_file_kind gw_file_kind;
extern const gw_file_kind gw_file_jwks, gw_file_permissions;
gw_keyring *gw_watched_open(const char *path, const gw_file_kind *kind, char **errors);
const void *gw_watched_get(gw_keyring *r, time_t now, unsigned *generation);

/* Reads and checks path now. NULL on failure, with *errors (malloc'd)
 * naming the file and each problem, one per line. */
gw_keyring *gw_keyring_open(const char *path, char **errors);

/* The current keys at time now, re-reading the file when it changed.
 * *generation (when not NULL) goes up by one each time the keys change,
 * so a caller can drop what it verified with the old ones. */
const gw_jwks *gw_keyring_get(gw_keyring *r, time_t now, unsigned *generation);

/* A token named a key the file does not hold: look at the file now,
 * without waiting for the next second, at most once every
 * GW_KEYRING_RECHECK_MS. True when the keys changed. */
#define GW_KEYRING_RECHECK_MS 100
bool gw_keyring_recheck(gw_keyring *r);

void gw_keyring_free(gw_keyring *r);

/* identity.jwt's realms (config.h), each with the current keys of its
 * file; a file that several realms name is read once. */
typedef struct gw_trust gw_trust;
gw_trust *gw_trust_open(const gw_config *cfg, char **errors);
/* The realms at time now (gw_keyring_get on each file); *generation
 * changes whenever some file's keys do. The array stays valid until
 * gw_trust_free; gw_trust_recheck updates it in place. */
const gw_jwt_trust *gw_trust_get(gw_trust *t, time_t now, unsigned *generation, size_t *n);
/* gw_keyring_recheck on every file; true when some keys changed. */
bool gw_trust_recheck(gw_trust *t);
/* Logs each key file's keys (event=jwks_loaded). */
void gw_trust_log(const gw_trust *t);
void gw_trust_free(gw_trust *t);

#endif
