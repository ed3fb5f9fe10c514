/*
 * keyring.h - the JWKS file of identity.jwt, kept current: read at start,
 * looked at again (stat) at most once a second, and re-read when its
 * inode, size or modification time changed, so a key rotation needs no
 * restart. A new file that cannot be read or holds a refused key keeps
 * the previous keys and logs each problem once.
 */
#ifndef GW_KEYRING_H
#define GW_KEYRING_H

#include <time.h>

#include "jwt.h"

typedef struct gw_keyring gw_keyring;

/* Reads and checks path now. NULL on failure, with *errors (malloc'd)
 * naming the file and each problem, one per line. */
gw_keyring *gw_keyring_open(const char *path, char **errors);

/* The current keys at time now, re-reading the file when it changed.
 * *generation (when not NULL) goes up by one each time the keys change,
 * so a caller can drop what it verified with the old ones. */
const gw_jwks *gw_keyring_get(gw_keyring *r, time_t now, unsigned *generation);

void gw_keyring_free(gw_keyring *r);

#endif
