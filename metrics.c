/* metrics.c - the counters' layout and their Prometheus text form. */
#include "metrics.h"

#include <inttypes.h>
#include <stdio.h>

typedef struct {
    const char *name;
    const char *help;
    const char *label;            /* NULL: no label (one value) */
    const char *const *values;
    size_t n;
} gw_mfam;

static const char *const cache_v[] = {"hit", "miss"};
static const char *const users_v[] = {"created", "updated"};
static const char *const result_v[] = {"ok", "refused"};
static const char *const ended_v[] = {"logout", "replaced", "user_switch", "backchannel_logout",
                                      "max_per_user", "expired", "revoked"};
static const char *const report_v[] = {"would_deny", "would_allow"};
static const char *const dberr_v[] = {"unreachable", "lost", "timeout", "unavailable",
                                      "conflict", "refused_value", "other"};

static const gw_mfam gw_mfams[GW_MF_COUNT] = {
    [GW_MF_REQUESTS] = {"gwauth_requests_total", "Requests answered, by program and outcome "
                        "(ok, or the JSON error code of the deny).", NULL, NULL,
                        GW_PROG_COUNT * GW_STATUS_COUNT},
    [GW_MF_CACHE] = {"gwauth_cache_lookups_total", "Identity cache lookups of the authorizer.",
                     "result", cache_v, 2},
    [GW_MF_USERS] = {"gwauth_users_written_total", "Users created, and users whose rows a "
                     "request changed.", "event", users_v, 2},
    [GW_MF_SESSIONS] = {"gwauth_sessions_created_total", "Persistent sessions established.",
                        NULL, NULL, 1},
    [GW_MF_SESSIONS_ENDED] = {"gwauth_sessions_ended_total", "Persistent sessions ended, by "
                              "reason.", "reason", ended_v, 7},
    [GW_MF_RELOADS] = {"gwauth_reloads_total", "Configuration reloads (SIGHUP) taken, or "
                       "refused with the previous configuration kept.", "result", result_v, 2},
    [GW_MF_JWKS] = {"gwauth_jwks_reloads_total", "Changed identity.jwt key files taken, or "
                    "refused with the previous keys kept.", "result", result_v, 2},
    [GW_MF_DB_ERRORS] = {"gwauth_db_errors_total", "Database errors, by class (conflicts are "
                         "retried).", "class", dberr_v, 7},
    [GW_MF_ASSERTIONS] = {"gwauth_assertions_signed_total", "Identity assertions signed (a "
                          "cached one is reused while half its lifetime is left).", NULL, NULL, 1},
    [GW_MF_ASSERTION_KEYS] = {"gwauth_assertion_key_reloads_total", "Changed assertion.key_file "
                              "keys taken, or refused with the previous keys kept.", "result",
                              result_v, 2},
    [GW_MF_RULE_REPORTS] = {"gwauth_rule_reports_total", "Requests a rule in report mode "
                            "would have denied or allowed (it decides nothing).", "result",
                            report_v, 2},
    [GW_MF_EXPORTS_TRUNCATED] = {"gwauth_exports_truncated_total", "Allow replies built without "
                                 "@groups to stay within export_max_bytes (a cached identity "
                                 "reuses its reply).", NULL, NULL, 1},
    [GW_MF_PERMISSIONS] = {"gwauth_permissions_reloads_total", "Changed access.permissions_file "
                           "taken, or refused with the previous permissions kept.", "result",
                           result_v, 2},
};

const uint64_t gw_metrics_db_bucket_us[GW_DB_BUCKETS - 1] = {
    250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000, 2500000};

size_t gw_metrics_db_bucket(uint64_t us)
{
    size_t i = 0;
    while (i < GW_DB_BUCKETS - 1 && us > gw_metrics_db_bucket_us[i])
        i++;
    return i;
}

const char *gw_metrics_prog_name(gw_prog p)
{
    return p == GW_PROG_AUTHORIZER ? "authorizer" : "logout";
}

size_t gw_metrics_width(gw_mfamily f) { return f < GW_MF_COUNT ? gw_mfams[f].n : 0; }

size_t gw_metrics_index(gw_mfamily f, size_t i)
{
    size_t base = 0;
    for (int k = 0; k < (int)f; k++)
        base += gw_mfams[k].n;
    return base + i;
}

/* A bucket bound in seconds, as Prometheus writes it ("0.00025"). */
static void gw_le(char *out, size_t n, uint64_t us)
{
    int w = snprintf(out, n, "%" PRIu64 ".%06" PRIu64, us / 1000000, us % 1000000);
    while (w > 1 && out[w - 1] == '0')
        out[--w] = '\0';
    if (w > 1 && out[w - 1] == '.')
        out[--w] = '\0';
}

void gw_metrics_render(const gw_metrics_data *m, gw_buf *out)
{
    size_t idx = 0;
    for (int f = 0; f < GW_MF_COUNT; f++) {
        const gw_mfam *fam = &gw_mfams[f];
        gw_buf_printf(out, "# HELP %s %s\n# TYPE %s counter\n", fam->name, fam->help, fam->name);
        for (size_t i = 0; i < fam->n; i++, idx++) {
            uint64_t v = idx < GW_METRICS_COUNTERS ? m->c[idx] : 0;
            if (f == GW_MF_REQUESTS) {
                gw_status st = (gw_status)(i % GW_STATUS_COUNT);
                gw_buf_printf(out, "%s{program=\"%s\",code=\"%s\"} %" PRIu64 "\n", fam->name,
                              gw_metrics_prog_name((gw_prog)(i / GW_STATUS_COUNT)),
                              st == GW_OK ? "ok" : gw_status_code(st), v);
            } else if (fam->label) {
                gw_buf_printf(out, "%s{%s=\"%s\"} %" PRIu64 "\n", fam->name, fam->label,
                              fam->values[i], v);
            } else {
                gw_buf_printf(out, "%s %" PRIu64 "\n", fam->name, v);
            }
        }
    }
    const char *h = "gwauth_db_seconds";
    gw_buf_printf(out, "# HELP %s Time a database operation took (connecting, retries "
                  "included).\n# TYPE %s histogram\n", h, h);
    uint64_t cum = 0;
    char le[32];
    for (size_t i = 0; i < GW_DB_BUCKETS; i++) {
        cum += m->db_bucket[i];
        if (i < GW_DB_BUCKETS - 1)
            gw_le(le, sizeof(le), gw_metrics_db_bucket_us[i]);
        gw_buf_printf(out, "%s_bucket{le=\"%s\"} %" PRIu64 "\n", h,
                      i < GW_DB_BUCKETS - 1 ? le : "+Inf", cum);
    }
    gw_le(le, sizeof(le), m->db_sum_us);
    gw_buf_printf(out, "%s_sum %s\n%s_count %" PRIu64 "\n", h, le, h, cum);

    gw_buf_printf(out, "# HELP gwauth_build_info The running version.\n"
                  "# TYPE gwauth_build_info gauge\ngwauth_build_info{version=\"%s\"} 1\n",
                  GWAUTH_VERSION);
    gw_buf_printf(out, "# HELP gwauth_metrics_shared 1 when the counters are those of every "
                  "process sharing monitor.metrics_file, 0 when of this process alone.\n"
                  "# TYPE gwauth_metrics_shared gauge\ngwauth_metrics_shared %d\n", m->shared ? 1 : 0);
    gw_buf_printf(out, "# HELP gwauth_counters_start_time_seconds When the counters started "
                  "(Unix time).\n# TYPE gwauth_counters_start_time_seconds gauge\n"
                  "gwauth_counters_start_time_seconds %" PRId64 "\n", m->since);
    size_t per[GW_PROG_COUNT] = {0};
    for (size_t i = 0; i < m->nprocs; i++)
        if (m->procs[i].prog >= 0 && m->procs[i].prog < GW_PROG_COUNT)
            per[m->procs[i].prog]++;
    gw_buf_puts(out, "# HELP gwauth_processes Processes serving requests now.\n"
                "# TYPE gwauth_processes gauge\n");
    for (int p = 0; p < GW_PROG_COUNT; p++)
        gw_buf_printf(out, "gwauth_processes{program=\"%s\"} %zu\n",
                      gw_metrics_prog_name((gw_prog)p), per[p]);
    gw_buf_puts(out, "# HELP gwauth_process_start_time_seconds When each serving process "
                "started (Unix time).\n# TYPE gwauth_process_start_time_seconds gauge\n");
    for (size_t i = 0; i < m->nprocs; i++)
        if (m->procs[i].prog >= 0 && m->procs[i].prog < GW_PROG_COUNT)
            gw_buf_printf(
                out, "gwauth_process_start_time_seconds{program=\"%s\",pid=\"%d\"} %" PRId64 "\n",
                gw_metrics_prog_name((gw_prog)m->procs[i].prog), m->procs[i].pid,
                m->procs[i].started);
}
