/* The locks' modelled battery drain over a simulated day (docs/simulator.md, "Lock
 * energy"): each lock's own counts of decided attempts, opens, Ed25519 verifies and X25519
 * operations, priced with the Cortex-M4 instruction costs bench/m4_cost.sh measures and
 * the energy model of docs/lock.md ("Battery"). */
#ifndef PVSIM_ENERGY_H
#define PVSIM_ENERGY_H

#include "sim.h"

/* Instructions on the Cortex-M4 (bench/m4_cost.sh, lines m4.unlock_instructions.verify,
 * .x25519 and the rest of the first unlock; reference = one verify counted the same way).
 * Model inputs taken from that measurement, not measured here: re-run the bench and update
 * them when the lock's code changes. */
#define SIM_M4_VERIFY_INSN 1336000.0
#define SIM_M4_X25519_INSN 1208000.0
#define SIM_M4_REST_INSN 239000.0 /* per decided attempt: Merkle, AEAD, hashes, flash */
#define SIM_M4_REF_VERIFY_INSN 1320000.0

typedef struct sim_energy {
    uint64_t attempts, opens, verifies, x25519; /* summed over the district's locks */
    double verify_ratio;   /* M4 instructions per attempt / one verify: the day's average */
    double mj_mean, mj_max; /* modelled energy per lock for the day, mJ */
    double years_min;       /* battery life of the busiest lock if every day were this one */
} sim_energy;

void sim_lock_energy(const sim *s, sim_energy *e);

#endif
