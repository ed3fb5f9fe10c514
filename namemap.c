/*
 * namemap.c - group id -> name, sorted by id, bounded (see namemap.h).
 */
#include "namemap.h"

#include <stdlib.h>
#include <string.h>

bool gw_namemap_init(gw_namemap *m, size_t cap, long ttl)
{
    memset(m, 0, sizeof(*m));
    m->v = calloc(cap ? cap : 1, sizeof(*m->v));
    m->cap = cap;
    m->ttl = ttl;
    return m->v != NULL;
}

static void namemap_clear(gw_namemap *m)
{
    for (size_t i = 0; i < m->n; i++)
        free(m->v[i].name);
    m->n = 0;
}

void gw_namemap_free(gw_namemap *m)
{
    if (!m->v)
        return;
    namemap_clear(m);
    free(m->v);
    m->v = NULL;
    m->cap = 0;
}

/* The index of id, or where it would go (*found false). */
static size_t namemap_find(const gw_namemap *m, unsigned long long id, bool *found)
{
    size_t lo = 0, hi = m->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->v[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = lo < m->n && m->v[lo].id == id;
    return lo;
}

const char *gw_namemap_get(const gw_namemap *m, unsigned long long id, time_t now)
{
    bool found;
    size_t i = namemap_find(m, id, &found);
    return found && now - m->v[i].at < m->ttl ? m->v[i].name : NULL;
}

void gw_namemap_reserve(gw_namemap *m, size_t k)
{
    if (m->n + k > m->cap)
        namemap_clear(m);
}

const char *gw_namemap_put(gw_namemap *m, unsigned long long id, const char *name, time_t now)
{
    char *copy = strdup(name);
    if (!copy)
        return NULL;
    bool found;
    size_t i = namemap_find(m, id, &found);
    if (found) {
        free(m->v[i].name);
        m->v[i].name = copy;
        m->v[i].at = now;
        return copy;
    }
    if (m->n >= m->cap) {
        namemap_clear(m);
        i = 0;
    }
    memmove(&m->v[i + 1], &m->v[i], (m->n - i) * sizeof(*m->v));
    m->v[i] = (gw_namemap_entry){id, now, copy};
    m->n++;
    return copy;
}
