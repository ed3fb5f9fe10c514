/*
 * db.h - the MariaDB edge: one connection per process, opened lazily,
 * re-opened (and statements re-prepared) after any connection error.
 *
 * Policy stays with the caller: this module only reads and writes rows
 * and reports what happened as a gw_status.
 */
#ifndef GW_DB_H
#define GW_DB_H

#include <stdbool.h>

#include "config.h"
#include "gwauth.h"
#include "usermap.h"
#include "util.h"

typedef struct gw_db gw_db;

/* What gw_db_sync_user did, and the values to export. */
typedef struct {
    const char **exports;    /* one per cfg->exports.v entry; NULL for
                                non-column exports; owned by the gw_db,
                                valid until its next call */
    const char *const *groups; /* the user's group names in the database,
                                sorted (ngroups of them, maybe none); NULL
                                when the configuration does not read them;
                                owned like exports */
    size_t ngroups;
    const char *user_id;     /* users.id as text, and users.global_id: */
    const char *global_id;   /* owned like exports */
    long logged_out_at;      /* users.logged_out_at as a Unix time, 0 when
                                none (read with logout.backchannel_path) */
    bool created;            /* the user row was inserted by this call */
    bool updated;            /* some row was written by this call */
} gw_dbresult;

#define GW_SESSION_HASH_LEN 32 /* SHA-256 of the session token */

/* A handle for cfg (which must outlive it). Does not connect. NULL when
 * out of memory. */
gw_db *gw_db_new(const gw_config *cfg);
void gw_db_free(gw_db *db);

/* Connects when not connected: opens the connection, learns the mapped
 * columns' lengths, prepares the statements. GW_OK or GW_E_UNAVAILABLE. */
gw_status gw_db_ensure(gw_db *db);

/* Column lengths learned by the last successful gw_db_ensure. */
const gw_collens *gw_db_collens(const gw_db *db);

/* README step 5: looks the user up by global_id, creates it (with its
 * related rows) or writes what changed, in one transaction; writes
 * nothing when nothing changed. Returns GW_OK, GW_E_UNKNOWN_USER,
 * GW_E_INACTIVE, GW_E_MALFORMED (a value the column type refuses),
 * GW_E_UNAVAILABLE (database unreachable or too slow) or GW_E_INTERNAL.
 * u must already be fitted to gw_db_collens(). */
gw_status gw_db_sync_user(gw_db *db, const gw_user *u, gw_dbresult *res);

/* README step 6: the user of the session whose token hash is hash,
 * unless it expired (session.ttl_seconds) or went unused too long
 * (session.idle_seconds); its last use is written when older than
 * session.touch_seconds. GW_OK (res filled as by gw_db_sync_user), GW_E_UNAUTHENTICATED (no
 * such session), GW_E_INACTIVE, GW_E_UNAVAILABLE or GW_E_INTERNAL. */
gw_status gw_db_session_user(gw_db *db, const unsigned char *hash, gw_dbresult *res);

/* Where a session was made: stored for the operator, never exported.
 * Any member may be NULL. */
typedef struct {
    const char *client_addr;  /* REMOTE_ADDR */
    const char *user_agent;   /* HTTP_USER_AGENT: cut to 255 bytes, made printable ASCII */
    const char *sid;          /* the identity provider's session id (ID token "sid") */
} gw_session_info;

/* Stores a session for the active user user_id (decimal text), expiring
 * after session.ttl_seconds, and ends the user's oldest sessions beyond
 * session.max_per_user, in one transaction. Also purges expired sessions
 * now and then (see db_session.c). GW_E_UNAUTHENTICATED when the user is
 * unknown or inactive. */
gw_status gw_db_session_create(gw_db *db, const char *user_id, const unsigned char *hash,
                               const gw_session_info *info);

/* The purge of expired sessions (and of expired back-channel records),
 * once per installation at a time (a lease in the database): *rows
 * sessions removed, or -1 when another process holds the lease. Also run
 * now and then by gw_db_session_create. */
gw_status gw_db_session_purge(gw_db *db, long *rows);

/* Deletes the session with this token hash (if any); *ended (may be
 * NULL) tells whether there was one. */
gw_status gw_db_session_delete(gw_db *db, const unsigned char *hash, bool *ended);

/* The user switch: deletes the session with this token hash when it
 * belongs to a user whose global_id is not global_id. *ended tells
 * whether it did. */
gw_status gw_db_session_end_other(gw_db *db, const unsigned char *hash, const char *global_id,
                                  bool *ended);

/* Back-channel logout, in one transaction: records the logout token
 * (token_hash: SHA-256 of its issuer and jti) until exp, refusing a
 * replay (*replay, nothing else done); then, with sid, ends the sessions
 * made with that sid (of user sub when sub is given) and records the
 * provider session as ended (sid_hash); without sid, ends
 * every session of user sub and sets its logged_out_at to iat (never
 * earlier than it was). *ended counts the sessions. */
gw_status gw_db_backchannel_logout(gw_db *db, const unsigned char *token_hash, long exp,
                                   const char *sub, const char *sid, const unsigned char *sid_hash,
                                   long iat, long *ended, bool *replay);

/* Whether the provider session with this sid_hash (SHA-256 of its issuer,
 * NUL, sid) was ended by a back-channel logout (within session.ttl_seconds). */
gw_status gw_db_sid_ended(gw_db *db, const unsigned char *sid_hash, bool *ended);

/* The responder's health check, cheap and without a write: connected
 * (connecting checks that the schema matches the configuration) and
 * answering (on Galera: synced and in the primary component). GW_OK, or
 * GW_E_UNAVAILABLE with *reason "database_unreachable", "schema_mismatch",
 * "node_not_ready" or "database_unavailable". */
gw_status gw_db_health(gw_db *db, const char **reason);

/* The last database error, for the log ("1213 Deadlock found..."). */
const char *gw_db_last_error(const gw_db *db);

/* Before a configuration is used (start, reload): -1 when the database
 * cannot be reached (it may come later: requests answer 503 meanwhile),
 * else the number of problems (tables, columns, statements) appended to
 * problems, one line each; 0 when it matches. */
int gw_db_verify(const gw_config *cfg, gw_buf *problems);

/* --check-config: connects, checks every table and column the
 * configuration names, and prepares every statement. Appends one line
 * per problem to problems; returns the number of problems. Appends to
 * notes what is worth knowing but no problem (related tables with other
 * unique keys). */
int gw_db_check(const gw_config *cfg, gw_buf *problems, gw_buf *notes);

#endif
