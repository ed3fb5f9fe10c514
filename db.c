/*
 * db.c - users, their related rows and groups in MariaDB: the statements
 * built from the configuration, the user's row, and the sync of a login
 * (README "How a request is decided", steps 5-6). Beside it: db_conn.c
 * (the connection and the runner), db_schema.c (the schema check),
 * db_groups.c (memberships and group names), db_session.c (sessions and
 * back-channel logout), db_admin.c (gwauth-admin); what they share is in
 * db_int.h, the rest of the program sees db.h only. What to write for a
 * returning user is the core's decision (plan.h).
 *
 * The SQL is built once per connection from the checked configuration
 * (identifiers are plain and always back-quoted); every value travels as
 * a bound parameter of a prepared statement.
 *
 *   sel  SELECT u.id, u.is_active, u.global_id, <fields>,
 *               <field <=> DEFAULT(field)>..., <related presence and
 *               columns>..., <export columns>..., ug.group_id
 *        FROM users u LEFT JOIN <related> ... LEFT JOIN user_groups ug ...
 *        WHERE u.global_id = ?                (one row per membership)
 *   ssel the same layout FROM sessions s JOIN users u ... WHERE
 *        s.token_hash = ? AND s.expires_at > NOW(6)  (db_session.c)
 *   ins  INSERT INTO users (global_id, <fields>, created_at, updated_at)
 *        VALUES (...) RETURNING <sel's layout, NULL where it joins>
 *   upd  UPDATE users SET f = IF(?, ?, f), ..., updated_at = NOW(6) WHERE id = ?
 *   rel  INSERT INTO <related> (user_id, <cols>); UPDATE ... WHERE user_id = ?
 *   groups: create a group, add or remove one membership (db_groups.c)
 *
 * A returning user whose values did not change costs the one SELECT. A
 * first login costs the miss SELECT and one transaction: the INSERT,
 * which returns the stored row (defaults and triggers applied), then the
 * related rows and the memberships; a racing insert of the same
 * global_id fails with a duplicate key, rolls back and goes round again,
 * finding the winner's row. A changed user is updated in a transaction
 * and read back inside it.
 */
#include "db_int.h"

#include <mysql.h>
#include <mysqld_error.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static void *db_calloc(size_t n, size_t sz) { return calloc(n ? n : 1, sz); }

gw_db *gw_db_new(const gw_config *cfg)
{
    gw_db *db = calloc(1, sizeof(*db));
    if (!db)
        return NULL;
    db->cfg = cfg;
    size_t nf = cfg->users.nfields, nt = cfg->users.nrelated, ne = cfg->exports.n;
    db->nrel = cfg->users.nrelated_cols;
    db->sel_groups = cfg->groups.sync != GW_SYNC_OFF;
    db->ssel_groups = cfg->uses_groups;
    db->nsel = 3 + 2 * nf + nt + db->nrel + 2 * ne + 3;
    size_t maxpar = 1 + 2 * nf + 1;
    if (1 + db->nrel > maxpar)
        maxpar = 1 + db->nrel;
    if (maxpar < 5) /* the session insert */
        maxpar = 5;
    db->lens.fields = db_calloc(nf, sizeof(size_t));
    db->lens.related = db_calloc(db->nrel, sizeof(size_t));
    db->rel = db_calloc(2 * nt, sizeof(MYSQL_STMT *));
    db->cols = db_calloc(db->nsel, sizeof(db_col));
    db->colbind = db_calloc(db->nsel, sizeof(MYSQL_BIND));
    db->c_field = db_calloc(nf, sizeof(int));
    db->c_isdef = db_calloc(nf, sizeof(int));
    db->c_relhas = db_calloc(nt, sizeof(int));
    db->c_rel = db_calloc(db->nrel, sizeof(int));
    db->c_export = db_calloc(ne, sizeof(int));
    db->c_sexport = db_calloc(ne, sizeof(int));
    db->par = db_calloc(maxpar, sizeof(MYSQL_BIND));
    db->parlen = db_calloc(maxpar, sizeof(unsigned long));
    db->parnull = db_calloc(maxpar, sizeof(my_bool));
    db->flags = db_calloc(nf, 1);
    db->plan.fields = db_calloc(nf, sizeof(bool));
    db->plan.related = db_calloc(nt, sizeof(bool));
    db->row_fields = db_calloc(nf, sizeof(char *));
    db->row_isdef = db_calloc(nf, sizeof(bool));
    db->row_relhas = db_calloc(nt, sizeof(bool));
    db->row_rel = db_calloc(db->nrel, sizeof(char *));
    db->cur = db_calloc(GW_DB_GROUPS_MAX + 1, sizeof(char *));
    db->gids = db_calloc(GW_DB_GROUPS_MAX + 1, sizeof(unsigned long long));
    bool gmap = gw_namemap_init(&db->gmap, GW_GMAP_MAX, GW_GMAP_SECONDS);
    db->exports = db_calloc(ne, sizeof(char *));
    if (!db->lens.fields || !db->lens.related || !db->rel || !db->cols || !db->colbind ||
        !db->c_field || !db->c_isdef || !db->c_relhas || !db->c_rel || !db->c_export ||
        !db->c_sexport || !db->par || !db->parlen || !db->parnull || !db->flags ||
        !db->plan.fields || !db->plan.related || !db->row_fields || !db->row_isdef ||
        !db->row_relhas || !db->row_rel || !db->cur || !db->gids || !gmap || !db->exports) {
        gw_db_free(db);
        return NULL;
    }
    return db;
}

void gw_db_free(gw_db *db)
{
    if (!db)
        return;
    db_disconnect(db);
    for (size_t i = 0; db->cols && i < db->nsel; i++)
        free(db->cols[i].buf);
    gw_namemap_free(&db->gmap);
    void *all[] = {db->lens.fields, db->lens.related, db->rel, db->cols, db->colbind,
                   db->c_field, db->c_isdef, db->c_relhas, db->c_rel, db->c_export,
                   db->c_sexport, db->par, db->parlen, db->parnull, db->flags, db->plan.fields,
                   db->plan.related, db->row_fields, db->row_isdef, db->row_relhas, db->row_rel,
                   (void *)db->cur, db->gids, db->exports, db};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
        free(all[i]);
}

/* The column lists of sel (header path) and ssel (session path), which
 * share one layout, and their joins; records where each value lands.
 * ssel puts NULL where it needs nothing (the mapped values are compared
 * only on the header path) and joins no related table. An export of a
 * column already read reuses it. Groups come as one row per membership
 * (the group's id), which costs the server far less than aggregating.
 * rcols is the same layout for ins's RETURNING, which reads the new
 * users row alone: NULL where sel joins or compares. */
static void db_build_select(gw_db *db, gw_buf *cols, gw_buf *scols, gw_buf *rcols, gw_buf *joins,
                            gw_buf *sjoins)
{
    const gw_config *c = db->cfg;
    int col = 3;
    gw_buf_puts(cols, "u.`id`, u.`is_active`, u.`global_id`");
    gw_buf_puts(scols, "u.`id`, u.`is_active`, u.`global_id`");
    gw_buf_puts(rcols, "`id`, `is_active`, `global_id`");
    for (size_t i = 0; i < c->users.nfields; i++) {
        gw_buf_printf(cols, ", u.`%s`", c->users.fields[i].column);
        gw_buf_printf(rcols, ", `%s`", c->users.fields[i].column);
        gw_buf_puts(scols, ", NULL");
        db->c_field[i] = col++;
    }
    for (size_t i = 0; i < c->users.nfields; i++) {
        db->c_isdef[i] = -1;
        if (!c->users.fields[i].overwrite) {
            gw_buf_printf(cols, ", (u.`%s` <=> DEFAULT(u.`%s`))", c->users.fields[i].column,
                          c->users.fields[i].column);
            gw_buf_puts(scols, ", NULL");
            gw_buf_puts(rcols, ", NULL");
            db->c_isdef[i] = col++;
        }
    }
    size_t k = 0;
    for (size_t t = 0; t < c->users.nrelated; t++) {
        gw_buf_printf(cols, ", r%zu.`user_id` IS NOT NULL", t);
        gw_buf_puts(scols, ", NULL");
        gw_buf_puts(rcols, ", NULL");
        db->c_relhas[t] = col++;
        for (size_t i = 0; i < c->users.related[t].ncols; i++, k++) {
            gw_buf_printf(cols, ", r%zu.`%s`", t, c->users.related[t].cols[i].column);
            gw_buf_puts(scols, ", NULL");
            gw_buf_puts(rcols, ", NULL");
            db->c_rel[k] = col++;
        }
        gw_buf_printf(joins, " LEFT JOIN `%s` r%zu ON r%zu.`user_id` = u.`id`",
                      c->users.related[t].table, t, t);
    }
    for (size_t i = 0; i < c->exports.n; i++) {
        const gw_export *e = &c->exports.v[i];
        db->c_export[i] = -1;
        db->c_sexport[i] = -1;
        if (e->kind != GW_EXP_COLUMN)
            continue;
        if (strcmp(e->column, "id") == 0) {
            db->c_export[i] = C_ID;
            continue;
        }
        for (size_t f = 0; f < c->users.nfields && db->c_export[i] < 0; f++)
            if (strcmp(c->users.fields[f].column, e->column) == 0) {
                /* ssel has NULL there: it reads the column itself */
                db->c_export[i] = -2 - (int)f;
            }
        for (size_t j = 0; j < i && db->c_export[i] < 0; j++)
            if (db->c_export[j] >= 0 && c->exports.v[j].kind == GW_EXP_COLUMN &&
                strcmp(c->exports.v[j].column, e->column) == 0)
                db->c_export[i] = db->c_export[j];
        if (db->c_export[i] == -1) {
            gw_buf_printf(cols, ", u.`%s`", e->column);
            gw_buf_printf(scols, ", u.`%s`", e->column);
            gw_buf_printf(rcols, ", `%s`", e->column);
            db->c_export[i] = col++;
        }
    }
    /* field exports: the header path reads the field's column; the session
     * path needs its own copy, at the end of the row */
    for (size_t i = 0; i < c->exports.n; i++) {
        if (db->c_export[i] > -2)
            continue;
        int f = -2 - db->c_export[i];
        gw_buf_puts(cols, ", NULL");
        gw_buf_puts(rcols, ", NULL");
        gw_buf_printf(scols, ", u.`%s`", c->users.fields[f].column);
        db->c_export[i] = db->c_field[f];
        db->c_sexport[i] = col++;
    }
    /* ssel: whether the session's last use is due to be written */
    gw_buf_puts(cols, ", NULL");
    gw_buf_puts(rcols, ", NULL");
    if (c->session.enabled)
        gw_buf_printf(scols, ", s.`last_used_at` < NOW(6) - INTERVAL %ld SECOND",
                      c->session.touch_seconds);
    else
        gw_buf_puts(scols, ", NULL");
    db->c_stale = col++;
    /* sel: the instant of the last back-channel logout of all sessions */
    db->c_logout = -1;
    if (*c->logout.backchannel_path) {
        gw_buf_puts(cols, ", UNIX_TIMESTAMP(u.`logged_out_at`)");
        gw_buf_puts(scols, ", NULL");
        gw_buf_puts(rcols, ", UNIX_TIMESTAMP(`logged_out_at`)");
        db->c_logout = col++;
    }
    gw_buf_puts(cols, db->sel_groups ? ", ug.`group_id`" : ", NULL");
    gw_buf_puts(rcols, ", NULL");
    gw_buf_puts(scols, db->ssel_groups ? ", ug.`group_id`" : ", NULL");
    if (db->sel_groups)
        gw_buf_puts(joins, " LEFT JOIN `user_groups` ug ON ug.`user_id` = u.`id`");
    if (db->ssel_groups)
        gw_buf_puts(sjoins, " LEFT JOIN `user_groups` ug ON ug.`user_id` = u.`id`");
    db->c_groups = col++;
    db->nsel = (size_t)col;
}

/* The statements whose rows land in db->cols and whose layout is known
 * once prepared. ins's is not (the server describes a RETURNING row
 * only when it runs): db_fetch_user binds it after each execution. */
#define DB_ROW_STMTS(db) {(db)->sel, (db)->ssel}

/* Binds db->cols to sel and ssel. */
static db_rc db_rebind_results(gw_db *db)
{
    MYSQL_STMT *sts[] = DB_ROW_STMTS(db);
    for (size_t k = 0; k < sizeof(sts) / sizeof(sts[0]); k++)
        if (sts[k] && mysql_stmt_bind_result(sts[k], db->colbind))
            return db_stmt_rc(db, sts[k]);
    return DB_OK;
}

/* Sizes the result buffers from sel's and ssel's metadata (grown on
 * truncation) and binds them; ins shares the layout. */
static db_rc db_bind_results(gw_db *db)
{
    MYSQL_STMT *sts[] = DB_ROW_STMTS(db);
    for (size_t i = 0; i < db->nsel; i++)
        db->cols[i].len = 32; /* used below as the wanted size */
    for (size_t k = 0; k < sizeof(sts) / sizeof(sts[0]); k++) {
        if (!sts[k])
            continue;
        MYSQL_RES *meta = mysql_stmt_result_metadata(sts[k]);
        if (!meta)
            return db_stmt_rc(db, sts[k]);
        MYSQL_FIELD *fields = mysql_fetch_fields(meta);
        for (size_t i = 0; i < db->nsel; i++)
            if (fields[i].length + 1 > db->cols[i].len)
                db->cols[i].len = fields[i].length + 1;
        mysql_free_result(meta);
    }
    for (size_t i = 0; i < db->nsel; i++) {
        db_col *dc = &db->cols[i];
        unsigned long w = dc->len > 65536 ? 65536 : dc->len;
        dc->len = 0;
        if (dc->cap < w) {
            char *p = realloc(dc->buf, w);
            if (!p) {
                db_seterr(db, 0, "out of memory");
                return DB_FAIL;
            }
            dc->buf = p;
            dc->cap = w;
        }
        MYSQL_BIND *b = &db->colbind[i];
        memset(b, 0, sizeof(*b));
        b->buffer_type = MYSQL_TYPE_STRING;
        b->buffer = dc->buf;
        b->buffer_length = dc->cap;
        b->length = &dc->len;
        b->is_null = &dc->is_null;
        b->error = &dc->error;
    }
    return db_rebind_results(db);
}

/* Builds and prepares the statements. */
static db_rc db_prepare_all(gw_db *db)
{
    const gw_config *c = db->cfg;
    gw_buf q, cols, joins, scols, sjoins, rcols;
    gw_buf_init(&q);
    gw_buf_init(&rcols);
    gw_buf_init(&cols);
    gw_buf_init(&joins);
    gw_buf_init(&scols);
    gw_buf_init(&sjoins);
    gw_buf_add(&joins, "", 0);
    gw_buf_add(&sjoins, "", 0);
    db_rc rc;

    db_build_select(db, &cols, &scols, &rcols, &joins, &sjoins);
    gw_buf_printf(&q, "SELECT %s FROM `users` u%s WHERE u.`global_id` = ?", cols.data, joins.data);
    if ((rc = db_prepare(db, &db->sel, &q)) != DB_OK)
        goto out;
    if ((rc = db_session_prepare(db, &scols, &sjoins)) != DB_OK)
        goto out;

    gw_buf_reset(&q);
    gw_buf_puts(&q, "INSERT INTO `users` (`global_id`");
    for (size_t i = 0; i < c->users.nfields; i++)
        gw_buf_printf(&q, ", `%s`", c->users.fields[i].column);
    gw_buf_puts(&q, ", `created_at`, `updated_at`) VALUES (?");
    for (size_t i = 0; i < c->users.nfields; i++)
        gw_buf_printf(&q, ", COALESCE(?, DEFAULT(`%s`))", c->users.fields[i].column);
    gw_buf_printf(&q, ", NOW(6), NOW(6)) RETURNING %s", rcols.data);
    if ((rc = db_prepare(db, &db->ins, &q)) != DB_OK)
        goto out;

    if (c->users.nfields) {
        gw_buf_reset(&q);
        gw_buf_puts(&q, "UPDATE `users` SET ");
        for (size_t i = 0; i < c->users.nfields; i++)
            gw_buf_printf(&q, "`%s` = IF(?, ?, `%s`), ", c->users.fields[i].column,
                          c->users.fields[i].column);
        gw_buf_puts(&q, "`updated_at` = NOW(6) WHERE `id` = ?");
        if ((rc = db_prepare(db, &db->upd, &q)) != DB_OK)
            goto out;
    }

    for (size_t t = 0; t < c->users.nrelated; t++) {
        const gw_related *r = &c->users.related[t];
        gw_buf_reset(&q);
        gw_buf_printf(&q, "INSERT INTO `%s` (`user_id`", r->table);
        for (size_t i = 0; i < r->ncols; i++)
            gw_buf_printf(&q, ", `%s`", r->cols[i].column);
        gw_buf_puts(&q, ") VALUES (?");
        for (size_t i = 0; i < r->ncols; i++)
            gw_buf_puts(&q, ", ?");
        gw_buf_puts(&q, ")");
        /* no ON DUPLICATE KEY UPDATE: with a second UNIQUE key in the
         * table it would update another user's row */
        if ((rc = db_prepare(db, &db->rel[2 * t], &q)) != DB_OK)
            goto out;
        if (r->ncols == 0)
            continue;
        gw_buf_reset(&q);
        gw_buf_printf(&q, "UPDATE `%s` SET ", r->table);
        for (size_t i = 0; i < r->ncols; i++)
            gw_buf_printf(&q, "%s`%s` = ?", i ? ", " : "", r->cols[i].column);
        gw_buf_puts(&q, " WHERE `user_id` = ?");
        if ((rc = db_prepare(db, &db->rel[2 * t + 1], &q)) != DB_OK)
            goto out;
    }

    if (c->groups.sync != GW_SYNC_OFF &&
        ((rc = db_prepare_text(db, &db->grp_find, "SELECT 1 FROM `groups` WHERE `name` = ?")) != DB_OK ||
         (rc = db_prepare_text(db, &db->grp_new, "INSERT IGNORE INTO `groups` (`name`) VALUES (?)")) != DB_OK ||
         (rc = db_prepare_text(db, &db->grp_add,
              "INSERT INTO `user_groups` (`user_id`, `group_id`) SELECT ?, g.`id` FROM `groups` g"
              " WHERE g.`name` = ? ON DUPLICATE KEY UPDATE `group_id` = `group_id`")) != DB_OK ||
         (rc = db_prepare_text(db, &db->grp_del,
              "DELETE ug FROM `user_groups` ug JOIN `groups` g ON g.`id` = ug.`group_id`"
              " WHERE ug.`user_id` = ? AND g.`name` = ?")) != DB_OK))
        goto out;

    if ((db->sel_groups || db->ssel_groups) &&
        (rc = db_prepare_text(db, &db->grp_name,
             "SELECT `name` FROM `groups` WHERE `id` = ?")) != DB_OK)
        goto out;

    rc = db_bind_results(db);
out:
    gw_buf_free(&q);
    gw_buf_free(&rcols);
    gw_buf_free(&cols);
    gw_buf_free(&joins);
    gw_buf_free(&scols);
    gw_buf_free(&sjoins);
    return rc;
}

/* Connects, learns the schema and prepares; problems (for --check-config)
 * are appended to out when not NULL. */
db_rc db_open(gw_db *db, gw_buf *out, int *nproblems)
{
    db_rc rc = db_connect(db);
    db->schema_problems = 0;
    if (rc != DB_OK)
        return rc;
    int n = db_schema_check(db, out, &rc);
    db->schema_problems = n;
    if (nproblems)
        *nproblems = n;
    if (rc == DB_OK && n) {
        db_seterr(db, 0, "the database does not match the configuration (see --check-config)");
        rc = DB_FAIL;
    }
    if (rc == DB_OK)
        rc = db_prepare_all(db);
    if (rc != DB_OK)
        db_disconnect(db);
    return rc;
}

gw_status gw_db_ensure(gw_db *db)
{
    /* failback: a connection to a later node is given up between two
     * requests after database.failback_seconds, so that the first node
     * that answers is used again once it is back */
    if (db->conn && db->node > 0 && time(NULL) - db->connected >= db->cfg->database.failback_seconds) {
        gw_log(GW_LOG_INFO, "event=db_failback from=%s", db->cfg->database.nodes[db->node].text);
        db_disconnect(db);
    }
    if (db->conn)
        return GW_OK;
    db_rc rc = db_open(db, NULL, NULL);
    if (rc != DB_OK) {
        gw_log(GW_LOG_ERROR, "event=db_connect_failed error=\"%s\"", db->err);
        return GW_E_UNAVAILABLE;
    }
    gw_log(GW_LOG_INFO, "event=db_connected node=%s", db->cfg->database.nodes[db->node].text);
    return GW_OK;
}

static void bind_flag(MYSQL_BIND *b, char *v)
{
    memset(b, 0, sizeof(*b));
    b->buffer_type = MYSQL_TYPE_TINY;
    b->buffer = v;
}

/* Runs st (sel, ssel or ins, parameters bound in db->par) and fetches its row
 * into db->cols, and the user's group ids, one per row, into db->gids.
 * *found tells whether there was a user. */
db_rc db_fetch_user(gw_db *db, MYSQL_STMT *st, bool *found)
{
    db->fetched_ssel = st == db->ssel;
    db->ngids = 0;
    db_rc rc = db_run(db, st);
    if (rc != DB_OK)
        return rc;
    *found = false;
    if (st == db->ins && mysql_stmt_bind_result(st, db->colbind)) {
        rc = db_stmt_rc(db, st);
        mysql_stmt_free_result(st);
        return rc;
    }
    int r = mysql_stmt_fetch(st);
    if (r == MYSQL_DATA_TRUNCATED) {
        for (size_t i = 0; i < db->nsel; i++) {
            db_col *dc = &db->cols[i];
            if (!dc->error)
                continue;
            char *p = realloc(dc->buf, dc->len + 1);
            if (!p) {
                mysql_stmt_free_result(st);
                db_seterr(db, 0, "out of memory");
                return DB_FAIL;
            }
            dc->buf = p;
            dc->cap = dc->len + 1;
            db->colbind[i].buffer = p;
            db->colbind[i].buffer_length = dc->cap;
            if (mysql_stmt_fetch_column(st, &db->colbind[i], (unsigned)i, 0)) {
                rc = db_stmt_rc(db, st);
                mysql_stmt_free_result(st);
                return rc;
            }
            p[dc->len] = '\0';
        }
        r = 0;
        /* the grown buffers serve from the next execution on */
        if ((rc = db_rebind_results(db)) != DB_OK) {
            mysql_stmt_free_result(st);
            return rc;
        }
    }
    if (r == 1)
        return db_fetch_close(db, st, r);
    if (r == 0) {
        *found = true;
        for (size_t i = 0; i < db->nsel; i++) {
            db_col *dc = &db->cols[i];
            if (!dc->is_null && dc->len < dc->cap)
                dc->buf[dc->len] = '\0';
            if (!dc->is_null && memchr(dc->buf, '\0', dc->len < dc->cap ? dc->len : dc->cap)) {
                /* never cut silently: refused like a stored CR or LF */
                mysql_stmt_free_result(st);
                db_seterr(db, 0, "a stored value holds a NUL byte");
                return DB_FAIL;
            }
        }
        db_collect_gid(db);
        /* further rows differ only by their group id */
        while ((r = mysql_stmt_fetch(st)) == 0 || r == MYSQL_DATA_TRUNCATED)
            db_collect_gid(db);
    }
    if ((rc = db_fetch_close(db, st, r)) != DB_OK)
        return rc;
    bool groups = db->fetched_ssel ? db->ssel_groups : db->sel_groups;
    return *found && groups ? db_group_names(db) : DB_OK;
}

static db_rc db_select(gw_db *db, const char *id, bool *found)
{
    bind_text(&db->par[0], &db->parlen[0], id);
    return db_fetch_user(db, db->sel, found);
}

/* The selected value of column index ci (NULL for SQL NULL or -1). */
const char *db_val(const gw_db *db, int ci)
{
    return ci < 0 || db->cols[ci].is_null ? NULL : db->cols[ci].buf;
}


/* Fills res->exports and res->groups from the fetched row. */
void db_result(gw_db *db, gw_dbresult *res)
{
    for (size_t i = 0; i < db->cfg->exports.n; i++)
        res->exports[i] = db_val(db, db->fetched_ssel && db->c_sexport[i] >= 0 ? db->c_sexport[i]
                                                                               : db->c_export[i]);
    bool groups = db->fetched_ssel ? db->ssel_groups : db->sel_groups;
    res->groups = groups ? db->cur : NULL;
    res->ngroups = groups ? db->ncur : 0;
    res->user_id = db_val(db, C_ID);
    res->global_id = db_val(db, C_GID);
    const char *lo = db->c_logout >= 0 ? db_val(db, db->c_logout) : NULL;
    res->logged_out_at = lo ? strtol(lo, NULL, 10) : 0;
}

/* Writes related table t's row of user uid (text): an UPDATE keyed on
 * user_id when the row exists, else an INSERT. Either can only ever touch
 * uid's own row. *dup is set when it failed on a unique key: on another
 * of the table's unique keys (a value another user's row holds), or, for
 * the INSERT, a row that a concurrent request inserted first. */
static db_rc db_write_related(gw_db *db, size_t t, const char *uid, const gw_user *u, size_t k0,
                              bool exists, bool *dup)
{
    const gw_related *r = &db->cfg->users.related[t];
    *dup = false;
    if (exists && r->ncols == 0)
        return DB_OK;
    /* INSERT (user_id, columns...); UPDATE SET columns... WHERE user_id */
    size_t first = exists ? 0 : 1;
    bind_text(&db->par[exists ? r->ncols : 0], &db->parlen[exists ? r->ncols : 0], uid);
    for (size_t i = 0; i < r->ncols; i++)
        bind_text(&db->par[first + i], &db->parlen[first + i], u->related[k0 + i]);
    MYSQL_STMT *st = db->rel[2 * t + exists];
    db_rc rc = db_run(db, st);
    *dup = rc == DB_FAIL && mysql_stmt_errno(st) == ER_DUP_ENTRY;
    return rc;
}

/* A related row would collide with another user's on one of the table's
 * other unique keys: refused for the claim, nothing written for anyone. */
static db_rc db_related_conflict(gw_db *db, size_t t, gw_status *deny)
{
    db_rollback(db);
    gw_log(GW_LOG_INFO, "event=related_conflict table=%s", db->cfg->users.related[t].table);
    *deny = GW_E_MALFORMED;
    return DB_OK;
}


/* --- step 5: create or update ------------------------------------------- */

typedef struct {
    const gw_user *u;
    gw_dbresult *res;
} db_sync_arg;

/* The fetched row as the write plan reads it, into db->row. */
static void db_plan_row(gw_db *db)
{
    const gw_config *c = db->cfg;
    for (size_t i = 0; i < c->users.nfields; i++) {
        db->row_fields[i] = db_val(db, db->c_field[i]);
        db->row_isdef[i] = db->c_isdef[i] >= 0 && gw_str_same(db_val(db, db->c_isdef[i]), "1");
    }
    for (size_t t = 0; t < c->users.nrelated; t++)
        db->row_relhas[t] = gw_str_same(db_val(db, db->c_relhas[t]), "1");
    for (size_t k = 0; k < db->nrel; k++)
        db->row_rel[k] = db_val(db, db->c_rel[k]);
    db->row = (gw_plan_row){db->row_fields, db->row_isdef, db->row_relhas, db->row_rel,
                            db->cur, db->ncur};
}

/* A first login: the user, its related rows and its groups in one
 * transaction; the INSERT returns the stored row. */
static db_rc db_create_user(gw_db *db, const gw_user *u, gw_dbresult *res, gw_status *deny,
                            bool *again)
{
    const gw_config *c = db->cfg;
    bool sync_groups = c->groups.sync != GW_SYNC_OFF;
    db->ncur = 0;
    db->row = (gw_plan_row){0};
    db_rc rc;
    if (sync_groups && (rc = db_create_groups(db, u)) != DB_OK)
        return rc;
    if ((rc = db_query(db, "START TRANSACTION")) != DB_OK)
        return rc;
    bind_text(&db->par[0], &db->parlen[0], u->id);
    for (size_t i = 0; i < c->users.nfields; i++)
        bind_text(&db->par[1 + i], &db->parlen[1 + i], u->fields[i]);
    bool found = false;
    rc = db_fetch_user(db, db->ins, &found);
    /* the server reports a duplicate once the RETURNING row is read:
     * on the statement or the connection, whichever db->errcode holds */
    if (rc == DB_FAIL && db->errcode == ER_DUP_ENTRY) {
        db_rollback(db);
        *again = true; /* someone else created it: read theirs */
        return DB_OK;
    }
    if (rc == DB_OK && !found) {
        db_seterr(db, 0, "INSERT ... RETURNING returned no row");
        rc = DB_FAIL;
    }
    if (rc != DB_OK)
        goto abort;
    char uid[32];
    gw_strlcpy(uid, db_val(db, C_ID), sizeof(uid));
    size_t k = 0;
    for (size_t t = 0; t < c->users.nrelated; t++) {
        bool dup;
        /* a new user has no related row: a duplicate is another user's */
        if ((rc = db_write_related(db, t, uid, u, k, false, &dup)) != DB_OK) {
            if (dup)
                return db_related_conflict(db, t, deny);
            goto abort;
        }
        k += c->users.related[t].ncols;
    }
    if (sync_groups && (rc = db_sync_groups(db, uid, u, true)) != DB_OK)
        goto abort;
    if (mysql_commit(db->conn)) {
        rc = db_conn_rc(db);
        goto abort;
    }
    res->created = res->updated = true;
    db_result(db, res);
    return DB_OK;
abort:
    db_rollback(db);
    return rc;
}

/* A returning user whose values changed: what the plan says, then read
 * back, so that the exports are exactly what the database now holds.
 * Several writes are one transaction, read back inside it; a single
 * statement (the plan's "single") commits on its own and saves the
 * transaction's two round trips. */
static db_rc db_update_user(gw_db *db, const gw_user *u, gw_dbresult *res, gw_status *deny,
                            bool *again)
{
    const gw_config *c = db->cfg;
    const gw_plan *pl = &db->plan;
    char uid[32];
    gw_strlcpy(uid, db_val(db, C_ID), sizeof(uid));
    db_rc rc;
    if (pl->groups && (rc = db_create_groups(db, u)) != DB_OK)
        return rc;
    if (!pl->single && (rc = db_query(db, "START TRANSACTION")) != DB_OK)
        return rc;
    if (pl->users) {
        size_t p = 0;
        for (size_t i = 0; i < c->users.nfields; i++) {
            db->flags[i] = pl->fields[i];
            bind_flag(&db->par[p++], &db->flags[i]);
            bind_text(&db->par[p], &db->parlen[p], u->fields[i]);
            p++;
        }
        bind_text(&db->par[p], &db->parlen[p], uid);
        if ((rc = db_run(db, db->upd)) != DB_OK)
            goto abort;
    }
    size_t k = 0;
    bool found;
    for (size_t t = 0; t < c->users.nrelated; t++) {
        bool dup, exists = db->row_relhas[t];
        if (pl->related[t] && (rc = db_write_related(db, t, uid, u, k, exists, &dup)) != DB_OK) {
            if (!dup)
                goto abort;
            /* inserted by a concurrent request, or another user's value */
            bool mine = false;
            if (!exists) {
                if ((rc = db_select(db, u->id, &found)) != DB_OK)
                    goto abort;
                mine = found && gw_str_same(db_val(db, db->c_relhas[t]), "1");
            }
            if (!mine)
                return db_related_conflict(db, t, deny);
            db_rollback(db);
            *again = true; /* read theirs, then update it */
            return DB_OK;
        }
        k += c->users.related[t].ncols;
    }
    if (pl->groups && (rc = db_sync_groups(db, uid, u, false)) != DB_OK)
        goto abort;
    if ((rc = db_select(db, u->id, &found)) != DB_OK)
        goto abort;
    if (!found) {
        db_rollback(db);
        *again = true;
        return DB_OK;
    }
    if (!pl->single && mysql_commit(db->conn)) {
        rc = db_conn_rc(db);
        goto abort;
    }
    res->updated = true;
    db_result(db, res);
    return DB_OK;
abort:
    db_rollback(db);
    return rc;
}

static db_rc db_sync_once(gw_db *db, void *argp, gw_status *deny, bool *again)
{
    db_sync_arg *arg = argp;
    const gw_user *u = arg->u;
    gw_dbresult *res = arg->res;
    const gw_config *c = db->cfg;
    bool found;
    res->created = res->updated = false;
    db_rc rc = db_select(db, u->id, &found);
    if (rc != DB_OK)
        return rc;
    if (!found) {
        if (!c->users.create) {
            *deny = GW_E_UNKNOWN_USER;
            return DB_OK;
        }
        return db_create_user(db, u, res, deny, again);
    }
    if (!gw_str_same(db_val(db, C_ACTIVE), "1")) {
        *deny = GW_E_INACTIVE;
        return DB_OK;
    }
    if (c->users.update) {
        db_plan_row(db);
        gw_plan_make(c, u, &db->row, c->groups.sync != GW_SYNC_OFF, &db->plan);
        if (db->plan.any)
            return db_update_user(db, u, res, deny, again);
    }
    db_result(db, res); /* the fast path: one SELECT, no write */
    return DB_OK;
}

gw_status gw_db_sync_user(gw_db *db, const gw_user *u, gw_dbresult *res)
{
    memset(res, 0, sizeof(*res));
    res->exports = db->exports;
    db_sync_arg arg = {u, res};
    return db_call(db, db_sync_once, &arg);
}

