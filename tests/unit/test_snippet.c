/* snippet.c: the header names of the exports, and the Apache lines. */
#include <stdlib.h>
#include <string.h>

#include "snippet.h"
#include "unit.h"

static void t_headers(void)
{
    char h[64];
    CU_ASSERT_TRUE(gw_snippet_proxy_header("REMOTE_USER", h, sizeof(h)));
    CU_ASSERT_STRING_EQUAL(h, "X-Gwauth-User");
    CU_ASSERT_TRUE(gw_snippet_proxy_header("GWAUTH_USER_ID", h, sizeof(h)));
    CU_ASSERT_STRING_EQUAL(h, "X-Gwauth-User-Id");
    CU_ASSERT_TRUE(gw_snippet_proxy_header("GWAUTH_ASSERTION", h, sizeof(h)));
    CU_ASSERT_STRING_EQUAL(h, "X-Gwauth-Assertion");
    CU_ASSERT_FALSE(gw_snippet_proxy_header("GWAUTH_SECRET", h, sizeof(h))); /* never */
    CU_ASSERT_FALSE(gw_snippet_proxy_header("APP_ROLE", h, sizeof(h)));
    CU_ASSERT_FALSE(gw_snippet_proxy_header("GWAUTH_", h, sizeof(h)));
    CU_ASSERT_FALSE(gw_snippet_proxy_header("GWAUTH_A_VERY_LONG_NAME", h, 12)); /* no room */
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* The snippet of kind for the configuration json (free it), or NULL with
 * *why when the generator refuses it (a configuration gwauth refuses is a
 * failed test). */
static char *snippet_of(const char *json, gw_snippet_kind kind, const char **why)
{
    gw_config *c = unit_config_of(json);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    gw_buf b;
    gw_buf_init(&b);
    bool ok = gw_snippet(c, kind, "/etc/gwauth/gwauth.json", &b, why);
    gw_config_free(c);
    if (!ok)
        gw_buf_free(&b);
    return ok ? b.data : NULL;
}

static void t_apache(void)
{
    static const char json[] = "{\"export\":{\"REMOTE_USER\":\"global_id\",\"GWAUTH_USER_ID\":\"id\","
                               "\"APP_EMAIL\":\"email\"},"
                               "\"assertion\":{\"key_file\":\"/k\",\"issuer\":\"i\",\"audience\":\"a\"}}";
    const char *why = NULL;
    char *t = snippet_of(json, GW_SNIPPET_APACHE_PROXY, &why);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "from /etc/gwauth/gwauth.json"));
    /* every spelling of every separator: 4 for X-Gwauth-User, 8 for X-Gwauth-User-Id */
    CU_ASSERT_EQUAL(count(t, "RequestHeader unset "), 4 + 8 + 4);
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "RequestHeader unset X_Gwauth_User_Id early\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "RequestHeader set X-Gwauth-User \"%{REMOTE_USER}e\" env=REMOTE_USER\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "RequestHeader set X-Gwauth-Assertion \"%{GWAUTH_ASSERTION}e\" "
                                     "env=GWAUTH_ASSERTION\n"));
    CU_ASSERT_PTR_NULL(strstr(t, "APP_EMAIL")); /* not a GWAUTH_ name: not a header */
    free(t);
    t = snippet_of(json, GW_SNIPPET_APACHE_FCGID, &why);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_EQUAL(count(t, "Header always unset Variable-"), 4);
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "Header always unset Variable-APP_EMAIL\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "Header unset Variable-GWAUTH_ASSERTION\n"));
    free(t);
    gw_snippet_kind k;
    CU_ASSERT_TRUE(gw_snippet_kind_of("apache-fcgid", &k) && k == GW_SNIPPET_APACHE_FCGID);
    CU_ASSERT_FALSE(gw_snippet_kind_of("nginx-ish", &k));
}

static void t_nginx(void)
{
    static const char json[] = "{\"export\":{\"REMOTE_USER\":\"global_id\",\"APP_EMAIL\":\"email\"}}";
    const char *why = NULL;
    char *t = snippet_of(json, GW_SNIPPET_NGINX_IDENTITY, &why);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "auth_request /_gwauth;\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "auth_request_set $gwauth_status $upstream_http_x_gwauth_status;\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "auth_request_set $gw_remote_user $upstream_http_variable_remote_user;\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "auth_request_set $gw_app_email $upstream_http_variable_app_email;\n"));
    free(t);
    t = snippet_of(json, GW_SNIPPET_NGINX_FASTCGI, &why);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "fastcgi_param REMOTE_USER $gw_remote_user if_not_empty;\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "fastcgi_param APP_EMAIL $gw_app_email if_not_empty;\n"));
    free(t);
    t = snippet_of(json, GW_SNIPPET_NGINX_PROXY, &why);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "proxy_set_header X-Gwauth-User $gw_remote_user;\n"));
    CU_ASSERT_PTR_NULL(strstr(t, "APP_EMAIL")); /* not a header name */
    CU_ASSERT_PTR_NULL(strstr(t, "app_email"));
    free(t);
}

static void t_apache_anonymous(void)
{
    gw_config *c = unit_config_of(
        "{\"access\":{\"default\":\"anonymous\",\"rules\":[{\"prefix\":\"/public/\",\"access\":\"anonymous\"},"
        "{\"prefix\":\"/public/private/\"},{\"prefix\":\"/admin/\"},"
        "{\"prefix\":\"/admin/open.x\",\"access\":\"anonymous\"}]}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    gw_buf b;
    const char *why = NULL;
    gw_buf_init(&b);
    CU_ASSERT_TRUE(gw_snippet(c, GW_SNIPPET_APACHE_ANONYMOUS, "x", &b, &why));
    /* the default, minus "//" (left to gwauth), every authenticated prefix
     * and the responder's paths (their own Location keeps its Require) */
    CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "<LocationMatch \"^/\">\n    <If \"-z %{HTTP:X-USERINFO} && "
                                          "%{REQUEST_URI} !~ m#//# && "
                                          "%{REQUEST_URI} !~ m#^/public/private/# && "
                                          "%{REQUEST_URI} !~ m#^/admin/# && "
                                          "%{REQUEST_URI} !~ m#^/applogout# && "
                                          "%{REQUEST_URI} !~ m#^/gwauth/health# && "
                                          "%{REQUEST_URI} !~ m#^/gwauth/metrics#\">\n"));
    /* a rule, minus the authenticated one inside it only */
    CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "<LocationMatch \"^/public/\">\n    <If \"-z %{HTTP:X-USERINFO} && "
                                          "%{REQUEST_URI} !~ m#//# && "
                                          "%{REQUEST_URI} !~ m#^/public/private/#\">\n"));
    /* escaped: "." is not any character */
    CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "<LocationMatch \"^/admin/open\\.x\">\n    <If \"-z %{HTTP:X-USERINFO} && "
                                          "%{REQUEST_URI} !~ m#//#\">\n"));
    CU_ASSERT_EQUAL(count(b.data, "AuthnzFcgiCheckAuthnProvider None\n        Require all granted\n"), 3);
    CU_ASSERT_PTR_NULL(strstr(b.data, "<LocationMatch \"^/applogout")); /* no region of their own */
    gw_buf_free(&b);
    gw_config_free(c);
    /* a deny prefix inside an anonymous one is left to gwauth, like an
     * authenticated one; a rule in report mode changes no region */
    c = unit_config_of("{\"access\":{\"rules\":[{\"prefix\":\"/public/\",\"access\":\"anonymous\"},"
                       "{\"prefix\":\"/public/internal/\",\"access\":\"deny\"},"
                       "{\"prefix\":\"/public/\",\"mode\":\"report\",\"claims_any\":[{\"path\":\"r\",\"any\":[\"x\"]}]},"
                       "{\"prefix\":\"/public/draft/\",\"mode\":\"report\"},"
                       "{\"prefix\":\"/open/\",\"access\":\"anonymous\",\"mode\":\"report\"}]}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    gw_buf_init(&b);
    CU_ASSERT_TRUE(gw_snippet(c, GW_SNIPPET_APACHE_ANONYMOUS, "x", &b, &why));
    CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "<LocationMatch \"^/public/\">\n    <If \"-z %{HTTP:X-USERINFO} && "
                                          "%{REQUEST_URI} !~ m#//# && "
                                          "%{REQUEST_URI} !~ m#^/public/internal/#\">\n"));
    CU_ASSERT_PTR_NULL(strstr(b.data, "draft"));
    CU_ASSERT_PTR_NULL(strstr(b.data, "/open/"));
    CU_ASSERT_EQUAL(count(b.data, "<LocationMatch"), 1);
    gw_buf_free(&b);
    gw_config_free(c);
    /* every mapped header of the headers source must be absent */
    c = unit_config_of("{\"identity\":{\"source\":\"headers\",\"claim_headers\":{\"sub\":\"HTTP_REMOTE_USER\","
                       "\"email\":\"HTTP_REMOTE_EMAIL\"}},\"access\":{\"rules\":[{\"prefix\":\"/p/\","
                       "\"access\":\"anonymous\"}]}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    gw_buf_init(&b);
    CU_ASSERT_TRUE(gw_snippet(c, GW_SNIPPET_APACHE_ANONYMOUS, "x", &b, &why));
    CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "-z %{HTTP:REMOTE-USER} && -z %{HTTP:REMOTE-EMAIL} && "));
    gw_buf_free(&b);
    gw_config_free(c);
    /* what cannot be written: a variable that is not a header, a prefix with a quote */
    c = unit_config_of("{\"identity\":{\"header\":\"REMOTE_USER\"}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    gw_buf_init(&b);
    CU_ASSERT_FALSE(gw_snippet(c, GW_SNIPPET_APACHE_ANONYMOUS, "x", &b, &why));
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "HTTP"));
    gw_buf_free(&b);
    gw_config_free(c);
    c = unit_config_of("{\"access\":{\"rules\":[{\"prefix\":\"/a\\\"b/\",\"access\":\"anonymous\"}]}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c); /* a path gwauth accepts... */
    gw_buf_init(&b);
    CU_ASSERT_FALSE(gw_snippet(c, GW_SNIPPET_APACHE_ANONYMOUS, "x", &b, &why)); /* ...not Apache */
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "prefix"));
    gw_buf_free(&b);
    gw_config_free(c);
}

/* Variables that would share a header are refused at load; a header with
 * too many spellings to remove is refused by the generator. */
static void t_header_limits(void)
{
    CU_ASSERT_PTR_NULL(unit_config_of("{\"export\":{\"REMOTE_USER\":\"global_id\",\"GWAUTH_USER\":\"username\"}}"));
    const char *why = NULL;
    CU_ASSERT_PTR_NULL(snippet_of("{\"export\":{\"REMOTE_USER\":\"global_id\","
                                  "\"GWAUTH_A_B_C_D_E_F_G_H_I_J_K_L\":\"email\"}}",
                                  GW_SNIPPET_APACHE_PROXY, &why));
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "spellings"));
}

/* Method rules in the Apache regions: an anonymous rule's methods only,
 * and an authenticated rule's methods on the same prefix left to gwauth. */
static void t_apache_methods(void)
{
    const char *why = NULL;
    char *t = snippet_of(
        "{\"access\":{\"rules\":[{\"prefix\":\"/api/\",\"methods\":[\"OPTIONS\"],\"access\":\"anonymous\"},"
        "{\"prefix\":\"/x/\",\"access\":\"anonymous\"},{\"prefix\":\"/x/\",\"methods\":[\"POST\",\"DELETE\"]}]}}",
        GW_SNIPPET_APACHE_ANONYMOUS, &why);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "<LocationMatch \"^/api/\">\n    <If \"-z %{HTTP:X-USERINFO} && "
                                     "%{REQUEST_URI} !~ m#//# && %{REQUEST_METHOD} in {'OPTIONS'}\">"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "<LocationMatch \"^/x/\">\n    <If \"-z %{HTTP:X-USERINFO} && "
                                     "%{REQUEST_URI} !~ m#//# && ! %{REQUEST_METHOD} in {'POST', 'DELETE'}\">"));
    free(t);
    /* access.default anonymous and an authenticated "/" rule: no default region */
    t = snippet_of("{\"access\":{\"default\":\"anonymous\",\"rules\":[{\"prefix\":\"/\"}]}}",
                   GW_SNIPPET_APACHE_ANONYMOUS, &why);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_PTR_NULL(strstr(t, "<LocationMatch"));
    free(t);
}

void unit_snippet(void)
{
    static const unit_test tests[] = {
        {"proxy header names: REMOTE_USER and GWAUTH_* only, never the secret", t_headers},
        {"Apache lines: every spelling unset, every export set or unset", t_apache},
        {"nginx lines: auth_request variables, FastCGI parameters, proxy headers", t_nginx},
        {"Apache anonymous paths: regions minus authenticated prefixes, escaped", t_apache_anonymous},
        {"one header per variable; no header with too many spellings", t_header_limits},
        {"Apache anonymous paths with method rules", t_apache_methods},
        {NULL, NULL},
    };
    unit_suite("snippet", tests);
}
