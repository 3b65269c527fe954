/* Replay and relay over the socket radio with a separate man-in-the-middle process
 * (pv-radio-mitm): a recorded session replayed, a session delayed past the challenge's
 * lifetime, a dropped and an altered frame all fail; the genuine key still opens. */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "../lock/kit.h"

static kit_issuer iss;
static char dir[64], lock_path[96], key_path[96], rec_path[96];
static const char *mitm;
static int decisions[2]; /* pipe: lock child -> test, one int per PRESENT handled */

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* The lock, as a separate process serving the socket radio in real time. */
static void lock_process(pv_sim_lock *l, int lfd)
{
    uint64_t last = mono_ms();
    for (;;) {
        pv_sim_radio r;
        if (pv_sim_sock_accept(lfd, &r, 20000) != PV_OK)
            _exit(0);
        for (;;) {
            uint8_t in[PV_MSG_MAX], out[PV_MSG_MAX];
            size_t n = 0, on = 0;
            int rc = pv_sim_radio_recv(&r, in, sizeof in, &n, 100);
            uint64_t now = mono_ms();
            pv_sim_clock_advance(&l->clock, now - last);
            last = now;
            if (rc == PV_E_TIMEOUT)
                continue;
            if (rc != PV_OK)
                break;
            int d = pv_lock_handle(l->lock, in, n, out, sizeof out, &on);
            if (n > 1 && in[1] == PV_T_PRESENT && write(decisions[1], &d, sizeof d) != sizeof d)
                _exit(1);
            if (on > 0 && pv_sim_radio_send(&r, out, on) != PV_OK)
                break;
        }
        pv_sim_sock_close(&r);
    }
}

static pid_t spawn_mitm(const char *const *args)
{
    pid_t p = fork();
    if (p == 0) {
        const char *argv[16] = {mitm};
        int i = 0;
        for (; args[i] && i < 14; i++)
            argv[i + 1] = args[i];
        argv[i + 1] = NULL;
        execv(mitm, (char *const *)argv);
        _exit(127);
    }
    return p;
}

static int connect_retry(pv_sim_radio *r)
{
    for (int i = 0; i < 200; i++) {
        if (pv_sim_sock_connect(key_path, r) == PV_OK)
            return PV_OK;
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
    }
    return PV_E_IO;
}

/* The key side of one unlock through the mitm; returns the key's status. */
static int key_unlock(kit_bearer *b, int m4_timeout_ms)
{
    pv_sim_radio r;
    if (connect_retry(&r) != PV_OK)
        return PV_E_IO;
    uint8_t m[PV_MSG_MAX], m3[PV_MSG_MAX];
    size_t n = 0, n3 = 0;
    pv_key_confirm(b->sim.key);
    int rc = pv_key_unlock_start(b->sim.key, m);
    if (rc == PV_OK)
        rc = pv_sim_radio_send(&r, m, PV_HELLO_SIZE);
    if (rc == PV_OK)
        rc = pv_sim_radio_recv(&r, m, sizeof m, &n, 2000);
    if (rc == PV_OK)
        rc = pv_key_on_challenge(b->sim.key, m, n, m3, sizeof m3, &n3);
    if (rc == PV_OK)
        rc = pv_sim_radio_send(&r, m3, n3);
    if (rc == PV_OK)
        rc = pv_sim_radio_recv(&r, m, sizeof m, &n, m4_timeout_ms);
    if (rc == PV_OK) {
        pv_key_outcome o;
        rc = pv_key_on_result(b->sim.key, m, n, &o);
    } else {
        pv_key_abort(b->sim.key, rc);
    }
    pv_sim_sock_close(&r);
    return rc;
}

static int next_decision(void)
{
    int d = 1;
    struct timespec ts = {0, 50 * 1000000L};
    for (int i = 0; i < 100; i++) {
        ssize_t k = read(decisions[0], &d, sizeof d);
        if (k == (ssize_t)sizeof d)
            return d;
        nanosleep(&ts, NULL);
    }
    return 1; /* none came */
}

static int wait_exit(pid_t p)
{
    int st = 0;
    if (waitpid(p, &st, 0) != p)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int main(int argc, char **argv)
{
    if (argc < 2 || sodium_init() < 0)
        return 2;
    mitm = argv[1];
    kit_issuer_new(&iss, 1);
    snprintf(dir, sizeof dir, "/tmp/pv-mitm-XXXXXX");
    if (!mkdtemp(dir))
        return 2;
    snprintf(lock_path, sizeof lock_path, "%s/lock.sock", dir);
    snprintf(key_path, sizeof key_path, "%s/key.sock", dir);
    snprintf(rec_path, sizeof rec_path, "%s/session.rec", dir);
    const uint32_t door = kit_lock_id(2);
    pv_sim_lock *l = kit_lock_new(door, &iss, 1, 100000);
    kit_bearer b;
    CHECK_EQ(kit_bearer_new(&b, 70, 4, 0), PV_OK);
    CHECK_EQ(kit_issue(&b, &iss, 4, NULL, 0, NULL), PV_OK);
    int lfd;
    CHECK_EQ(pv_sim_sock_listen(lock_path, &lfd), PV_OK);
    CHECK_EQ(pipe(decisions), 0);
    pid_t lockp = fork();
    if (lockp == 0) {
        close(decisions[0]);
        lock_process(l, lfd);
        _exit(0);
    }
    close(decisions[1]);
    fcntl(decisions[0], F_SETFL, O_NONBLOCK); /* a missing decision must not hang the test */
    /* 1. genuine unlock through a recording relay */
    const char *rec_args[] = {"--listen", key_path, "--connect", lock_path, "--record", rec_path, NULL};
    pid_t m = spawn_mitm(rec_args);
    CHECK_EQ(key_unlock(&b, 2000), PV_OK);
    CHECK_EQ(next_decision(), PV_OK);
    CHECK_EQ(wait_exit(m), 0);
    /* 2. the recorded session replayed into the lock */
    const char *rep_args[] = {"--replay", rec_path, "--connect", lock_path, NULL};
    m = spawn_mitm(rep_args);
    CHECK_EQ(wait_exit(m), 0);
    CHECK_EQ(next_decision(), PV_E_DECRYPT);
    /* 3. relayed too slowly */
    const char *slow_args[] = {"--listen", key_path, "--connect", lock_path, "--delay-ms", "1700", NULL};
    m = spawn_mitm(slow_args);
    CHECK_EQ(key_unlock(&b, 4000), PV_E_CHALLENGE_EXPIRED);
    CHECK_EQ(next_decision(), PV_E_CHALLENGE_EXPIRED);
    CHECK_EQ(wait_exit(m), 0);
    /* 4. the PRESENT dropped: the key hears nothing and says so */
    const char *drop_args[] = {"--listen", key_path, "--connect", lock_path, "--drop", "2", NULL};
    m = spawn_mitm(drop_args);
    CHECK_EQ(key_unlock(&b, 500), PV_E_TIMEOUT);
    CHECK_EQ(wait_exit(m), 0);
    /* 5. one byte of the PRESENT altered */
    const char *flip_args[] = {"--listen", key_path, "--connect", lock_path, "--flip", "2:40", NULL};
    m = spawn_mitm(flip_args);
    int rc = key_unlock(&b, 2000);
    CHECK(rc == PV_E_DECRYPT || rc == PV_E_BACKOFF || rc == PV_E_TIMEOUT);
    CHECK_EQ(wait_exit(m), 0);
    /* 6. after the attacks (and any backoff), the genuine key opens through a clean relay */
    struct timespec ts = {2, 100 * 1000000L};
    nanosleep(&ts, NULL);
    const char *clean_args[] = {"--listen", key_path, "--connect", lock_path, NULL};
    m = spawn_mitm(clean_args);
    CHECK_EQ(key_unlock(&b, 2000), PV_OK);
    CHECK_EQ(wait_exit(m), 0);
    kill(lockp, SIGTERM);
    waitpid(lockp, NULL, 0);
    close(lfd);
    unlink(lock_path);
    unlink(rec_path);
    rmdir(dir);
    kit_bearer_free(&b);
    kit_lock_free(l);
    if (kit_failures)
        fprintf(stderr, "test_socket: %d failures\n", kit_failures);
    return kit_failures != 0;
}
