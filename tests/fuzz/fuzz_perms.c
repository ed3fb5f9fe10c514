/* Fuzz target: the permissions specification. Whatever it accepts answers
 * consistently: a listed permission is held, an unlisted one is not; a
 * refusal names its problem and never the principals. */
#include "fuzz.h"
#include "perms.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *err = NULL;
    gw_perms *p = gw_perms_parse((const char *)data, size, &err);
    FUZZ_CHECK((p == NULL) != (err == NULL));
    if (!p) {
        FUZZ_CHECK(*err && err[strlen(err) - 1] == '\n');
        free(err);
        return 0;
    }
    const char *groups[] = {"105217", "admins", "g"};
    static const char *const users[] = {"1234@app", "wgd23@person", "x", NULL};
    for (int u = 0; users[u]; u++) {
        gw_buf b;
        gw_buf_init(&b);
        gw_buf_add(&b, "", 0);
        gw_perms_list(p, users[u], groups, 3, &b);
        FUZZ_CHECK(!b.oom);
        /* every listed name is held and named; names never hold a comma */
        char *list = strdup(b.data);
        FUZZ_CHECK(list);
        for (char *s = list, *t; s && *s; s = t) {
            t = strchr(s, ',');
            if (t)
                *t++ = '\0';
            FUZZ_CHECK(gw_perms_names(p, s));
            FUZZ_CHECK(gw_perms_has(p, s, users[u], groups, 3));
        }
        free(list);
        FUZZ_CHECK(!gw_perms_has(p, "not,a,name", users[u], groups, 3));
        gw_buf_free(&b);
    }
    gw_perms_free(p);
    return 0;
}
