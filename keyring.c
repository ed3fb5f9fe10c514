/*
 * keyring.c - the JWKS file, re-read when it changes (see keyring.h).
 */
#include "keyring.h"
#include "load.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "counters.h"
#include "log.h"
#include "perms.h"
#include "util.h"
#include "watch.h"

/* What a watched file holds, and how the log and the metrics name it. */
struct gw_file_kind {
    const char *event; /* event=<event>_reloaded, <event>_refused */
    void *(*parse)(const char *text, size_t len, char **errors);
    void (*free)(void *value);
    void (*describe)(const void *value, char *buf, size_t n); /* "keys=2 skipped=0" */
    gw_mfamily family; /* reloads taken (GW_M_OK) or refused */
};

struct gw_keyring {
    char *path;
    const gw_file_kind *kind;
    void *value;
    unsigned generation;
    time_t checked;   /* last stat, in whole seconds */
    gw_file_id loaded;   /* the file the value came from */
    gw_file_id refused;  /* the last version refused, so it is logged once */
    long long rechecked; /* monotonic ms of the last gw_keyring_recheck */
};

static void *jwks_parse(const char *text, size_t len, char **errors)
{
    return gw_jwks_parse(text, len, errors);
}
static void jwks_free(void *v) { gw_jwks_free(v); }
static void jwks_describe(const void *v, char *buf, size_t n)
{
    snprintf(buf, n, "keys=%zu skipped=%zu", gw_jwks_count(v), gw_jwks_skipped(v));
}
const gw_file_kind gw_file_jwks = {"jwks", jwks_parse, jwks_free, jwks_describe, GW_MF_JWKS};

static void *perms_parse(const char *text, size_t len, char **errors)
{
    return gw_perms_parse(text, len, errors);
}
static void perms_free(void *v) { gw_perms_free(v); }
static void perms_describe(const void *v, char *buf, size_t n)
{
    snprintf(buf, n, "permissions=%zu", gw_perms_count(v));
}
const gw_file_kind gw_file_permissions = {"permissions", perms_parse, perms_free, perms_describe,
                                          GW_MF_PERMISSIONS};

gw_keyring *gw_watched_open(const char *path, const gw_file_kind *kind, char **errors)
{
    *errors = NULL;
    gw_keyring *r = calloc(1, sizeof(*r));
    if (!r || !(r->path = strdup(path))) {
        free(r);
        *errors = strdup("out of memory\n");
        return NULL;
    }
    r->kind = kind;
    r->loaded = gw_file_id_of(path);
    if (!(r->value = gw_load_parsed(path, kind->parse, errors))) {
        gw_keyring_free(r);
        return NULL;
    }
    r->checked = time(NULL);
    return r;
}

gw_keyring *gw_keyring_open(const char *path, char **errors)
{
    return gw_watched_open(path, &gw_file_jwks, errors);
}

/* Looks at the file and re-reads it when it changed. */
static void keyring_look(gw_keyring *r)
{
    gw_file_id f = gw_file_id_of(r->path);
    if (gw_file_id_eq(&f, &r->loaded) || gw_file_id_eq(&f, &r->refused))
        return;
    char *errors = NULL, what[96];
    const char *ev = r->kind->event;
    void *v = f.missing ? NULL : gw_load_parsed(r->path, r->kind->parse, &errors);
    if (v) {
        r->kind->free(r->value);
        r->value = v;
        r->loaded = f;
        memset(&r->refused, 0, sizeof(r->refused));
        r->generation++;
        r->kind->describe(v, what, sizeof(what));
        gw_log(GW_LOG_INFO, "event=%s_reloaded %s file=\"%s\"", ev, what, r->path);
        gw_count(r->kind->family, GW_M_OK, 1);
    } else {
        gw_count(r->kind->family, GW_M_REFUSED, 1);
        r->refused = f;
        char event[64];
        snprintf(event, sizeof(event), "%s_refused", ev);
        if (f.missing)
            gw_log(GW_LOG_ERROR, "event=%s problem=\"%s: cannot read: %s\"", event, r->path,
                   strerror(f.missing));
        else
            gw_log_lines(GW_LOG_ERROR, event, errors);
        r->kind->describe(r->value, what, sizeof(what));
        gw_log(GW_LOG_ERROR, "event=%s keeping=previous %s file=\"%s\"", event, what, r->path);
        free(errors);
    }
}

const void *gw_watched_get(gw_keyring *r, time_t now, unsigned *generation)
{
    if (now != r->checked) {
        r->checked = now;
        keyring_look(r);
    }
    if (generation)
        *generation = r->generation;
    return r->value;
}

const gw_jwks *gw_keyring_get(gw_keyring *r, time_t now, unsigned *generation)
{
    return gw_watched_get(r, now, generation);
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
        t->realms[i].keys = t->rings[k]->value;
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
        t->realms[i].keys = t->rings[t->ring_of[i]]->value;
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
        t->realms[i].keys = t->rings[t->ring_of[i]]->value;
    return changed;
}

void gw_trust_log(const gw_trust *t)
{
    for (size_t k = 0; k < t->nrings; k++)
    {
        char what[96];
        jwks_describe(t->rings[k]->value, what, sizeof(what));
        gw_log(GW_LOG_INFO, "event=jwks_loaded %s file=\"%s\"", what, t->rings[k]->path);
    }
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
    if (r->value)
        r->kind->free(r->value);
    free(r->path);
    free(r);
}
