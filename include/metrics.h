/*
 * metrics.h - what gwauth counts, and its Prometheus text exposition
 * (version 0.0.4). Pure: the counters live in a gw_metrics_data, which
 * counters.c keeps in memory shared by every process of the host.
 *
 * Every counter is a family with one label; the requests family has two
 * (program, code), flattened as program * GW_STATUS_COUNT + status.
 */
#ifndef GW_METRICS_H
#define GW_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "gwauth.h"
#include "util.h"

typedef enum { GW_PROG_AUTHORIZER, GW_PROG_RESPONDER, GW_PROG_COUNT } gw_prog;

typedef enum {
    GW_MF_REQUESTS,        /* gwauth_requests_total{program,code} */
    GW_MF_CACHE,           /* gwauth_cache_lookups_total{result} */
    GW_MF_USERS,           /* gwauth_users_written_total{event} */
    GW_MF_SESSIONS,        /* gwauth_sessions_created_total */
    GW_MF_SESSIONS_ENDED,  /* gwauth_sessions_ended_total{reason} */
    GW_MF_RELOADS,         /* gwauth_reloads_total{result} */
    GW_MF_JWKS,            /* gwauth_jwks_reloads_total{result} */
    GW_MF_DB_ERRORS,       /* gwauth_db_errors_total{class} */
    GW_MF_ASSERTIONS,      /* gwauth_assertions_signed_total */
    GW_MF_ASSERTION_KEYS,  /* gwauth_assertion_key_reloads_total{result} */
    GW_MF_RULE_REPORTS,    /* gwauth_rule_reports_total{result} */
    GW_MF_EXPORTS_TRUNCATED, /* gwauth_exports_truncated_total */
    GW_MF_PERMISSIONS,     /* gwauth_permissions_reloads_total{result} */
    GW_MF_COUNT
} gw_mfamily;

enum { GW_M_CACHE_HIT, GW_M_CACHE_MISS };
enum { GW_M_USER_CREATED, GW_M_USER_UPDATED };
enum { GW_M_OK, GW_M_REFUSED };  /* reloads, jwks and assertion key reloads */
enum { GW_M_WOULD_DENY, GW_M_WOULD_ALLOW }; /* rules in report mode */
enum {
    GW_M_ENDED_LOGOUT,       /* logout.path */
    GW_M_ENDED_REPLACED,     /* a new session in the same browser */
    GW_M_ENDED_USER_SWITCH,  /* another user's gateway identity */
    GW_M_ENDED_BACKCHANNEL,  /* the identity provider's back-channel logout */
    GW_M_ENDED_LIMIT,        /* beyond session.max_per_user */
    GW_M_ENDED_EXPIRED,      /* removed by the purge after expiring */
    GW_M_ENDED_REVOKED,      /* by gwauth-admin */
};
enum {
    GW_M_DB_UNREACHABLE,     /* no connection could be made */
    GW_M_DB_LOST,            /* the connection broke */
    GW_M_DB_TIMEOUT,         /* a server-side time limit (lock wait, statement) */
    GW_M_DB_UNAVAILABLE,     /* read-only, a cluster node not ready or cut off */
    GW_M_DB_CONFLICT,        /* a deadlock or certification conflict (retried) */
    GW_M_DB_REFUSED_VALUE,   /* a value the column refused */
    GW_M_DB_OTHER,
};

/* The number of label values of family f. */
size_t gw_metrics_width(gw_mfamily f);

/* gwauth_db_seconds buckets: the upper bounds in microseconds; the last
 * bucket is +Inf. */
#define GW_DB_BUCKETS 14
extern const uint64_t gw_metrics_db_bucket_us[GW_DB_BUCKETS - 1];
/* The bucket an observation of us microseconds falls in. */
size_t gw_metrics_db_bucket(uint64_t us);

#define GW_METRICS_COUNTERS 160 /* room for every family's values */
#define GW_METRICS_PROCS 256     /* processes listed with their start time */

/* Where family f's label value i is kept in gw_metrics_data.c. */
size_t gw_metrics_index(gw_mfamily f, size_t i);

typedef struct {
    int pid;
    int prog;               /* gw_prog */
    int64_t started;        /* Unix time */
} gw_metrics_proc;

/* A snapshot of the counters. */
typedef struct {
    uint64_t c[GW_METRICS_COUNTERS];
    uint64_t db_bucket[GW_DB_BUCKETS]; /* per bucket, not cumulative */
    uint64_t db_sum_us;
    int64_t since;          /* when the counters started (Unix time) */
    bool shared;            /* every process of the host, or this one only */
    gw_metrics_proc procs[GW_METRICS_PROCS];
    size_t nprocs;
} gw_metrics_data;

/* The Prometheus text exposition of m, appended to out. */
void gw_metrics_render(const gw_metrics_data *m, gw_buf *out);

/* The program name used in labels ("authorizer", "logout"). */
const char *gw_metrics_prog_name(gw_prog p);

#endif
