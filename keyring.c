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

const gw_jwks *gw_keyring_get(gw_keyring *r, time_t now, unsigned *generation)
{
    if (now != r->checked) {
        r->checked = now;
        gw_file_id f = gw_file_id_of(r->path);
        if (!gw_file_id_eq(&f, &r->loaded) && !gw_file_id_eq(&f, &r->refused)) {
            char *errors = NULL;
            gw_jwks *k = f.missing ? NULL : keyring_read(r->path, &errors);
            if (k) {
                gw_jwks_free(r->keys);
                r->keys = k;
                r->loaded = f;
                memset(&r->refused, 0, sizeof(r->refused));
                r->generation++;
                gw_log(GW_LOG_INFO, "event=jwks_reloaded keys=%zu skipped=%zu", gw_jwks_count(k),
                       gw_jwks_skipped(k));
                gw_count(GW_MF_JWKS, GW_M_OK, 1);
            } else {
                gw_count(GW_MF_JWKS, GW_M_REFUSED, 1);
                r->refused = f;
                if (f.missing)
                    gw_log(GW_LOG_ERROR, "event=jwks_refused problem=\"%s: cannot read: %s\"",
                           r->path, strerror(f.missing));
                else
                    gw_log_lines(GW_LOG_ERROR, "jwks_refused", errors);
                gw_log(GW_LOG_ERROR, "event=jwks_refused keeping=previous keys=%zu",
                       gw_jwks_count(r->keys));
                free(errors);
            }
        }
    }
    if (generation)
        *generation = r->generation;
    return r->keys;
}

void gw_keyring_free(gw_keyring *r)
{
    if (!r)
        return;
    gw_jwks_free(r->keys);
    free(r->path);
    free(r);
}
