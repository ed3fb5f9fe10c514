/*
 * db_schema.c - what the database holds against what the configuration
 * names: a snapshot of information_schema.COLUMNS checked at each
 * connection (every table and column, and the character limits that the
 * mapping cuts values to), and gwauth --check-config's view of the
 * database (each node, the schema, related tables' other unique keys).
 */
#include "db_int.h"

#include <mysql.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* One column of the snapshot. */
typedef struct {
    char table[65], column[65], type[65];
    unsigned long long chars, octets;
    bool has_chars;
} db_colinfo;

typedef struct {
    db_colinfo *v;
    size_t n;
} db_schema;

/* Looks up a column in the snapshot: its entry, or NULL. */
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
    s->v = calloc(mysql_num_rows(res) + 1, sizeof(db_colinfo));
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

int db_schema_check(gw_db *db, gw_buf *out, db_rc *rc)
{
    db_schema s;
    int n = 0;
    *rc = db_schema_load(db, &s);
    if (*rc == DB_OK)
        n = db_schema_apply(db, &s, out);
    free(s.v);
    return n;
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
