/*
 * keyring.c - the JWKS file, re-read when it changes (see keyring.h).
 */
#include "keyring.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "counters.h"
#include "log.h"
#include "util.h"
#include "watch.h"

struct gw_keyring {
    char *path;
    gw_jwks *keys;
    unsigned generation;
    time_t checked;   /* last stat, in whole seconds */
    gw_file_id loaded;   /* the file the keys came from */
    gw_file_id refused;  /* the last version refused, so it is logged once */
    long long rechecked; /* monotonic ms of the last gw_keyring_recheck */
};

static void *keyring_parse(const char *text, size_t len, char **errors)
{
    return gw_jwks_parse(text, len, errors);
}

/* Reads and parses path; NULL with *errors, each line naming the file. */
static gw_jwks *keyring_read(const char *path, char **errors)
{
    return gw_parse_file(path, keyring_parse, errors);
}

gw_keyring *gw_keyring_open(const char *path, char **errors)
{
    *errors = NULL;
    gw_keyring *r = calloc(1, sizeof(*r));
    if (!r || !(r->path = strdup(path))) {
        free(r);
        *errors = strdup("out of memory\n");
        return NULL;
    }
    r->loaded = gw_file_id_of(path);
    if (!(r->keys = keyring_read(path, errors))) {
        gw_keyring_free(r);
        return NULL;
    }
    r->checked = time(NULL);
    return r;
}

/* Looks at the file and re-reads it when it changed. */
static void keyring_look(gw_keyring *r)
{
    gw_file_id f = gw_file_id_of(r->path);
    if (gw_file_id_eq(&f, &r->loaded) || gw_file_id_eq(&f, &r->refused))
        return;
    char *errors = NULL;
    gw_jwks *k = f.missing ? NULL : keyring_read(r->path, &errors);
    if (k) {
        gw_jwks_free(r->keys);
        r->keys = k;
        r->loaded = f;
        memset(&r->refused, 0, sizeof(r->refused));
        r->generation++;
        gw_log(GW_LOG_INFO, "event=jwks_reloaded keys=%zu skipped=%zu file=\"%s\"",
               gw_jwks_count(k), gw_jwks_skipped(k), r->path);
        gw_count(GW_MF_JWKS, GW_M_OK, 1);
    } else {
        gw_count(GW_MF_JWKS, GW_M_REFUSED, 1);
        r->refused = f;
        if (f.missing)
            gw_log(GW_LOG_ERROR, "event=jwks_refused problem=\"%s: cannot read: %s\"", r->path,
                   strerror(f.missing));
        else
            gw_log_lines(GW_LOG_ERROR, "jwks_refused", errors);
        gw_log(GW_LOG_ERROR, "event=jwks_refused keeping=previous keys=%zu file=\"%s\"",
               gw_jwks_count(r->keys), r->path);
        free(errors);
    }
}

const gw_jwks *gw_keyring_get(gw_keyring *r, time_t now, unsigned *generation)
{
    if (now != r->checked) {
        r->checked = now;
        keyring_look(r);
    }
    if (generation)
        *generation = r->generation;
    return r->keys;
}

bool gw_keyring_recheck(gw_keyring *r)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    long long ms = (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
    if (r->rechecked && ms - r->rechecked < GW_KEYRING_RECHECK_MS)
        return false;
    r->rechecked = ms;
    unsigned before = r->generation;
    keyring_look(r);
    return r->generation != before;
}

/* identity.jwt's realms, one keyring per distinct key file. */
struct gw_trust {
    gw_keyring **rings;
    size_t nrings;
    size_t *ring_of;      /* realm -> ring */
    gw_jwt_trust *realms; /* keys refreshed by gw_trust_get */
    size_t nrealms;
};

gw_trust *gw_trust_open(const gw_config *cfg, char **errors)
{
    *errors = NULL;
    size_t n = cfg->identity.jwt.nrealms;
    gw_trust *t = calloc(1, sizeof(*t));
    if (!t || !(t->rings = calloc(n + 1, sizeof(*t->rings))) ||
        !(t->ring_of = calloc(n + 1, sizeof(size_t))) ||
        !(t->realms = calloc(n + 1, sizeof(gw_jwt_trust)))) {
        gw_trust_free(t);
        *errors = strdup("out of memory\n");
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        const gw_jwt_realm *r = &cfg->identity.jwt.realms[i];
        size_t k = 0;
        while (k < t->nrings && strcmp(t->rings[k]->path, r->jwks_file) != 0)
            k++;
        if (k == t->nrings) {
            if (!(t->rings[k] = gw_keyring_open(r->jwks_file, errors))) {
                gw_trust_free(t);
                return NULL;
            }
            t->nrings++;
        }
        t->ring_of[i] = k;
        t->realms[i].issuers = &r->issuers;
        t->realms[i].audiences = &r->audiences;
        t->realms[i].keys = t->rings[k]->keys;
    }
    t->nrealms = n;
    return t;
}

const gw_jwt_trust *gw_trust_get(gw_trust *t, time_t now, unsigned *generation, size_t *n)
{
    unsigned g = 0;
    for (size_t k = 0; k < t->nrings; k++) {
        unsigned one;
        gw_keyring_get(t->rings[k], now, &one);
        g += one;
    }
    for (size_t i = 0; i < t->nrealms; i++)
        t->realms[i].keys = t->rings[t->ring_of[i]]->keys;
    if (generation)
        *generation = g;
    *n = t->nrealms;
    return t->realms;
}

bool gw_trust_recheck(gw_trust *t)
{
    bool changed = false;
    for (size_t k = 0; k < t->nrings; k++)
        changed = gw_keyring_recheck(t->rings[k]) || changed;
    for (size_t i = 0; changed && i < t->nrealms; i++)
        t->realms[i].keys = t->rings[t->ring_of[i]]->keys;
    return changed;
}

void gw_trust_log(const gw_trust *t)
{
    for (size_t k = 0; k < t->nrings; k++)
        gw_log(GW_LOG_INFO, "event=jwks_loaded keys=%zu skipped=%zu file=\"%s\"",
               gw_jwks_count(t->rings[k]->keys), gw_jwks_skipped(t->rings[k]->keys),
               t->rings[k]->path);
}

void gw_trust_free(gw_trust *t)
{
    if (!t)
        return;
    for (size_t k = 0; k < t->nrings; k++)
        gw_keyring_free(t->rings[k]);
    free(t->rings);
    free(t->ring_of);
    free(t->realms);
    free(t);
}

void gw_keyring_free(gw_keyring *r)
{
    if (!r)
        return;
    gw_jwks_free(r->keys);
    free(r->path);
    free(r);
}
