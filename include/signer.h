/*
 * signer.h - the keys of assertion.key_file, kept current: one PEM file,
 * or a directory of *.pem files read in name order, every key published
 * and the private key of the last name signing (name them by date:
 * 2026-12-01.pem). Looked at (stat) at most once a second and re-read
 * when a file was added, removed or changed, so a rotation needs no
 * restart. A new set that cannot be read, holds a refused key or has no
 * private key keeps the previous one and logs each problem once.
 */
#ifndef GW_SIGNER_H
#define GW_SIGNER_H

#include <time.h>

#include "assertion.h"

typedef struct gw_signer gw_signer;

/* Reads path now. NULL on failure, with *errors (malloc'd) naming each
 * file and problem, one per line. */
gw_signer *gw_signer_open(const char *path, char **errors);

/* The current keys at time now, re-read when they changed; *generation
 * (when not NULL) goes up by one each time they change. */
const gw_keyset *gw_signer_get(gw_signer *s, time_t now, unsigned *generation);

/* The current public keys as a JWKS document (valid until the next
 * gw_signer_get). */
const char *gw_signer_jwks(const gw_signer *s);

void gw_signer_free(gw_signer *s);

#endif
