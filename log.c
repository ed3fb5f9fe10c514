/* log.c - key=value lines on stderr, written with one write(2) each. */
#include "log.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

static const char *gw_log_prog = "gwauth";
static gw_log_level gw_log_min = GW_LOG_INFO;
static char gw_log_req[72] = "-";  /* the request id, once made */
static bool gw_log_has_rid;         /* gw_log_req holds the X-Request-Id */
static unsigned long gw_log_seq;    /* requests seen */
static unsigned long gw_log_made;   /* the request gw_log_req was made for */

void gw_log_init(const char *prog, gw_log_level level)
{
    gw_log_prog = prog;
    gw_log_min = level;
}

void gw_log_set_level(gw_log_level level) { gw_log_min = level; }
int gw_log_enabled(gw_log_level level) { return level >= gw_log_min; }

static int gw_id_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '_' || c == '-';
}

void gw_log_request(const char *rid)
{
    /* The X-Request-Id is checked and copied now (the request's memory
     * is gone once it is answered); the pid-counter form, which needs
     * printf, is made only when a line is written. */
    size_t n = 0;
    if (rid)
        while (rid[n] && n <= 64 && gw_id_char(rid[n]))
            n++;
    gw_log_has_rid = rid && n >= 1 && n <= 64 && !rid[n];
    if (gw_log_has_rid)
        memcpy(gw_log_req, rid, n + 1);
    gw_log_seq++;
}

static const char *gw_log_req_id(void)
{
    if (gw_log_seq == 0)
        return "-";
    if (!gw_log_has_rid && gw_log_made != gw_log_seq) {
        gw_log_made = gw_log_seq;
        snprintf(gw_log_req, sizeof(gw_log_req), "%d-%lu", (int)getpid(), gw_log_seq);
    }
    return gw_log_req;
}

const char *gw_log_safe(const char *value, size_t max, char *out)
{
    size_t i = 0;
    for (; value && value[i] && i < max; i++)
        out[i] = (gw_id_char(value[i]) || value[i] == '@') ? value[i] : '?';
    out[i] = '\0';
    if (value && value[i])
        strcpy(out + i, "...");
    return out;
}

void gw_log(gw_log_level level, const char *fmt, ...)
{
    static const char *const names[] = {"debug", "info", "warn", "error"};
    if (level < gw_log_min)
        return;
    char line[2048];
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    gmtime_r(&tv.tv_sec, &tm);
    int n = snprintf(line, sizeof(line),
                     "ts=%04d-%02d-%02dT%02d:%02d:%02d.%03dZ level=%s prog=%s pid=%d req=%s ",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                     tm.tm_sec, (int)(tv.tv_usec / 1000), names[level], gw_log_prog,
                     (int)getpid(), gw_log_req_id());
    va_list ap;
    va_start(ap, fmt);
    if (n > 0 && (size_t)n < sizeof(line))
        n += vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof(line) - 1)
        n = (int)sizeof(line) - 2;
    /* a line never spans two: control characters become spaces */
    for (int i = 0; i < n; i++)
        if ((unsigned char)line[i] < 0x20)
            line[i] = ' ';
    line[n++] = '\n';
    ssize_t w = write(STDERR_FILENO, line, (size_t)n);
    (void)w;
}

/* Logs each line of text as one event. */
void gw_log_lines(gw_log_level level, const char *event, const char *text)
{
    for (const char *l = text; l && *l;) {
        const char *nl = strchr(l, '\n');
        int n = nl ? (int)(nl - l) : (int)strlen(l);
        gw_log(level, "event=%s problem=\"%.*s\"", event, n, l);
        l += n + (nl ? 1 : 0);
    }
}
