/*
 * admin.c - gwauth-admin: the day-2 tasks on gwauth's database, with the
 * programs' configuration file and database code: show, deactivate and
 * activate users; list, revoke and purge sessions; explain a decision
 * without writing anything; the installation's status.
 *
 * Every command prints text for people, or with --json one JSON document
 * for scripts. Exit status: 0 done (explain: allowed), 1 an error (the
 * configuration, the database), 2 a usage error, 3 not found (explain:
 * denied).
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "config.h"
#include "load.h"
#include "counters.h"
#include "db.h"
#include "db_admin.h"
#include "gwauth.h"
#include "keyring.h"
#include "log.h"
#include "perms.h"
#include "rules.h"
#include "signer.h"
#include "snippet.h"
#include "usermap.h"
#include "util.h"

#define GW_DEFAULT_CONFIG "/etc/gwauth/gwauth.json"
enum { EX_DONE = 0, EX_ERROR = 1, EX_USAGE = 2, EX_NOTFOUND = 3 };

typedef struct {
    gw_config *cfg;
    const char *cfgpath;
    gw_db *db;
    bool json;
} admin;

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: gwauth-admin [-c FILE] [--json] COMMAND [ARGUMENTS]\n"
            "Day-2 tasks on gwauth's database, with the programs' configuration file.\n"
            "\n"
            "Commands:\n"
            "  user show ID | --global-id SUB | --email EMAIL\n"
            "                      the user (users.id ID), its mapped columns, groups, sessions\n"
            "  user deactivate ID  is_active = 0 and every session of the user ends (one\n"
            "                      transaction); header requests are refused within\n"
            "                      identity.cache_seconds, session requests at once\n"
            "  user activate ID    is_active = 1\n"
            "  sessions list [--user ID] [--limit N]\n"
            "                      sessions (newest first, at most N: 100), with where they were made\n"
            "  sessions revoke --user ID | --session PREFIX | --all\n"
            "                      ends sessions (PREFIX: 8 or more hex digits from the list)\n"
            "  sessions purge      removes expired sessions now (the cluster-safe purge)\n"
            "  explain [--header B64 | --claims JSON] --path P [--method M]\n"
            "                      the decision for such a request and the rule that makes it;\n"
            "                      nothing is written (identity.jwt's token is not checked)\n"
            "  status              version, configuration hash, schema version, database check\n"
            "  jwks                the assertion's public keys (assertion.key_file) as a JWKS\n"
            "  snippet KIND        web server lines for the configuration's exports; KIND:\n"
            "                      apache-proxy (request headers for mod_proxy applications,\n"
            "                      client copies removed first), apache-fcgid (the Header\n"
            "                      unset lines mod_fcgid needs), apache-anonymous (access.rules'\n"
            "                      anonymous paths for mod_authnz_fcgi), nginx-identity (auth_request\n"
            "                      and its variables), nginx-fastcgi, nginx-proxy (passing\n"
            "                      them to FastCGI or proxied applications)\n"
            "\n"
            "Options:\n"
            "  -c, --config FILE   configuration file (default: $GWAUTH_CONFIG, else %s)\n"
            "      --json          print one JSON document\n"
            "  -V, --version       print the version and exit\n"
            "  -h, --help          print this help and exit\n"
            "\n"
            "Exit status: 0 done (explain: allowed), 1 error, 2 usage error, 3 not found\n"
            "(explain: denied).\n",
            GW_DEFAULT_CONFIG);
}

/* --- configuration-only commands ------------------------------------------- */

static int cmd_jwks(admin *a)
{
    if (!a->cfg->assertion.enabled) {
        fprintf(stderr, "gwauth-admin: the configuration has no assertion section\n");
        return EX_ERROR;
    }
    char *errors = NULL;
    gw_signer *s = gw_signer_open(a->cfg->assertion.key_file, &errors);
    if (!s) {
        gw_print_lines("admin", errors ? errors : "out of memory");
        free(errors);
        return EX_ERROR;
    }
    fputs(gw_signer_jwks(s), stdout);
    gw_signer_free(s);
    return EX_DONE;
}

static int cmd_snippet(admin *a, int argc, char **argv)
{
    gw_snippet_kind kind;
    if (argc != 1 || !gw_snippet_kind_of(argv[0], &kind)) {
        fprintf(stderr, "gwauth-admin: snippet takes one of: %s\n", gw_snippet_kinds);
        return EX_USAGE;
    }
    gw_buf b;
    gw_buf_init(&b);
    const char *why = NULL;
    if (!gw_snippet(a->cfg, kind, a->cfgpath, &b, &why)) {
        fprintf(stderr, "gwauth-admin: snippet %s: %s\n", argv[0], why);
        gw_buf_free(&b);
        return EX_ERROR;
    }
    if (b.oom) {
        fprintf(stderr, "gwauth-admin: out of memory\n");
        gw_buf_free(&b);
        return EX_ERROR;
    }
    fputs(b.data, stdout);
    gw_buf_free(&b);
    return EX_DONE;
}

/* --- output ---------------------------------------------------------------- */

static const char *text_of(const cJSON *v, char num[64])
{
    if (cJSON_IsString(v))
        return v->valuestring;
    if (cJSON_IsNumber(v)) {
        snprintf(num, 64, "%.0f", v->valuedouble);
        return num;
    }
    if (cJSON_IsBool(v))
        return cJSON_IsTrue(v) ? "yes" : "no";
    return "-";
}

/* An object as "key  value" lines; an array of objects as a table. */
static void print_text(const cJSON *doc)
{
    char num[64];
    if (cJSON_IsArray(doc)) {
        const cJSON *first = doc->child;
        if (!first) {
            printf("(none)\n");
            return;
        }
        for (const cJSON *k = first->child; k; k = k->next)
            printf("%s%s", k->string, k->next ? "\t" : "\n");
        for (const cJSON *row = first; row; row = row->next)
            for (const cJSON *k = row->child; k; k = k->next)
                printf("%s%s", text_of(k, num), k->next ? "\t" : "\n");
        return;
    }
    size_t w = 0;
    for (const cJSON *k = doc->child; k; k = k->next)
        if (strlen(k->string) > w)
            w = strlen(k->string);
    for (const cJSON *k = doc->child; k; k = k->next) {
        if (cJSON_IsArray(k)) {
            printf("%-*s  ", (int)w, k->string);
            for (const cJSON *e = k->child; e; e = e->next)
                printf("%s%s", text_of(e, num), e->next ? "," : "");
            printf("%s\n", k->child ? "" : "-");
        } else {
            printf("%-*s  %s\n", (int)w, k->string, text_of(k, num));
        }
    }
}

static int emit(const admin *a, cJSON *doc, int status)
{
    if (!doc) {
        fprintf(stderr, "gwauth-admin: out of memory\n");
        return EX_ERROR;
    }
    if (a->json) {
        char *s = cJSON_PrintUnformatted(doc);
        printf("%s\n", s ? s : "{}");
        free(s);
    } else {
        print_text(doc);
    }
    cJSON_Delete(doc);
    return status;
}

/* A failed database step: said once, on stderr (and as JSON with --json). */
static int db_failed(const admin *a, const char *what, gw_status st)
{
    const char *err = gw_db_last_error(a->db);
    if (a->json)
        printf("{\"error\":\"%s\",\"step\":\"%s\"}\n", gw_status_code(st), what);
    fprintf(stderr, "gwauth-admin: %s: %s (%s)\n", what,
            st == GW_E_UNAVAILABLE ? "the database is unavailable" : "database error",
            err && *err ? err : "see --check-config");
    return EX_ERROR;
}

static int not_found(const admin *a, const char *what)
{
    if (a->json)
        printf("{\"error\":\"not_found\"}\n");
    fprintf(stderr, "gwauth-admin: %s\n", what);
    return EX_NOTFOUND;
}

static bool is_id(const char *s)
{
    size_t n = s ? strspn(s, "0123456789") : 0;
    return n > 0 && n <= 20 && !s[n];
}

/* Adds each column of row i of r to o, numbers for the columns named in
 * numeric (NULL-terminated). */
static void add_row(cJSON *o, const gw_rows *r, size_t i, const char *const *numeric)
{
    for (size_t c = 0; c < r->ncols; c++) {
        const char *v = r->values[i * r->ncols + c];
        bool isnum = false;
        for (const char *const *n = numeric; n && *n; n++)
            isnum |= strcmp(*n, r->names[c]) == 0;
        if (!v)
            cJSON_AddNullToObject(o, r->names[c]);
        else if (isnum)
            cJSON_AddNumberToObject(o, r->names[c], strtod(v, NULL));
        else
            cJSON_AddStringToObject(o, r->names[c], v);
    }
}

/* --- user ---------------------------------------------------------------- */

static int user_show(admin *a, const char *by, const char *key)
{
    const gw_config *c = a->cfg;
    gw_buf q;
    gw_buf_init(&q);
    gw_buf_puts(&q, "SELECT `id`, `global_id`, `is_active`, `created_at`, `updated_at`");
    for (size_t i = 0; i < c->users.nfields; i++)
        gw_buf_printf(&q, ", `%s`", c->users.fields[i].column);
    gw_buf_printf(&q, " FROM `users` WHERE `%s` = ? ORDER BY `id` LIMIT 100", by);
    const char *p[1] = {key};
    gw_rows u;
    gw_status st = gw_db_admin_run(a->db, q.data, p, 1, &u, NULL);
    gw_buf_free(&q);
    if (st != GW_OK)
        return db_failed(a, "user show", st);
    if (u.nrows == 0) {
        gw_rows_free(&u);
        return not_found(a, "no such user");
    }
    static const char *const numeric[] = {"id", NULL};
    cJSON *list = cJSON_CreateArray();
    for (size_t i = 0; i < u.nrows && list; i++) {
        cJSON *o = cJSON_CreateObject();
        add_row(o, &u, i, numeric);
        cJSON_ReplaceItemInObject(o, "is_active", cJSON_CreateBool(strcmp(gw_rows_get(&u, i, "is_active"), "1") == 0));
        const char *id[1] = {gw_rows_get(&u, i, "id")};
        gw_rows g, s;
        st = gw_db_admin_run(a->db, "SELECT g.`name` FROM `user_groups` ug JOIN `groups` g ON g.`id` = "
                             "ug.`group_id` WHERE ug.`user_id` = ? ORDER BY g.`name`", id, 1, &g, NULL);
        if (st == GW_OK) {
            cJSON *ga = cJSON_AddArrayToObject(o, "groups");
            for (size_t k = 0; k < g.nrows; k++)
                cJSON_AddItemToArray(ga, cJSON_CreateString(g.values[k] ? g.values[k] : ""));
            gw_rows_free(&g);
            st = gw_db_admin_run(a->db, "SELECT COUNT(*) AS n FROM `sessions` WHERE `user_id` = ? "
                                 "AND `expires_at` > NOW(6)", id, 1, &s, NULL);
        }
        if (st != GW_OK) {
            cJSON_Delete(o);
            cJSON_Delete(list);
            gw_rows_free(&u);
            return db_failed(a, "user show", st);
        }
        cJSON_AddNumberToObject(o, "sessions", strtod(gw_rows_get(&s, 0, "n"), NULL));
        gw_rows_free(&s);
        cJSON_AddItemToArray(list, o);
    }
    gw_rows_free(&u);
    /* one user: the object itself; several (an e-mail): the list */
    if (cJSON_GetArraySize(list) == 1) {
        cJSON *one = cJSON_DetachItemFromArray(list, 0);
        cJSON_Delete(list);
        return emit(a, one, EX_DONE);
    }
    return emit(a, list, EX_DONE);
}

static int user_set_active(admin *a, const char *id, bool active)
{
    bool found = false;
    long ended = 0;
    gw_status st = gw_db_admin_set_active(a->db, id, active, &found, &ended);
    if (st != GW_OK)
        return db_failed(a, active ? "user activate" : "user deactivate", st);
    if (!found)
        return not_found(a, "no such user");
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "id", strtod(id, NULL));
    cJSON_AddBoolToObject(o, "is_active", active);
    cJSON_AddNumberToObject(o, "sessions_ended", (double)ended);
    return emit(a, o, EX_DONE);
}

static int cmd_user(admin *a, int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[0], "show") == 0) {
        if (argc == 2 && is_id(argv[1]))
            return user_show(a, "id", argv[1]);
        if (argc == 3 && strcmp(argv[1], "--global-id") == 0)
            return user_show(a, "global_id", argv[2]);
        if (argc == 3 && strcmp(argv[1], "--email") == 0)
            return user_show(a, "email", argv[2]);
    } else if (argc == 2 && (strcmp(argv[0], "deactivate") == 0 || strcmp(argv[0], "activate") == 0)) {
        if (is_id(argv[1]))
            return user_set_active(a, argv[1], strcmp(argv[0], "activate") == 0);
    }
    fprintf(stderr, "gwauth-admin: user show ID | --global-id SUB | --email EMAIL; user "
                    "deactivate ID; user activate ID (ID: users.id, a number)\n");
    return EX_USAGE;
}

/* --- sessions ---------------------------------------------------------- */

static int sessions_list(admin *a, const char *user, const char *limit)
{
    char q[640];
    snprintf(q, sizeof(q),
             "SELECT LOWER(LEFT(HEX(s.`token_hash`), 12)) AS session, s.`user_id`, u.`global_id`, "
             "s.`created_at`, s.`last_used_at`, s.`expires_at`, s.`client_addr`, s.`user_agent` "
             "FROM `sessions` s JOIN `users` u ON u.`id` = s.`user_id` WHERE s.`expires_at` > NOW(6)%s "
             "ORDER BY s.`created_at` DESC LIMIT %s",
             user ? " AND s.`user_id` = ?" : "", limit);
    const char *p[1] = {user};
    gw_rows r;
    gw_status st = gw_db_admin_run(a->db, q, p, user ? 1 : 0, &r, NULL);
    if (st != GW_OK)
        return db_failed(a, "sessions list", st);
    static const char *const numeric[] = {"user_id", NULL};
    cJSON *list = cJSON_CreateArray();
    for (size_t i = 0; i < r.nrows && list; i++) {
        cJSON *o = cJSON_CreateObject();
        add_row(o, &r, i, numeric);
        cJSON_AddItemToArray(list, o);
    }
    gw_rows_free(&r);
    return emit(a, list, EX_DONE);
}

static int sessions_revoke(admin *a, const char *how, const char *arg)
{
    if (strcmp(how, "--session") == 0) { /* a prefix names one session, or nothing is done */
        const char *p[1] = {arg};
        gw_rows r;
        gw_status st = gw_db_admin_run(a->db, "SELECT COUNT(*) AS n FROM `sessions` WHERE "
                                       "LOWER(HEX(`token_hash`)) LIKE CONCAT(?, '%')", p, 1, &r, NULL);
        if (st != GW_OK)
            return db_failed(a, "sessions revoke", st);
        long n = strtol(gw_rows_get(&r, 0, "n"), NULL, 10);
        gw_rows_free(&r);
        if (n > 1) {
            if (a->json)
                printf("{\"error\":\"ambiguous\",\"sessions\":%ld}\n", n);
            fprintf(stderr, "gwauth-admin: %s names %ld sessions: give more digits\n", arg, n);
            return EX_ERROR;
        }
    }
    const char *sql = strcmp(how, "--all") == 0 ? "DELETE FROM `sessions`"
                      : strcmp(how, "--user") == 0 ? "DELETE FROM `sessions` WHERE `user_id` = ?"
                      : "DELETE FROM `sessions` WHERE LOWER(HEX(`token_hash`)) LIKE CONCAT(?, '%')";
    const char *p[1] = {arg};
    long n = 0;
    gw_status st = gw_db_admin_run(a->db, sql, p, arg ? 1 : 0, NULL, &n);
    if (st != GW_OK)
        return db_failed(a, "sessions revoke", st);
    if (n > 0)
        gw_count(GW_MF_SESSIONS_ENDED, GW_M_ENDED_REVOKED, (uint64_t)n);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "sessions_ended", (double)n);
    return emit(a, o, EX_DONE);
}

static int cmd_sessions(admin *a, int argc, char **argv)
{
    if (argc >= 1 && strcmp(argv[0], "list") == 0) {
        const char *user = NULL, *limit = "100";
        bool ok = true;
        for (int i = 1; i < argc && ok; i += 2) {
            ok = i + 1 < argc && is_id(argv[i + 1]);
            if (ok && strcmp(argv[i], "--user") == 0)
                user = argv[i + 1];
            else if (ok && strcmp(argv[i], "--limit") == 0 && strlen(argv[i + 1]) <= 6)
                limit = argv[i + 1]; /* digits only: it is written into the statement */
            else
                ok = false;
        }
        if (ok)
            return sessions_list(a, user, limit);
    } else if (argc == 2 && strcmp(argv[0], "revoke") == 0 && strcmp(argv[1], "--all") == 0) {
        return sessions_revoke(a, "--all", NULL);
    } else if (argc == 3 && strcmp(argv[0], "revoke") == 0 && strcmp(argv[1], "--user") == 0 &&
               is_id(argv[2])) {
        return sessions_revoke(a, "--user", argv[2]);
    } else if (argc == 3 && strcmp(argv[0], "revoke") == 0 && strcmp(argv[1], "--session") == 0 &&
               strlen(argv[2]) >= 8 && strlen(argv[2]) <= 64 &&
               strspn(argv[2], "0123456789abcdef") == strlen(argv[2])) {
        return sessions_revoke(a, "--session", argv[2]);
    } else if (argc == 1 && strcmp(argv[0], "purge") == 0) {
        long rows = 0;
        gw_status st = gw_db_session_purge(a->db, &rows);
        if (st != GW_OK)
            return db_failed(a, "sessions purge", st);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "sessions_purged", rows < 0 ? 0 : (double)rows);
        cJSON_AddBoolToObject(o, "lease_taken", rows >= 0);
        return emit(a, o, EX_DONE);
    }
    fprintf(stderr, "gwauth-admin: sessions list [--user ID] [--limit N]; sessions revoke --user "
                    "ID | --session PREFIX (8+ lowercase hex digits) | --all; sessions purge\n");
    return EX_USAGE;
}

/* --- explain ------------------------------------------------------------ */

/* The groups a request with u would be decided with: the claim's, or,
 * with groups.sync, those the sync would leave the user with. Appends
 * them to names (strdup'd). */
static gw_status explain_groups(admin *a, const gw_user *u, const char *uid, cJSON *names,
                                const char **from)
{
    const gw_config *c = a->cfg;
    *from = "the claim";
    for (size_t i = 0; i < u->ngroups; i++) {
        if (c->groups.sync != GW_SYNC_OFF && !gw_group_managed(c, u->groups[i]))
            continue; /* the sync never adds these */
        if (c->groups.sync == GW_SYNC_EXISTING) {
            const char *p[1] = {u->groups[i]};
            gw_rows r;
            gw_status st = gw_db_admin_run(a->db, "SELECT 1 FROM `groups` WHERE `name` = ?", p, 1, &r, NULL);
            if (st != GW_OK)
                return st;
            bool exists = r.nrows > 0;
            gw_rows_free(&r);
            if (!exists)
                continue;
        }
        cJSON_AddItemToArray(names, cJSON_CreateString(u->groups[i]));
    }
    if (c->groups.sync == GW_SYNC_OFF || !uid)
        return GW_OK;
    *from = "the claim, as groups.sync would store it";
    /* memberships the sync does not manage (excluded, or without
     * managed_prefix) stay as they are */
    const char *p[1] = {uid};
    gw_rows r;
    gw_status st = gw_db_admin_run(a->db, "SELECT g.`name` FROM `user_groups` ug JOIN `groups` g ON "
                                   "g.`id` = ug.`group_id` WHERE ug.`user_id` = ? ORDER BY g.`name`",
                                   p, 1, &r, NULL);
    if (st != GW_OK)
        return st;
    for (size_t k = 0; k < r.nrows; k++) {
        const char *g = gw_rows_get(&r, k, "name");
        if (g && !gw_group_managed(c, g))
            cJSON_AddItemToArray(names, cJSON_CreateString(g));
    }
    gw_rows_free(&r);
    return GW_OK;
}

static int cmd_explain(admin *a, int argc, char **argv)
{
    const char *header = NULL, *claims = NULL, *path = NULL, *method = "GET";
    bool bad = argc % 2 != 0;
    for (int i = 0; i + 1 < argc && !bad; i += 2) {
        if (strcmp(argv[i], "--header") == 0)
            header = argv[i + 1];
        else if (strcmp(argv[i], "--claims") == 0)
            claims = argv[i + 1];
        else if (strcmp(argv[i], "--path") == 0)
            path = argv[i + 1];
        else if (strcmp(argv[i], "--method") == 0)
            method = argv[i + 1];
        else
            bad = true;
    }
    if (bad || !path || (header && claims) ||
        (header && a->cfg->identity.source != GW_SRC_APISIX)) {
        fprintf(stderr, "gwauth-admin: explain [--header B64 | --claims JSON] --path P [--method M]"
                        " (--header only with identity.source \"apisix\")\n");
        return EX_USAGE;
    }
    gw_config *c = a->cfg;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "method", method);
    gw_user u;
    memset(&u, 0, sizeof(u));
    bool have = false;
    const char *why = NULL;
    gw_status st = GW_OK;
    if (header) {
        size_t n = strlen(c->identity.header) + 1 + strlen(header) + 1;
        char *kv = malloc(n);
        if (kv)
            snprintf(kv, n, "%s=%s", c->identity.header, header);
        char *envp[2] = {kv, NULL};
        bool jwt = c->identity.jwt.enabled;
        c->identity.jwt.enabled = false; /* the token is not checked here */
        gw_request rq;
        st = kv && gw_request_init(&rq, c) ? GW_OK : GW_E_INTERNAL;
        if (st == GW_OK) {
            gw_request_read(&rq, envp);
            st = gw_user_decode(c, &rq, NULL, &u, &why);
            gw_request_free(&rq);
        }
        c->identity.jwt.enabled = jwt;
        free(kv);
        have = st == GW_OK;
    } else if (claims) {
        cJSON *j = cJSON_Parse(claims);
        st = j ? gw_user_map(c, j, &u, &why) : GW_E_MALFORMED;
        if (!j)
            why = "not JSON";
        have = st == GW_OK;
    }
    /* the permissions as the authorizer reads them */
    char *perr = NULL;
    gw_keyring *pfile = NULL;
    if (*c->access.permissions_file && st == GW_OK &&
        !(pfile = gw_watched_open(c->access.permissions_file, &gw_file_permissions, &perr))) {
        gw_print_lines("admin: explain", perr);
        free(perr);
        cJSON_Delete(o);
        if (have)
            gw_user_free(&u);
        return EX_ERROR;
    }
    const gw_perms *perms = pfile ? gw_watched_get(pfile, time(NULL), NULL) : NULL;
    char *norm = NULL;
    const gw_rule *rule = NULL, *trial = NULL; /* trial: in report mode */
    gw_status would = GW_OK;
    const char *uid = NULL;
    gw_rows ur = {0};
    cJSON *groups = cJSON_CreateArray();
    const char *gfrom = "-";
    if (st == GW_OK && (st = gw_rule_path_normalize(path, &norm)) == GW_OK) {
        cJSON_AddStringToObject(o, "path", norm);
        rule = gw_rule_match(c, norm, method ? method : "GET");
        if (have) {
            const char *p[1] = {u.id};
            gw_status dst = gw_db_admin_run(a->db, "SELECT `id`, `is_active` FROM `users` WHERE "
                                            "`global_id` = ?", p, 1, &ur, NULL);
            if (dst != GW_OK) {
                cJSON_Delete(o);
                cJSON_Delete(groups);
                free(norm);
                gw_user_free(&u);
                return db_failed(a, "explain", dst);
            }
            uid = gw_rows_get(&ur, 0, "id");
            cJSON_AddStringToObject(o, "user", u.id);
            if (!uid) {
                cJSON_AddStringToObject(o, "user_state", c->users.create ? "new: would be created"
                                                                          : "unknown");
                if (!c->users.create)
                    st = GW_E_UNKNOWN_USER;
            } else {
                cJSON_AddNumberToObject(o, "user_id", strtod(uid, NULL));
                bool active = strcmp(gw_rows_get(&ur, 0, "is_active"), "1") == 0;
                cJSON_AddStringToObject(o, "user_state", active ? "active" : "inactive");
                if (!active)
                    st = GW_E_INACTIVE;
            }
            if (st == GW_OK && (dst = explain_groups(a, &u, uid, groups, &gfrom)) != GW_OK) {
                cJSON_Delete(o);
                cJSON_Delete(groups);
                free(norm);
                gw_rows_free(&ur);
                gw_user_free(&u);
                return db_failed(a, "explain", dst);
            }
        }
        if (st == GW_OK) {
            size_t ng = (size_t)cJSON_GetArraySize(groups);
            const char **gv = calloc(ng ? ng : 1, sizeof(char *));
            size_t k = 0;
            for (const cJSON *g = groups->child; g && gv; g = g->next)
                gv[k++] = g->valuestring;
            gw_rule_subject subj = {have, gv, ng, have ? u.claims : NULL, have ? u.id : NULL,
                                    perms};
            st = gv ? gw_rule_decide(c, rule, &subj) : GW_E_INTERNAL;
            trial = gw_rule_report_match(c, norm, method ? method : "GET");
            if (gv && trial)
                would = gw_rule_decide(c, trial, &subj);
            if (gv && perms && have) {
                gw_buf pl;
                gw_buf_init(&pl);
                gw_buf_add(&pl, "", 0);
                gw_perms_list(perms, u.id, gv, ng, &pl);
                cJSON_AddStringToObject(o, "permissions", pl.data ? pl.data : "");
                gw_buf_free(&pl);
            }
            free((void *)gv);
            why = st == GW_E_UNAUTHENTICATED ? "no identity" : NULL;
        }
    } else if (!why) {
        why = st == GW_E_BAD_PATH ? "the path does not normalize" : gw_status_code(st);
    }
    cJSON_AddStringToObject(o, "decision", st == GW_OK ? "allow" : "deny");
    cJSON_AddNumberToObject(o, "status", st == GW_OK ? 200 : gw_status_http(st));
    cJSON_AddStringToObject(o, "code", st == GW_OK ? "ok" : gw_status_code(st));
    if (why)
        cJSON_AddStringToObject(o, "reason", why);
    if (norm) {
        if (rule) {
            cJSON_AddStringToObject(o, "rule", rule->prefix);
            cJSON_AddStringToObject(o, "rule_access", gw_access_name(rule->access));
            cJSON *any = cJSON_AddArrayToObject(o, "rule_groups_any");
            for (size_t i = 0; i < rule->groups_any.n; i++)
                cJSON_AddItemToArray(any, cJSON_CreateString(rule->groups_any.v[i]));
        } else {
            cJSON_AddStringToObject(o, "rule", "(none: access.default)");
            cJSON_AddStringToObject(o, "rule_access", gw_access_name(c->access.deflt));
        }
    }
    if (trial) {
        cJSON_AddStringToObject(o, "report_rule", trial->prefix);
        cJSON_AddNumberToObject(o, "report_would", would == GW_OK ? 200 : gw_status_http(would));
    }
    if (have) {
        cJSON_AddItemToObject(o, "groups", groups);
        cJSON_AddStringToObject(o, "groups_from", gfrom);
    } else {
        cJSON_Delete(groups);
    }
    if (c->identity.jwt.enabled && have)
        cJSON_AddStringToObject(o, "note", "identity.jwt is on: the token was not checked, and "
                                           "its claims would replace these");
    free(norm);
    gw_keyring_free(pfile);
    gw_rows_free(&ur);
    if (have)
        gw_user_free(&u);
    return emit(a, o, st == GW_OK ? EX_DONE : EX_NOTFOUND);
}

/* --- status ------------------------------------------------------------- */

static int cmd_status(admin *a)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "version", GWAUTH_VERSION);
    cJSON_AddStringToObject(o, "config", a->cfgpath);
    size_t len = 0;
    int err = 0;
    char *text = gw_load_text(a->cfgpath, &len, &err);
    unsigned char h[GW_SHA256_LEN];
    char hex[2 * GW_SHA256_LEN + 1] = "-";
    if (text && gw_sha256(text, len, h))
        for (int i = 0; i < GW_SHA256_LEN; i++)
            snprintf(hex + 2 * i, 3, "%02x", h[i]);
    free(text);
    cJSON_AddStringToObject(o, "config_sha256", hex);
    gw_buf problems;
    gw_buf_init(&problems);
    int n = gw_db_verify(a->cfg, &problems);
    gw_buf_free(&problems);
    cJSON_AddStringToObject(o, "database", n < 0 ? "unreachable" : n == 0 ? "ok"
                                                                : "does not match the configuration (see --check-config)");
    int status = n == 0 ? EX_DONE : EX_ERROR;
    gw_rows r;
    if (n >= 0 && gw_db_admin_run(a->db, "SELECT MAX(`version`) AS v, COUNT(*) AS n FROM "
                                  "`schema_migrations`", NULL, 0, &r, NULL) == GW_OK) {
        const char *v = gw_rows_get(&r, 0, "v");
        cJSON_AddStringToObject(o, "schema", v ? v : "-");
        cJSON_AddNumberToObject(o, "migrations", strtod(gw_rows_get(&r, 0, "n"), NULL));
        gw_rows_free(&r);
    }
    if (n == 0 && gw_db_admin_run(a->db, "SELECT (SELECT COUNT(*) FROM `users`) AS users, (SELECT "
                                  "COUNT(*) FROM `users` WHERE `is_active` = 1) AS active_users, "
                                  "(SELECT COUNT(*) FROM `sessions` WHERE `expires_at` > NOW(6)) "
                                  "AS sessions", NULL, 0, &r, NULL) == GW_OK) {
        static const char *const numeric[] = {"users", "active_users", "sessions", NULL};
        add_row(o, &r, 0, numeric);
        gw_rows_free(&r);
    }
    return emit(a, o, status);
}

int main(int argc, char **argv)
{
    admin a = {0};
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *o = argv[i];
        if ((!strcmp(o, "-c") || !strcmp(o, "--config")) && i + 1 < argc)
            a.cfgpath = argv[++i];
        else if (!strncmp(o, "--config=", 9))
            a.cfgpath = o + 9;
        else if (!strcmp(o, "--json"))
            a.json = true;
        else if (!strcmp(o, "-V") || !strcmp(o, "--version")) {
            printf("gwauth-admin %s\n", GWAUTH_VERSION);
            return EX_DONE;
        } else if (!strcmp(o, "-h") || !strcmp(o, "--help")) {
            usage(stdout);
            return EX_DONE;
        } else {
            fprintf(stderr, "gwauth-admin: unknown or incomplete option '%s'\n", o);
            usage(stderr);
            return EX_USAGE;
        }
    }
    if (i >= argc) {
        usage(stderr);
        return EX_USAGE;
    }
    const char *cmd = argv[i++];
    if (strcmp(cmd, "user") && strcmp(cmd, "sessions") && strcmp(cmd, "explain") &&
        strcmp(cmd, "status") && strcmp(cmd, "jwks") && strcmp(cmd, "snippet")) {
        fprintf(stderr, "gwauth-admin: unknown command '%s'\n", cmd);
        usage(stderr);
        return EX_USAGE;
    }
    if (!a.cfgpath)
        a.cfgpath = getenv("GWAUTH_CONFIG");
    if (!a.cfgpath || !*a.cfgpath)
        a.cfgpath = GW_DEFAULT_CONFIG;
    char *errors = NULL;
    if (!(a.cfg = gw_load_config(a.cfgpath, &errors))) {
        gw_print_lines("admin", errors ? errors : "out of memory");
        fprintf(stderr, "gwauth-admin: configuration refused\n");
        free(errors);
        return EX_ERROR;
    }
    gw_log_init("admin", GW_LOG_WARN);
    const char *mwhy;
    gw_counters_open(a.cfg->monitor.metrics_file, false, &mwhy); /* counts there when it exists */
    if (!(a.db = gw_db_new(a.cfg))) {
        fprintf(stderr, "gwauth-admin: out of memory\n");
        gw_config_free(a.cfg);
        return EX_ERROR;
    }
    int rc = !strcmp(cmd, "user") ? cmd_user(&a, argc - i, argv + i)
             : !strcmp(cmd, "sessions") ? cmd_sessions(&a, argc - i, argv + i)
             : !strcmp(cmd, "explain") ? cmd_explain(&a, argc - i, argv + i)
             : !strcmp(cmd, "snippet") ? cmd_snippet(&a, argc - i, argv + i)
             : !strcmp(cmd, "jwks") ? (argc - i == 0 ? cmd_jwks(&a) : (fprintf(stderr,
                                       "gwauth-admin: jwks takes no arguments\n"), EX_USAGE))
             : argc - i == 0 ? cmd_status(&a) : (fprintf(stderr, "gwauth-admin: status takes no "
                                                          "arguments\n"), EX_USAGE);
    gw_db_free(a.db);
    gw_config_free(a.cfg);
    return rc;
}
