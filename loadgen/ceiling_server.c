/*
 * ceiling_server.c - the fastest server we can cheaply write, to measure loadgen's ceiling.
 *
 * Build:  gcc -O2 -Wall -Wextra -o ceiling_server ceiling_server.c
 * Usage:  ceiling_server --mode echo|http --port P
 *         Listens on 127.0.0.1:P (P = 0: a free port), then prints {"ready": true, "port": N}
 *         on stdout. SIGINT or SIGTERM stops it.
 *
 * One thread, level-triggered epoll, non-blocking sockets.
 *   echo: writes back every byte it reads.
 *   http: answers every request (counted by its "\r\n\r\n", so pipelining works) with
 *         "HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\nHello, World!".
 * Output the kernel does not take at once is kept per connection and sent on EPOLLOUT;
 * reading from that connection pauses meanwhile, so a slow reader cannot grow memory.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUF 65536

static const char response[] = "HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\nHello, World!";
#define RESPONSE_LEN (sizeof response - 1)

struct client {
    int fd;
    int match;              /* http: how much of "\r\n\r\n" has been seen */
    char *pending;          /* bytes still to write */
    size_t pending_len, pending_off, pending_cap;
};

static bool http_mode;
static int epfd;
static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
    (void)sig;
    stopping = 1;
}

static int listen_on(int port, int *bound)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                               .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    socklen_t len = sizeof addr;
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(fd, 4096) < 0 ||
        getsockname(fd, (struct sockaddr *)&addr, &len) < 0) {
        perror("ceiling_server: bind/listen");
        exit(1);
    }
    *bound = ntohs(addr.sin_port);
    return fd;
}

static void drop(struct client *c)
{
    close(c->fd);
    free(c->pending);
    free(c);
}

static void watch(struct client *c, int op, uint32_t events)
{
    struct epoll_event ev = {.events = events, .data.ptr = c};
    epoll_ctl(epfd, op, c->fd, &ev);
}

/* Queues out[0..len) behind anything pending; returns false when the client is gone. */
static bool send_all(struct client *c, const char *out, size_t len)
{
    if (c->pending_len == c->pending_off) {
        while (len > 0) {
            ssize_t n = send(c->fd, out, len, MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0 && errno != EAGAIN)
                return false;
            if (n < 0)
                break;
            out += n;
            len -= (size_t)n;
        }
        if (len == 0)
            return true;
        c->pending_len = c->pending_off = 0;
        watch(c, EPOLL_CTL_MOD, EPOLLOUT);
    }
    if (c->pending_len + len > c->pending_cap) {
        c->pending_cap = (c->pending_len + len) * 2;
        c->pending = realloc(c->pending, c->pending_cap);
    }
    memcpy(c->pending + c->pending_len, out, len);
    c->pending_len += len;
    return true;
}

static bool flush_pending(struct client *c)
{
    while (c->pending_off < c->pending_len) {
        ssize_t n = send(c->fd, c->pending + c->pending_off, c->pending_len - c->pending_off,
                         MSG_NOSIGNAL);
        if (n < 0 && errno == EAGAIN)
            return true;
        if (n < 0 && errno != EINTR)
            return false;
        if (n > 0)
            c->pending_off += (size_t)n;
    }
    c->pending_len = c->pending_off = 0;
    watch(c, EPOLL_CTL_MOD, EPOLLIN);
    return true;
}

/* Number of complete requests in buf, carrying a partial "\r\n\r\n" match across reads. */
static size_t count_requests(struct client *c, const char *buf, size_t n)
{
    static const char end[] = "\r\n\r\n";
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        if (buf[i] == end[c->match])
            c->match++;
        else
            c->match = buf[i] == '\r';
        if (c->match == 4) {
            count++;
            c->match = 0;
        }
    }
    return count;
}

static bool on_readable(struct client *c, char *buf)
{
    ssize_t n = read(c->fd, buf, BUF);
    if (n < 0)
        return errno == EAGAIN || errno == EINTR;
    if (n == 0)
        return false;
    if (!http_mode)
        return send_all(c, buf, (size_t)n);
    size_t requests = count_requests(c, buf, (size_t)n);
    if (requests == 1)
        return send_all(c, response, RESPONSE_LEN);
    char *out = malloc(requests * RESPONSE_LEN + 1);
    for (size_t i = 0; i < requests; i++)
        memcpy(out + i * RESPONSE_LEN, response, RESPONSE_LEN);
    bool ok = send_all(c, out, requests * RESPONSE_LEN);
    free(out);
    return ok;
}

static void accept_all(int lfd)
{
    int fd, one = 1;
    while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
        struct client *c = calloc(1, sizeof *c);
        c->fd = fd;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        watch(c, EPOLL_CTL_ADD, EPOLLIN);
    }
}

static int usage(void)
{
    fputs("usage: ceiling_server --mode echo|http --port P (0 = any free port)\n", stderr);
    return 2;
}

int main(int argc, char **argv)
{
    const char *mode = NULL;
    int port = -1, bound;
    for (int i = 1; i + 1 < argc; i += 2) {
        char *end;
        if (!strcmp(argv[i], "--mode"))
            mode = argv[i + 1];
        else if (!strcmp(argv[i], "--port")) {
            port = (int)strtol(argv[i + 1], &end, 10);
            if (end == argv[i + 1] || *end)
                port = -1;
        } else {
            return usage();
        }
    }
    if (argc % 2 == 0 || !mode || (strcmp(mode, "echo") && strcmp(mode, "http")) || port < 0 ||
        port > 65535)
        return usage();
    http_mode = !strcmp(mode, "http");
    struct sigaction sa = {.sa_handler = on_signal};    /* no SA_RESTART: epoll_wait returns */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    int lfd = listen_on(port, &bound);
    printf("{\"ready\": true, \"port\": %d}\n", bound);
    fflush(stdout);
    epfd = epoll_create1(0);
    struct epoll_event lev = {.events = EPOLLIN, .data.ptr = NULL};
    epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &lev);
    static char buf[BUF];
    struct epoll_event events[1024];
    while (!stopping) {
        int n = epoll_wait(epfd, events, 1024, 200);
        for (int i = 0; i < n; i++) {
            struct client *c = events[i].data.ptr;
            if (!c) {
                accept_all(lfd);
                continue;
            }
            bool ok = (events[i].events & EPOLLOUT) ? flush_pending(c) : on_readable(c, buf);
            if (!ok || (events[i].events & EPOLLERR))
                drop(c);
        }
    }
    return 0;
}
