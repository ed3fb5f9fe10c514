/*
 * plan.h - what the sync of a returning user must write: the decision
 * between the row the database holds and the identity the gateway sent
 * (README "How a request is decided", step 5). Pure: db.c reads the row,
 * asks here, and writes what the plan says.
 */
#ifndef GW_PLAN_H
#define GW_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "usermap.h"

/* The stored row, as read (borrowed). */
typedef struct {
    const char *const *fields;  /* per users.fields: the value (NULL: SQL NULL) */
    const bool *at_default;     /* per field: it holds the column's default
                                   (read for the fields with overwrite false) */
    const bool *rel_exists;     /* per users.related table: the user's row exists */
    const char *const *related; /* per related column, flattened as in gw_user */
    const char *const *groups;  /* the current memberships, sorted (strcmp) */
    size_t ngroups;
} gw_plan_row;

/* The writes. fields and related are the caller's arrays (nfields,
 * nrelated entries). */
typedef struct {
    bool *fields;   /* per field: write the claim's value */
    bool *related;  /* per related table: write its row (insert or update) */
    bool users;     /* some field is written */
    bool groups;    /* some membership changes (when sync_groups) */
    bool any;       /* anything at all: false is the fast path, no write */
    bool single;    /* one statement writes it all (a field or one related
                       row, no membership): it needs no transaction */
} gw_plan;

/* A field is written when the claim is present and differs from the
 * stored value, and, for overwrite false, only while the stored value is
 * still the column's default. A related row is written when it is
 * missing or one of its columns differs. The membership changes when a
 * group the sync manages (gw_group_managed) is to be joined or left. */
void gw_plan_make(const gw_config *c, const gw_user *u, const gw_plan_row *row, bool sync_groups,
                  gw_plan *p);

/* Group g of the claim is one the sync adds: managed, not a member yet. */
bool gw_plan_join(const gw_config *c, const gw_plan_row *row, const char *g);

/* Current group g is one the sync removes: managed, not in the claim. */
bool gw_plan_leave(const gw_config *c, const gw_user *u, const char *g);

#endif
