/* watch.c - file versions and directory fingerprints (see watch.h). */
#include "watch.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

gw_file_id gw_file_id_of(const char *path)
{
    struct stat st;
    gw_file_id f;
    memset(&f, 0, sizeof(f));
    if (stat(path, &st) != 0) {
        f.missing = errno ? errno : ENOENT;
        return f;
    }
    f.dev = st.st_dev;
    f.ino = st.st_ino;
    f.size = st.st_size;
    f.mode = st.st_mode;
    f.mtime = st.st_mtim;
    f.ctime = st.st_ctim;
    return f;
}

bool gw_file_id_eq(const gw_file_id *a, const gw_file_id *b)
{
    return a->missing == b->missing && a->dev == b->dev && a->ino == b->ino &&
           a->size == b->size && a->mode == b->mode && a->mtime.tv_sec == b->mtime.tv_sec &&
           a->mtime.tv_nsec == b->mtime.tv_nsec && a->ctime.tv_sec == b->ctime.tv_sec &&
           a->ctime.tv_nsec == b->ctime.tv_nsec;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void gw_names_free(char **names)
{
    for (size_t i = 0; names && names[i]; i++)
        free(names[i]);
    free(names);
}

char **gw_dir_names(const char *dir, const char *suffix, size_t *n, int *err)
{
    DIR *d = opendir(dir);
    *n = 0;
    if (!d) {
        *err = errno;
        return NULL;
    }
    size_t cap = 8, sl = strlen(suffix);
    char **v = malloc(cap * sizeof(char *));
    struct dirent *e;
    while (v && (e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (e->d_name[0] == '.' || l <= sl || strcmp(e->d_name + l - sl, suffix) != 0)
            continue;
        if (*n + 2 > cap) {
            char **nv = realloc(v, (cap *= 2) * sizeof(char *));
            if (!nv) {
                v[*n] = NULL;
                gw_names_free(v);
                v = NULL;
                break;
            }
            v = nv;
        }
        if (!(v[*n] = strdup(e->d_name))) {
            gw_names_free(v);
            v = NULL;
            break;
        }
        (*n)++;
    }
    closedir(d);
    if (!v) {
        *n = 0; /* no names: callers walk n of them */
        *err = ENOMEM;
        return NULL;
    }
    v[*n] = NULL;
    qsort(v, *n, sizeof(char *), by_name);
    return v;
}

/* The fields of f (not its padding) into the hash. */
static void hash_id(const gw_file_id *f)
{
    long long v[9] = {(long long)f->dev, (long long)f->ino, (long long)f->size,
                      (long long)f->mode, (long long)f->mtime.tv_sec, f->mtime.tv_nsec,
                      (long long)f->ctime.tv_sec, f->ctime.tv_nsec, f->missing};
    gw_sha256_add(v, sizeof(v));
}

bool gw_fingerprint(const char *path, const char *suffix, unsigned char out[GW_SHA256_LEN])
{
    gw_file_id top = gw_file_id_of(path);
    gw_sha256_begin();
    hash_id(&top);
    if (!top.missing && S_ISDIR(top.mode)) {
        size_t n = 0;
        int err = 0;
        char **names = gw_dir_names(path, suffix, &n, &err);
        for (size_t i = 0; i < n; i++) {
            char full[4096];
            snprintf(full, sizeof(full), "%s/%s", path, names[i]);
            gw_file_id f = gw_file_id_of(full);
            gw_sha256_add(names[i], strlen(names[i]) + 1);
            hash_id(&f);
        }
        gw_sha256_add(&err, sizeof(err));
        gw_names_free(names);
    }
    return gw_sha256_end(out);
}
