/*
 * log.h - one line per event on stderr, in a stable key=value form:
 *   ts=2026-11-23T16:00:00.123Z level=info prog=authorizer pid=42 req=abc event=deny code=...
 * Values that could come from a client go through gw_log_safe() first.
 */
#ifndef GW_LOG_H
#define GW_LOG_H

#include "config.h"

void gw_log_init(const char *prog, gw_log_level level);
void gw_log_set_level(gw_log_level level);
int gw_log_enabled(gw_log_level level);

/* The request id for the following lines: from X-Request-Id when it is
 * 1..64 characters of [A-Za-z0-9._-], else a process-local counter. */
void gw_log_request(const char *x_request_id);

/* Logs fmt (key=value pairs) at level, prefixed with ts, level, prog,
 * pid and req. */
void gw_log(gw_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Logs each line of text as one event: event=NAME problem="LINE". */
void gw_log_lines(gw_log_level level, const char *event, const char *text);

/* A loggable, shortened form of an untrusted value: at most max bytes
 * of [A-Za-z0-9@._-] (others become '?'), "..." appended when cut. out
 * must hold max + 4 bytes. */
const char *gw_log_safe(const char *value, size_t max, char *out);

#endif
