/* request.c: one walk of the environment into slots and cookies. */
#include <string.h>

#include "request.h"
#include "unit.h"

static void t_fixed(void)
{
    gw_config *c = unit_config_of("{}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    gw_request rq;
    CU_ASSERT_TRUE_FATAL(gw_request_init(&rq, c));
    char *envp[] = {"REMOTE_ADDR=127.0.0.1", "HTTP_X_USERINFO=a", "HTTP_X_USERINFO_EXTRA=b",
                    "HTTP_X_USERINF=c", "HTTP_X_USERINFO=d", "REQUEST_URI=/a=b?c=d",
                    "NOEQUALS", "REQUEST_METHOD=", "=x", NULL};
    gw_request_read(&rq, envp);
    CU_ASSERT_STRING_EQUAL(gw_request_get(&rq, GW_RQ_REMOTE_ADDR), "127.0.0.1");
    CU_ASSERT_EQUAL(gw_request_len(&rq, GW_RQ_REMOTE_ADDR), 9);
    CU_ASSERT_EQUAL(gw_request_count(&rq, GW_RQ_REMOTE_ADDR), 1);
    /* the value is everything after the first '=' */
    CU_ASSERT_STRING_EQUAL(gw_request_get(&rq, GW_RQ_REQUEST_URI), "/a=b?c=d");
    /* present and empty is not absent */
    CU_ASSERT_PTR_NOT_NULL(gw_request_get(&rq, GW_RQ_METHOD));
    CU_ASSERT_EQUAL(gw_request_len(&rq, GW_RQ_METHOD), 0);
    CU_ASSERT_EQUAL(gw_request_count(&rq, GW_RQ_METHOD), 1);
    CU_ASSERT_PTR_NULL(gw_request_get(&rq, GW_RQ_COOKIE));
    CU_ASSERT_EQUAL(gw_request_count(&rq, GW_RQ_COOKIE), 0);
    /* the identity variable: the first value, both counted; names that
     * only start or end alike are other names */
    CU_ASSERT_EQUAL_FATAL(rq.nid, 1);
    CU_ASSERT_STRING_EQUAL(gw_request_get(&rq, rq.id[0]), "a");
    CU_ASSERT_EQUAL(gw_request_count(&rq, rq.id[0]), 2);
    /* a slot the configuration does not use reads as absent */
    CU_ASSERT_EQUAL(rq.jwt, GW_RQ_NONE);
    CU_ASSERT_PTR_NULL(gw_request_get(&rq, rq.jwt));
    CU_ASSERT_EQUAL(gw_request_count(&rq, GW_RQ_NONE), 0);
    CU_ASSERT_EQUAL(gw_request_len(&rq, GW_RQ_NONE), 0);
    /* the next request starts empty; no environment at all is empty */
    char *next[] = {"HTTP_X_USERINFO=e", NULL};
    gw_request_read(&rq, next);
    CU_ASSERT_PTR_NULL(gw_request_get(&rq, GW_RQ_REMOTE_ADDR));
    CU_ASSERT_EQUAL(gw_request_count(&rq, rq.id[0]), 1);
    gw_request_read(&rq, NULL);
    CU_ASSERT_PTR_NULL(gw_request_get(&rq, rq.id[0]));
    gw_request_free(&rq);
    gw_request_free(&rq); /* twice is safe */
    gw_config_free(c);
}

/* The configuration's names: each once, whatever roles it plays. */
static void t_configured(void)
{
    gw_config *c = unit_config_of(
        "{\"identity\":{\"source\":\"headers\",\"claim_headers\":{\"sub\":\"HTTP_REMOTE_USER\","
        "\"email\":\"HTTP_REMOTE_EMAIL\"},\"jwt\":{\"jwks_file\":\"/unused\",\"header\":"
        "\"HTTP_X_TOKEN\",\"issuers\":[\"https://i\"],\"audiences\":[\"a\"]}},"
        "\"export\":{\"GWAUTH_ID\":\"id\",\"GWAUTH_SOURCE\":\"@source\",\"REMOTE_ADDR\":\"username\"}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    gw_request rq;
    CU_ASSERT_TRUE_FATAL(gw_request_init(&rq, c));
    CU_ASSERT_EQUAL_FATAL(rq.nid, 2);
    CU_ASSERT_EQUAL(rq.claim[0], rq.id[0]);
    CU_ASSERT_EQUAL(rq.claim[1], rq.id[1]);
    CU_ASSERT_NOT_EQUAL(rq.jwt, GW_RQ_NONE);
    CU_ASSERT_EQUAL(rq.exp[2], (size_t)GW_RQ_REMOTE_ADDR);
    CU_ASSERT_EQUAL(rq.id_export, rq.exp[0]);
    /* two identity variables, the token's, two exports: REMOTE_ADDR was there */
    CU_ASSERT_EQUAL(rq.nnames, (size_t)GW_RQ_NFIXED + 5);
    for (size_t i = 0; i < rq.nnames; i++)
        for (size_t k = i + 1; k < rq.nnames; k++)
            CU_ASSERT_NOT_EQUAL(strcmp(rq.name[i], rq.name[k]), 0);
    /* the cache key: each of the key's variables has its slot */
    CU_ASSERT_EQUAL_FATAL(rq.nkey, c->nkey_vars);
    for (size_t i = 0; i < rq.nkey; i++)
        CU_ASSERT_STRING_EQUAL(rq.name[rq.key[i]], c->key_vars[i]);
    char *envp[] = {"HTTP_REMOTE_USER=bob", "GWAUTH_ID=42", "GWAUTH_SOURCE=header",
                    "HTTP_X_TOKEN=t", NULL};
    gw_request_read(&rq, envp);
    CU_ASSERT_STRING_EQUAL(gw_request_get(&rq, rq.jwt), "t");
    CU_ASSERT_STRING_EQUAL(gw_request_get(&rq, rq.claim[0]), "bob");
    CU_ASSERT_STRING_EQUAL(gw_request_get(&rq, rq.id_export), "42");
    CU_ASSERT_STRING_EQUAL(gw_request_get(&rq, rq.exp[1]), "header");
    gw_request_free(&rq);
    gw_config_free(c);
}

static void t_cookies(void)
{
    gw_config *c = unit_config_of("{\"session\":{\"enabled\":true,\"cookie\":\"sid\"},"
                                  "\"logout\":{\"gateway_session_cookie\":\"gw\"}}");
    gw_config *off = unit_config_of("{\"session\":{\"enabled\":false,\"cookie\":\"sid\"}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(off);
    gw_request rq;
    CU_ASSERT_TRUE_FATAL(gw_request_init(&rq, c));
    char *envp[] = {"HTTP_COOKIE=sidx=1; sid=\"first\" ; sid=second, gw=; noval; =x", NULL};
    gw_request_read(&rq, envp);
    char v[16];
    /* the first of its name, unquoted, without trailing blanks */
    CU_ASSERT_TRUE(gw_request_cookie(&rq, GW_RQ_CK_SESSION, v, sizeof(v)));
    CU_ASSERT_STRING_EQUAL(v, "first");
    CU_ASSERT_FALSE(gw_request_cookie(&rq, GW_RQ_CK_SESSION, v, 5)); /* does not fit */
    CU_ASSERT_TRUE(gw_request_cookie(&rq, GW_RQ_CK_SESSION, v, 6));
    /* an empty value is there (Apache's ", " joins two Cookie headers) */
    CU_ASSERT_TRUE(gw_request_has_cookie(&rq, GW_RQ_CK_GATEWAY));
    CU_ASSERT_TRUE(gw_request_cookie(&rq, GW_RQ_CK_GATEWAY, v, sizeof(v)));
    CU_ASSERT_STRING_EQUAL(v, "");
    CU_ASSERT_FALSE(gw_request_has_cookie(&rq, GW_RQ_CK_NEXT));
    char *none[] = {"HTTP_COOKIE=", NULL};
    gw_request_read(&rq, none);
    CU_ASSERT_FALSE(gw_request_has_cookie(&rq, GW_RQ_CK_SESSION));
    gw_request_free(&rq);
    /* sessions off: the session cookie is never read */
    CU_ASSERT_TRUE_FATAL(gw_request_init(&rq, off));
    gw_request_read(&rq, envp);
    CU_ASSERT_FALSE(gw_request_has_cookie(&rq, GW_RQ_CK_SESSION));
    CU_ASSERT_FALSE(gw_request_has_cookie(&rq, GW_RQ_CK_GATEWAY)); /* not configured */
    gw_request_free(&rq);
    gw_config_free(c);
    gw_config_free(off);
}

void unit_request(void)
{
    static const unit_test tests[] = {
        {"request: the fixed variables, first value and count", t_fixed},
        {"request: the configuration's variables, each once", t_configured},
        {"request: the cookies, read once", t_cookies},
        {NULL, NULL},
    };
    unit_suite("request", tests);
}
