/*
 * loadgen.c - closed-loop TCP load generator for Runtime Lab (echo and HTTP/1.1).
 *
 * Build:  gcc -O2 -Wall -Wextra -pthread -o loadgen loadgen.c
 * Usage:  loadgen --mode echo|http --port P --connections C --duration S [options]
 *         (loadgen --help lists every option)
 *
 * Design
 * ------
 * Neutral and cheap: plain C, libc/POSIX/Linux only, non-blocking sockets and epoll.
 *
 *  - Workers. The C connections are split round-robin over N worker threads (default 1).
 *    A worker owns an epoll instance, its connections, its counters and its histogram;
 *    workers share nothing on the hot path except a relaxed "stop" flag. The main thread
 *    does no I/O: it samples getrusage at the edges of the recording window, enforces the
 *    hard stop, merges the workers' results and prints them.
 *
 *  - Closed loop. Each connection keeps exactly one request in flight: send it, wait for the
 *    whole response, record the latency, send the next one at once. A request costs one
 *    send() and usually one read(); epoll is level-triggered and EPOLLOUT is only watched
 *    while a send is incomplete.
 *
 *  - Echo mode. Message k of connection i is --size bytes of printable text: a header
 *    "iiiiiiii.ssssssssssss:" (connection id and sequence number in hex, when the size
 *    leaves room for it) followed by a slice of a fixed pseudo-random pattern starting at an
 *    offset derived from (i, k). Every echoed byte is compared with what was sent, so stale,
 *    mixed or corrupted data is caught. A response with any wrong byte is a "mismatch".
 *
 *  - HTTP mode. "GET <path> HTTP/1.1" with a Host header, keep-alive. The response parser is
 *    incremental: status line, headers, then a Content-Length body, a chunked body, or a body
 *    delimited by the server closing (HTTP/1.0 style). "Connection: close" is honoured by
 *    reconnecting. Status 200 is a success; anything else counts as a "status" error.
 *
 *  - Schedule, fixed when the first connect is issued (t0):
 *        [t0, t0 + warmup)                 warm-up: traffic flows, nothing is recorded
 *        [t0 + warmup, t0 + warmup + dur)  window: responses *completing* here are recorded
 *        then drain: no new requests; in-flight ones are awaited (at most 2 s); close.
 *    Errors are counted over the whole run (warm-up included, so a refused connect shows).
 *
 *  - Latency: CLOCK_MONOTONIC ns from just before send() to the read() that completes the
 *    response, into a log-linear histogram with the HdrHistogram layout: 256 sub-buckets
 *    per power of two, so each bucket is at most 1/128 (0.78 %) of its value wide; values
 *    are clamped to 1 us .. 60 s. Percentiles report the bucket midpoint (error <= 0.4 %).
 *
 *  - Failures. A broken connection is counted by kind and reopened after a backoff of 0,
 *    10, 20, 40 ms; after 5 consecutive failures without a good response in between it is
 *    given up. When every connection has been given up the server is taken for dead: the
 *    run stops at once, the JSON is printed, and the exit status is 3. Connects time out
 *    after 3 s (--connect-timeout). The main thread stops everything at
 *    warmup + duration + 5 s whatever happens.
 *
 *    A request still unanswered 2 s after the window is counted as "unanswered".
 *
 *  - Output: exactly one JSON line on stdout at the end; diagnostics (the first occurrence
 *    of each error kind, a summary) on stderr, all written before the JSON line, so that it
 *    is the last line even when both streams go to one file.
 *    Exit 0 ok, 2 bad arguments, 3 server failed, 128 + signal when interrupted.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define NS_PER_S 1000000000ULL
#define NS_PER_MS 1000000ULL
#define MAX_FAILS 5                    /* consecutive failures before a connection is given up */
#define DRAIN_NS (2 * NS_PER_S)        /* how long in-flight requests are awaited at the end */
#define HARD_STOP_NS (5 * NS_PER_S)    /* after warmup + duration, stop no matter what */
#define MAX_WAIT_MS 50                 /* longest epoll_wait, so the stop flag is seen quickly */
#define HTTP_BUF 16384                 /* per-connection buffer for headers and chunk lines */
#define SCRATCH_BUF 65536              /* per-worker read buffer in echo mode */
#define FIRST_BODY_MAX 200             /* bytes of the first response body kept for the output */
#define ECHO_HEADER_LEN 22             /* "%08x.%012x:" */
#define PATTERN_SPAN 65536             /* number of distinct start offsets in the echo pattern */
#define MAX_EVENTS 1024

/* ------------------------------------------------------------------------------------------ */
/* Configuration and argument parsing                                                           */

enum mode { MODE_ECHO, MODE_HTTP };

struct config {
    enum mode mode;
    const char *host, *path;
    int port, connections, threads;
    double duration_s, warmup_s, connect_timeout_s;
    size_t size;
    struct sockaddr_storage addr;     /* resolved once, before the clock starts */
    socklen_t addrlen;
    char *request;                    /* http: the request, shared by every connection */
    size_t request_len;
    char *pattern;                    /* echo: printable pseudo-random bytes, size + span */
    const char *expect;               /* http: every 200 response's body must be exactly this */
    size_t expect_len;
    double rate;                      /* open loop: requests/s over all connections; 0 = closed */
    uint64_t interval_ns;             /* open loop: each connection's time between sends */
};

static struct config cfg = {
    .host = "127.0.0.1", .path = "/", .port = -1, .connections = -1, .threads = 1,
    .duration_s = -1, .warmup_s = 1, .connect_timeout_s = 3, .size = 64, .mode = -1,
};

static const char usage_text[] =
    "usage: loadgen --mode echo|http --port P --connections C --duration SECONDS\n"
    "               [--host 127.0.0.1] [--warmup SECONDS (1)] [--size BYTES (64, echo)]\n"
    "               [--path / (http)] [--expect-body TEXT (http)] [--threads N (1)]\n"
    "               [--connect-timeout SECONDS (3)] [--rate REQUESTS_PER_S (open loop)]\n"
    "Prints one JSON line on stdout. Exit 0 ok, 2 bad arguments, 3 server failed.\n";

static void die_usage(const char *fmt, ...)
{
    va_list ap;
    fputs("loadgen: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs(" (loadgen --help for usage)\n", stderr);
    exit(2);
}

static long parse_long(const char *flag, const char *s, long lo, long hi)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        die_usage("%s must be an integer from %ld to %ld, got '%s'", flag, lo, hi, s);
    return v;
}

static double parse_seconds(const char *flag, const char *s, double lo, double hi)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= lo && v <= hi))
        die_usage("%s must be a number of seconds from %g to %g, got '%s'", flag, lo, hi, s);
    return v;
}

static double parse_rate(const char *s)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v > 0 && v <= 1e9))
        die_usage("--rate must be requests per second above 0, got '%s'", s);
    return v;
}

static void set_option(const char *name, const char *val)
{
    if (!strcmp(name, "mode")) {
        if (!strcmp(val, "echo")) cfg.mode = MODE_ECHO;
        else if (!strcmp(val, "http")) cfg.mode = MODE_HTTP;
        else die_usage("--mode must be echo or http, got '%s'", val);
    } else if (!strcmp(name, "host")) {
        cfg.host = val;
    } else if (!strcmp(name, "port")) {
        cfg.port = (int)parse_long("--port", val, 1, 65535);
    } else if (!strcmp(name, "connections")) {
        cfg.connections = (int)parse_long("--connections", val, 1, 100000);
    } else if (!strcmp(name, "threads")) {
        cfg.threads = (int)parse_long("--threads", val, 1, 256);
    } else if (!strcmp(name, "duration")) {
        cfg.duration_s = parse_seconds("--duration", val, 0.001, 86400);
    } else if (!strcmp(name, "warmup")) {
        cfg.warmup_s = parse_seconds("--warmup", val, 0, 86400);
    } else if (!strcmp(name, "connect-timeout")) {
        cfg.connect_timeout_s = parse_seconds("--connect-timeout", val, 0.001, 3600);
    } else if (!strcmp(name, "size")) {
        cfg.size = (size_t)parse_long("--size", val, 1, 16 << 20);
    } else if (!strcmp(name, "path")) {
        if (val[0] != '/' || strpbrk(val, " \t\r\n"))
            die_usage("--path must start with '/' and contain no blanks, got '%s'", val);
        cfg.path = val;
    } else if (!strcmp(name, "rate")) {
        cfg.rate = parse_rate(val);
    } else if (!strcmp(name, "expect-body")) {
        cfg.expect = val;
        cfg.expect_len = strlen(val);
    } else {
        die_usage("unknown option --%s", name);
    }
}

/* Accepts "--name value" and "--name=value". */
static void parse_args(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
            fputs(usage_text, stdout);
            exit(0);
        }
        if (strncmp(arg, "--", 2) != 0)
            die_usage("unexpected argument '%s'", arg);
        char name[64];
        const char *eq = strchr(arg, '='), *val;
        size_t len = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
        if (len >= sizeof name)
            die_usage("unknown option %s", arg);
        memcpy(name, arg + 2, len);
        name[len] = '\0';
        if (eq)
            val = eq + 1;
        else if (i + 1 < argc)
            val = argv[++i];
        else
            die_usage("option --%s needs a value", name);
        set_option(name, val);
    }
    if ((int)cfg.mode < 0) die_usage("--mode is required (echo or http)");
    if (cfg.port < 0) die_usage("--port is required");
    if (cfg.connections < 0) die_usage("--connections is required");
    if (cfg.duration_s < 0) die_usage("--duration is required");
    if (cfg.threads > cfg.connections)
        die_usage("--threads (%d) must not exceed --connections (%d)", cfg.threads,
                  cfg.connections);
    if (cfg.rate > 0)
        cfg.interval_ns = (uint64_t)((double)cfg.connections * 1e9 / cfg.rate);
}

static void resolve_host(void)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res;
    char port[16];
    snprintf(port, sizeof port, "%d", cfg.port);
    int rc = getaddrinfo(cfg.host, port, &hints, &res);
    if (rc != 0)
        die_usage("cannot resolve --host '%s': %s", cfg.host, gai_strerror(rc));
    memcpy(&cfg.addr, res->ai_addr, res->ai_addrlen);
    cfg.addrlen = res->ai_addrlen;
    freeaddrinfo(res);
}

static void build_http_request(void)
{
    const char *fmt = strchr(cfg.host, ':') ? "GET %s HTTP/1.1\r\nHost: [%s]:%d\r\n\r\n"
                                            : "GET %s HTTP/1.1\r\nHost: %s:%d\r\n\r\n";
    int n = snprintf(NULL, 0, fmt, cfg.path, cfg.host, cfg.port);
    cfg.request = malloc((size_t)n + 1);
    snprintf(cfg.request, (size_t)n + 1, fmt, cfg.path, cfg.host, cfg.port);
    cfg.request_len = (size_t)n;
}

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Printable pseudo-random text, so that the echoed bytes stay readable in "first_body". */
static void build_echo_pattern(void)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t len = cfg.size + PATTERN_SPAN;
    uint64_t state = 42;
    cfg.pattern = malloc(len);
    for (size_t i = 0; i < len;) {
        uint64_t r = splitmix64(&state);
        for (int k = 0; k < 10 && i < len; k++, r >>= 6)
            cfg.pattern[i++] = alphabet[r & 63];
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Time, run state, signals                                                                     */

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

static uint64_t t_begin, t_warm_end, t_end;   /* the schedule, CLOCK_MONOTONIC ns */
static atomic_int g_stop;                     /* 0 = run; else a signal number, or -1 */

static void on_signal(int sig)
{
    atomic_store(&g_stop, sig);
}

static void install_signals(void)
{
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

/* Enough descriptors for every connection, if the hard limit allows. */
static void raise_fd_limit(void)
{
    struct rlimit rl;
    rlim_t want = (rlim_t)cfg.connections + 64;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < want) {
        rl.rlim_cur = rl.rlim_max < want ? rl.rlim_max : want;
        setrlimit(RLIMIT_NOFILE, &rl);
        if (rl.rlim_cur < want)
            fprintf(stderr, "loadgen: warning: open-file limit %lu < %lu connections\n",
                    (unsigned long)rl.rlim_cur, (unsigned long)cfg.connections);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Latency histogram (HdrHistogram layout, values in ns)                                        */

#define HIST_SUB_BITS 8
#define HIST_SUB (1u << HIST_SUB_BITS)     /* 256 exact values, then 128 sub-buckets per octave */
#define HIST_HALF (HIST_SUB / 2)
#define HIST_MIN_NS 1000ULL                /* 1 us */
#define HIST_MAX_NS (60 * NS_PER_S)        /* 60 s < 2^36 ns */
#define HIST_BUCKETS ((36 - HIST_SUB_BITS + 2) * HIST_HALF)

struct hist {
    uint64_t count[HIST_BUCKETS];
    uint64_t n, sum_ns, max_ns;
};

static unsigned hist_index(uint64_t v)
{
    if (v < HIST_SUB)
        return (unsigned)v;
    unsigned shift = (unsigned)(63 - __builtin_clzll(v)) - (HIST_SUB_BITS - 1);
    return shift * HIST_HALF + (unsigned)(v >> shift);
}

/* The midpoint of bucket i. */
static uint64_t hist_value(unsigned i)
{
    if (i < HIST_SUB)
        return i;
    unsigned shift = i / HIST_HALF - 1;
    uint64_t low = (uint64_t)(i - shift * HIST_HALF) << shift;
    return low + ((1ULL << shift) >> 1);
}

static void hist_record(struct hist *h, uint64_t ns)
{
    uint64_t v = ns < HIST_MIN_NS ? HIST_MIN_NS : ns > HIST_MAX_NS ? HIST_MAX_NS : ns;
    h->count[hist_index(v)]++;
    h->n++;
    h->sum_ns += ns;
    if (ns > h->max_ns)
        h->max_ns = ns;
}

static void hist_merge(struct hist *into, const struct hist *from)
{
    for (unsigned i = 0; i < HIST_BUCKETS; i++)
        into->count[i] += from->count[i];
    into->n += from->n;
    into->sum_ns += from->sum_ns;
    if (from->max_ns > into->max_ns)
        into->max_ns = from->max_ns;
}

/* The value at rank ceil(n * per_million / 1e6), in ns: the latency at that quantile. */
static uint64_t hist_quantile(const struct hist *h, uint64_t per_million)
{
    if (h->n == 0)
        return 0;
    uint64_t rank = (h->n * per_million + 999999) / 1000000, seen = 0;
    if (rank == 0)
        rank = 1;
    for (unsigned i = 0; i < HIST_BUCKETS; i++) {
        seen += h->count[i];
        if (seen >= rank) {
            uint64_t v = hist_value(i);
            return v > h->max_ns ? h->max_ns : v;
        }
    }
    return h->max_ns;
}

static uint64_t hist_percentile(const struct hist *h, unsigned permille)
{
    return hist_quantile(h, (uint64_t)permille * 1000);
}

/* The quantiles of the latency curve in the output: enough nines to see a tail. */
static const uint64_t CURVE_PER_MILLION[] = {500000, 750000, 900000, 950000, 990000, 995000, 999000,
                                             999500, 999900, 1000000};

/* ------------------------------------------------------------------------------------------ */
/* Errors                                                                                       */

enum err { E_CONNECT, E_CONNECT_TIMEOUT, E_RESET, E_SHORT_READ, E_PROTOCOL, E_STATUS,
           E_MISMATCH, E_UNANSWERED, E_KINDS, E_NONE = E_KINDS };

static const char *const err_name[E_KINDS] = {
    "connect", "connect_timeout", "reset", "short_read", "protocol", "status", "mismatch",
    "unanswered",
};

static atomic_int err_reported[E_KINDS];   /* the first of each kind is described on stderr */

/* ------------------------------------------------------------------------------------------ */
/* Connections and workers                                                                      */

enum cstate {
    C_WAIT,        /* closed, to be (re)opened at `deadline` */
    C_CONNECTING,  /* connect() in progress, times out at `deadline` */
    C_BUSY,        /* connected, one request in flight */
    C_PACED,       /* open loop: connected and idle until its next request is due at `deadline` */
    C_DONE,        /* closed at the end of the run */
    C_DEAD,        /* given up after MAX_FAILS consecutive failures */
};

enum hstate { H_HEAD, H_BODY, H_CHUNK_SIZE, H_CHUNK_DATA, H_CHUNK_CRLF, H_TRAILER,
              H_UNTIL_EOF, H_DONE };

struct http_resp {
    char *buf;                 /* unparsed bytes: headers, chunk lines (HTTP_BUF) */
    size_t len;
    enum hstate state;
    int status;
    bool close_after;          /* "Connection: close", HTTP/1.0, or a body ended by close */
    uint64_t remaining;        /* bytes left in the body or the current chunk */
};

struct worker;

struct conn {
    struct worker *w;
    int fd, id, fails;
    enum cstate state;
    uint64_t deadline;         /* C_WAIT: reopen time; C_CONNECTING: connect timeout */
    uint64_t seq, t_sent;      /* t_sent: when the request went out, or (open loop) was due */
    uint64_t t_due;            /* open loop: when the next request is due (0: not scheduled yet) */
    const char *out;           /* the request being sent */
    size_t out_len, out_off;
    bool want_out;             /* EPOLLOUT is registered */
    size_t in_len;             /* response bytes received (echo) or body bytes (http) */
    size_t wire_in;            /* http: response bytes received, headers included */
    bool bad;                  /* echo: a byte differed */
    bool capture;              /* keep the first bytes of this response's body */
    size_t first_len;
    char first[FIRST_BODY_MAX];
    char *msg;                 /* echo: the message in flight */
    struct http_resp http;
};

struct worker {
    int id, epfd, nconns, alive;
    struct conn *conns;
    bool draining;
    uint64_t drain_deadline, next_timer;
    uint64_t requests, bytes_sent, bytes_recv;   /* recording window only */
    uint64_t requests_total, reconnects;         /* whole run */
    uint64_t errors[E_KINDS];                    /* whole run */
    char *scratch;
    pthread_t thread;
    struct hist hist;
};

/* The first complete response of the run (any worker), for "first_body". */
static atomic_int first_claimed;
static char first_body[FIRST_BODY_MAX];
static size_t first_body_len;
static uint64_t first_body_total;
static int first_status;

static void count_error(struct worker *w, enum err kind, const struct conn *c, const char *why)
{
    w->errors[kind]++;
    if (atomic_exchange(&err_reported[kind], 1) == 0)
        fprintf(stderr, "loadgen: first %s error (connection %d): %s\n", err_name[kind], c->id,
                why);
}

static void count_errno(struct worker *w, enum err kind, const struct conn *c, int e)
{
    char buf[128];
    count_error(w, kind, c, strerror_r(e, buf, sizeof buf));
}

static void watch(struct conn *c, int op, uint32_t events)
{
    struct epoll_event ev = {.events = events, .data.ptr = c};
    if (epoll_ctl(c->w->epfd, op, c->fd, &ev) < 0)
        perror("loadgen: epoll_ctl");
}

static void set_want_out(struct conn *c, bool on)
{
    if (c->want_out != on) {
        watch(c, EPOLL_CTL_MOD, EPOLLIN | (on ? EPOLLOUT : 0));
        c->want_out = on;
    }
}

static void arm_timer(struct conn *c, enum cstate state, uint64_t deadline)
{
    c->state = state;
    c->deadline = deadline;
    if (deadline < c->w->next_timer)
        c->w->next_timer = deadline;
}

static void conn_close(struct conn *c, enum cstate state)
{
    if (c->fd >= 0)
        close(c->fd);     /* also removes it from the epoll set */
    c->fd = -1;
    c->want_out = false;
    c->state = state;
}

static bool may_send(const struct worker *w, uint64_t now)
{
    return !w->draining && now < t_end;
}

static void send_request(struct conn *c, uint64_t now);

/* Closed loop: send at once. Open loop (--rate): send when the request is due, at once if it is
 * overdue; its latency is then counted from when it was due, as wrk2 does, so a stall delays
 * the requests that should have gone out during it, not just the one in flight. */
static void next_request(struct conn *c, uint64_t now)
{
    if (cfg.rate > 0) {
        if (c->t_due == 0)   /* the first: staggered over one interval, so the sends spread out */
            c->t_due = now + cfg.interval_ns * (uint64_t)c->id / (uint64_t)cfg.connections;
        if (now < c->t_due) {
            arm_timer(c, C_PACED, c->t_due);
            return;
        }
    }
    send_request(c, now);   /* which marks it busy */
}

/* After a counted failure: close, then reopen after a backoff, or give the connection up. */
static void conn_fail(struct conn *c, uint64_t now)
{
    struct worker *w = c->w;
    conn_close(c, C_DONE);
    if (++c->fails >= MAX_FAILS) {
        c->state = C_DEAD;
        w->alive--;
        return;
    }
    if (may_send(w, now))
        arm_timer(c, C_WAIT, now + (c->fails == 1 ? 0 : (10 * NS_PER_MS) << (c->fails - 2)));
}

static void flush_output(struct conn *c, uint64_t now);

/* The low 4 * digits bits of v in hex, fixed width. */
static void put_hex(char *out, uint64_t v, int digits)
{
    for (int i = digits - 1; i >= 0; i--, v >>= 4)
        out[i] = "0123456789abcdef"[v & 15];
}

static void send_request(struct conn *c, uint64_t now)
{
    c->state = C_BUSY;
    c->seq++;
    c->in_len = 0;
    c->wire_in = 0;
    c->out_off = 0;
    c->bad = false;
    c->capture = !atomic_load_explicit(&first_claimed, memory_order_relaxed);
    c->first_len = 0;
    if (cfg.mode == MODE_ECHO) {
        uint64_t state = ((uint64_t)c->id << 32) ^ c->seq;
        memcpy(c->msg, cfg.pattern + splitmix64(&state) % PATTERN_SPAN, cfg.size);
        if (cfg.size >= ECHO_HEADER_LEN) {
            put_hex(c->msg, (uint64_t)c->id, 8);
            c->msg[8] = '.';
            put_hex(c->msg + 9, c->seq, 12);
            c->msg[21] = ':';
        }
        c->out = c->msg;
        c->out_len = cfg.size;
    } else {
        c->http.state = H_HEAD;
        c->http.len = 0;
        c->http.status = 0;
        c->http.close_after = false;
        c->out = cfg.request;
        c->out_len = cfg.request_len;
    }
    c->t_sent = now;
    if (cfg.rate > 0) {
        c->t_sent = c->t_due;   /* overdue requests count their wait from when they were due */
        c->t_due += cfg.interval_ns;
    }
    flush_output(c, now);
}

static void flush_output(struct conn *c, uint64_t now)
{
    while (c->out_off < c->out_len) {
        ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
        if (n > 0) {
            c->out_off += (size_t)n;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            set_want_out(c, true);
            return;
        } else if (n < 0 && errno != EINTR) {
            count_errno(c->w, E_RESET, c, errno);
            conn_fail(c, now);
            return;
        }
    }
    set_want_out(c, false);
}

static void conn_open(struct conn *c, uint64_t now)
{
    struct worker *w = c->w;
    int one = 1;
    c->fd = socket(cfg.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0) {
        count_errno(w, E_CONNECT, c, errno);
        conn_fail(c, now);
        return;
    }
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(c->fd, (struct sockaddr *)&cfg.addr, cfg.addrlen) < 0 && errno != EINPROGRESS) {
        count_errno(w, E_CONNECT, c, errno);
        conn_fail(c, now);
        return;
    }
    watch(c, EPOLL_CTL_ADD, EPOLLOUT);    /* writable = connect finished, well or not */
    c->want_out = true;
    arm_timer(c, C_CONNECTING, now + (uint64_t)(cfg.connect_timeout_s * NS_PER_S));
}

static void connect_done(struct conn *c, uint64_t now)
{
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
        err = errno;
    if (err) {
        count_errno(c->w, E_CONNECT, c, err);
        conn_fail(c, now);
        return;
    }
    set_want_out(c, false);
    next_request(c, now);
}

/* Keeps the first bytes of the response body if this response may become "first_body". */
static void capture_body(struct conn *c, const char *p, size_t n)
{
    if (c->capture && c->first_len < FIRST_BODY_MAX) {
        size_t take = FIRST_BODY_MAX - c->first_len < n ? FIRST_BODY_MAX - c->first_len : n;
        memcpy(c->first + c->first_len, p, take);
        c->first_len += take;
    }
}

static void claim_first_body(const struct conn *c, uint64_t body_bytes)
{
    int expected = 0;
    if (c->capture && atomic_compare_exchange_strong(&first_claimed, &expected, 1)) {
        memcpy(first_body, c->first, c->first_len);
        first_body_len = c->first_len;
        first_body_total = body_bytes;
        first_status = c->http.status;
    }
}

/* A whole response has arrived: record it, then send the next request, reconnect or stop. */
static void response_done(struct conn *c, uint64_t now, enum err kind, uint64_t body_bytes,
                          uint64_t wire_bytes)
{
    struct worker *w = c->w;
    claim_first_body(c, body_bytes);
    w->requests_total++;
    if (kind != E_NONE) {
        count_error(w, kind, c, kind == E_STATUS ? "HTTP status other than 200"
                                : cfg.mode == MODE_HTTP ? "response body differs from the expected one"
                                                        : "echoed bytes differ from those sent");
    } else {
        c->fails = 0;
        if (now >= t_warm_end && now < t_end) {
            hist_record(&w->hist, now - c->t_sent);
            w->requests++;
            w->bytes_sent += c->out_len;
            w->bytes_recv += wire_bytes;
        }
    }
    if (cfg.mode == MODE_HTTP && c->http.close_after) {
        conn_close(c, C_DONE);
        if (may_send(w, now)) {
            w->reconnects++;
            arm_timer(c, C_WAIT, now);
        }
    } else if (may_send(w, now)) {
        next_request(c, now);
    } else {
        conn_close(c, C_DONE);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Echo responses                                                                               */

static void echo_readable(struct conn *c)
{
    struct worker *w = c->w;
    ssize_t n = read(c->fd, w->scratch, SCRATCH_BUF);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return;
    uint64_t now = now_ns();
    if (n <= 0) {
        if (n < 0)
            count_errno(w, E_RESET, c, errno);
        else
            count_error(w, E_SHORT_READ, c, "server closed before the whole echo arrived");
        conn_fail(c, now);
        return;
    }
    if ((size_t)n > cfg.size - c->in_len || c->in_len + (size_t)n > c->out_off) {
        count_error(w, E_PROTOCOL, c, "server sent more bytes than were sent to it");
        conn_fail(c, now);
        return;
    }
    if (memcmp(w->scratch, c->msg + c->in_len, (size_t)n) != 0)
        c->bad = true;
    capture_body(c, w->scratch, (size_t)n);
    c->in_len += (size_t)n;
    if (c->in_len == cfg.size)
        response_done(c, now, c->bad ? E_MISMATCH : E_NONE, cfg.size, cfg.size);
}

/* ------------------------------------------------------------------------------------------ */
/* HTTP responses                                                                               */

static bool name_is(const char *name, size_t len, const char *want)
{
    return strlen(want) == len && strncasecmp(name, want, len) == 0;
}

static bool value_has(const char *v, size_t len, const char *token)
{
    size_t tl = strlen(token);
    for (size_t i = 0; i + tl <= len; i++)
        if (strncasecmp(v + i, token, tl) == 0)
            return true;
    return false;
}

static bool parse_u64(const char *p, size_t len, int base, uint64_t *out)
{
    uint64_t v = 0;
    size_t i = 0;
    for (; i < len; i++) {
        int d;
        char ch = p[i];
        if (ch >= '0' && ch <= '9') d = ch - '0';
        else if (base == 16 && ch >= 'a' && ch <= 'f') d = ch - 'a' + 10;
        else if (base == 16 && ch >= 'A' && ch <= 'F') d = ch - 'A' + 10;
        else break;
        if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
            return false;
        v = v * (uint64_t)base + (uint64_t)d;
    }
    *out = v;
    return i > 0;
}

static bool is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

/* The status line and headers in [p, end), where end is just past the blank line. */
static bool http_parse_head(struct http_resp *r, const char *p, const char *end)
{
    if (end - p < 16 || memcmp(p, "HTTP/1.", 7) || !is_digit(p[7]) || p[8] != ' ' ||
        !is_digit(p[9]) || !is_digit(p[10]) || !is_digit(p[11]) || (p[12] != ' ' && p[12] != '\r'))
        return false;
    bool http10 = p[7] == '0', chunked = false, has_len = false, close = false, keep = false;
    uint64_t length = 0;
    r->status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
    for (const char *line = (const char *)memchr(p, '\n', (size_t)(end - p)) + 1; line < end;) {
        const char *eol = memchr(line, '\n', (size_t)(end - line));
        size_t n = (size_t)(eol - line) - (eol > line && eol[-1] == '\r');
        const char *colon = memchr(line, ':', n);
        if (n > 0 && !colon)
            return false;
        if (n > 0) {
            size_t name_len = (size_t)(colon - line);
            const char *v = colon + 1, *vend = line + n;
            while (v < vend && (*v == ' ' || *v == '\t'))
                v++;
            size_t vlen = (size_t)(vend - v);
            if (name_is(line, name_len, "content-length")) {
                if (!parse_u64(v, vlen, 10, &length))
                    return false;
                has_len = true;
            } else if (name_is(line, name_len, "transfer-encoding")) {
                chunked = value_has(v, vlen, "chunked");
            } else if (name_is(line, name_len, "connection")) {
                close = value_has(v, vlen, "close");
                keep = value_has(v, vlen, "keep-alive");
            }
        }
        line = eol + 1;
    }
    r->close_after = close || (http10 && !keep);
    if (r->status < 200)                   /* we never ask for 1xx */
        return false;
    if (r->status == 204 || r->status == 304) {
        r->state = H_DONE;
    } else if (chunked) {
        r->state = H_CHUNK_SIZE;
    } else if (has_len) {
        r->remaining = length;
        r->state = length ? H_BODY : H_DONE;
    } else {
        r->state = H_UNTIL_EOF;
        r->close_after = true;
    }
    return true;
}

/* A chunk-size line or a trailer line ending at eol. */
static bool http_parse_line(struct http_resp *r, const char *p, const char *eol)
{
    if (r->state == H_TRAILER) {
        if (eol == p)
            r->state = H_DONE;
        return true;
    }
    uint64_t size;
    if (!parse_u64(p, (size_t)(eol - p), 16, &size))
        return false;
    r->remaining = size;
    r->state = size ? H_CHUNK_DATA : H_TRAILER;
    return true;
}

/* Body bytes: count them, keep the first ones; returns how many were taken. */
static size_t http_body(struct conn *c, const char *p, size_t avail)
{
    struct http_resp *r = &c->http;
    size_t take = avail;
    if (r->state != H_UNTIL_EOF && r->remaining < take)
        take = (size_t)r->remaining;
    capture_body(c, p, take);
    if (cfg.expect && (c->in_len + take > cfg.expect_len || memcmp(cfg.expect + c->in_len, p, take) != 0))
        c->bad = true;
    c->in_len += take;
    if (r->state != H_UNTIL_EOF) {
        r->remaining -= take;
        if (r->remaining == 0)
            r->state = r->state == H_BODY ? H_DONE : H_CHUNK_CRLF;
    }
    return take;
}

/* One parsing step at p; returns bytes consumed, 0 when more input is needed, -1 on error. */
static long http_step(struct conn *c, const char *p, size_t avail)
{
    struct http_resp *r = &c->http;
    const char *e;
    switch (r->state) {
    case H_HEAD:
        e = memmem(p, avail, "\r\n\r\n", 4);
        if (!e)
            return avail >= HTTP_BUF - 1 ? -1 : 0;
        return http_parse_head(r, p, e + 4) ? (long)(e + 4 - p) : -1;
    case H_CHUNK_SIZE:
    case H_TRAILER:
        e = memmem(p, avail, "\r\n", 2);
        if (!e)
            return avail > 1024 ? -1 : 0;
        return http_parse_line(r, p, e) ? (long)(e + 2 - p) : -1;
    case H_CHUNK_CRLF:
        if (avail < 2)
            return 0;
        r->state = H_CHUNK_SIZE;
        return p[0] == '\r' && p[1] == '\n' ? 2 : -1;
    case H_BODY:
    case H_CHUNK_DATA:
    case H_UNTIL_EOF:
        return (long)http_body(c, p, avail);
    case H_DONE:
        return -1;        /* bytes after a complete response: we never pipeline */
    }
    return -1;
}

/* Parses what is buffered; returns 1 when the response is complete, 0 if not yet, -1 on error. */
static int http_consume(struct conn *c)
{
    struct http_resp *r = &c->http;
    size_t pos = 0;
    int rc = 0;
    while (rc == 0) {
        if (r->state == H_DONE && pos == r->len) {
            rc = 1;
            break;
        }
        if (pos == r->len)
            break;
        long n = http_step(c, r->buf + pos, r->len - pos);
        if (n < 0)
            rc = -1;
        else if (n == 0)
            break;
        pos += (size_t)n;
    }
    memmove(r->buf, r->buf + pos, r->len - pos);
    r->len -= pos;
    return rc;
}

/* A complete response: a status other than 200, a body other than --expect-body, or fine. */
static enum err http_outcome(const struct conn *c)
{
    if (c->http.status != 200)
        return E_STATUS;
    if (cfg.expect && (c->bad || c->in_len != cfg.expect_len))
        return E_MISMATCH;
    return E_NONE;
}

static void http_readable(struct conn *c)
{
    struct worker *w = c->w;
    struct http_resp *r = &c->http;
    ssize_t n = read(c->fd, r->buf + r->len, HTTP_BUF - r->len);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return;
    uint64_t now = now_ns();
    if (n < 0) {
        count_errno(w, E_RESET, c, errno);
        conn_fail(c, now);
        return;
    }
    if (n == 0) {
        if (r->state == H_UNTIL_EOF && r->len == 0) {
            response_done(c, now, http_outcome(c), c->in_len, c->wire_in);
            return;
        }
        count_error(w, E_SHORT_READ, c, "server closed before the whole response arrived");
        conn_fail(c, now);
        return;
    }
    r->len += (size_t)n;
    c->wire_in += (size_t)n;
    int rc = http_consume(c);
    if (rc < 0) {
        count_error(w, E_PROTOCOL, c, "malformed or unexpected HTTP response");
        conn_fail(c, now);
    } else if (rc > 0) {
        response_done(c, now, http_outcome(c), c->in_len, c->wire_in);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Worker loop                                                                                  */

static void conn_event(struct conn *c, uint32_t events)
{
    if (c->state == C_CONNECTING) {
        connect_done(c, now_ns());
        return;
    }
    if (c->state == C_PACED && (events & (EPOLLIN | EPOLLERR | EPOLLHUP))) {
        conn_close(c, C_DONE);            /* the server closed an idle connection: reopen it */
        if (may_send(c->w, now_ns()))
            arm_timer(c, C_WAIT, now_ns());
        return;
    }
    if (c->state != C_BUSY)
        return;
    if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
        if (cfg.mode == MODE_ECHO)
            echo_readable(c);
        else
            http_readable(c);
    }
    if (c->state == C_BUSY && (events & EPOLLOUT) && c->out_off < c->out_len)
        flush_output(c, now_ns());
}

/* Reopens connections whose backoff is over, fails those whose connect timed out. */
static void run_timers(struct worker *w, uint64_t now)
{
    w->next_timer = UINT64_MAX;
    for (int i = 0; i < w->nconns; i++) {
        struct conn *c = &w->conns[i];
        if (c->state == C_WAIT && now >= c->deadline) {
            conn_open(c, now);
        } else if (c->state == C_PACED && now >= c->deadline) {
            if (may_send(w, now))
                send_request(c, now);
            else
                conn_close(c, C_DONE);
        } else if (c->state == C_CONNECTING && now >= c->deadline) {
            count_error(w, E_CONNECT_TIMEOUT, c, "connect timed out");
            conn_fail(c, now);
        }
        if ((c->state == C_WAIT || c->state == C_CONNECTING || c->state == C_PACED) && c->deadline < w->next_timer)
            w->next_timer = c->deadline;
    }
}

/* End of the window: no new requests; connections not mid-request are closed now. */
static void start_drain(struct worker *w, uint64_t now)
{
    w->draining = true;
    w->drain_deadline = now + DRAIN_NS;
    for (int i = 0; i < w->nconns; i++) {
        struct conn *c = &w->conns[i];
        if (c->state == C_WAIT || c->state == C_CONNECTING || c->state == C_PACED)
            conn_close(c, C_DONE);
    }
}

static bool any_busy(const struct worker *w)
{
    for (int i = 0; i < w->nconns; i++)
        if (w->conns[i].state == C_BUSY)
            return true;
    return false;
}

/* The drain timed out: requests still in flight were never answered. */
static void count_unanswered(struct worker *w)
{
    for (int i = 0; i < w->nconns; i++)
        if (w->conns[i].state == C_BUSY)
            count_error(w, E_UNANSWERED, &w->conns[i],
                        "no response by 2 s after the end of the window");
}

/* How long epoll may wait: until the next timer or the end, at most MAX_WAIT_MS. In nanoseconds
 * (epoll_pwait2), since an open-loop send due in 300 us must not go out a millisecond late. */
static struct timespec wait_for(const struct worker *w, uint64_t now)
{
    uint64_t deadline = w->draining ? w->drain_deadline : t_end;
    if (w->next_timer < deadline)
        deadline = w->next_timer;
    uint64_t ns = deadline <= now ? 0 : deadline - now;
    if (ns > (uint64_t)MAX_WAIT_MS * NS_PER_MS)
        ns = (uint64_t)MAX_WAIT_MS * NS_PER_MS;
    struct timespec t = { (time_t)(ns / NS_PER_S), (long)(ns % NS_PER_S) };
    return t;
}

static pthread_mutex_t done_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t done_cond;
static int workers_done;

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct epoll_event events[MAX_EVENTS];
    int max_events = w->nconns < MAX_EVENTS ? w->nconns : MAX_EVENTS;
    for (int i = 0; i < w->nconns; i++)
        conn_open(&w->conns[i], now_ns());
    while (!atomic_load_explicit(&g_stop, memory_order_relaxed) && w->alive > 0) {
        uint64_t now = now_ns();
        if (!w->draining && now >= t_end)
            start_drain(w, now);
        if (w->draining && now >= w->drain_deadline)
            count_unanswered(w);
        if (w->draining && (now >= w->drain_deadline || !any_busy(w)))
            break;
        if (now >= w->next_timer)
            run_timers(w, now);
        struct timespec timeout = wait_for(w, now);
        int n = epoll_pwait2(w->epfd, events, max_events, &timeout, NULL);
        if (n < 0 && errno != EINTR) {
            perror("loadgen: epoll_pwait2");
            break;
        }
        for (int i = 0; i < n; i++)
            conn_event(events[i].data.ptr, events[i].events);
    }
    for (int i = 0; i < w->nconns; i++)
        if (w->conns[i].fd >= 0)
            conn_close(&w->conns[i], C_DONE);
    pthread_mutex_lock(&done_lock);
    workers_done++;
    pthread_cond_signal(&done_cond);
    pthread_mutex_unlock(&done_lock);
    return NULL;
}

static struct worker *make_worker(int id)
{
    struct worker *w = calloc(1, sizeof *w);
    if (!w || (w->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0) {
        perror("loadgen: epoll_create1");
        exit(1);
    }
    w->id = id;
    w->nconns = cfg.connections / cfg.threads + (id < cfg.connections % cfg.threads);
    w->alive = w->nconns;
    w->next_timer = UINT64_MAX;
    w->conns = calloc((size_t)w->nconns, sizeof *w->conns);
    w->scratch = malloc(SCRATCH_BUF);
    for (int i = 0; i < w->nconns; i++) {
        struct conn *c = &w->conns[i];
        c->w = w;
        c->fd = -1;
        c->id = id + i * cfg.threads;      /* connection ids are dealt round-robin */
        if (cfg.mode == MODE_ECHO)
            c->msg = malloc(cfg.size);
        else
            c->http.buf = malloc(HTTP_BUF);
    }
    return w;
}

static void free_worker(struct worker *w)
{
    for (int i = 0; i < w->nconns; i++) {
        free(w->conns[i].msg);
        free(w->conns[i].http.buf);
    }
    close(w->epfd);
    free(w->conns);
    free(w->scratch);
    free(w);
}

/* ------------------------------------------------------------------------------------------ */
/* Supervisor: schedule, CPU sampling, hard stop                                               */

/* Sleeps until `deadline` or until every worker has finished; returns true in the latter case. */
static bool wait_workers(uint64_t deadline)
{
    pthread_mutex_lock(&done_lock);
    while (workers_done < cfg.threads && now_ns() < deadline) {
        struct timespec ts = {.tv_sec = (time_t)(deadline / NS_PER_S),
                              .tv_nsec = (long)(deadline % NS_PER_S)};
        pthread_cond_timedwait(&done_cond, &done_lock, &ts);
    }
    bool all = workers_done == cfg.threads;
    pthread_mutex_unlock(&done_lock);
    return all;
}

static double cpu_seconds(const struct timeval *tv)
{
    return (double)tv->tv_sec + (double)tv->tv_usec / 1e6;
}

struct outcome {
    uint64_t window_ns;
    double cpu_user_s, cpu_sys_s;
    bool hard_stopped;
};

static struct outcome supervise(struct worker **workers)
{
    struct outcome out = {0};
    struct rusage r0, r1;
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&done_cond, &attr);

    t_begin = now_ns();
    t_warm_end = t_begin + (uint64_t)(cfg.warmup_s * NS_PER_S);
    t_end = t_warm_end + (uint64_t)(cfg.duration_s * NS_PER_S);
    for (int i = 0; i < cfg.threads; i++)
        pthread_create(&workers[i]->thread, NULL, worker_main, workers[i]);

    if (!wait_workers(t_warm_end)) {          /* else it all ended during warm-up */
        getrusage(RUSAGE_SELF, &r0);
        wait_workers(t_end);
        getrusage(RUSAGE_SELF, &r1);
        uint64_t t1 = now_ns();
        out.window_ns = (t1 < t_end ? t1 : t_end) - t_warm_end;
        out.cpu_user_s = cpu_seconds(&r1.ru_utime) - cpu_seconds(&r0.ru_utime);
        out.cpu_sys_s = cpu_seconds(&r1.ru_stime) - cpu_seconds(&r0.ru_stime);
    }

    uint64_t hard = t_end + HARD_STOP_NS;
    if (!wait_workers(hard - HARD_STOP_NS / 10)) {
        atomic_store(&g_stop, -1);
        out.hard_stopped = !wait_workers(hard);
    }
    if (!out.hard_stopped)
        for (int i = 0; i < cfg.threads; i++)
            pthread_join(workers[i]->thread, NULL);
    return out;
}

/* ------------------------------------------------------------------------------------------ */
/* Report                                                                                       */

/* The length of the well-formed UTF-8 sequence at p (of at most len bytes), or 0. */
static size_t utf8_len(const unsigned char *p, size_t len)
{
    unsigned c = p[0], lo = 0x80, hi = 0xBF;    /* the allowed range of the second byte */
    size_t n = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3
             : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    if (n == 0 || n > len)
        return 0;
    if (c == 0xE0)
        lo = 0xA0;      /* no overlong forms */
    else if (c == 0xED)
        hi = 0x9F;      /* no surrogates */
    else if (c == 0xF0)
        lo = 0x90;
    else if (c == 0xF4)
        hi = 0x8F;      /* nothing above U+10FFFF */
    if (p[1] < lo || p[1] > hi)
        return 0;
    for (size_t k = 2; k < n; k++)
        if ((p[k] & 0xC0) != 0x80)
            return 0;
    return n;
}

/* A JSON string: valid UTF-8 passes through, other bytes become U+FFFD. */
static void json_string(FILE *f, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    fputc('"', f);
    for (size_t i = 0; i < len; i++) {
        unsigned ch = p[i];
        size_t n;
        if (ch == '"' || ch == '\\') {
            fprintf(f, "\\%c", ch);
        } else if (ch == '\n') {
            fputs("\\n", f);
        } else if (ch == '\r') {
            fputs("\\r", f);
        } else if (ch == '\t') {
            fputs("\\t", f);
        } else if (ch < 0x20 || ch == 0x7f) {
            fprintf(f, "\\u%04x", ch);
        } else if (ch < 0x80) {
            fputc((int)ch, f);
        } else if ((n = utf8_len(p + i, len - i)) > 0) {
            fwrite(p + i, 1, n, f);
            i += n - 1;
        } else {
            fputs("\\ufffd", f);
        }
    }
    fputc('"', f);
}

struct totals {
    struct hist hist;
    uint64_t requests, requests_total, bytes_sent, bytes_recv, reconnects, errors[E_KINDS];
    int lost;
};

static void sum_workers(struct worker **workers, struct totals *t)
{
    memset(t, 0, sizeof *t);
    for (int i = 0; i < cfg.threads; i++) {
        const struct worker *w = workers[i];
        hist_merge(&t->hist, &w->hist);
        t->requests += w->requests;
        t->requests_total += w->requests_total;
        t->bytes_sent += w->bytes_sent;
        t->bytes_recv += w->bytes_recv;
        t->reconnects += w->reconnects;
        t->lost += w->nconns - w->alive;
        for (int k = 0; k < E_KINDS; k++)
            t->errors[k] += w->errors[k];
    }
}

static double us(uint64_t ns)
{
    return (double)ns / 1e3;
}

static void print_json(const struct totals *t, const struct outcome *o, const char *status)
{
    double secs = (double)o->window_ns / 1e9;
    const struct hist *h = &t->hist;
    printf("{\"mode\":\"%s\",\"host\":", cfg.mode == MODE_ECHO ? "echo" : "http");
    json_string(stdout, cfg.host, strlen(cfg.host));
    printf(",\"port\":%d,\"connections\":%d,\"threads\":%d,", cfg.port, cfg.connections,
           cfg.threads);
    if (cfg.mode == MODE_ECHO) {
        printf("\"size\":%zu,", cfg.size);
    } else {
        fputs("\"path\":", stdout);
        json_string(stdout, cfg.path, strlen(cfg.path));
        fputc(',', stdout);
    }
    printf("\"target_rps\":%.1f,", cfg.rate);
    printf("\"warmup_s\":%.3f,\"duration_s\":%.6f,\"requests\":%llu,\"requests_per_s\":%.1f,"
           "\"bytes_per_s\":%.1f,\"bytes_sent\":%llu,\"bytes_received\":%llu,",
           cfg.warmup_s, secs, (unsigned long long)t->requests,
           secs > 0 ? (double)t->requests / secs : 0.0,
           secs > 0 ? (double)(t->bytes_sent + t->bytes_recv) / secs : 0.0,
           (unsigned long long)t->bytes_sent, (unsigned long long)t->bytes_recv);
    printf("\"latency_us\":{\"p50\":%.1f,\"p90\":%.1f,\"p99\":%.1f,\"p999\":%.1f,\"max\":%.1f,"
           "\"mean\":%.1f},",
           us(hist_percentile(h, 500)), us(hist_percentile(h, 900)),
           us(hist_percentile(h, 990)), us(hist_percentile(h, 999)), us(h->max_ns),
           h->n ? us(h->sum_ns) / (double)h->n : 0.0);
    fputs("\"latency_curve_us\":[", stdout);
    for (size_t i = 0; i < sizeof CURVE_PER_MILLION / sizeof *CURVE_PER_MILLION; i++)
        printf("%s[%.4f,%.1f]", i ? "," : "", (double)CURVE_PER_MILLION[i] / 1e6,
               us(CURVE_PER_MILLION[i] == 1000000 ? h->max_ns : hist_quantile(h, CURVE_PER_MILLION[i])));
    fputs("],", stdout);
    fputs("\"errors\":{", stdout);
    for (int k = 0; k < E_KINDS; k++)
        printf("%s\"%s\":%llu", k ? "," : "", err_name[k], (unsigned long long)t->errors[k]);
    printf("},\"connections_lost\":%d,\"reconnects\":%llu,\"requests_total\":%llu,", t->lost,
           (unsigned long long)t->reconnects, (unsigned long long)t->requests_total);
    if (cfg.mode == MODE_HTTP)
        printf("\"first_status\":%d,", first_status);
    fputs("\"first_body\":", stdout);
    json_string(stdout, first_body, first_body_len);
    printf(",\"first_body_bytes\":%llu,\"cpu_user_s\":%.3f,\"cpu_sys_s\":%.3f,"
           "\"cpu_util\":%.3f,\"status\":\"%s\"}\n",
           (unsigned long long)first_body_total, o->cpu_user_s, o->cpu_sys_s,
           secs > 0 ? (o->cpu_user_s + o->cpu_sys_s) / secs : 0.0, status);
    fflush(stdout);
}

/* One human-readable line on stderr. */
static void print_summary(const struct totals *t, const struct outcome *o, const char *status)
{
    uint64_t errors = 0;
    for (int k = 0; k < E_KINDS; k++)
        errors += t->errors[k];
    fprintf(stderr, "loadgen: %s: %llu requests in %.2fs, %.0f/s, p99 %.1fus, %llu errors\n",
            status, (unsigned long long)t->requests, (double)o->window_ns / 1e9,
            o->window_ns ? (double)t->requests * 1e9 / (double)o->window_ns : 0.0,
            us(hist_percentile(&t->hist, 990)), (unsigned long long)errors);
}

/* The status word and the exit code. */
static int verdict(const struct totals *t, const struct outcome *o, const char **status)
{
    int sig = atomic_load(&g_stop);
    if (sig > 0) {
        *status = "interrupted";
        return 128 + sig;
    }
    if (o->hard_stopped || sig < 0) {
        *status = "hard_stop";
        return 3;
    }
    if (t->lost == cfg.connections) {
        *status = "server_failed";
        return 3;
    }
    if (t->requests == 0) {
        *status = "no_responses";
        return 3;
    }
    *status = "ok";
    return 0;
}

int main(int argc, char **argv)
{
    parse_args(argc, argv);
    resolve_host();
    if (cfg.mode == MODE_HTTP)
        build_http_request();
    else
        build_echo_pattern();
    install_signals();
    raise_fd_limit();

    struct worker **workers = calloc((size_t)cfg.threads, sizeof *workers);
    for (int i = 0; i < cfg.threads; i++)
        workers[i] = make_worker(i);
    fprintf(stderr, "loadgen: %s %s:%d, %d connections on %d thread(s), warm-up %gs, "
            "duration %gs\n", cfg.mode == MODE_ECHO ? "echo" : "http", cfg.host, cfg.port,
            cfg.connections, cfg.threads, cfg.warmup_s, cfg.duration_s);

    struct outcome o = supervise(workers);
    struct totals t;
    const char *status;
    sum_workers(workers, &t);
    int code = verdict(&t, &o, &status);
    print_summary(&t, &o, status);
    print_json(&t, &o, status);      /* last, so it is also the last line of stdout + stderr */
    if (o.hard_stopped)
        _exit(code);      /* a worker is still running: do not wait for it */
    for (int i = 0; i < cfg.threads; i++)
        free_worker(workers[i]);
    free(workers);
    free(cfg.request);
    free(cfg.pattern);
    return code;
}
