/* snippet.c - web server configuration from gwauth's (see snippet.h). */
#include "snippet.h"

#include <ctype.h>
#include <string.h>

bool gw_snippet_proxy_header(const char *var, char *out, size_t n)
{
    const char *rest;
    if (strcmp(var, "REMOTE_USER") == 0)
        rest = "USER";
    else if (strncmp(var, "GWAUTH_", 7) == 0 && var[7] && strcmp(var, "GWAUTH_SECRET") != 0)
        rest = var + 7;
    else
        return false;
    if (n < 10 + strlen(rest))
        return false;
    memcpy(out, "X-Gwauth-", 9);
    size_t o = 9;
    bool start = true;
    for (const char *p = rest; *p; p++) {
        out[o++] = *p == '_' ? '-' : start ? (char)toupper((unsigned char)*p)
                                           : (char)tolower((unsigned char)*p);
        start = *p == '_';
    }
    out[o] = '\0';
    return true;
}

static const char *const kind_names[GW_SNIPPET_COUNT] = {
    "apache-proxy", "apache-fcgid", "apache-anonymous", "nginx-identity", "nginx-fastcgi",
    "nginx-proxy"};
const char gw_snippet_kinds[] =
    "apache-proxy, apache-fcgid, apache-anonymous, nginx-identity, nginx-fastcgi, nginx-proxy";

bool gw_snippet_kind_of(const char *name, gw_snippet_kind *kind)
{
    for (int i = 0; i < GW_SNIPPET_COUNT; i++)
        if (strcmp(name, kind_names[i]) == 0) {
            *kind = (gw_snippet_kind)i;
            return true;
        }
    return false;
}

/* Each variable gwauth may export: the exports, then the assertion's. */
static size_t snippet_vars(const gw_config *cfg, const char **vars, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < cfg->exports.n && n < max; i++)
        vars[n++] = cfg->exports.v[i].name;
    if (cfg->assertion.enabled && n < max)
        vars[n++] = cfg->assertion.variable;
    if (cfg->export_max_bytes && n < max)
        vars[n++] = GW_GROUPS_TRUNCATED_VAR;
    return n;
}

#define GW_SPELLING_SEPS 12 /* 4096 lines for one header at most */

/* RequestHeader unset for every spelling of header: each '-' may come as
 * '_' (names are compared without regard to case). The caller checked
 * that it has at most GW_SPELLING_SEPS of them. */
static void unset_spellings(gw_buf *out, const char *header)
{
    size_t seps[GW_SPELLING_SEPS], k = 0;
    for (size_t i = 1; header[i] && k < GW_SPELLING_SEPS; i++)
        if (header[i] == '-')
            seps[k++] = i;
    char name[128];
    gw_strlcpy(name, header, sizeof(name));
    for (unsigned long m = 0; m < (1UL << k); m++) {
        for (size_t b = 0; b < k; b++)
            name[seps[b]] = (m >> b) & 1 ? '_' : '-';
        gw_buf_printf(out, "RequestHeader unset %s early\n", name);
    }
}

/* $gw_<var in lower case>: the nginx variable of var. */
static const char *nginx_var(const char *var, char out[128])
{
    size_t o = 3;
    memcpy(out, "gw_", 3);
    for (const char *p = var; *p && o < 127; p++)
        out[o++] = (char)tolower((unsigned char)*p);
    out[o] = '\0';
    return out;
}

static void nginx_snippet(gw_snippet_kind kind, const char *const *vars, size_t n, gw_buf *out)
{
    char v[128], h[128];
    if (kind == GW_SNIPPET_NGINX_IDENTITY) {
        gw_buf_puts(out, "# Server context: every request is asked of the authorizer first; its\n"
                    "# answer's Variable- lines become these variables, the real status of a\n"
                    "# deny $gwauth_status (nginx only tells 2xx, 401 and 403 apart).\n"
                    "auth_request /_gwauth;\n"
                    "auth_request_set $gwauth_status $upstream_http_x_gwauth_status;\n"
                    "auth_request_set $gwauth_error $upstream_http_x_gwauth_error;\n"
                    "auth_request_set $gwauth_location $upstream_http_x_gwauth_location;\n");
        for (size_t i = 0; i < n; i++) {
            nginx_var(vars[i], v);
            gw_buf_printf(out, "auth_request_set $%s $upstream_http_variable_%s;\n", v, v + 3);
        }
        return;
    }
    gw_buf_puts(out, kind == GW_SNIPPET_NGINX_FASTCGI
                         ? "# In each location that passes requests to a FastCGI application.\n"
                         : "# In each location that proxies requests: every header gwauth sets is\n"
                           "# replaced, the client's copy never passes (an empty value sends none).\n");
    for (size_t i = 0; i < n; i++) {
        nginx_var(vars[i], v);
        if (kind == GW_SNIPPET_NGINX_FASTCGI)
            gw_buf_printf(out, "fastcgi_param %s $%s if_not_empty;\n", vars[i], v);
        else if (gw_snippet_proxy_header(vars[i], h, sizeof(h)))
            gw_buf_printf(out, "proxy_set_header %s $%s;\n", h, v);
    }
}

/* A prefix as a regular expression: every character but letters, digits
 * and '/' escaped (PCRE reads "\\." as '.'). */
static void regex_of(gw_buf *out, const char *prefix)
{
    for (const char *p = prefix; *p; p++) {
        if (!isalnum((unsigned char)*p) && *p != '/')
            gw_buf_add(out, "\\", 1);
        gw_buf_add(out, p, 1);
    }
}

static bool prefix_writable(const char *p)
{
    return strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/._~!$&'()*+,;=:@-") ==
           strlen(p);
}

/* " {'GET', 'HEAD'}": a method list for an Apache expression (the names
 * are [A-Z]+, checked at load). */
static void method_set(gw_buf *out, const gw_strlist *m)
{
    gw_buf_puts(out, " {");
    for (size_t i = 0; i < m->n; i++)
        gw_buf_printf(out, "%s'%s'", i ? ", " : "", m->v[i]);
    gw_buf_puts(out, "}");
}

/* A rule that asks gwauth (authenticated or deny), as written by the
 * operator (not the responder's implied ones, not one in report mode). */
static bool gated(const gw_rule *r)
{
    return !r->implied && !r->report && r->access != GW_ACCESS_ANONYMOUS;
}

/* One anonymous region: prefix (self's, or "/" for access.default when
 * self is NULL), for self's methods only when it names some, minus the
 * longer authenticated prefixes and the responder's paths inside it, and
 * minus the methods an authenticated rule of the same prefix takes. */
static void anonymous_region(gw_buf *out, const gw_config *cfg, const char *prefix,
                             const gw_rule *self, const char *headers_cond)
{
    size_t plen = strlen(prefix);
    for (size_t i = 0; !self && i < cfg->access.nrules; i++) {
        const gw_rule *r = &cfg->access.rules[i];
        if (gated(r) && !r->methods.n && strcmp(r->prefix, prefix) == 0)
            return; /* a rule takes the default's whole region */
    }
    gw_buf_puts(out, "<LocationMatch \"^");
    regex_of(out, prefix);
    gw_buf_printf(out, "\">\n    <If \"%s", headers_cond);
    /* a path Apache did not normalize ("//" with MergeSlashes Off) goes
     * to gwauth, which does */
    gw_buf_puts(out, " && %{REQUEST_URI} !~ m#//#");
    if (self && self->methods.n) {
        gw_buf_puts(out, " && %{REQUEST_METHOD} in");
        method_set(out, &self->methods);
    }
    for (size_t i = 0; i < cfg->access.nrules; i++) {
        const gw_rule *r = &cfg->access.rules[i];
        if (r == self || r->report || strncmp(r->prefix, prefix, plen) != 0)
            continue;
        if (gated(r) && strlen(r->prefix) == plen) {
            if (r->methods.n) { /* the same prefix, other methods: those go to gwauth */
                gw_buf_puts(out, " && ! %{REQUEST_METHOD} in");
                method_set(out, &r->methods);
            }
            continue;
        }
        /* the authenticated prefixes inside (whatever their methods), and
         * the responder's own paths (the implied rules): their <Location>
         * (a Require ip for the metrics) must not be replaced by this
         * one's Require */
        if ((!r->implied && !gated(r)) || strlen(r->prefix) < plen ||
            (!r->implied && strlen(r->prefix) == plen))
            continue;
        gw_buf_puts(out, " && %{REQUEST_URI} !~ m#^");
        regex_of(out, r->prefix);
        gw_buf_puts(out, "#");
    }
    gw_buf_puts(out, "\">\n        AuthnzFcgiCheckAuthnProvider None\n        Require all granted\n"
                "    </If>\n</LocationMatch>\n");
}

static bool apache_anonymous(const gw_config *cfg, gw_buf *out, const char **why)
{
    /* the identity's headers: all absent (or empty) */
    gw_buf cond;
    gw_buf_init(&cond);
    for (size_t i = 0; i < cfg->nid_vars; i++) {
        const char *v = cfg->id_vars[i];
        if (strncmp(v, "HTTP_", 5) != 0 || !v[5]) {
            gw_buf_free(&cond);
            *why = "an identity variable that is not an HTTP header (HTTP_*)";
            return false;
        }
        gw_buf_printf(&cond, "%s-z %%{HTTP:", i ? " && " : "");
        for (const char *p = v + 5; *p; p++)
            gw_buf_add(&cond, *p == '_' ? "-" : p, 1);
        gw_buf_add(&cond, "}", 1);
    }
    for (size_t i = 0; i < cfg->access.nrules; i++)
        if (!cfg->access.rules[i].implied && !prefix_writable(cfg->access.rules[i].prefix)) {
            gw_buf_free(&cond);
            *why = "a rule prefix holding a character that cannot be written in Apache's "
                   "configuration";
            return false;
        }
    gw_buf_puts(out, "# After apache2.conf.example's <Location \"/\">. The anonymous paths of\n"
                "# access.rules: a request without an identity header is served without\n"
                "# asking gwauth (which would allow it and export nothing); one with an\n"
                "# identity goes through gwauth. A session cookie alone is no identity\n"
                "# here: anonymous pages see the user only with the gateway's header.\n"
                "# Apache merges <If> after every <Location>: a Require of your own in an\n"
                "# anonymous region (Require ip, ...) is replaced by its Require all granted;\n"
                "# the responder's paths are left out for that reason.\n");
    size_t n = 0;
    if (cfg->access.deflt == GW_ACCESS_ANONYMOUS) {
        anonymous_region(out, cfg, "/", NULL, cond.data);
        n++;
    }
    for (size_t i = 0; i < cfg->access.nrules; i++) {
        const gw_rule *r = &cfg->access.rules[i];
        if (!r->implied && !r->report && r->access == GW_ACCESS_ANONYMOUS) {
            anonymous_region(out, cfg, r->prefix, r, cond.data);
            n++;
        }
    }
    if (!n)
        gw_buf_puts(out, "# (none: every path needs an identity)\n");
    gw_buf_free(&cond);
    return true;
}

bool gw_snippet(const gw_config *cfg, gw_snippet_kind kind, const char *source, gw_buf *out,
                const char **why)
{
    const char *vars[256];
    size_t n = snippet_vars(cfg, vars, sizeof(vars) / sizeof(vars[0]));
    char h[128];
    gw_buf_printf(out, "# Generated by gwauth-admin snippet %s from %s.\n"
                  "# Generate it again whenever %s change.\n", kind_names[kind], source,
                  kind == GW_SNIPPET_APACHE_ANONYMOUS ? "\"access\" or \"identity\""
                                                      : "\"export\" or \"assertion\"");
    if (kind == GW_SNIPPET_APACHE_ANONYMOUS)
        return apache_anonymous(cfg, out, why);
    if (kind >= GW_SNIPPET_NGINX_IDENTITY) {
        nginx_snippet(kind, vars, n, out);
        return true;
    }
    if (kind == GW_SNIPPET_APACHE_FCGID) {
        gw_buf_puts(out, "# mod_fcgid copies the access checker's Variable- lines into the\n"
                    "# response: none may reach the client.\n");
        for (size_t i = 0; i < n; i++)
            gw_buf_printf(out, "Header always unset Variable-%s\nHeader unset Variable-%s\n",
                          vars[i], vars[i]);
        return true;
    }
    for (size_t i = 0; i < n; i++) {
        size_t seps = 0;
        if (gw_snippet_proxy_header(vars[i], h, sizeof(h)))
            for (const char *p = h; *p; p++)
                seps += *p == '-';
        if (seps > GW_SPELLING_SEPS) {
            *why = "a variable name with more than 12 '_': too many spellings of its header to remove";
            return false;
        }
    }
    gw_buf_puts(out, "# Server context. A client's own copies go first, in every spelling,\n"
                "# before anything reads the request; then, once the authorizer has\n"
                "# allowed it, each variable it exported becomes its header, for\n"
                "# applications behind mod_proxy.\n");
    for (size_t i = 0; i < n; i++)
        if (gw_snippet_proxy_header(vars[i], h, sizeof(h)))
            unset_spellings(out, h);
    for (size_t i = 0; i < n; i++)
        if (gw_snippet_proxy_header(vars[i], h, sizeof(h)))
            gw_buf_printf(out, "RequestHeader set %s \"%%{%s}e\" env=%s\n", h, vars[i], vars[i]);
    return true;
}
