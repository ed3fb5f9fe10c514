/*
 * app.h - what both FastCGI programs share: command line, configuration
 * loading, --check-config, signals, and the FCGX_Accept_r loop. A
 * program supplies its name and one function that turns a request's
 * parameters into a complete reply.
 */
#ifndef GW_APP_H
#define GW_APP_H

#include <fcgiapp.h>
#include <stdbool.h>

#include "config.h"
#include "gwauth.h"
#include "request.h"
#include "util.h"

/* What a program decided for one request. app.c answers a deny (unless
 * the program wrote it), logs it once with the request's method, path
 * and client, and counts it. */
typedef struct {
    gw_status status;     /* GW_OK: out holds the reply */
    const char *why;      /* the true reason of a deny, for the log (static
                             text); set only with a status other than GW_OK */
    const char *extra;    /* header lines for the deny (e.g. "Allow: GET\r\n") */
    const char *detail;   /* the deny's "reason" in its JSON body, or NULL */
    int http;             /* the status sent when the program wrote the
                             reply itself (a login redirect: 302); else 0 */
    const char *source;   /* on an allow: "header", "session", "anonymous" */
    const char *rule;     /* the prefix of the rule that decided, or NULL */
    bool subrequest;      /* an nginx auth_request subrequest (set by the
                             program): app.c answers a deny in
                             gw_reply_subrequest_deny's form */
    char user[40];        /* the user's id as loggable text, or "" */
    char user_id[24];     /* users.id, or "" */
} gw_outcome;

typedef struct gw_program {
    const char *name;     /* "authorizer", used in logs and messages */
    int prog;             /* gw_prog: its label in the metrics */
    const char *summary;  /* one line for --help */
    /* Called once after the configuration is loaded; returns 0 or exits. */
    int (*start)(struct gw_program *p, const gw_config *cfg);
    /* Decides req, whose environment rq holds read: on GW_OK writes the
     * whole CGI reply into out (headers and body); else sets o->status and
     * o->why (and writes the reply only when it sets o->http). */
    void (*handle)(struct gw_program *p, FCGX_Request *req, const gw_request *rq, gw_buf *out,
                   gw_outcome *o);
    void (*stop)(struct gw_program *p);
    /* The program's checks of a configuration, so that this shared
     * runner knows nothing of databases and key files (check.h has the
     * ones both programs use); each may be NULL (nothing to check):
     * verify, before a configuration is used (start, reload): the
     * number of problems appended to problems, one line each;
     * check, for --check-config: the same, and notes;
     * check_jwks, for --check-jwks FILE: the exit status. */
    int (*verify)(const gw_config *cfg, gw_buf *problems);
    int (*check)(const gw_config *cfg, gw_buf *problems, gw_buf *notes);
    int (*check_jwks)(const char *name, const char *path);
    void *ctx;
} gw_program;

/* Prints each line of text on stderr as "gwauth-NAME: line". */
void gw_print_lines(const char *name, const char *text);

/* Runs the program; returns the process exit status. */
int gw_app_main(gw_program *p, int argc, char **argv);

#endif
