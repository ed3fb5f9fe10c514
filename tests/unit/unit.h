/* Shared by the unit test files: each registers its own suite. */
#ifndef GW_UNIT_H
#define GW_UNIT_H

#include <stdbool.h>
#include <CUnit/CUnit.h>

#include "config.h"

void unit_util(void);
void unit_cidr(void);
void unit_config(void);
void unit_usermap(void);
void unit_reply(void);
void unit_rules(void);
void unit_http(void);
void unit_cache(void);
void unit_jwt(void);
void unit_caller(void);
void unit_metrics(void);
void unit_assertion(void);
void unit_snippet(void);
void unit_perms(void);
void unit_plan(void);

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

#endif
