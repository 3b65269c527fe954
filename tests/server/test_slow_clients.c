/* Slow clients against the real daemon (slowloris): 500 connections from ten addresses
 * trickle a header line every two seconds — each line used to renew libmicrohttpd's idle
 * timeout, so they held their slots for ever. The server must keep answering /healthz to
 * everyone else meanwhile, and shut every trickling connection once its headers are
 * PVS_HEADER_DEADLINE_S overdue; a client that sends its request in time is served.
 * Usage: test_slow_clients portvakt-server scratch-dir */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "pvs/deadline.h"
#include "pvt.h"

#define NSLOW 500
#define NADDR 10 /* 127.0.0.2 .. 127.0.0.11: 50 each, under the per-address cap */

static struct pvt_server S;

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* A non-blocking TCP connection to the server from 127.0.0.`host`; -1 on failure. */
static int dial(int host)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in src = {.sin_family = AF_INET}, dst = {.sin_family = AF_INET};
    src.sin_addr.s_addr = htonl(0x7f000000u | (uint32_t)host);
    dst.sin_addr.s_addr = htonl(0x7f000001u);
    dst.sin_port = htons((uint16_t)S.port);
    if (bind(fd, (struct sockaddr *)&src, sizeof src) != 0 ||
        connect(fd, (struct sockaddr *)&dst, sizeof dst) != 0) {
        close(fd);
        return -1;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

/* Whether the server has closed `fd` (end of stream or reset). */
static int closed_by_server(int fd)
{
    char buf[512];
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

static int send_all(int fd, const char *s)
{
    size_t len = strlen(s);
    return send(fd, s, len, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -1;
}

/* GET /healthz from 127.0.0.1 through libcurl: its status, -1 without an answer. */
static long healthz(double *ms)
{
    struct pvt_resp r;
    double t0 = now_s();
    long st = pvt_req(&S, NULL, "GET", "/healthz", NULL, &r) == 0 ? r.status : -1;
    *ms = 1000.0 * (now_s() - t0);
    pvt_resp_free(&r);
    return st;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s portvakt-server scratch-dir\n", argv[0]);
        return 2;
    }
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 2048) {
        rl.rlim_cur = rl.rlim_max < 2048 ? rl.rlim_max : 2048;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    if (pvt_start(&S, argv[1], argv[2], NULL) != 0)
        return 2;
    static int fd[NSLOW];
    int opened = 0;
    double t0 = now_s();
    for (int i = 0; i < NSLOW; i++) {
        fd[i] = dial(2 + i % NADDR);
        if (fd[i] >= 0 && send_all(fd[i], "GET /healthz HTTP/1.1\r\n") == 0)
            opened++;
    }
    CHECK(opened == NSLOW, "%d of %d slow connections opened", opened, NSLOW);
    /* a punctual client opened at the same time gets its answer after a slow start */
    int punctual = dial(1);
    CHECK(punctual >= 0 && send_all(punctual, "GET /healthz HTTP/1.1\r\n") == 0, "punctual");
    int alive_at_deadline = 0, served = 0, line = 0;
    double worst_ms = 0;
    while (now_s() - t0 < PVS_HEADER_DEADLINE_S + 8) {
        double ms;
        long st = healthz(&ms);
        CHECK(st == 200, "/healthz under %d slow connections: %ld", NSLOW, st);
        served += st == 200;
        worst_ms = ms > worst_ms ? ms : worst_ms;
        if (now_s() - t0 > 2.0 * line + 2.0) { /* a header line every two seconds */
            char h[64];
            snprintf(h, sizeof h, "X-Slow-%d: %d\r\n", line, line);
            for (int i = 0; i < NSLOW; i++)
                if (fd[i] >= 0)
                    (void)send_all(fd[i], h);
            line++;
        }
        if (line == 3 && punctual >= 0) {
            CHECK(send_all(punctual, "Host: x\r\nConnection: close\r\n\r\n") == 0, "punctual");
            struct pollfd p = {punctual, POLLIN, 0};
            char buf[64] = "";
            CHECK(poll(&p, 1, 20000) == 1 && recv(punctual, buf, sizeof buf - 1, 0) > 12 &&
                      strncmp(buf, "HTTP/1.1 200", 12) == 0,
                  "a client whose headers come in time is served: %s", buf);
            close(punctual);
            punctual = -1;
        }
        if (alive_at_deadline == 0 && now_s() - t0 > PVS_HEADER_DEADLINE_S - 2.0)
            for (int i = 0; i < NSLOW; i++)
                alive_at_deadline += fd[i] >= 0 && !closed_by_server(fd[i]);
        struct timespec ts = {0, 300 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    int closed = 0;
    for (int i = 0; i < NSLOW; i++)
        if (fd[i] >= 0) {
            closed += closed_by_server(fd[i]);
            close(fd[i]);
        }
    CHECK(alive_at_deadline == NSLOW, "%d of %d slow connections still open just before the "
          "deadline", alive_at_deadline, NSLOW);
    CHECK(closed == NSLOW, "%d of %d trickling connections shut down after %.0f s", closed,
          NSLOW, PVS_HEADER_DEADLINE_S + 8);
    printf("test_slow_clients: %d /healthz answered during %d slow connections (slowest "
           "%.0f ms); %d of them shut down after the deadline\n", served, NSLOW, worst_ms,
           closed);
    int st = pvt_stop(&S);
    CHECK(st == 0, "clean shutdown (%d)", st);
    if (pvt_failures)
        fprintf(stderr, "%d check(s) failed\n", pvt_failures);
    return pvt_failures != 0;
}
