/* libFuzzer driver for the lock as a state machine: each input is a sequence of steps
 * driven into the real lock core through port/sim — genuine unlocks by a real key core,
 * raw frames, clock jumps of up to 45 days, power cuts at any flash write followed by a
 * reboot, housekeeping, beacons and revocation lists carried by the key, and attacker
 * handshakes with a flipped byte or without the bearer's key. Invariants (abort):
 * the lock always reboots after a cut with every acknowledged event kept; the motor runs
 * only for a genuine key or an unaltered handshake made with the bearer's key; once a
 * list naming the bearer has reached the lock, nothing of that bearer opens it.
 *
 * Input: one opcode byte per step (low 3 bits), followed by that step's argument bytes;
 * at most 64 steps. */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "../tests/unit/lock/kit.h"

#define FZ_DOOR 4242u
#define FZ_BEARER 17u
#define FZ_RIGHTS 4u
#define FZ_STEPS 64

static kit_issuer iss;
static kit_bearer bearer;
static pv_sim_lock pristine, work;
static int ready;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int setup(void)
{
    if (sodium_init() < 0)
        return -1;
    kit_issuer_new(&iss, 1);
    if (kit_bearer_new(&bearer, FZ_BEARER, FZ_RIGHTS, 5) != PV_OK)
        return -1;
    pv_sim_lock_init(&pristine, KIT_T0, 3);
    if (pv_sim_lock_boot(&pristine) != PV_OK)
        return -1;
    pv_lock_setup c;
    memset(&c, 0, sizeof c);
    c.lock_id = kit_lock_id(FZ_RIGHTS / 2);
    uint8_t pk[32], seed[32];
    memset(seed, 0x33, sizeof seed);
    crypto_sign_seed_keypair(pk, c.lock_sk, seed);
    c.time = KIT_T0;
    c.nissuers = 1;
    c.issuers[0].issuer_id = iss.id;
    memcpy(c.issuers[0].pk, iss.pk, 32);
    c.issuers[0].nscopes = 1;
    c.issuers[0].scopes[0] = (pv_lock_scope){1, 1000000};
    if (pv_lock_commission(pristine.lock, &c) != PV_OK)
        return -1;
    ready = 1;
    return 0;
}

typedef struct run {
    const uint8_t *d;
    size_t n, at;
    uint8_t signed_v[256]; /* list versions signed so far: 0 none, 1 names the bearer, 2 not */
    int revoked;           /* a list naming the bearer reached the lock */
} run;

static unsigned arg(run *r)
{
    return r->at < r->n ? r->d[r->at++] : 0;
}

/* The outcome of a step is judged by the invariants, not by its return code. */
static void outcome(int rc)
{
    (void)rc;
}

static uint32_t opens(void)
{
    return work.motor_opens;
}

/* A power cut at the k-th flash write of a genuine unlock or housekeeping, then boot. */
static void power_cut(run *r)
{
    pv_lock_info before, after;
    pv_lock_get_info(work.lock, &before);
    pv_sim_flash_cut_at(&work.flash, 1 + arg(r) % 8);
    pv_sim_unlock_stats st;
    if (arg(r) & 1)
        outcome(pv_sim_unlock(&bearer.sim, &work, 10, &st));
    else
        outcome(pv_lock_refresh(work.lock));
    pv_sim_flash_power_on(&work.flash);
    pv_sim_flash_cut_at(&work.flash, 0);
    if (pv_sim_lock_boot(&work) != PV_OK)
        abort(); /* a commissioned lock always comes back */
    pv_lock_get_info(work.lock, &after);
    if (after.state == PV_LOCK_UNCOMMISSIONED || after.next_seq < before.next_seq)
        abort(); /* events acknowledged before the cut are kept */
}

/* The issuer's lists are consistent: from the version that first names the bearer on,
 * every later version names it too (its credential was issued long before 48 h ago). */
static int list_names(const run *r, unsigned v, unsigned want)
{
    for (unsigned u = 0; u < v; u++)
        if (r->signed_v[u] == 1)
            return 1;
    for (unsigned u = v + 1; u < 256; u++)
        if (r->signed_v[u] == 2)
            return 0;
    return want != 0;
}

static void carry(run *r, int beacon)
{
    uint8_t buf[PV_REVLIST_MAX_SIZE];
    if (beacon) {
        int64_t off = ((int64_t)arg(r) - 128) * 600; /* +-21 h around the lock's time */
        pv_lock_info i;
        pv_lock_get_info(work.lock, &i);
        kit_beacon(&iss, (uint64_t)((int64_t)i.clock + off), buf);
        outcome(pv_key_update(bearer.sim.key, NULL, 0, buf, PV_BEACON_SIZE));
        return;
    }
    unsigned v = arg(r);
    if (r->signed_v[v] == 0) /* the issuer signs each version once */
        r->signed_v[v] = list_names(r, v, arg(r) & 1) ? 1 : 2;
    pv_revoked rv = {.bearer_id = r->signed_v[v] == 1 ? FZ_BEARER : FZ_BEARER + 1,
                     .revoked_at = KIT_T0}; /* the credential was issued before */
    size_t len = kit_revlist(&iss, v, &rv, 1, buf);
    outcome(pv_key_update(bearer.sim.key, buf, len, NULL, 0));
}

/* An attacker's handshake: the bearer's credential, maybe a foreign key, maybe a flip. */
static void attack(run *r)
{
    uint8_t sib[PV_MERKLE_MAX_DEPTH][PV_HASH_SIZE], other[PV_X_SK_SIZE];
    pv_present p;
    kit_present(&bearer, FZ_RIGHTS / 2, &p, sib);
    unsigned how = arg(r);
    memset(other, 0x5a, sizeof other);
    kit_raw raw = {.p = &p, .x_sk = (how & 1) ? other : bearer.x_sk,
                   .flip = (how & 2) ? (long)(arg(r) * 2u) : -1, .delay_ms = (how & 4) ? 1600 : 0};
    uint32_t o = opens();
    outcome(kit_raw_attempt(&work, iss.id, &raw));
    int altered = (how & 1) || (how & 4) || (raw.flip >= 0 && (size_t)raw.flip < raw.m3_len);
    if (opens() != o && (altered || r->revoked))
        abort(); /* a flipped, foreign-key or late handshake never opens */
}

static void step(run *r, unsigned op)
{
    uint8_t out[PV_MSG_MAX];
    size_t on = 0;
    uint32_t o = opens();
    pv_sim_unlock_stats st;
    switch (op) {
    case 0:
        outcome(pv_sim_unlock(&bearer.sim, &work, arg(r) * 10u, &st));
        if (opens() != o && r->revoked)
            abort();
        break;
    case 1: { /* a raw frame of up to 255 bytes */
        size_t len = arg(r);
        if (len > r->n - r->at)
            len = r->n - r->at;
        outcome(pv_lock_handle(work.lock, r->d + r->at, len, out, sizeof out, &on));
        r->at += len;
        if (opens() != o)
            abort();
        break;
    }
    case 2:
        kit_advance(&work, &bearer, (uint64_t)(arg(r) | arg(r) << 8) * 60000u);
        break;
    case 3:
        power_cut(r);
        break;
    case 4:
        outcome(pv_lock_refresh(work.lock));
        break;
    case 5:
    case 6:
        carry(r, op == 5);
        break;
    default:
        attack(r);
        break;
    }
    uint64_t v = 0, bt = 0;
    if (pv_lock_issuer_state(work.lock, iss.id, &v, &bt) == PV_OK && v > 0 && v < 256 &&
        r->signed_v[v] == 1)
        r->revoked = 1; /* from now on the bearer's credential must never open */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if ((!ready && setup() != 0) || size > 4096)
        return 0;
    pv_sim_lock_init(&work, KIT_T0, 7);
    memcpy(work.flash_mem, pristine.flash_mem, sizeof work.flash_mem);
    if (pv_sim_lock_boot(&work) != PV_OK)
        abort();
    /* a fresh key per input: the run depends on the input bytes only */
    kit_bearer_free(&bearer);
    if (kit_bearer_new(&bearer, FZ_BEARER, FZ_RIGHTS, 5) != PV_OK ||
        kit_issue(&bearer, &iss, FZ_RIGHTS, NULL, 0, NULL) != PV_OK)
        abort();
    static run r;
    memset(&r, 0, sizeof r);
    r.d = data;
    r.n = size;
    for (int s = 0; s < FZ_STEPS && r.at < r.n; s++)
        step(&r, arg(&r) & 7u);
    return 0;
}
