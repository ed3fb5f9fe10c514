/*
 * floor_db.c - the benchmark's second baseline: an authorizer that does the
 * least a database-backed one must do. It decodes X-Userinfo (base64, JSON),
 * runs one prepared SELECT by global_id, and answers 200 with the id as
 * REMOTE_USER (403 when unknown). No checks, no writes, no cache.
 * Database from BENCH_DB_SOCKET, BENCH_DB_USER, BENCH_DB_PASSWORD, BENCH_DB_NAME.
 */
#include <cjson/cJSON.h>
#include <fcgiapp.h>
#include <mysql.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

int main(void)
{
    MYSQL *db = mysql_init(NULL);
    if (!mysql_real_connect(db, "localhost", getenv("BENCH_DB_USER"), getenv("BENCH_DB_PASSWORD"),
                            getenv("BENCH_DB_NAME"), 0, getenv("BENCH_DB_SOCKET"), 0)) {
        fprintf(stderr, "floor_db: %s\n", mysql_error(db));
        return 1;
    }
    static const char q[] = "SELECT id FROM users WHERE global_id = ?";
    MYSQL_STMT *st = mysql_stmt_init(db);
    if (!st || mysql_stmt_prepare(st, q, sizeof(q) - 1)) {
        fprintf(stderr, "floor_db: %s\n", mysql_error(db));
        return 1;
    }
    FCGX_Request req;
    if (FCGX_Init() != 0 || FCGX_InitRequest(&req, 0, 0) != 0)
        return 1;
    while (FCGX_Accept_r(&req) >= 0) {
        const char *v = gw_env_get(req.envp, "HTTP_X_USERINFO");
        size_t n = 0;
        unsigned char *json = v ? gw_b64_decode(v, strlen(v), &n) : NULL;
        cJSON *claims = json ? cJSON_ParseWithLength((char *)json, n) : NULL;
        const cJSON *sub = cJSON_GetObjectItemCaseSensitive(claims, "sub");
        char id[32] = "";
        if (cJSON_IsString(sub)) {
            MYSQL_BIND p, r;
            unsigned long plen = strlen(sub->valuestring), rlen = 0;
            memset(&p, 0, sizeof(p));
            memset(&r, 0, sizeof(r));
            p.buffer_type = MYSQL_TYPE_STRING;
            p.buffer = sub->valuestring;
            p.buffer_length = plen;
            p.length = &plen;
            r.buffer_type = MYSQL_TYPE_STRING;
            r.buffer = id;
            r.buffer_length = sizeof(id) - 1;
            r.length = &rlen;
            if (!mysql_stmt_bind_param(st, &p) && !mysql_stmt_execute(st) &&
                !mysql_stmt_bind_result(st, &r) && mysql_stmt_fetch(st) == 0)
                id[rlen] = '\0';
            else
                id[0] = '\0';
            mysql_stmt_free_result(st);
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
