/*
 * envapp - a FastCGI application for the tests, as PHP-FPM or any other
 * would be behind nginx: answers every request with the parameters a
 * gwauth export may have set (REMOTE_USER, GWAUTH_*, APP_*), one
 * NAME=value line each, sorted, as whoami.cgi does for CGI; and counts
 * each name it got more than once (a second copy would be a forgery).
 *
 *     spawn-fcgi -s SOCKET -- envapp
 */
#include <fcgiapp.h>
#include <stdlib.h>
#include <string.h>

static int by_text(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int shown(const char *p)
{
    return strncmp(p, "REMOTE_USER=", 12) == 0 || strncmp(p, "GWAUTH_", 7) == 0 ||
           strncmp(p, "APP_", 4) == 0;
}

int main(void)
{
    FCGX_Request req;
    if (FCGX_Init() != 0 || FCGX_InitRequest(&req, 0, 0) != 0)
        return 1;
    while (FCGX_Accept_r(&req) >= 0) {
        size_t n = 0;
        for (char **e = req.envp; *e; e++)
            n += shown(*e) != 0;
        char **v = calloc(n + 1, sizeof(char *));
        size_t k = 0;
        for (char **e = req.envp; v && *e; e++)
            if (shown(*e))
                v[k++] = *e;
        if (v)
            qsort(v, k, sizeof(char *), by_text);
        FCGX_PutS("Status: 200 OK\r\nContent-Type: text/plain\r\n\r\n", req.out);
        for (size_t i = 0; v && i < k; i++) {
            const char *eq = strchr(v[i], '=');
            if (i && eq && strncmp(v[i - 1], v[i], (size_t)(eq - v[i]) + 1) == 0)
                FCGX_FPrintF(req.out, "DUPLICATE %.*s\n", (int)(eq - v[i]), v[i]);
            FCGX_FPrintF(req.out, "%s\n", v[i]);
        }
        free(v);
        FCGX_Finish_r(&req);
    }
    return 0;
}
