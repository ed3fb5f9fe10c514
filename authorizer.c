/*
 * authorizer.c - the FastCGI AUTHORIZER (SPEC §3): a thin loop over the
 * pure core (usermap) and the database edge (db).
 *
 * For each request: one identity, from a trusted proxy, of bounded size
 * (steps 1-3); decoded and mapped (step 4); created or updated in
 * MariaDB (step 5); then allowed with Variable- lines, or denied with a
 * JSON error and no Variable- line.
 */
#include <fastcgi.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "db.h"
#include "gwauth.h"
#include "log.h"
#include "reply.h"
#include "usermap.h"

typedef struct {
    const gw_config *cfg;
    gw_db *db;
    gw_var *vars;
} authz;

static int authz_start(gw_program *p, const gw_config *cfg)
{
    authz *a = p->ctx;
    a->cfg = cfg;
    a->db = gw_db_new(cfg);
    a->vars = calloc(cfg->exports.n + 1, sizeof(gw_var));
    if (!a->db || !a->vars) {
        gw_log(GW_LOG_ERROR, "event=start_failed error=\"out of memory\"");
        return 1;
    }
    /* Connect now so that a wrong password shows at start; a database
     * that is down is not fatal: requests answer 503 until it is back. */
    gw_db_ensure(a->db);
    return 0;
}

static void authz_stop(gw_program *p)
{
    authz *a = p->ctx;
    gw_db_free(a->db);
    free(a->vars);
}

static void authz_cut(void *arg, const char *table, const char *column)
{
    (void)arg;
    gw_log(GW_LOG_INFO, "event=value_truncated table=%s column=%s", table, column);
}

static void authz_deny(gw_buf *out, gw_status st, const char *why, const char *uid)
{
    char safe[40];
    gw_log(st == GW_E_UNAVAILABLE || st == GW_E_INTERNAL ? GW_LOG_ERROR : GW_LOG_INFO,
           "event=deny status=%d code=%s reason=\"%s\" user=%s", gw_status_http(st),
           gw_status_code(st), why ? why : "-", uid ? gw_log_safe(uid, 12, safe) : "-");
    gw_reply_deny(out, st, NULL);
}

/* Steps 4-5 and the reply for a request that carries an identity. */
static void authz_identity(authz *a, char *const *envp, gw_buf *out)
{
    const gw_config *cfg = a->cfg;
    gw_user u;
    const char *why = NULL;
    gw_status st = gw_user_decode(cfg, envp, &u, &why);
    if (st != GW_OK) {
        authz_deny(out, st, why, NULL);
        return;
    }
    if (gw_db_ensure(a->db) != GW_OK) {
        authz_deny(out, GW_E_UNAVAILABLE, "database unreachable", u.id);
        gw_user_free(&u);
        return;
    }
    gw_user_fit(cfg, &u, gw_db_collens(a->db), authz_cut, NULL);
    gw_dbresult res;
    st = gw_db_sync_user(a->db, &u, &res);
    if (st != GW_OK) {
        authz_deny(out, st, st == GW_E_UNAVAILABLE ? "database unavailable" : NULL, u.id);
        gw_user_free(&u);
        return;
    }
    char safe[40];
    if (res.created)
        gw_log(GW_LOG_INFO, "event=user_created user=%s", gw_log_safe(u.id, 12, safe));
    else if (res.updated)
        gw_log(GW_LOG_DEBUG, "event=user_updated user=%s", gw_log_safe(u.id, 12, safe));
    for (size_t i = 0; i < cfg->exports.n; i++) {
        const gw_export *e = &cfg->exports.v[i];
        a->vars[i].name = e->name;
        a->vars[i].value = e->kind == GW_EXP_COLUMN ? res.exports[i]
                           : e->kind == GW_EXP_SOURCE ? "header"
                           : NULL; /* @groups: groups are not synced yet */
    }
    if (gw_reply_allow(out, a->vars, cfg->exports.n) != GW_OK) {
        gw_buf_reset(out);
        authz_deny(out, GW_E_INTERNAL, "a stored value holds a control character", u.id);
    }
    gw_user_free(&u);
}

static void authz_handle(gw_program *p, FCGX_Request *req, gw_buf *out)
{
    authz *a = p->ctx;
    char *const *envp = req->envp;
    gw_log_request(gw_env_get(envp, "HTTP_X_REQUEST_ID"));
    if (req->role != FCGI_AUTHORIZER) {
        authz_deny(out, GW_E_INTERNAL, "not called in the AUTHORIZER role", NULL);
        return;
    }
    int present = 0;
    gw_status st = gw_identity_check(a->cfg, envp, &present);
    if (st != GW_OK) {
        authz_deny(out, st, NULL, NULL);
        return;
    }
    if (present) {
        authz_identity(a, envp, out);
        return;
    }
    if (a->cfg->access.deflt == GW_ACCESS_ANONYMOUS) {
        gw_reply_allow(out, NULL, 0);
        return;
    }
    authz_deny(out, GW_E_UNAUTHENTICATED, "no identity", NULL);
}

int main(int argc, char **argv)
{
    authz a = {0};
    gw_program p = {
        .name = "authorizer",
        .summary = "FastCGI authorizer: turns the gateway's identity into a local user and "
                   "REMOTE_USER / GWAUTH_* variables.",
        .start = authz_start,
        .handle = authz_handle,
        .stop = authz_stop,
        .ctx = &a,
    };
    return gw_app_main(&p, argc, argv);
}
