/* The lock's pv_lock_ops on the MPS2-AN386: timer 0 as the tick, the PSRAM as NOR flash
 * (the simulator's NOR model, so power cuts are injected the same way), UART0 as the radio
 * with frames prefixed by their length (u16 little-endian, as the Unix-socket radio in
 * port/sim), GPIO0 pin 0 as the motor, the seeded random stand-in. */
#ifndef PV_M4_LOCK_PORT_H
#define PV_M4_LOCK_PORT_H

#include "board.h"
#include "portvakt/sim.h"

#define PV_M4_MOTOR_HOLD_MS 3000u /* the motor holds the bolt back this long, then relocks */
#define PV_M4_UART_GAP_MS 200u /* a frame's bytes come back to back: silence this long ends it */
#define PV_M4_LOCK_MEM 9216u /* the pv_lock context: 9,104 B on this target (checked at boot) */

typedef struct pv_m4_lock {
    pv_sim_flash flash; /* over PV_M4_NOR_BASE; cut_at from the host's parameters */
    pv_lock_ops ops;
    uint64_t tick0;      /* timer ms at this power-on: the core's tick starts at 0 */
    uint64_t motor_until; /* 0 = relocked */
    uint32_t motor_opens;
    _Alignas(8) uint8_t mem[PV_M4_LOCK_MEM];
    pv_lock *lock;
} pv_m4_lock;

/* Bind the ops to the board; the NOR keeps what the host loaded (no erase). */
void pv_m4_lock_init(pv_m4_lock *m);
/* Power-on: the tick restarts, the core recovers from the NOR. */
int pv_m4_lock_boot(pv_m4_lock *m) PV_MUST_CHECK;
/* Relock the motor once its hold time has passed. */
void pv_m4_lock_service(pv_m4_lock *m);

#endif
