/* json.c: the strict parse of untrusted JSON (what cJSON alone would take
 * and gwauth must not), scalar text for the database, claim paths. */
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "unit.h"

/* Whether the strict parser takes text (parsed from a copy). */
static bool takes(const char *text)
{
    cJSON *j = gw_json_parse_text(text, strlen(text));
    cJSON_Delete(j);
    return j != NULL;
}

static void t_strict_refusals(void)
{
    CU_ASSERT_TRUE(takes("{\"sub\":\"alice\",\"n\":[1,2.5,-3e2,true,null]}"));
    CU_ASSERT_FALSE(takes("{\"sub\":\"a\",\"sub\":\"b\"}"));       /* a repeated key */
    CU_ASSERT_FALSE(takes("{\"o\":{\"k\":1,\"k\":2}}"));            /* ... in any object */
    CU_ASSERT_FALSE(takes("{\"sub\":\"a\"} x"));                    /* trailing data */
    CU_ASSERT_FALSE(takes("{\"sub\":\"a\"}{}"));
    CU_ASSERT_FALSE(takes("\xef\xbb\xbf{\"sub\":\"a\"}"));          /* a byte order mark */
    CU_ASSERT_FALSE(takes("{\"sub\":\"a\x01\"}"));                  /* a raw control byte */
    CU_ASSERT_FALSE(takes("{\"sub\":\"a\tb\"}"));
    CU_ASSERT_TRUE(takes("{\n\t\"sub\" :\r\n \"a\"}"));             /* JSON white space */
    CU_ASSERT_FALSE(takes("{\"sub\":\"\xc3\"}"));                   /* cut UTF-8 */
    CU_ASSERT_FALSE(takes("{\"sub\":\"\xc0\xaf\"}"));               /* overlong */
    CU_ASSERT_FALSE(takes("{\"sub\":\"\xed\xa0\x80\"}"));           /* a surrogate's bytes */
    CU_ASSERT_TRUE(takes("{\"sub\":\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"}"));
    CU_ASSERT_FALSE(takes("{\"sub\":\"\\u12\"}"));                  /* \u without 4 hex digits */
    CU_ASSERT_FALSE(takes("{\"sub\":\"\\u00zz\"}"));
    CU_ASSERT_FALSE(takes("{\"n\":01}"));                           /* RFC 8259 numbers only */
    CU_ASSERT_FALSE(takes("{\"n\":1.}"));
    CU_ASSERT_FALSE(takes("{\"n\":.5}"));
    CU_ASSERT_FALSE(takes("{\"n\":+1}"));
    CU_ASSERT_FALSE(takes("{\"n\":0x10}"));
    CU_ASSERT_FALSE(takes("{\"n\":1e}"));
    CU_ASSERT_FALSE(takes(""));
    CU_ASSERT_FALSE(takes("{\"sub\":\"a\""));                       /* unterminated */
}

static void t_strict_limits(void)
{
    /* nesting: GW_JSON_MAX_DEPTH levels taken, one more refused */
    char deep[2 * (GW_JSON_MAX_DEPTH + 1) + 1];
    for (int extra = 0; extra <= 1; extra++) {
        size_t n = GW_JSON_MAX_DEPTH + (size_t)extra, o = 0;
        for (size_t i = 0; i < n; i++)
            deep[o++] = '[';
        for (size_t i = 0; i < n; i++)
            deep[o++] = ']';
        deep[o] = '\0';
        CU_ASSERT_EQUAL(takes(deep), extra == 0);
    }
    /* members: GW_JSON_MAX_MEMBERS per object, one more refused */
    for (int extra = 0; extra <= 1; extra++) {
        size_t n = GW_JSON_MAX_MEMBERS + (size_t)extra;
        char *t = malloc(n * 16 + 4);
        CU_ASSERT_PTR_NOT_NULL_FATAL(t);
        size_t o = 0;
        t[o++] = '{';
        for (size_t i = 0; i < n; i++)
            o += (size_t)sprintf(t + o, "%s\"k%zu\":1", i ? "," : "", i);
        t[o++] = '}';
        t[o] = '\0';
        CU_ASSERT_EQUAL(takes(t), extra == 0);
        free(t);
    }
}

/* An escaped NUL never cuts a key or a value short. */
static void t_strict_nul(void)
{
    char buf[] = "{\"sub\\u0000x\":\"a\",\"v\":\"b\\u0000c\"}";
    cJSON *j = gw_json_parse_strict(buf, strlen(buf));
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT_PTR_NULL(cJSON_GetObjectItemCaseSensitive(j, "sub")); /* another key */
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, "v");
    CU_ASSERT_TRUE_FATAL(cJSON_IsString(v));
    CU_ASSERT_EQUAL(strlen(v->valuestring), 3); /* "b", U+0001, "c": not "b" */
    CU_ASSERT_EQUAL(v->valuestring[1], 0x01);
    cJSON_Delete(j);
    /* "sub\u0000x" and "sub" are two keys, not a repeated one */
    CU_ASSERT_TRUE(takes("{\"sub\\u0000x\":\"a\",\"sub\":\"b\"}"));
    /* the text form leaves its input as it was */
    const char *text = "{\"v\":\"b\\u0000c\"}";
    char copy[32];
    strcpy(copy, text);
    cJSON_Delete(gw_json_parse_text(copy, strlen(copy)));
    CU_ASSERT_STRING_EQUAL(copy, text);
}

static void t_scalar_text(void)
{
    const char *text = "[\"s\",true,false,42,-7,2.5,1e3,null,[],{}]";
    cJSON *j = gw_json_parse_text(text, strlen(text));
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    const char *want[] = {"s", "1", "0", "42", "-7", "2.5", "1000", NULL, NULL, NULL};
    char num[64];
    int i = 0;
    for (const cJSON *v = j->child; v; v = v->next, i++) {
        const char *out = NULL;
        bool ok = gw_json_scalar_text(v, num, &out);
        CU_ASSERT_EQUAL(ok, want[i] != NULL);
        if (ok && want[i])
            CU_ASSERT_STRING_EQUAL(out, want[i]);
    }
    CU_ASSERT_EQUAL(i, 10);
    cJSON_Delete(j);
}

static void t_claim_copy(void)
{
    const char *text = "{\"realm_access\":{\"roles\":[\"a\",\"b\"],\"other\":1},"
                       "\"https://app.example.org/roles\":[\"x\"],\"sub\":\"u\"}";
    cJSON *src = gw_json_parse_text(text, strlen(text));
    cJSON *dst = cJSON_CreateObject();
    CU_ASSERT_TRUE_FATAL(src && dst);
    CU_ASSERT_TRUE(gw_json_claim_copy(dst, src, "realm_access.roles"));
    CU_ASSERT_TRUE(
        gw_json_claim_copy(dst, src, "https://app.example.org/roles")); /* a whole name */
    CU_ASSERT_TRUE(gw_json_claim_copy(dst, src, "missing.path"));       /* nothing */
    CU_ASSERT_TRUE(gw_json_claim_copy(dst, src, "realm_access.roles")); /* already there */
    const cJSON *r = gw_json_claim_get(dst, "realm_access.roles");
    CU_ASSERT_TRUE(cJSON_IsArray(r) && cJSON_GetArraySize(r) == 2);
    CU_ASSERT_PTR_NULL(gw_json_claim_get(dst, "realm_access.other")); /* only what was asked */
    CU_ASSERT_PTR_NULL(gw_json_claim_get(dst, "sub"));
    CU_ASSERT_PTR_NULL(gw_json_claim_get(dst, "missing"));
    CU_ASSERT_PTR_NOT_NULL(gw_json_claim_get(dst, "https://app.example.org/roles"));
    /* a path through a value that is not an object: absent */
    CU_ASSERT_PTR_NULL(gw_json_claim_get(src, "sub.x"));
    cJSON_Delete(src);
    cJSON_Delete(dst);
}

void unit_json(void)
{
    static const unit_test tests[] = {
        {"json: what the strict parse refuses", t_strict_refusals},
        {"json: depth and member limits", t_strict_limits},
        {"json: an escaped NUL never cuts a key or value", t_strict_nul},
        {"json: scalar text for the database", t_scalar_text},
        {"json: claim copies", t_claim_copy},
        {NULL, NULL},
    };
    unit_suite("json", tests);
}
