/*
 * fcgiclient - a minimal FastCGI client for the tests: what any local
 * process could send to gwauth's sockets, bypassing the web server.
 *
 *   fcgiclient [--role authorizer|responder] [--stall N] [--trickle MS]
 *              ADDR [NAME=VALUE ...]
 *
 * ADDR is unix:PATH or tcp:HOST:PORT. Sends one request with the given
 * parameters (and an empty stdin) and prints the reply's stdout. --stall N
 * sends only the first N bytes of the request, then waits for the server
 * to close the connection; --trickle MS sends the request one byte every
 * MS milliseconds. Prints "closed after S.SSS s" when the server ended
 * the connection without a reply. Exit status: 0 when a reply came,
 * 3 when the connection was closed without one, 2 on usage or connect
 * errors.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <signal.h>
#include <unistd.h>

typedef struct {
    unsigned char *p;
    size_t n, cap;
} buf;

static void put(buf *b, const void *p, size_t n)
{
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2 + 64;
        b->p = realloc(b->p, b->cap);
        if (!b->p)
            exit(2);
    }
    if (n)
        memcpy(b->p + b->n, p, n);
    b->n += n;
}

static void record(buf *b, int type, const unsigned char *data, size_t n)
{
    unsigned char h[8] = {1, (unsigned char)type, 0, 1, (unsigned char)(n >> 8),
                          (unsigned char)n, 0, 0};
    put(b, h, 8);
    put(b, data, n);
}

static void len_put(buf *b, size_t n)
{
    unsigned char l[4] = {(unsigned char)(0x80 | (n >> 24)), (unsigned char)(n >> 16),
                          (unsigned char)(n >> 8), (unsigned char)n};
    if (n < 128) {
        unsigned char c = (unsigned char)n;
        put(b, &c, 1);
    } else {
        put(b, l, 4);
    }
}

static int dial(const char *addr)
{
    if (strncmp(addr, "unix:", 5) == 0) {
        struct sockaddr_un un = {.sun_family = AF_UNIX};
        if (strlen(addr + 5) >= sizeof(un.sun_path))
            return -1;
        strcpy(un.sun_path, addr + 5);
        int fd = socket(AF_UNIX, SOCK_STREAM, 0);
        return fd >= 0 && connect(fd, (struct sockaddr *)&un, sizeof(un)) == 0 ? fd : -1;
    }
    if (strncmp(addr, "tcp:", 4) == 0) {
        char host[256];
        const char *colon = strrchr(addr + 4, ':');
        if (!colon || (size_t)(colon - addr - 4) >= sizeof(host))
            return -1;
        memcpy(host, addr + 4, (size_t)(colon - addr - 4));
        host[colon - addr - 4] = '\0';
        struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res;
        if (getaddrinfo(host, colon + 1, &hints, &res) != 0)
            return -1;
        int fd = socket(res->ai_family, SOCK_STREAM, 0);
        int ok = fd >= 0 && connect(fd, res->ai_addr, res->ai_addrlen) == 0;
        freeaddrinfo(res);
        return ok ? fd : -1;
    }
    return -1;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    int role = 2, i = 1;
    long stall = -1, trickle = 0;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
        if (i + 1 >= argc)
            return 2;
        if (!strcmp(argv[i], "--role"))
            role = !strcmp(argv[i + 1], "responder") ? 1 : 2;
        else if (!strcmp(argv[i], "--stall"))
            stall = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--trickle"))
            trickle = atol(argv[i + 1]);
        else
            return 2;
    }
    if (i >= argc) {
        fprintf(stderr, "usage: fcgiclient [--role authorizer|responder] [--stall N] "
                        "[--trickle MS] ADDR [NAME=VALUE ...]\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    const char *addr = argv[i++];
    buf req = {0}, params = {0};
    unsigned char begin[8] = {0, (unsigned char)role, 0, 0, 0, 0, 0, 0};
    record(&req, 1, begin, 8);
    for (; i < argc; i++) {
        const char *eq = strchr(argv[i], '=');
        if (!eq)
            return 2;
        len_put(&params, (size_t)(eq - argv[i]));
        len_put(&params, strlen(eq + 1));
        put(&params, argv[i], (size_t)(eq - argv[i]));
        put(&params, eq + 1, strlen(eq + 1));
    }
    for (size_t o = 0; o < params.n; o += 65535)
        record(&req, 4, params.p + o, params.n - o > 65535 ? 65535 : params.n - o);
    record(&req, 4, NULL, 0);
    record(&req, 5, NULL, 0);
    free(params.p);
    int fd = dial(addr);
    if (fd < 0) {
        perror(addr);
        free(req.p);
        return 2;
    }
    double t0 = now();
    size_t n = stall >= 0 && (size_t)stall < req.n ? (size_t)stall : req.n;
    if (trickle > 0) {
        for (size_t k = 0; k < n; k++) {
            struct timespec ts = {trickle / 1000, (trickle % 1000) * 1000000L};
            if (write(fd, req.p + k, 1) != 1)
                break;
            nanosleep(&ts, NULL);
        }
    } else if (write(fd, req.p, n) != (ssize_t)n) {
        perror("write");
    }
    /* read records, print stdout */
    buf in = {0};
    unsigned char chunk[4096];
    ssize_t r;
    while ((r = read(fd, chunk, sizeof(chunk))) > 0)
        put(&in, chunk, (size_t)r);
    size_t got = 0;
    for (size_t o = 0; o + 8 <= in.n;) {
        size_t len = (size_t)in.p[o + 4] << 8 | in.p[o + 5], pad = in.p[o + 6];
        if (o + 8 + len > in.n)
            break;
        if (in.p[o + 1] == 6) {
            fwrite(in.p + o + 8, 1, len, stdout);
            got += len;
        }
        o += 8 + len + pad;
    }
    close(fd);
    free(req.p);
    free(in.p);
    if (!got) {
        printf("closed after %.3f s\n", now() - t0);
        return 3;
    }
    return 0;
}
