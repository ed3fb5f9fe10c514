/* perms.c - the permissions specification (see perms.h; pure). */
#include "perms.h"

#include <stdlib.h>
#include <string.h>

#include "json.h"

typedef struct {
    char *name;
    char **principals;
    size_t nprincipals;
    char **groups;
    size_t ngroups;
} gw_perm;

struct gw_perms {
    gw_perm *v; /* sorted by name */
    size_t n;
};

static bool name_ok(const char *s)
{
    size_t n = strlen(s);
    return n > 0 && n <= GW_PERM_NAME_MAX &&
           strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.:-") == n;
}

static int perm_cmp(const void *a, const void *b)
{
    return strcmp(((const gw_perm *)a)->name, ((const gw_perm *)b)->name);
}

/* One list of the permission: an array of non-empty strings, copied. */
static bool perm_list(const cJSON *o, const char *perm, const char *key, char ***out, size_t *n,
                      gw_buf *e)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v)
        return true;
    if (!cJSON_IsArray(v)) {
        gw_buf_printf(e, "%s.%s: expected an array of strings\n", perm, key);
        return false;
    }
    *out = calloc((size_t)cJSON_GetArraySize(v) + 1, sizeof(char *));
    if (!*out) {
        gw_buf_puts(e, "out of memory\n");
        return false;
    }
    int i = 0;
    for (const cJSON *s = v->child; s; s = s->next, i++) {
        if (!cJSON_IsString(s) || !*s->valuestring || gw_has_ctl(s->valuestring)) {
            gw_buf_printf(e, "%s.%s[%d]: expected a non-empty string\n", perm, key, i);
            return false;
        }
        if (!((*out)[(*n)++] = strdup(s->valuestring))) {
            gw_buf_puts(e, "out of memory\n");
            return false;
        }
    }
    return true;
}

gw_perms *gw_perms_parse(const char *text, size_t len, char **errors)
{
    gw_buf e;
    gw_buf_init(&e);
    *errors = NULL;
    gw_perms *p = calloc(1, sizeof(*p));
    cJSON *root = gw_json_parse_text(text, len);
    if (!p || !cJSON_IsObject(root)) {
        gw_buf_puts(&e, "(file): expected a JSON object of permissions\n");
        goto fail;
    }
    p->v = calloc((size_t)cJSON_GetArraySize(root) + 1, sizeof(gw_perm));
    if (!p->v)
        goto fail;
    for (const cJSON *o = root->child; o; o = o->next) {
        if (!name_ok(o->string)) {
            gw_buf_printf(&e, "a permission name must be 1 to %d of [A-Za-z0-9_.:-] (entry %zu)\n",
                          GW_PERM_NAME_MAX, p->n + 1);
            continue;
        }
        if (!cJSON_IsObject(o)) {
            gw_buf_printf(&e, "%s: expected an object with \"principals\" and/or \"groups\"\n", o->string);
            continue;
        }
        for (const cJSON *k = o->child; k; k = k->next)
            if (strcmp(k->string, "principals") != 0 && strcmp(k->string, "groups") != 0)
                gw_buf_printf(&e, "%s: unknown key (only \"principals\" and \"groups\")\n", o->string);
        gw_perm *x = &p->v[p->n++];
        if (!(x->name = strdup(o->string))) {
            gw_buf_puts(&e, "out of memory\n");
            continue;
        }
        perm_list(o, o->string, "principals", &x->principals, &x->nprincipals, &e);
        perm_list(o, o->string, "groups", &x->groups, &x->ngroups, &e);
    }
    if (e.len || e.oom)
        goto fail;
    qsort(p->v, p->n, sizeof(gw_perm), perm_cmp);
    cJSON_Delete(root);
    return p;
fail:
    cJSON_Delete(root);
    gw_perms_free(p);
    *errors = e.data && !e.oom ? e.data : (free(e.data), strdup("out of memory\n"));
    return NULL;
}

static void list_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void gw_perms_free(gw_perms *p)
{
    if (!p)
        return;
    for (size_t i = 0; p->v && i < p->n; i++) {
        free(p->v[i].name);
        list_free(p->v[i].principals, p->v[i].nprincipals);
        list_free(p->v[i].groups, p->v[i].ngroups);
    }
    free(p->v);
    free(p);
}

size_t gw_perms_count(const gw_perms *p) { return p ? p->n : 0; }

static bool in(char *const *v, size_t n, const char *s)
{
    for (size_t i = 0; s && i < n; i++)
        if (strcmp(v[i], s) == 0)
            return true;
    return false;
}

static bool held(const gw_perm *x, const char *user, const char *const *groups, size_t ngroups)
{
    if (in(x->principals, x->nprincipals, user))
        return true;
    for (size_t i = 0; i < ngroups; i++)
        if (in(x->groups, x->ngroups, groups[i]))
            return true;
    return false;
}

static const gw_perm *find(const gw_perms *p, const char *name)
{
    gw_perm key = {.name = (char *)name};
    return p && p->n ? bsearch(&key, p->v, p->n, sizeof(gw_perm), perm_cmp) : NULL;
}

bool gw_perms_has(const gw_perms *p, const char *name, const char *user, const char *const *groups,
                  size_t ngroups)
{
    const gw_perm *x = find(p, name);
    return x && held(x, user, groups, ngroups);
}

bool gw_perms_names(const gw_perms *p, const char *name) { return find(p, name) != NULL; }

void gw_perms_list(const gw_perms *p, const char *user, const char *const *groups, size_t ngroups,
                   gw_buf *out)
{
    size_t k = 0;
    for (size_t i = 0; p && i < p->n; i++) /* sorted already */
        if (held(&p->v[i], user, groups, ngroups))
            gw_buf_printf(out, "%s%s", k++ ? "," : "", p->v[i].name);
}
