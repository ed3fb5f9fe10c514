/* db_admin.c - gwauth-admin's statements, run like every other operation. */
#include "db_admin.h"

#include <stdlib.h>
#include <string.h>

#include "counters.h"
#include "db_int.h"

void gw_rows_free(gw_rows *r)
{
    for (size_t i = 0; i < r->ncols; i++)
        free(r->names[i]);
    for (size_t i = 0; i < r->ncols * r->nrows; i++)
        free(r->values[i]);
    free(r->names);
    free(r->values);
    memset(r, 0, sizeof(*r));
}

const char *gw_rows_get(const gw_rows *r, size_t i, const char *name)
{
    for (size_t c = 0; i < r->nrows && c < r->ncols; c++)
        if (strcmp(r->names[c], name) == 0)
            return r->values[i * r->ncols + c];
    return NULL;
}

typedef struct {
    const char *sql;
    const char *const *params;
    size_t n;
    gw_rows *rows;
    long affected;
} db_admin_arg;

/* Reads every row of an executed statement into rows (as text). */
static db_rc db_admin_fetch(gw_db *db, MYSQL_STMT *st, MYSQL_RES *meta, gw_rows *rows)
{
    my_bool on = 1;
    mysql_stmt_attr_set(st, STMT_ATTR_UPDATE_MAX_LENGTH, &on);
    if (mysql_stmt_store_result(st))
        return db_fetch_rc(db, st);
    size_t nc = mysql_num_fields(meta);
    MYSQL_FIELD *f = mysql_fetch_fields(meta);
    MYSQL_BIND *b = calloc(nc ? nc : 1, sizeof(*b));
    unsigned long *len = calloc(nc ? nc : 1, sizeof(*len));
    my_bool *null = calloc(nc ? nc : 1, sizeof(*null));
    char **buf = calloc(nc ? nc : 1, sizeof(*buf));
    size_t nr = (size_t)mysql_stmt_num_rows(st);
    rows->names = calloc(nc ? nc : 1, sizeof(char *));
    rows->values = calloc((nc * nr) > 0 ? nc * nr : 1, sizeof(char *));
    db_rc rc = DB_OK;
    if (rows->names && rows->values)
        rows->ncols = nc; /* gw_rows_free walks ncols of them */
    if (!b || !len || !null || !buf || !rows->names || !rows->values) {
        db_seterr(db, 0, "out of memory");
        rc = DB_FAIL;
        goto out;
    }
    for (size_t c = 0; c < nc; c++) {
        rows->names[c] = strdup(f[c].name);
        buf[c] = malloc(f[c].max_length + 1);
        if (!rows->names[c] || !buf[c]) {
            db_seterr(db, 0, "out of memory");
            rc = DB_FAIL;
            goto out;
        }
        b[c].buffer_type = MYSQL_TYPE_STRING;
        b[c].buffer = buf[c];
        b[c].buffer_length = f[c].max_length + 1;
        b[c].length = &len[c];
        b[c].is_null = &null[c];
    }
    if (mysql_stmt_bind_result(st, b)) {
        rc = db_stmt_rc(db, st);
        goto out;
    }
    int r;
    while ((r = mysql_stmt_fetch(st)) == 0 && rows->nrows < nr) {
        for (size_t c = 0; c < nc; c++) {
            char **v = &rows->values[rows->nrows * nc + c];
            if (!null[c] && !(*v = strndup(buf[c], len[c]))) {
                db_seterr(db, 0, "out of memory");
                rc = DB_FAIL;
                goto out;
            }
        }
        rows->nrows++;
    }
    rc = db_fetch_close(db, st, r);
out:
    for (size_t c = 0; buf && c < nc; c++)
        free(buf[c]);
    free(buf);
    free(b);
    free(len);
    free(null);
    return rc;
}

static db_rc db_admin_once(gw_db *db, void *argp, gw_status *deny, bool *again)
{
    db_admin_arg *a = argp;
    (void)deny;
    (void)again;
    if (a->rows)
        gw_rows_free(a->rows); /* an earlier try's */
    MYSQL_STMT *st = NULL;
    db_rc rc = db_prepare_text(db, &st, a->sql);
    if (rc != DB_OK)
        return rc;
    MYSQL_BIND par[8];
    unsigned long plen[8];
    memset(par, 0, sizeof(par));
    for (size_t i = 0; i < a->n && i < 8; i++)
        bind_text(&par[i], &plen[i], a->params[i]);
    if (mysql_stmt_bind_param(st, par) || mysql_stmt_execute(st)) {
        rc = db_stmt_rc(db, st);
    } else {
        MYSQL_RES *meta = mysql_stmt_result_metadata(st);
        if (meta) {
            gw_rows ignore = {0};
            rc = db_admin_fetch(db, st, meta, a->rows ? a->rows : &ignore);
            gw_rows_free(&ignore);
            mysql_free_result(meta);
        }
        a->affected = (long)mysql_stmt_affected_rows(st);
    }
    mysql_stmt_close(st);
    return rc;
}

gw_status gw_db_admin_run(gw_db *db, const char *sql, const char *const *params, size_t n,
                          gw_rows *rows, long *affected)
{
    if (n > 8)
        return GW_E_INTERNAL;
    if (rows)
        memset(rows, 0, sizeof(*rows));
    db_admin_arg a = {.sql = sql, .params = params, .n = n, .rows = rows};
    gw_status st = db_call(db, db_admin_once, &a);
    if (st != GW_OK && rows)
        gw_rows_free(rows);
    if (affected)
        *affected = st == GW_OK ? a.affected : 0;
    return st;
}

typedef struct {
    const char *id;
    bool active, found;
    long sessions;
} db_active_arg;

static db_rc db_set_active_once(gw_db *db, void *argp, gw_status *deny, bool *again)
{
    db_active_arg *a = argp;
    (void)deny;
    (void)again;
    const char *p[1] = {a->id};
    db_admin_arg find = {.sql = "SELECT `id` FROM `users` WHERE `id` = ? FOR UPDATE", .params = p, .n = 1};
    db_admin_arg set = {.sql = a->active ? "UPDATE `users` SET `is_active` = 1 WHERE `id` = ?"
                                         : "UPDATE `users` SET `is_active` = 0 WHERE `id` = ?",
                        .params = p, .n = 1};
    db_admin_arg end = {.sql = "DELETE FROM `sessions` WHERE `user_id` = ?", .params = p, .n = 1};
    gw_rows rows = {0};
    find.rows = &rows;
    db_rc rc;
    if ((rc = db_query(db, "START TRANSACTION")) != DB_OK)
        return rc;
    if ((rc = db_admin_once(db, &find, NULL, NULL)) != DB_OK)
        goto abort;
    a->found = rows.nrows == 1;
    gw_rows_free(&rows);
    a->sessions = 0;
    if (a->found && ((rc = db_admin_once(db, &set, NULL, NULL)) != DB_OK ||
                     (!a->active && (rc = db_admin_once(db, &end, NULL, NULL)) != DB_OK)))
        goto abort;
    if (a->found && !a->active)
        a->sessions = end.affected;
    if (mysql_commit(db->conn)) {
        rc = db_conn_rc(db);
        goto abort;
    }
    return DB_OK;
abort:
    gw_rows_free(&rows);
    db_rollback(db);
    return rc;
}

gw_status gw_db_admin_set_active(gw_db *db, const char *id, bool active, bool *found,
                                 long *sessions)
{
    db_active_arg a = {.id = id, .active = active};
    gw_status st = db_call(db, db_set_active_once, &a);
    *found = st == GW_OK && a.found;
    *sessions = st == GW_OK ? a.sessions : 0;
    if (st == GW_OK && a.sessions > 0)
        gw_count(GW_MF_SESSIONS_ENDED, GW_M_ENDED_REVOKED, (uint64_t)a.sessions);
    return st;
}
