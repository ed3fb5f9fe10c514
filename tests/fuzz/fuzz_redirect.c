/* Fuzz target: the logout destination check and the helpers around it.
 * The input is used as a destination, as a query string and as a Cookie
 * header. A destination judged valid must be one of the two safe shapes. */
#include <strings.h>

#include "fuzz.h"
#include "http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char *hosts[] = {"app.example.org", "sso.example.org:8443"};
    static const gw_strlist allowed = {hosts, 2};
    char *s = fuzz_str(data, size);
    if (gw_http_dest_valid(s, &allowed)) {
        size_t n = strlen(s);
        FUZZ_CHECK(n > 0 && n <= GW_DEST_MAX);
        for (size_t i = 0; i < n; i++)
            FUZZ_CHECK((unsigned char)s[i] > 0x20 && (unsigned char)s[i] < 0x7F);
        if (s[0] == '/' || s[0] == '\\') { /* '\' counts as '/' */
            FUZZ_CHECK(s[1] != '/' && s[1] != '\\');
        } else {
            const char *a = strncasecmp(s, "https://", 8) == 0 ? s + 8 : s + 7;
            FUZZ_CHECK(strncasecmp(s, "http://", 7) == 0 || strncasecmp(s, "https://", 8) == 0);
            size_t al = strcspn(a, "/?#\\");
            FUZZ_CHECK(!memchr(a, '@', al));
            /* an allowed host, or the same with its scheme's default port */
            const char *dflt = a == s + 8 ? ":443" : ":80";
            size_t dl = strlen(dflt);
            if (al > dl && strncmp(a + al - dl, dflt, dl) == 0)
                al -= dl;
            FUZZ_CHECK((al == strlen(hosts[0]) && strncasecmp(a, hosts[0], al) == 0) ||
                       (al == strlen(hosts[1]) && strncasecmp(a, hosts[1], al) == 0));
        }
    }
    char *next = gw_http_query_param(s, "next");
    if (next) {
        gw_http_dest_valid(next, &allowed);
        free(next);
    }
    char cv[256];
    if (gw_http_cookie_value(s, "gwauth_next", cv, sizeof(cv)))
        FUZZ_CHECK(gw_http_cookie_present(s, "gwauth_next"));
    /* encoding then decoding gives the input back */
    char *enc = gw_http_url_encode(s);
    char *dec = enc ? gw_http_form_decode(enc, strlen(enc)) : NULL;
    FUZZ_CHECK(dec && strcmp(dec, s) == 0);
    free(enc);
    free(dec);
    free(s);
    return 0;
}
