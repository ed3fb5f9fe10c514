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
#include "util.h"

typedef struct gw_program {
    const char *name;     /* "authorizer", used in logs and messages */
    const char *summary;  /* one line for --help */
    /* Called once after the configuration is loaded; returns 0 or exits. */
    int (*start)(struct gw_program *p, const gw_config *cfg);
    /* Writes the whole CGI reply for req into out (headers and body). */
    void (*handle)(struct gw_program *p, FCGX_Request *req, gw_buf *out);
    void (*stop)(struct gw_program *p);
    /* Whether cfg makes the program use the database (checked before a
     * configuration is used); NULL means always. */
    bool (*needs_db)(const gw_config *cfg);
    void *ctx;
} gw_program;

/* Runs the program; returns the process exit status. */
int gw_app_main(gw_program *p, int argc, char **argv);

#endif
