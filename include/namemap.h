/*
 * namemap.h - a process's map of group id -> group name, each entry
 * trusted for a while (GW_GMAP_SECONDS in db_int.h), so that a user's
 * memberships (one id per row) cost one name lookup per group per period,
 * not per request. Pure: the caller passes the time and asks the
 * database for a name the map does not hold.
 *
 * Ownership: the map owns the names. A name returned by gw_namemap_get or
 * gw_namemap_put stays valid until the next gw_namemap_reserve, a put of
 * the same id, or gw_namemap_free: reserve room for a whole batch first,
 * and every name of the batch stays valid while it is used.
 */
#ifndef GW_NAMEMAP_H
#define GW_NAMEMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

typedef struct {
    unsigned long long id;
    time_t at;   /* when the name was read */
    char *name;
} gw_namemap_entry;

typedef struct {
    gw_namemap_entry *v; /* sorted by id */
    size_t n, cap;
    long ttl;            /* seconds an entry is trusted */
} gw_namemap;

/* An empty map of at most cap entries. false when out of memory. */
bool gw_namemap_init(gw_namemap *m, size_t cap, long ttl);
void gw_namemap_free(gw_namemap *m);

/* The name of id while it is fresh (read less than ttl seconds before
 * now), else NULL. */
const char *gw_namemap_get(const gw_namemap *m, unsigned long long id, time_t now);

/* Keeps a copy of name for id, read at now; returns the copy, or NULL
 * when out of memory (the map is unchanged then). When the map is full
 * the entry goes in anyway only if gw_namemap_reserve made room: without
 * it, a full map is emptied first. */
const char *gw_namemap_put(gw_namemap *m, unsigned long long id, const char *name, time_t now);

/* Makes room for k puts without emptying the map in between (k <= cap):
 * a map that could not take them all is emptied now. */
void gw_namemap_reserve(gw_namemap *m, size_t k);

#endif
