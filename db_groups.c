/*
 * db_groups.c - a user's groups in MariaDB: the memberships a user row
 * brings (one group id per row of sel or ssel), their names (through the
 * process's id -> name map, namemap.h), and the writes of groups.sync
 * that the write plan (plan.h) asks for.
 */
#include "db_int.h"

#include <mysql.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void db_collect_gid(gw_db *db)
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

static int db_name_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A name the @groups export or the rules could misread (a newline would
 * make two groups of one, a comma two exported names, a NUL would cut
 * it) is never exported or matched. */
static bool db_group_name_ok(const char *name, size_t len)
{
    return *name && strlen(name) == len && !gw_has_ctl(name) && !strchr(name, ',');
}

/* The name of group id from the database, or "" when the group is gone
 * or its name is unusable; NULL with *rc set on an error. */
static const char *db_group_name_read(gw_db *db, unsigned long long id, time_t now, db_rc *rc)
{
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
        return "";
    name[nlen < sizeof(name) - 1 ? nlen : sizeof(name) - 1] = '\0';
    if (!db_group_name_ok(name, nlen))
        name[0] = '\0';
    const char *kept = gw_namemap_put(&db->gmap, id, name, now);
    if (!kept) {
        db_seterr(db, 0, "out of memory");
        *rc = DB_FAIL;
    }
    return kept;
}

db_rc db_group_names(gw_db *db)
{
    time_t now = time(NULL);
    db_rc rc = DB_OK;
    /* every name of this user stays valid until the next user's */
    gw_namemap_reserve(&db->gmap, db->ngids);
    db->ncur = 0;
    for (size_t i = 0; i < db->ngids; i++) {
        const char *name = gw_namemap_get(&db->gmap, db->gids[i], now);
        if (!name && !(name = db_group_name_read(db, db->gids[i], now, &rc)))
            return rc;
        if (*name)
            db->cur[db->ncur++] = name;
    }
    qsort(db->cur, db->ncur, sizeof(db->cur[0]), db_name_cmp);
    return DB_OK;
}

db_rc db_create_groups(gw_db *db, const gw_user *u)
{
    if (db->cfg->groups.sync != GW_SYNC_CREATE)
        return DB_OK;
    for (size_t i = 0; i < u->ngroups; i++) {
        const char *g = u->groups[i];
        if (!gw_plan_join(db->cfg, &db->row, g))
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

db_rc db_sync_groups(gw_db *db, const char *uid, const gw_user *u, bool created)
{
    const gw_config *c = db->cfg;
    db_rc rc;
    size_t joined = 0;
    for (size_t i = 0; i < u->ngroups; i++) {
        const char *g = u->groups[i];
        if (!gw_plan_join(c, &db->row, g))
            continue;
        bind_text(&db->par[0], &db->parlen[0], uid);
        bind_text(&db->par[1], &db->parlen[1], g);
        if ((rc = db_run(db, db->grp_add)) != DB_OK)
            return rc;
        /* a new user's groups are the ones joined here (a group that
         * does not exist is not joined under sync "existing"); the
         * claim's names are usable already (usermap.c) */
        if (created && mysql_stmt_affected_rows(db->grp_add) > 0 && joined < GW_DB_GROUPS_MAX)
            db->cur[joined++] = g;
    }
    if (created) {
        db->ncur = joined; /* u->groups is sorted, so is this */
        return DB_OK;
    }
    for (size_t i = 0; i < db->ncur; i++) {
        const char *g = db->cur[i];
        if (!gw_plan_leave(c, u, g))
            continue;
        bind_text(&db->par[0], &db->parlen[0], uid);
        bind_text(&db->par[1], &db->parlen[1], g);
        if ((rc = db_run(db, db->grp_del)) != DB_OK)
            return rc;
    }
    return DB_OK;
}
