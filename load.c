/*
 * load.c - the configuration's files: reading a small file whole, the
 * configuration file, and what it names (the database password, the
 * FastCGI secret, the peers' user names). I/O, beside the pure parser
 * (config*.c), which never opens a file.
 */
#include "load.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

char *gw_load_text(const char *path, size_t *len, int *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        *err = errno;
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        *err = EISDIR; /* "Is a directory", not a read error */
        return NULL;
    }
    gw_buf b;
    gw_buf_init(&b);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && b.len <= GW_FILE_MAX)
        gw_buf_add(&b, chunk, n);
    *err = ferror(f) ? EIO : b.len > GW_FILE_MAX ? EFBIG : b.oom ? ENOMEM : 0;
    fclose(f);
    if (*err) {
        gw_buf_free(&b);
        return NULL;
    }
    if (!b.data)
        gw_buf_add(&b, "", 0);
    *len = b.len;
    return b.data;
}

void *gw_load_parsed(const char *path, void *(*parse)(const char *, size_t, char **),
                    char **errors)
{
    size_t len = 0;
    int err = 0;
    char *text = gw_load_text(path, &len, &err), *perr = NULL;
    gw_buf e;
    gw_buf_init(&e);
    bool read = text != NULL;
    void *v = read ? parse(text, len, &perr) : NULL;
    free(text);
    if (!read)
        gw_buf_printf(&e, "%s: cannot read: %s\n", path, strerror(err));
    else if (!v)
        gw_buf_prefix_lines(&e, path, perr);
    free(perr);
    *errors = v ? NULL : e.data ? e.data : strdup("out of memory\n");
    if (v)
        gw_buf_free(&e);
    return v;
}

static void *config_parse(const char *text, size_t len, char **errors)
{
    return gw_config_parse(text, len, errors);
}

gw_config *gw_load_config(const char *path, char **errors)
{
    gw_config *c = gw_load_parsed(path, config_parse, errors);
    if (!c)
        return NULL;
    size_t len = 0;
    int err = 0;
    gw_buf e;
    gw_buf_init(&e);
    if (*c->database.password_file) {
        char *pw = gw_load_text(c->database.password_file, &len, &err);
        if (!pw) {
            gw_buf_printf(&e, "%s: database.password_file: cannot read %s: %s\n", path,
                          c->database.password_file, strerror(err));
            gw_config_free(c);
            *errors = e.data;
            return NULL;
        }
        pw[strcspn(pw, "\r\n")] = '\0';
        c->database.password = pw;
    } else if (getenv("GWAUTH_DB_PASSWORD")) {
        free(c->database.password);
        if (!(c->database.password = strdup(getenv("GWAUTH_DB_PASSWORD"))))
            gw_buf_puts(&e, "out of memory\n");
    }
    if (*c->fastcgi.secret_file) {
        char *sec = gw_load_text(c->fastcgi.secret_file, &len, &err);
        const char *why = NULL;
        if (sec) {
            sec[strcspn(sec, "\r\n")] = '\0';
            why = gw_secret_problem(sec);
            c->fastcgi.has_secret = !why && gw_sha256(sec, strlen(sec), c->fastcgi.secret_hash);
            if (!why && !c->fastcgi.has_secret)
                why = "cannot be hashed";
            memset(sec, 0, len);
            free(sec);
        }
        if (!sec)
            gw_buf_printf(&e, "%s: fastcgi.secret_file: cannot read %s: %s\n", path,
                          c->fastcgi.secret_file, strerror(err));
        else if (why)
            gw_buf_printf(&e, "%s: fastcgi.secret_file: %s %s\n", path, c->fastcgi.secret_file, why);
    }
    for (size_t i = 0; i < c->fastcgi.peer_names.n; i++) {
        const struct passwd *pw = getpwnam(c->fastcgi.peer_names.v[i]);
        if (pw)
            c->fastcgi.peer_uids[c->fastcgi.npeer_uids++] = (long)pw->pw_uid;
        else
            gw_buf_printf(&e, "%s: fastcgi.peer_uids: no such user \"%s\"\n", path,
                          c->fastcgi.peer_names.v[i]);
    }
    if (e.len || e.oom) {
        gw_config_free(c);
        *errors = e.data ? e.data : strdup("out of memory\n");
        return NULL;
    }
    *errors = NULL;
    return c;
}
