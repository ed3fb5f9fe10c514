/* plan.c: what a returning user's sync writes; namemap.c: the group
 * id -> name map the database's group lookups go through. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "namemap.h"
#include "plan.h"
#include "unit.h"

static gw_config *plan_config(void)
{
    return unit_config_of(
        "{\"users\": {\"fields\": {\"email\": \"email\","
        " \"name\": {\"column\": \"name\", \"overwrite\": false}},"
        " \"related\": {\"user_profiles\": [[\"country_code\", \"country_code\", \"\"]]}},"
        " \"groups\": {\"sync\": \"create\", \"managed_prefix\": \"kc:\", \"excluded\": [\"kc:admin\"]}}");
}

/* A stored row that matches the identity below exactly. */
typedef struct {
    const char *fields[2];
    bool at_default[2];
    bool rel_exists[1];
    const char *related[1];
    const char *groups[4];
    gw_plan_row row;
} plan_fixture;

static void fixture(plan_fixture *f, size_t ngroups)
{
    *f = (plan_fixture){{"a@example.org", "Ann"}, {false, false}, {true}, {"fr"},
                        {"app:local", "kc:ops", "kc:staff"}, {0}};
    f->row = (gw_plan_row){f->fields, f->at_default, f->rel_exists, f->related, f->groups, ngroups};
}

static char *g_fields[2], *g_related[1], *g_groups[3];

/* The plan's arrays (two fields, one related table) and the plan. */
static bool fw[2], rw[1];
static gw_plan p = {fw, rw, false, false, false, false};

static gw_user plan_user(void)
{
    g_fields[0] = "a@example.org";
    g_fields[1] = "Ann";
    g_related[0] = "fr";
    g_groups[0] = "kc:ops"; /* sorted, as the mapping leaves them */
    g_groups[1] = "kc:staff";
    gw_user u = {.id = "u1", .fields = g_fields, .nfields = 2, .related = g_related,
                 .nrelated = 1, .groups = g_groups, .ngroups = 2};
    return u;
}

static void t_plan_nothing(void)
{
    gw_config *c = plan_config();
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    plan_fixture f;
    fixture(&f, 3);
    gw_user u = plan_user();
    fw[0] = fw[1] = rw[0] = true;
    p = (gw_plan){fw, rw, true, true, true, true};
    gw_plan_make(c, &u, &f.row, true, &p);
    CU_ASSERT_FALSE(p.any); /* app:local is not the sync's: kept, no write */
    CU_ASSERT_FALSE(p.single);
    CU_ASSERT_FALSE(p.users);
    CU_ASSERT_FALSE(p.groups);
    CU_ASSERT_FALSE(fw[0] || fw[1] || rw[0]);
    gw_config_free(c);
}

static void t_plan_fields(void)
{
    gw_config *c = plan_config();
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    plan_fixture f;
    gw_user u = plan_user();

    fixture(&f, 3);
    f.fields[0] = "old@example.org";
    gw_plan_make(c, &u, &f.row, true, &p);
    CU_ASSERT_TRUE(p.any && p.users && fw[0] && !fw[1] && !rw[0]);
    CU_ASSERT_TRUE(p.single); /* one UPDATE: no transaction */
    f.related[0] = "de";
    gw_plan_make(c, &u, &f.row, true, &p);
    CU_ASSERT_TRUE(p.any && p.users && rw[0]);
    CU_ASSERT_FALSE(p.single); /* the user and its profile: one transaction */

    /* a stored NULL differs; an absent claim (NULL) writes nothing */
    fixture(&f, 3);
    f.fields[0] = NULL;
    gw_plan_make(c, &u, &f.row, true, &p);
    CU_ASSERT_TRUE(fw[0]);
    u.fields[0] = NULL;
    gw_plan_make(c, &u, &f.row, true, &p);
    CU_ASSERT_FALSE(p.any || fw[0]);
    u = plan_user();

    /* overwrite false: only while the stored value is the default */
    fixture(&f, 3);
    f.fields[1] = "Anne (edited by the app)";
    gw_plan_make(c, &u, &f.row, true, &p);
    CU_ASSERT_FALSE(p.any || fw[1]);
    f.at_default[1] = true;
    gw_plan_make(c, &u, &f.row, true, &p);
    CU_ASSERT_TRUE(p.any && p.users && fw[1] && !fw[0]);
    gw_config_free(c);
}

static void t_plan_related(void)
{
    gw_config *c = plan_config();
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    plan_fixture f;
    gw_user u = plan_user();
    fixture(&f, 3);
    f.rel_exists[0] = false; /* the row is missing: written even when equal */
    gw_plan_make(c, &u, &f.row, true, &p);
    CU_ASSERT_TRUE(p.any && rw[0] && !p.users && p.single);
    fixture(&f, 3);
    f.related[0] = "de";
    gw_plan_make(c, &u, &f.row, true, &p);
    CU_ASSERT_TRUE(p.any && rw[0]);
    f.related[0] = NULL;
    gw_plan_make(c, &u, &f.row, true, &p);
    CU_ASSERT_TRUE(rw[0]);
    gw_config_free(c);
}

static void t_plan_groups(void)
{
    gw_config *c = plan_config();
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    plan_fixture f;
    gw_user u = plan_user();

    fixture(&f, 2); /* a member of app:local and kc:ops only */
    gw_plan_make(c, &u, &f.row, true, &p);
    CU_ASSERT_TRUE(p.any && p.groups && !p.users);
    CU_ASSERT_FALSE(p.single); /* memberships: always a transaction */
    CU_ASSERT_TRUE(gw_plan_join(c, &f.row, "kc:staff"));
    CU_ASSERT_FALSE(gw_plan_join(c, &f.row, "kc:ops"));      /* a member */
    CU_ASSERT_FALSE(gw_plan_join(c, &f.row, "other:x"));     /* not managed */
    CU_ASSERT_FALSE(gw_plan_join(c, &f.row, "kc:admin"));    /* excluded */
    /* sync off: the membership is not the plan's */
    gw_plan_make(c, &u, &f.row, false, &p);
    CU_ASSERT_FALSE(p.any || p.groups);

    /* the claim dropped kc:staff: left; app:local never */
    fixture(&f, 3);
    u.ngroups = 1;
    gw_plan_make(c, &u, &f.row, true, &p);
    CU_ASSERT_TRUE(p.any && p.groups);
    CU_ASSERT_TRUE(gw_plan_leave(c, &u, "kc:staff"));
    CU_ASSERT_FALSE(gw_plan_leave(c, &u, "kc:ops"));
    CU_ASSERT_FALSE(gw_plan_leave(c, &u, "app:local"));
    CU_ASSERT_FALSE(gw_plan_leave(c, &u, "kc:admin"));

    /* an empty claim against no membership */
    fixture(&f, 0);
    u.ngroups = 0;
    gw_plan_make(c, &u, &f.row, true, &p);
    CU_ASSERT_FALSE(p.any);
    gw_config_free(c);
}

static int unit_strcmp_p(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Many groups: the two sorted lists are walked once (500 and 500). */
static void t_plan_many_groups(void)
{
    gw_config *c = plan_config();
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    enum { N = 500 };
    static char names[N][16];
    static char *want[N];
    static const char *have[N];
    for (int i = 0; i < N; i++) {
        snprintf(names[i], sizeof(names[i]), "kc:g%04d", i);
        want[i] = names[i];
        have[i] = names[i];
    }
    plan_fixture f;
    fixture(&f, 0);
    f.row.groups = have;
    f.row.ngroups = N;
    gw_user u = plan_user();
    u.groups = want;
    u.ngroups = N;
    gw_plan_make(c, &u, &f.row, true, &p);
    CU_ASSERT_FALSE(p.groups);
    f.row.ngroups = N - 1; /* the last one to join */
    gw_plan_make(c, &u, &f.row, true, &p);
    CU_ASSERT_TRUE(p.groups);
    CU_ASSERT_TRUE(gw_plan_join(c, &f.row, "kc:g0499"));
    CU_ASSERT_FALSE(gw_plan_join(c, &f.row, "kc:g0000"));

    /* in the middle of the lists: a stored membership the claim lacks is
     * left, unless the sync does not manage it; one the claim adds is
     * joined, unless the sync does not manage it */
    static const char *longer[N + 1];
    for (int k = 0; k < 4; k++) {
        const char *extra = k % 2 ? "kc:g0250x" : "kc:admin"; /* managed, or excluded */
        for (int i = 0; i < N; i++)
            longer[i] = names[i];
        longer[N] = extra;
        qsort(longer, N + 1, sizeof(longer[0]), unit_strcmp_p);
        CU_ASSERT_PTR_NOT_EQUAL(longer[N], extra); /* in the middle */
        f.row.groups = k < 2 ? longer : have;
        f.row.ngroups = k < 2 ? N + 1 : N;
        u.groups = k < 2 ? want : (char **)longer;
        u.ngroups = k < 2 ? N : N + 1;
        gw_plan_make(c, &u, &f.row, true, &p);
        CU_ASSERT_EQUAL(p.groups, k % 2 == 1);
    }
    gw_config_free(c);
}

static void t_namemap(void)
{
    gw_namemap m;
    CU_ASSERT_TRUE_FATAL(gw_namemap_init(&m, 4, 60));
    CU_ASSERT_PTR_NULL(gw_namemap_get(&m, 7, 1000));
    CU_ASSERT_STRING_EQUAL(gw_namemap_put(&m, 7, "seven", 1000), "seven");
    CU_ASSERT_STRING_EQUAL(gw_namemap_put(&m, 3, "three", 1000), "three");
    CU_ASSERT_STRING_EQUAL(gw_namemap_put(&m, 9, "nine", 1000), "nine");
    CU_ASSERT_STRING_EQUAL(gw_namemap_get(&m, 3, 1059), "three");
    CU_ASSERT_PTR_NULL(gw_namemap_get(&m, 3, 1060)); /* stale after ttl */
    CU_ASSERT_PTR_NULL(gw_namemap_get(&m, 4, 1000));
    CU_ASSERT_EQUAL(m.n, 3);
    CU_ASSERT_TRUE(m.v[0].id == 3 && m.v[1].id == 7 && m.v[2].id == 9); /* sorted */
    /* a stale entry read again is replaced in place */
    CU_ASSERT_STRING_EQUAL(gw_namemap_put(&m, 3, "drei", 1100), "drei");
    CU_ASSERT_STRING_EQUAL(gw_namemap_get(&m, 3, 1100), "drei");
    CU_ASSERT_EQUAL(m.n, 3);
    gw_namemap_free(&m);
}

/* The names of one batch stay valid while the batch is read: a full map
 * is emptied before the batch (gw_namemap_reserve), never in the middle
 * of it. */
static void t_namemap_batch(void)
{
    gw_namemap m;
    CU_ASSERT_TRUE_FATAL(gw_namemap_init(&m, 4, 60));
    for (unsigned long long id = 1; id <= 4; id++) {
        char name[8];
        snprintf(name, sizeof(name), "g%llu", id);
        CU_ASSERT_PTR_NOT_NULL(gw_namemap_put(&m, id, name, 1000));
    }
    CU_ASSERT_EQUAL(m.n, 4); /* full */
    /* a batch of 3: ids 1 and 2 held, 5 new */
    gw_namemap_reserve(&m, 3);
    CU_ASSERT_EQUAL(m.n, 0); /* 4 + 3 > 4: emptied first */
    const char *a = gw_namemap_put(&m, 1, "g1", 1001);
    const char *b = gw_namemap_put(&m, 2, "g2", 1001);
    const char *c = gw_namemap_put(&m, 5, "g5", 1001);
    CU_ASSERT_TRUE(a && b && c);
    CU_ASSERT_STRING_EQUAL(a, "g1"); /* still valid: nothing was emptied */
    CU_ASSERT_STRING_EQUAL(b, "g2");
    CU_ASSERT_STRING_EQUAL(c, "g5");
    /* room for one more: kept */
    gw_namemap_reserve(&m, 1);
    CU_ASSERT_EQUAL(m.n, 3);
    CU_ASSERT_STRING_EQUAL(gw_namemap_get(&m, 1, 1001), "g1");
    /* without a reservation a full map starts again */
    CU_ASSERT_PTR_NOT_NULL(gw_namemap_put(&m, 6, "g6", 1001));
    CU_ASSERT_PTR_NOT_NULL(gw_namemap_put(&m, 8, "g8", 1001));
    CU_ASSERT_EQUAL(m.n, 1);
    CU_ASSERT_STRING_EQUAL(gw_namemap_get(&m, 8, 1001), "g8");
    gw_namemap_free(&m);
    gw_namemap_free(&m); /* twice is harmless */
}

void unit_plan(void)
{
    static const unit_test tests[] = {
        {"plan: nothing changed", t_plan_nothing},
        {"plan: fields, overwrite false", t_plan_fields},
        {"plan: related rows", t_plan_related},
        {"plan: memberships", t_plan_groups},
        {"plan: 500 groups", t_plan_many_groups},
        {"namemap: get, put, expiry", t_namemap},
        {"namemap: a batch stays valid", t_namemap_batch},
        {NULL, NULL},
    };
    unit_suite("plan", tests);
}
