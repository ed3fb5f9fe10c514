/* Shared by the fuzz targets: a configuration parsed once, and a check
 * that aborts (so that libFuzzer and the corpus replay report it). */
#ifndef GW_FUZZ_H
#define GW_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                                   \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #cond);  \
            abort();                                                                       \
        }                                                                                  \
    } while (0)

/* The configuration of json (parsed on first use, kept for the run). */
static inline const gw_config *fuzz_config(const char *json)
{
    char *err = NULL;
    gw_config *c = gw_config_parse(json, strlen(json), &err);
    if (!c) {
        fprintf(stderr, "fuzz configuration refused: %s\n", err);
        abort();
    }
    return c;
}

/* data as a NUL-terminated string (a NUL inside ends it, as in a header). */
static inline char *fuzz_str(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        abort();
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

#endif
