/* A simulated lock and key: pv_lock_ops / pv_key_ops over the virtual clock, flash,
 * radio, motor and battery, and a one-call unlock for tests and benchmarks. */
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "portvakt/sim.h"

static void sim_random(uint64_t *state, uint8_t *out, size_t len)
{
    if (*state == 0) {
        randombytes_buf(out, len);
        return;
    }
    uint8_t seed[randombytes_SEEDBYTES] = {0};
    for (int i = 0; i < 8; i++)
        seed[i] = (uint8_t)(*state >> (8 * i));
    (*state)++;
    randombytes_buf_deterministic(out, len, seed);
}

/* ------------------------------------------------------------------ lock ops */

static uint64_t l_tick(void *ctx)
{
    return ((pv_sim_lock *)ctx)->clock.tick_ms;
}
static int l_random(void *ctx, uint8_t *out, size_t len)
{
    sim_random(&((pv_sim_lock *)ctx)->rng_state, out, len);
    return PV_OK;
}
static int l_read(void *ctx, uint32_t addr, uint8_t *out, size_t len)
{
    return pv_sim_flash_read(&((pv_sim_lock *)ctx)->flash, addr, out, len);
}
static int l_program(void *ctx, uint32_t addr, const uint8_t *in, size_t len)
{
    return pv_sim_flash_program(&((pv_sim_lock *)ctx)->flash, addr, in, len);
}
static int l_erase(void *ctx, uint32_t addr)
{
    return pv_sim_flash_erase(&((pv_sim_lock *)ctx)->flash, addr);
}
static void l_motor(void *ctx)
{
    ((pv_sim_lock *)ctx)->motor_opens++;
}
static uint16_t l_battery(void *ctx)
{
    return ((pv_sim_lock *)ctx)->battery_mv;
}
static int l_send(void *ctx, const uint8_t *frame, size_t len)
{
    return pv_sim_radio_send(&((pv_sim_lock *)ctx)->radio, frame, len);
}
static int l_recv(void *ctx, uint8_t *frame, size_t cap, size_t *len)
{
    return pv_sim_radio_recv(&((pv_sim_lock *)ctx)->radio, frame, cap, len, 0);
}

void pv_sim_lock_init(pv_sim_lock *s, uint64_t unix_s, uint64_t seed)
{
    memset(s, 0, sizeof *s);
    pv_sim_clock_init(&s->clock, unix_s);
    pv_sim_flash_init(&s->flash, s->flash_mem, PV_LOCK_FLASH_SIZE, PV_LOCK_FLASH_SECTOR);
    s->radio.fd = -1;
    s->battery_mv = 5600;
    s->rng_state = seed;
    s->ops = (pv_lock_ops){.ctx = s, .tick_ms = l_tick, .random = l_random,
                           .flash_read = l_read, .flash_program = l_program,
                           .flash_erase = l_erase, .motor_open = l_motor,
                           .battery_mv = l_battery, .radio_send = l_send, .radio_recv = l_recv};
}

int pv_sim_lock_boot(pv_sim_lock *s)
{
    s->clock.tick_ms = 0;
    pv_sim_flash_power_on(&s->flash);
    s->ops.ctx = s; /* the struct may have been copied */
    return pv_lock_boot(s->mem, sizeof s->mem, &s->ops, &s->lock);
}

/* ------------------------------------------------------------------ key ops */

static uint64_t k_tick(void *ctx)
{
    return ((pv_sim_key *)ctx)->clock.tick_ms;
}
static uint64_t k_now(void *ctx)
{
    return pv_sim_clock_unix(&((pv_sim_key *)ctx)->clock);
}
static int k_random(void *ctx, uint8_t *out, size_t len)
{
    sim_random(&((pv_sim_key *)ctx)->rng_state, out, len);
    return PV_OK;
}

int pv_sim_key_init(pv_sim_key *s, void *mem, size_t size, uint32_t max_rights,
                    const uint8_t sign_sk[PV_SIGN_SK_SIZE], uint64_t unix_s, uint64_t seed)
{
    memset(s, 0, sizeof *s);
    pv_sim_clock_init(&s->clock, unix_s);
    s->rng_state = seed;
    s->mem = mem;
    s->ops = (pv_key_ops){.ctx = s, .tick_ms = k_tick, .now_s = k_now, .random = k_random};
    return pv_key_init(mem, size, max_rights, &s->ops, sign_sk, &s->key);
}

/* ------------------------------------------------------------------ one unlock */

static uint64_t cpu_ns(void)
{
#ifdef CLOCK_THREAD_CPUTIME_ID
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
#else
    return 0; /* no CPU clock (the Cortex-M4 tests count instructions instead) */
#endif
}

static int lock_step(pv_sim_lock *l, const uint8_t *in, size_t n, uint8_t *out, size_t *outlen,
                     pv_sim_unlock_stats *st)
{
    uint64_t t0 = cpu_ns();
    int rc = pv_lock_handle(l->lock, in, n, out, PV_MSG_MAX, outlen);
    st->lock_ns += cpu_ns() - t0;
    return rc;
}

int pv_sim_unlock(pv_sim_key *k, pv_sim_lock *l, uint32_t delay_ms, pv_sim_unlock_stats *st)
{
    pv_sim_unlock_stats local;
    if (!st)
        st = &local;
    memset(st, 0, sizeof *st);
    uint8_t m1[PV_HELLO_SIZE], m2[PV_MSG_MAX], m3[PV_MSG_MAX], m4[PV_MSG_MAX];
    size_t n2 = 0, n3 = 0, n4 = 0;
    pv_key_confirm(k->key);
    int rc = pv_key_unlock_start(k->key, m1);
    if (rc != PV_OK)
        return st->key_status = rc;
    st->m1 = sizeof m1;
    st->lock_decision = lock_step(l, m1, sizeof m1, m2, &n2, st);
    if (n2 == 0) {
        pv_key_abort(k->key, PV_E_TIMEOUT);
        return st->key_status = PV_E_TIMEOUT;
    }
    st->m2 = n2;
    st->round_trips = 1;
    pv_sim_clock_advance(&k->clock, delay_ms);
    pv_sim_clock_advance(&l->clock, delay_ms);
    rc = pv_key_on_challenge(k->key, m2, n2, m3, sizeof m3, &n3);
    if (n3 == 0)
        return st->key_status = rc;
    st->m3 = n3;
    st->lock_decision = lock_step(l, m3, n3, m4, &n4, st);
    if (n4 == 0) {
        pv_key_abort(k->key, PV_E_TIMEOUT);
        return st->key_status = PV_E_TIMEOUT;
    }
    st->m4 = n4;
    st->round_trips = 2;
    pv_key_outcome o;
    return st->key_status = pv_key_on_result(k->key, m4, n4, &o);
}
