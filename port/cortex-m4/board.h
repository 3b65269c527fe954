/* The MPS2-AN386 board as the lock and key firmware see it: console and exit through
 * semihosting, UART0 as the radio, timer 0 as the millisecond tick, GPIO0 pin 0 as the
 * motor, the PSRAM standing in for NOR flash, and the per-run TRNG stand-in. */
#ifndef PV_M4_BOARD_H
#define PV_M4_BOARD_H

#include <stddef.h>
#include <stdint.h>

#include "portvakt/key.h"
#include "portvakt/lock.h"

/* Where the host puts per-run parameters before the CPU starts (QEMU's generic loader
 * device writes them): see docs/cortex-m4.md. */
#define PV_M4_NOR_BASE 0x21000000u  /* the lock's flash image (PV_LOCK_FLASH_SIZE bytes) */
#define PV_M4_PARAM_BASE 0x21100000u
#define PV_M4_PARAM_SEED (PV_M4_PARAM_BASE + 0u)   /* u64: TRNG stand-in seed for this run */
#define PV_M4_PARAM_CUT (PV_M4_PARAM_BASE + 8u)    /* u32: flash write that loses power */
#define PV_M4_PARAM_TIME (PV_M4_PARAM_BASE + 16u)  /* u64: host unix time (tests only) */

/* Semihosting: text to the host's console; end the emulation with `code`. */
void pv_m4_puts(const char *s);
void pv_m4_put_u32(const char *label, uint32_t v); /* "label=v\n" */
__attribute__((noreturn)) void pv_m4_exit(int code);

/* Bytes of stack ever used since reset (paint high-water mark). */
size_t pv_m4_stack_peak(void);

/* Timer 0 at 1 kHz from the 25 MHz system clock. */
void pv_m4_timer_start(void);
uint64_t pv_m4_ms(void);

/* UART0 at the board's register interface; the host side is a QEMU chardev. */
void pv_m4_uart_init(void);
int pv_m4_uart_getc(void); /* -1 when no byte is waiting */
void pv_m4_uart_putc(uint8_t c);

void pv_m4_motor(int on);

/* The TRNG stand-in: ChaCha20 streams keyed from the seed the host writes for this run
 * (the board has no TRNG; a real lock uses its SoC's). pv_m4_rng_init() reads the seed;
 * pv_m4_rng_install() (rng_sodium.c, images that let libsodium draw random bytes itself,
 * e.g. for key generation) also makes it libsodium's randombytes implementation. */
void pv_m4_rng_init(void);
void pv_m4_rng_install(void);
int pv_m4_random(uint8_t *out, size_t len);

#endif
