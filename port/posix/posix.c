/* The POSIX lock and key: pv_lock_ops / pv_key_ops over the host's monotonic and wall
 * clocks, getrandom(), the flash image file and a stream radio. */
#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "portvakt/posix.h"

#define POSIX_BATTERY_MV 5600u /* a host on mains power reports a full battery */

/* ------------------------------------------------------------------ clock and randomness */

uint64_t pv_posix_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

uint64_t pv_posix_wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ts.tv_sec > 0 ? (uint64_t)ts.tv_sec : 0;
}

int pv_posix_random(uint8_t *out, size_t len)
{
    while (len > 0) {
        ssize_t r = getrandom(out, len, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return PV_E_CRYPTO;
        out += r;
        len -= (size_t)r;
    }
    return PV_OK;
}

/* ------------------------------------------------------------------ lock ops */

static uint64_t l_tick(void *ctx)
{
    return pv_posix_mono_ms() - ((pv_posix_lock *)ctx)->boot_ms;
}
static int host_random(void *ctx, uint8_t *out, size_t len)
{
    (void)ctx;
    return pv_posix_random(out, len);
}
static int l_read(void *ctx, uint32_t addr, uint8_t *out, size_t len)
{
    return pv_posix_flash_read(&((pv_posix_lock *)ctx)->flash, addr, out, len);
}
static int l_program(void *ctx, uint32_t addr, const uint8_t *in, size_t len)
{
    return pv_posix_flash_program(&((pv_posix_lock *)ctx)->flash, addr, in, len);
}
static int l_erase(void *ctx, uint32_t addr)
{
    return pv_posix_flash_erase(&((pv_posix_lock *)ctx)->flash, addr);
}
static void l_motor(void *ctx)
{
    ((pv_posix_lock *)ctx)->motor_opens++;
}
static uint16_t l_battery(void *ctx)
{
    return ((pv_posix_lock *)ctx)->battery_mv;
}
static int l_send(void *ctx, const uint8_t *frame, size_t len)
{
    pv_posix_lock *p = ctx;
    return p->radio_fd < 0 ? PV_E_IO : pv_posix_frame_write(p->radio_fd, frame, len);
}
static int l_recv(void *ctx, uint8_t *frame, size_t cap, size_t *len)
{
    pv_posix_lock *p = ctx;
    if (p->radio_fd < 0)
        return PV_E_TIMEOUT;
    return pv_posix_frame_read(p->radio_fd, frame, cap, len, p->recv_timeout_ms);
}

int pv_posix_lock_open(pv_posix_lock *p, const char *flash_path, int create)
{
    memset(p, 0, sizeof *p);
    p->radio_fd = -1;
    p->battery_mv = POSIX_BATTERY_MV;
    p->ops = (pv_lock_ops){.ctx = p, .tick_ms = l_tick, .random = host_random,
                           .flash_read = l_read, .flash_program = l_program,
                           .flash_erase = l_erase, .motor_open = l_motor,
                           .battery_mv = l_battery, .radio_send = l_send, .radio_recv = l_recv};
    int rc = pv_posix_flash_open(&p->flash, flash_path, create);
    if (rc != PV_OK)
        return rc;
    p->boot_ms = pv_posix_mono_ms();
    rc = pv_lock_boot(p->mem, sizeof p->mem, &p->ops, &p->lock);
    if (rc != PV_OK)
        pv_posix_flash_close(&p->flash);
    return rc;
}

void pv_posix_lock_close(pv_posix_lock *p)
{
    if (p->radio_fd >= 0)
        close(p->radio_fd);
    p->radio_fd = -1;
    pv_posix_flash_close(&p->flash);
    p->lock = NULL;
}

/* ------------------------------------------------------------------ key ops */

static uint64_t k_tick(void *ctx)
{
    return pv_posix_mono_ms() - ((pv_posix_key *)ctx)->boot_ms;
}
static uint64_t k_now(void *ctx)
{
    (void)ctx;
    return pv_posix_wall_s();
}

int pv_posix_key_init(pv_posix_key *p, void *mem, size_t size, uint32_t max_rights,
                      const uint8_t sign_sk[PV_SIGN_SK_SIZE])
{
    memset(p, 0, sizeof *p);
    p->boot_ms = pv_posix_mono_ms();
    p->ops = (pv_key_ops){.ctx = p, .tick_ms = k_tick, .now_s = k_now, .random = host_random};
    return pv_key_init(mem, size, max_rights, &p->ops, sign_sk, &p->key);
}
