/* Unit test runner: every suite of the pure core, CUnit's basic runner.
 * Writes "passed failed" (tests) to $GW_RESULT_FILE when set. */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

void unit_suite(const char *name, const unit_test *tests)
{
    CU_pSuite s = CU_add_suite(name, NULL, NULL);
    if (!s) {
        fprintf(stderr, "CUnit: %s\n", CU_get_error_msg());
        exit(2);
    }
    for (; tests->name; tests++)
        if (!CU_add_test(s, tests->name, tests->fn)) {
            fprintf(stderr, "CUnit: %s\n", CU_get_error_msg());
            exit(2);
        }
}

gw_config *unit_config_of(const char *json)
{
    char *err = NULL;
    gw_config *c = gw_config_parse(json, strlen(json), &err);
    if (!c)
        fprintf(stderr, "config: %s\n", err);
    free(err);
    return c;
}

const gw_request *unit_request_of(const gw_config *c, char *const *envp)
{
    static gw_request rq;
    gw_request_free(&rq);
    if (!c || !gw_request_init(&rq, c))
        return NULL;
    gw_request_read(&rq, envp);
    return &rq;
}

char *unit_config_error(const char *json)
{
    char *err = NULL;
    gw_config *c = gw_config_parse(json, strlen(json), &err);
    gw_config_free(c);
    return c ? NULL : err;
}

bool unit_config_refused(const char *json, const char *msg)
{
    char *err = unit_config_error(json);
    bool ok = err && strstr(err, msg);
    if (!ok)
        fprintf(stderr, "\n  %s: %s (want %s)\n", json, err ? err : "accepted", msg);
    free(err);
    return ok;
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    /* every tests/unit/test_NAME.c registers its suite in unit_NAME() */
#define UNIT_SUITE(name) unit_##name();
#include "suites.h"
#undef UNIT_SUITE
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned run = CU_get_number_of_tests_run();
    unsigned failed = CU_get_number_of_tests_failed();
    unsigned afail = CU_get_number_of_failures();
    const char *rf = getenv("GW_RESULT_FILE");
    if (rf) {
        FILE *f = fopen(rf, "w");
        if (f) {
            fprintf(f, "%u %u\n", run - failed, failed);
            fclose(f);
        }
    }
    CU_cleanup_registry();
    unit_request_of(NULL, NULL);
    return (failed || afail) ? 1 : 0;
}
