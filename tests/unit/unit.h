/* Shared by the unit test files: each registers its own suite. */
#ifndef GW_UNIT_H
#define GW_UNIT_H

#include <stdbool.h>
#include <CUnit/CUnit.h>

#include "config.h"
#include "request.h"

/* Each tests/unit/test_NAME.c defines void unit_NAME(void), which
 * registers its suite (unit_suite below): main.c calls every one of them.
 * The Makefile lists the files in suites.h: a new file is a new suite. */
#define UNIT_SUITE(name) void unit_##name(void);
#include "suites.h"
#undef UNIT_SUITE

/* Adds a suite with the NULL-terminated tests; aborts on CUnit errors. */
typedef struct {
    const char *name;
    CU_TestFunc fn;
} unit_test;
void unit_suite(const char *name, const unit_test *tests);

/* A configuration from JSON text over the defaults; NULL (and the
 * problems on stderr) when refused. */
gw_config *unit_config_of(const char *json);
/* The problems of a configuration that is refused (malloc'd), or NULL
 * when it is accepted. */
char *unit_config_error(const char *json);
/* True when the configuration is refused with a problem holding msg
 * (else says what happened on stderr). */
bool unit_config_refused(const char *json, const char *msg);

/* The request of envp, read with the names c makes a program read
 * (gw_request_init, then gw_request_read). Valid until the next call;
 * NULL when out of memory, or for c NULL (which frees it). */
const gw_request *unit_request_of(const gw_config *c, char *const *envp);

#endif
