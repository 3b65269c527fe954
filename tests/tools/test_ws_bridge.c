/* pv-ws-bridge end to end with hostile browsers: a fake lock (a Unix-socket radio this
 * test serves) behind a real bridge process. A good binary message reaches the lock as
 * one radio frame and the lock's answer comes back; an oversized message, a text frame,
 * an unmasked frame, a fragmented message, a bad handshake, a foreign origin and an
 * unknown lock each get their close code or HTTP status, and the lock receives nothing.
 * Usage: test_ws_bridge PATH_TO_PV_WS_BRIDGE */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "portvakt/sim.h"

static int failures, checks;
#define CHECK(c, what)                                                                        \
    do {                                                                                      \
        checks++;                                                                             \
        if (!(c)) {                                                                           \
            failures++;                                                                       \
            fprintf(stderr, "FAIL %s (line %d)\n", what, __LINE__);                           \
        }                                                                                     \
    } while (0)

static char dir[] = "/tmp/pv-wsb-XXXXXX";
static char sock_path[256], port_path[256];
static int lock_listen = -1;
static unsigned port;

static int tcp_connect(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static size_t read_some(int fd, uint8_t *buf, size_t cap, int ms)
{
    size_t n = 0;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    while (n < cap && poll(&p, 1, ms) > 0) {
        ssize_t r = read(fd, buf + n, cap - n);
        if (r <= 0)
            break;
        n += (size_t)r;
        ms = 200; /* the rest of an answer follows quickly */
    }
    return n;
}

/* Handshake with an origin and path; returns the connected fd or -1 (status in *st). */
static int ws_open(const char *path, const char *origin, const char *version, char *st)
{
    int fd = tcp_connect();
    char req[512];
    int n = snprintf(req, sizeof req,
                     "GET %s HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: %s\r\n"
                     "Sec-WebSocket-Version: %s\r\n\r\n", path, origin, version);
    if (fd < 0 || write(fd, req, (size_t)n) != n)
        return -1;
    uint8_t ans[512] = {0};
    size_t got = read_some(fd, ans, sizeof ans - 1, 3000);
    snprintf(st, 64, "%.12s", (char *)ans + (got > 9 ? 9 : got));
    if (got < 12 || memcmp(ans, "HTTP/1.1 101", 12) != 0) {
        close(fd);
        return -1;
    }
    /* RFC 6455's own example key and accept value */
    CHECK(strstr((char *)ans, "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n") != NULL,
          "accept value as in RFC 6455 section 1.3");
    return fd;
}

/* A client frame: opcode, masked unless raw, FIN unless more. */
static size_t client_frame(uint8_t *out, uint8_t op, const uint8_t *p, size_t n, int masked,
                           int fin)
{
    size_t h = 0;
    out[h++] = (uint8_t)((fin ? 0x80 : 0) | op);
    uint8_t mb = masked ? 0x80 : 0;
    if (n < 126) {
        out[h++] = (uint8_t)(mb | n);
    } else {
        out[h++] = mb | 126;
        out[h++] = (uint8_t)(n >> 8);
        out[h++] = (uint8_t)n;
    }
    const uint8_t mask[4] = {0x11, 0x22, 0x33, 0x44};
    if (masked) {
        memcpy(out + h, mask, 4);
        h += 4;
    }
    for (size_t i = 0; i < n; i++)
        out[h + i] = masked ? p[i] ^ mask[i & 3] : p[i];
    return h + n;
}

/* The close code the bridge sent, 0 if none. */
static unsigned close_code(int fd)
{
    uint8_t buf[256];
    size_t n = read_some(fd, buf, sizeof buf, 3000);
    if (n < 4 || buf[0] != 0x88)
        return 0;
    return (unsigned)buf[2] << 8 | buf[3];
}

/* The lock side of the session the bridge just opened. */
static int lock_accept(void)
{
    pv_sim_radio r;
    return pv_sim_sock_accept(lock_listen, &r, 3000) == PV_OK ? r.fd : -1;
}

static void good_exchange(void)
{
    char st[64];
    int ws = ws_open("/lock/101", "http://phone.test", "13", st);
    CHECK(ws >= 0, "handshake accepted");
    int lk = lock_accept();
    CHECK(lk >= 0, "bridge connected to the lock");
    if (ws < 0 || lk < 0)
        return;
    static uint8_t msg[800], out[1024], got[PV_MSG_MAX];
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (uint8_t)(i * 7);
    size_t n = client_frame(out, 0x2, msg, sizeof msg, 1, 1), len = 0;
    CHECK(write(ws, out, n) == (ssize_t)n, "send M3-sized message");
    CHECK(pv_sim_frame_read(lk, got, sizeof got, &len, 3000) == PV_OK && len == sizeof msg &&
              memcmp(got, msg, len) == 0, "the lock got exactly one radio frame, unmasked");
    const uint8_t answer[4] = {1, 0x13, 2, 0};
    CHECK(pv_sim_frame_write(lk, answer, sizeof answer) == PV_OK, "lock answers");
    uint8_t back[64];
    size_t bn = read_some(ws, back, sizeof back, 3000);
    CHECK(bn == 6 && back[0] == 0x82 && back[1] == 4 && memcmp(back + 2, answer, 4) == 0,
          "the answer arrives as one unmasked binary message");
    close(ws);
    close(lk);
}

/* One hostile frame: its close code, and nothing at the lock. */
static void hostile(const char *what, uint8_t op, size_t len, int masked, int fin, unsigned want)
{
    char st[64];
    int ws = ws_open("/lock/101", "http://phone.test", "13", st), lk = lock_accept();
    if (ws < 0 || lk < 0) {
        CHECK(0, what);
        return;
    }
    static uint8_t p[PV_MSG_MAX + 10], out[PV_MSG_MAX + 32];
    memset(p, 0xAB, sizeof p);
    size_t n = client_frame(out, op, p, len, masked, fin);
    if (write(ws, out, n) != (ssize_t)n)
        CHECK(0, what);
    unsigned code = close_code(ws);
    uint8_t got[PV_MSG_MAX];
    size_t gl = 0;
    int lock_got = pv_sim_frame_read(lk, got, sizeof got, &gl, 500) == PV_OK;
    char msg[160];
    snprintf(msg, sizeof msg, "%s: close %u (want %u), lock untouched", what, code, want);
    CHECK(code == want && !lock_got, msg);
    close(ws);
    close(lk);
}

static void refused_handshakes(void)
{
    char st[64] = "";
    CHECK(ws_open("/lock/101", "http://evil.test", "13", st) < 0 && strncmp(st, "403", 3) == 0,
          "a page from another origin is refused (403)");
    CHECK(ws_open("/lock/999", "http://phone.test", "13", st) < 0 && strncmp(st, "404", 3) == 0,
          "an unknown lock is refused (404)");
    CHECK(ws_open("/lock/101", "http://phone.test", "8", st) < 0 && strncmp(st, "426", 3) == 0,
          "WebSocket version 8 is refused (426)");
    int fd = tcp_connect();
    static char big[6000];
    memset(big, 'a', sizeof big);
    memcpy(big, "GET / HTTP/1.1\r\nX: ", 19);
    uint8_t ans[128] = {0};
    if (fd >= 0 && write(fd, big, sizeof big) > 0)
        read_some(fd, ans, sizeof ans - 1, 3000);
    CHECK(memcmp(ans, "HTTP/1.1 431", 12) == 0, "an endless request head gets 431");
    if (fd >= 0)
        close(fd);
}

int main(int argc, char **argv)
{
    if (argc != 2 || !mkdtemp(dir))
        return 2;
    snprintf(sock_path, sizeof sock_path, "%s/lock.sock", dir);
    snprintf(port_path, sizeof port_path, "%s/port", dir);
    signal(SIGPIPE, SIG_IGN);
    if (pv_sim_sock_listen(sock_path, &lock_listen) != PV_OK)
        return 2;
    char route[300];
    snprintf(route, sizeof route, "101=%s", sock_path);
    pid_t pid = fork();
    if (pid == 0) {
        execl(argv[1], argv[1], "--listen", "127.0.0.1:0", "--lock", route, "--origin",
              "http://phone.test", "--port-file", port_path, (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 100 && port == 0; i++) {
        FILE *f = fopen(port_path, "r");
        if (!f || fscanf(f, "%u", &port) != 1)
            port = 0;
        if (f)
            fclose(f);
        usleep(50000);
    }
    CHECK(port != 0, "bridge started");
    if (port) {
        good_exchange();
        hostile("message over 3072 bytes", 0x2, PV_MSG_MAX + 1, 1, 1, 1009);
        hostile("text message", 0x1, 5, 1, 1, 1003);
        hostile("unmasked frame", 0x2, 40, 0, 1, 1002);
        hostile("fragmented message", 0x2, 40, 1, 0, 1003);
        hostile("empty radio frame", 0x2, 0, 1, 1, 1003);
        hostile("reserved opcode", 0x3, 4, 1, 1, 1003);
        refused_handshakes();
        good_exchange(); /* and the bridge still works */
    }
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    close(lock_listen);
    unlink(sock_path);
    unlink(port_path);
    rmdir(dir);
    printf("%d passed, %d failed\n", checks - failures, failures);
    return failures ? 1 : 0;
}
