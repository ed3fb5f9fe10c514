/* Fuzz target: the plain-header source (Authelia's four headers). The
 * input is split on newlines into the values of Remote-User, Remote-Email,
 * Remote-Name and Remote-Groups; a fifth part, if any, repeats Remote-User. */
#include "fuzz.h"
#include "usermap.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const gw_config *cfg;
    static gw_request rq;
    static const char *const names[] = {"HTTP_REMOTE_USER", "HTTP_REMOTE_EMAIL", "HTTP_REMOTE_NAME",
                                        "HTTP_REMOTE_GROUPS", "HTTP_REMOTE_USER"};
    if (!cfg) {
        cfg = fuzz_config("{\"identity\":{\"source\":\"headers\",\"max_bytes\":4096,\"claim_headers\":"
                          "{\"sub\":\"HTTP_REMOTE_USER\",\"email\":\"HTTP_REMOTE_EMAIL\","
                          "\"name\":\"HTTP_REMOTE_NAME\",\"groups\":\"HTTP_REMOTE_GROUPS\"}},"
                          "\"groups\":{\"sync\":\"existing\"}}");
        if (!gw_request_init(&rq, cfg))
            abort();
    }
    char *s = fuzz_str(data, size);
    char *envp[8] = {"REMOTE_ADDR=::1"};
    int n = 1;
    for (char *p = s; p && n < 6; n++) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        char *e = malloc(strlen(names[n - 1]) + strlen(p) + 2);
        sprintf(e, "%s=%s", names[n - 1], p);
        envp[n] = e;
        p = nl ? nl + 1 : NULL;
    }
    envp[n] = NULL;
    gw_request_read(&rq, envp);
    bool present = false;
    gw_status st = gw_user_check(cfg, &rq, &present);
    FUZZ_CHECK(st == GW_OK || st == GW_E_TOO_LARGE || st == GW_E_DUPLICATE);
    FUZZ_CHECK(st != GW_E_DUPLICATE || n == 6);
    if (st == GW_OK && present) {
        gw_user u;
        st = gw_user_decode(cfg, &rq, NULL, &u, NULL);
        FUZZ_CHECK(st == GW_OK || st == GW_E_MALFORMED || st == GW_E_DUPLICATE);
        /* a duplicate only when a single-valued header holds the web
         * servers' join separator; never for the groups list */
        bool joined = false;
        for (int i = 1; i < n && i < 4; i++)
            joined |= strstr(envp[i], ", ") != NULL;
        FUZZ_CHECK(st != GW_E_DUPLICATE || joined);
        if (st == GW_OK)
            FUZZ_CHECK(!joined);
        if (st == GW_OK) {
            FUZZ_CHECK(!gw_has_ctl(u.id) && strcmp(u.id, strchr(envp[1], '=') + 1) == 0);
            for (size_t i = 0; i < u.ngroups; i++)
                FUZZ_CHECK(*u.groups[i] && !strchr(u.groups[i], ','));
            gw_user_free(&u);
        }
    }
    for (int i = 1; i < n; i++)
        free(envp[i]);
    free(s);
    return 0;
}
