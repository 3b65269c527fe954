/* The lock firmware: boots the lock core from the emulated NOR flash and serves the unlock
 * exchange on UART0 until the host stops the board. A flash write that loses power (the
 * host's cut parameter) reboots the core from what the flash then holds. Console lines on
 * semihosting say what the lock decided, like `portvakt lock-serve`. */
#include <stdlib.h>

#include <sodium.h>

#include "lock_port.h"

static pv_m4_lock m;

static void boot(void)
{
    int rc = pv_m4_lock_boot(&m);
    if (rc != PV_OK) {
        pv_m4_puts("lock does not boot: ");
        pv_m4_puts(pv_strerror(rc));
        pv_m4_puts("\n");
        pv_m4_exit(1);
    }
    pv_lock_info i;
    pv_lock_get_info(m.lock, &i);
    pv_m4_put_u32("lock ready, id", i.lock_id);
    pv_m4_put_u32("lock ctx_bytes", (uint32_t)pv_lock_ctx_size());
}

/* One line per decided PRESENT: "lock: opened" or the refusal, and the stack high water. */
static void report(const pv_lock_info *before)
{
    pv_lock_info i;
    pv_lock_get_info(m.lock, &i);
    if (i.opens == before->opens && i.denials == before->denials)
        return;
    pv_m4_puts(i.opens != before->opens ? "lock: opened\n" : "lock: refused: ");
    if (i.opens == before->opens) {
        pv_m4_puts(pv_strerror(i.last_decision));
        pv_m4_puts("\n");
    }
    pv_m4_put_u32("lock stack_peak_bytes", (uint32_t)pv_m4_stack_peak());
}

int main(void)
{
    pv_m4_rng_init();
    if (sodium_init() < 0)
        return 1;
    pv_m4_timer_start();
    pv_m4_uart_init();
    pv_m4_lock_init(&m);
    boot();
    uint64_t next_refresh = pv_m4_ms() + 1000;
    for (;;) {
        pv_lock_info before;
        pv_lock_get_info(m.lock, &before);
        int rc = pv_lock_poll(m.lock);
        if (rc != PV_E_TIMEOUT)
            report(&before);
        if (!m.flash.powered) {
            pv_m4_puts("lock: power lost during a flash write, rebooting\n");
            boot();
        }
        if (pv_m4_ms() >= next_refresh) {
            next_refresh = pv_m4_ms() + 1000;
            if (pv_lock_refresh(m.lock) != PV_OK)
                pv_m4_puts("lock: refresh failed (flash), retried in a second\n");
        }
        pv_m4_lock_service(&m);
    }
}
