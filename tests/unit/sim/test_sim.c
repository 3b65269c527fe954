/* The simulated platform itself: NOR semantics and power cuts, clock drift, radio queues,
 * and the socket framing that refuses hostile lengths. */
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "../lock/kit.h"

static void test_flash(void)
{
    static uint8_t mem[4 * 256];
    pv_sim_flash f;
    pv_sim_flash_init(&f, mem, sizeof mem, 256);
    uint8_t b[4] = {0xF0, 0x0F, 0xAA, 0x55}, r[4];
    CHECK_EQ(pv_sim_flash_program(&f, 10, b, 4), PV_OK);
    uint8_t c[4] = {0x3C, 0x3C, 0xFF, 0x00};
    CHECK_EQ(pv_sim_flash_program(&f, 10, c, 4), PV_OK); /* only 1 -> 0 */
    CHECK_EQ(pv_sim_flash_read(&f, 10, r, 4), PV_OK);
    CHECK(r[0] == 0x30 && r[1] == 0x0C && r[2] == 0xAA && r[3] == 0x00);
    CHECK_EQ(pv_sim_flash_erase(&f, 0), PV_OK);
    CHECK_EQ(pv_sim_flash_read(&f, 10, r, 4), PV_OK);
    CHECK(r[0] == 0xFF && r[3] == 0xFF);
    CHECK_EQ(pv_sim_flash_erase(&f, 10), PV_E_FLASH); /* not sector aligned */
    CHECK_EQ(pv_sim_flash_read(&f, sizeof mem - 2, r, 4), PV_E_FLASH);
    /* cut at the 2nd write from now: half of it lands, then everything fails */
    uint8_t z[8] = {0};
    pv_sim_flash_cut_at(&f, 2);
    CHECK_EQ(pv_sim_flash_program(&f, 0, z, 8), PV_OK);
    CHECK_EQ(pv_sim_flash_program(&f, 16, z, 8), PV_E_FLASH);
    CHECK_EQ(pv_sim_flash_read(&f, 16, r, 4), PV_E_FLASH);
    pv_sim_flash_power_on(&f);
    uint8_t t[8];
    CHECK_EQ(pv_sim_flash_read(&f, 16, t, 8), PV_OK);
    CHECK(t[0] == 0 && t[3] == 0 && t[4] == 0xFF && t[7] == 0xFF);
}

static void test_clock(void)
{
    pv_sim_clock c;
    pv_sim_clock_init(&c, 1000);
    c.drift_ppm = 100; /* 100 ppm fast: 8.64 s a day */
    for (int i = 0; i < 24; i++)
        pv_sim_clock_advance(&c, 3600 * 1000);
    CHECK_EQ(pv_sim_clock_unix(&c), 1000 + 86400);
    CHECK_EQ(c.tick_ms, 86400000ull + 8640);
    c.drift_ppm = -50;
    uint64_t t = c.tick_ms;
    pv_sim_clock_advance(&c, 1000000);
    CHECK_EQ(c.tick_ms - t, 1000000 - 50);
}

static void test_radio(void)
{
    pv_sim_radio a, b;
    static pv_sim_queue ab, ba;
    pv_sim_radio_pair(&a, &b, &ab, &ba);
    uint8_t f[3] = {1, 2, 3}, r[PV_MSG_MAX];
    size_t n = 0;
    CHECK_EQ(pv_sim_radio_recv(&b, r, sizeof r, &n, 0), PV_E_TIMEOUT);
    for (unsigned i = 0; i < PV_SIM_RADIO_QUEUE; i++)
        CHECK_EQ(pv_sim_radio_send(&a, f, sizeof f), PV_OK);
    CHECK_EQ(pv_sim_radio_send(&a, f, sizeof f), PV_E_FULL);
    CHECK_EQ(pv_sim_radio_recv(&b, r, sizeof r, &n, 0), PV_OK);
    CHECK(n == 3 && r[2] == 3);
    CHECK_EQ(pv_sim_radio_send(&a, f, 0), PV_E_LENGTH);
    /* socket framing: a hostile length prefix is refused */
    int sv[2];
    CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    uint8_t bad[2] = {0xFF, 0xFF};
    CHECK_EQ(write(sv[0], bad, 2), 2);
    CHECK_EQ(pv_sim_frame_read(sv[1], r, sizeof r, &n, 100), PV_E_LENGTH);
    CHECK_EQ(pv_sim_frame_write(sv[0], f, sizeof f), PV_OK);
    CHECK_EQ(pv_sim_frame_read(sv[1], r, sizeof r, &n, 100), PV_OK);
    CHECK_EQ(n, 3);
    CHECK_EQ(pv_sim_frame_read(sv[1], r, sizeof r, &n, 50), PV_E_TIMEOUT);
    close(sv[0]);
    CHECK_EQ(pv_sim_frame_read(sv[1], r, sizeof r, &n, 50), PV_E_IO);
    close(sv[1]);
    /* a hostile peer: a frame cut short (stalling, then hanging up), and a peer that is
     * gone when we write (PV_E_IO, not SIGPIPE killing the process) */
    CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    uint8_t part[52] = {100, 0};
    CHECK_EQ(write(sv[0], part, sizeof part), (ssize_t)sizeof part);
    CHECK_EQ(pv_sim_frame_read(sv[1], r, sizeof r, &n, 50), PV_E_TRUNCATED);
    close(sv[0]);
    CHECK_EQ(pv_sim_frame_write(sv[1], f, sizeof f), PV_E_IO);
    close(sv[1]);
    /* a length prefix split across two writes, polled with timeout 0: the reader must
     * not give up between the two bytes (it would read every later frame out of step) */
    CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    uint8_t first = 3;
    CHECK_EQ(write(sv[0], &first, 1), 1);
    pid_t pid = fork();
    if (pid == 0) {
        struct timespec ts = {0, 100 * 1000000L};
        nanosleep(&ts, NULL);
        uint8_t rest[4] = {0, 7, 8, 9};
        _exit(write(sv[0], rest, sizeof rest) == (ssize_t)sizeof rest ? 0 : 1);
    }
    CHECK(pid > 0);
    n = 0;
    CHECK_EQ(pv_sim_frame_read(sv[1], r, sizeof r, &n, 0), PV_OK);
    CHECK(n == 3 && r[0] == 7 && r[2] == 9);
    int status = 0;
    if (pid > 0)
        waitpid(pid, &status, 0);
    close(sv[0]);
    close(sv[1]);
    /* in-process: a frame larger than the receiver's buffer is dropped, not stuck */
    CHECK_EQ(pv_sim_radio_send(&a, f, sizeof f), PV_OK);
    while (pv_sim_radio_recv(&b, r, sizeof r, &n, 0) == PV_OK)
        ;
    CHECK_EQ(pv_sim_radio_send(&a, f, sizeof f), PV_OK);
    CHECK_EQ(pv_sim_radio_send(&a, f, 2), PV_OK);
    CHECK_EQ(pv_sim_radio_recv(&b, r, 2, &n, 0), PV_E_BUFSIZE);
    CHECK_EQ(pv_sim_radio_recv(&b, r, 2, &n, 0), PV_OK);
    CHECK_EQ(n, 2);
}

/* The lock ops run over the radio too: pv_lock_poll() answers a HELLO from the queue. */
static void test_poll(void)
{
    kit_issuer iss;
    kit_issuer_new(&iss, 1);
    pv_sim_lock *l = kit_lock_new(1003, &iss, 1, 5000);
    pv_sim_radio key;
    static pv_sim_queue kl, lk;
    pv_sim_radio_pair(&key, &l->radio, &kl, &lk);
    CHECK_EQ(pv_lock_poll(l->lock), PV_E_TIMEOUT);
    kit_bearer b;
    CHECK_EQ(kit_bearer_new(&b, 5, 4, 0), PV_OK);
    CHECK_EQ(kit_issue(&b, &iss, 4, NULL, 0, NULL), PV_OK);
    uint8_t m[PV_MSG_MAX], m3[PV_MSG_MAX];
    size_t n = 0, n3 = 0;
    pv_key_confirm(b.sim.key);
    CHECK_EQ(pv_key_unlock_start(b.sim.key, m), PV_OK);
    CHECK_EQ(pv_sim_radio_send(&key, m, PV_HELLO_SIZE), PV_OK);
    CHECK_EQ(pv_lock_poll(l->lock), PV_OK);
    CHECK_EQ(pv_sim_radio_recv(&key, m, sizeof m, &n, 0), PV_OK);
    CHECK_EQ(pv_key_on_challenge(b.sim.key, m, n, m3, sizeof m3, &n3), PV_OK);
    CHECK_EQ(pv_sim_radio_send(&key, m3, n3), PV_OK);
    CHECK_EQ(pv_lock_poll(l->lock), PV_OK);
    CHECK_EQ(pv_sim_radio_recv(&key, m, sizeof m, &n, 0), PV_OK);
    pv_key_outcome o;
    CHECK_EQ(pv_key_on_result(b.sim.key, m, n, &o), PV_OK);
    CHECK(strcmp(o.message, "opened") == 0);
    CHECK_EQ(l->motor_opens, 1);
    kit_bearer_free(&b);
    kit_lock_free(l);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    test_flash();
    test_clock();
    test_radio();
    test_poll();
    if (kit_failures)
        fprintf(stderr, "test_sim: %d failures\n", kit_failures);
    return kit_failures != 0;
}
