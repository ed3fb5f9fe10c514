/*
 * db_admin.h - the database work of gwauth-admin: a few statements run
 * the way the programs run theirs (prepared, values bound, retried after
 * a deadlock or a lost connection, errors classified), one at a time.
 */
#ifndef GW_DB_ADMIN_H
#define GW_DB_ADMIN_H

#include <stdbool.h>
#include <stddef.h>

#include "db.h"

/* The rows of a query: ncols names, then nrows * ncols values (NULL for
 * SQL NULL). */
typedef struct {
    size_t ncols, nrows;
    char **names;
    char **values;
} gw_rows;

void gw_rows_free(gw_rows *r);
/* Row i's value of column name, or NULL (absent or SQL NULL). */
const char *gw_rows_get(const gw_rows *r, size_t i, const char *name);

/* Runs one statement with the text parameters params[0..n) (NULL is SQL
 * NULL). A result set goes into *rows (when rows is not NULL); *affected
 * (may be NULL) gets the rows a write changed. */
gw_status gw_db_admin_run(gw_db *db, const char *sql, const char *const *params, size_t n,
                          gw_rows *rows, long *affected);

/* In one transaction: user id's is_active set to active and, when
 * deactivated, every session of the user deleted. *found tells whether
 * the user exists; *sessions counts the sessions ended. */
gw_status gw_db_admin_set_active(gw_db *db, const char *id, bool active, bool *found,
                                 long *sessions);

#endif
