/* Virtual clock: true wall time plus a device tick that may drift, advanced by the test. */
#include "portvakt/sim.h"

void pv_sim_clock_init(pv_sim_clock *c, uint64_t unix_s)
{
    c->tick_ms = 0;
    c->unix_ms = unix_s * 1000u;
    c->drift_ppm = 0;
    c->frac = 0;
}

void pv_sim_clock_advance(pv_sim_clock *c, uint64_t ms)
{
    c->unix_ms += ms;
    if (c->drift_ppm == 0) {
        c->tick_ms += ms;
        return;
    }
    /* tick advances ms * (1 + ppm/1e6); keep the remainder so long runs stay exact */
    int64_t extra_num = (int64_t)ms * c->drift_ppm + (int64_t)c->frac;
    int64_t extra = extra_num / 1000000;
    int64_t rem = extra_num - extra * 1000000;
    if (rem < 0) {
        rem += 1000000;
        extra -= 1;
    }
    c->frac = (uint64_t)rem;
    c->tick_ms = (uint64_t)((int64_t)c->tick_ms + (int64_t)ms + extra);
}

uint64_t pv_sim_clock_unix(const pv_sim_clock *c)
{
    return c->unix_ms / 1000u;
}
