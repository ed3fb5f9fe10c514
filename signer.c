/* signer.c - the assertion's key files, re-read when they change (see signer.h). */
#include "signer.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"
#include "counters.h"
#include "log.h"
#include "watch.h"

struct gw_signer {
    char *path;
    gw_keyset *keys;
    char *jwks;
    unsigned generation;
    time_t checked;                         /* last look, in whole seconds */
    unsigned char loaded[GW_SHA256_LEN];    /* the files the keys came from */
    unsigned char refused[GW_SHA256_LEN];   /* the last set refused, logged once */
};

#define GW_KEY_FILE_MAX 65536 /* a PEM key is a few KiB at most */

/* Whether st's owner may be trusted with the keys: root, or this
 * process's own user. */
static bool owner_ok(const struct stat *st)
{
    return st->st_uid == 0 || st->st_uid == geteuid();
}

/* The text of one key file into a malloc'd buffer (*len bytes), or NULL
 * with *why, or with *why NULL and *err an errno value. Opened without
 * blocking (a FIFO swapped in cannot hold a worker) and checked on the
 * descriptor: a regular file of at most GW_KEY_FILE_MAX bytes, owned by
 * root or by this process's user, writable by its owner alone. *st gets
 * its status. */
static char *key_text(const char *file, size_t *len, struct stat *st, const char **why, int *err)
{
    *why = NULL;
    int fd = open(file, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        *err = errno;
        return NULL;
    }
    char *text = NULL;
    if (fstat(fd, st) != 0)
        *err = errno;
    else if (!S_ISREG(st->st_mode))
        *why = "not a regular file";
    else if (!owner_ok(st))
        *why = "owned by a user other than root or gwauth's own: that user could replace the key";
    else if (st->st_mode & (S_IWGRP | S_IWOTH))
        *why = "writable by other users than its owner (chmod go-w)";
    else if (st->st_size > GW_KEY_FILE_MAX)
        *why = "larger than 64 KiB: not a key";
    else if (!(text = malloc((size_t)st->st_size + 1)))
        *err = ENOMEM;
    size_t n = 0;
    while (text && n < (size_t)st->st_size) {
        ssize_t r = read(fd, text + n, (size_t)st->st_size - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) { /* shorter than it said: changed while read, next look */
            *err = r < 0 ? errno : EAGAIN;
            OPENSSL_cleanse(text, n);
            free(text);
            text = NULL;
            break;
        }
        n += (size_t)r;
    }
    close(fd);
    if (text) {
        text[n] = '\0';
        *len = n;
    }
    return text;
}

/* Reads one key file into set; problems go to e. */
static void signer_file(const char *file, gw_keyset *set, gw_buf *e)
{
    size_t len = 0;
    int err = 0;
    struct stat st;
    const char *why = NULL;
    char *text = key_text(file, &len, &st, &why, &err);
    if (!text) {
        if (why)
            gw_buf_printf(e, "%s: %s\n", file, why);
        else
            gw_buf_printf(e, "%s: cannot read: %s\n", file, strerror(err));
        return;
    }
    gw_signkey *k = gw_signkey_parse(text, len, &why);
    OPENSSL_cleanse(text, len);
    free(text);
    if (!k) {
        gw_buf_printf(e, "%s: %s\n", file, why);
    } else if (gw_signkey_private(k) && (st.st_mode & S_IROTH)) {
        gw_buf_printf(e, "%s: a private key readable by every user (chmod o-r)\n", file);
        gw_signkey_free(k);
    } else if (!gw_keyset_add(set, k)) {
        gw_buf_printf(e, "%s: out of memory\n", file);
    }
}

/* The directory keys are read from (key_file itself, or the file's own):
 * whoever may write there may add a key that every application trusts. */
static void signer_dir_check(const char *path, bool is_dir, gw_buf *e)
{
    char dir[4096];
    gw_strlcpy(dir, path, sizeof(dir));
    if (!is_dir) {
        char *slash = strrchr(dir, '/');
        if (slash)
            slash[slash == dir ? 1 : 0] = '\0';
    }
    struct stat st;
    if (stat(dir, &st) != 0)
        return; /* the read reports it */
    if (!owner_ok(&st))
        gw_buf_printf(e, "%s: a key directory owned by a user other than root or gwauth's own\n", dir);
    else if (st.st_mode & (S_IWGRP | S_IWOTH))
        gw_buf_printf(e, "%s: a key directory writable by other users (chmod go-w): they could add "
                      "a key every application would trust\n", dir);
}

/* The keys of path (a file or a directory of *.pem), or NULL with *errors. */
static gw_keyset *signer_read(const char *path, char **errors)
{
    gw_buf e;
    gw_buf_init(&e);
    gw_keyset *set = gw_keyset_new();
    gw_file_id top = gw_file_id_of(path);
    if (!set) {
        gw_buf_puts(&e, "out of memory\n");
    } else if (top.missing) {
        gw_buf_printf(&e, "%s: cannot read: %s\n", path, strerror(top.missing));
    } else if (S_ISDIR(top.mode)) {
        signer_dir_check(path, true, &e);
        size_t n = 0;
        int err = 0;
        char **names = gw_dir_names(path, ".pem", &n, &err);
        if (!names)
            gw_buf_printf(&e, "%s: cannot read: %s\n", path, strerror(err));
        for (size_t i = 0; i < n; i++) {
            char full[4096];
            snprintf(full, sizeof(full), "%s/%s", path, names[i]);
            signer_file(full, set, &e);
        }
        gw_names_free(names);
    } else {
        signer_dir_check(path, false, &e);
        signer_file(path, set, &e);
    }
    if (!e.len && set && !gw_keyset_signer(set))
        gw_buf_printf(&e, "%s: no private key: nothing can sign the assertion\n", path);
    if (e.len || e.oom) {
        gw_keyset_free(set);
        *errors = e.oom ? strdup("out of memory\n") : e.data;
        if (e.oom)
            gw_buf_free(&e);
        return NULL;
    }
    gw_buf_free(&e);
    *errors = NULL;
    return set;
}

/* Takes set as the current keys. False when out of memory (nothing changed). */
static bool signer_take(gw_signer *s, gw_keyset *set)
{
    char *jwks = gw_keyset_jwks(set);
    if (!jwks) {
        gw_keyset_free(set);
        return false;
    }
    gw_keyset_free(s->keys);
    free(s->jwks);
    s->keys = set;
    s->jwks = jwks;
    return true;
}

gw_signer *gw_signer_open(const char *path, char **errors)
{
    gw_signer *s = calloc(1, sizeof(*s));
    if (!s || !(s->path = strdup(path))) {
        free(s);
        *errors = strdup("out of memory\n");
        return NULL;
    }
    gw_fingerprint(path, ".pem", s->loaded);
    gw_keyset *set = signer_read(path, errors);
    if (!set || !signer_take(s, set)) {
        if (set && !*errors)
            *errors = strdup("out of memory\n");
        gw_signer_free(s);
        return NULL;
    }
    s->checked = time(NULL);
    return s;
}

const gw_keyset *gw_signer_get(gw_signer *s, time_t now, unsigned *generation)
{
    unsigned char fp[GW_SHA256_LEN];
    if (now != s->checked) {
        s->checked = now;
        if (gw_fingerprint(s->path, ".pem", fp) && memcmp(fp, s->loaded, sizeof(fp)) != 0 &&
            memcmp(fp, s->refused, sizeof(fp)) != 0) {
            char *errors = NULL;
            gw_keyset *set = signer_read(s->path, &errors);
            if (set && signer_take(s, set)) {
                memcpy(s->loaded, fp, sizeof(fp));
                memset(s->refused, 0, sizeof(s->refused));
                s->generation++;
                gw_log(GW_LOG_INFO, "event=assertion_keys_reloaded keys=%zu kid=%s",
                       gw_keyset_count(s->keys), gw_signkey_kid(gw_keyset_signer(s->keys)));
                gw_count(GW_MF_ASSERTION_KEYS, GW_M_OK, 1);
            } else {
                memcpy(s->refused, fp, sizeof(fp));
                gw_count(GW_MF_ASSERTION_KEYS, GW_M_REFUSED, 1);
                gw_log_lines(GW_LOG_ERROR, "assertion_keys_refused", errors ? errors : "out of memory");
                gw_log(GW_LOG_ERROR, "event=assertion_keys_refused keeping=previous keys=%zu",
                       gw_keyset_count(s->keys));
            }
            free(errors);
        }
    }
    if (generation)
        *generation = s->generation;
    return s->keys;
}

const char *gw_signer_jwks(const gw_signer *s) { return s->jwks; }

void gw_signer_free(gw_signer *s)
{
    if (!s)
        return;
    gw_keyset_free(s->keys);
    free(s->jwks);
    free(s->path);
    free(s);
}
