/* Fuzz target: an X-Userinfo value through steps 1-4 (identity checks,
 * base64, strict JSON, mapping with claim paths, groups), truncation and an
 * access decision.
 * The first byte chooses: even, the bytes are the header as sent; odd, the
 * rest is base64-encoded first, so the JSON parser sees them directly. */
#include "fuzz.h"
#include "rules.h"
#include "usermap.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const gw_config *cfg;
    static gw_request rq;
    if (!cfg) {
        cfg = fuzz_config("{\"identity\":{\"max_bytes\":65536},\"groups\":{\"sync\":\"create\","
                          "\"claims\":[{\"path\":\"groups\"},{\"path\":\"realm_access.roles\","
                          "\"prefix\":\"r:\",\"strip_slash\":true,\"lowercase\":true}]},"
                          "\"users\":{\"fields\":{\"email\":\"email\",\"name\":\"name\","
                          "\"n\":{\"column\":\"username\",\"overwrite\":false},"
                          "\"address.country\":\"last_name\",\"a\\\\.b.c\":\"first_name\"},"
                          "\"related\":{\"p\":[[\"cc\",\"country_code\",\"\"],[\"o\",\"email_optin\",false]]}},"
                          "\"access\":{\"rules\":[{\"prefix\":\"/a/\",\"groups_any\":[\"staff\"],"
                          "\"scopes_any\":[\"read\"],\"claims_any\":[{\"path\":\"realm_access.roles\","
                          "\"any\":[\"admin\"]}],\"claims_all\":[{\"path\":\"x.y\",\"all\":[\"1\",\"true\"]}]}]}}");
        if (!gw_request_init(&rq, cfg))
            abort();
    }
    if (size == 0)
        return 0;
    char *value;
    if (data[0] & 1) {
        value = gw_b64_encode(data + 1, size - 1);
        if (!value)
            return 0;
    } else {
        value = fuzz_str(data + 1, size - 1);
    }
    char *header = malloc(strlen(value) + 20);
    sprintf(header, "HTTP_X_USERINFO=%s", value);
    char *envp[] = {"REMOTE_ADDR=127.0.0.1", header, NULL};
    gw_request_read(&rq, envp);
    bool present = false;
    gw_status st = gw_user_check(cfg, &rq, &present);
    FUZZ_CHECK(st == GW_OK || st == GW_E_TOO_LARGE);
    if (st == GW_OK && present) {
        gw_user u;
        const char *why = NULL;
        st = gw_user_decode(cfg, &rq, NULL, &u, &why);
        FUZZ_CHECK(st == GW_OK || st == GW_E_MALFORMED);
        FUZZ_CHECK(st == GW_OK || why != NULL);
        if (st == GW_OK) {
            /* what reaches the database or a header never holds a control character */
            FUZZ_CHECK(*u.id && strlen(u.id) <= 255 && !gw_has_ctl(u.id));
            for (size_t i = 0; i < u.nfields; i++)
                FUZZ_CHECK(!u.fields[i] || !gw_has_ctl(u.fields[i]));
            for (size_t i = 0; i < u.nrelated; i++)
                FUZZ_CHECK(u.related[i] && !gw_has_ctl(u.related[i]));
            for (size_t i = 0; i < u.ngroups; i++) {
                FUZZ_CHECK(*u.groups[i] && !gw_has_ctl(u.groups[i]));
                FUZZ_CHECK(i == 0 || strcmp(u.groups[i - 1], u.groups[i]) < 0);
            }
            size_t fl[5] = {3, 2, 1, 2, 0}, rl[2] = {2, 0};
            gw_collens lens = {fl, rl};
            gw_user_fit(cfg, &u, &lens, NULL, NULL);
            for (size_t i = 0; i < u.nfields; i++)
                FUZZ_CHECK(!u.fields[i] || gw_utf8_valid((const unsigned char *)u.fields[i],
                                                         strlen(u.fields[i])));
            gw_rule_decide(cfg, gw_rule_match(cfg, "/a/x", "GET"),
                           &(gw_rule_subject){1, (const char *const *)u.groups, u.ngroups, u.claims,
                                              NULL, NULL});
            gw_user_free(&u);
        }
    }
    free(header);
    free(value);
    return 0;
}
