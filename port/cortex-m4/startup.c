/* Reset and exception entry for the MPS2-AN386 (Cortex-M4F): vector table, .data/.bss set-up,
 * FPU on, stack painted for the high-water measurement, then main(). */
#include <stdint.h>
#include <string.h>

#include "board.h"

extern uint32_t __data_load, __data_start, __data_end, __bss_start__, __bss_end__;
extern uint32_t __stack_bottom, __stack_top;
extern void __libc_init_array(void);
int main(void);
void pv_m4_reset(void);
void pv_m4_fault(void);
void pv_m4_timer0_irq(void);

#define STACK_PAINT 0xA5A5A5A5u

/* Cortex-M4 + the board's interrupts up to timer 0 (IRQ 8). */
__attribute__((section(".vectors"), used)) static void (*const vectors[16 + 9])(void) = {
    (void (*)(void))(uintptr_t)&__stack_top, pv_m4_reset,
    pv_m4_fault, pv_m4_fault, pv_m4_fault, pv_m4_fault, pv_m4_fault,
    [16 + 8] = pv_m4_timer0_irq,
};

/* newlib's __libc_init_array calls these; crti/crtn are not linked (-nostartfiles) */
void _init(void);
void _fini(void);
void _init(void) {}
void _fini(void) {}

void pv_m4_fault(void)
{
    pv_m4_exit(98);
}

/* Paint from the bottom of the stack up to just below the live frame. */
__attribute__((noinline)) static void paint_stack(void)
{
    uint32_t *p = &__stack_bottom;
    uint32_t *live = (uint32_t *)__builtin_frame_address(0) - 64;
    while (p < live)
        *p++ = STACK_PAINT;
}

size_t pv_m4_stack_peak(void)
{
    const uint32_t *p = &__stack_bottom;
    while (p < &__stack_top && *p == STACK_PAINT)
        p++;
    return (size_t)((const uint8_t *)&__stack_top - (const uint8_t *)p);
}

void pv_m4_reset(void)
{
    memcpy(&__data_start, &__data_load, (size_t)((uint8_t *)&__data_end - (uint8_t *)&__data_start));
    memset(&__bss_start__, 0, (size_t)((uint8_t *)&__bss_end__ - (uint8_t *)&__bss_start__));
    /* CPACR: full access to CP10/CP11 (the FPU), or the first float instruction faults */
    *(volatile uint32_t *)0xE000ED88u |= 0xFu << 20;
    __asm volatile("dsb\n isb");
    paint_stack();
    __libc_init_array();
    pv_m4_exit(main());
}
