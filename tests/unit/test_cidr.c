/* cidr.c: trusted proxy networks. */
#include "cidr.h"
#include "unit.h"

static void t_parse(void)
{
    static const struct { const char *s; int ok; } cases[] = {
        {"127.0.0.1/32", 1}, {"127.0.0.1", 1}, {"10.0.0.0/8", 1}, {"0.0.0.0/0", 1},
        {"::1/128", 1}, {"::1", 1}, {"2001:db8::/32", 1}, {"::/0", 1}, {"fe80::/10", 1},
        {"10.0.0.1/8", 0},   /* host bits set */
        {"10.0.0.0/33", 0}, {"::/129", 0}, {"10.0.0.0/", 0}, {"10.0.0.0/x", 0},
        {"10.0.0.0/-1", 0}, {"/8", 0}, {"", 0}, {"localhost", 0}, {"10.0.0", 0},
        {"1.2.3.4.5", 0}, {"10.0.0.0/08x", 0}, {"2001:db8::1/32", 0}, {"10.0.0.0/0008", 0},
        {NULL, 0}};
    for (int i = 0; cases[i].s; i++) {
        gw_cidr c;
        if (gw_cidr_parse(cases[i].s, &c) != (cases[i].ok != 0))
            CU_FAIL(cases[i].s);
    }
}

static void t_match(void)
{
    gw_cidr n[4];
    CU_ASSERT_TRUE_FATAL(gw_cidr_parse("127.0.0.1/32", &n[0]));
    CU_ASSERT_TRUE_FATAL(gw_cidr_parse("10.1.0.0/16", &n[1]));
    CU_ASSERT_TRUE_FATAL(gw_cidr_parse("::1/128", &n[2]));
    CU_ASSERT_TRUE_FATAL(gw_cidr_parse("2001:db8:80::/41", &n[3]));
    static const struct { const char *a; int in; } cases[] = {
        {"127.0.0.1", 1}, {"127.0.0.2", 0}, {"::ffff:127.0.0.1", 1},
        {"10.1.0.0", 1}, {"10.1.255.255", 1}, {"10.2.0.0", 0}, {"10.0.255.255", 0},
        {"::1", 1}, {"::2", 0}, {"2001:db8:80::1", 1}, {"2001:db8:ff::1", 1},
        {"2001:db8:100::", 0}, {"2001:db8:7f::", 0},
        {"", 0}, {"garbage", 0}, {"127.0.0.1 ", 0}, {"127.0.0.1/32", 0},
        {NULL, 0}};
    for (int i = 0; cases[i].a; i++)
        if (gw_cidr_match(n, 4, cases[i].a) != (cases[i].in != 0))
            CU_FAIL(cases[i].a);
    CU_ASSERT_FALSE(gw_cidr_match(n, 4, NULL));
    CU_ASSERT_FALSE(gw_cidr_match(n, 0, "127.0.0.1"));
    gw_cidr all;
    CU_ASSERT_TRUE_FATAL(gw_cidr_parse("0.0.0.0/0", &all));
    CU_ASSERT_TRUE(gw_cidr_match(&all, 1, "203.0.113.9"));
    CU_ASSERT_FALSE(gw_cidr_match(&all, 1, "2001:db8::1"));
}

void unit_cidr(void)
{
    static const unit_test tests[] = {
        {"parse networks", t_parse},
        {"match IPv4, IPv6 and mapped addresses", t_match},
        {NULL, NULL}};
    unit_suite("cidr", tests);
}
