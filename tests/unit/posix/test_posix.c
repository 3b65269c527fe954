/* The POSIX port (port/posix): the flash file keeps NOR semantics and survives a
 * restart, the clocks and getrandom work, frames cross a socket and a pseudo-terminal
 * serial line, and a lock on this port opens for a valid key through pv_lock_poll(). */
#define _GNU_SOURCE 1 /* posix_openpt/ptsname on a pty for the serial test */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sodium.h>

#include "../lock/kit.h"
#include "portvakt/posix.h"

static char dir[] = "/tmp/pv-posix-XXXXXX";

static void flash_path(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", dir, name);
}

static void test_flash(void)
{
    char p[128];
    flash_path(p, sizeof p, "f.flash");
    pv_posix_flash f;
    CHECK_EQ(pv_posix_flash_open(&f, p, 0), PV_E_NOT_FOUND);
    CHECK_EQ(pv_posix_flash_open(&f, p, 1), PV_OK);
    uint8_t r[4], b[4] = {0xF0, 0x0F, 0xAA, 0x55}, c[4] = {0x3C, 0x3C, 0xFF, 0x00};
    CHECK_EQ(pv_posix_flash_read(&f, 10, r, 4), PV_OK);
    CHECK(r[0] == 0xFF && r[3] == 0xFF); /* a new image is erased */
    CHECK_EQ(pv_posix_flash_program(&f, 10, b, 4), PV_OK);
    CHECK_EQ(pv_posix_flash_program(&f, 10, c, 4), PV_OK); /* only 1 -> 0 */
    pv_posix_flash_close(&f);
    CHECK_EQ(pv_posix_flash_open(&f, p, 1), PV_E_IO); /* never overwrites an image */
    CHECK_EQ(pv_posix_flash_open(&f, p, 0), PV_OK);   /* what was programmed is on disk */
    CHECK_EQ(pv_posix_flash_read(&f, 10, r, 4), PV_OK);
    CHECK(r[0] == 0x30 && r[1] == 0x0C && r[2] == 0xAA && r[3] == 0x00);
    CHECK_EQ(pv_posix_flash_erase(&f, 0), PV_OK);
    CHECK_EQ(pv_posix_flash_read(&f, 10, r, 4), PV_OK);
    CHECK(r[0] == 0xFF && r[3] == 0xFF);
    CHECK_EQ(pv_posix_flash_erase(&f, 10), PV_E_FLASH); /* not sector aligned */
    CHECK_EQ(pv_posix_flash_read(&f, PV_LOCK_FLASH_SIZE - 2, r, 4), PV_E_FLASH);
    CHECK_EQ(pv_posix_flash_program(&f, PV_LOCK_FLASH_SIZE, b, 1), PV_E_FLASH);
    pv_posix_flash_close(&f);
    CHECK_EQ(truncate(p, 100), 0);
    CHECK_EQ(pv_posix_flash_open(&f, p, 0), PV_E_LENGTH);
    unlink(p);
}

static void test_clock_random(void)
{
    uint64_t a = pv_posix_mono_ms();
    usleep(20000);
    CHECK(pv_posix_mono_ms() >= a + 15);
    CHECK(pv_posix_wall_s() > KIT_T0 - 365 * 86400ull); /* the host's clock is set */
    uint8_t x[32] = {0}, y[32] = {0}, z[32] = {0};
    CHECK_EQ(pv_posix_random(x, sizeof x), PV_OK);
    CHECK_EQ(pv_posix_random(y, sizeof y), PV_OK);
    CHECK(memcmp(x, y, 32) != 0 && memcmp(x, z, 32) != 0);
}

static void frame_round_trip(int a, int b)
{
    uint8_t in[PV_MSG_MAX], out[3] = {1, 2, 3};
    size_t n = 0;
    CHECK_EQ(pv_posix_frame_read(b, in, sizeof in, &n, 0), PV_E_TIMEOUT);
    CHECK_EQ(pv_posix_frame_write(a, out, sizeof out), PV_OK);
    CHECK_EQ(pv_posix_frame_read(b, in, sizeof in, &n, 1000), PV_OK);
    CHECK(n == 3 && memcmp(in, out, 3) == 0);
    CHECK_EQ(pv_posix_frame_write(a, out, 0), PV_E_LENGTH);
    CHECK_EQ(pv_posix_frame_write(a, in, PV_MSG_MAX + 1), PV_E_LENGTH);
    const uint8_t hostile[2] = {0xFF, 0xFF}; /* a length no frame may have */
    CHECK_EQ(write(a, hostile, 2), 2);
    CHECK_EQ(pv_posix_frame_read(b, in, sizeof in, &n, 1000), PV_E_LENGTH);
}

static void test_radio(void)
{
    int sv[2];
    CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    frame_round_trip(sv[0], sv[1]);
    close(sv[1]);
    uint8_t one[1] = {7};
    CHECK_EQ(pv_posix_frame_write(sv[0], one, 1), PV_E_IO); /* hung up: no SIGPIPE */
    close(sv[0]);

    int m = posix_openpt(O_RDWR | O_NOCTTY), s = -1;
    CHECK(m >= 0 && grantpt(m) == 0 && unlockpt(m) == 0);
    CHECK_EQ(pv_posix_serial_open(ptsname(m), &s), PV_OK);
    frame_round_trip(m, s); /* raw mode: binary bytes arrive as sent */
    close(s);
    close(m);
    CHECK_EQ(pv_posix_serial_open("/nonexistent/tty", &s), PV_E_IO);
}

static void commission(pv_posix_lock *pl, const kit_issuer *is)
{
    pv_lock_setup c;
    memset(&c, 0, sizeof c);
    c.lock_id = kit_lock_id(0);
    uint8_t pk[PV_PK_SIZE];
    crypto_sign_keypair(pk, c.lock_sk);
    c.time = KIT_T0;
    c.nissuers = 1;
    c.issuers[0].issuer_id = is->id;
    memcpy(c.issuers[0].pk, is->pk, PV_PK_SIZE);
    c.issuers[0].nscopes = 1;
    c.issuers[0].scopes[0] = (pv_lock_scope){1, UINT32_MAX};
    CHECK_EQ(pv_lock_commission(pl->lock, &c), PV_OK);
}

/* M1..M4 between a simulated key and the POSIX lock over a socket pair. */
static int unlock_over_socket(kit_bearer *b, pv_posix_lock *pl)
{
    int sv[2];
    CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    pl->radio_fd = sv[1];
    pl->recv_timeout_ms = 1000;
    uint8_t m1[PV_HELLO_SIZE], m2[PV_MSG_MAX], m3[PV_MSG_MAX], m4[PV_MSG_MAX];
    size_t n2 = 0, n3 = 0, n4 = 0;
    pv_key_confirm(b->sim.key);
    CHECK_EQ(pv_key_unlock_start(b->sim.key, m1), PV_OK);
    CHECK_EQ(pv_posix_frame_write(sv[0], m1, sizeof m1), PV_OK);
    CHECK_EQ(pv_lock_poll(pl->lock), PV_OK);
    CHECK_EQ(pv_posix_frame_read(sv[0], m2, sizeof m2, &n2, 1000), PV_OK);
    CHECK_EQ(pv_key_on_challenge(b->sim.key, m2, n2, m3, sizeof m3, &n3), PV_OK);
    CHECK_EQ(pv_posix_frame_write(sv[0], m3, n3), PV_OK);
    int decision = pv_lock_poll(pl->lock);
    CHECK_EQ(pv_posix_frame_read(sv[0], m4, sizeof m4, &n4, 1000), PV_OK);
    pv_key_outcome o;
    CHECK_EQ(pv_key_on_result(b->sim.key, m4, n4, &o), decision);
    CHECK_EQ(pv_lock_poll(pl->lock), PV_E_TIMEOUT); /* nothing more waiting */
    close(sv[0]);
    close(sv[1]);
    pl->radio_fd = -1;
    return decision;
}

static void test_lock_on_posix(void)
{
    char p[128];
    flash_path(p, sizeof p, "lock.flash");
    kit_issuer is;
    kit_issuer_new(&is, 1);
    static pv_posix_lock pl;
    CHECK_EQ(pv_posix_lock_open(&pl, p, 1), PV_OK);
    pv_lock_info info;
    pv_lock_get_info(pl.lock, &info);
    CHECK_EQ(info.state, PV_LOCK_UNCOMMISSIONED);
    commission(&pl, &is);
    pv_posix_lock_close(&pl); /* power off: only the file remains */

    CHECK_EQ(pv_posix_lock_open(&pl, p, 0), PV_OK);
    pv_lock_get_info(pl.lock, &info);
    CHECK_EQ(info.state, PV_LOCK_IDLE);
    kit_bearer b;
    CHECK_EQ(kit_bearer_new(&b, 42, 8, 0), PV_OK);
    CHECK_EQ(kit_issue(&b, &is, 1, NULL, 0, NULL), PV_OK);
    CHECK_EQ(unlock_over_socket(&b, &pl), PV_OK);
    CHECK_EQ(pl.motor_opens, 1);
    pv_lock_get_info(pl.lock, &info);
    uint32_t next = info.next_seq;
    pv_posix_lock_close(&pl);

    CHECK_EQ(pv_posix_lock_open(&pl, p, 0), PV_OK); /* the log survived too */
    pv_lock_get_info(pl.lock, &info);
    CHECK(info.next_seq > next); /* every event kept, plus this boot's */
    pv_event ev;
    uint8_t chain[PV_HASH_SIZE];
    CHECK_EQ(pv_lock_event(pl.lock, next - 1, &ev, chain), PV_OK);
    CHECK_EQ(ev.kind, PV_EV_OPEN);
    pv_posix_lock_close(&pl);
    kit_bearer_free(&b);
    unlink(p);
}

int main(void)
{
    if (sodium_init() < 0 || !mkdtemp(dir))
        return 1;
    test_flash();
    test_clock_random();
    test_radio();
    test_lock_on_posix();
    rmdir(dir);
    if (kit_failures)
        fprintf(stderr, "%d check(s) failed\n", kit_failures);
    return kit_failures ? 1 : 0;
}
