/* The Cortex-M4 cost bench: the key (as a fob would run it) and the lock on one core, the
 * same door as the host's bench_unlock (4,000 rights). bench/m4_cost.sh runs it under QEMU
 * with bench/m4_insn_plugin.c, which counts the instructions inside pv_lock_handle (and
 * inside pv_m4_ref_verify for the reference) between calls of pv_m4_mark. */
#include <string.h>

#include <sodium.h>

#include "board.h"
#include "door_kit.h"

#define REPEATS 5u

/* Phase boundaries for the plugin: nothing but a call it can see. */
__attribute__((noinline)) void pv_m4_mark(void);
void pv_m4_mark(void)
{
    __asm volatile("" ::: "memory");
}

/* The reference: one Ed25519 verify of a 112-byte message, as bench/door_instructions.sh. */
__attribute__((noinline)) int pv_m4_ref_verify(const uint8_t sig[64], const uint8_t *msg,
                                               const uint8_t pk[32]);
int pv_m4_ref_verify(const uint8_t sig[64], const uint8_t *msg, const uint8_t pk[32])
{
    return crypto_sign_verify_detached(sig, msg, 112, pk);
}

int main(void)
{
    pv_m4_rng_install();
    if (sodium_init() < 0)
        return 1;
    static door d;
    pv_sim_unlock_stats st;
    door_setup(&d, 4000);
    uint8_t msg[112] = {0}, sig[64];
    crypto_sign_detached(sig, NULL, msg, sizeof msg, d.issuer_sk);

    pv_m4_mark();
    if (pv_m4_ref_verify(sig, msg, d.issuer_pk) != 0)
        return 2;
    pv_m4_mark(); /* line 0: the reference */
    door_unlock(&d, &st); /* first visit: the lock takes the list and the beacon */
    door_issue(&d, 2);    /* the same bearer's next shift: list, beacon and key known */
    pv_m4_mark();         /* line 1: the warm-up visit */
    door_unlock(&d, &st);
    pv_m4_mark(); /* line 2: the first unlock of a credential */
    for (unsigned i = 0; i < REPEATS; i++)
        door_unlock(&d, &st);
    pv_m4_mark(); /* line 3: REPEATS more unlocks with the same credential */
    door_rekey(&d, 43); /* a staff member new to this door (or the lock rebooted) */
    door_issue(&d, 3);
    door_unlock(&d, &st);
    pv_m4_mark(); /* line 4: the first unlock of a bearer key new to the lock */
    pv_m4_put_u32("bench repeats", REPEATS);
    return 0;
}
