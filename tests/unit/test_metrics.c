/* The counters' text form (Prometheus exposition 0.0.4) and the log's
 * quoting and JSON form. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "metrics.h"
#include "unit.h"

/* Every family fits the shared counters, and no two label values share
 * a slot. */
static void t_layout(void)
{
    size_t end = gw_metrics_index(GW_MF_COUNT, 0);
    CU_ASSERT_TRUE(end <= GW_METRICS_COUNTERS);
    for (int f = 0; f + 1 < GW_MF_COUNT; f++)
        CU_ASSERT_EQUAL(gw_metrics_index((gw_mfamily)f, gw_metrics_width((gw_mfamily)f)),
                        gw_metrics_index((gw_mfamily)(f + 1), 0));
    CU_ASSERT_EQUAL(gw_metrics_width(GW_MF_REQUESTS), (size_t)GW_PROG_COUNT * GW_STATUS_COUNT);
    CU_ASSERT_EQUAL(gw_metrics_db_bucket(0), 0);
    CU_ASSERT_EQUAL(gw_metrics_db_bucket(250), 0); /* le is inclusive */
    CU_ASSERT_EQUAL(gw_metrics_db_bucket(251), 1);
    CU_ASSERT_EQUAL(gw_metrics_db_bucket(2500000), GW_DB_BUCKETS - 2);
    CU_ASSERT_EQUAL(gw_metrics_db_bucket(2500001), GW_DB_BUCKETS - 1); /* +Inf */
}

/* The value of the sample line that starts with name (labels included). */
static long long sample(const char *text, const char *name)
{
    size_t n = strlen(name);
    for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
        if (strncmp(l, name, n) == 0 && l[n] == ' ')
            return atoll(l + n + 1);
    return -1;
}

static void t_render(void)
{
    static gw_metrics_data m;
    memset(&m, 0, sizeof(m));
    m.c[gw_metrics_index(GW_MF_REQUESTS, GW_OK)] = 7;
    m.c[gw_metrics_index(GW_MF_REQUESTS, GW_STATUS_COUNT + GW_E_NOT_FOUND)] = 3;
    m.c[gw_metrics_index(GW_MF_SESSIONS_ENDED, GW_M_ENDED_USER_SWITCH)] = 2;
    m.c[gw_metrics_index(GW_MF_DB_ERRORS, GW_M_DB_CONFLICT)] = 5;
    m.db_bucket[0] = 4;
    m.db_bucket[3] = 1;
    m.db_bucket[GW_DB_BUCKETS - 1] = 2;
    m.db_sum_us = 3001500;
    m.since = 1700000000;
    m.shared = true;
    m.procs[0] = (gw_metrics_proc){.pid = 42, .prog = GW_PROG_AUTHORIZER, .started = 1700000001};
    m.procs[1] = (gw_metrics_proc){.pid = 43, .prog = GW_PROG_AUTHORIZER, .started = 1700000002};
    m.procs[2] = (gw_metrics_proc){.pid = 44, .prog = GW_PROG_RESPONDER, .started = 1700000003};
    m.nprocs = 3;
    gw_buf out;
    gw_buf_init(&out);
    gw_metrics_render(&m, &out);
    CU_ASSERT_FALSE_FATAL(out.oom);
    const char *t = out.data;
    CU_ASSERT_EQUAL(sample(t, "gwauth_requests_total{program=\"authorizer\",code=\"ok\"}"), 7);
    CU_ASSERT_EQUAL(sample(t, "gwauth_requests_total{program=\"logout\",code=\"not_found\"}"), 3);
    CU_ASSERT_EQUAL(sample(t, "gwauth_requests_total{program=\"logout\",code=\"ok\"}"), 0);
    CU_ASSERT_EQUAL(sample(t, "gwauth_sessions_ended_total{reason=\"user_switch\"}"), 2);
    CU_ASSERT_EQUAL(sample(t, "gwauth_db_errors_total{class=\"conflict\"}"), 5);
    CU_ASSERT_EQUAL(sample(t, "gwauth_sessions_created_total"), 0);
    /* buckets are cumulative; the bounds in seconds */
    CU_ASSERT_EQUAL(sample(t, "gwauth_db_seconds_bucket{le=\"0.00025\"}"), 4);
    CU_ASSERT_EQUAL(sample(t, "gwauth_db_seconds_bucket{le=\"0.001\"}"), 4);
    CU_ASSERT_EQUAL(sample(t, "gwauth_db_seconds_bucket{le=\"0.0025\"}"), 5);
    CU_ASSERT_EQUAL(sample(t, "gwauth_db_seconds_bucket{le=\"2.5\"}"), 5);
    CU_ASSERT_EQUAL(sample(t, "gwauth_db_seconds_bucket{le=\"+Inf\"}"), 7);
    CU_ASSERT_EQUAL(sample(t, "gwauth_db_seconds_count"), 7);
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "\ngwauth_db_seconds_sum 3.0015\n"));
    CU_ASSERT_EQUAL(sample(t, "gwauth_processes{program=\"authorizer\"}"), 2);
    CU_ASSERT_EQUAL(sample(t, "gwauth_processes{program=\"logout\"}"), 1);
    CU_ASSERT_EQUAL(sample(t, "gwauth_process_start_time_seconds{program=\"logout\",pid=\"44\"}"),
                    1700000003);
    CU_ASSERT_EQUAL(sample(t, "gwauth_metrics_shared"), 1);
    CU_ASSERT_EQUAL(sample(t, "gwauth_counters_start_time_seconds"), 1700000000);
    /* every family has its HELP and TYPE before its samples, once */
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "# TYPE gwauth_db_seconds histogram\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "# TYPE gwauth_requests_total counter\n"));
    const char *first = strstr(t, "# TYPE gwauth_requests_total");
    CU_ASSERT_PTR_NULL(strstr(first + 1, "# TYPE gwauth_requests_total"));
    CU_ASSERT_EQUAL(t[out.len - 1], '\n');
    gw_buf_free(&out);
}

static void t_quote(void)
{
    char out[2 * 16 + 4];
    CU_ASSERT_STRING_EQUAL(gw_log_quote("a \"b\" c\\d", 16, out), "a \\\"b\\\" c\\\\d");
    CU_ASSERT_STRING_EQUAL(gw_log_quote("x\ny\x01\x80", 16, out), "x?y??");
    CU_ASSERT_STRING_EQUAL(gw_log_quote("0123456789abcdefXYZ", 16, out), "0123456789abcdef...");
    CU_ASSERT_STRING_EQUAL(gw_log_quote("\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"", 16, out),
                           "\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"...");
    CU_ASSERT_STRING_EQUAL(gw_log_quote(NULL, 16, out), "");
}

static void t_json(void)
{
    char out[512];
    const char *l = "ts=2026-01-01T00:00:00.000Z level=info event=deny reason=\"a \\\"quoted\\\" "
                    "word\" path=\"/a\\\\b\" user=-";
    gw_log_json(l, strlen(l), out, sizeof(out));
    CU_ASSERT_STRING_EQUAL(out, "{\"ts\":\"2026-01-01T00:00:00.000Z\",\"level\":\"info\","
                                "\"event\":\"deny\",\"reason\":\"a \\\"quoted\\\" word\","
                                "\"path\":\"/a\\\\b\",\"user\":\"-\"}");
    /* what is not key=value is kept, not lost */
    l = "event=x and the rest";
    gw_log_json(l, strlen(l), out, sizeof(out));
    CU_ASSERT_STRING_EQUAL(out, "{\"event\":\"x\",\"text\":\"and the rest\"}");
    /* an unterminated quote ends the value at the end of the line */
    l = "a=\"open";
    gw_log_json(l, strlen(l), out, sizeof(out));
    CU_ASSERT_STRING_EQUAL(out, "{\"a\":\"open\"}");
    /* too small: whole pairs only, always an object */
    l = "a=1 b=22222222222222";
    size_t n = gw_log_json(l, strlen(l), out, 20);
    CU_ASSERT_STRING_EQUAL(out, "{\"a\":\"1\"}");
    CU_ASSERT_EQUAL(n, strlen(out));
    gw_log_json("", 0, out, 16);
    CU_ASSERT_STRING_EQUAL(out, "{}");
}

void unit_metrics(void)
{
    static const unit_test tests[] = {
        {"counters: layout and buckets", t_layout},
        {"metrics text: samples, cumulative buckets, HELP/TYPE once", t_render},
        {"log: quoted values escape quote and backslash, bounded", t_quote},
        {"log: key=value line as one JSON object", t_json},
        {NULL, NULL},
    };
    unit_suite("metrics", tests);
}
