/* The locks' modelled battery drain over the simulated day (see energy.h). */
#include "energy.h"

/* docs/lock.md, "Battery" (the same figures as bench/m4_cost.awk): nRF52840 at 3 V,
 * CPU 3.3 mA at 64 MHz, radio TX 4.8 mA / RX 4.6 mA, sleep 1.5 uA; assumed one advertising
 * event a second (1.5 ms TX), 10 ms TX + 20 ms RX per connection, motor 2 x 0.3 A x 6 V x
 * 0.6 s per open; 4 x AA lithium, 3,500 mAh at 1.5 V, 80 % usable. */
#define V_SUPPLY 3.0
#define CPU_A 0.0033
#define TX_A 0.0048
#define RX_A 0.0046
#define SLEEP_A 0.0000015
#define ADV_S 0.0015
#define CONN_J ((0.010 * TX_A + 0.020 * RX_A) * V_SUPPLY)
#define MOTOR_J (2 * 0.3 * 6.0 * 0.6)
#define BATTERY_J (4 * 1.5 * 3.5 * 3600 * 0.8)
#define DAY_IDLE_J (86400.0 * (SLEEP_A * V_SUPPLY + ADV_S * TX_A * V_SUPPLY))

static double cpu_j(double insn)
{
    return insn / 64e6 * CPU_A * V_SUPPLY; /* one instruction a cycle (docs/lock.md) */
}

void sim_lock_energy(const sim *s, sim_energy *e)
{
    *e = (sim_energy){0};
    double insn_all = 0;
    for (size_t i = 0; i < s->nlocks; i++) {
        pv_lock_info in;
        pv_lock_get_info(s->locks[i].hw->lock, &in);
        uint64_t attempts = (uint64_t)in.opens + in.denials;
        double insn = in.verifies * SIM_M4_VERIFY_INSN + in.x25519 * SIM_M4_X25519_INSN +
                      (double)attempts * SIM_M4_REST_INSN;
        double j = cpu_j(insn) + (double)attempts * CONN_J + in.opens * MOTOR_J + DAY_IDLE_J;
        e->attempts += attempts;
        e->opens += in.opens;
        e->verifies += in.verifies;
        e->x25519 += in.x25519;
        insn_all += insn;
        e->mj_mean += j * 1000.0;
        if (j * 1000.0 > e->mj_max)
            e->mj_max = j * 1000.0;
    }
    if (s->nlocks)
        e->mj_mean /= (double)s->nlocks;
    if (e->attempts)
        e->verify_ratio = insn_all / (double)e->attempts / SIM_M4_REF_VERIFY_INSN;
    e->years_min = e->mj_max > 0 ? BATTERY_J / (e->mj_max / 1000.0) / 365.0 : 0;
}
