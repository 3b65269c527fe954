/* pvs_now() and pvs_wall_now(): the wall clock, or frozen simulated times set through
 * --sim-clock (the domain's, and separately sign-in's). */
#include <time.h>

#include "pvs/clock.h"

static int sim_enabled;
static int64_t sim_now; /* 0 = not set yet: follow the wall clock */
static int64_t sim_sign_in; /* 0 = sign-in follows the wall clock */

int64_t pvs_now(void)
{
    int64_t t = __atomic_load_n(&sim_now, __ATOMIC_ACQUIRE);
    if (t > 0)
        return t;
    return (int64_t)time(NULL);
}

int64_t pvs_wall_now(void)
{
    int64_t t = __atomic_load_n(&sim_sign_in, __ATOMIC_ACQUIRE);
    if (t > 0)
        return t;
    return (int64_t)time(NULL);
}

int pvs_clock_set_sign_in(int64_t now)
{
    if (!pvs_clock_sim_enabled() || now <= 0)
        return -1;
    __atomic_store_n(&sim_sign_in, now, __ATOMIC_RELEASE);
    return 0;
}

double pvs_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

void pvs_clock_enable_sim(bool on)
{
    __atomic_store_n(&sim_enabled, on ? 1 : 0, __ATOMIC_RELEASE);
    if (!on) {
        __atomic_store_n(&sim_now, 0, __ATOMIC_RELEASE);
        __atomic_store_n(&sim_sign_in, 0, __ATOMIC_RELEASE);
    }
}

bool pvs_clock_sim_enabled(void)
{
    return __atomic_load_n(&sim_enabled, __ATOMIC_ACQUIRE) != 0;
}

int pvs_clock_set(int64_t now)
{
    if (!pvs_clock_sim_enabled() || now <= 0)
        return -1;
    __atomic_store_n(&sim_now, now, __ATOMIC_RELEASE);
    return 0;
}

bool pvs_clock_waiting_for_sim(void)
{
    return __atomic_load_n(&sim_enabled, __ATOMIC_ACQUIRE) && __atomic_load_n(&sim_now, __ATOMIC_ACQUIRE) == 0;
}
