/* http.c - URL, query, cookie helpers and redirect validation (pure). */
#include "http.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

char *gw_http_url_encode(const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    char *o = malloc(3 * strlen(s) + 1);
    if (!o)
        return NULL;
    size_t k = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~') {
            o[k++] = (char)*p;
        } else {
            o[k++] = '%';
            o[k++] = hex[*p >> 4];
            o[k++] = hex[*p & 15];
        }
    }
    o[k] = '\0';
    return o;
}

/* Decodes n bytes of s; plus_space turns '+' into ' '. */
static char *gw_pct_decode(const char *s, size_t n, bool plus_space)
{
    char *o = malloc(n + 1);
    if (!o)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '%') {
            int v = gw_pct_byte(s, i, n);
            if (v <= 0) { /* malformed, or an encoded NUL */
                free(o);
                return NULL;
            }
            c = (char)v;
            i += 2;
        } else if (c == '+' && plus_space) {
            c = ' ';
        }
        o[k++] = c;
    }
    o[k] = '\0';
    return o;
}

char *gw_http_form_decode(const char *s, size_t n)
{
    return gw_pct_decode(s, n, true);
}

char *gw_http_query_param(const char *qs, const char *name)
{
    size_t nl = strlen(name);
    for (const char *p = qs; p && *p;) {
        size_t len = strcspn(p, "&;");
        const char *eq = memchr(p, '=', len);
        size_t kl = eq ? (size_t)(eq - p) : len;
        if (kl == nl && strncmp(p, name, nl) == 0)
            return eq ? gw_http_form_decode(eq + 1, len - kl - 1) : gw_http_form_decode("", 0);
        p += len;
        if (*p)
            p++;
    }
    return NULL;
}

bool gw_http_cookie_next(const char **p, const char **name, size_t *nlen, const char **value,
                         size_t *vlen)
{
    for (const char *s = *p; s && *s;) {
        while (*s == ' ' || *s == '\t')
            s++;
        /* ';' between cookies; ',' too: Apache joins two Cookie headers
         * with ", " (a cookie value never holds a comma, RFC 6265) */
        size_t len = strcspn(s, ";,");
        const char *eq = memchr(s, '=', len);
        const char *seg = s;
        s += len;
        if (*s)
            s++;
        if (!eq || eq == seg)
            continue;
        const char *v = eq + 1;
        size_t vl = len - (size_t)(v - seg);
        while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
            vl--;
        if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"') {
            v++;
            vl -= 2;
        }
        *p = s;
        *name = seg;
        *nlen = (size_t)(eq - seg);
        *value = v;
        *vlen = vl;
        return true;
    }
    *p = NULL;
    return false;
}

/* Finds cookie name in a Cookie header: its value and length, or NULL. */
static const char *gw_cookie_find(const char *header, const char *name, size_t *vlen)
{
    size_t nl = strlen(name), cl;
    const char *cn, *v;
    for (const char *p = header; gw_http_cookie_next(&p, &cn, &cl, &v, vlen);)
        if (cl == nl && memcmp(cn, name, nl) == 0)
            return v;
    return NULL;
}

void gw_http_cookie_line(gw_buf *out, const char *name, const char *value, long max_age,
                         bool secure, const char *same_site)
{
    gw_buf_printf(out, "Set-Cookie: %s=%s; Path=/; Max-Age=%ld; HttpOnly%s%s%s\r\n", name, value,
                  max_age, secure ? "; Secure" : "", same_site ? "; SameSite=" : "",
                  same_site ? same_site : "");
}

bool gw_http_cookie_value(const char *header, const char *name, char *out, size_t outlen)
{
    size_t vl;
    const char *v = gw_cookie_find(header, name, &vl);
    if (!v || vl >= outlen)
        return false;
    memcpy(out, v, vl);
    out[vl] = '\0';
    return true;
}

bool gw_http_cookie_present(const char *header, const char *name)
{
    size_t vl;
    return gw_cookie_find(header, name, &vl) != NULL;
}

/* The length of host[:port] s[0..n) without a trailing default port
 * (only when that is its one port: "h:8443:443" keeps its length). */
static size_t gw_host_len(const char *s, size_t n, const char *dflt)
{
    size_t dl = strlen(dflt);
    if (n > dl && strncmp(s + n - dl, dflt, dl) == 0 && !memchr(s, ':', n - dl))
        return n - dl;
    return n;
}

/* Judges one form of a destination ('\' already counts as '/'). raw is
 * the same string before that translation. */
static bool gw_dest_judge(const char *t, const char *raw, const gw_strlist *allowed)
{
    if (t[0] == '/')
        return t[1] != '/';
    size_t skip;
    if (strncasecmp(t, "http://", 7) == 0)
        skip = 7;
    else if (strncasecmp(t, "https://", 8) == 0)
        skip = 8;
    else
        return false;
    /* The authority must end at the same place whether '\' counts as '/'
     * (browsers) or not (RFC 3986 clients), and hold no userinfo. */
    const char *auth = t + skip;
    size_t al = strcspn(auth, "/?#");
    if (al == 0 || al != strcspn(raw + skip, "/?#\\") || al != strcspn(raw + skip, "/?#") ||
        memchr(auth, '@', al) || memchr(auth, '%', al) || memchr(raw, '\\', skip))
        return false;
    for (size_t i = 0; i < al; i++)
        if ((unsigned char)auth[i] >= 0x80) /* no IDN: allowed_hosts are ASCII */
            return false;
    /* the scheme's default port names the same origin: compare without it */
    const char *dflt = skip == 8 ? ":443" : ":80";
    size_t hl = gw_host_len(auth, al, dflt);
    for (size_t i = 0; i < allowed->n; i++) {
        const char *a = allowed->v[i];
        size_t n = gw_host_len(a, strlen(a), dflt);
        if (n == hl && strncasecmp(a, auth, hl) == 0)
            return true;
    }
    return false;
}

static bool gw_dest_form_ok(const char *s, const gw_strlist *allowed)
{
    size_t n = strlen(s);
    char *t = malloc(n + 1);
    if (!t)
        return false;
    for (size_t i = 0; i <= n; i++)
        t[i] = s[i] == '\\' ? '/' : s[i];
    bool ok = gw_dest_judge(t, s, allowed);
    free(t);
    return ok;
}

/* Does the http(s) URL's authority name host (the request's Host) or one
 * of allowed? Default ports compare equal to none. */
static bool gw_url_host_ok(const char *url, const char *host, const gw_strlist *allowed)
{
    size_t skip = strncasecmp(url, "https://", 8) == 0 ? 8 : strncasecmp(url, "http://", 7) == 0 ? 7 : 0;
    if (!skip)
        return false;
    const char *auth = url + skip, *dflt = skip == 8 ? ":443" : ":80";
    size_t al = strcspn(auth, "/?#");
    if (al == 0 || memchr(auth, '@', al) || memchr(auth, '\\', al))
        return false;
    size_t hl = gw_host_len(auth, al, dflt);
    if (host && gw_host_len(host, strlen(host), dflt) == hl && strncasecmp(host, auth, hl) == 0)
        return true;
    for (size_t i = 0; allowed && i < allowed->n; i++) {
        const char *a = allowed->v[i];
        if (gw_host_len(a, strlen(a), dflt) == hl && strncasecmp(a, auth, hl) == 0)
            return true;
    }
    return false;
}

bool gw_http_same_site(const gw_request *rq, const gw_strlist *allowed)
{
    const char *host = gw_request_get(rq, GW_RQ_HOST);
    const char *origin = gw_request_get(rq, GW_RQ_ORIGIN);
    if (origin && *origin)
        return gw_url_host_ok(origin, host, allowed); /* "null" too: refused */
    const char *referer = gw_request_get(rq, GW_RQ_REFERER);
    if (referer && *referer)
        return gw_url_host_ok(referer, host, allowed);
    /* a sibling subdomain ("same-site") is another site here */
    const char *site = gw_request_get(rq, GW_RQ_FETCH_SITE);
    return !site || strcasecmp(site, "same-origin") == 0 || strcasecmp(site, "none") == 0;
}

bool gw_http_dest_valid(const char *dest, const gw_strlist *allowed)
{
    if (!dest)
        return false;
    size_t n = strlen(dest);
    if (n == 0 || n > GW_DEST_MAX)
        return false;
    /* Raw: printable ASCII only (a browser drops TAB, CR and LF and so
     * joins what they separate; a server may fold look-alikes such as
     * U+FF0F into '/'); text beyond ASCII travels percent-encoded. */
    bool in_path = true;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)dest[i];
        if (c <= 0x20 || c >= 0x7F)
            return false;
        in_path &= c != '?' && c != '#';
        if (c != '%')
            continue;
        int v = gw_pct_byte(dest, i, n);
        if (v < 0)
            return false;
        /* an encoded control character never (CR LF injection once a hop
         * decodes it; TAB, CR and LF vanish in a browser); an encoded space
         * is text in the query or the fragment, and inside a path segment,
         * but never opens or ends one ("/%20/evil.example", "/app%20") */
        if (v < 0x20 || v == 0x7F ||
            (v == 0x20 && in_path &&
             (i == 0 || dest[i - 1] == '/' || dest[i - 1] == '\\' || !dest[i + 3] ||
              strchr("/\\?#", dest[i + 3]))))
            return false;
    }
    char *dec = gw_pct_decode(dest, n, false);
    if (!dec)
        return false;
    bool ok = gw_dest_form_ok(dest, allowed) && gw_dest_form_ok(dec, allowed);
    free(dec);
    return ok;
}
