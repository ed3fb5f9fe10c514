/*
 * accept.h - the FastCGI listening edge: accepting a connection, knowing
 * its peer, and bounding the time it may take to deliver its request.
 *
 * gwauth accepts connections itself instead of letting FCGX_Accept_r do
 * it, so that a peer can be refused before a byte is read (SO_PEERCRED on
 * unix sockets) and so that reading a request has a deadline: a stalled
 * or trickling peer costs one worker at most fastcgi.receive_timeout_ms,
 * then its connection is shut down and the worker takes the next one.
 */
#ifndef GW_ACCEPT_H
#define GW_ACCEPT_H

#include <fcgiapp.h>
#include <signal.h>
#include <stdbool.h>

/* What is known of the peer of an accepted connection. */
typedef struct {
    bool is_unix;
    bool have_uid;
    long uid;
    long pid;
    char text[80]; /* for the log: "uid=33 pid=812" or "addr=127.0.0.1:51234" */
} gw_peer;

/* Prepares the listening socket fd (non-blocking, so that the workers that
 * share it never block in accept) and the deadline's signal handler.
 * Returns 0, or -1 with errno set. */
int gw_accept_init(int fd);

/* Initializes req for the functions below; libfcgi itself never accepts
 * on it. */
void gw_accept_request_init(FCGX_Request *req);

/* Waits, with the signals of unblocked deliverable, for the next
 * connection on the listening socket lfd and accepts it into req; fills
 * *peer. A new connection's writes time out after timeout_ms. When req
 * still holds a connection that the web server asked to keep
 * (FCGI_KEEP_CONN), waits for its next request instead, at most
 * timeout_ms, then closes it and accepts a new one. Returns 0; -EINTR
 * when a signal arrived first; another negative errno when accepting
 * failed. */
int gw_accept_next(int lfd, FCGX_Request *req, const sigset_t *unblocked, int timeout_ms,
                   gw_peer *peer);

/* Reads the request on req's connection (FCGX_Accept_r) within
 * timeout_ms. Returns 0 with the request ready; -ETIMEDOUT when the peer
 * did not deliver it in time; another negative value when the connection
 * ended or the peer broke the protocol. On failure the connection is
 * closed. */
int gw_accept_read(FCGX_Request *req, int timeout_ms);

/* Finishes the request (FCGX_Finish_r: flushes the reply, then closes the
 * connection unless it is kept), within timeout_ms: a peer that does not
 * read its reply, or keeps sending, cannot hold the worker longer. */
void gw_accept_finish(FCGX_Request *req, int timeout_ms);

/* Closes req's connection without answering (a refused peer). */
void gw_accept_drop(FCGX_Request *req);

#endif
