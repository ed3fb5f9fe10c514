/* cache.c - bounded LRU of recent identities (pure but for SHA-256). */
#include "cache.h"

#include "json.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

typedef struct entry {
    unsigned char key[GW_SHA256_LEN];
    time_t expires;
    size_t bytes;               /* what the entry allocated, counted */
    gw_cached v;
    struct entry *prev, *next;  /* LRU list, most recent first */
    struct entry *chain;        /* hash bucket */
} entry;

struct gw_cache {
    size_t capacity, size, nbuckets;
    size_t max_bytes, bytes;
    entry **buckets;
    entry *head, *tail;
};

gw_cache *gw_cache_new(size_t capacity, size_t max_bytes)
{
    gw_cache *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->capacity = capacity ? capacity : 1;
    c->max_bytes = max_bytes;
    c->nbuckets = 1;
    while (c->nbuckets < c->capacity * 2)
        c->nbuckets *= 2;
    c->buckets = calloc(c->nbuckets, sizeof(entry *));
    if (!c->buckets) {
        free(c);
        return NULL;
    }
    return c;
}

static size_t bucket_of(const gw_cache *c, const unsigned char key[GW_SHA256_LEN])
{
    size_t h;
    memcpy(&h, key, sizeof(h)); /* the key is a hash already */
    return h & (c->nbuckets - 1);
}

static void value_free(gw_cached *v)
{
    free(v->reply);
    for (size_t i = 0; i < v->ngroups; i++)
        free(v->groups[i]);
    free(v->groups);
    cJSON_Delete(v->claims);
    free(v->user_id);
    free(v->abody);
    for (size_t i = 0; v->jws && i < v->nslots; i++)
        free(v->jws[i]);
    free(v->jws);
    free(v->renew);
    memset(v, 0, sizeof(*v));
}

static void lru_unlink(gw_cache *c, entry *e)
{
    if (e->prev)
        e->prev->next = e->next;
    else
        c->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        c->tail = e->prev;
    e->prev = e->next = NULL;
}

static void lru_push_front(gw_cache *c, entry *e)
{
    e->prev = NULL;
    e->next = c->head;
    if (c->head)
        c->head->prev = e;
    c->head = e;
    if (!c->tail)
        c->tail = e;
}

static void entry_remove(gw_cache *c, entry *e)
{
    entry **pp = &c->buckets[bucket_of(c, e->key)];
    while (*pp && *pp != e)
        pp = &(*pp)->chain;
    if (*pp)
        *pp = e->chain;
    lru_unlink(c, e);
    value_free(&e->v);
    c->bytes -= e->bytes;
    free(e);
    c->size--;
}

void gw_cache_free(gw_cache *c)
{
    if (!c)
        return;
    while (c->head)
        entry_remove(c, c->head);
    free(c->buckets);
    free(c);
}

void gw_cache_clear(gw_cache *c)
{
    while (c && c->head)
        entry_remove(c, c->head);
}

static entry *find(gw_cache *c, const unsigned char key[GW_SHA256_LEN])
{
    for (entry *e = c->buckets[bucket_of(c, key)]; e; e = e->chain)
        if (memcmp(e->key, key, GW_SHA256_LEN) == 0)
            return e;
    return NULL;
}

const gw_cached *gw_cache_get(gw_cache *c, const unsigned char key[GW_SHA256_LEN], time_t now)
{
    entry *e = find(c, key);
    if (!e)
        return NULL;
    if (now >= e->expires) {
        entry_remove(c, e);
        return NULL;
    }
    lru_unlink(c, e);
    lru_push_front(c, e);
    return &e->v;
}

/* What the rules read of the claims: "scope", "scp" and the matchers'
 * paths; NULL when none is there (or out of memory, *oom). */
static cJSON *rule_claims_of(const gw_cache_in *in, bool *oom)
{
    static char *const scopes[] = {"scope", "scp"};
    cJSON *o = cJSON_CreateObject();
    *oom = !o;
    for (size_t i = 0; o && !*oom && i < 2 + in->nclaim_paths; i++)
        *oom = !gw_json_claim_copy(o, in->claims, i < 2 ? scopes[i] : in->claim_paths[i - 2]);
    if (*oom || !o->child) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

const gw_cached *gw_cache_put(gw_cache *c, const unsigned char key[GW_SHA256_LEN], time_t expires,
                              const gw_cache_in *in)
{
    entry *old = find(c, key);
    if (old)
        entry_remove(c, old);
    size_t ngroups = in->ngroups, nslots = in->abody ? in->nslots : 0;
    /* what the entry will allocate (malloc's own overhead: 16 per block) */
    size_t need = sizeof(entry) + in->reply_len + 1 + (ngroups + 1) * sizeof(char *) +
                  (in->user_id ? strlen(in->user_id) : 0) + 1 + 16 * (4 + ngroups);
    for (size_t i = 0; i < ngroups; i++)
        need += strlen(in->groups[i]) + 1;
    if (in->abody)
        need += strlen(in->abody) + 1 + nslots * (sizeof(char *) + sizeof(time_t)) + 3 * 16;
    bool oom = false;
    cJSON *rclaims = in->claims ? rule_claims_of(in, &oom) : NULL;
    if (oom)
        return NULL;
    if (rclaims) {
        char *text = cJSON_PrintUnformatted(rclaims);
        need += text ? 2 * strlen(text) + 64 : 64; /* a parsed tree is larger than its text */
        free(text);
    }
    if (need > c->max_bytes) {
        cJSON_Delete(rclaims);
        return NULL;
    }
    while ((c->size >= c->capacity || c->bytes + need > c->max_bytes) && c->tail)
        entry_remove(c, c->tail);
    entry *e = calloc(1, sizeof(*e));
    if (!e) {
        cJSON_Delete(rclaims);
        return NULL;
    }
    memcpy(e->key, key, GW_SHA256_LEN);
    e->bytes = need;
    e->expires = expires;
    e->v.reply = malloc(in->reply_len + 1);
    e->v.groups = calloc(ngroups + 1, sizeof(char *));
    e->v.user_id = strdup(in->user_id ? in->user_id : "");
    bool ok = e->v.reply && e->v.groups && e->v.user_id;
    if (ok && in->abody) {
        e->v.abody = strdup(in->abody);
        e->v.jws = calloc(nslots ? nslots : 1, sizeof(char *));
        e->v.renew = calloc(nslots ? nslots : 1, sizeof(time_t));
        e->v.nslots = nslots;
        ok = e->v.abody && e->v.jws && e->v.renew;
    }
    if (ok) {
        memcpy(e->v.reply, in->reply, in->reply_len);
        e->v.reply[in->reply_len] = '\0';
        e->v.reply_len = in->reply_len;
        for (size_t i = 0; i < ngroups && ok; i++) {
            e->v.groups[i] = strdup(in->groups[i]);
            ok = e->v.groups[i] != NULL;
            e->v.ngroups = i + 1;
        }
    }
    e->v.claims = rclaims;
    if (!ok) {
        value_free(&e->v);
        free(e);
        return NULL;
    }
    size_t b = bucket_of(c, key);
    e->chain = c->buckets[b];
    c->buckets[b] = e;
    lru_push_front(c, e);
    c->size++;
    c->bytes += need;
    return &e->v;
}

void gw_cache_put_assertion(gw_cache *c, const unsigned char key[GW_SHA256_LEN], size_t slot,
                            const char *jws, time_t renew)
{
    entry *e = find(c, key);
    if (!e || slot >= e->v.nslots)
        return;
    size_t old = e->v.jws[slot] ? strlen(e->v.jws[slot]) + 1 + 16 : 0;
    size_t need = strlen(jws) + 1 + 16;
    if (e->bytes - old + need > c->max_bytes)
        return;
    /* room: the least recently used others go first */
    while (c->bytes - old + need > c->max_bytes && c->tail && c->tail != e)
        entry_remove(c, c->tail);
    if (c->bytes - old + need > c->max_bytes)
        return;
    char *copy = strdup(jws);
    if (!copy)
        return;
    free(e->v.jws[slot]);
    e->v.jws[slot] = copy;
    e->v.renew[slot] = renew;
    e->bytes = e->bytes - old + need;
    c->bytes = c->bytes - old + need;
}

size_t gw_cache_size(const gw_cache *c) { return c->size; }
size_t gw_cache_bytes(const gw_cache *c) { return c->bytes; }

bool gw_cache_key(const gw_request *rq, unsigned char key[GW_SHA256_LEN])
{
    gw_sha256_begin();
    for (size_t i = 0; i < rq->nkey; i++) {
        const char *v = gw_request_get(rq, rq->key[i]);
        unsigned long long n = gw_request_len(rq, rq->key[i]);
        unsigned char len8[8];
        for (int k = 0; k < 8; k++)
            len8[k] = (unsigned char)(n >> (8 * k));
        gw_sha256_add(len8, 8);
        if (n)
            gw_sha256_add(v, (size_t)n);
    }
    return gw_sha256_end(key);
}
