/*
 * db_session.c - sessions in MariaDB (README "Sessions" and "Logout"): the user of a token hash,
 * a new session, its end, and the purge of expired rows under the
 * cluster-wide lease (leases.session_purge).
 *
 *   ssel        the user columns of sel, and whether last_used_at is older
 *               than touch_seconds, FROM sessions s JOIN users u ... WHERE
 *               s.token_hash = ? AND s.expires_at > NOW(6)
 *               [AND s.last_used_at > NOW(6) - INTERVAL idle_seconds SECOND]
 *   sess_touch  last_used_at = NOW(6): at most once per touch_seconds
 *   sess_ins    a session of an active user; sess_trim then ends that
 *               user's oldest beyond max_per_user (one transaction)
 *   sess_del    one session; sess_switch one that is another user's
 *   sess_gc     a batch of expired or idle rows, under sess_lease
 *
 * With database.cluster "galera" the lookup and the delete wait for
 * every write the cluster committed (wsrep_sync_wait).
 */
#include <stdio.h>
#include <string.h>
#include <mysqld_error.h>
#include <unistd.h>

#include "counters.h"
#include "db_int.h"
#include "log.h"

#define GW_PURGE_SECONDS 30   /* the purge lease: one purge per installation per 30 s */
#define GW_PURGE_TRY_SECONDS 5 /* a process tries to take it at most this often */
#define GW_PURGE_BATCH 100    /* rows per DELETE */
#define GW_PURGE_BATCHES 20   /* DELETEs per purge at most */

db_rc db_session_prepare(gw_db *db, const gw_buf *scols, const gw_buf *sjoins)
{
    const gw_config *c = db->cfg;
    gw_buf q;
    gw_buf_init(&q);
    db_rc rc = DB_OK;
    /* On Galera a node applies other nodes' commits a little later: a
     * session made or ended through another front-end must be seen at
     * once, so these statements wait for what the cluster committed
     * (wsrep_sync_wait: 1 for reads, 2 for deletes), and only these:
     * user lookups stay fast. */
    const char *wait_read = c->database.galera ? "SET STATEMENT wsrep_sync_wait = 1 FOR " : "";
    const char *wait_delete = c->database.galera ? "SET STATEMENT wsrep_sync_wait = 2 FOR " : "";
    char idle[96] = "";
    if (c->session.idle_seconds)
        snprintf(idle, sizeof(idle), " `last_used_at` < NOW(6) - INTERVAL %ld SECOND",
                 c->session.idle_seconds);
#define PREP(st, ...)                                                                          \
    do {                                                                                       \
        gw_buf_reset(&q);                                                                      \
        gw_buf_printf(&q, __VA_ARGS__);                                                        \
        if ((rc = db_prepare(db, &db->st, &q)) != DB_OK)                                       \
            goto out;                                                                          \
    } while (0)
    if (c->session.enabled) {
        PREP(ssel, "%sSELECT %s FROM `sessions` s JOIN `users` u ON u.`id` = s.`user_id`%s"
                   " WHERE s.`token_hash` = ? AND s.`expires_at` > NOW(6)%s%s",
             wait_read, scols->data, sjoins->data, *idle ? " AND NOT s." : "", idle + (*idle != 0));
        PREP(sess_touch, "UPDATE `sessions` SET `last_used_at` = NOW(6) WHERE `token_hash` = ?");
        PREP(sess_ins, "INSERT INTO `sessions` (`token_hash`, `user_id`, `created_at`, `expires_at`,"
                       " `last_used_at`, `sid`, `client_addr`, `user_agent`)"
                       " SELECT ?, u.`id`, NOW(6), NOW(6) + INTERVAL %ld SECOND, NOW(6), ?, ?, ?"
                       " FROM `users` u WHERE u.`id` = ? AND u.`is_active` = 1",
             c->session.ttl_seconds);
        if (c->session.max_per_user)
            PREP(sess_trim, "DELETE FROM `sessions` WHERE `user_id` = ? AND `created_at` <"
                            " (SELECT t.c FROM (SELECT `created_at` AS c FROM `sessions`"
                            " WHERE `user_id` = ? ORDER BY `created_at` DESC LIMIT 1 OFFSET %ld) t)",
                 c->session.max_per_user - 1);
        PREP(sess_gc, "DELETE FROM `sessions` WHERE `expires_at` < NOW(6)%s%s LIMIT %d",
             *idle ? " OR" : "", idle, GW_PURGE_BATCH);
        PREP(sess_lease, "UPDATE `leases` SET `holder` = ?, `expires_at` = NOW(6) + INTERVAL %d"
                         " SECOND WHERE `name` = 'session_purge' AND `expires_at` <= NOW(6)",
             GW_PURGE_SECONDS);
        PREP(sess_switch, "%sDELETE s FROM `sessions` s JOIN `users` u ON u.`id` = s.`user_id`"
                          " WHERE s.`token_hash` = ? AND u.`global_id` <> ?",
             wait_delete);
    }
    if (c->session.enabled && *c->logout.backchannel_path) {
        PREP(bcl_jti, "INSERT INTO `logout_tokens` (`token_hash`, `expires_at`)"
                      " VALUES (?, FROM_UNIXTIME(?) + INTERVAL %ld SECOND)",
             c->identity.jwt.leeway_seconds);
        PREP(bcl_sid, "%sDELETE s FROM `sessions` s JOIN `users` u ON u.`id` = s.`user_id`"
                      " WHERE s.`sid` = ? AND (? IS NULL OR u.`global_id` = ?)",
             wait_delete);
        PREP(bcl_sub, "%sDELETE s FROM `sessions` s JOIN `users` u ON u.`id` = s.`user_id`"
                      " WHERE u.`global_id` = ?",
             wait_delete);
        PREP(bcl_mark, "UPDATE `users` SET `logged_out_at` ="
                       " GREATEST(COALESCE(`logged_out_at`, FROM_UNIXTIME(0)), FROM_UNIXTIME(?))"
                       " WHERE `global_id` = ?");
        PREP(bcl_gc, "DELETE FROM `logout_tokens` WHERE `expires_at` < NOW(6) LIMIT %d",
             GW_PURGE_BATCH);
        PREP(bcl_end, "INSERT INTO `ended_sids` (`sid_hash`, `expires_at`)"
                      " VALUES (?, NOW(6) + INTERVAL %ld SECOND)"
                      " ON DUPLICATE KEY UPDATE `expires_at` = VALUES(`expires_at`)",
             c->session.ttl_seconds);
        PREP(bcl_ended, "%sSELECT 1 FROM `ended_sids` WHERE `sid_hash` = ? AND `expires_at` > NOW(6)",
             wait_read);
        PREP(bcl_gc2, "DELETE FROM `ended_sids` WHERE `expires_at` < NOW(6) LIMIT %d", GW_PURGE_BATCH);
    }
    PREP(sess_del, "%sDELETE FROM `sessions` WHERE `token_hash` = ?", wait_delete);
#undef PREP
out:
    gw_buf_free(&q);
    return rc;
}

typedef struct {
    const unsigned char *hash;
    const char *uid;
    const gw_session_info *info;
    gw_dbresult *res;
    const char *global_id;
    bool ended;
    unsigned long long trimmed; /* sessions beyond max_per_user */
} db_sess_arg;

static db_rc db_session_user_once(gw_db *db, void *argp, gw_status *deny, bool *again)
{
    db_sess_arg *a = argp;
    (void)again;
    bool found;
    bind_bytes(&db->par[0], &db->parlen[0], a->hash, GW_SESSION_HASH_LEN);
    db_rc rc = db_fetch_user(db, db->ssel, &found);
    if (rc != DB_OK)
        return rc;
    if (!found) {
        *deny = GW_E_UNAUTHENTICATED;
        return DB_OK;
    }
    if (!gw_str_same(db_val(db, C_ACTIVE), "1")) {
        *deny = GW_E_INACTIVE;
        return DB_OK;
    }
    if (gw_str_same(db_val(db, db->c_stale), "1")) {
        /* The last use, coarsely: one write per touch_seconds at most.
         * Best effort (the lookup stands): the next use tries again. */
        bind_bytes(&db->par[0], &db->parlen[0], a->hash, GW_SESSION_HASH_LEN);
        if (db_run(db, db->sess_touch) != DB_OK)
            gw_log(GW_LOG_INFO, "event=session_touch_failed error=\"%s\"", gw_db_last_error(db));
    }
    db_result(db, a->res);
    return DB_OK;
}

gw_status gw_db_session_user(gw_db *db, const unsigned char *hash, gw_dbresult *res)
{
    memset(res, 0, sizeof(*res));
    res->exports = db->exports;
    db_sess_arg a = {.hash = hash, .res = res};
    return db_call(db, db_session_user_once, &a);
}

/* Text for a column of bounded size: at most max bytes of printable
 * ASCII (anything else becomes '?'), so no client's header can make the
 * INSERT fail on the column's character set. */
static void db_printable(char *out, size_t max, const char *in)
{
    size_t o = 0;
    for (const char *p = in ? in : ""; *p && o < max; p++)
        out[o++] = (*p >= 0x20 && *p < 0x7F) ? *p : '?';
    out[o] = '\0';
}

static db_rc db_session_create_once(gw_db *db, void *argp, gw_status *deny, bool *again)
{
    db_sess_arg *a = argp;
    (void)again;
    db_rc rc;
    char addr[46], ua[256];
    db_printable(addr, sizeof(addr) - 1, a->info ? a->info->client_addr : NULL);
    db_printable(ua, sizeof(ua) - 1, a->info ? a->info->user_agent : NULL);
    if ((rc = db_query(db, "START TRANSACTION")) != DB_OK)
        return rc;
    bind_bytes(&db->par[0], &db->parlen[0], a->hash, GW_SESSION_HASH_LEN);
    bind_text(&db->par[1], &db->parlen[1], a->info ? a->info->sid : NULL);
    bind_text(&db->par[2], &db->parlen[2], addr);
    bind_text(&db->par[3], &db->parlen[3], ua);
    bind_text(&db->par[4], &db->parlen[4], a->uid);
    if ((rc = db_run(db, db->sess_ins)) != DB_OK)
        goto abort;
    if (mysql_stmt_affected_rows(db->sess_ins) != 1) {
        db_rollback(db);
        *deny = GW_E_UNAUTHENTICATED; /* no such user, or inactive */
        return DB_OK;
    }
    if (db->sess_trim) {
        bind_text(&db->par[0], &db->parlen[0], a->uid);
        bind_text(&db->par[1], &db->parlen[1], a->uid);
        if ((rc = db_run(db, db->sess_trim)) != DB_OK)
            goto abort;
        my_ulonglong n = mysql_stmt_affected_rows(db->sess_trim);
        a->trimmed = n != (my_ulonglong)-1 ? (unsigned long long)n : 0;
    }
    if (mysql_commit(db->conn)) {
        rc = db_conn_rc(db);
        goto abort;
    }
    return DB_OK;
abort:
    db_rollback(db);
    return rc;
}

/* The purge of expired sessions, under the cluster-wide lease: one UPDATE
 * takes it when it has expired (on Galera a concurrent taker on another
 * node loses its certification and skips), then DELETEs of
 * GW_PURGE_BATCH rows, each its own statement, until fewer come back.
 * *purged counts the rows; -1 when the lease was not ours. */
static db_rc db_purge_once(gw_db *db, void *argp, gw_status *deny, bool *again)
{
    long *purged = argp;
    (void)deny;
    (void)again;
    *purged = -1;
    char host[64] = "";
    if (gethostname(host, sizeof(host) - 1) != 0)
        host[0] = '\0';
    snprintf(db->holder, sizeof(db->holder), "%s:%ld", host, (long)getpid());
    bind_text(&db->par[0], &db->parlen[0], db->holder);
    db_rc rc = db_run(db, db->sess_lease);
    if (rc == DB_RETRY)
        return DB_OK; /* another node took it at the same time */
    if (rc != DB_OK || mysql_stmt_affected_rows(db->sess_lease) != 1)
        return rc;
    *purged = 0;
    if (db->bcl_gc && ((rc = db_run(db, db->bcl_gc)) != DB_OK || /* one batch each per turn */
                       (rc = db_run(db, db->bcl_gc2)) != DB_OK))
        return rc == DB_RETRY ? DB_OK : rc;
    for (int i = 0; i < GW_PURGE_BATCHES; i++) {
        if ((rc = db_run(db, db->sess_gc)) != DB_OK)
            return rc == DB_RETRY ? DB_OK : rc; /* the next turn goes on */
        my_ulonglong n = mysql_stmt_affected_rows(db->sess_gc);
        *purged += (long)n;
        if (n < GW_PURGE_BATCH)
            break;
    }
    return DB_OK;
}

gw_status gw_db_session_purge(gw_db *db, long *rows)
{
    *rows = -1;
    gw_status st = db_call(db, db_purge_once, rows);
    if (st != GW_OK)
        gw_log(GW_LOG_INFO, "event=session_purge_skipped");
    else if (*rows < 0)
        gw_log(GW_LOG_DEBUG, "event=session_purge_skipped reason=\"another process holds the lease\"");
    else if (*rows > 0) {
        gw_log(GW_LOG_INFO, "event=sessions_purged rows=%ld", *rows);
        gw_count(GW_MF_SESSIONS_ENDED, GW_M_ENDED_EXPIRED, (uint64_t)*rows);
    }
    return st;
}

gw_status gw_db_session_create(gw_db *db, const char *user_id, const unsigned char *hash,
                               const gw_session_info *info)
{
    /* Expired rows go before a session is made, by statements of their
     * own, by one process of the installation at a time (the lease),
     * and best effort: a failure is logged and never costs the session. */
    time_t now = time(NULL);
    if (now - db->purged >= GW_PURGE_TRY_SECONDS) {
        db->purged = now;
        long purged;
        gw_db_session_purge(db, &purged);
    }
    db_sess_arg a = {.hash = hash, .uid = user_id, .info = info};
    gw_status st = db_call(db, db_session_create_once, &a);
    if (st == GW_OK && a.trimmed) { /* committed */
        gw_log(GW_LOG_INFO, "event=session_ended reason=max_per_user user_id=%s sessions=%llu",
               user_id, a.trimmed);
        gw_count(GW_MF_SESSIONS_ENDED, GW_M_ENDED_LIMIT, a.trimmed);
    }
    if (st == GW_OK)
        gw_count(GW_MF_SESSIONS, 0, 1);
    return st;
}

static db_rc db_session_delete_once(gw_db *db, void *argp, gw_status *deny, bool *again)
{
    db_sess_arg *a = argp;
    (void)deny;
    (void)again;
    bind_bytes(&db->par[0], &db->parlen[0], a->hash, GW_SESSION_HASH_LEN);
    db_rc rc = db_run(db, db->sess_del);
    a->ended = rc == DB_OK && mysql_stmt_affected_rows(db->sess_del) == 1;
    return rc;
}

gw_status gw_db_session_delete(gw_db *db, const unsigned char *hash, bool *ended)
{
    db_sess_arg a = {.hash = hash};
    gw_status st = db_call(db, db_session_delete_once, &a);
    if (ended)
        *ended = st == GW_OK && a.ended;
    return st;
}

static db_rc db_session_switch_once(gw_db *db, void *argp, gw_status *deny, bool *again)
{
    db_sess_arg *a = argp;
    (void)deny;
    (void)again;
    bind_bytes(&db->par[0], &db->parlen[0], a->hash, GW_SESSION_HASH_LEN);
    bind_text(&db->par[1], &db->parlen[1], a->global_id);
    db_rc rc = db_run(db, db->sess_switch);
    a->ended = rc == DB_OK && mysql_stmt_affected_rows(db->sess_switch) > 0;
    return rc;
}

gw_status gw_db_session_end_other(gw_db *db, const unsigned char *hash, const char *global_id,
                                  bool *ended)
{
    db_sess_arg a = {.hash = hash, .global_id = global_id};
    gw_status st = db_call(db, db_session_switch_once, &a);
    *ended = st == GW_OK && a.ended;
    return st;
}

/* --- back-channel logout -------------------------------------------------- */

typedef struct {
    const unsigned char *hash;
    long exp, iat;
    const char *sub, *sid;
    const unsigned char *sid_hash;
    long ended;
    bool replay;
    bool found;
} db_bcl_arg;

static db_rc db_bcl_once(gw_db *db, void *argp, gw_status *deny, bool *again)
{
    db_bcl_arg *a = argp;
    (void)deny;
    (void)again;
    a->ended = 0;
    a->replay = false;
    db_rc rc;
    if ((rc = db_query(db, "START TRANSACTION")) != DB_OK)
        return rc;
    bind_bytes(&db->par[0], &db->parlen[0], a->hash, GW_SESSION_HASH_LEN);
    bind_long(&db->par[1], &a->exp);
    rc = db_run(db, db->bcl_jti);
    if (rc == DB_FAIL && mysql_stmt_errno(db->bcl_jti) == ER_DUP_ENTRY) {
        db_rollback(db);
        a->replay = true;
        return DB_OK;
    }
    if (rc != DB_OK)
        goto abort;
    MYSQL_STMT *del;
    if (a->sid) {
        del = db->bcl_sid;
        bind_text(&db->par[0], &db->parlen[0], a->sid);
        bind_text(&db->par[1], &db->parlen[1], a->sub);
        bind_text(&db->par[2], &db->parlen[2], a->sub);
    } else {
        del = db->bcl_sub;
        bind_text(&db->par[0], &db->parlen[0], a->sub);
    }
    if ((rc = db_run(db, del)) != DB_OK)
        goto abort;
    a->ended = (long)mysql_stmt_affected_rows(del);
    if (a->sid) {
        bind_bytes(&db->par[0], &db->parlen[0], a->sid_hash, GW_SESSION_HASH_LEN);
        if ((rc = db_run(db, db->bcl_end)) != DB_OK)
            goto abort;
    }
    if (!a->sid) {
        bind_long(&db->par[0], &a->iat);
        bind_text(&db->par[1], &db->parlen[1], a->sub);
        if ((rc = db_run(db, db->bcl_mark)) != DB_OK)
            goto abort;
    }
    if (mysql_commit(db->conn)) {
        rc = db_conn_rc(db);
        goto abort;
    }
    return DB_OK;
abort:
    a->ended = 0;
    db_rollback(db);
    return rc;
}

gw_status gw_db_backchannel_logout(gw_db *db, const unsigned char *token_hash, long exp,
                                   const char *sub, const char *sid, const unsigned char *sid_hash,
                                   long iat, long *ended, bool *replay)
{
    db_bcl_arg a = {.hash = token_hash, .exp = exp, .iat = iat, .sub = sub, .sid = sid,
                    .sid_hash = sid_hash};
    gw_status st = db_call(db, db_bcl_once, &a);
    *ended = st == GW_OK ? a.ended : 0;
    *replay = st == GW_OK && a.replay;
    return st;
}

static db_rc db_sid_ended_once(gw_db *db, void *argp, gw_status *deny, bool *again)
{
    db_bcl_arg *a = argp;
    (void)deny;
    (void)again;
    bind_bytes(&db->par[0], &db->parlen[0], a->sid_hash, GW_SESSION_HASH_LEN);
    db_rc rc = db_run(db, db->bcl_ended);
    if (rc != DB_OK)
        return rc;
    if (mysql_stmt_store_result(db->bcl_ended)) {
        rc = db_fetch_rc(db, db->bcl_ended);
        mysql_stmt_free_result(db->bcl_ended);
        return rc;
    }
    a->found = mysql_stmt_num_rows(db->bcl_ended) > 0;
    mysql_stmt_free_result(db->bcl_ended);
    return DB_OK;
}

gw_status gw_db_sid_ended(gw_db *db, const unsigned char *sid_hash, bool *ended)
{
    db_bcl_arg a = {.sid_hash = sid_hash};
    gw_status st = db_call(db, db_sid_ended_once, &a);
    *ended = st == GW_OK && a.found;
    return st;
}
