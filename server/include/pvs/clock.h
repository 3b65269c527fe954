/* The server's one clock. Every time read in portvakt-server goes through pvs_now() so
 * the district simulator can run a day in accelerated time (--sim-clock). */
#ifndef PVS_CLOCK_H
#define PVS_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

/* Unix seconds: the wall clock, or the simulated time once one has been set. */
int64_t pvs_now(void);
/* Unix seconds for sign-in, TOTP steps, sessions and lockouts: the wall clock, because
 * people sign in in real time also while a simulated day runs — unless a test has moved
 * it too (PUT /api/v1/dev/clock with "sign_in": true). */
int64_t pvs_wall_now(void);
/* Move the sign-in clock as well (only with --sim-clock). Returns -1 otherwise. */
int pvs_clock_set_sign_in(int64_t now);
/* Monotonic milliseconds for measuring durations (never simulated). */
double pvs_mono_ms(void);
/* Allow pvs_clock_set() (only with --sim-clock). */
void pvs_clock_enable_sim(bool on);
bool pvs_clock_sim_enabled(void);
/* True while simulation is enabled but no time has been set yet: jobs that schedule by the
 * clock (webhook retries) wait, so the wall clock never leaks into simulated schedules. */
bool pvs_clock_waiting_for_sim(void);
/* Freeze the clock at `now` (unix seconds). Returns -1 unless simulation is enabled. */
int pvs_clock_set(int64_t now);

#endif
