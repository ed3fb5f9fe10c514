/*
 * counters.h - the metrics of every gwauth process on the host, in one
 * small file mapped into each of them (monitor.metrics_file, e.g.
 * /run/gwauth/metrics): processes started by spawn-fcgi, lighttpd's
 * bin-path, mod_fcgid, systemd or --workers all add to the same
 * counters with atomic operations, and the responder reads them all.
 * Counters survive the processes that made them; they start again when
 * the file is new (after a reboot, /run being a tmpfs).
 *
 * The file is made with mode 0600 and used only when it belongs to this
 * process's user (for gwauth-admin, which never makes it: one it may
 * open) and no other user may write it: a
 * process that could shorten it would crash every process that maps it.
 * When the file cannot be opened, made or trusted (its directory missing,
 * no permission, another owner, another version's layout for a process
 * that does not make it), the counters live in memory shared with this
 * process's --workers only; that is logged once and shown as
 * gwauth_metrics_shared 0. Counting never fails a request.
 */
#ifndef GW_COUNTERS_H
#define GW_COUNTERS_H

#include <stdbool.h>
#include <stdint.h>

#include "metrics.h"

/* Maps the counters: path (made when create is set, else only when it
 * exists), or, when it is "" or cannot be used, memory private to this
 * process and its children. Call once, before --workers start; 0, or -1
 * with *why (a static text) and errno when the file could not be used
 * (the private memory is then in place). */
int gw_counters_open(const char *path, bool create, const char **why);

/* Lists this process (program prog, started now) among the serving
 * ones; gw_counters_leave takes it off again (at exit). */
void gw_counters_join(gw_prog prog);
void gw_counters_leave(void);

/* Adds n to family f's label value i (nothing before gw_counters_open). */
void gw_count(gw_mfamily f, size_t i, uint64_t n);
/* One request of program prog answered with st. */
void gw_count_request(gw_prog prog, gw_status st);
/* One database operation that took us microseconds. */
void gw_count_db_time(uint64_t us);

/* A snapshot of every counter and of the live serving processes. */
void gw_counters_read(gw_metrics_data *m);

#endif
