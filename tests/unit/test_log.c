/* log.c: what reaches a log line from a client (gw_log_safe,
 * gw_log_quote), the request id (X-Request-Id or the counter form), one
 * line per event, and the JSON form. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "unit.h"

/* What gw_log and friends write to stderr while fn(arg) runs. */
static char captured[16384];
static const char *capture(void (*fn)(const void *), const void *arg)
{
    int fds[2];
    captured[0] = '\0';
    if (pipe(fds) != 0)
        return captured;
    int saved = dup(2);
    dup2(fds[1], 2);
    fn(arg);
    dup2(saved, 2);
    close(saved);
    close(fds[1]);
    ssize_t n = read(fds[0], captured, sizeof(captured) - 1);
    close(fds[0]);
    captured[n > 0 ? n : 0] = '\0';
    return captured;
}

static void log_event(const void *arg) { gw_log(GW_LOG_INFO, "event=%s", (const char *)arg); }

static void t_safe(void)
{
    char out[16 + 4];
    CU_ASSERT_STRING_EQUAL(gw_log_safe("alice@example.org", 16, out), "alice@example.or...");
    CU_ASSERT_STRING_EQUAL(gw_log_safe("a b\"c=d\n", 16, out), "a?b?c?d?");
    CU_ASSERT_STRING_EQUAL(gw_log_safe("ok-1_2.3", 16, out), "ok-1_2.3");
    CU_ASSERT_STRING_EQUAL(gw_log_safe(NULL, 16, out), "");
    CU_ASSERT_STRING_EQUAL(gw_log_safe("\xc3\xa9t\xc3\xa9", 16, out), "??t??"); /* bytes, not characters */
    char q[2 * 8 + 4];
    CU_ASSERT_STRING_EQUAL(gw_log_quote("say \"hi\"\\", 16, q), "say \\\"hi\\\"\\\\");
    CU_ASSERT_STRING_EQUAL(gw_log_quote("a\tb\x7f\xc3", 8, q), "a?b??");
    CU_ASSERT_STRING_EQUAL(gw_log_quote("123456789", 8, q), "12345678...");
}

static void t_request_id(void)
{
    gw_log_init("unit", GW_LOG_INFO);
    gw_log_request("abc-123_X.y");
    CU_ASSERT_PTR_NOT_NULL(strstr(capture(log_event, "one"), " req=abc-123_X.y event=one\n"));
    /* refused: a character outside [A-Za-z0-9._-], empty, too long */
    const char *bad[] = {"a b", "a\"b", "a=b", "", "x\ny"};
    char want[64];
    snprintf(want, sizeof(want), " req=%d-", (int)getpid());
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        gw_log_request(bad[i]);
        const char *l = capture(log_event, "bad");
        CU_ASSERT_PTR_NOT_NULL(strstr(l, want)); /* the counter form */
        CU_ASSERT_PTR_NULL(strstr(l, bad[i][0] ? bad[i] : "req= "));
    }
    char id[66];
    memset(id, 'a', 65);
    id[65] = '\0';
    gw_log_request(id);
    CU_ASSERT_PTR_NOT_NULL(strstr(capture(log_event, "long"), want));
    id[64] = '\0'; /* 64 characters: the limit, taken */
    gw_log_request(id);
    CU_ASSERT_PTR_NOT_NULL(strstr(capture(log_event, "limit"), id));
    /* the counter moves with each request */
    gw_log_request(NULL);
    char first[64];
    const char *l = strstr(capture(log_event, "a"), " req=");
    CU_ASSERT_PTR_NOT_NULL_FATAL(l);
    snprintf(first, sizeof(first), "%.*s", (int)strcspn(l + 1, " "), l + 1);
    gw_log_request(NULL);
    CU_ASSERT_PTR_NULL(strstr(capture(log_event, "b"), first));
}

static void log_levels(const void *arg)
{
    (void)arg;
    gw_log(GW_LOG_DEBUG, "event=hidden");
    gw_log(GW_LOG_ERROR, "event=shown value=\"a\nb\"");
}

static void log_lines(const void *arg) { gw_log_lines(GW_LOG_ERROR, "config_problem", arg); }

static void t_lines(void)
{
    gw_log_init("unit", GW_LOG_INFO);
    gw_log_request("r1");
    const char *l = capture(log_levels, NULL);
    CU_ASSERT_PTR_NULL(strstr(l, "hidden"));
    CU_ASSERT_PTR_NOT_NULL(strstr(l, "level=error prog=unit"));
    CU_ASSERT_PTR_NOT_NULL(strstr(l, "value=\"a b\"\n")); /* one line, never two */
    CU_ASSERT_EQUAL(strchr(l, '\n'), l + strlen(l) - 1);
    CU_ASSERT_TRUE(gw_log_enabled(GW_LOG_ERROR));
    CU_ASSERT_FALSE(gw_log_enabled(GW_LOG_DEBUG));
    l = capture(log_lines, "first \"one\"\nsecond");
    CU_ASSERT_PTR_NOT_NULL(strstr(l, "event=config_problem problem=\"first \\\"one\\\"\"\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(l, "event=config_problem problem=\"second\"\n"));
}

static void t_json(void)
{
    char out[512];
    const char *line = "ts=1 level=info event=deny reason=\"a \\\"b\\\" \\\\ c\" path=/x";
    size_t n = gw_log_json(line, strlen(line), out, sizeof(out));
    CU_ASSERT_EQUAL(n, strlen(out));
    CU_ASSERT_STRING_EQUAL(out, "{\"ts\":\"1\",\"level\":\"info\",\"event\":\"deny\","
                                "\"reason\":\"a \\\"b\\\" \\\\ c\",\"path\":\"/x\"}");
    line = "event=x not a pair";
    gw_log_json(line, strlen(line), out, sizeof(out));
    CU_ASSERT_STRING_EQUAL(out, "{\"event\":\"x\",\"text\":\"not a pair\"}");
    /* a small buffer: still one closed object */
    char small[16];
    gw_log_json("event=abcdefghijklmnop", 22, small, sizeof(small));
    CU_ASSERT_EQUAL(small[strlen(small) - 1], '}');
    /* the JSON form of a whole line */
    gw_log_init("unit", GW_LOG_INFO);
    gw_log_set_json(1);
    const char *l = capture(log_event, "j");
    gw_log_set_json(0);
    CU_ASSERT_EQUAL(l[0], '{');
    CU_ASSERT_PTR_NOT_NULL(strstr(l, "\"prog\":\"unit\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(l, "\"event\":\"j\"}\n"));
}

void unit_log(void)
{
    static const unit_test tests[] = {
        {"log: client values made safe", t_safe},
        {"log: the request id", t_request_id},
        {"log: levels, one line per event", t_lines},
        {"log: the JSON form", t_json},
        {NULL, NULL},
    };
    unit_suite("log", tests);
}
