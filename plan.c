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
    /* both lists are sorted: one walk over the two finds a managed group
     * that only one of them holds (one to join or one to leave) */
    for (size_t i = 0, j = 0; sync_groups && !p->groups && (i < u->ngroups || j < row->ngroups);) {
        int d = i == u->ngroups ? 1 : j == row->ngroups ? -1 : strcmp(u->groups[i], row->groups[j]);
        if (d == 0)
            i++, j++;
        else
            p->groups = gw_group_managed(c, d < 0 ? u->groups[i++] : row->groups[j++]);
    }
    writes += p->users;
    p->any = writes > 0 || p->groups;
    p->single = writes == 1 && !p->groups;
}
