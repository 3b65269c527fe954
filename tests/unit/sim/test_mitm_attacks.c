/* Scripted attacks through the radio man-in-the-middle (pv-radio-mitm, a separate
 * process between a key and a lock process on the socket radio): revocation-list
 * rollback, time-beacon rollback, a downgraded protocol version, and a suppressed log
 * batch. Each asserts what the real lock did, as the lock process reports it after
 * every frame (decision, list version, beacon time, clock, log cursor, opens).
 *
 *   test_mitm_attacks MITM revlist|beacon|downgrade|batch-gap|batch-redelivered */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "../lock/kit.h"

typedef struct report { /* one per frame the lock handled */
    int type, rc;
    uint64_t revlist_version, beacon_time, clock;
    uint32_t cursor, next_seq, opens;
} report;

static kit_issuer iss;
static char dir[64], lock_path[96], key_path[96], rec_path[96];
static const char *mitm;
static int reports[2];

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void send_report(pv_sim_lock *l, int type, int rc)
{
    report r = {.type = type, .rc = rc};
    pv_lock_info i;
    pv_lock_get_info(l->lock, &i);
    if (pv_lock_issuer_state(l->lock, iss.id, &r.revlist_version, &r.beacon_time) != PV_OK)
        _exit(1);
    r.clock = i.clock;
    r.cursor = i.cursor_seq;
    r.next_seq = i.next_seq;
    r.opens = l->motor_opens;
    if (write(reports[1], &r, sizeof r) != sizeof r)
        _exit(1);
}

/* The lock, in its own process, serving the socket radio in real time. */
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
            send_report(l, n > 1 ? in[1] : 0, d);
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

static int wait_exit(pid_t p)
{
    int st = 0;
    if (waitpid(p, &st, 0) != p)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
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

/* The next report from the lock for a frame of `type` (earlier ones are skipped). */
static report next_report(int type)
{
    report r;
    memset(&r, 0, sizeof r);
    r.rc = 1;
    struct timespec ts = {0, 20 * 1000000L};
    for (int i = 0; i < 250; i++) {
        if (read(reports[0], &r, sizeof r) == (ssize_t)sizeof r) {
            if (r.type == type)
                return r;
            i = 0;
            continue;
        }
        nanosleep(&ts, NULL);
    }
    r.rc = 1; /* none came */
    return r;
}

/* One genuine unlock by the key core through a mitm started with `args`. */
static int key_unlock(kit_bearer *b, const char *const *args, pv_key_outcome *o)
{
    pid_t m = spawn_mitm(args);
    pv_sim_radio r;
    int rc = connect_retry(&r);
    uint8_t f[PV_MSG_MAX], m3[PV_MSG_MAX];
    size_t n = 0, n3 = 0;
    memset(o, 0, sizeof *o);
    pv_key_confirm(b->sim.key);
    if (rc == PV_OK)
        rc = pv_key_unlock_start(b->sim.key, f);
    if (rc == PV_OK)
        rc = pv_sim_radio_send(&r, f, PV_HELLO_SIZE);
    if (rc == PV_OK)
        rc = pv_sim_radio_recv(&r, f, sizeof f, &n, 1000);
    if (rc == PV_OK)
        rc = pv_key_on_challenge(b->sim.key, f, n, m3, sizeof m3, &n3);
    if (n3 > 0 && pv_sim_radio_send(&r, m3, n3) != PV_OK)
        rc = PV_E_IO;
    if (n3 > 0 && rc != PV_E_IO)
        rc = pv_sim_radio_recv(&r, f, sizeof f, &n, 1000);
    if (n3 > 0 && rc == PV_OK)
        rc = pv_key_on_result(b->sim.key, f, n, o);
    else
        pv_key_abort(b->sim.key, rc);
    pv_sim_sock_close(&r);
    wait_exit(m);
    return rc;
}

/* An attacker's own handshake through a plain mitm: any credential with any list and
 * beacon, the tag made with x_sk. Returns the lock's decision as it reports it. */
static report raw_attempt(const pv_present *p, const uint8_t *x_sk)
{
    const char *args[] = {"--listen", key_path, "--connect", lock_path, NULL};
    pid_t m = spawn_mitm(args);
    pv_sim_radio r;
    report rep = {.rc = 1};
    uint8_t rnd[32], m1[PV_HELLO_SIZE], f[PV_MSG_MAX], m3[PV_MSG_MAX];
    size_t n = 0, n3 = 0;
    pv_session s;
    pv_challenge ch;
    randombytes_buf(rnd, sizeof rnd);
    if (connect_retry(&r) == PV_OK && pv_key_hs_start(&s, iss.id, rnd, m1) == PV_OK &&
        pv_sim_radio_send(&r, m1, sizeof m1) == PV_OK &&
        pv_sim_radio_recv(&r, f, sizeof f, &n, 1000) == PV_OK &&
        pv_key_hs_challenge(&s, f, n, &ch, x_sk) == PV_OK &&
        pv_key_hs_present(&s, p, m3, sizeof m3, &n3) == PV_OK &&
        pv_sim_radio_send(&r, m3, n3) == PV_OK) {
        rep = next_report(PV_T_PRESENT);
        if (pv_sim_radio_recv(&r, f, sizeof f, &n, 1000) != PV_OK)
            n = 0; /* a frame too broken to answer gets no answer */
    }
    pv_session_wipe(&s);
    pv_sim_sock_close(&r);
    wait_exit(m);
    return rep;
}

static const char *plain[] = {"--listen", key_path, "--connect", lock_path, NULL};
static const char *recording[] = {"--listen", key_path, "--connect", lock_path,
                                  "--record", rec_path, NULL};

/* A colleague's key C (bearer 71) delivers list v1, recorded; then list v2 naming the
 * thief's key (bearer 70). The attacker replays the recorded session, makes the thief's
 * key carry its own older list by rewriting the challenge, and sends a handshake of its
 * own with the thief's key and v1: the lock keeps v2 and refuses. */
static void attack_revlist(kit_bearer *c, kit_bearer *thief)
{
    uint8_t v1[PV_REVLIST_MAX_SIZE], v2[PV_REVLIST_MAX_SIZE];
    pv_revoked other = {.bearer_id = 99, .revoked_at = KIT_T0 - 7200};
    pv_revoked lost[2] = {{.bearer_id = 70, .revoked_at = KIT_T0}, other};
    size_t v1_len = kit_revlist(&iss, 1, &other, 1, v1);
    size_t v2_len = kit_revlist(&iss, 2, lost, 1, v2);
    CHECK_EQ(pv_key_update(c->sim.key, v1, v1_len, NULL, 0), PV_OK);
    CHECK_EQ(pv_key_update(thief->sim.key, v1, v1_len, NULL, 0), PV_OK);
    pv_key_outcome o;
    CHECK_EQ(key_unlock(c, recording, &o), PV_OK);
    report r = next_report(PV_T_PRESENT);
    CHECK_EQ(r.rc, PV_OK);
    CHECK_EQ(r.revlist_version, 1);
    CHECK_EQ(pv_key_update(c->sim.key, v2, v2_len, NULL, 0), PV_OK);
    CHECK_EQ(key_unlock(c, plain, &o), PV_OK);
    r = next_report(PV_T_PRESENT);
    CHECK_EQ(r.revlist_version, 2);
    uint32_t opens = r.opens;
    /* 1. the recorded session that carried v1, replayed: k1 belongs to the old challenge */
    const char *rep[] = {"--replay", rec_path, "--connect", lock_path, NULL};
    CHECK_EQ(wait_exit(spawn_mitm(rep)), 0);
    r = next_report(PV_T_PRESENT);
    CHECK_EQ(r.rc, PV_E_DECRYPT);
    CHECK_EQ(r.revlist_version, 2);
    /* 2. the challenge's revlist_version (bytes 16..23, here 2) rewritten to 0 so the
     * thief's key attaches its older v1: the transcript no longer matches */
    const char *rew[] = {"--listen", key_path, "--connect", lock_path, "--set-lock", "1:16:0",
                         NULL};
    key_unlock(thief, rew, &o);
    r = next_report(PV_T_PRESENT);
    CHECK_EQ(r.rc, PV_E_DECRYPT);
    CHECK_EQ(r.revlist_version, 2);
    /* 3. the thief's own handshake with its genuine credential and key, carrying v1 */
    uint8_t sib[PV_MERKLE_MAX_DEPTH][PV_HASH_SIZE];
    pv_present p;
    kit_present(thief, 2, &p, sib);
    p.revlist = v1;
    p.revlist_len = (uint16_t)v1_len;
    r = raw_attempt(&p, thief->x_sk);
    CHECK_EQ(r.rc, PV_E_REVOKED);
    CHECK_EQ(r.revlist_version, 2);
    CHECK_EQ(r.opens, opens);
    sleep(2); /* past the backoff the refusals started */
    CHECK_EQ(key_unlock(c, plain, &o), PV_OK); /* the colleague still opens */
}

/* The lock's clock is moved to T0+1 h by a beacon; the thief's credential ended at
 * T0+30 min. Replaying the session that carried an older beacon, and a handshake of the
 * attacker's own carrying that older beacon, must neither move the clock back nor open. */
static void attack_beacon(kit_bearer *c, kit_bearer *thief)
{
    uint8_t b1[PV_BEACON_SIZE], b2[PV_BEACON_SIZE];
    kit_beacon(&iss, KIT_T0 + 100, b1);
    kit_beacon(&iss, KIT_T0 + 3600, b2);
    CHECK_EQ(pv_key_update(c->sim.key, NULL, 0, b1, sizeof b1), PV_OK);
    pv_key_outcome o;
    CHECK_EQ(key_unlock(c, recording, &o), PV_OK);
    report r = next_report(PV_T_PRESENT);
    CHECK_EQ(r.beacon_time, KIT_T0 + 100);
    CHECK_EQ(pv_key_update(c->sim.key, NULL, 0, b2, sizeof b2), PV_OK);
    CHECK_EQ(key_unlock(c, plain, &o), PV_OK);
    r = next_report(PV_T_PRESENT);
    CHECK_EQ(r.beacon_time, KIT_T0 + 3600);
    uint64_t clock = r.clock;
    CHECK(clock >= KIT_T0 + 3600);
    const char *rep[] = {"--replay", rec_path, "--connect", lock_path, NULL};
    CHECK_EQ(wait_exit(spawn_mitm(rep)), 0);
    r = next_report(PV_T_PRESENT);
    CHECK_EQ(r.rc, PV_E_DECRYPT);
    CHECK_EQ(r.beacon_time, KIT_T0 + 3600);
    CHECK(r.clock >= clock);
    CHECK_EQ(kit_issue_window(thief, &iss, 4, KIT_T0 - 3600, KIT_T0 + 1800, KIT_T0 - 3600),
             PV_OK);
    uint8_t sib[PV_MERKLE_MAX_DEPTH][PV_HASH_SIZE];
    pv_present p;
    kit_present(thief, 2, &p, sib);
    p.beacon = b1;
    r = raw_attempt(&p, thief->x_sk);
    CHECK_EQ(r.rc, PV_E_EXPIRED);
    CHECK_EQ(r.beacon_time, KIT_T0 + 3600);
    CHECK(r.clock >= clock);
}

/* Version byte 0 of M1, M3 or M2 rewritten to 0 or 2: there is no other version to fall
 * back to; the lock refuses the frame and nothing opens. */
static void attack_downgrade(kit_bearer *c)
{
    pv_key_outcome o;
    const char *m1[] = {"--listen", key_path, "--connect", lock_path, "--set", "1:0:0", NULL};
    CHECK(key_unlock(c, m1, &o) != PV_OK);
    report r = next_report(PV_T_HELLO);
    CHECK_EQ(r.rc, PV_E_VERSION);
    uint32_t opens = r.opens;
    const char *m3[] = {"--listen", key_path, "--connect", lock_path, "--set", "2:0:2", NULL};
    CHECK(key_unlock(c, m3, &o) != PV_OK);
    r = next_report(PV_T_PRESENT);
    CHECK_EQ(r.rc, PV_E_VERSION);
    const char *m2[] = {"--listen", key_path, "--connect", lock_path, "--set-lock", "1:0:0", NULL};
    CHECK_EQ(key_unlock(c, m2, &o), PV_E_VERSION); /* the key refuses the challenge */
    CHECK_EQ(r.opens, opens);
    sleep(1);
    CHECK_EQ(key_unlock(c, plain, &o), PV_OK);
}

/* Key A's RESULT with the lock's first log batch is suppressed (the mitm drops it, as a
 * key withholding it would). The lock has moved its cursor past those events, so the next
 * batch it hands out starts after them: the server, which checks seq continuity per lock
 * (server ingest, docs/sync.md "gaps"), reports them missing. With `redelivered` the test
 * also demands that a later key brings them after all (issue 11: a lock hands out events
 * until it learns that the server stored them). */
static void attack_batch(kit_bearer *a, kit_bearer *c, int redelivered)
{
    pv_key_outcome o;
    const char *drop[] = {"--listen", key_path, "--connect", lock_path, "--drop-lock", "2", NULL};
    key_unlock(a, drop, &o);
    report r = next_report(PV_T_PRESENT);
    CHECK_EQ(r.rc, PV_OK);
    CHECK(r.cursor > 0); /* the batch went out: the lock counts those events as carried */
    uint32_t suppressed_end = r.cursor;
    uint32_t first_seen = UINT32_MAX;
    for (int i = 0; i < 12 && first_seen == UINT32_MAX; i++) {
        CHECK_EQ(key_unlock(c, plain, &o), PV_OK);
        (void)next_report(PV_T_PRESENT);
        for (uint32_t k = 0; k < pv_key_batch_count(c->sim.key); k++) {
            const uint8_t *bt;
            size_t len;
            pv_logbatch lb;
            if (pv_key_batch_get(c->sim.key, k, &bt, &len) == PV_OK &&
                pv_logbatch_decode(bt, len, &lb) == PV_OK) {
                pv_event ev;
                if (pv_event_decode(lb.events, &ev) == PV_OK && ev.seq < first_seen)
                    first_seen = ev.seq;
            }
        }
    }
    CHECK(first_seen != UINT32_MAX); /* the next key did get a batch */
    if (!redelivered) {
        /* the gap the server reports: seqs [0, suppressed_end) never arrive this way */
        CHECK_EQ(first_seen, suppressed_end);
        fprintf(stderr, "suppressed batch: seqs 0..%u missing at the server (next batch starts at %u)\n",
                suppressed_end - 1, first_seen);
    } else {
        CHECK_EQ(first_seen, 0);
    }
}

int main(int argc, char **argv)
{
    if (argc < 3 || sodium_init() < 0)
        return 2;
    mitm = argv[1];
    const char *which = argv[2];
    kit_issuer_new(&iss, 1);
    snprintf(dir, sizeof dir, "/tmp/pv-attack-XXXXXX");
    if (!mkdtemp(dir))
        return 2;
    snprintf(lock_path, sizeof lock_path, "%s/lock.sock", dir);
    snprintf(key_path, sizeof key_path, "%s/key.sock", dir);
    snprintf(rec_path, sizeof rec_path, "%s/session.rec", dir);
    pv_sim_lock *l = kit_lock_new(kit_lock_id(2), &iss, 1, 100000);
    kit_bearer c, thief;
    CHECK_EQ(kit_bearer_new(&c, 71, 4, 0), PV_OK);
    CHECK_EQ(kit_issue(&c, &iss, 4, NULL, 0, NULL), PV_OK);
    CHECK_EQ(kit_bearer_new(&thief, 70, 4, 0), PV_OK);
    CHECK_EQ(kit_issue(&thief, &iss, 4, NULL, 0, NULL), PV_OK);
    int lfd;
    CHECK_EQ(pv_sim_sock_listen(lock_path, &lfd), PV_OK);
    CHECK_EQ(pipe(reports), 0);
    pid_t lockp = fork();
    if (lockp == 0) {
        close(reports[0]);
        lock_process(l, lfd);
        _exit(0);
    }
    close(reports[1]);
    fcntl(reports[0], F_SETFL, O_NONBLOCK);
    if (!strcmp(which, "revlist"))
        attack_revlist(&c, &thief);
    else if (!strcmp(which, "beacon"))
        attack_beacon(&c, &thief);
    else if (!strcmp(which, "downgrade"))
        attack_downgrade(&c);
    else if (!strcmp(which, "batch-gap") || !strcmp(which, "batch-redelivered"))
        attack_batch(&thief, &c, !strcmp(which, "batch-redelivered"));
    else
        kit_failures++;
    kill(lockp, SIGTERM);
    waitpid(lockp, NULL, 0);
    close(lfd);
    unlink(lock_path);
    unlink(rec_path);
    rmdir(dir);
    kit_bearer_free(&c);
    kit_bearer_free(&thief);
    kit_lock_free(l);
    if (kit_failures)
        fprintf(stderr, "test_mitm_attacks %s: %d failures\n", which, kit_failures);
    return kit_failures != 0;
}
