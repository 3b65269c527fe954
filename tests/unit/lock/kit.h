/* Test kit for the door tests: issuers, commissioned simulated locks, bearers with
 * credentials, and a raw attacker-side handshake that can present anything. */
#ifndef PV_TEST_DOOR_KIT_H
#define PV_TEST_DOOR_KIT_H

#include <stdio.h>
#include <stdlib.h>

#include "portvakt/sim.h"

extern int kit_failures;

#define CHECK(c)                                                                    \
    do {                                                                            \
        if (!(c)) {                                                                 \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #c);    \
            kit_failures++;                                                         \
        }                                                                           \
    } while (0)
#define CHECK_EQ(a, b)                                                              \
    do {                                                                            \
        long long va_ = (long long)(a), vb_ = (long long)(b);                       \
        if (va_ != vb_) {                                                           \
            fprintf(stderr, "%s:%d: CHECK_EQ failed: %s = %lld, %s = %lld\n",       \
                    __FILE__, __LINE__, #a, va_, #b, vb_);                          \
            kit_failures++;                                                         \
        }                                                                           \
    } while (0)

#define KIT_T0 1780000000ull /* a Tuesday in 2026 */

typedef struct kit_issuer {
    uint32_t id;
    uint8_t pk[PV_PK_SIZE], sk[PV_SIGN_SK_SIZE];
} kit_issuer;

typedef struct kit_bearer {
    pv_sim_key sim;
    void *mem;
    uint32_t bearer_id;
    uint8_t id_sk[PV_SIGN_SK_SIZE], id_pk[PV_PK_SIZE];
    uint8_t x_sk[PV_X_SK_SIZE], x_pk[PV_PK_SIZE];
    uint8_t cred[PV_CRED_SIZE];
    uint8_t *entries; /* n * PV_ENTRY_SIZE (heap) */
    uint32_t n;
} kit_bearer;

void kit_issuer_new(kit_issuer *is, uint32_t id);
/* A blank, booted, commissioned simulated lock trusting `is` with scope [lo, hi]. */
pv_sim_lock *kit_lock_new(uint32_t lock_id, const kit_issuer *is, uint32_t lo, uint32_t hi);
/* The same trusting n issuers, issuer i with the one scope [lo[i], hi[i]]. */
pv_sim_lock *kit_lock_new_multi(uint32_t lock_id, const kit_issuer *const *is,
                                const uint32_t *lo, const uint32_t *hi, unsigned n);
void kit_lock_free(pv_sim_lock *l);
/* The lock-id of right i in kit_entries(); the door under test is kit_lock_id(n / 2). */
uint32_t kit_lock_id(uint32_t i);
/* n sorted rights: lock kit_lock_id(i), minutes [0, end_min). */
uint8_t *kit_entries(uint32_t n, uint16_t end_min);
int kit_bearer_new(kit_bearer *b, uint32_t bearer_id, uint32_t max_rights, uint64_t seed);
void kit_bearer_free(kit_bearer *b);
/* Sign a credential over b->entries (n rights) and install it with optional list/beacon.
 * Window: [KIT_T0 - 3600, KIT_T0 + 12 h), issued at KIT_T0 - 3600 unless overridden. */
int kit_issue(kit_bearer *b, const kit_issuer *is, uint32_t n, const uint8_t *rl, size_t rl_len,
              const uint8_t *beacon);
int kit_issue_window(kit_bearer *b, const kit_issuer *is, uint32_t n, uint64_t nb, uint64_t na,
                     uint64_t ia);
void kit_beacon(const kit_issuer *is, uint64_t time, uint8_t out[PV_BEACON_SIZE]);
size_t kit_revlist(const kit_issuer *is, uint64_t version, const pv_revoked *r, uint16_t n,
                   uint8_t *out);
/* The same, signed as issued at `issued_at` (kit_revlist: KIT_T0). */
size_t kit_revlist_at(const kit_issuer *is, uint64_t version, uint64_t issued_at,
                      const pv_revoked *r, uint16_t n, uint8_t *out);
/* Let ms of true time pass for the lock and, if given, the key. */
void kit_advance(pv_sim_lock *l, kit_bearer *b, uint64_t ms);

/* A raw handshake from an attacker's (or a test's) point of view: sends M1, takes M2,
 * builds M3 from *p (its static secret x_sk for the possession tag), optionally flips
 * byte `flip` of M3, waits delay_ms, sends M3. Returns the lock's decision for M3 (or
 * its return for M1 when no challenge came); m3/m3_len receive the frame sent. */
typedef struct kit_raw {
    const pv_present *p;
    const uint8_t *x_sk;
    long flip;        /* -1 = none */
    uint32_t delay_ms;
    uint8_t m1[PV_HELLO_SIZE];
    uint8_t m3[PV_MSG_MAX];
    size_t m3_len;
    size_t m4_len;
    pv_result result; /* opened from M4 when it could be */
    int result_ok;
    uint8_t scratch[PV_MSG_MAX];
} kit_raw;
int kit_raw_attempt(pv_sim_lock *l, uint32_t issuer_id, kit_raw *r);

/* Build a present for b's right `index` (proof from the key core). Views into `sib`. */
void kit_present(kit_bearer *b, uint32_t index, pv_present *p, uint8_t sib[][PV_HASH_SIZE]);

#endif
