/* perms.c: the permissions specification; permissions_any and
 * @permissions through the rules. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "perms.h"
#include "rules.h"
#include "unit.h"

static const char *const spec =
    "{\"READ_EXAMPLES\": {\"principals\": [\"1234@app\", \"wgd23@person\"], \"groups\": [\"105217\"]},"
    " \"WRITE_EXAMPLES\": {\"principals\": [\"wgd23@person\"]},"
    " \"ADMIN\": {\"groups\": [\"admins\"]}, \"NOBODY\": {}}";

static void t_parse(void)
{
    char *err = NULL;
    gw_perms *p = gw_perms_parse(spec, strlen(spec), &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_EQUAL(gw_perms_count(p), 4);
    const char *g105[] = {"105217"}, *adm[] = {"x", "admins"};
    CU_ASSERT_TRUE(gw_perms_has(p, "READ_EXAMPLES", "1234@app", NULL, 0));
    CU_ASSERT_TRUE(gw_perms_has(p, "READ_EXAMPLES", "someone@person", g105, 1)); /* by a group */
    CU_ASSERT_FALSE(gw_perms_has(p, "WRITE_EXAMPLES", "1234@app", g105, 1));
    CU_ASSERT_FALSE(gw_perms_has(p, "UNKNOWN", "wgd23@person", NULL, 0));
    CU_ASSERT_FALSE(gw_perms_has(p, "NOBODY", "wgd23@person", adm, 2));
    CU_ASSERT_FALSE(gw_perms_has(p, "READ_EXAMPLES", NULL, NULL, 0));
    CU_ASSERT_FALSE(gw_perms_has(NULL, "READ_EXAMPLES", "1234@app", NULL, 0));
    CU_ASSERT_TRUE(gw_perms_names(p, "NOBODY"));
    gw_buf b;
    gw_buf_init(&b);
    gw_buf_add(&b, "", 0);
    gw_perms_list(p, "wgd23@person", adm, 2, &b);
    CU_ASSERT_STRING_EQUAL(b.data, "ADMIN,READ_EXAMPLES,WRITE_EXAMPLES"); /* sorted */
    gw_buf_reset(&b);
    gw_perms_list(p, "nobody@x", NULL, 0, &b);
    CU_ASSERT_STRING_EQUAL(b.data, "");
    gw_buf_free(&b);
    gw_perms_free(p);
    static const struct { const char *doc, *msg; } bad[] = {
        {"[]", "expected a JSON object of permissions"},
        {"{\"A\":[]}", "A: expected an object"},
        {"{\"A,B\":{}}", "a permission name must be"},
        {"{\"\":{}}", "a permission name must be"},
        {"{\"A\":{\"principals\":\"x\"}}", "A.principals: expected an array of strings"},
        {"{\"A\":{\"principals\":[\"\"]}}", "A.principals[0]: expected a non-empty string"},
        {"{\"A\":{\"groups\":[\"ok\",7]}}", "A.groups[1]: expected a non-empty string"},
        {"{\"A\":{\"users\":[\"x\"]}}", "A: unknown key"},
        {"{\"A\":{},\"A\":{}}", "expected a JSON object"}, /* a repeated name: not strict JSON */
        {"{\"A\":{\"principals\":[\"a\\nb\"]}}", "A.principals[0]"},
        {NULL, NULL}};
    for (int i = 0; bad[i].doc; i++) {
        gw_perms *q = gw_perms_parse(bad[i].doc, strlen(bad[i].doc), &err);
        CU_ASSERT_PTR_NULL(q);
        if (!err || !strstr(err, bad[i].msg)) {
            fprintf(stderr, "\n  %s: %s (want %s)\n", bad[i].doc, err ? err : "accepted", bad[i].msg);
            CU_FAIL("permissions refusal");
        }
        CU_ASSERT_PTR_NULL(err && strstr(err, "wgd23")); /* never a principal */
        gw_perms_free(q);
        free(err);
        err = NULL;
    }
}

static void t_rules(void)
{
    gw_config *c = unit_config_of("{\"access\":{\"permissions_file\":\"/etc/gwauth/permissions.json\",\"rules\":["
                                  "{\"prefix\":\"/examples/\",\"permissions_any\":[\"READ_EXAMPLES\",\"WRITE_EXAMPLES\"]}]},"
                                  "\"export\":{\"REMOTE_USER\":\"global_id\",\"APP_PERMISSIONS\":\"@permissions\"}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_TRUE(c->access.uses_permissions);
    CU_ASSERT_TRUE(c->uses_groups); /* a permission may be held by a group */
    char *err = NULL;
    gw_perms *p = gw_perms_parse(spec, strlen(spec), &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    const gw_rule *r = gw_rule_match(c, "/examples/1", "GET");
    const char *g105[] = {"105217"};
    gw_rule_subject yes = {1, NULL, 0, NULL, "1234@app", p}, group = {1, g105, 1, NULL, "x@y", p},
                    no = {1, NULL, 0, NULL, "x@y", p}, none = {1, NULL, 0, NULL, "1234@app", NULL},
                    anon = {0, NULL, 0, NULL, NULL, p};
    CU_ASSERT_EQUAL(gw_rule_decide(c, r, &yes), GW_OK);
    CU_ASSERT_EQUAL(gw_rule_decide(c, r, &group), GW_OK);
    CU_ASSERT_EQUAL(gw_rule_decide(c, r, &no), GW_E_FORBIDDEN);
    CU_ASSERT_EQUAL(gw_rule_decide(c, r, &none), GW_E_FORBIDDEN); /* no file read: nobody */
    CU_ASSERT_EQUAL(gw_rule_decide(c, r, &anon), GW_E_UNAUTHENTICATED);
    gw_perms_free(p);
    gw_config_free(c);
    CU_ASSERT_TRUE(unit_config_refused("{\"access\":{\"rules\":[{\"prefix\":\"/a/\",\"permissions_any\":[\"X\"]}]}}",
                                       "access.permissions_file: required by permissions_any"));
    CU_ASSERT_TRUE(unit_config_refused("{\"export\":{\"P\":\"@permissions\"}}", "access.permissions_file: required"));
    CU_ASSERT_TRUE(unit_config_refused("{\"access\":{\"permissions_file\":\"perms.json\"}}",
                                       "access.permissions_file: must be an absolute path"));
    CU_ASSERT_TRUE(unit_config_refused("{\"access\":{\"permissions_file\":\"/p.json\",\"rules\":[{\"prefix\":\"/a/\","
                                       "\"access\":\"deny\",\"permissions_any\":[\"X\"]}]}}", "refuses every request"));
}

void unit_perms(void)
{
    static const unit_test tests[] = {
        {"permissions specification: principals, groups, refusals", t_parse},
        {"permissions_any in the rules; the configuration", t_rules},
        {NULL, NULL}};
    unit_suite("perms", tests);
}
