/*
 * load.h - the configuration's files (load.c): the one place, with the
 * key and permissions files that keyring.c watches, where gwauth reads a
 * file it is configured with.
 */
#ifndef GW_LOAD_H
#define GW_LOAD_H

#include <stddef.h>

#include "config.h"

#define GW_FILE_MAX (1u << 20) /* the largest file read whole: 1 MiB */

/* Reads a whole small file (at most GW_FILE_MAX) into a malloc'd
 * NUL-terminated buffer; NULL with *err set to an errno value on failure. */
char *gw_load_text(const char *path, size_t *len, int *err);

/* Reads path and hands its text to parse; returns what parse returns.
 * On failure *errors (malloc'd) holds the problems, each line starting
 * with the path. */
void *gw_load_parsed(const char *path, void *(*parse)(const char *text, size_t len, char **errors),
                     char **errors);

/* Reads path, parses it, then resolves the password: the first line of
 * database.password_file when set, else env GWAUTH_DB_PASSWORD, else none;
 * reads fastcgi.secret_file (keeping only its hash) and resolves the user
 * names in fastcgi.peer_uids.
 * Same return convention as gw_config_parse; errors name the file. */
gw_config *gw_load_config(const char *path, char **errors);

#endif
