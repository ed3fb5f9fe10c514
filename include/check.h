/*
 * check.h - what the programs check of a configuration before they use it
 * and for --check-config: the database (db.h), the key files (keyring.h,
 * signer.h) and the permissions file. The programs hand these to app.c as
 * their hooks (app.h), so that the shared runner knows none of them.
 */
#ifndef GW_CHECK_H
#define GW_CHECK_H

#include "config.h"
#include "util.h"

/* Before a configuration is used (start, reload): the number of problems
 * the database has with it, appended to problems one line each; 0 when it
 * matches or cannot be reached now (requests answer 503 until it is). */
int gw_check_database(const gw_config *cfg, gw_buf *problems);

/* --check-config: the database (every table, column and statement), the
 * permissions file, every realm's JWKS file and the assertion's keys.
 * Returns the number of problems appended to problems; notes gets what
 * is worth knowing but no problem. */
int gw_check_config(const gw_config *cfg, gw_buf *problems, gw_buf *notes);

/* --check-jwks FILE: prints how many signing keys the file holds (the
 * program's name prefixes an error); the exit status, 0 or 1. */
int gw_check_jwks(const char *name, const char *path);

#endif
