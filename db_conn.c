/*
 * db_conn.c - the connection to MariaDB and the runner every operation
 * goes through: connecting (to the first answering node, and on Galera
 * only to a ready one), errors (masked for the log and classified),
 * statements and their parameters, retries after deadlocks and
 * certification conflicts, reconnects, and the health check.
 */
#include "db_int.h"

#include <errmsg.h>
#include <mysql.h>
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
    db->errcode = code;
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

void db_close_stmt(MYSQL_STMT **st)
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

/* Connects to the first node of database.nodes that answers (and, on
 * Galera, is ready), in the order given. */
db_rc db_connect(gw_db *db)
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

db_rc db_connect_node(gw_db *db, size_t i)
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

