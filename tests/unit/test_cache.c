/* cache.c: keys, expiry, LRU eviction, replacement. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "json.h"
#include "unit.h"

/* The key of an identity in two variables: headers "A" and "B". */
static void key_of(const char *a, const char *b, unsigned char k[32])
{
    gw_config *c = unit_config_of("{\"identity\":{\"source\":\"headers\",\"claim_headers\":"
                                  "{\"sub\":\"HTTP_A\",\"email\":\"HTTP_B\"}}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    char ea[64], eb[64];
    snprintf(ea, sizeof(ea), "HTTP_A=%s", a);
    snprintf(eb, sizeof(eb), "HTTP_B=%s", b);
    char *envp[] = {"HTTP_C=other", ea, eb, NULL};
    CU_ASSERT_TRUE(gw_cache_key(unit_request_of(c, envp), k));
    gw_config_free(c);
}

static void t_keys(void)
{
    unsigned char k1[32], k2[32], k3[32];
    key_of("ab", "c", k1);
    key_of("a", "bc", k2); /* same bytes, other split: other key */
    key_of("ab", "c", k3);
    CU_ASSERT_NOT_EQUAL(memcmp(k1, k2, 32), 0);
    CU_ASSERT_EQUAL(memcmp(k1, k3, 32), 0);
}

static void put(gw_cache *c, int i, time_t exp)
{
    unsigned char k[32] = {0};
    memcpy(k, &i, sizeof(i));
    char reply[32], id[16];
    snprintf(reply, sizeof(reply), "reply-%d", i);
    snprintf(id, sizeof(id), "u%d", i);
    const char *groups[] = {"a", "b"};
    cJSON *claims = cJSON_Parse("{\"scope\":\"read\",\"other\":1}");
    gw_cache_in in = {.reply = reply, .reply_len = strlen(reply), .groups = groups, .ngroups = 2,
                      .claims = claims, .user_id = id};
    gw_cache_put(c, k, exp, &in);
    cJSON_Delete(claims);
}

static const gw_cached *get(gw_cache *c, int i, time_t now)
{
    unsigned char k[32] = {0};
    memcpy(k, &i, sizeof(i));
    return gw_cache_get(c, k, now);
}

static void t_hit_expire(void)
{
    gw_cache *c = gw_cache_new(8, 1 << 20);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    put(c, 1, 100);
    const gw_cached *h = get(c, 1, 99);
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    CU_ASSERT_STRING_EQUAL(h->reply, "reply-1");
    CU_ASSERT_EQUAL(h->ngroups, 2);
    CU_ASSERT_STRING_EQUAL(h->groups[1], "b");
    CU_ASSERT_STRING_EQUAL(h->user_id, "u1");
    CU_ASSERT_PTR_NOT_NULL(cJSON_GetObjectItem(h->claims, "scope"));
    CU_ASSERT_PTR_NULL(cJSON_GetObjectItem(h->claims, "other")); /* only scopes kept */
    CU_ASSERT_PTR_NULL(get(c, 2, 99));
    CU_ASSERT_PTR_NULL(get(c, 1, 100)); /* expired at its second */
    CU_ASSERT_EQUAL(gw_cache_size(c), 0);
    gw_cache_free(c);
}

/* What the matchers read is kept with the entry, in place, and nothing
 * else: a hit decides claims_any as the miss did. */
static void t_rule_claims(void)
{
    gw_cache *c = gw_cache_new(8, 1 << 20);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    cJSON *claims = cJSON_Parse("{\"sub\":\"x\",\"scp\":[\"r\"],\"realm_access\":{\"roles\":[\"admin\"],"
                                "\"other\":1},\"a.b\":\"whole\",\"x\":{\"y.z\":{\"w\":[1]}},\"email\":\"e\"}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(claims);
    char *paths[] = {"realm_access.roles", "a.b", "x.y\\.z.w", "missing.path", "realm_access"};
    unsigned char k[32] = {7};
    gw_cache_in in = {.reply = "r", .reply_len = 1, .claims = claims, .claim_paths = paths,
                      .nclaim_paths = 4, .user_id = "u"};
    const gw_cached *h = gw_cache_put(c, k, 100, &in);
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    char *text = cJSON_PrintUnformatted(h->claims);
    CU_ASSERT_STRING_EQUAL(text, "{\"scp\":[\"r\"],\"realm_access\":{\"roles\":[\"admin\"]},\"a.b\":\"whole\","
                                 "\"x\":{\"y.z\":{\"w\":[1]}}}");
    free(text);
    /* a path of the whole object after a part of it: the whole object */
    in.nclaim_paths = 5;
    h = gw_cache_put(c, k, 100, &in);
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    text = cJSON_PrintUnformatted(gw_json_claim_get(h->claims, "realm_access"));
    CU_ASSERT_STRING_EQUAL(text, "{\"roles\":[\"admin\"],\"other\":1}");
    free(text);
    /* nothing the rules read: nothing kept */
    cJSON *plain = cJSON_Parse("{\"sub\":\"x\"}");
    in.claims = plain;
    h = gw_cache_put(c, k, 100, &in);
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    CU_ASSERT_PTR_NULL(h->claims);
    cJSON_Delete(plain);
    cJSON_Delete(claims);
    gw_cache_free(c);
}

static void t_lru(void)
{
    gw_cache *c = gw_cache_new(3, 1 << 20);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    put(c, 1, 100);
    put(c, 2, 100);
    put(c, 3, 100);
    CU_ASSERT_PTR_NOT_NULL(get(c, 1, 0)); /* 1 is now the most recent */
    put(c, 4, 100);                        /* evicts 2, the least recent */
    CU_ASSERT_EQUAL(gw_cache_size(c), 3);
    CU_ASSERT_PTR_NULL(get(c, 2, 0));
    CU_ASSERT_PTR_NOT_NULL(get(c, 1, 0));
    CU_ASSERT_PTR_NOT_NULL(get(c, 3, 0));
    CU_ASSERT_PTR_NOT_NULL(get(c, 4, 0));
    put(c, 3, 200); /* replace: no growth */
    CU_ASSERT_EQUAL(gw_cache_size(c), 3);
    CU_ASSERT_PTR_NOT_NULL(get(c, 3, 150));
    for (int i = 10; i < 1000; i++)
        put(c, i, 100);
    CU_ASSERT_EQUAL(gw_cache_size(c), 3);
    CU_ASSERT_PTR_NOT_NULL(get(c, 999, 0));
    gw_cache_free(c);
}

/* An entry holds the assertion's claims and one signed assertion per
 * audience slot; each counts against the bound. */
static void t_assertions(void)
{
    gw_cache *c = gw_cache_new(8, 4096);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    unsigned char k[32] = {1}, k2[32] = {2}, gone[32] = {3};
    gw_cache_in in = {.reply = "reply", .reply_len = 5, .user_id = "u", .abody = "\"sub\":\"u\"",
                      .nslots = 2};
    gw_cache_put(c, k, 100, &in);
    const gw_cached *e = gw_cache_get(c, k, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_STRING_EQUAL(e->abody, "\"sub\":\"u\"");
    CU_ASSERT_EQUAL(e->nslots, 2);
    CU_ASSERT_PTR_NULL(e->jws[0]);
    size_t before = gw_cache_bytes(c);
    gw_cache_put_assertion(c, k, 1, "h.p.s", 50);
    gw_cache_put_assertion(c, k, 2, "out.of.range", 50); /* ignored */
    gw_cache_put_assertion(c, gone, 0, "no.such.entry", 50);
    e = gw_cache_get(c, k, 0);
    CU_ASSERT_PTR_NULL(e->jws[0]);
    CU_ASSERT_STRING_EQUAL(e->jws[1], "h.p.s");
    CU_ASSERT_EQUAL(e->renew[1], 50);
    CU_ASSERT_TRUE(gw_cache_bytes(c) > before);
    /* replaced: the bytes follow the new one */
    gw_cache_put_assertion(c, k, 1, "h.p.s2", 60);
    CU_ASSERT_STRING_EQUAL(gw_cache_get(c, k, 0)->jws[1], "h.p.s2");
    /* a larger one makes room by evicting others, never past the bound */
    gw_cache_put(c, k2, 100, &in);
    CU_ASSERT_EQUAL(gw_cache_size(c), 2);
    char huge[3500];
    memset(huge, 'x', sizeof(huge) - 1);
    huge[sizeof(huge) - 1] = '\0';
    gw_cache_put_assertion(c, k2, 0, huge, 70);
    CU_ASSERT_TRUE(gw_cache_bytes(c) <= 4096);
    CU_ASSERT_PTR_NULL(gw_cache_get(c, k, 0)); /* evicted for it */
    CU_ASSERT_STRING_EQUAL(gw_cache_get(c, k2, 0)->jws[0], huge);
    char toolarge[5000];
    memset(toolarge, 'y', sizeof(toolarge) - 1);
    toolarge[sizeof(toolarge) - 1] = '\0';
    gw_cache_put_assertion(c, k2, 0, toolarge, 80); /* over the bound alone: kept the old */
    CU_ASSERT_STRING_EQUAL(gw_cache_get(c, k2, 0)->jws[0], huge);
    CU_ASSERT_TRUE(gw_cache_bytes(c) <= 4096);
    gw_cache_clear(c);
    CU_ASSERT_EQUAL(gw_cache_bytes(c), 0);
    gw_cache_free(c);
}

/* Large identities: the bound in bytes holds whatever the entries hold. */
static void t_bytes(void)
{
    enum { NG = 225 };
    const char *groups[NG];
    char names[NG][40];
    for (int i = 0; i < NG; i++) {
        snprintf(names[i], sizeof(names[i]), "group-with-a-long-name-%03d", i);
        groups[i] = names[i];
    }
    gw_cache_in big = {.reply = "reply", .reply_len = 5, .groups = groups, .ngroups = NG,
                       .user_id = "u"};
    gw_cache *c = gw_cache_new(2048, 256 * 1024);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    for (int i = 0; i < 2100; i++) {
        unsigned char k[32] = {0};
        memcpy(k, &i, sizeof(i));
        gw_cache_put(c, k, 100, &big);
        CU_ASSERT_TRUE(gw_cache_bytes(c) <= 256 * 1024);
    }
    CU_ASSERT_TRUE(gw_cache_size(c) > 0);
    CU_ASSERT_TRUE(gw_cache_size(c) < 64); /* ~10 KiB each: not 2048 of them */
    unsigned char last[32] = {0};
    int i = 2099;
    memcpy(last, &i, sizeof(i));
    CU_ASSERT_PTR_NOT_NULL(gw_cache_get(c, last, 0)); /* the newest stays */
    /* an entry larger than the whole bound is not stored, and evicts nothing */
    size_t before = gw_cache_size(c);
    gw_cache *small = gw_cache_new(8, 4096);
    CU_ASSERT_PTR_NOT_NULL_FATAL(small);
    unsigned char k2[32] = {9};
    gw_cache_put(small, k2, 100, &big);
    CU_ASSERT_EQUAL(gw_cache_size(small), 0);
    CU_ASSERT_EQUAL(gw_cache_bytes(small), 0);
    CU_ASSERT_EQUAL(gw_cache_size(c), before);
    gw_cache_clear(c);
    CU_ASSERT_EQUAL(gw_cache_bytes(c), 0);
    gw_cache_free(small);
    gw_cache_free(c);
}

void unit_cache(void)
{
    static const unit_test tests[] = {
        {"keys: exact values, length-prefixed", t_keys},
        {"hit, miss and expiry", t_hit_expire},
        {"what the rules read of the claims, in place, and nothing else", t_rule_claims},
        {"bounded: least recently used goes first", t_lru},
        {"bounded in bytes: 2100 identities with 225 groups", t_bytes},
        {"assertions: one per audience slot, counted in the bound", t_assertions},
        {NULL, NULL}};
    unit_suite("cache", tests);
}
