/*
 * perms.h - a permissions specification (access.permissions_file), as
 * django-ucam-apigatewayauth has one: permission names mapped to the
 * principals (user ids) and groups that hold them. Pure.
 *
 *   {"READ_EXAMPLES": {"principals": ["1234@app", "wgd23@person"],
 *                      "groups": ["105217"]}}
 */
#ifndef GW_PERMS_H
#define GW_PERMS_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

typedef struct gw_perms gw_perms;

#define GW_PERM_NAME_MAX 128

/* Parses a specification: an object of permissions, each an object with
 * "principals" and/or "groups", arrays of non-empty strings. A name is
 * [A-Za-z0-9_.:-], at most GW_PERM_NAME_MAX bytes. NULL with *errors
 * (malloc'd, one problem per line, each naming the permission and the
 * key, never a principal) when refused. */
gw_perms *gw_perms_parse(const char *text, size_t len, char **errors);
void gw_perms_free(gw_perms *p);
size_t gw_perms_count(const gw_perms *p);

/* Whether user (a global id) or one of its groups holds permission name. */
bool gw_perms_has(const gw_perms *p, const char *name, const char *user, const char *const *groups,
                  size_t ngroups);

/* The permissions user holds, sorted and comma-joined, into out. */
void gw_perms_list(const gw_perms *p, const char *user, const char *const *groups, size_t ngroups,
                   gw_buf *out);

/* Whether the specification names permission name. */
bool gw_perms_names(const gw_perms *p, const char *name);

#endif
