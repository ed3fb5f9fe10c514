/*
 * floor_db.c - the benchmark's database baselines: authorizers that do the
 * least a database-backed one must do. They decode X-Userinfo (base64,
 * JSON), run one prepared SELECT by global_id, and answer 200 with the id
 * as REMOTE_USER (403 when unknown). No checks, no cache, no retry.
 *
 *   floor_db          the lookup alone (floor-db)
 *   floor_db create   an unknown user is created with its profile in one
 *                     transaction (START TRANSACTION, INSERT users, INSERT
 *                     user_profiles, COMMIT): no groups, no read-back
 *                     (floor-create)
 *
 * Database from BENCH_DB_SOCKET, BENCH_DB_USER, BENCH_DB_PASSWORD, BENCH_DB_NAME.
 */
#include <cjson/cJSON.h>
#include <fcgiapp.h>
#include <mysql.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static MYSQL_STMT *prepare(MYSQL *db, const char *q)
{
    MYSQL_STMT *st = mysql_stmt_init(db);
    if (!st || mysql_stmt_prepare(st, q, strlen(q))) {
        fprintf(stderr, "floor_db: %s\n", mysql_error(db));
        exit(1);
    }
    return st;
}

static void bind_str(MYSQL_BIND *b, unsigned long *len, const char *s)
{
    memset(b, 0, sizeof(*b));
    *len = strlen(s);
    b->buffer_type = MYSQL_TYPE_STRING;
    b->buffer = (void *)s;
    b->buffer_length = *len;
    b->length = len;
}

/* The claim k's text, "" when absent. */
static const char *str(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : "";
}

/* The user's id into id (empty when unknown or on an error). */
static void lookup(MYSQL_STMT *sel, const char *sub, char *id, size_t idlen)
{
    MYSQL_BIND p, r;
    unsigned long plen, rlen = 0;
    bind_str(&p, &plen, sub);
    memset(&r, 0, sizeof(r));
    r.buffer_type = MYSQL_TYPE_STRING;
    r.buffer = id;
    r.buffer_length = idlen - 1;
    r.length = &rlen;
    id[0] = '\0';
    if (!mysql_stmt_bind_param(sel, &p) && !mysql_stmt_execute(sel) &&
        !mysql_stmt_bind_result(sel, &r) && mysql_stmt_fetch(sel) == 0)
        id[rlen] = '\0';
    mysql_stmt_free_result(sel);
}

/* Creates the user and its profile; its id into id (empty on an error). */
static void create(MYSQL *db, MYSQL_STMT *ins, MYSQL_STMT *prof, const cJSON *claims, char *id,
                   size_t idlen)
{
    MYSQL_BIND p[3];
    unsigned long len[3];
    id[0] = '\0';
    if (mysql_query(db, "START TRANSACTION"))
        return;
    bind_str(&p[0], &len[0], str(claims, "sub"));
    bind_str(&p[1], &len[1], str(claims, "preferred_username"));
    bind_str(&p[2], &len[2], str(claims, "email"));
    if (mysql_stmt_bind_param(ins, p) || mysql_stmt_execute(ins))
        goto fail;
    snprintf(id, idlen, "%llu", (unsigned long long)mysql_stmt_insert_id(ins));
    bind_str(&p[0], &len[0], id);
    bind_str(&p[1], &len[1], str(claims, "country_code"));
    if (mysql_stmt_bind_param(prof, p) || mysql_stmt_execute(prof) || mysql_commit(db))
        goto fail;
    return;
fail:
    id[0] = '\0';
    mysql_rollback(db);
}

int main(int argc, char **argv)
{
    bool creating = argc > 1 && strcmp(argv[1], "create") == 0;
    MYSQL *db = mysql_init(NULL);
    if (!mysql_real_connect(db, "localhost", getenv("BENCH_DB_USER"), getenv("BENCH_DB_PASSWORD"),
                            getenv("BENCH_DB_NAME"), 0, getenv("BENCH_DB_SOCKET"), 0)) {
        fprintf(stderr, "floor_db: %s\n", mysql_error(db));
        return 1;
    }
    MYSQL_STMT *sel = prepare(db, "SELECT id FROM users WHERE global_id = ?"), *ins = NULL, *prof = NULL;
    if (creating) {
        ins = prepare(db, "INSERT INTO users (global_id, username, email, created_at, updated_at)"
                          " VALUES (?, ?, ?, NOW(6), NOW(6))");
        prof = prepare(db, "INSERT INTO user_profiles (user_id, country_code, email_optin) VALUES (?, ?, 0)");
    }
    FCGX_Request req;
    if (FCGX_Init() != 0 || FCGX_InitRequest(&req, 0, 0) != 0)
        return 1;
    while (FCGX_Accept_r(&req) >= 0) {
        const char *v = FCGX_GetParam("HTTP_X_USERINFO", req.envp);
        size_t n = 0;
        unsigned char *json = v ? gw_b64_decode(v, strlen(v), &n) : NULL;
        cJSON *claims = json ? cJSON_ParseWithLength((char *)json, n) : NULL;
        const cJSON *sub = cJSON_GetObjectItemCaseSensitive(claims, "sub");
        char id[32] = "";
        if (cJSON_IsString(sub)) {
            lookup(sel, sub->valuestring, id, sizeof(id));
            if (!*id && creating)
                create(db, ins, prof, claims, id, sizeof(id));
        }
        if (*id)
            FCGX_FPrintF(req.out, "Status: 200 OK\r\nVariable-REMOTE_USER: %s\r\n\r\n", id);
        else
            FCGX_PutS("Status: 403 Forbidden\r\n\r\n", req.out);
        cJSON_Delete(claims);
        free(json);
        FCGX_Finish_r(&req);
    }
    return 0;
}
