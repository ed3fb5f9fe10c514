/* json.c - strict parsing of untrusted JSON (pure). */
#include "json.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static bool gw_is_hex4(const char *p)
{
    for (int k = 0; k < 4; k++) {
        char c = p[k];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return false;
    }
    return true;
}

static bool gw_digit(char c) { return c >= '0' && c <= '9'; }

/* The length of the RFC 8259 number at p (at most end), or 0 when the
 * characters cJSON would read as one ([0-9+-.eE]) are not exactly such a
 * number: "01", "1.", ".5", "-01.e5", "1e", "+1" are refused. */
static size_t gw_json_number(const char *p, const char *end)
{
    const char *q = p;
    if (q < end && *q == '-')
        q++;
    if (q < end && *q == '0')
        q++;
    else if (q < end && gw_digit(*q))
        while (q < end && gw_digit(*q))
            q++;
    else
        return 0;
    if (q < end && *q == '.') {
        if (++q >= end || !gw_digit(*q))
            return 0;
        while (q < end && gw_digit(*q))
            q++;
    }
    if (q < end && (*q == 'e' || *q == 'E')) {
        if (++q < end && (*q == '+' || *q == '-'))
            q++;
        if (q >= end || !gw_digit(*q))
            return 0;
        while (q < end && gw_digit(*q))
            q++;
    }
    /* whatever cJSON would still take as part of the number */
    if (q < end && (gw_digit(*q) || *q == '.' || *q == 'e' || *q == 'E' || *q == '+' || *q == '-'))
        return 0;
    return (size_t)(q - p);
}

/* Rewrites escaped NULs, refuses numbers outside RFC 8259's grammar, refuses malformed \u escapes and raw control
 * bytes, and measures nesting
 * depth outside strings. Returns false when the text must be refused. */
static bool gw_json_prescan(char *buf, size_t len)
{
    bool in_str = false;
    int depth = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)buf[i];
        if (in_str) {
            if (c < 0x20)
                return false;
            if (c == '"') {
                in_str = false;
            } else if (c == '\\') {
                if (i + 1 >= len)
                    return false;
                if (buf[i + 1] == 'u') {
                    /* exactly four hex digits: cJSON reads a bad digit as
                     * 0 and would write a NUL ("x\u12zz" -> "x") */
                    if (i + 5 >= len || !gw_is_hex4(buf + i + 2))
                        return false;
                    if (memcmp(buf + i + 2, "0000", 4) == 0)
                        buf[i + 5] = '1';
                }
                i++; /* skip the escaped character */
            }
            continue;
        }
        switch (c) {
        case '"': in_str = true; break;
        case '{': case '[':
            if (++depth > GW_JSON_MAX_DEPTH)
                return false;
            break;
        case '}': case ']': depth--; break;
        case ' ': case '\t': case '\n': case '\r': break;
        case '-': case '0': case '1': case '2': case '3': case '4':
        case '5': case '6': case '7': case '8': case '9': {
            size_t n = gw_json_number(buf + i, buf + len);
            if (n == 0)
                return false;
            i += n - 1;
            break;
        }
        case '+': case '.':
            return false; /* a number cannot start so */
        default:
            if (c < 0x20 || c == 0x7F)
                return false;
        }
    }
    return true;
}

static int gw_key_cmp(const void *a, const void *b)
{
    return strcmp((*(const cJSON *const *)a)->string, (*(const cJSON *const *)b)->string);
}

/* True when some object in the tree repeats a key or has more than
 * GW_JSON_MAX_MEMBERS members. */
static bool gw_json_has_dup(const cJSON *node)
{
    for (const cJSON *c = node->child; c; c = c->next)
        if ((cJSON_IsObject(c) || cJSON_IsArray(c)) && gw_json_has_dup(c))
            return true;
    if (!cJSON_IsObject(node))
        return false;
    size_t n = 0;
    for (const cJSON *c = node->child; c; c = c->next)
        n++;
    if (n > GW_JSON_MAX_MEMBERS)
        return true; /* refused like a repeat: more claims than anyone sends */
    if (n < 2)
        return false;
    if (n <= 16) {
        for (const cJSON *a = node->child; a; a = a->next)
            for (const cJSON *b = a->next; b; b = b->next)
                if (strcmp(a->string, b->string) == 0)
                    return true;
        return false;
    }
    const cJSON **v = malloc(n * sizeof(*v));
    if (!v)
        return true; /* refuse rather than accept unchecked */
    size_t i = 0;
    for (const cJSON *c = node->child; c; c = c->next)
        v[i++] = c;
    qsort(v, n, sizeof(*v), gw_key_cmp);
    bool dup = false;
    for (i = 1; i < n && !dup; i++)
        dup = strcmp(v[i - 1]->string, v[i]->string) == 0;
    free(v);
    return dup;
}

cJSON *gw_json_parse_strict(char *buf, size_t len)
{
    buf[len] = '\0';
    /* cJSON skips a byte order mark; JSON from a gateway never has one */
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        return NULL;
    if (!gw_utf8_valid((const unsigned char *)buf, len) || !gw_json_prescan(buf, len))
        return NULL;
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(buf, len + 1, &end, 1);
    if (!root)
        return NULL;
    if (gw_json_has_dup(root)) {
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}

cJSON *gw_json_parse_text(const char *text, size_t len)
{
    char *copy = malloc(len + 1);
    if (!copy)
        return NULL;
    memcpy(copy, text, len);
    cJSON *root = gw_json_parse_strict(copy, len);
    free(copy);
    return root;
}

bool gw_json_scalar_text(const cJSON *v, char num[64], const char **out)
{
    if (cJSON_IsString(v)) {
        *out = v->valuestring;
        return true;
    }
    if (cJSON_IsBool(v)) {
        *out = cJSON_IsTrue(v) ? "1" : "0";
        return true;
    }
    if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        /* the range first: converting a larger double is undefined */
        if (d > -9.0e15 && d < 9.0e15 && d == (double)(long long)d)
            snprintf(num, 64, "%lld", (long long)d);
        else
            snprintf(num, 64, "%.17g", d);
        *out = num;
        return true;
    }
    return false;
}

/* The next segment of a claim path into seg (unescaped); returns where the
 * path goes on (after the '.'), or NULL at the end; *bad on a malformed
 * path. */
static const char *claim_segment(const char *p, char seg[GW_CLAIM_PATH_MAX + 1], bool *bad)
{
    size_t n = 0;
    for (; *p && *p != '.'; p++) {
        if (*p == '\\') {
            p++;
            if (*p != '.' && *p != '\\') {
                *bad = true;
                return NULL;
            }
        }
        if (n >= GW_CLAIM_PATH_MAX) {
            *bad = true;
            return NULL;
        }
        seg[n++] = *p;
    }
    seg[n] = '\0';
    if (n == 0)
        *bad = true;
    return *p == '.' ? p + 1 : NULL;
}

const char *gw_json_claim_path_problem(const char *path)
{
    if (!path || !*path)
        return "empty";
    if (strlen(path) > GW_CLAIM_PATH_MAX)
        return "longer than 255 bytes";
    char seg[GW_CLAIM_PATH_MAX + 1];
    bool bad = false;
    const char *p = path;
    do {
        p = claim_segment(p, seg, &bad);
    } while (p && !bad);
    return bad ? "not a claim path: an empty segment (\"a..b\", \".a\", \"a.\"), or a '\\' "
                 "before anything but '.' or '\\'"
               : NULL;
}

/* Whether path names a member of obj by its whole text: a plain name
 * (no '.'), or a member named with the whole path
 * ("https://app.example.org/roles"), which is that claim. */
static bool claim_whole(const cJSON *obj, const char *path)
{
    return !strchr(path, '\\') &&
           (!strchr(path, '.') || cJSON_GetObjectItemCaseSensitive(obj, path));
}

const cJSON *gw_json_claim_get(const cJSON *obj, const char *path)
{
    if (claim_whole(obj, path)) /* the common case: no copy */
        return cJSON_GetObjectItemCaseSensitive(obj, path);
    char seg[GW_CLAIM_PATH_MAX + 1];
    bool bad = false;
    const char *p = path;
    const cJSON *v = obj;
    do {
        p = claim_segment(p, seg, &bad);
        if (bad || !cJSON_IsObject(v))
            return NULL;
        v = cJSON_GetObjectItemCaseSensitive(v, seg);
    } while (p && v);
    return v;
}

bool gw_json_claim_copy(cJSON *dst, const cJSON *src, const char *path)
{
    const cJSON *v = src;
    cJSON *d = dst;
    char seg[GW_CLAIM_PATH_MAX + 1];
    bool whole = claim_whole(src, path), bad = false; /* as gw_json_claim_get */
    const char *p = path;
    do {
        if (whole) {
            gw_strlcpy(seg, path, sizeof(seg));
            p = NULL;
        } else {
            p = claim_segment(p, seg, &bad);
        }
        if (bad || !cJSON_IsObject(v) || !cJSON_IsObject(d))
            return true; /* nothing there to copy */
        v = cJSON_GetObjectItemCaseSensitive(v, seg);
        if (!v)
            return true;
        cJSON *have = cJSON_GetObjectItemCaseSensitive(d, seg);
        if (!p) { /* the value itself (in full, over a part copied before) */
            if (have && !cJSON_IsObject(have))
                return true;
            cJSON *c = cJSON_Duplicate(v, 1);
            if (!c)
                return false;
            if (have)
                return cJSON_ReplaceItemViaPointer(d, have, c) || (cJSON_Delete(c), false);
            return cJSON_AddItemToObject(d, seg, c) || (cJSON_Delete(c), false);
        }
        if (!have && !(have = cJSON_AddObjectToObject(d, seg)))
            return false;
        d = have;
    } while (p);
    return true;
}
