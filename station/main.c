/* portvakt-station: the sync station daemon. Listens for keys on a Unix socket, relays
 * their syncs to portvakt-server and uploads their logs through a durable queue. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "station.h"

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static uint64_t clock_now(void *ctx)
{
    const char *file = ctx;
    if (file && file[0]) {
        /* simulated days: the simulator writes the current unix time into this file */
        FILE *f = fopen(file, "r");
        unsigned long long v = 0;
        if (f) {
            int ok = fscanf(f, "%llu", &v) == 1;
            fclose(f);
            if (ok && v)
                return v;
        }
    }
    return (uint64_t)time(NULL);
}

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int listen_unix(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof sa.sun_path) {
        fprintf(stderr, "portvakt-station: key socket path too long: %s\n", path);
        return -1;
    }
    memcpy(sa.sun_path, path, strlen(path) + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    (void)unlink(path); /* a socket left by an earlier run */
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 64) != 0) {
        fprintf(stderr, "portvakt-station: cannot listen on %s: %s\n", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

static int keygen(int argc, char **argv)
{
    const char *out = argc == 4 && strcmp(argv[2], "--out") == 0 ? argv[3] : NULL;
    if (!out) {
        fprintf(stderr, "usage: portvakt-station keygen --out FILE\n");
        return 2;
    }
    uint8_t seed[32], pk[32], sk[64];
    char hex[65], pkhex[65];
    randombytes_buf(seed, sizeof seed);
    if (crypto_sign_seed_keypair(pk, sk, seed) != 0)
        return 1;
    sodium_bin2hex(hex, sizeof hex, seed, sizeof seed);
    sodium_bin2hex(pkhex, sizeof pkhex, pk, sizeof pk);
    int fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    int ok = fd >= 0 && write(fd, hex, 64) == 64 && write(fd, "\n", 1) == 1 && fsync(fd) == 0;
    if (fd >= 0)
        close(fd);
    sodium_memzero(seed, sizeof seed), sodium_memzero(sk, sizeof sk);
    sodium_memzero(hex, sizeof hex);
    if (!ok) {
        fprintf(stderr, "portvakt-station: cannot create %s: %s (it must not exist yet)\n", out,
                strerror(errno));
        return 1;
    }
    printf("%s\n", pkhex); /* register this public key for the station on the server */
    return 0;
}

/* `status`: what an operator at the station wants to know without reading logs. */
static int status_cmd(int argc, char **argv)
{
    const char *dir = argc == 4 && strcmp(argv[2], "--queue-dir") == 0 ? argv[3] : NULL;
    struct stat sb;
    if (!dir || strlen(dir) >= sizeof(((pvst_queue *)0)->dir) || stat(dir, &sb) != 0) {
        fprintf(stderr, "usage: portvakt-station status --queue-dir DIR (an existing queue)\n");
        return 2;
    }
    /* read only: pvst_queue_open would tidy temp files the running daemon may be writing */
    pvst_queue q = {0}, rq = {0};
    snprintf(q.dir, sizeof q.dir, "%s", dir);
    uint64_t seqs[1];
    size_t n = 0, waiting = pvst_queue_count(&q);
    char rej[600];
    snprintf(rej, sizeof rej, "%s/rejected", dir);
    snprintf(rq.dir, sizeof rq.dir, "%.511s", rej);
    size_t rejected = pvst_queue_count(&rq);
    if (pvst_queue_list(&q, seqs, 1, &n) == PV_OK && n)
        printf("%zu log item(s) waiting for upload (oldest #%llu); %zu rejected by the server "
               "(kept in %s)\n", waiting, (unsigned long long)seqs[0], rejected, rej);
    else
        printf("queue empty: every log item taken at this station has reached the server; "
               "%zu rejected (kept in %s)\n", rejected, rej);
    return waiting ? 1 : 0;
}

static void usage(void)
{
    fprintf(stderr,
            "usage: portvakt-station [--config FILE] --server URL [--fallback URL]\n"
            "         [--ca-cert PEM] --station-id N --station-key FILE --queue-dir DIR\n"
            "         --key-socket PATH [--clock-file FILE] [--timeout-ms N] [-v]\n"
            "       portvakt-station keygen --out FILE\n"
            "       portvakt-station status --queue-dir DIR   (exit 1 while items wait)\n"
            "See docs/station.md.\n");
}

/* One pass of the loop: serve a waiting key, else upload when due. */
static void serve(pvst_station *st, int lfd)
{
    uint64_t retry_at = 0, backoff = 500;
    pvst_fd_link fl;
    pvst_link_ops ops;
    while (!stop_flag) {
        uint64_t now = mono_ms();
        int wait = retry_at > now ? (int)(retry_at - now) : 0;
        if (wait > 1000 || pvst_queue_count(&st->q) == 0)
            wait = 1000;
        struct pollfd p = {.fd = lfd, .events = POLLIN};
        int r = poll(&p, 1, wait);
        if (r > 0 && (p.revents & POLLIN)) {
            int cfd = accept(lfd, NULL, NULL);
            if (cfd >= 0) {
                pvst_fd_link_init(&fl, cfd, 10000, &ops);
                (void)pvst_session(st, &ops);
                close(cfd);
            }
            retry_at = 0; /* a fresh item: try the uplink now */
        }
        if (mono_ms() >= retry_at && pvst_queue_count(&st->q) > 0) {
            if (pvst_drain(st, 8) == PV_OK) {
                backoff = 500;
                retry_at = 0;
            } else {
                retry_at = mono_ms() + backoff;
                backoff = backoff < 16000 ? backoff * 2 : 30000; /* uplink down: back off */
            }
        }
    }
}

int main(int argc, char **argv)
{
    if (sodium_init() < 0)
        return 1;
    if (argc >= 2 && strcmp(argv[1], "keygen") == 0)
        return keygen(argc, argv);
    if (argc >= 2 && strcmp(argv[1], "status") == 0)
        return status_cmd(argc, argv);
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage();
        return 0;
    }
    pvst_config c;
    char err[512];
    pvst_uplink_cfg uc = {0};
    if (pvst_config_load(&c, argc, argv, err, sizeof err) != 0 ||
        pvst_load_station_key(c.station_key, uc.sk, err, sizeof err) != 0) {
        fprintf(stderr, "portvakt-station: %s\n", err);
        usage();
        return 2;
    }
    uc.url[0] = c.server;
    uc.url[1] = c.fallback[0] ? c.fallback : NULL;
    uc.ca_file = c.ca_cert[0] ? c.ca_cert : NULL;
    uc.station_id = c.station_id;
    uc.timeout_ms = c.timeout_ms;
    uc.now = clock_now;
    uc.now_ctx = c.clock_file;
    pvst_station st = {.now = clock_now, .now_ctx = c.clock_file, .log = stderr};
    st.up = pvst_uplink_new(&uc);
    sodium_memzero(uc.sk, sizeof uc.sk);
    if (!st.up || pvst_queue_open(&st.q, c.queue_dir) != PV_OK) {
        fprintf(stderr, "portvakt-station: cannot set up (queue dir %s: %s)\n", c.queue_dir,
                strerror(errno));
        return 1;
    }
    int lfd = listen_unix(c.key_socket);
    if (lfd < 0)
        return 1;
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    fprintf(stderr, "portvakt-station: station %u listening for keys on %s; uplink %s%s%s; "
                    "%zu item(s) queued\n",
            c.station_id, c.key_socket, c.server, c.fallback[0] ? ", fallback " : "",
            c.fallback, pvst_queue_count(&st.q));
    serve(&st, lfd);
    fprintf(stderr, "portvakt-station: stopping; %zu item(s) stay queued for next start\n",
            pvst_queue_count(&st.q));
    close(lfd);
    unlink(c.key_socket);
    pvst_uplink_free(st.up);
    return 0;
}
