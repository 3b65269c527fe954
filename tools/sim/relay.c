/* The switchable TCP relay (see relay.h): one thread, poll over every open pair. */
#include "relay.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "portvakt/posix.h"

#define RELAY_PAIRS 512 /* the city: 80 stations, each keeping connections open */

struct sim_relay {
    int lfd, port;
    struct sockaddr_in up;
    int pair[RELAY_PAIRS][2];
    volatile int want_up, is_up, stop;
    pthread_t th;
};

static int listen_on(int port, int *out_port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t sl = sizeof sa;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 256) != 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &sl) != 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    *out_port = ntohs(sa.sin_port);
    return fd;
}

static void cut_all(sim_relay *r)
{
    for (int i = 0; i < RELAY_PAIRS; i++)
        if (r->pair[i][0] >= 0) {
            close(r->pair[i][0]);
            close(r->pair[i][1]);
            r->pair[i][0] = r->pair[i][1] = -1;
        }
}

static void accept_one(sim_relay *r)
{
    int c = accept(r->lfd, NULL, NULL);
    if (c < 0)
        return;
    int u = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (u < 0 || connect(u, (struct sockaddr *)&r->up, sizeof r->up) != 0) {
        close(c);
        if (u >= 0)
            close(u);
        return;
    }
    for (int i = 0; i < RELAY_PAIRS; i++)
        if (r->pair[i][0] < 0) {
            r->pair[i][0] = c, r->pair[i][1] = u;
            return;
        }
    close(c), close(u); /* full: the station retries */
}

/* Moves what is waiting on one side to the other; returns -1 when the pair is done. */
static int pump(int from, int to)
{
    char b[16384];
    ssize_t n = read(from, b, sizeof b);
    if (n <= 0)
        return -1;
    return pv_posix_write_all(to, b, (size_t)n) == PV_OK ? 0 : -1;
}

static void apply_state(sim_relay *r)
{
    if (r->want_up == r->is_up)
        return;
    if (!r->want_up) {
        cut_all(r);
        close(r->lfd);
        r->lfd = -1;
        r->is_up = 0;
    } else {
        int p;
        r->lfd = listen_on(r->port, &p);
        r->is_up = r->lfd >= 0; /* the port may still be held for a moment: try again */
    }
}

static void *relay_main(void *arg)
{
    sim_relay *r = arg;
    struct pollfd pf[1 + 2 * RELAY_PAIRS];
    while (!r->stop) {
        apply_state(r);
        int n = 0;
        pf[n++] = (struct pollfd){.fd = r->lfd, .events = POLLIN};
        for (int i = 0; i < RELAY_PAIRS; i++)
            for (int k = 0; k < 2; k++)
                pf[n++] = (struct pollfd){.fd = r->pair[i][k], .events = POLLIN};
        if (poll(pf, (nfds_t)n, 100) <= 0)
            continue;
        if (r->lfd >= 0 && (pf[0].revents & POLLIN))
            accept_one(r);
        for (int i = 0; i < RELAY_PAIRS; i++)
            for (int k = 0; k < 2; k++) {
                short ev = pf[1 + 2 * i + k].revents;
                if (r->pair[i][0] < 0 || !(ev & (POLLIN | POLLHUP | POLLERR)))
                    continue;
                if (pump(r->pair[i][k], r->pair[i][1 - k]) != 0) {
                    close(r->pair[i][0]), close(r->pair[i][1]);
                    r->pair[i][0] = r->pair[i][1] = -1;
                }
            }
    }
    cut_all(r);
    if (r->lfd >= 0)
        close(r->lfd);
    return NULL;
}

sim_relay *sim_relay_start(const char *host, int port)
{
    sim_relay *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    memset(r->pair, -1, sizeof r->pair);
    r->up.sin_family = AF_INET;
    r->up.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &r->up.sin_addr) != 1 || (r->lfd = listen_on(0, &r->port)) < 0) {
        free(r);
        return NULL;
    }
    r->want_up = r->is_up = 1;
    if (pthread_create(&r->th, NULL, relay_main, r) != 0) {
        close(r->lfd);
        free(r);
        return NULL;
    }
    return r;
}

int sim_relay_port(const sim_relay *r)
{
    return r->port;
}

void sim_relay_set(sim_relay *r, int up)
{
    r->want_up = up;
    /* simulated time may race ahead: return only once the relay is in the new state */
    for (int i = 0; i < 500 && r->is_up != up; i++)
        usleep(10000);
}

void sim_relay_stop(sim_relay *r)
{
    if (!r)
        return;
    r->stop = 1;
    r->want_up = r->is_up; /* nothing left to apply */
    pthread_join(r->th, NULL);
    free(r);
}
