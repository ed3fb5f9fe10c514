/*
 * accept.c - accepting FastCGI connections with a known peer and a
 * deadline (the edge between the kernel and libfcgi).
 *
 * libfcgi's FCGX_Accept_r accepts by itself only when the request holds
 * no connection (ipcFd < 0): gwauth accepts first and hands it the
 * connection, with keepConnection set so that its initial FCGX_Finish_r
 * does not close it. The request's listening socket is -1, so that when
 * libfcgi gives up on a broken connection it returns an error instead of
 * accepting the next connection unchecked.
 *
 * The deadline is a one-shot ITIMER_REAL around the reading (and around
 * FCGX_Finish_r, whose lingering close reads until the peer is quiet):
 * its SIGALRM handler shuts the connection down, which ends any read or
 * write in progress or to come; shutdown() is async-signal-safe.
 */
#define _GNU_SOURCE
#include "accept.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static volatile sig_atomic_t gw_conn_fd = -1;
/* This process's epoll instance on the listening socket (made after a
 * --workers fork, so that each worker has its own), and its owner. */
static int gw_epoll_fd = -1;
static pid_t gw_epoll_pid;
static volatile sig_atomic_t gw_timed_out;

static void gw_on_alarm(int sig)
{
    (void)sig;
    if (gw_conn_fd >= 0) {
        gw_timed_out = 1;
        shutdown(gw_conn_fd, SHUT_RDWR);
    }
}

int gw_accept_init(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
        return -1;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = gw_on_alarm; /* no SA_RESTART */
    return sigaction(SIGALRM, &sa, NULL);
}

void gw_accept_request_init(FCGX_Request *req)
{
    FCGX_InitRequest(req, -1, 0);
}

static void gw_peer_of(int c, const struct sockaddr_storage *sa, gw_peer *peer)
{
    memset(peer, 0, sizeof(*peer));
    if (sa->ss_family == AF_UNIX) {
        struct ucred cr;
        socklen_t len = sizeof(cr);
        peer->is_unix = true;
        if (getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cr, &len) == 0 && len == sizeof(cr)) {
            peer->have_uid = true;
            peer->uid = (long)cr.uid;
            peer->pid = (long)cr.pid;
            snprintf(peer->text, sizeof(peer->text), "uid=%ld pid=%ld", peer->uid, peer->pid);
        } else {
            snprintf(peer->text, sizeof(peer->text), "uid=unknown");
        }
        return;
    }
    char addr[INET6_ADDRSTRLEN] = "?";
    unsigned port = 0;
    if (sa->ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &in->sin_addr, addr, sizeof(addr));
        port = ntohs(in->sin_port);
    } else if (sa->ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        inet_ntop(AF_INET6, &in6->sin6_addr, addr, sizeof(addr));
        port = ntohs(in6->sin6_port);
    }
    int one = 1; /* replies are written once: no Nagle delay */
    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    snprintf(peer->text, sizeof(peer->text), "addr=%s:%u", addr, port);
}

int gw_accept_next(int lfd, FCGX_Request *req, const sigset_t *unblocked, int timeout_ms,
                   gw_peer *peer)
{
    if (req->ipcFd >= 0) {
        /* a kept connection: its next request, or close it when idle */
        struct pollfd pfd = {.fd = req->ipcFd, .events = POLLIN};
        struct timespec ts = {timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000L};
        int r = ppoll(&pfd, 1, &ts, unblocked);
        if (r < 0 && errno == EINTR)
            return -EINTR;
        if (r > 0)
            return 0;
        gw_accept_drop(req);
    }
    if (gw_epoll_fd < 0 || gw_epoll_pid != getpid()) {
        /* EPOLLEXCLUSIVE: a connection wakes one waiting worker, the one
         * that waited longest, as a blocking accept() would; not all */
        struct epoll_event ev = {.events = EPOLLIN | EPOLLEXCLUSIVE, .data.fd = lfd};
        if (gw_epoll_fd >= 0)
            close(gw_epoll_fd);
        if ((gw_epoll_fd = epoll_create1(EPOLL_CLOEXEC)) < 0)
            return -errno;
        if (epoll_ctl(gw_epoll_fd, EPOLL_CTL_ADD, lfd, &ev) < 0) {
            int e = errno;
            close(gw_epoll_fd);
            gw_epoll_fd = -1;
            return -e;
        }
        gw_epoll_pid = getpid();
    }
    for (;;) {
        struct epoll_event ev;
        if (epoll_pwait(gw_epoll_fd, &ev, 1, -1, unblocked) < 0)
            return errno == EINTR ? -EINTR : -errno;
        struct sockaddr_storage sa;
        socklen_t len = sizeof(sa);
        memset(&sa, 0, sizeof(sa));
        int c = accept4(lfd, (struct sockaddr *)&sa, &len, SOCK_CLOEXEC);
        if (c < 0) {
            /* another worker took it, or the peer gave up already */
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ECONNABORTED ||
                errno == EINTR || errno == EPROTO)
                continue;
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                /* out of descriptors or memory for now: wait, never exit */
                gw_log(GW_LOG_ERROR, "event=accept_failed error=\"%s\" retrying=yes", strerror(errno));
                struct timespec ts = {0, 100000000L};
                nanosleep(&ts, NULL);
                continue;
            }
            return -errno;
        }
        if (len == 0 || sa.ss_family == AF_UNSPEC) /* unnamed unix peer */
            sa.ss_family = AF_UNIX;
        gw_peer_of(c, &sa, peer);
        /* writes are bounded too: a peer that never reads its reply */
        struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
        setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
        req->ipcFd = c;
        return 0;
    }
}

static void gw_deadline(int fd, int ms)
{
    struct itimerval it;
    memset(&it, 0, sizeof(it));
    gw_timed_out = 0;
    gw_conn_fd = fd;
    it.it_value.tv_sec = ms / 1000;
    it.it_value.tv_usec = (ms % 1000) * 1000;
    setitimer(ITIMER_REAL, &it, NULL);
}

static void gw_deadline_off(void)
{
    struct itimerval it;
    memset(&it, 0, sizeof(it));
    setitimer(ITIMER_REAL, &it, NULL);
    gw_conn_fd = -1;
}

int gw_accept_read(FCGX_Request *req, int timeout_ms)
{
    req->keepConnection = 1; /* FCGX_Accept_r's own finish keeps our connection */
    gw_deadline(req->ipcFd, timeout_ms);
    int rc = FCGX_Accept_r(req);
    gw_deadline_off();
    if (rc < 0) {
        gw_accept_drop(req); /* libfcgi closed it already unless it failed early */
        return gw_timed_out ? -ETIMEDOUT : rc;
    }
    return 0;
}

void gw_accept_finish(FCGX_Request *req, int timeout_ms)
{
    gw_deadline(req->ipcFd, timeout_ms);
    FCGX_Finish_r(req);
    gw_deadline_off();
}

void gw_accept_drop(FCGX_Request *req)
{
    if (req->ipcFd >= 0)
        close(req->ipcFd);
    req->ipcFd = -1;
}
