/* Board drivers for the MPS2-AN386 (CMSDK APB UART, timer and GPIO; ARM semihosting) and the
 * seeded random stand-in. Register offsets: ARM CMSDK technical reference (DDI 0479). */
#include <string.h>

#include <sodium.h>

#include "board.h"

#define REG(a) (*(volatile uint32_t *)(uintptr_t)(a))

#define UART0 0x40004000u /* DATA 0, STATE 4 (b0 tx full, b1 rx full), CTRL 8, BAUDDIV 0x10 */
#define TIMER0 0x40000000u /* CTRL 0, VALUE 4, RELOAD 8, INTCLEAR 0xC */
#define GPIO0 0x40010000u /* DATAOUT 4, OUTENSET 0x10 */
#define NVIC_ISER0 0xE000E100u
#define SYSCLK_HZ 25000000u

static int semihost(int op, const void *arg)
{
    register int r0 __asm("r0") = op;
    register const void *r1 __asm("r1") = arg;
    __asm volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

void pv_m4_puts(const char *s)
{
    semihost(0x04, s); /* SYS_WRITE0 */
}

void pv_m4_put_u32(const char *label, uint32_t v)
{
    char buf[64], digits[12];
    size_t n = 0, d = 0;
    while (*label && n < sizeof buf - 14)
        buf[n++] = *label++;
    buf[n++] = '=';
    do
        digits[d++] = (char)('0' + v % 10u);
    while ((v /= 10u) != 0);
    while (d > 0)
        buf[n++] = digits[--d];
    buf[n++] = '\n';
    buf[n] = 0;
    pv_m4_puts(buf);
}

void pv_m4_exit(int code)
{
    /* SYS_EXIT_EXTENDED: reason ADP_Stopped_ApplicationExit with the exit code */
    uint32_t block[2] = {0x20026u, (uint32_t)code};
    for (;;)
        semihost(0x20, block);
}

static volatile uint64_t ticks_ms;

void pv_m4_timer0_irq(void);
void pv_m4_timer0_irq(void)
{
    REG(TIMER0 + 0xC) = 1;
    ticks_ms++;
}

void pv_m4_timer_start(void)
{
    REG(TIMER0 + 0x8) = SYSCLK_HZ / 1000u - 1u;
    REG(TIMER0 + 0x4) = SYSCLK_HZ / 1000u - 1u;
    REG(TIMER0 + 0x0) = 0x9; /* enable + interrupt */
    REG(NVIC_ISER0) = 1u << 8;
}

uint64_t pv_m4_ms(void)
{
    uint64_t a, b;
    do { /* a 64-bit read is two loads: re-read if the interrupt came between them */
        a = ticks_ms;
        b = ticks_ms;
    } while (a != b);
    return a;
}

void pv_m4_uart_init(void)
{
    REG(UART0 + 0x10) = 16; /* the smallest divisor the UART accepts; QEMU ignores speed */
    REG(UART0 + 0x8) = 0x3; /* tx + rx enable */
}

int pv_m4_uart_getc(void)
{
    if ((REG(UART0 + 0x4) & 2u) == 0)
        return -1;
    return (int)(REG(UART0) & 0xFFu);
}

void pv_m4_uart_putc(uint8_t c)
{
    while (REG(UART0 + 0x4) & 1u)
        ;
    REG(UART0) = c;
}

void pv_m4_motor(int on)
{
    REG(GPIO0 + 0x10) = 1u;
    REG(GPIO0 + 0x4) = on ? 1u : 0u;
}

/* ------------------------------------------------------------------ TRNG stand-in */

#define RNG_SEED_BYTES 32u
static uint8_t rng_seed[RNG_SEED_BYTES];
static uint64_t rng_counter;

int pv_m4_random(uint8_t *out, size_t len)
{
    /* one fresh ChaCha20 stream per request under H(seed, counter) (never reused in a
     * run); the zero nonce is safe because no key repeats */
    static const uint8_t nonce[crypto_stream_chacha20_ietf_NONCEBYTES] = {0};
    uint8_t k[crypto_stream_chacha20_ietf_KEYBYTES];
    crypto_generichash(k, sizeof k, (const uint8_t *)&rng_counter, sizeof rng_counter, rng_seed,
                       sizeof rng_seed);
    rng_counter++;
    int rc = crypto_stream_chacha20_ietf(out, len, nonce, k);
    sodium_memzero(k, sizeof k);
    return rc == 0 ? PV_OK : PV_E_CRYPTO;
}

void pv_m4_rng_init(void)
{
    const volatile uint8_t *p = (const volatile uint8_t *)(uintptr_t)PV_M4_PARAM_SEED;
    uint8_t s[8];
    for (int i = 0; i < 8; i++)
        s[i] = p[i];
    crypto_generichash(rng_seed, sizeof rng_seed, s, sizeof s, NULL, 0);
}
