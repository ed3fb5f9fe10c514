/*
 * app.c - command line, configuration, signals and the accept loop,
 * shared by the authorizer and the responder.
 *
 * Signals: SIGTERM (or SIGINT) lets the request in flight finish, then the
 * program exits 0. SIGHUP re-reads the configuration between two requests:
 * a valid file replaces the old configuration (database connection and
 * statements are rebuilt), an invalid one, or one the database does not
 * match, is logged and the old one kept; the -l log file is reopened
 * first (log rotation). At start, a database that answers but does not
 * match stops the program (exit 1); one that is down does not.
 * No request is dropped: the listening socket stays open throughout. The
 * signals are blocked while a request is handled and unblocked only while
 * waiting for a connection (ppoll in accept.c), which they interrupt.
 *
 * Before a request reaches the program, the caller must prove that it is
 * the web server (caller.h): its uid on a unix socket (fastcgi.peer_uids,
 * checked before a byte is read) and the shared secret in GWAUTH_SECRET
 * (fastcgi.secret_file); a request is read within
 * fastcgi.receive_timeout_ms (accept.h).
 *
 * --workers N: the process becomes a small supervisor of N workers that
 * share the listening socket; a worker that dies is started again (at most
 * once a second), SIGTERM, SIGHUP and SIGUSR1 are passed on to the workers.
 *
 * SIGUSR1 only reopens the -l log file (as nginx does), between requests.
 * libfcgi would take it as "finish and exit" (FCGX_Init installs that);
 * gwauth installs its own handler after FCGX_Init.
 */
#include "app.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "accept.h"
#include "caller.h"
#include "counters.h"
#include "gwauth.h"
#include "load.h"
#include "log.h"
#include "reply.h"
#include "rules.h"

#define GW_DEFAULT_CONFIG "/etc/gwauth/gwauth.json"
#define GW_MAX_WORKERS 256

static volatile sig_atomic_t gw_stop, gw_reload, gw_child, gw_reopen;

static void gw_on_signal(int sig)
{
    if (sig == SIGHUP) {
        gw_reload = 1;
    } else if (sig == SIGUSR1) {
        gw_reopen = 1;
    } else if (sig == SIGCHLD) {
        gw_child = 1;
    } else {
        gw_stop = 1;
        FCGX_ShutdownPending();
    }
}

static void gw_usage(const gw_program *p, FILE *f)
{
    fprintf(f,
            "Usage: gwauth-%s [OPTIONS]\n"
            "%s\n"
            "\n"
            "Options:\n"
            "  -c, --config FILE   configuration file (default: $GWAUTH_CONFIG, else %s)\n"
            "  -s, --socket ADDR   listen on ADDR (unix:PATH, tcp:HOST:PORT or :PORT) instead\n"
            "                      of the socket on standard input (spawn-fcgi, lighttpd bin-path,\n"
            "                      systemd StandardInput=socket)\n"
            "  -w, --workers N     run N worker processes on the socket, restarting any that dies\n"
            "  -l, --log-file FILE append log lines to FILE instead of standard error (spawn-fcgi\n"
            "                      gives its children no standard error)\n"
            "      --check-config  load the configuration, connect to the database, check every\n"
            "                      table and column it names and identity.jwt's key file;\n"
            "                      print OK or every problem\n"
            "      --print-config  print the effective configuration (defaults included) as JSON\n"
            "      --check-jwks FILE  check FILE as identity.jwt's key set, with the parser the\n"
            "                      authorizer uses (no configuration needed); print OK and the\n"
            "                      number of signing keys, or every problem\n"
            "  -V, --version       print the version and exit\n"
            "  -h, --help          print this help and exit\n"
            "\n"
            "Signals: SIGTERM finishes the request in flight and exits 0; SIGUSR1 reopens the\n"
            "--log-file only; SIGHUP reopens the\n"
            "--log-file and re-reads the configuration between requests (a file that is invalid\n"
            "or that the database does not match is logged, problem by problem, and ignored).\n"
            "Environment: GWAUTH_CONFIG (configuration file), GWAUTH_DB_PASSWORD (database\n"
            "password when database.password_file is not set).\n"
            "Exit status: 0 on success or SIGTERM, 1 on a configuration or start-up error,\n"
            "2 on a usage error.\n",
            p->name, p->summary, GW_DEFAULT_CONFIG);
}

void gw_print_lines(const char *name, const char *text)
{
    for (const char *l = text; l && *l;) {
        const char *nl = strchr(l, '\n');
        int n = nl ? (int)(nl - l) : (int)strlen(l);
        fprintf(stderr, "gwauth-%s: %.*s\n", name, n, l);
        l += n + (nl ? 1 : 0);
    }
}

/* Opens the listening socket named by addr, or -1 with a message. */
static int gw_listen(const gw_program *p, const char *addr)
{
    const char *a = addr;
    if (strncmp(a, "unix:", 5) == 0)
        a += 5;
    else if (strncmp(a, "tcp:", 4) == 0)
        a += 4;
    int fd = FCGX_OpenSocket(a, 128);
    if (fd < 0)
        fprintf(stderr, "gwauth-%s: cannot listen on %s: %s\n", p->name, addr, strerror(errno));
    return fd;
}

static void gw_log_start(const gw_program *p, const gw_config *c, const char *event)
{
    gw_buf names, nodes;
    gw_buf_init(&names);
    gw_buf_init(&nodes);
    for (size_t i = 0; i < c->database.nnodes; i++)
        gw_buf_printf(&nodes, "%s%s", i ? "," : "", c->database.nodes[i].text);
    for (size_t i = 0; i < c->exports.n; i++)
        gw_buf_printf(&names, "%s%s", i ? "," : "", c->exports.v[i].name);
    gw_log(GW_LOG_INFO,
           "event=%s version=%s program=%s source=%s db=%s@%s/%s%s exports=%s", event,
           GWAUTH_VERSION, p->name, c->identity.source == GW_SRC_APISIX ? "apisix" : "headers",
           c->database.user, nodes.data ? nodes.data : "-", c->database.name,
           c->database.galera ? " cluster=galera" : "", names.data ? names.data : "-");
    gw_buf_free(&names);
    gw_buf_free(&nodes);
}

static const char *gw_logfile; /* -l: reopened on SIGHUP (log rotation) */

/* Opens the log file as standard error. 0, or -1 with errno. */
static int gw_log_open(void)
{
    int lfd = open(gw_logfile, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (lfd < 0)
        return -1;
    int rc = dup2(lfd, STDERR_FILENO) < 0 ? -1 : 0;
    int e = errno;
    if (lfd != STDERR_FILENO)
        close(lfd);
    errno = e;
    return rc;
}

/* SIGHUP, first: a rotated log file is let go (the old one keeps what
 * was written; a failure keeps writing there and says so). */
static void gw_log_reopen(void)
{
    if (gw_logfile && gw_log_open() != 0)
        gw_log(GW_LOG_ERROR, "event=log_reopen_failed error=\"%s\"", strerror(errno));
}

/* What is allowed but unwise in cfg, one line each into out. */
static void gw_config_warnings(const gw_config *cfg, gw_buf *out)
{
    for (size_t i = 0; i < cfg->identity.jwt.nrealms; i++) {
        const gw_jwt_realm *r = &cfg->identity.jwt.realms[i];
        if (!r->any_audience)
            continue;
        if (r->own)
            gw_buf_printf(out, "identity.jwt.issuers: the audiences of %s are \"any\": an ID token "
                               "issued to any client of that issuer is accepted\n", r->issuers.v[0]);
        else
            gw_buf_puts(out, "identity.jwt.audiences is \"any\": an ID token issued to any client of "
                             "the accepted issuers is accepted\n");
    }
    if (gw_caller_unprotected(cfg))
        gw_buf_puts(out, "fastcgi: neither secret_file nor peer_uids is set: any process that can "
                         "connect to the socket can obtain an identity (see SECURITY.md)\n");
    const char *pf = cfg->database.password_file;
    struct stat st;
    if (*pf && stat(pf, &st) == 0 && (st.st_mode & S_IROTH))
        gw_buf_printf(out, "database.password_file %s is readable by every user (chmod o-r)\n", pf);
    if (*pf && cfg->database.password && !*cfg->database.password)
        gw_buf_printf(out, "database.password_file %s is empty: no password is sent\n", pf);
}

/* The program's problems with cfg before it is used (start, reload): the
 * number of problems, each appended to problems (its verify hook). */
static int gw_verify(const gw_program *p, const gw_config *cfg, gw_buf *problems)
{
    return p->verify ? p->verify(cfg, problems) : 0;
}

/* The configuration at path for a reload, or NULL (logged with every
 * problem and its key) when it cannot be read or does not match the
 * database: the running one is kept. */
static gw_config *gw_load_for_reload(gw_program *p, const char *path)
{
    char *errors = NULL;
    gw_config *next = gw_load_config(path, &errors);
    if (!next) {
        gw_log_lines(GW_LOG_ERROR, "reload_refused", errors);
        gw_log(GW_LOG_ERROR, "event=reload_refused keeping=previous");
        free(errors);
        return NULL;
    }
    gw_buf problems;
    gw_buf_init(&problems);
    if (gw_verify(p, next, &problems) > 0) {
        gw_log_lines(GW_LOG_ERROR, "reload_refused", problems.data);
        gw_log(GW_LOG_ERROR, "event=reload_refused keeping=previous reason=\"the database does not "
               "match the new configuration\"");
        gw_config_free(next);
        next = NULL;
    }
    gw_buf_free(&problems);
    return next;
}

/* SIGHUP: a new configuration between two requests, or the old one kept. */
static void gw_reload_config(gw_program *p, const char *path, gw_config **cfg)
{
    gw_log_reopen();
    gw_config *next = gw_load_for_reload(p, path);
    if (!next) {
        gw_count(GW_MF_RELOADS, GW_M_REFUSED, 1);
        return;
    }
    if (p->stop)
        p->stop(p);
    gw_config *old = *cfg;
    *cfg = next;
    gw_log_set_level(next->log.level);
    gw_log_set_json(next->log.json);
    if (p->start && p->start(p, next) != 0) {
        /* cannot run with the new one: go back to the old one */
        *cfg = old;
        gw_config_free(next);
        gw_log_set_level(old->log.level);
        gw_log_set_json(old->log.json);
        gw_count(GW_MF_RELOADS, GW_M_REFUSED, 1);
        if (p->start(p, old) != 0) {
            gw_log(GW_LOG_ERROR, "event=reload_failed error=\"cannot start again\"");
            exit(1);
        }
        gw_log(GW_LOG_ERROR, "event=reload_refused keeping=previous");
        return;
    }
    gw_config_free(old);
    gw_count(GW_MF_RELOADS, GW_M_OK, 1);
    gw_log_start(p, next, "reloaded");
}

/* REMOTE_ADDR for the log: an address's characters only. */
static const char *gw_client_text(const char *addr, char out[48])
{
    size_t i = 0;
    for (; addr && addr[i] && i < 45; i++) {
        char ch = addr[i];
        bool ok = (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F') ||
                  ch == '.' || ch == ':';
        out[i] = ok ? ch : '?';
    }
    out[i] = '\0';
    return i ? out : "-";
}

/* The request's path for the log: normalized (without the query), or as
 * sent when it does not normalize; quoted, at most 200 bytes. */
static const char *gw_path_text(const char *uri, char out[2 * 200 + 4])
{
    char *norm = NULL;
    if (uri && gw_rule_path_normalize(uri, &norm) == GW_OK) {
        gw_log_quote(norm, 200, out);
        free(norm);
        return out;
    }
    char raw[201];
    size_t n = uri ? strcspn(uri, "?") : 0;
    if (n > 200)
        n = 200;
    memcpy(raw, uri ? uri : "", n);
    raw[n] = '\0';
    return gw_log_quote(raw, 200, out);
}

/* The one log line of a request: every deny (with the true reason), and
 * at level debug every allow; then its count. */
static void gw_outcome_log(const gw_program *p, const gw_request *rq, const gw_outcome *o,
                           const gw_peer *peer)
{
    gw_count_request((gw_prog)p->prog, o->status);
    bool deny = o->status != GW_OK;
    gw_log_level level = !deny ? GW_LOG_DEBUG
                         : o->status == GW_E_UNAVAILABLE || o->status == GW_E_INTERNAL ? GW_LOG_ERROR
                         : o->status == GW_E_UNTRUSTED_CALLER ? GW_LOG_WARN : GW_LOG_INFO;
    if (!gw_log_enabled(level))
        return;
    char method[16], path[2 * 200 + 4], client[48], why[2 * 120 + 4], peertext[2 * 80 + 4];
    char rule[2 * 120 + 4];
    const char *m = gw_request_get(rq, GW_RQ_METHOD);
    gw_log(level, "event=%s status=%d code=%s reason=\"%s\" method=%s path=\"%s\" client=%s "
           "user=%s user_id=%s%s%s%s%s%s%s%s%s",
           deny ? "deny" : "allow", o->http ? o->http : gw_status_http(o->status),
           deny ? gw_status_code(o->status) : "ok",
           gw_log_quote(!deny ? "allowed" : o->why ? o->why : "-", 120, why),
           m ? gw_log_safe(m, 10, method) : "-",
           gw_path_text(gw_request_get(rq, GW_RQ_REQUEST_URI), path),
           gw_client_text(gw_request_get(rq, GW_RQ_REMOTE_ADDR), client), *o->user ? o->user : "-",
           *o->user_id ? o->user_id : "-", o->source ? " source=" : "", o->source ? o->source : "",
           o->rule ? " rule=\"" : "", o->rule ? gw_log_quote(o->rule, 120, rule) : "",
           o->rule ? "\"" : "",
           o->status == GW_E_UNTRUSTED_CALLER ? " peer=\"" : "",
           o->status == GW_E_UNTRUSTED_CALLER ? gw_log_quote(peer->text, 80, peertext) : "",
           o->status == GW_E_UNTRUSTED_CALLER ? "\"" : "");
}

/* The accept loop of one process. */
static void gw_serve(gw_program *p, int fd, const char *cfgpath, gw_config **cfg,
                     const sigset_t *unblocked)
{
    FCGX_Request req;
    gw_accept_request_init(&req);
    gw_peer peer;
    memset(&peer, 0, sizeof(peer));
    gw_buf out;
    gw_buf_init(&out);
    gw_request rq = {0};
    const gw_config *rq_cfg = NULL; /* what rq's names were built from */
    while (!gw_stop) {
        if (gw_reopen) {
            gw_reopen = 0;
            gw_log_reopen();
        }
        if (gw_reload) {
            gw_reload = 0;
            gw_reload_config(p, cfgpath, cfg);
            rq_cfg = NULL;
        }
        const gw_config *c = *cfg;
        int rc = gw_accept_next(fd, &req, unblocked, c->fastcgi.receive_timeout_ms, &peer);
        if (rc == -EINTR)
            continue;
        if (rc < 0) {
            gw_log(GW_LOG_ERROR, "event=accept_failed error=\"%s\"", strerror(-rc));
            break;
        }
        gw_log_request(NULL);
        if (!gw_caller_peer_ok(c, peer.is_unix, peer.have_uid, peer.uid)) {
            gw_count_request((gw_prog)p->prog, GW_E_UNTRUSTED_CALLER);
            gw_log(GW_LOG_WARN, "event=deny code=%s reason=\"peer not in fastcgi.peer_uids\" "
                   "peer=\"%s\"", gw_status_code(GW_E_UNTRUSTED_CALLER), peer.text);
            gw_accept_drop(&req);
            continue;
        }
        if ((rc = gw_accept_read(&req, c->fastcgi.receive_timeout_ms)) < 0) {
            if (rc == -ETIMEDOUT)
                gw_log(GW_LOG_WARN, "event=request_timeout timeout_ms=%d peer=\"%s\"",
                       c->fastcgi.receive_timeout_ms, peer.text);
            else
                gw_log(GW_LOG_DEBUG, "event=connection_dropped peer=\"%s\"", peer.text);
            continue;
        }
        if (rq_cfg != c) {
            gw_request_free(&rq);
            rq_cfg = gw_request_init(&rq, c) ? c : NULL;
        }
        /* the request's environment, read once */
        gw_request_read(&rq, req.envp);
        gw_log_request(gw_request_get(&rq, GW_RQ_REQUEST_ID));
        gw_buf_reset(&out);
        gw_outcome o;
        memset(&o, 0, sizeof(o));
        if (!rq_cfg) {
            o.status = GW_E_INTERNAL;
            o.why = "out of memory";
        } else if (!gw_caller_secret_ok(c, gw_request_get(&rq, GW_RQ_SECRET),
                                        gw_request_count(&rq, GW_RQ_SECRET))) {
            /* no identity for a caller that did not prove it is the web
             * server; logged with the peer, never with the value */
            o.status = GW_E_UNTRUSTED_CALLER;
            o.why = gw_request_get(&rq, GW_RQ_SECRET) ? "wrong secret" : "no secret";
        } else {
            p->handle(p, &req, &rq, &out, &o);
        }
        if (o.status != GW_OK && !o.http) {
            gw_buf_reset(&out);
            if (o.subrequest)
                gw_reply_subrequest_deny(&out, o.status, NULL);
            else
                gw_reply_deny(&out, o.status, o.extra, o.detail);
        }
        gw_outcome_log(p, &rq, &o, &peer);
        if (out.oom || !out.len)
            FCGX_PutS("Status: 500 Internal Server Error\r\n"
                      "Content-Type: application/json\r\nCache-Control: no-store\r\n"
                      "\r\n{\"error\":\"internal_error\"}\n", req.out);
        else
            FCGX_PutStr(out.data, (int)out.len, req.out);
        gw_accept_finish(&req, c->fastcgi.receive_timeout_ms);
    }
    gw_accept_drop(&req);
    gw_buf_free(&out);
    gw_request_free(&rq);
}

/* --workers: starts, watches and restarts the workers; returns the exit
 * status of the supervisor. */
static int gw_supervise(gw_program *p, int fd, const char *cfgpath, gw_config **cfg, int n,
                        const sigset_t *blocked, const sigset_t *unblocked)
{
    pid_t pids[GW_MAX_WORKERS] = {0};
    time_t last_start[GW_MAX_WORKERS] = {0};
    gw_log(GW_LOG_INFO, "event=supervisor_start workers=%d", n);
    for (;;) {
        for (int i = 0; i < n && !gw_stop; i++) {
            if (pids[i] > 0)
                continue;
            time_t now = time(NULL);
            if (last_start[i] == now)
                continue; /* at most one start per second and slot */
            last_start[i] = now;
            pid_t c = fork();
            if (c == 0) {
                struct sigaction sa;
                memset(&sa, 0, sizeof(sa));
                sa.sa_handler = SIG_DFL;
                sigaction(SIGCHLD, &sa, NULL);
                if (p->start && p->start(p, *cfg) != 0)
                    _exit(1);
                gw_log_start(p, *cfg, "start");
                gw_counters_join((gw_prog)p->prog);
                gw_serve(p, fd, cfgpath, cfg, unblocked);
                gw_counters_leave();
                gw_log(GW_LOG_INFO, "event=stop");
                if (p->stop)
                    p->stop(p);
                gw_config_free(*cfg);
                _exit(0);
            }
            if (c < 0)
                gw_log(GW_LOG_ERROR, "event=fork_failed error=\"%s\"", strerror(errno));
            else
                pids[i] = c;
        }
        int alive = 0;
        for (int i = 0; i < n; i++)
            alive += pids[i] > 0;
        if (gw_stop && alive == 0)
            break;
        /* wait for a signal (SIGCHLD, SIGTERM, SIGHUP) or the next second */
        struct timespec ts = {1, 0};
        sigprocmask(SIG_SETMASK, unblocked, NULL);
        if (!gw_child && !gw_reload && !gw_reopen && !(gw_stop && alive))
            nanosleep(&ts, NULL);
        sigprocmask(SIG_SETMASK, blocked, NULL);
        if (gw_reopen) {
            gw_reopen = 0;
            gw_log_reopen();
            for (int i = 0; i < n; i++)
                if (pids[i] > 0)
                    kill(pids[i], SIGUSR1);
        }
        if (gw_reload) {
            /* the supervisor's copy serves the workers it starts later */
            gw_reload = 0;
            gw_log_reopen();
            gw_config *next = gw_load_for_reload(p, cfgpath);
            if (next) {
                gw_config_free(*cfg);
                *cfg = next;
            }
            for (int i = 0; i < n; i++)
                if (pids[i] > 0)
                    kill(pids[i], SIGHUP);
        }
        if (gw_stop) {
            for (int i = 0; i < n; i++)
                if (pids[i] > 0)
                    kill(pids[i], SIGTERM);
        }
        gw_child = 0;
        int status;
        pid_t dead;
        while ((dead = waitpid(-1, &status, WNOHANG)) > 0) {
            for (int i = 0; i < n; i++) {
                if (pids[i] != dead)
                    continue;
                pids[i] = 0;
                if (!gw_stop)
                    gw_log(GW_LOG_ERROR, "event=worker_died pid=%d status=%d restarting=yes",
                           (int)dead, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
            }
        }
    }
    gw_log(GW_LOG_INFO, "event=supervisor_stop");
    return 0;
}

int gw_app_main(gw_program *p, int argc, char **argv)
{
    /* Until the handlers are in place (after the configuration, the
     * database check and FCGX_Init), a SIGHUP or SIGUSR1 from logrotate
     * must not end a process that is still starting. */
    signal(SIGHUP, SIG_IGN);
    signal(SIGUSR1, SIG_IGN);
    const char *cfgpath = NULL, *sockaddr = NULL, *logfile = NULL, *jwks = NULL;
    int check = 0, print = 0, workers = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if ((!strcmp(a, "-c") || !strcmp(a, "--config")) && i + 1 < argc)
            cfgpath = argv[++i];
        else if (!strncmp(a, "--config=", 9))
            cfgpath = a + 9;
        else if ((!strcmp(a, "-s") || !strcmp(a, "--socket")) && i + 1 < argc)
            sockaddr = argv[++i];
        else if (!strncmp(a, "--socket=", 9))
            sockaddr = a + 9;
        else if ((!strcmp(a, "-l") || !strcmp(a, "--log-file")) && i + 1 < argc)
            logfile = argv[++i];
        else if (!strncmp(a, "--log-file=", 11))
            logfile = a + 11;
        else if ((!strcmp(a, "-w") || !strcmp(a, "--workers")) && i + 1 < argc) {
            char *end;
            long w = strtol(argv[++i], &end, 10);
            if (*end || w < 1 || w > GW_MAX_WORKERS) {
                fprintf(stderr, "gwauth-%s: --workers takes a number from 1 to %d\n", p->name,
                        GW_MAX_WORKERS);
                return 2;
            }
            workers = (int)w;
        } else if (!strcmp(a, "--check-config"))
            check = 1;
        else if (!strcmp(a, "--check-jwks") && i + 1 < argc && p->check_jwks)
            jwks = argv[++i];
        else if (!strcmp(a, "--print-config"))
            print = 1;
        else if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
            printf("gwauth-%s %s\n", p->name, GWAUTH_VERSION);
            return 0;
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            gw_usage(p, stdout);
            return 0;
        } else {
            fprintf(stderr, "gwauth-%s: unknown or incomplete option '%s'\n", p->name, a);
            gw_usage(p, stderr);
            return 2;
        }
    }
    if (jwks) /* gwauth-jwks-fetch asks before it installs a downloaded set */
        return p->check_jwks(p->name, jwks);
    if (!cfgpath)
        cfgpath = getenv("GWAUTH_CONFIG");
    if (!cfgpath || !*cfgpath)
        cfgpath = GW_DEFAULT_CONFIG;

    if (logfile) {
        gw_logfile = logfile;
        if (gw_log_open() != 0) {
            fprintf(stderr, "gwauth-%s: cannot open log file %s: %s\n", p->name, logfile,
                    strerror(errno));
            return 1;
        }
    }

    char *errors = NULL;
    gw_config *cfg = gw_load_config(cfgpath, &errors);
    if (!cfg) {
        gw_print_lines(p->name, errors);
        fprintf(stderr, "gwauth-%s: configuration refused, not starting\n", p->name);
        free(errors);
        return 1;
    }
    if (print) {
        char *json = gw_config_json(cfg);
        printf("%s\n", json ? json : "{}");
        if (cfg->database.password)
            fprintf(stderr, "gwauth-%s: database password: set (%s), not shown\n", p->name,
                    *cfg->database.password_file ? "from password_file" : "from GWAUTH_DB_PASSWORD");
        free(json);
        gw_config_free(cfg);
        return 0;
    }
    if (check) {
        gw_buf problems, notes;
        gw_buf_init(&problems);
        gw_buf_init(&notes);
        int n = p->check ? p->check(cfg, &problems, &notes) : 0;
        gw_buf noted;
        gw_buf_init(&noted);
        gw_buf_prefix_lines(&noted, "note", notes.data);
        gw_print_lines(p->name, noted.data);
        gw_buf_free(&noted);
        gw_buf_free(&notes);
        gw_buf warnings, warned;
        gw_buf_init(&warnings);
        gw_buf_init(&warned);
        gw_config_warnings(cfg, &warnings);
        gw_buf_prefix_lines(&warned, "warning", warnings.data);
        gw_print_lines(p->name, warned.data);
        gw_buf_free(&warned);
        gw_buf_free(&warnings);
        if (n == 0)
            printf("OK\n");
        else
            gw_print_lines(p->name, problems.data);
        gw_buf_free(&problems);
        gw_config_free(cfg);
        return n ? 1 : 0;
    }

    gw_log_init(p->name, cfg->log.level);
    gw_log_set_json(cfg->log.json);
    /* A database that answers but does not match the configuration would
     * make every request 503: refuse to start, saying why. One that is
     * down is no reason not to start. */
    gw_buf problems;
    gw_buf_init(&problems);
    if (gw_verify(p, cfg, &problems) > 0) {
        gw_print_lines(p->name, problems.data);
        gw_log_lines(GW_LOG_ERROR, "start_refused", problems.data);
        gw_log(GW_LOG_ERROR, "event=start_refused reason=\"the database does not match the "
               "configuration (see --check-config)\"");
        gw_buf_free(&problems);
        gw_config_free(cfg);
        return 1;
    }
    gw_buf_free(&problems);
    gw_buf warnings;
    gw_buf_init(&warnings);
    gw_config_warnings(cfg, &warnings);
    gw_log_lines(GW_LOG_WARN, "config_warning", warnings.data);
    gw_buf_free(&warnings);
    const char *mwhy = NULL;
    if (gw_counters_open(cfg->monitor.metrics_file, true, &mwhy) != 0) {
        char qf[2 * 200 + 4];
        gw_log(GW_LOG_WARN, "event=metrics_unshared file=\"%s\" error=\"%s: %s\" "
               "counting=this_process", gw_log_quote(cfg->monitor.metrics_file, 200, qf), mwhy,
               strerror(errno));
    }
    if (FCGX_Init() != 0) {
        fprintf(stderr, "gwauth-%s: FCGX_Init failed\n", p->name);
        gw_config_free(cfg);
        return 1;
    }
    int fd = 0;
    if (sockaddr) {
        if ((fd = gw_listen(p, sockaddr)) < 0) {
            gw_config_free(cfg);
            return 1;
        }
    } else if (FCGX_IsCGI()) {
        fprintf(stderr,
                "gwauth-%s: standard input is not a FastCGI socket; start it under "
                "spawn-fcgi, lighttpd's bin-path or systemd (StandardInput=socket), or give "
                "--socket\n", p->name);
        gw_config_free(cfg);
        return 1;
    }

    if (gw_accept_init(fd) != 0) {
        fprintf(stderr, "gwauth-%s: cannot prepare the listening socket: %s\n", p->name,
                strerror(errno));
        gw_config_free(cfg);
        return 1;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = gw_on_signal; /* no SA_RESTART: the wait for a connection must return */
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL); /* replaces libfcgi's (FCGX_Init) */
    if (workers)
        sigaction(SIGCHLD, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
    sigset_t blocked, unblocked;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGTERM);
    sigaddset(&blocked, SIGINT);
    sigaddset(&blocked, SIGHUP);
    sigaddset(&blocked, SIGUSR1);
    sigaddset(&blocked, SIGCHLD);
    sigprocmask(SIG_BLOCK, &blocked, &unblocked);
    sigdelset(&unblocked, SIGTERM);
    sigdelset(&unblocked, SIGINT);
    sigdelset(&unblocked, SIGHUP);
    sigdelset(&unblocked, SIGUSR1);
    sigdelset(&unblocked, SIGCHLD);
    sigprocmask(SIG_SETMASK, &blocked, NULL);

    int status = 0;
    if (workers) {
        status = gw_supervise(p, fd, cfgpath, &cfg, workers, &blocked, &unblocked);
    } else {
        if (p->start && p->start(p, cfg) != 0) {
            gw_config_free(cfg);
            return 1;
        }
        gw_log_start(p, cfg, "start");
        gw_counters_join((gw_prog)p->prog);
        gw_serve(p, fd, cfgpath, &cfg, &unblocked);
        gw_counters_leave();
        gw_log(GW_LOG_INFO, "event=stop");
        if (p->stop)
            p->stop(p);
    }
    gw_config_free(cfg);
    return status;
}
