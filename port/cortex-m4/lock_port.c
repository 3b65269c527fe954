/* pv_lock_ops for the MPS2-AN386 (see lock_port.h). */
#include <string.h>

#include "lock_port.h"

static uint64_t m_tick(void *ctx)
{
    return pv_m4_ms() - ((pv_m4_lock *)ctx)->tick0;
}
static int m_random(void *ctx, uint8_t *out, size_t len)
{
    (void)ctx;
    return pv_m4_random(out, len);
}
static int m_read(void *ctx, uint32_t addr, uint8_t *out, size_t len)
{
    return pv_sim_flash_read(&((pv_m4_lock *)ctx)->flash, addr, out, len);
}
static int m_program(void *ctx, uint32_t addr, const uint8_t *in, size_t len)
{
    return pv_sim_flash_program(&((pv_m4_lock *)ctx)->flash, addr, in, len);
}
static int m_erase(void *ctx, uint32_t addr)
{
    return pv_sim_flash_erase(&((pv_m4_lock *)ctx)->flash, addr);
}
static void m_motor(void *ctx)
{
    pv_m4_lock *m = ctx;
    m->motor_opens++;
    m->motor_until = pv_m4_ms() + PV_M4_MOTOR_HOLD_MS;
    pv_m4_motor(1);
}
static uint16_t m_battery(void *ctx)
{
    (void)ctx;
    return 5600; /* the board has no battery ADC: 4 x AA lithium, fresh */
}

static int m_send(void *ctx, const uint8_t *frame, size_t len)
{
    (void)ctx;
    if (len == 0 || len > PV_MSG_MAX)
        return PV_E_LENGTH;
    pv_m4_uart_putc((uint8_t)(len & 0xFF));
    pv_m4_uart_putc((uint8_t)(len >> 8));
    for (size_t i = 0; i < len; i++)
        pv_m4_uart_putc(frame[i]);
    return PV_OK;
}

/* The next UART byte, waiting up to PV_M4_UART_GAP_MS; -1 when the line stays silent. */
static int getc_within_gap(void)
{
    uint64_t until = pv_m4_ms() + PV_M4_UART_GAP_MS;
    int c;
    while ((c = pv_m4_uart_getc()) < 0)
        if (pv_m4_ms() >= until)
            return -1;
    return c;
}

/* PV_E_TIMEOUT when no byte waits; else the whole frame, read straight into the core's
 * buffer (no second frame buffer in RAM): a frame starts with its length and its bytes
 * follow at line speed. A frame longer than PV_MSG_MAX is read and dropped (PV_E_LENGTH,
 * as the socket radio refuses it); one that stops half-way is dropped (PV_E_TRUNCATED). */
static int m_recv(void *ctx, uint8_t *frame, size_t cap, size_t *len)
{
    (void)ctx;
    int lo = pv_m4_uart_getc();
    if (lo < 0)
        return PV_E_TIMEOUT;
    int hi = getc_within_gap();
    if (hi < 0)
        return PV_E_TRUNCATED;
    size_t n = (size_t)lo | (size_t)hi << 8;
    if (n == 0)
        return PV_E_LENGTH;
    for (size_t i = 0; i < n; i++) {
        int c = getc_within_gap();
        if (c < 0)
            return PV_E_TRUNCATED;
        if (i < cap)
            frame[i] = (uint8_t)c;
    }
    if (n > PV_MSG_MAX)
        return PV_E_LENGTH;
    if (n > cap)
        return PV_E_BUFSIZE;
    *len = n;
    return PV_OK;
}

void pv_m4_lock_init(pv_m4_lock *m)
{
    memset(m, 0, sizeof *m);
    m->flash = (pv_sim_flash){.mem = (uint8_t *)(uintptr_t)PV_M4_NOR_BASE,
                              .size = PV_LOCK_FLASH_SIZE, .sector = PV_LOCK_FLASH_SECTOR,
                              .powered = 1};
    uint32_t cut = *(const volatile uint32_t *)(uintptr_t)PV_M4_PARAM_CUT;
    if (cut != 0)
        pv_sim_flash_cut_at(&m->flash, cut);
    m->ops = (pv_lock_ops){.ctx = m, .tick_ms = m_tick, .random = m_random,
                           .flash_read = m_read, .flash_program = m_program,
                           .flash_erase = m_erase, .motor_open = m_motor,
                           .battery_mv = m_battery, .radio_send = m_send, .radio_recv = m_recv};
}

int pv_m4_lock_boot(pv_m4_lock *m)
{
    if (pv_lock_ctx_size() > sizeof m->mem)
        return PV_E_NOMEM;
    pv_sim_flash_power_on(&m->flash);
    m->tick0 = pv_m4_ms();
    return pv_lock_boot(m->mem, sizeof m->mem, &m->ops, &m->lock);
}

void pv_m4_lock_service(pv_m4_lock *m)
{
    if (m->motor_until != 0 && pv_m4_ms() >= m->motor_until) {
        m->motor_until = 0;
        pv_m4_motor(0);
    }
}
