/*
 * logout.c - the FastCGI RESPONDER for session and logout paths
 * (SPEC §4). Only GET is served; every other path answers 404.
 */
#include <fastcgi.h>
#include <string.h>

#include "app.h"
#include "gwauth.h"
#include "log.h"
#include "reply.h"

typedef struct {
    const gw_config *cfg;
} responder;

static int resp_start(gw_program *p, const gw_config *cfg)
{
    ((responder *)p->ctx)->cfg = cfg;
    return 0;
}

static void resp_deny(gw_buf *out, gw_status st, const char *why)
{
    gw_log(GW_LOG_INFO, "event=deny status=%d code=%s reason=\"%s\"", gw_status_http(st),
           gw_status_code(st), why);
    gw_reply_deny(out, st, NULL);
}

static void resp_handle(gw_program *p, FCGX_Request *req, gw_buf *out)
{
    (void)p;
    char *const *envp = req->envp;
    gw_log_request(gw_env_get(envp, "HTTP_X_REQUEST_ID"));
    if (req->role != FCGI_RESPONDER) {
        resp_deny(out, GW_E_INTERNAL, "not called in the RESPONDER role");
        return;
    }
    resp_deny(out, GW_E_NOT_FOUND, "no such path");
}

int main(int argc, char **argv)
{
    responder r = {0};
    gw_program p = {
        .name = "logout",
        .summary = "FastCGI responder for session establishment and logout.",
        .start = resp_start,
        .handle = resp_handle,
        .ctx = &r,
    };
    return gw_app_main(&p, argc, argv);
}
