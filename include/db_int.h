/*
 * db_int.h - what the MariaDB edge's own files share: db.c (statements,
 * users, related rows), db_conn.c (connection, errors, the runner),
 * db_schema.c (the schema check), db_groups.c (memberships, group
 * names), db_session.c (sessions, back-channel logout), db_admin.c. Not
 * for the rest of the program, which sees db.h only.
 */
#ifndef GW_DB_INT_H
#define GW_DB_INT_H

#include <mysql.h>
#include <stdbool.h>
#include <time.h>

#include "db.h"
#include "namemap.h"
#include "plan.h"

/* One result column, bound as a string. */
typedef struct {
    char *buf;
    unsigned long cap;
    unsigned long len;
    my_bool is_null;
    my_bool error;
} db_col;

struct gw_db {
    const gw_config *cfg;
    MYSQL *conn;
    bool fresh;              /* connected during the current call */
    char err[320];
    unsigned errcode;        /* of the last error recorded (0: the client's own) */

    gw_collens lens;
    size_t nrel;             /* related columns, flattened */
    bool sel_groups;         /* sel reads the membership (groups.sync on) */
    bool ssel_groups;        /* ssel reads it (groups used at all) */

    MYSQL_STMT *sel, *ssel, *ins, *upd;
    MYSQL_STMT **rel;        /* per related table t: rel[2t] inserts its row,
                                rel[2t + 1] updates it (keyed on user_id alone) */
    MYSQL_STMT *grp_new, *grp_add, *grp_del, *grp_name, *grp_find;
    MYSQL_STMT *sess_ins, *sess_del, *sess_gc, *sess_lease, *sess_touch, *sess_trim, *sess_switch;
    MYSQL_STMT *bcl_jti, *bcl_sid, *bcl_sub, *bcl_mark, *bcl_gc; /* back-channel logout */
    MYSQL_STMT *bcl_end, *bcl_ended, *bcl_gc2;

    /* layout of sel's (and ssel's) result */
    size_t nsel;
    db_col *cols;
    MYSQL_BIND *colbind;
    int *c_field, *c_isdef, *c_relhas, *c_rel, *c_export;
    int *c_sexport;          /* where ssel has an export, when elsewhere */
    int c_groups;
    int c_stale;             /* ssel: last_used_at older than touch_seconds */
    int c_logout;            /* sel: UNIX_TIMESTAMP(logged_out_at), or -1 */
    bool fetched_ssel;       /* the row in cols came from ssel */

    /* parameters, sized for the widest statement */
    MYSQL_BIND *par;
    unsigned long *parlen;
    my_bool *parnull;
    char *flags;             /* per field: write it (bound as a TINYINT) */

    /* the fetched row as the write plan reads it (db_plan_row), and the plan */
    gw_plan_row row;
    const char **row_fields, **row_rel;
    bool *row_isdef, *row_relhas;
    gw_plan plan;

    /* the fetched user's groups: ids (one row each), then their names,
     * sorted (cur, names held by gmap or, for a new user, its gw_user) */
    unsigned long long *gids;
    size_t ngids;
    const char **cur;
    size_t ncur;
    gw_namemap gmap;         /* id -> name of the groups met so far */

    const char **exports;
    time_t purged;            /* last try at the session purge lease */
    char holder[96];          /* "host:pid", written into leases.holder */
    size_t node;              /* the database.nodes entry connected to */
    time_t connected;         /* when */
    int schema_problems;      /* of the last connection refused for them, else 0 */
};

#define C_ID 0
#define C_ACTIVE 1
#define C_GID 2
#define GW_DB_GROUPS_MAX 1024 /* memberships read per user; more are ignored */
#define GW_GMAP_MAX 4096      /* group names kept per process */
#define GW_GMAP_SECONDS 60    /* how long a group name is trusted */
#define GW_DB_RETRIES 10      /* tries after deadlocks and certification conflicts */

/* DB_RETRY: deadlock, run again; DB_SLOW: a server-side time limit hit,
 * the connection is fine; DB_GONE: the connection is lost; DB_DOWN: the
 * server answers but cannot take the work now (read-only, a cluster node
 * not ready or cut off from the primary component): drop the connection,
 * answer 503; DB_FAIL: anything else. */
typedef enum { DB_OK, DB_RETRY, DB_SLOW, DB_GONE, DB_DOWN, DB_FAIL } db_rc;

#define GW_ER_READ_ONLY 1290   /* ER_OPTION_PREVENTS_STATEMENT: --read-only */
#define GW_ER_WSREP_NOT_READY 1047 /* ER_UNKNOWN_COM_ERROR: Galera node not prepared */
#define GW_ER_COMMIT_FAILED 1180   /* ER_ERROR_DURING_COMMIT: e.g. Galera, no quorum */


/* One attempt of an operation. Sets *deny for a decision (unknown,
 * inactive, ...) and *again to be run once more (a lost race). */
typedef db_rc (*db_op)(gw_db *db, void *arg, gw_status *deny, bool *again);

/* Runs op until it settles (db.c: retries, reconnects, classification). */
gw_status db_call(gw_db *db, db_op op, void *arg);

/* Errors: recorded for the log (values masked) and classified. */
void db_seterr(gw_db *db, unsigned code, const char *msg);
db_rc db_stmt_rc(gw_db *db, MYSQL_STMT *st);
db_rc db_conn_rc(gw_db *db);
/* The error of a failed fetch or store: the statement's, else the
 * connection's, never none. */
db_rc db_fetch_rc(gw_db *db, MYSQL_STMT *st);
/* Ends a fetch (see db.c): the rest read, freed, any late error returned. */
db_rc db_fetch_close(gw_db *db, MYSQL_STMT *st, int r);
void db_disconnect(gw_db *db);
void db_close_stmt(MYSQL_STMT **st);
void db_rollback(gw_db *db);

/* db_conn.c: connects to the first node of database.nodes that answers
 * (and, on Galera, is ready), in the order given; or to nodes[i]. */
db_rc db_connect(gw_db *db);
db_rc db_connect_node(gw_db *db, size_t i);

/* db.c: connects, checks the schema and prepares; problems (for
 * --check-config) are appended to out when not NULL. */
db_rc db_open(gw_db *db, gw_buf *out, int *nproblems);

/* db_schema.c: checks the schema against the configuration and records
 * the column lengths (db->lens); returns the number of problems
 * (appended to out when not NULL), *rc a database error. */
int db_schema_check(gw_db *db, gw_buf *out, db_rc *rc);

/* Statements and parameters (db->par). */
db_rc db_prepare(gw_db *db, MYSQL_STMT **st, const gw_buf *sql);
db_rc db_prepare_text(gw_db *db, MYSQL_STMT **st, const char *sql);
db_rc db_run(gw_db *db, MYSQL_STMT *st);
db_rc db_query(gw_db *db, const char *sql);
void bind_text(MYSQL_BIND *b, unsigned long *len, const char *s);
void bind_bytes(MYSQL_BIND *b, unsigned long *len, const unsigned char *p, size_t n);
void bind_long(MYSQL_BIND *b, long *v);

/* The user row of sel or ssel (parameters bound) into db->cols. */
db_rc db_fetch_user(gw_db *db, MYSQL_STMT *st, bool *found);
const char *db_val(const gw_db *db, int ci);
void db_result(gw_db *db, gw_dbresult *res);

/* db_groups.c. db_collect_gid adds the group id of the fetched row (if
 * any) to db->gids; db_group_names turns db->gids into db->cur.
 * db_create_groups (groups.sync create) makes the groups the
 * plan joins and that do not exist yet, each in its own short autocommit
 * statement before the user's transaction, so that the transaction never
 * writes (or locks) a groups row that other front-ends' first logins
 * write too; a group made for a login that then fails stays, without
 * members. db_sync_groups writes the membership changes of user uid
 * inside the transaction; for a user just created, the groups it joined
 * become db->cur. */
void db_collect_gid(gw_db *db);
db_rc db_group_names(gw_db *db);
db_rc db_create_groups(gw_db *db, const gw_user *u);
db_rc db_sync_groups(gw_db *db, const char *uid, const gw_user *u, bool created);

/* db_session.c: prepares the session statements; scols and sjoins are
 * the user columns and joins that ssel shares with sel. */
db_rc db_session_prepare(gw_db *db, const gw_buf *scols, const gw_buf *sjoins);

#endif
