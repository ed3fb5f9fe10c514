/*
 * plan.c - the write plan of a returning user's sync (see plan.h).
 */
#include "plan.h"

#include <stdlib.h>
#include <string.h>

static int plan_cmp(const void *key, const void *elem)
{
    return strcmp((const char *)key, *(const char *const *)elem);
}

/* Whether g is in the sorted list v. */
static bool plan_in(const char *const *v, size_t n, const char *g)
{
    return n && bsearch(g, v, n, sizeof(v[0]), plan_cmp) != NULL;
}

bool gw_plan_join(const gw_config *c, const gw_plan_row *row, const char *g)
{
    return gw_group_managed(c, g) && !plan_in(row->groups, row->ngroups, g);
}

bool gw_plan_leave(const gw_config *c, const gw_user *u, const char *g)
{
    return gw_group_managed(c, g) && !plan_in((const char *const *)u->groups, u->ngroups, g);
}

void gw_plan_make(const gw_config *c, const gw_user *u, const gw_plan_row *row, bool sync_groups,
                  gw_plan *p)
{
    p->users = p->groups = p->any = false;
    size_t writes = 0;
    for (size_t i = 0; i < c->users.nfields; i++) {
        const char *want = u->fields[i];
        bool write = want && !gw_str_same(want, row->fields[i]);
        if (write && !c->users.fields[i].overwrite)
            write = row->at_default[i];
        p->fields[i] = write;
        p->users |= write;
    }
    size_t k = 0;
    for (size_t t = 0; t < c->users.nrelated; t++) {
        bool write = !row->rel_exists[t];
        for (size_t i = 0; i < c->users.related[t].ncols; i++, k++)
            write |= !gw_str_same(u->related[k], row->related[k]);
        p->related[t] = write;
        writes += write;
    }
    if (sync_groups) {
        for (size_t i = 0; i < u->ngroups && !p->groups; i++)
            p->groups = gw_plan_join(c, row, u->groups[i]);
        for (size_t i = 0; i < row->ngroups && !p->groups; i++)
            p->groups = gw_plan_leave(c, u, row->groups[i]);
    }
    writes += p->users;
    p->any = writes > 0 || p->groups;
    p->single = writes == 1 && !p->groups;
}
