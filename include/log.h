/*
 * log.h - one line per event on stderr, in a stable key=value form:
 *   ts=2026-11-23T16:00:00.123Z level=info prog=authorizer pid=42 req=abc event=deny code=...
 * Values that could come from a client go through gw_log_safe() first.
 */
#ifndef GW_LOG_H
#define GW_LOG_H

#include <stddef.h>

typedef enum { GW_LOG_DEBUG, GW_LOG_INFO, GW_LOG_WARN, GW_LOG_ERROR } gw_log_level;

void gw_log_init(const char *prog, gw_log_level level);
void gw_log_set_level(gw_log_level level);
/* log.format "json": each line becomes one JSON object of strings
 * ({"ts":"...","level":"info",...}), from the same key=value text. */
void gw_log_set_json(int on);
int gw_log_enabled(gw_log_level level);

/* The request id for the following lines: from X-Request-Id when it is
 * 1..64 characters of [A-Za-z0-9._-], else a process-local counter. */
void gw_log_request(const char *x_request_id);

/* Logs fmt (key=value pairs) at level, prefixed with ts, level, prog,
 * pid and req. */
void gw_log(gw_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Logs each line of text as one event: event=NAME problem="LINE" (the
 * line quoted as by gw_log_quote). */
void gw_log_lines(gw_log_level level, const char *event, const char *text);

/* A loggable, shortened form of an untrusted value: at most max bytes
 * of [A-Za-z0-9@._-] (others become '?'), "..." appended when cut. out
 * must hold max + 4 bytes. */
const char *gw_log_safe(const char *value, size_t max, char *out);
/* How much of a user's id the log shows (README "Logs"). */
#define GW_LOG_ID_CHARS 12

/* value made fit for a double-quoted log value: '"' and '\\' escaped
 * with '\\', control characters and bytes above 0x7E as '?', at most max
 * bytes of value ("..." appended when cut). out must hold 2 * max + 4
 * bytes. */
const char *gw_log_quote(const char *value, size_t max, char *out);

/* The JSON object of one key=value line (line[0..n), no newline) into
 * out (outsz bytes, at least 16): every value a string; a part that is
 * not key=value is kept under "text". Returns the length written. Pure. */
size_t gw_log_json(const char *line, size_t n, char *out, size_t outsz);

#endif
