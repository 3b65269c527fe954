/* pv-ws-bridge: lets a browser (the phone app) talk to simulated locks. Each WebSocket
 * connection to /lock/<id> becomes one Unix-socket radio connection to that lock's
 * `portvakt lock-serve`; each binary message is one radio frame, both ways. Every frame
 * from the browser is decoded strictly (ws.h) and refused with a close code before any
 * byte reaches the lock. Usage: see usage() below. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "portvakt/sim.h"
#include "ws.h"

#define MAX_LOCKS 64
#define MAX_SESSIONS 8
#define HANDSHAKE_MS 5000u
#define IDLE_MS 30000u

typedef struct route { uint32_t lock_id; const char *path; } route;

typedef struct session {
    int ws, lock;          /* -1 when closed */
    int open;              /* handshake done */
    uint32_t lock_id;
    uint64_t last_ms;
    size_t inlen;
    uint8_t in[PV_WS_REQUEST_MAX + PV_WS_HEADER_MAX + PV_WS_PAYLOAD_MAX];
} session;

static route routes[MAX_LOCKS];
static size_t nroutes;
static const char *allowed_origin;
static session sessions[MAX_SESSIONS];
static pv_ws_frame frame; /* one decoded frame at a time: too big for the stack */
static volatile sig_atomic_t stop;

static void on_signal(int sig) { (void)sig; stop = 1; }

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int send_all(int fd, const void *p, size_t n)
{
    const uint8_t *b = p;
    while (n > 0) {
        ssize_t w = send(fd, b, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        b += w;
        n -= (size_t)w;
    }
    return 0;
}

static void end_session(session *s, const char *why)
{
    if (s->ws >= 0) {
        printf("ws-bridge: lock %u: connection closed (%s)\n", s->lock_id, why);
        fflush(stdout);
        close(s->ws);
    }
    if (s->lock >= 0)
        close(s->lock);
    s->ws = s->lock = -1;
    s->open = 0;
    s->inlen = 0;
}

/* A close frame with status and a short reason, then the end of the session. */
static void ws_close(session *s, uint16_t code, const char *reason)
{
    uint8_t p[125], out[130];
    size_t rn = strlen(reason) < sizeof p - 2 ? strlen(reason) : sizeof p - 2;
    p[0] = (uint8_t)(code >> 8);
    p[1] = (uint8_t)code;
    memcpy(p + 2, reason, rn);
    size_t n = pv_ws_encode(PV_WS_OP_CLOSE, p, rn + 2, out, sizeof out);
    if (n)
        (void)send_all(s->ws, out, n);
    end_session(s, reason);
}

static void http_refuse(session *s, const char *status, const char *text)
{
    char buf[512];
    int n = snprintf(buf, sizeof buf,
                     "HTTP/1.1 %s\r\nContent-Type: text/plain; charset=utf-8\r\n"
                     "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
                     status, strlen(text), text);
    if (n > 0 && (size_t)n < sizeof buf)
        (void)send_all(s->ws, buf, (size_t)n);
    end_session(s, text);
}

static const route *route_for(const char *path)
{
    if (strncmp(path, "/lock/", 6) != 0)
        return NULL;
    char *end = NULL;
    errno = 0;
    unsigned long id = strtoul(path + 6, &end, 10);
    if (errno || end == path + 6 || *end != '\0' || path[6] == '0' || id > UINT32_MAX)
        return NULL;
    for (size_t i = 0; i < nroutes; i++)
        if (routes[i].lock_id == id)
            return &routes[i];
    return NULL;
}

/* Opening handshake; returns 1 when the session is open, 0 to wait, -1 when ended. */
static int on_handshake(session *s)
{
    pv_ws_request r;
    size_t used = 0;
    pv_ws_hs_rc rc = pv_ws_handshake_parse((const char *)s->in, s->inlen, &r, &used);
    if (rc == PV_WS_HS_NEED_MORE)
        return 0;
    if (rc == PV_WS_HS_TOO_BIG)
        return http_refuse(s, "431 Request Header Fields Too Large", "request too large\n"), -1;
    if (rc == PV_WS_HS_VERSION)
        return http_refuse(s, "426 Upgrade Required", "WebSocket version 13 only\n"), -1;
    if (rc != PV_WS_HS_OK)
        return http_refuse(s, "400 Bad Request", "not a WebSocket upgrade\n"), -1;
    if (allowed_origin && strcmp(r.origin, allowed_origin) != 0)
        return http_refuse(s, "403 Forbidden", "origin not allowed\n"), -1;
    const route *rt = route_for(r.path);
    if (!rt)
        return http_refuse(s, "404 Not Found", "no such lock on this bridge\n"), -1;
    pv_sim_radio radio;
    if (pv_sim_sock_connect(rt->path, &radio) != PV_OK)
        return http_refuse(s, "502 Bad Gateway", "the lock does not answer\n"), -1;
    s->lock = radio.fd;
    s->lock_id = rt->lock_id;
    char ans[256];
    size_t n = pv_ws_handshake_accept(&r, ans, sizeof ans);
    if (n == 0 || send_all(s->ws, ans, n) != 0)
        return end_session(s, "handshake answer failed"), -1;
    memmove(s->in, s->in + used, s->inlen - used);
    s->inlen -= used;
    s->open = 1;
    printf("ws-bridge: lock %u: connected\n", s->lock_id);
    fflush(stdout);
    return 1;
}

/* Every complete frame in the buffer: binary to the lock, ping answered, close ended. */
static void on_frames(session *s)
{
    while (s->ws >= 0) {
        size_t used = 0;
        pv_ws_rc rc = pv_ws_decode(s->in, s->inlen, &frame, &used);
        if (rc == PV_WS_NEED_MORE)
            return;
        if (rc != PV_WS_OK) {
            ws_close(s, pv_ws_close_code(rc), rc == PV_WS_E_TOO_BIG
                                                  ? "message larger than any radio frame"
                                                  : "malformed WebSocket frame");
            return;
        }
        memmove(s->in, s->in + used, s->inlen - used);
        s->inlen -= used;
        if (frame.opcode == PV_WS_OP_CLOSE) {
            ws_close(s, 1000, "closed by the phone");
            return;
        }
        if (frame.opcode == PV_WS_OP_PING) {
            uint8_t out[PV_WS_HEADER_MAX + 125];
            size_t n = pv_ws_encode(PV_WS_OP_PONG, frame.payload, frame.len, out, sizeof out);
            if (n == 0 || send_all(s->ws, out, n) != 0)
                return end_session(s, "write to phone failed");
        } else if (frame.opcode == PV_WS_OP_BINARY) {
            if (frame.len == 0 || pv_sim_frame_write(s->lock, frame.payload, frame.len) != PV_OK)
                return ws_close(s, frame.len == 0 ? 1003 : 1011,
                                frame.len == 0 ? "empty radio frame" : "the lock hung up");
        }
    }
}

static void on_ws_readable(session *s)
{
    size_t cap = sizeof s->in - s->inlen;
    ssize_t r = recv(s->ws, s->in + s->inlen, cap, 0);
    if (r <= 0)
        return end_session(s, r == 0 ? "phone hung up" : "read error");
    s->inlen += (size_t)r;
    s->last_ms = now_ms();
    if (!s->open && on_handshake(s) <= 0)
        return;
    on_frames(s);
}

static void on_lock_readable(session *s)
{
    static uint8_t buf[PV_MSG_MAX], out[PV_MSG_MAX + PV_WS_HEADER_MAX];
    size_t len = 0;
    if (pv_sim_frame_read(s->lock, buf, sizeof buf, &len, 1000) != PV_OK)
        return ws_close(s, 1000, "the lock ended the session");
    size_t n = pv_ws_encode(PV_WS_OP_BINARY, buf, len, out, sizeof out);
    if (n == 0 || send_all(s->ws, out, n) != 0)
        return end_session(s, "write to phone failed");
    s->last_ms = now_ms();
}

static void on_accept(int lfd)
{
    int fd = accept(lfd, NULL, NULL);
    if (fd < 0)
        return;
    for (size_t i = 0; i < MAX_SESSIONS; i++) {
        if (sessions[i].ws < 0) {
            sessions[i].ws = fd;
            sessions[i].lock_id = 0;
            sessions[i].last_ms = now_ms();
            return;
        }
    }
    session busy = {.ws = fd, .lock = -1};
    http_refuse(&busy, "503 Service Unavailable", "bridge busy: try again\n");
}

static void expire(uint64_t t)
{
    for (size_t i = 0; i < MAX_SESSIONS; i++) {
        session *s = &sessions[i];
        if (s->ws < 0)
            continue;
        if (!s->open && t - s->last_ms > HANDSHAKE_MS)
            end_session(s, "handshake too slow");
        else if (s->open && t - s->last_ms > IDLE_MS)
            ws_close(s, 1001, "idle");
    }
}

static int serve(int lfd)
{
    while (!stop) {
        struct pollfd p[1 + 2 * MAX_SESSIONS];
        session *who[1 + 2 * MAX_SESSIONS];
        size_t n = 0;
        p[n++] = (struct pollfd){.fd = lfd, .events = POLLIN};
        for (size_t i = 0; i < MAX_SESSIONS; i++) {
            if (sessions[i].ws >= 0) {
                who[n] = &sessions[i];
                p[n++] = (struct pollfd){.fd = sessions[i].ws, .events = POLLIN};
            }
            if (sessions[i].lock >= 0) {
                who[n] = &sessions[i];
                p[n++] = (struct pollfd){.fd = sessions[i].lock, .events = POLLIN};
            }
        }
        if (poll(p, n, 500) < 0 && errno != EINTR)
            return 1;
        if (p[0].revents & POLLIN)
            on_accept(lfd);
        for (size_t i = 1; i < n; i++) {
            session *s = who[i];
            if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            if (p[i].fd == s->ws)
                on_ws_readable(s);
            else if (p[i].fd == s->lock && s->ws >= 0)
                on_lock_readable(s);
        }
        expire(now_ms());
    }
    return 0;
}

static int listen_on(const char *addr, const char *port_file)
{
    char host[64];
    const char *colon = strrchr(addr, ':');
    if (!colon || (size_t)(colon - addr) >= sizeof host)
        return -1;
    memcpy(host, addr, (size_t)(colon - addr));
    host[colon - addr] = '\0';
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(colon + 1))};
    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
        return -1;
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    if (fd < 0)
        return -1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    socklen_t sl = sizeof sa;
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 16) != 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &sl) != 0) {
        close(fd);
        return -1;
    }
    printf("ws-bridge: listening on ws://%s:%u/lock/<id>\n", host, ntohs(sa.sin_port));
    fflush(stdout);
    if (port_file) {
        FILE *f = fopen(port_file, "w");
        if (!f || fprintf(f, "%u\n", ntohs(sa.sin_port)) < 0 || fclose(f) != 0) {
            close(fd);
            return -1;
        }
    }
    return fd;
}

static int usage(void)
{
    fprintf(stderr, "usage: pv-ws-bridge --listen 127.0.0.1:PORT --lock ID=SOCKET "
                    "[--lock ID=SOCKET ...] [--origin ORIGIN] [--port-file FILE]\n"
                    "  each --lock names a `portvakt lock-serve` socket; a browser opens\n"
                    "  ws://HOST:PORT/lock/ID. --origin: only pages from ORIGIN may connect.\n");
    return 2;
}

static int add_route(char *spec)
{
    char *eq = strchr(spec, '='), *end = NULL;
    if (!eq || nroutes == MAX_LOCKS)
        return -1;
    *eq = '\0';
    unsigned long id = strtoul(spec, &end, 10);
    if (!end || *end || id == 0 || id > UINT32_MAX || !eq[1])
        return -1;
    routes[nroutes++] = (route){.lock_id = (uint32_t)id, .path = eq + 1};
    return 0;
}

int main(int argc, char **argv)
{
    const char *listen_addr = NULL, *port_file = NULL;
    for (int i = 1; i < argc; i++) {
        if (i + 1 >= argc)
            return usage();
        if (strcmp(argv[i], "--listen") == 0)
            listen_addr = argv[++i];
        else if (strcmp(argv[i], "--lock") == 0) {
            if (add_route(argv[++i]) != 0)
                return usage();
        } else if (strcmp(argv[i], "--origin") == 0)
            allowed_origin = argv[++i];
        else if (strcmp(argv[i], "--port-file") == 0)
            port_file = argv[++i];
        else
            return usage();
    }
    if (!listen_addr || nroutes == 0)
        return usage();
    for (size_t i = 0; i < MAX_SESSIONS; i++)
        sessions[i].ws = sessions[i].lock = -1;
    int lfd = listen_on(listen_addr, port_file);
    if (lfd < 0) {
        fprintf(stderr, "pv-ws-bridge: cannot listen on %s\n", listen_addr);
        return 1;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGPIPE, SIG_IGN);
    int rc = serve(lfd);
    for (size_t i = 0; i < MAX_SESSIONS; i++)
        if (sessions[i].ws >= 0)
            end_session(&sessions[i], "bridge stopped");
    close(lfd);
    return rc;
}
