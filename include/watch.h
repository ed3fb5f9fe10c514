/*
 * watch.h - whether a file (or a directory's files) changed since it was
 * read: the edge under the key files that are re-read without a restart.
 */
#ifndef GW_WATCH_H
#define GW_WATCH_H

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#include "util.h"

/* What identifies one version of a file. */
typedef struct {
    dev_t dev;
    ino_t ino;
    off_t size;
    mode_t mode;
    struct timespec mtime;
    struct timespec ctime; /* changes on every write, also one that keeps
                              size and mtime (cp -p, touch -r) */
    int missing;           /* errno of a failed stat, else 0 */
} gw_file_id;

gw_file_id gw_file_id_of(const char *path);
bool gw_file_id_eq(const gw_file_id *a, const gw_file_id *b);

/* A directory's entries whose names end in suffix (and do not start with
 * '.'), sorted by name: a NULL-terminated malloc'd array of malloc'd
 * names (free with gw_names_free). NULL with *err (errno) and *n 0 on
 * failure. */
char **gw_dir_names(const char *dir, const char *suffix, size_t *n, int *err);
void gw_names_free(char **names);

/* One value for the state of path: the file's identity, or for a
 * directory its own and that of every entry ending in suffix. Equal
 * fingerprints: nothing to re-read. */
bool gw_fingerprint(const char *path, const char *suffix, unsigned char out[GW_SHA256_LEN]);

#endif
