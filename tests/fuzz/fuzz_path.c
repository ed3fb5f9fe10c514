/* Fuzz target: request path normalization and the access rules. A
 * normalized path starts with '/', has no empty, "." or ".." segment, and
 * normalizing it again (when it holds no '%') changes nothing. */
#include "fuzz.h"
#include "rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const gw_config *cfg;
    if (!cfg)
        cfg = fuzz_config("{\"access\":{\"login_redirect\":\"/login\",\"rules\":["
                          "{\"prefix\":\"/\",\"access\":\"anonymous\"},"
                          "{\"prefix\":\"/admin/\",\"groups_any\":[\"staff\"]},"
                          "{\"prefix\":\"/admin/pub/\",\"access\":\"anonymous\"}]}}");
    char *uri = fuzz_str(data, size);
    char *path = NULL;
    gw_status st = gw_rule_path_normalize(uri, &path);
    FUZZ_CHECK(st == GW_OK || st == GW_E_BAD_PATH);
    if (st == GW_OK) {
        FUZZ_CHECK(path[0] == '/');
        FUZZ_CHECK(!strstr(path, "//") && !strstr(path, "/./") && !strstr(path, "/../"));
        size_t n = strlen(path);
        FUZZ_CHECK(!(n >= 2 && strcmp(path + n - 2, "/.") == 0));
        FUZZ_CHECK(!(n >= 3 && strcmp(path + n - 3, "/..") == 0));
        for (size_t i = 0; i < n; i++)
            FUZZ_CHECK((unsigned char)path[i] >= 0x20 && path[i] != 0x7F);
        if (!strchr(path, '%') && !strchr(path, '?') && !strchr(path, '#')) {
            char *again = NULL;
            FUZZ_CHECK(gw_rule_path_normalize(path, &again) == GW_OK && strcmp(again, path) == 0);
            free(again);
        }
        const gw_rule *r = gw_rule_match(cfg, path, "GET");
        FUZZ_CHECK(r != NULL); /* "/" matches everything */
        const char *staff[] = {"staff"};
        gw_rule_decide(cfg, r, &(gw_rule_subject){0, NULL, 0, NULL, NULL, NULL});
        gw_rule_decide(cfg, r, &(gw_rule_subject){1, staff, 1, NULL, NULL, NULL});
        char *loc = gw_rule_login_location(cfg, uri);
        FUZZ_CHECK(loc && strncmp(loc, "/login?next=", 12) == 0);
        for (char *p = loc; *p; p++)
            FUZZ_CHECK((unsigned char)*p > 0x20 && (unsigned char)*p < 0x7F);
        free(loc);
    }
    free(path);
    free(uri);
    return 0;
}
