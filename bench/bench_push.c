/* phone.push_ms_p99 and phone.connections_held, against the real daemon over HTTP.
 * Push: 50 keys each keep a long poll held (POST /phone/wait); each round grants one key's
 * staff member a new right and times from just before that commit until the woken key's
 * next sync has carried the new door (p50 and p99 over the rounds). Held: long polls are
 * opened from loopback addresses 127.0.0.10 and up (64 each, the per-address bound) until
 * the server refuses one or 10,000 are held; the value is how many it held at once, with its
 * RSS before and after, and the status of the one past the bound. */
#include <poll.h>
#include <stdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "../tests/server/push_fixture.h"

#define PHONES 50
#define ROUNDS 100
#define HELD_TARGET 10000

static struct pvt_server S;

static double mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* A fresh held wait of key k on its current token; -1 on failure. */
static int hold_current(const pfx_key *k, const char *src)
{
    char tok[33], type[64];
    if (pfx_wait(&S, k->bearer, NULL, tok, type) != 200)
        return -1;
    return pfx_hold(&S, src, k->bearer, tok);
}

static long rss_kib(void)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)S.pid);
    FILE *f = fopen(path, "r");
    long kib = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld", &kib) == 1)
            break;
    if (f)
        fclose(f);
    return kib;
}

static int push_latency(pfx_key *k)
{
    int fd[PHONES];
    double ms[ROUNDS];
    for (int i = 0; i < PHONES; i++)
        if ((fd[i] = hold_current(&k[i], NULL)) < 0)
            return -1;
    for (int r = 0; r < ROUNDS; r++) {
        int i = r % PHONES;
        usleep(300 * 1000); /* let earlier syncs' wakes settle */
        for (int j = 0; j < PHONES; j++) { /* re-hold any woken (a new revocation list) */
            struct pollfd p = {.fd = fd[j], .events = POLLIN};
            if (poll(&p, 1, 0) == 1) {
                close(fd[j]);
                if ((fd[j] = hold_current(&k[j], NULL)) < 0)
                    return -1;
            }
        }
        double t0 = mono_ms();
        if (pfx_grant(&S, &k[i]) != 0 || pfx_answer(fd[i], 15000) != 200 ||
            pfx_sync_doors(&S, &k[i]) != 1)
            return -1;
        ms[r] = mono_ms() - t0;
        close(fd[i]);
        if ((fd[i] = hold_current(&k[i], NULL)) < 0)
            return -1;
    }
    for (int i = 0; i < PHONES; i++)
        close(fd[i]);
    qsort(ms, ROUNDS, sizeof ms[0], cmp_double);
    printf("{\"name\":\"phone.push_ms_p99\",\"value\":%.0f,\"unit\":\"ms\",\"p50\":%.0f,"
           "\"phones\":%d,\"rounds\":%d}\n",
           ms[ROUNDS * 99 / 100], ms[ROUNDS / 2], PHONES, ROUNDS);
    return 0;
}

static int connections_held(const pfx_key *k)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        (void)setrlimit(RLIMIT_NOFILE, &rl);
    }
    static int fds[HELD_TARGET + 1];
    char tok[33], type[64], src[32];
    if (pfx_wait(&S, k->bearer, NULL, tok, type) != 200)
        return -1;
    long before = rss_kib();
    int n = 0;
    long past = 0;
    for (; n <= HELD_TARGET; n++) {
        snprintf(src, sizeof src, "127.0.%d.%d", 1 + n / 64 / 200, 10 + (n / 64) % 200);
        if ((fds[n] = pfx_hold(&S, src, k->bearer, tok)) < 0) {
            perror("bench_push: hold");
            break;
        }
        if (n % 64 == 63 || n == HELD_TARGET) { /* the last of an address: answered = refused */
            past = pfx_answer(fds[n], 200);
            if (past > 0)
                break;
        }
    }
    usleep(500 * 1000);
    int held = 0;
    for (int i = 0; i < n; i++) { /* still held: no answer yet */
        struct pollfd p = {.fd = fds[i], .events = POLLIN};
        held += poll(&p, 1, 0) == 0;
    }
    long after = rss_kib();
    printf("{\"name\":\"phone.connections_held\",\"value\":%d,\"unit\":\"connections\","
           "\"rss_mib_before\":%.1f,\"rss_mib_held\":%.1f,\"next_refused\":%ld}\n",
           held, before / 1024.0, after / 1024.0, past);
    for (int i = 0; i <= n && i <= HELD_TARGET; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    return 0;
}

int main(void)
{
    char dir[] = "/tmp/pv-bench-push.XXXXXX";
    if (sodium_init() < 0 || !mkdtemp(dir) || pvt_start(&S, PVS_SERVER_EXE, dir, NULL) != 0) {
        fprintf(stderr, "bench_push: cannot start portvakt-server\n");
        return 1;
    }
    static pfx_key k[PHONES + 1];
    int rc = pfx_keys(&S, PHONES + 1, k);
    if (rc == 0 && push_latency(k) != 0)
        rc = -1, fprintf(stderr, "bench_push: a push round failed\n");
    if (rc == 0 && connections_held(&k[PHONES]) != 0)
        rc = -1, fprintf(stderr, "bench_push: holding connections failed\n");
    pvt_stop(&S);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "bench_push: %s left behind\n", dir);
    return rc != 0;
}
