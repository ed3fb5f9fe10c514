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
static bool gw_log_as_json;         /* log.format "json" */
static bool gw_log_has_rid;         /* gw_log_req holds the X-Request-Id */
static unsigned long gw_log_seq;    /* requests seen */
static unsigned long gw_log_made;   /* the request gw_log_req was made for */

void gw_log_init(const char *prog, gw_log_level level)
{
    gw_log_prog = prog;
    gw_log_min = level;
}

void gw_log_set_level(gw_log_level level) { gw_log_min = level; }
void gw_log_set_json(int on) { gw_log_as_json = on != 0; }
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
        while (n <= 64 && rid[n] && gw_id_char(rid[n]))
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

const char *gw_log_quote(const char *value, size_t max, char *out)
{
    size_t i = 0, o = 0;
    for (; value && value[i] && i < max; i++) {
        unsigned char ch = (unsigned char)value[i];
        if (ch == '"' || ch == '\\')
            out[o++] = '\\';
        out[o++] = (ch < 0x20 || ch > 0x7E) ? '?' : (char)ch;
    }
    out[o] = '\0';
    if (value && value[i])
        strcpy(out + o, "...");
    return out;
}

/* The length of s[0..n) as JSON string content. */
static size_t gw_json_len(const char *s, size_t n)
{
    size_t l = n;
    for (size_t i = 0; i < n; i++)
        l += s[i] == '"' || s[i] == '\\';
    return l;
}

/* Appends "k":"v" (with a comma unless first) to out at *o. */
static void gw_json_pair(char *out, size_t *o, bool first, const char *k, size_t kn,
                         const char *v, size_t vn)
{
    const char *parts[2] = {k, v};
    size_t lens[2] = {kn, vn};
    if (!first)
        out[(*o)++] = ',';
    for (int p = 0; p < 2; p++) {
        out[(*o)++] = '"';
        for (size_t i = 0; i < lens[p]; i++) {
            unsigned char ch = (unsigned char)parts[p][i];
            if (ch == '"' || ch == '\\')
                out[(*o)++] = '\\';
            out[(*o)++] = (ch < 0x20 || ch > 0x7E) ? '?' : (char)ch;
        }
        out[(*o)++] = '"';
        if (p == 0)
            out[(*o)++] = ':';
    }
}

static bool gw_key_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }

size_t gw_log_json(const char *line, size_t n, char *out, size_t outsz)
{
    char v[2048];
    size_t o = 0, i = 0;
    bool first = true;
    out[o++] = '{';
    while (i < n) {
        while (i < n && line[i] == ' ')
            i++;
        if (i >= n)
            break;
        size_t k = i;
        while (k < n && gw_key_char(line[k]))
            k++;
        const char *key = line + i;
        size_t kn = k - i, vn = 0, next;
        if (kn == 0 || k >= n || line[k] != '=') {
            /* not key=value: the rest of the line, as it is */
            key = "text";
            kn = 4;
            vn = n - i < sizeof(v) ? n - i : sizeof(v);
            memcpy(v, line + i, vn);
            next = n;
        } else if (k + 1 < n && line[k + 1] == '"') {
            /* quoted: \" and \\ stand for the character */
            size_t j = k + 2;
            for (; j < n && line[j] != '"'; j++) {
                if (line[j] == '\\' && j + 1 < n)
                    j++;
                if (vn < sizeof(v))
                    v[vn++] = line[j];
            }
            next = j < n ? j + 1 : n;
        } else {
            size_t j = k + 1;
            while (j < n && line[j] != ' ')
                j++;
            vn = j - k - 1 < sizeof(v) ? j - k - 1 : sizeof(v);
            memcpy(v, line + k + 1, vn);
            next = j;
        }
        /* a pair that does not fit ends the object there */
        if (o + gw_json_len(key, kn) + gw_json_len(v, vn) + 8 > outsz)
            break;
        gw_json_pair(out, &o, first, key, kn, v, vn);
        first = false;
        i = next;
    }
    out[o++] = '}';
    out[o] = '\0';
    return o;
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
    if (gw_log_as_json) {
        char js[2 * sizeof(line) + 16];
        size_t jn = gw_log_json(line, (size_t)n, js, sizeof(js) - 1);
        js[jn++] = '\n';
        ssize_t w = write(STDERR_FILENO, js, jn);
        (void)w;
        return;
    }
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
        char q[2 * 512 + 4];
        char raw[513];
        int m = n < 512 ? n : 512;
        memcpy(raw, l, (size_t)m);
        raw[m] = '\0';
        gw_log(level, "event=%s problem=\"%s\"", event, gw_log_quote(raw, 512, q));
        l += n + (nl ? 1 : 0);
    }
}
