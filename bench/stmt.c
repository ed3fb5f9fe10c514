/*
 * stmt.c - the database server's CPU time per execution of one prepared
 * statement (bench/statements.sh): what a statement costs MariaDB itself,
 * without the web server, the authorizer or the benchmark's load.
 *
 *   stmt SOCKET SERVER_PID KIND COUNT SQL
 *
 * Prepares SQL (one parameter) on the server at SOCKET, executes it COUNT
 * times, fetching every row, and prints the CPU time the server process
 * SERVER_PID spent meanwhile, per execution, in microseconds, and the rows
 * read. KIND is the parameter: "user" binds bench-N (N = 1 ... 1000, a
 * user's global_id), "session" the SHA-256 of the session token
 * benchN (38 digits), as bench/run.sh loads them. The server's session runs
 * with the same settings as gwauth's (READ COMMITTED, max_statement_time).
 *
 * Database user, password and name from BENCH_DB_USER, BENCH_DB_PASSWORD,
 * BENCH_DB_NAME.
 */
#include <mysql.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* utime + stime of process pid, in clock ticks; -1 when unreadable. */
static long long cpu_ticks(const char *pid)
{
    char path[64], buf[4096];
    snprintf(path, sizeof(path), "/proc/%s/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *p = strrchr(buf, ')'); /* the name may hold spaces */
    long long ut, st;
    if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lld %lld", &ut, &st) != 2)
        return -1;
    return ut + st;
}

int main(int argc, char **argv)
{
    if (argc != 6 || (strcmp(argv[3], "user") != 0 && strcmp(argv[3], "session") != 0) ||
        atoi(argv[4]) <= 0) {
        fprintf(stderr, "usage: stmt SOCKET SERVER_PID user|session COUNT SQL\n");
        return 2;
    }
    const char *sql = argv[5];
    int count = atoi(argv[4]);
    int session = strcmp(argv[3], "session") == 0;
    MYSQL *db = mysql_init(NULL);
    if (!db || !mysql_real_connect(db, NULL, getenv("BENCH_DB_USER"), getenv("BENCH_DB_PASSWORD"),
                                   getenv("BENCH_DB_NAME"), 0, argv[1], 0)) {
        fprintf(stderr, "stmt: %s\n", db ? mysql_error(db) : "out of memory");
        return 1;
    }
    if (mysql_query(db, "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED") ||
        mysql_query(db, "SET SESSION max_statement_time = 5")) {
        fprintf(stderr, "stmt: %s\n", mysql_error(db));
        return 1;
    }
    MYSQL_STMT *st = mysql_stmt_init(db);
    if (!st || mysql_stmt_prepare(st, sql, strlen(sql)) || mysql_stmt_param_count(st) != 1) {
        fprintf(stderr, "stmt: %s\n", st ? mysql_stmt_error(st) : "out of memory");
        if (st && !*mysql_stmt_error(st))
            fprintf(stderr, "stmt: the statement must take one parameter\n");
        return 1;
    }
    enum { MAXCOLS = 128, COLBYTES = 512 };
    unsigned ncols = mysql_stmt_field_count(st);
    if (ncols > MAXCOLS) {
        fprintf(stderr, "stmt: more than %d columns\n", MAXCOLS);
        return 1;
    }
    static char cols[MAXCOLS][COLBYTES];
    static unsigned long lens[MAXCOLS];
    static my_bool nulls[MAXCOLS];
    MYSQL_BIND res[MAXCOLS];
    memset(res, 0, sizeof(res));
    for (unsigned i = 0; i < ncols; i++) {
        res[i].buffer_type = MYSQL_TYPE_STRING;
        res[i].buffer = cols[i];
        res[i].buffer_length = COLBYTES;
        res[i].length = &lens[i];
        res[i].is_null = &nulls[i];
    }
    if (ncols && mysql_stmt_bind_result(st, res)) {
        fprintf(stderr, "stmt: %s\n", mysql_stmt_error(st));
        return 1;
    }
    char par[64];
    unsigned long plen = 0;
    MYSQL_BIND pb;
    memset(&pb, 0, sizeof(pb));
    pb.buffer_type = MYSQL_TYPE_STRING;
    pb.buffer = par;
    pb.length = &plen;
    long long rows = 0, t0 = cpu_ticks(argv[2]);
    if (t0 < 0) {
        fprintf(stderr, "stmt: no process %s\n", argv[2]);
        return 1;
    }
    for (int i = 0; i < count; i++) {
        int n = 1 + i % 1000;
        if (session) {
            char tok[64];
            int tl = snprintf(tok, sizeof(tok), "bench%038d", n);
            SHA256((const unsigned char *)tok, (size_t)tl, (unsigned char *)par);
            plen = SHA256_DIGEST_LENGTH;
        } else {
            plen = (unsigned long)snprintf(par, sizeof(par), "bench-%d", n);
        }
        pb.buffer_length = plen;
        if (mysql_stmt_bind_param(st, &pb) || mysql_stmt_execute(st)) {
            fprintf(stderr, "stmt: %s\n", mysql_stmt_error(st));
            return 1;
        }
        int r;
        while ((r = mysql_stmt_fetch(st)) == 0 || r == MYSQL_DATA_TRUNCATED)
            rows++;
        mysql_stmt_free_result(st);
    }
    long long t1 = cpu_ticks(argv[2]);
    printf("%.1f %lld\n", (double)(t1 - t0) / (double)sysconf(_SC_CLK_TCK) * 1e6 / count, rows);
    mysql_stmt_close(st);
    mysql_close(db);
    return 0;
}
