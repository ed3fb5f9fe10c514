/*
 * app.c - command line, configuration, signals and the accept loop,
 * shared by the authorizer and the responder.
 *
 * SIGTERM (or SIGINT) lets the request in flight finish, then the loop
 * ends and the program exits 0: the signal is blocked while a request is
 * handled and unblocked only around FCGX_Accept_r, whose accept() it
 * interrupts (libfcgi stops waiting once FCGX_ShutdownPending was called).
 */
#include "app.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "gwauth.h"
#include "log.h"

#define GW_DEFAULT_CONFIG "/etc/gwauth/gwauth.json"

static volatile sig_atomic_t gw_stop;

static void gw_on_term(int sig)
{
    (void)sig;
    gw_stop = 1;
    FCGX_ShutdownPending();
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
            "                      of the socket on standard input (spawn-fcgi, lighttpd bin-path)\n"
            "  -l, --log-file FILE append log lines to FILE instead of standard error (spawn-fcgi\n"
            "                      gives its children no standard error)\n"
            "      --check-config  load the configuration, connect to the database, check every\n"
            "                      table and column it names; print OK or every problem\n"
            "  -V, --version       print the version and exit\n"
            "  -h, --help          print this help and exit\n"
            "\n"
            "Environment: GWAUTH_CONFIG (configuration file), GWAUTH_DB_PASSWORD (database\n"
            "password when database.password_file is not set).\n"
            "Exit status: 0 on success or SIGTERM, 1 on a configuration or start-up error,\n"
            "2 on a usage error.\n",
            p->name, p->summary, GW_DEFAULT_CONFIG);
}

/* Prints each line of text prefixed with the program name. */
static void gw_print_lines(const gw_program *p, const char *text)
{
    for (const char *l = text; l && *l;) {
        const char *nl = strchr(l, '\n');
        int n = nl ? (int)(nl - l) : (int)strlen(l);
        fprintf(stderr, "gwauth-%s: %.*s\n", p->name, n, l);
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

static void gw_log_start(const gw_program *p, const gw_config *c)
{
    gw_buf names;
    gw_buf_init(&names);
    for (size_t i = 0; i < c->exports.n; i++)
        gw_buf_printf(&names, "%s%s", i ? "," : "", c->exports.v[i].name);
    gw_log(GW_LOG_INFO,
           "event=start version=%s program=%s source=%s db=%s@%s:%d/%s%s%s exports=%s",
           GWAUTH_VERSION, p->name, c->identity.source == GW_SRC_APISIX ? "apisix" : "headers",
           c->database.user, c->database.host, c->database.port, c->database.name,
           *c->database.socket ? " socket=" : "", c->database.socket,
           names.data ? names.data : "-");
    gw_buf_free(&names);
}

int gw_app_main(gw_program *p, int argc, char **argv)
{
    const char *cfgpath = NULL, *sockaddr = NULL, *logfile = NULL;
    int check = 0;
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
        else if (!strcmp(a, "--check-config"))
            check = 1;
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
    if (!cfgpath)
        cfgpath = getenv("GWAUTH_CONFIG");
    if (!cfgpath || !*cfgpath)
        cfgpath = GW_DEFAULT_CONFIG;

    if (logfile) {
        int lfd = open(logfile, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
        if (lfd < 0 || dup2(lfd, STDERR_FILENO) < 0) {
            fprintf(stderr, "gwauth-%s: cannot open log file %s: %s\n", p->name, logfile,
                    strerror(errno));
            return 1;
        }
        if (lfd != STDERR_FILENO)
            close(lfd);
    }

    char *errors = NULL;
    gw_config *cfg = gw_config_load(cfgpath, &errors);
    if (!cfg) {
        gw_print_lines(p, errors);
        fprintf(stderr, "gwauth-%s: configuration refused, not starting\n", p->name);
        free(errors);
        return 1;
    }
    if (check) {
        gw_buf problems;
        gw_buf_init(&problems);
        int n = gw_db_check(cfg, &problems);
        if (n == 0)
            printf("OK\n");
        else
            gw_print_lines(p, problems.data);
        gw_buf_free(&problems);
        gw_config_free(cfg);
        return n ? 1 : 0;
    }

    gw_log_init(p->name, cfg->log.level);
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
                "spawn-fcgi or lighttpd's bin-path, or give --socket\n", p->name);
        gw_config_free(cfg);
        return 1;
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = gw_on_term; /* no SA_RESTART: accept() must return */
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
    sigset_t term, prev;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    sigaddset(&term, SIGINT);
    sigprocmask(SIG_BLOCK, &term, &prev);

    if (p->start && p->start(p, cfg) != 0) {
        gw_config_free(cfg);
        return 1;
    }
    gw_log_start(p, cfg);

    FCGX_Request req;
    FCGX_InitRequest(&req, fd, 0);
    gw_buf out;
    gw_buf_init(&out);
    while (!gw_stop) {
        sigprocmask(SIG_SETMASK, &prev, NULL);
        int rc = gw_stop ? -1 : FCGX_Accept_r(&req);
        sigprocmask(SIG_BLOCK, &term, NULL);
        if (rc < 0)
            break;
        gw_buf_reset(&out);
        p->handle(p, &req, &out);
        if (out.oom || !out.len)
            FCGX_PutS("Status: 500 Internal Server Error\r\n"
                      "Content-Type: application/json\r\nCache-Control: no-store\r\n"
                      "\r\n{\"error\":\"internal_error\"}\n", req.out);
        else
            FCGX_PutStr(out.data, (int)out.len, req.out);
        FCGX_Finish_r(&req);
    }
    gw_log(GW_LOG_INFO, "event=stop");
    gw_buf_free(&out);
    if (p->stop)
        p->stop(p);
    gw_config_free(cfg);
    return 0;
}
