/*
 * db.c - the connection, the schema check, the statements, users, related
 * rows and groups in MariaDB (SPEC §3 steps 5-6, §5); sessions are in
 * db_session.c, what both share in db_int.h.
 *
 * The SQL is built once per connection from the checked configuration
 * (identifiers are plain and always back-quoted); every value travels as
 * a bound parameter of a prepared statement.
 *
 *   sel  SELECT u.id, u.is_active, <fields>, <field = DEFAULT(field)>...,
 *               <related presence and columns>..., <export columns>...,
 *               (<the user's group names, sorted, one per line>)
 *        FROM users u LEFT JOIN <related> ... WHERE u.global_id = ?
 *   ssel the same columns FROM sessions s JOIN users u ... WHERE
 *        s.token_hash = ? AND s.expires_at > NOW(6)
 *   ins  INSERT INTO users (global_id, <fields>, created_at, updated_at)
 *   upd  UPDATE users SET f = IF(?, ?, f), ..., updated_at = NOW(6) WHERE id = ?
 *   rel  INSERT INTO <related> (user_id, <cols>) ... ON DUPLICATE KEY UPDATE
 *   groups: create a group, add or remove one membership
 *
 * A returning user whose values did not change costs the one SELECT.
 * A first login inserts in a transaction; a racing insert of the same
 * global_id fails with a duplicate key, rolls back and goes round again,
 * finding the winner's row.
 */
#include "db_int.h"

#include <errno.h>
#include <mysql.h>
#include <errmsg.h>
#include <mysqld_error.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "counters.h"
#include "log.h"


/* Records the error for the log. A server's message may quote the value
 * that it refused ("Incorrect integer value: '...'", "Duplicate entry
 * '...'"), which may be a claim: every '...' span of a server error (codes
 * below 2000; the client's own messages quote only paths and hosts)
 * becomes '?'. Double quotes and control characters never reach the log
 * line, whose value is double-quoted. */
void db_seterr(gw_db *db, unsigned code, const char *msg)
{
    int n = snprintf(db->err, sizeof(db->err), "%u ", code);
    size_t o = n > 0 ? (size_t)n : 0;
    bool server = code > 0 && code < 2000, quoted = false;
    for (const char *m = msg ? msg : ""; *m && o + 2 < sizeof(db->err); m++) {
        unsigned char ch = (unsigned char)*m;
        if (server && ch == '\'') {
            if (!quoted)
                db->err[o++] = '\'';
            else {
                db->err[o++] = '?';
                db->err[o++] = '\'';
            }
            quoted = !quoted;
            continue;
        }
        if (quoted)
            continue;
        /* '"' and '\\' would end or escape the quoted log value */
        db->err[o++] = ch == '"' ? '\'' : ch == '\\' ? '/' : (ch < 0x20 || ch == 0x7F) ? '?' : (char)ch;
    }
    db->err[o] = '\0';
}

const char *gw_db_last_error(const gw_db *db) { return db->err; }
const gw_collens *gw_db_collens(const gw_db *db) { return &db->lens; }

/* Errors after which the connection cannot be trusted any more. */
static bool db_conn_error(unsigned e)
{
    return (e >= CR_MIN_ERROR && e <= CR_MAX_ERROR) || e == ER_SERVER_SHUTDOWN ||
           e == ER_CONNECTION_KILLED || e == ER_NET_READ_ERROR || e == ER_NET_READ_INTERRUPTED ||
           e == ER_NET_ERROR_ON_WRITE || e == ER_NET_WRITE_INTERRUPTED ||
           e == ER_NET_PACKETS_OUT_OF_ORDER || e == 4031 /* idle timeout */;
}

/* A value the column's type refuses: the claim is bad, not the server. */
static bool db_data_error(unsigned e)
{
    return e == ER_TRUNCATED_WRONG_VALUE_FOR_FIELD || e == ER_WARN_DATA_OUT_OF_RANGE ||
           e == WARN_DATA_TRUNCATED || e == ER_TRUNCATED_WRONG_VALUE || e == ER_DATA_TOO_LONG ||
           e == ER_BAD_NULL_ERROR || e == ER_WARN_NULL_TO_NOTNULL ||
           e == ER_DUP_ENTRY_WITH_KEY_NAME;
}

static db_rc db_classify(gw_db *db, unsigned e, const char *msg)
{
    db_seterr(db, e, msg);
    if (e == ER_LOCK_DEADLOCK)
        return DB_RETRY;
    if (e == ER_LOCK_WAIT_TIMEOUT || e == ER_STATEMENT_TIMEOUT || e == ER_QUERY_INTERRUPTED)
        return DB_SLOW;
    if (db_conn_error(e))
        return DB_GONE;
    if (e == GW_ER_READ_ONLY || e == GW_ER_WSREP_NOT_READY || e == GW_ER_COMMIT_FAILED)
        return DB_DOWN;
    return DB_FAIL;
}

db_rc db_stmt_rc(gw_db *db, MYSQL_STMT *st)
{
    return db_classify(db, mysql_stmt_errno(st), mysql_stmt_error(st));
}

db_rc db_conn_rc(gw_db *db)
{
    return db_classify(db, mysql_errno(db->conn), mysql_error(db->conn));
}

/* The error of a failed fetch. Connector/C reports an error that arrives
 * while rows are read (a deadlock, a Galera certification failure, a
 * lost connection) on the connection, not always on the statement: look
 * at both, and never take a failure for success. */
db_rc db_fetch_rc(gw_db *db, MYSQL_STMT *st)
{
    if (mysql_stmt_errno(st))
        return db_stmt_rc(db, st);
    if (mysql_errno(db->conn))
        return db_conn_rc(db);
    db_seterr(db, 0, "fetch failed without an error code");
    return DB_GONE;
}

/* Ends a fetch whose last mysql_stmt_fetch returned r: reads what is left
 * of the result and frees it. An error that arrives after the last row
 * (mysql_stmt_free_result would swallow it) is returned. */
db_rc db_fetch_close(gw_db *db, MYSQL_STMT *st, int r)
{
    while (r == 0 || r == MYSQL_DATA_TRUNCATED)
        r = mysql_stmt_fetch(st);
    db_rc rc = r == MYSQL_NO_DATA ? DB_OK : db_fetch_rc(db, st);
    mysql_stmt_free_result(st);
    if (rc == DB_OK && mysql_errno(db->conn))
        rc = db_conn_rc(db);
    return rc;
}


static void db_close_stmt(MYSQL_STMT **st)
{
    if (*st)
        mysql_stmt_close(*st);
    *st = NULL;
}

/* Drops the connection and everything prepared on it. */
void db_disconnect(gw_db *db)
{
    MYSQL_STMT **all[] = {&db->sel, &db->ssel, &db->ins, &db->upd, &db->grp_new, &db->grp_add,
                          &db->grp_del, &db->grp_name, &db->grp_find, &db->sess_ins, &db->sess_del,
                          &db->sess_gc, &db->sess_lease, &db->sess_touch, &db->sess_trim,
                          &db->sess_switch, &db->bcl_jti, &db->bcl_sid, &db->bcl_sub,
                          &db->bcl_mark, &db->bcl_gc, &db->bcl_end, &db->bcl_ended,
                          &db->bcl_gc2};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
        db_close_stmt(all[i]);
    for (size_t t = 0; db->rel && t < 2 * db->cfg->users.nrelated; t++)
        db_close_stmt(&db->rel[t]);
    if (db->conn)
        mysql_close(db->conn);
    db->conn = NULL;
}

static void *db_calloc(size_t n, size_t sz) { return calloc(n ? n : 1, sz); }

gw_db *gw_db_new(const gw_config *cfg)
{
    gw_db *db = calloc(1, sizeof(*db));
    if (!db)
        return NULL;
    db->cfg = cfg;
    size_t nf = cfg->users.nfields, nt = cfg->users.nrelated, ne = cfg->exports.n;
    db->nrel = gw_related_count(cfg);
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
    db->relw = db_calloc(nt, sizeof(bool));
    db->cur = db_calloc(GW_DB_GROUPS_MAX + 1, sizeof(char *));
    db->gids = db_calloc(GW_DB_GROUPS_MAX + 1, sizeof(unsigned long long));
    db->gmap = db_calloc(GW_GMAP_MAX + 1, sizeof(*db->gmap));
    gw_buf_init(&db->groups_out);
    db->exports = db_calloc(ne, sizeof(char *));
    if (!db->lens.fields || !db->lens.related || !db->rel || !db->cols || !db->colbind ||
        !db->c_field || !db->c_isdef || !db->c_relhas || !db->c_rel || !db->c_export ||
        !db->c_sexport ||
        !db->par || !db->parlen || !db->parnull || !db->flags || !db->relw || !db->cur ||
        !db->gids || !db->gmap || !db->exports) {
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
    for (size_t i = 0; db->gmap && i < db->ngmap; i++)
        free(db->gmap[i].name);
    gw_buf_free(&db->groups_out);
    void *all[] = {db->lens.fields, db->lens.related, db->rel, db->cols, db->colbind,
                   db->c_field, db->c_isdef, db->c_relhas, db->c_rel, db->c_export, db->c_sexport, db->par,
                   db->parlen, db->parnull, db->flags, db->relw, db->cur, db->cur_buf,
                   db->gids, db->gmap, db->exports, db};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
        free(all[i]);
}
static unsigned db_seconds(int ms) { return (unsigned)((ms + 999) / 1000); }

/* Galera: a node serves only once it is part of the primary component and
 * synced (wsrep_ready ON, wsrep_local_state 4); a joining or cut-off node
 * accepts connections but must get no traffic. DB_OK when ready; DB_DOWN
 * with the state in db->err when not. */
static db_rc db_node_ready(gw_db *db)
{
    static const char sql[] =
        "SELECT MAX(IF(VARIABLE_NAME = 'WSREP_READY', VARIABLE_VALUE, NULL)),"
        " MAX(IF(VARIABLE_NAME = 'WSREP_LOCAL_STATE', VARIABLE_VALUE, NULL))"
        " FROM information_schema.GLOBAL_STATUS"
        " WHERE VARIABLE_NAME IN ('WSREP_READY', 'WSREP_LOCAL_STATE')";
    if (mysql_real_query(db->conn, sql, strlen(sql)))
        return db_conn_rc(db);
    MYSQL_RES *res = mysql_store_result(db->conn);
    if (!res)
        return db_conn_rc(db);
    MYSQL_ROW row = mysql_fetch_row(res);
    bool ready = row && row[0] && row[1] && strcasecmp(row[0], "ON") == 0 && strcmp(row[1], "4") == 0;
    char state[96];
    snprintf(state, sizeof(state), "not ready: wsrep_ready=%s wsrep_local_state=%s",
             row && row[0] ? row[0] : "-", row && row[1] ? row[1] : "-");
    mysql_free_result(res);
    if (ready)
        return DB_OK;
    db_seterr(db, 0, state);
    return DB_DOWN;
}

/* Connects to database.nodes[i]. */
static db_rc db_connect_node(gw_db *db, size_t i);

/* Connects to the first node of database.nodes that answers (and, on
 * Galera, is ready), in the order given. */
static db_rc db_connect(gw_db *db)
{
    db_rc rc = DB_GONE;
    for (size_t i = 0; i < db->cfg->database.nnodes; i++) {
        if ((rc = db_connect_node(db, i)) == DB_OK) {
            db->node = i;
            db->connected = time(NULL);
            return DB_OK;
        }
        if (db->cfg->database.nnodes > 1)
            gw_log(GW_LOG_ERROR, "event=db_node_skipped node=%s error=\"%s\"",
                   db->cfg->database.nodes[i].text, db->err);
    }
    return rc;
}

static db_rc db_connect_node(gw_db *db, size_t i)
{
    const gw_config *c = db->cfg;
    const gw_dbnode *node = &c->database.nodes[i];
    db->conn = mysql_init(NULL);
    if (!db->conn) {
        db_seterr(db, 0, "mysql_init: out of memory");
        return DB_FAIL;
    }
    unsigned ct = db_seconds(c->database.connect_timeout_ms);
    unsigned rt = db_seconds(c->database.read_timeout_ms);
    my_bool off = 0;
    mysql_options(db->conn, MYSQL_OPT_CONNECT_TIMEOUT, &ct);
    mysql_options(db->conn, MYSQL_OPT_READ_TIMEOUT, &rt);
    mysql_options(db->conn, MYSQL_OPT_WRITE_TIMEOUT, &rt);
    mysql_options(db->conn, MYSQL_OPT_RECONNECT, &off);
    mysql_options(db->conn, MYSQL_OPT_LOCAL_INFILE, &off);
    mysql_options(db->conn, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    const char *sock = *node->socket ? node->socket : NULL;
    if (!mysql_real_connect(db->conn, node->host, c->database.user, c->database.password,
                            c->database.name, (unsigned)node->port, sock, 0)) {
        db_conn_rc(db);
        mysql_close(db->conn);
        db->conn = NULL;
        return DB_GONE;
    }
    /* Bound every wait on the server side too: row locks and statements
     * give up before the client's read timeout would. */
    char sql[256];
    snprintf(sql, sizeof(sql),
             "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
    if (mysql_real_query(db->conn, sql, strlen(sql)))
        goto fail;
    snprintf(sql, sizeof(sql),
             "SET SESSION innodb_lock_wait_timeout = %u, lock_wait_timeout = %u, "
             "max_statement_time = %.3f",
             rt, rt, c->database.read_timeout_ms / 1000.0);
    if (mysql_real_query(db->conn, sql, strlen(sql)))
        goto fail;
    if (c->database.galera) {
        db_rc rc = db_node_ready(db);
        if (rc != DB_OK) {
            db_disconnect(db);
            return rc == DB_FAIL ? DB_FAIL : DB_GONE;
        }
    }
    db->fresh = true;
    return DB_OK;
fail:;
    db_rc rc = db_conn_rc(db);
    db_disconnect(db);
    return rc == DB_FAIL ? DB_FAIL : DB_GONE;
}

/* Looks up a column in the schema snapshot: returns its row or -1. */
typedef struct {
    char table[65], column[65], type[65];
    unsigned long long chars, octets;
    bool has_chars;
} db_colinfo;

typedef struct {
    db_colinfo *v;
    size_t n;
} db_schema;

static const db_colinfo *db_schema_find(const db_schema *s, const char *table, const char *column)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i].table, table) == 0 && strcasecmp(s->v[i].column, column) == 0)
            return &s->v[i];
    return NULL;
}

static bool db_schema_has_table(const db_schema *s, const char *table)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i].table, table) == 0)
            return true;
    return false;
}

/* Reads the columns of the current database from information_schema. */
static db_rc db_schema_load(gw_db *db, db_schema *s)
{
    static const char q[] =
        "SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE, CHARACTER_MAXIMUM_LENGTH, "
        "CHARACTER_OCTET_LENGTH FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()";
    memset(s, 0, sizeof(*s));
    if (mysql_real_query(db->conn, q, sizeof(q) - 1))
        return db_conn_rc(db);
    MYSQL_RES *res = mysql_store_result(db->conn);
    if (!res)
        return db_conn_rc(db);
    s->v = db_calloc(mysql_num_rows(res), sizeof(db_colinfo));
    if (!s->v) {
        mysql_free_result(res);
        db_seterr(db, 0, "out of memory");
        return DB_FAIL;
    }
    MYSQL_ROW row;
    while ((row = mysql_fetch_row(res))) {
        db_colinfo *ci = &s->v[s->n++];
        snprintf(ci->table, sizeof(ci->table), "%s", row[0] ? row[0] : "");
        snprintf(ci->column, sizeof(ci->column), "%s", row[1] ? row[1] : "");
        snprintf(ci->type, sizeof(ci->type), "%s", row[2] ? row[2] : "");
        ci->has_chars = row[3] != NULL;
        ci->chars = row[3] ? strtoull(row[3], NULL, 10) : 0;
        ci->octets = row[4] ? strtoull(row[4], NULL, 10) : 0;
    }
    mysql_free_result(res);
    return DB_OK;
}

/* Maximum characters a value may have in this column; 0 = no limit. */
static size_t db_char_limit(const db_colinfo *ci)
{
    if (!ci->has_chars)
        return 0;
    if (strcmp(ci->type, "varchar") == 0 || strcmp(ci->type, "char") == 0)
        return (size_t)ci->chars;
    /* TEXT types and others are limited in bytes: a character takes at
     * most 4 bytes in utf8mb4, so this many characters always fit. */
    return (size_t)(ci->octets / 4);
}

/* Checks that every table and column the configuration names exists and
 * records the lengths. Appends problems to out (when not NULL); returns
 * the number of problems. */
static int db_schema_apply(gw_db *db, const db_schema *s, gw_buf *out)
{
    const gw_config *c = db->cfg;
    int n = 0;
#define PROBLEM(...) do { n++; if (out) { gw_buf_printf(out, __VA_ARGS__); gw_buf_puts(out, "\n"); } } while (0)
    static const char *const base[] = {"id", "global_id", "is_active", "created_at", "updated_at"};
    if (!db_schema_has_table(s, "users"))
        PROBLEM("users: table not found in database %s (run the migrations)", c->database.name);
    else
        for (size_t i = 0; i < sizeof(base) / sizeof(base[0]); i++)
            if (!db_schema_find(s, "users", base[i]))
                PROBLEM("users.%s: column not found (run the migrations)", base[i]);
    for (size_t i = 0; i < c->users.nfields; i++) {
        const db_colinfo *ci = db_schema_find(s, "users", c->users.fields[i].column);
        if (!ci)
            PROBLEM("users.fields.%s: column users.%s not found", c->users.fields[i].claim,
                    c->users.fields[i].column);
        db->lens.fields[i] = ci ? db_char_limit(ci) : 0;
    }
    size_t k = 0;
    for (size_t t = 0; t < c->users.nrelated; t++) {
        const gw_related *r = &c->users.related[t];
        if (!db_schema_has_table(s, r->table))
            PROBLEM("users.related.%s: table not found", r->table);
        else if (!db_schema_find(s, r->table, "user_id"))
            PROBLEM("users.related.%s: table has no user_id column", r->table);
        for (size_t i = 0; i < r->ncols; i++, k++) {
            const db_colinfo *ci = db_schema_find(s, r->table, r->cols[i].column);
            if (!ci && db_schema_has_table(s, r->table))
                PROBLEM("users.related.%s: column %s.%s not found", r->table, r->table,
                        r->cols[i].column);
            db->lens.related[k] = ci ? db_char_limit(ci) : 0;
        }
    }
    struct { bool used; const char *table, *col, *why; } need[] = {
        {c->session.enabled, "sessions", "token_hash", "session.enabled"},
        {c->session.enabled, "sessions", "expires_at", "session.enabled"},
        {c->session.enabled, "sessions", "last_used_at", "session.enabled"},
        {c->session.enabled, "leases", "expires_at", "session.enabled"},
        {*c->logout.backchannel_path != 0, "logout_tokens", "token_hash", "logout.backchannel_path"},
        {*c->logout.backchannel_path != 0, "users", "logged_out_at", "logout.backchannel_path"},
        {*c->logout.backchannel_path != 0, "ended_sids", "sid_hash", "logout.backchannel_path"},
        {db->ssel_groups || db->sel_groups, "groups", "name", "groups"},
        {db->ssel_groups || db->sel_groups, "user_groups", "group_id", "groups"},
    };
    for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++)
        if (need[i].used && !db_schema_find(s, need[i].table, need[i].col))
            PROBLEM("%s: column %s.%s not found (run the migrations)", need[i].why,
                    need[i].table, need[i].col);
    for (size_t i = 0; i < c->exports.n; i++)
        if (c->exports.v[i].kind == GW_EXP_COLUMN &&
            !db_schema_find(s, "users", c->exports.v[i].column))
            PROBLEM("export.%s: column users.%s not found", c->exports.v[i].name,
                    c->exports.v[i].column);
#undef PROBLEM
    return n;
}

/* Prepares sql into *st. */

/* Prepares sql into *st. */
db_rc db_prepare(gw_db *db, MYSQL_STMT **st, const gw_buf *sql)
{
    if (sql->oom) {
        db_seterr(db, 0, "out of memory");
        return DB_FAIL;
    }
    *st = mysql_stmt_init(db->conn);
    if (!*st)
        return db_conn_rc(db);
    if (mysql_stmt_prepare(*st, sql->data, sql->len)) {
        db_rc rc = db_stmt_rc(db, *st);
        db_close_stmt(st);
        return rc;
    }
    return DB_OK;
}

/* Prepares a constant statement. */
db_rc db_prepare_text(gw_db *db, MYSQL_STMT **st, const char *sql)
{
    gw_buf q;
    gw_buf_init(&q);
    gw_buf_puts(&q, sql);
    db_rc rc = db_prepare(db, st, &q);
    gw_buf_free(&q);
    return rc;
}

/* The column lists of sel (header path) and ssel (session path), which
 * share one layout, and their joins; records where each value lands.
 * ssel puts NULL where it needs nothing (the mapped values are compared
 * only on the header path) and joins no related table. An export of a
 * column already read reuses it. Groups come as one row per membership
 * (the group's id), which costs the server far less than aggregating. */
static void db_build_select(gw_db *db, gw_buf *cols, gw_buf *scols, gw_buf *joins,
                            gw_buf *sjoins)
{
    const gw_config *c = db->cfg;
    int col = 3;
    gw_buf_puts(cols, "u.`id`, u.`is_active`, u.`global_id`");
    gw_buf_puts(scols, "u.`id`, u.`is_active`, u.`global_id`");
    for (size_t i = 0; i < c->users.nfields; i++) {
        gw_buf_printf(cols, ", u.`%s`", c->users.fields[i].column);
        gw_buf_puts(scols, ", NULL");
        db->c_field[i] = col++;
    }
    for (size_t i = 0; i < c->users.nfields; i++) {
        db->c_isdef[i] = -1;
        if (!c->users.fields[i].overwrite) {
            gw_buf_printf(cols, ", (u.`%s` <=> DEFAULT(u.`%s`))", c->users.fields[i].column,
                          c->users.fields[i].column);
            gw_buf_puts(scols, ", NULL");
            db->c_isdef[i] = col++;
        }
    }
    size_t k = 0;
    for (size_t t = 0; t < c->users.nrelated; t++) {
        gw_buf_printf(cols, ", r%zu.`user_id` IS NOT NULL", t);
        gw_buf_puts(scols, ", NULL");
        db->c_relhas[t] = col++;
        for (size_t i = 0; i < c->users.related[t].ncols; i++, k++) {
            gw_buf_printf(cols, ", r%zu.`%s`", t, c->users.related[t].cols[i].column);
            gw_buf_puts(scols, ", NULL");
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
            db->c_export[i] = col++;
        }
    }
    /* field exports: the header path reads the field's column; the session
     * path needs its own copy, at the end of the row */
    for (size_t i = 0; i < c->exports.n; i++) {
        if (db->c_export[i] > -2)
            continue;
        int f = -2 - db->c_export[i];
        gw_buf_printf(cols, ", NULL");
        gw_buf_printf(scols, ", u.`%s`", c->users.fields[f].column);
        db->c_export[i] = db->c_field[f];
        db->c_sexport[i] = col++;
    }
    /* ssel: whether the session's last use is due to be written */
    gw_buf_puts(cols, ", NULL");
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
        db->c_logout = col++;
    }
    gw_buf_puts(cols, db->sel_groups ? ", ug.`group_id`" : ", NULL");
    gw_buf_puts(scols, db->ssel_groups ? ", ug.`group_id`" : ", NULL");
    if (db->sel_groups)
        gw_buf_puts(joins, " LEFT JOIN `user_groups` ug ON ug.`user_id` = u.`id`");
    if (db->ssel_groups)
        gw_buf_puts(sjoins, " LEFT JOIN `user_groups` ug ON ug.`user_id` = u.`id`");
    db->c_groups = col++;
    db->nsel = (size_t)col;
}

/* Sizes the result buffers from sel's metadata (grown on truncation) and
 * binds them to sel and ssel, which share the layout. */
static db_rc db_bind_results(gw_db *db)
{
    MYSQL_STMT *sts[2] = {db->sel, db->ssel};
    for (size_t i = 0; i < db->nsel; i++)
        db->cols[i].len = 32; /* used below as the wanted size */
    for (int k = 0; k < 2; k++) {
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
    if (mysql_stmt_bind_result(db->sel, db->colbind))
        return db_stmt_rc(db, db->sel);
    if (db->ssel && mysql_stmt_bind_result(db->ssel, db->colbind))
        return db_stmt_rc(db, db->ssel);
    return DB_OK;
}

/* Builds and prepares the statements. */
static db_rc db_prepare_all(gw_db *db)
{
    const gw_config *c = db->cfg;
    gw_buf q, cols, joins, scols, sjoins;
    gw_buf_init(&q);
    gw_buf_init(&cols);
    gw_buf_init(&joins);
    gw_buf_init(&scols);
    gw_buf_init(&sjoins);
    gw_buf_add(&joins, "", 0);
    gw_buf_add(&sjoins, "", 0);
    db_rc rc;

    db_build_select(db, &cols, &scols, &joins, &sjoins);
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
    gw_buf_puts(&q, ", NOW(6), NOW(6))");
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
    gw_buf_free(&cols);
    gw_buf_free(&joins);
    gw_buf_free(&scols);
    gw_buf_free(&sjoins);
    return rc;
}

/* Connects, learns the schema and prepares; problems (for --check-config)
 * are appended to out when not NULL. */
static db_rc db_open(gw_db *db, gw_buf *out, int *nproblems)
{
    db_rc rc = db_connect(db);
    db->schema_problems = 0;
    if (rc != DB_OK)
        return rc;
    db_schema s;
    rc = db_schema_load(db, &s);
    if (rc == DB_OK) {
        int n = db_schema_apply(db, &s, out);
        db->schema_problems = n;
        if (nproblems)
            *nproblems = n;
        if (n) {
            db_seterr(db, 0, "the database does not match the configuration (see --check-config)");
            rc = DB_FAIL;
        }
    }
    free(s.v);
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


/* The unique keys of related table t other than one on user_id alone,
 * comma-separated, into out (empty when none). */
static db_rc db_other_unique_keys(gw_db *db, const char *table, char *out, size_t outlen)
{
    static const char sql[] =
        "SELECT GROUP_CONCAT(DISTINCT INDEX_NAME ORDER BY INDEX_NAME) FROM information_schema.STATISTICS"
        " WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND NON_UNIQUE = 0 AND INDEX_NAME IN"
        " (SELECT INDEX_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE()"
        " AND TABLE_NAME = ? GROUP BY INDEX_NAME HAVING SUM(COLUMN_NAME <> 'user_id') > 0)";
    MYSQL_STMT *st = NULL;
    db_rc rc = db_prepare_text(db, &st, sql);
    if (rc != DB_OK)
        return rc;
    MYSQL_BIND p[2], r;
    unsigned long plen[2], rlen = 0;
    my_bool isnull = 0;
    bind_text(&p[0], &plen[0], table);
    bind_text(&p[1], &plen[1], table);
    memset(&r, 0, sizeof(r));
    r.buffer_type = MYSQL_TYPE_STRING;
    r.buffer = out;
    r.buffer_length = outlen - 1;
    r.length = &rlen;
    r.is_null = &isnull;
    out[0] = '\0';
    if (mysql_stmt_bind_param(st, p) || mysql_stmt_execute(st) || mysql_stmt_bind_result(st, &r)) {
        rc = db_stmt_rc(db, st);
    } else {
        int f = mysql_stmt_fetch(st);
        rc = db_fetch_close(db, st, f == MYSQL_DATA_TRUNCATED ? MYSQL_NO_DATA : f);
        out[isnull || f == MYSQL_NO_DATA ? 0 : (rlen < outlen - 1 ? rlen : outlen - 1)] = '\0';
    }
    db_close_stmt(&st);
    return rc;
}

int gw_db_verify(const gw_config *cfg, gw_buf *problems)
{
    gw_db *db = gw_db_new(cfg);
    if (!db)
        return -1;
    int n = -1;
    if (db_connect(db) == DB_OK) {
        db_disconnect(db);
        n = 0;
        if (db_open(db, problems, &n) != DB_OK && n == 0) {
            gw_buf_printf(problems, "database: %s\n", db->err);
            n = 1;
        }
    }
    gw_db_free(db);
    return n;
}

int gw_db_check(const gw_config *cfg, gw_buf *problems, gw_buf *notes)
{
    gw_db *db = gw_db_new(cfg);
    if (!db) {
        gw_buf_puts(problems, "out of memory\n");
        return 1;
    }
    /* each node's state, when there are several */
    for (size_t i = 0; cfg->database.nnodes > 1 && i < cfg->database.nnodes; i++) {
        db_rc r = db_connect_node(db, i);
        gw_buf_printf(notes, "database.hosts[%zu] %s: %s\n", i, cfg->database.nodes[i].text,
                      r == DB_OK ? (cfg->database.galera ? "ready (synced)" : "answers") : db->err);
        db_disconnect(db);
    }
    int n = 0;
    db_rc rc = db_open(db, problems, &n);
    if (rc != DB_OK && n == 0) {
        gw_buf_printf(problems, "database: %s\n", db->err);
        n = 1;
    }
    for (size_t t = 0; rc == DB_OK && t < cfg->users.nrelated; t++) {
        char keys[512];
        const char *table = cfg->users.related[t].table;
        if ((rc = db_other_unique_keys(db, table, keys, sizeof(keys))) != DB_OK) {
            gw_buf_printf(problems, "users.related.%s: cannot read its keys: %s\n", table, db->err);
            n++;
        } else if (*keys) {
            gw_buf_printf(notes, "users.related.%s: other unique keys (%s): a claim whose value another "
                          "user's row holds there is refused (400 malformed_userinfo)\n", table, keys);
        }
    }
    gw_db_free(db);
    return n;
}

void bind_text(MYSQL_BIND *b, unsigned long *len, const char *s)
{
    memset(b, 0, sizeof(*b));
    if (!s) {
        b->buffer_type = MYSQL_TYPE_NULL;
        return;
    }
    *len = strlen(s);
    b->buffer_type = MYSQL_TYPE_STRING;
    b->buffer = (void *)s;
    b->buffer_length = *len;
    b->length = len;
}

void bind_bytes(MYSQL_BIND *b, unsigned long *len, const unsigned char *p, size_t n)
{
    memset(b, 0, sizeof(*b));
    *len = (unsigned long)n;
    b->buffer_type = MYSQL_TYPE_BLOB;
    b->buffer = (void *)p;
    b->buffer_length = *len;
    b->length = len;
}

static void bind_flag(MYSQL_BIND *b, char *v)
{
    memset(b, 0, sizeof(*b));
    b->buffer_type = MYSQL_TYPE_TINY;
    b->buffer = v;
}

void bind_long(MYSQL_BIND *b, long *v)
{
    memset(b, 0, sizeof(*b));
    b->buffer_type = sizeof(long) == 8 ? MYSQL_TYPE_LONGLONG : MYSQL_TYPE_LONG;
    b->buffer = v;
}

db_rc db_run(gw_db *db, MYSQL_STMT *st)
{
    if (mysql_stmt_bind_param(st, db->par) || mysql_stmt_execute(st))
        return db_stmt_rc(db, st);
    return DB_OK;
}

/* Adds the group id of the fetched row (if any) to db->gids. */
static void db_collect_gid(gw_db *db)
{
    const db_col *g = &db->cols[db->c_groups];
    if (g->is_null || db->ngids >= GW_DB_GROUPS_MAX)
        return;
    char num[32];
    size_t n = g->len < sizeof(num) - 1 ? g->len : sizeof(num) - 1;
    memcpy(num, g->buf, n);
    num[n] = '\0';
    db->gids[db->ngids++] = strtoull(num, NULL, 10);
}

static db_rc db_group_names(gw_db *db);

/* Runs st (sel or ssel, parameters bound in db->par) and fetches its row
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
        if (mysql_stmt_bind_result(db->sel, db->colbind) ||
            (db->ssel && mysql_stmt_bind_result(db->ssel, db->colbind))) {
            rc = db_stmt_rc(db, st);
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

bool db_same(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

db_rc db_query(gw_db *db, const char *sql)
{
    if (mysql_real_query(db->conn, sql, strlen(sql)))
        return db_conn_rc(db);
    return DB_OK;
}

void db_rollback(gw_db *db)
{
    if (db->conn && mysql_rollback(db->conn))
        db_disconnect(db); /* cannot tell the transaction's state: start over */
}

/* Fills res->exports and res->groups from the fetched row. */
void db_result(gw_db *db, gw_dbresult *res)
{
    for (size_t i = 0; i < db->cfg->exports.n; i++)
        res->exports[i] = db_val(db, db->fetched_ssel && db->c_sexport[i] >= 0 ? db->c_sexport[i]
                                                                               : db->c_export[i]);
    bool groups = db->fetched_ssel ? db->ssel_groups : db->sel_groups;
    res->groups = groups ? (db->groups_out.data ? db->groups_out.data : "") : NULL;
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

/* --- groups ----------------------------------------------------------- */

static int db_gname_cmp(const void *a, const void *b)
{
    unsigned long long x = ((const struct db_gname *)a)->id, y = ((const struct db_gname *)b)->id;
    return x < y ? -1 : x > y;
}

static int db_name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The name of group id: from the map while fresh, else from the database
 * (and remembered). NULL when the group is gone; *rc on a database error. */
static const char *db_group_name(gw_db *db, unsigned long long id, time_t now, db_rc *rc)
{
    struct db_gname key = {id, 0, NULL};
    struct db_gname *e = bsearch(&key, db->gmap, db->ngmap, sizeof(key), db_gname_cmp);
    if (e && now - e->at < GW_GMAP_SECONDS)
        return e->name;
    MYSQL_BIND p, r;
    char name[4 * GW_GROUP_MAX_CHARS + 1];
    unsigned long nlen = 0;
    my_bool isnull = 0;
    memset(&p, 0, sizeof(p));
    memset(&r, 0, sizeof(r));
    p.buffer_type = MYSQL_TYPE_LONGLONG;
    p.buffer = &id;
    p.is_unsigned = 1;
    r.buffer_type = MYSQL_TYPE_STRING;
    r.buffer = name;
    r.buffer_length = sizeof(name) - 1;
    r.length = &nlen;
    r.is_null = &isnull;
    MYSQL_STMT *st = db->grp_name;
    if (mysql_stmt_bind_param(st, &p) || mysql_stmt_execute(st) || mysql_stmt_bind_result(st, &r)) {
        *rc = db_stmt_rc(db, st);
        return NULL;
    }
    int f = mysql_stmt_fetch(st);
    if ((*rc = db_fetch_close(db, st, f)) != DB_OK)
        return NULL;
    if (f == MYSQL_NO_DATA || isnull)
        return NULL;
    name[nlen < sizeof(name) - 1 ? nlen : sizeof(name) - 1] = '\0';
    /* a name the @groups export or the rules could misread (a newline
     * would make two groups of one, a comma two exported names, a NUL
     * would cut it) is never exported or matched */
    if (strlen(name) != nlen || gw_has_ctl(name) || strchr(name, ','))
        name[0] = '\0';
    char *copy = strdup(name);
    if (!copy) {
        db_seterr(db, 0, "out of memory");
        *rc = DB_FAIL;
        return NULL;
    }
    if (e) {
        free(e->name);
        e->name = copy;
        e->at = now;
        return copy;
    }
    if (db->ngmap >= GW_GMAP_MAX) { /* full: start again */
        for (size_t i = 0; i < db->ngmap; i++)
            free(db->gmap[i].name);
        db->ngmap = 0;
    }
    db->gmap[db->ngmap++] = (struct db_gname){id, now, copy};
    qsort(db->gmap, db->ngmap, sizeof(*db->gmap), db_gname_cmp);
    return copy;
}

/* Turns db->gids into db->groups_out: the names, sorted, one per line. */
static db_rc db_group_names(gw_db *db)
{
    const char *names[GW_DB_GROUPS_MAX];
    size_t n = 0;
    time_t now = time(NULL);
    db_rc rc = DB_OK;
    for (size_t i = 0; i < db->ngids; i++) {
        const char *name = db_group_name(db, db->gids[i], now, &rc);
        if (rc != DB_OK)
            return rc;
        if (name && *name)
            names[n++] = name;
    }
    qsort(names, n, sizeof(names[0]), db_name_cmp);
    gw_buf_reset(&db->groups_out);
    gw_buf_add(&db->groups_out, "", 0);
    for (size_t i = 0; i < n; i++)
        gw_buf_printf(&db->groups_out, "%s%s", i ? "\n" : "", names[i]);
    if (db->groups_out.oom) {
        db_seterr(db, 0, "out of memory");
        return DB_FAIL;
    }
    return DB_OK;
}

static bool db_in(char *const *v, size_t n, const char *g)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i], g) == 0)
            return true;
    return false;
}

/* A group of the claim the user must join: the sync's (gw_group_managed),
 * not joined yet. */
static bool db_group_to_join(const gw_db *db, const char *g)
{
    return gw_group_managed(db->cfg, g) && !db_in(db->cur, db->ncur, g);
}

/* Splits the fetched group column into db->cur. */
static db_rc db_current_groups(gw_db *db)
{
    db->ncur = 0;
    const char *v = db->groups_out.data;
    free(db->cur_buf);
    db->cur_buf = strdup(v ? v : "");
    if (!db->cur_buf) {
        db_seterr(db, 0, "out of memory");
        return DB_FAIL;
    }
    for (char *p = db->cur_buf; *p && db->ncur < GW_DB_GROUPS_MAX;) {
        db->cur[db->ncur++] = p;
        char *nl = strchr(p, '\n');
        if (!nl)
            break;
        *nl = '\0';
        p = nl + 1;
    }
    return DB_OK;
}

/* True when the membership must change: a desired group the user is not
 * in, or a current group of the sync's that is not desired. */
static bool db_groups_differ(const gw_db *db, const gw_user *u)
{
    const gw_config *c = db->cfg;
    for (size_t i = 0; i < u->ngroups; i++)
        if (gw_group_managed(c, u->groups[i]) && !db_in(db->cur, db->ncur, u->groups[i]))
            return true;
    for (size_t i = 0; i < db->ncur; i++)
        if (gw_group_managed(c, db->cur[i]) && !db_in(u->groups, u->ngroups, db->cur[i]))
            return true;
    return false;
}

/* groups.sync create: makes the groups that user u is to join and that do
 * not exist yet, each in its own short autocommit statement before the
 * user's transaction, so that the transaction never writes (or locks) a
 * groups row that other front-ends' first logins write too; a group that
 * exists is only read, and no auto-increment id is spent on it. A group
 * made for a login that then fails stays, without members. */
static db_rc db_create_groups(gw_db *db, const gw_user *u)
{
    const gw_config *c = db->cfg;
    if (c->groups.sync != GW_SYNC_CREATE)
        return DB_OK;
    for (size_t i = 0; i < u->ngroups; i++) {
        const char *g = u->groups[i];
        if (!db_group_to_join(db, g))
            continue;
        bind_text(&db->par[0], &db->parlen[0], g);
        db_rc rc = db_run(db, db->grp_find);
        if (rc != DB_OK)
            return rc;
        int f = mysql_stmt_fetch(db->grp_find);
        if ((rc = db_fetch_close(db, db->grp_find, f)) != DB_OK)
            return rc;
        if (f == 0)
            continue;
        if ((rc = db_run(db, db->grp_new)) != DB_OK)
            return rc;
    }
    return DB_OK;
}

/* Writes the membership changes for user uid (inside the transaction). */
static db_rc db_sync_groups(gw_db *db, const char *uid, const gw_user *u)
{
    const gw_config *c = db->cfg;
    db_rc rc;
    for (size_t i = 0; i < u->ngroups; i++) {
        const char *g = u->groups[i];
        if (!db_group_to_join(db, g))
            continue;
        bind_text(&db->par[0], &db->parlen[0], uid);
        bind_text(&db->par[1], &db->parlen[1], g);
        if ((rc = db_run(db, db->grp_add)) != DB_OK)
            return rc;
    }
    for (size_t i = 0; i < db->ncur; i++) {
        const char *g = db->cur[i];
        if (!gw_group_managed(c, g) || db_in(u->groups, u->ngroups, g))
            continue;
        bind_text(&db->par[0], &db->parlen[0], uid);
        bind_text(&db->par[1], &db->parlen[1], g);
        if ((rc = db_run(db, db->grp_del)) != DB_OK)
            return rc;
    }
    return DB_OK;
}

/* --- the runner ---------------------------------------------------------- */


static double db_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Sleeps before another try after a deadlock or a certification
 * conflict: a random time up to 2^tries ms (at most 64), so that racing
 * front-ends do not meet again, and never past the deadline. */
static void db_backoff(int tries, double deadline)
{
    static unsigned seed;
    if (!seed)
        seed = (unsigned)getpid() ^ (unsigned)time(NULL);
    int cap = 1 << (tries < 6 ? tries : 6);
    double left = deadline - db_now();
    double ms = 1 + rand_r(&seed) % cap;
    if (left <= 0)
        return;
    if (ms > left * 1000)
        ms = left * 1000;
    struct timespec ts = {0, (long)(ms * 1e6)};
    nanosleep(&ts, NULL);
}

/* Runs op until it settles: connects when needed, re-runs after a
 * deadlock or a Galera certification conflict (error 1213 both: up to
 * GW_DB_RETRIES tries with jittered backoff, within read_timeout_ms) or a
 * lost race (three tries), reconnects once when a connection that died
 * between requests fails at once, and turns the outcome into a
 * gw_status. */
static gw_status db_call_run(gw_db *db, db_op op, void *arg)
{
    db->fresh = false;
    int tries = 0, races = 0;
    bool reconnected = false;
    /* conflicts are retried within the time a query may take */
    double deadline = db_now() + db->cfg->database.read_timeout_ms / 1000.0;
    for (;;) {
        if (gw_db_ensure(db) != GW_OK) {
            gw_count(GW_MF_DB_ERRORS, GW_M_DB_UNREACHABLE, 1);
            return GW_E_UNAVAILABLE;
        }
        gw_status deny = GW_OK;
        bool again = false;
        double t0 = db_now();
        db_rc rc = op(db, arg, &deny, &again);
        if (rc == DB_OK && !again)
            return deny;
        switch (rc) {
        case DB_GONE: {
            bool was_fresh = db->fresh;
            db_disconnect(db);
            gw_count(GW_MF_DB_ERRORS, GW_M_DB_LOST, 1);
            /* A connection that died between requests (server restarted,
             * idle timeout, KILL) fails at once; it gets one fresh try.
             * One that timed out does not: that would double the wait. */
            double quick = db->cfg->database.read_timeout_ms / 2000.0;
            if (!was_fresh && !reconnected && db_now() - t0 < quick) {
                reconnected = true;
                continue;
            }
            gw_log(GW_LOG_ERROR, "event=db_error error=\"%s\"", db->err);
            return GW_E_UNAVAILABLE;
        }
        case DB_SLOW:
            gw_count(GW_MF_DB_ERRORS, GW_M_DB_TIMEOUT, 1);
            gw_log(GW_LOG_ERROR, "event=db_slow error=\"%s\"", db->err);
            return GW_E_UNAVAILABLE;
        case DB_DOWN:
            db_disconnect(db);
            gw_count(GW_MF_DB_ERRORS, GW_M_DB_UNAVAILABLE, 1);
            gw_log(GW_LOG_ERROR, "event=db_unavailable error=\"%s\"", db->err);
            return GW_E_UNAVAILABLE;
        case DB_FAIL: {
            unsigned code = (unsigned)strtoul(db->err, NULL, 10);
            gw_count(GW_MF_DB_ERRORS, db_data_error(code) ? GW_M_DB_REFUSED_VALUE : GW_M_DB_OTHER, 1);
            gw_log(GW_LOG_ERROR, "event=db_error error=\"%s\"", db->err);
            return db_data_error(code) ? GW_E_MALFORMED : GW_E_INTERNAL;
        }
        default: /* DB_RETRY (deadlock, certification conflict) or a lost race */
            if (rc == DB_RETRY) {
                gw_count(GW_MF_DB_ERRORS, GW_M_DB_CONFLICT, 1);
                if (++tries >= GW_DB_RETRIES || db_now() >= deadline) {
                    gw_log(GW_LOG_ERROR, "event=db_error error=\"%s\" tries=%d", db->err, tries);
                    return GW_E_UNAVAILABLE;
                }
                gw_log(GW_LOG_INFO, "event=db_retry error=\"%s\" tries=%d", db->err, tries);
                db_backoff(tries, deadline);
            } else if (++races >= 3) {
                gw_log(GW_LOG_ERROR, "event=db_error error=\"insert keeps failing on a unique key\" "
                       "tries=%d", races);
                return GW_E_INTERNAL;
            }
        }
    }
}

/* db_call_run, timed for gwauth_db_seconds. */
gw_status db_call(gw_db *db, db_op op, void *arg)
{
    double t0 = db_now();
    gw_status st = db_call_run(db, op, arg);
    double us = (db_now() - t0) * 1e6;
    gw_count_db_time(us > 0 ? (uint64_t)us : 0);
    return st;
}

/* --- health ------------------------------------------------------------- */

static db_rc db_ping_once(gw_db *db, void *arg, gw_status *deny, bool *again)
{
    (void)arg;
    (void)deny;
    (void)again;
    if (db->cfg->database.galera)
        return db_node_ready(db);
    static const char sql[] = "SELECT 1";
    if (mysql_real_query(db->conn, sql, sizeof(sql) - 1))
        return db_conn_rc(db);
    MYSQL_RES *res = mysql_store_result(db->conn);
    if (!res)
        return db_conn_rc(db);
    mysql_free_result(res);
    return DB_OK;
}

gw_status gw_db_health(gw_db *db, const char **reason)
{
    if (db_call(db, db_ping_once, NULL) == GW_OK)
        return GW_OK;
    /* why: the schema (a connection refused for it), the node, no
     * connection at all, or an answer that was an error */
    *reason = db->schema_problems ? "schema_mismatch"
              : strstr(db->err, "not ready: wsrep") ? "node_not_ready"
              : !db->conn ? "database_unreachable" : "database_unavailable";
    return GW_E_UNAVAILABLE;
}

/* --- step 5: create or update ------------------------------------------- */

typedef struct {
    const gw_user *u;
    gw_dbresult *res;
} db_sync_arg;

static db_rc db_sync_once(gw_db *db, void *argp, gw_status *deny, bool *again)
{
    db_sync_arg *arg = argp;
    const gw_user *u = arg->u;
    gw_dbresult *res = arg->res;
    const gw_config *c = db->cfg;
    bool sync_groups = c->groups.sync != GW_SYNC_OFF;
    bool found;
    res->created = res->updated = false;
    db_rc rc = db_select(db, u->id, &found);
    if (rc != DB_OK)
        return rc;
    char uid[32];

    if (!found) {
        if (!c->users.create) {
            *deny = GW_E_UNKNOWN_USER;
            return DB_OK;
        }
        db->ncur = 0;
        if (sync_groups && (rc = db_create_groups(db, u)) != DB_OK)
            return rc;
        if ((rc = db_query(db, "START TRANSACTION")) != DB_OK)
            return rc;
        bind_text(&db->par[0], &db->parlen[0], u->id);
        for (size_t i = 0; i < c->users.nfields; i++)
            bind_text(&db->par[1 + i], &db->parlen[1 + i], u->fields[i]);
        rc = db_run(db, db->ins);
        if (rc == DB_FAIL && mysql_stmt_errno(db->ins) == ER_DUP_ENTRY) {
            db_rollback(db);
            *again = true; /* someone else created it: read theirs */
            return DB_OK;
        }
        if (rc != DB_OK)
            goto abort;
        snprintf(uid, sizeof(uid), "%llu", (unsigned long long)mysql_stmt_insert_id(db->ins));
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
        if (sync_groups && (rc = db_sync_groups(db, uid, u)) != DB_OK)
            goto abort;
        res->created = res->updated = true;
    } else {
        if (!db_same(db_val(db, C_ACTIVE), "1")) {
            *deny = GW_E_INACTIVE;
            return DB_OK;
        }
        if (!c->users.update)
            goto done;
        bool any = false;
        for (size_t i = 0; i < c->users.nfields; i++) {
            const char *want = u->fields[i];
            bool write = want && !db_same(want, db_val(db, db->c_field[i]));
            if (write && db->c_isdef[i] >= 0)
                write = db_same(db_val(db, db->c_isdef[i]), "1");
            db->flags[i] = write;
            any |= write;
        }
        size_t k = 0;
        for (size_t t = 0; t < c->users.nrelated; t++) {
            db->relw[t] = !db_same(db_val(db, db->c_relhas[t]), "1");
            for (size_t i = 0; i < c->users.related[t].ncols; i++, k++)
                db->relw[t] |= !db_same(u->related[k], db_val(db, db->c_rel[k]));
            any |= db->relw[t];
        }
        bool groups_w = false;
        if (sync_groups) {
            if ((rc = db_current_groups(db)) != DB_OK)
                return rc;
            groups_w = db_groups_differ(db, u);
            any |= groups_w;
        }
        if (!any)
            goto done; /* the fast path: one SELECT, no write */
        gw_strlcpy(uid, db_val(db, C_ID), sizeof(uid));
        if (groups_w && (rc = db_create_groups(db, u)) != DB_OK)
            return rc;
        if ((rc = db_query(db, "START TRANSACTION")) != DB_OK)
            return rc;
        bool users_w = false;
        for (size_t i = 0; i < c->users.nfields; i++)
            users_w |= db->flags[i];
        if (users_w) {
            size_t p = 0;
            for (size_t i = 0; i < c->users.nfields; i++) {
                bind_flag(&db->par[p++], &db->flags[i]);
                bind_text(&db->par[p], &db->parlen[p], u->fields[i]);
                p++;
            }
            bind_text(&db->par[p], &db->parlen[p], uid);
            if ((rc = db_run(db, db->upd)) != DB_OK)
                goto abort;
        }
        k = 0;
        for (size_t t = 0; t < c->users.nrelated; t++) {
            bool dup, exists = db_same(db_val(db, db->c_relhas[t]), "1");
            if (db->relw[t] && (rc = db_write_related(db, t, uid, u, k, exists, &dup)) != DB_OK) {
                if (!dup)
                    goto abort;
                /* inserted by a concurrent request, or another user's value */
                bool mine = false;
                if (!exists) {
                    if ((rc = db_select(db, u->id, &found)) != DB_OK)
                        goto abort;
                    mine = found && db_same(db_val(db, db->c_relhas[t]), "1");
                }
                if (!mine)
                    return db_related_conflict(db, t, deny);
                db_rollback(db);
                *again = true; /* read theirs, then update it */
                return DB_OK;
            }
            k += c->users.related[t].ncols;
        }
        if (groups_w && (rc = db_sync_groups(db, uid, u)) != DB_OK)
            goto abort;
        res->updated = true;
    }
    /* Read back what was written, inside the transaction, so the exports
     * are exactly what the database now holds. */
    if ((rc = db_select(db, u->id, &found)) != DB_OK)
        goto abort;
    if (!found) {
        db_rollback(db);
        *again = true;
        return DB_OK;
    }
    if (mysql_commit(db->conn)) {
        rc = db_conn_rc(db);
        goto abort;
    }
done:
    db_result(db, res);
    return DB_OK;
abort:
    res->created = res->updated = false;
    db_rollback(db);
    return rc;
}

gw_status gw_db_sync_user(gw_db *db, const gw_user *u, gw_dbresult *res)
{
    memset(res, 0, sizeof(*res));
    res->exports = db->exports;
    db_sync_arg arg = {u, res};
    return db_call(db, db_sync_once, &arg);
}

