/* reply.c - CGI header blocks for allow and deny (pure). */
#include "reply.h"

#include <string.h>

#include "config.h"
#include "util.h"

void gw_reply_deny(gw_buf *out, gw_status st, const char *extra, const char *reason)
{
    if (st == GW_OK)
        st = GW_E_INTERNAL; /* a deny is never a 200 */
    gw_buf_printf(out,
                  "Status: %d %s\r\n"
                  "Content-Type: application/json\r\n"
                  "Cache-Control: no-store\r\n"
                  "%s%s"
                  "\r\n"
                  "{\"error\":\"%s\"%s%s%s}\n",
                  gw_status_http(st), gw_status_reason(st),
                  st == GW_E_UNAVAILABLE ? "Retry-After: 5\r\n" : "", extra ? extra : "",
                  gw_status_code(st), reason ? ",\"reason\":\"" : "", reason ? reason : "",
                  reason ? "\"" : "");
}

void gw_reply_subrequest_deny(gw_buf *out, gw_status st, const char *location)
{
    if (st == GW_OK)
        st = GW_E_INTERNAL;
    int real = location ? 302 : gw_status_http(st);
    bool unauth = location || gw_status_http(st) == 401;
    gw_buf_printf(out,
                  "Status: %s\r\n"
                  "Content-Type: application/json\r\n"
                  "Cache-Control: no-store\r\n"
                  "X-Gwauth-Status: %d\r\n"
                  "X-Gwauth-Error: %s\r\n",
                  unauth ? "401 Unauthorized" : "403 Forbidden", real, gw_status_code(st));
    if (location)
        gw_buf_printf(out, "X-Gwauth-Location: %s\r\n", location);
    gw_buf_printf(out, "\r\n{\"error\":\"%s\"}\n", gw_status_code(st));
}

gw_status gw_reply_allow(gw_buf *out, const gw_var *vars, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (vars[i].value && (gw_has_ctl(vars[i].value) || gw_has_edge_space(vars[i].value)))
            return GW_E_INTERNAL;
    /* plain appends: this runs for every allowed request */
    gw_buf_puts(out, "Status: 200 OK\r\n");
    for (size_t i = 0; i < n; i++) {
        if (!vars[i].value || !*vars[i].value)
            continue;
        gw_buf_puts(out, "Variable-");
        gw_buf_puts(out, vars[i].name);
        gw_buf_puts(out, ": ");
        gw_buf_puts(out, vars[i].value);
        gw_buf_puts(out, "\r\n");
    }
    gw_buf_puts(out, "\r\n");
    return GW_OK;
}

/* The bytes of the Variable- lines of vars. */
static size_t export_bytes(const gw_var *vars, size_t n)
{
    size_t b = 0;
    for (size_t i = 0; i < n; i++)
        if (vars[i].value && *vars[i].value)
            b += strlen("Variable-: \r\n") + strlen(vars[i].name) + strlen(vars[i].value);
    return b;
}

size_t gw_reply_export_fit(const gw_config *cfg, gw_var *vars, size_t n, size_t *bytes,
                           bool *truncated)
{
    *truncated = false;
    *bytes = 0;
    if (!cfg->export_max_bytes) /* no bound: nothing to count */
        return n;
    *bytes = export_bytes(vars, n);
    if (*bytes <= cfg->export_max_bytes)
        return n;
    for (size_t i = 0; i < n && i < cfg->exports.n; i++)
        if (cfg->exports.v[i].kind == GW_EXP_GROUPS && vars[i].value && *vars[i].value) {
            vars[i].value = NULL;
            *truncated = true;
        }
    if (*truncated) {
        vars[n].name = GW_GROUPS_TRUNCATED_VAR;
        vars[n].value = "1";
        n++;
    }
    *bytes = export_bytes(vars, n);
    return n;
}

void gw_reply_redirect(gw_buf *out, gw_status st, const char *location, const char *extra)
{
    gw_buf_printf(out, "Status: 302 Found\r\nLocation: %s\r\nCache-Control: no-store\r\n%s",
                  location, extra ? extra : "");
    if (st == GW_OK)
        gw_buf_puts(out, "Content-Length: 0\r\n\r\n");
    else
        gw_buf_printf(out, "Content-Type: application/json\r\n\r\n{\"error\":\"%s\"}\n",
                      gw_status_code(st));
}
