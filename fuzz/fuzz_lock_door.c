/* libFuzzer driver for the lock's message handling: arbitrary bytes as HELLO/PRESENT
 * frames into a commissioned lock, in the idle and the challenged state, late or in
 * time, and as the sealed plaintext of a PRESENT so the checks behind the AEAD (the
 * credential, proof, list and beacon decoders and every door check) get fuzzed too.
 *
 * Input: byte 0 selects the mode (bits 0-1) and whether M3 comes late (bit 2).
 *   0  the rest is a frame for an idle lock, then the same frame again
 *   1  a genuine HELLO first, then the rest as the PRESENT frame
 *   2  a genuine HELLO, then the rest sealed under k1 as PRESENT's inner part
 *   3  like 2, but the rest is parsed as that inner layout and sent through the key's
 *      own pv_key_hs_present() with the genuine bearer key, so possession can pass */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "portvakt/sim.h"
#include "portvakt/wire.h"

#define FZ_T0 1780000000ull
#define FZ_LOCK 4242u
#define FZ_ISSUER 1u
#define FZ_BEARER 17u

static pv_sim_lock pristine, work;
static uint8_t issuer_pk[32], issuer_sk[64], bearer_sk[64], bearer_pk[32];
static uint8_t bearer_x_sk[32], bearer_x_pk[32];
static uint8_t cred[PV_CRED_SIZE], entries[4 * PV_ENTRY_SIZE];
static int ready;

size_t fuzz_lock_door_seed(int which, uint8_t *out, size_t cap);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void seed_keys(uint8_t pk[32], uint8_t sk[64], uint8_t tag)
{
    uint8_t seed[32];
    memset(seed, tag, sizeof seed);
    crypto_sign_seed_keypair(pk, sk, seed);
}

static int setup(void)
{
    if (sodium_init() < 0)
        return -1;
    seed_keys(issuer_pk, issuer_sk, 0x11);
    seed_keys(bearer_pk, bearer_sk, 0x22);
    if (pv_bearer_x_keys(bearer_sk, bearer_x_sk, bearer_x_pk) != PV_OK)
        return -1;
    pv_sim_lock_init(&pristine, FZ_T0, 1);
    if (pv_sim_lock_boot(&pristine) != PV_OK)
        return -1;
    pv_lock_setup c;
    memset(&c, 0, sizeof c);
    c.lock_id = FZ_LOCK;
    uint8_t lpk[32];
    seed_keys(lpk, c.lock_sk, 0x33);
    c.time = FZ_T0;
    c.nissuers = 1;
    c.issuers[0].issuer_id = FZ_ISSUER;
    memcpy(c.issuers[0].pk, issuer_pk, 32);
    c.issuers[0].nscopes = 1;
    c.issuers[0].scopes[0] = (pv_lock_scope){4000, 5000};
    if (pv_lock_commission(pristine.lock, &c) != PV_OK)
        return -1;
    const uint32_t ids[4] = {17, 4242, 4243, 90000};
    for (int i = 0; i < 4; i++) {
        pv_entry e = {.lock_id = ids[i], .start_min = 0, .end_min = 720, .flags = 1};
        pv_entry_encode(&e, entries + i * PV_ENTRY_SIZE);
    }
    pv_cred cr = {.issuer_id = FZ_ISSUER, .serial = 1, .bearer_id = FZ_BEARER,
                  .entry_count = 4, .issued_at = FZ_T0 - 60, .not_before = FZ_T0 - 60,
                  .not_after = FZ_T0 + 8 * 3600};
    memcpy(cr.bearer_pk, bearer_x_pk, 32);
    if (pv_merkle_root(entries, 4, cr.root) != PV_OK || pv_cred_sign(&cr, issuer_sk, cred) != PV_OK)
        return -1;
    ready = 1;
    return 0;
}

/* A fresh lock from the pristine flash image, deterministic randomness. */
static int fresh_lock(void)
{
    pv_sim_lock_init(&work, FZ_T0, 7);
    memcpy(work.flash_mem, pristine.flash_mem, sizeof work.flash_mem);
    return pv_sim_lock_boot(&work);
}

static int hello(pv_session *s)
{
    uint8_t r[32], m1[PV_HELLO_SIZE], m2[PV_MSG_MAX];
    size_t n2 = 0;
    memset(r, 0x44, sizeof r);
    if (pv_key_hs_start(s, FZ_ISSUER, r, m1) != PV_OK)
        return -1;
    int rc = pv_lock_handle(work.lock, m1, sizeof m1, m2, sizeof m2, &n2);
    if (rc != PV_OK || n2 == 0)
        return -1;
    pv_challenge ch;
    return pv_key_hs_challenge(s, m2, n2, &ch, bearer_x_sk) == PV_OK ? 0 : -1;
}

/* M3 with `inner` sealed under k1 (the layout proto.h documents) and a zero tag. */
static size_t seal_raw(pv_session *s, const uint8_t *inner, size_t len, uint8_t *m3)
{
    if (4 + len + 2 * PV_AEAD_TAG > PV_MSG_MAX)
        return 0;
    size_t sealed = len + PV_AEAD_TAG;
    m3[0] = PV_PROTO_VERSION;
    m3[1] = PV_T_PRESENT;
    m3[2] = (uint8_t)(sealed & 0xFF);
    m3[3] = (uint8_t)(sealed >> 8);
    uint8_t n[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES] = {0};
    crypto_aead_xchacha20poly1305_ietf_encrypt(m3 + 4, NULL, inner, len, s->h, PV_HASH_SIZE,
                                               NULL, n, s->k1);
    memset(m3 + 4 + sealed, 0, PV_AEAD_TAG);
    return 4 + sealed + PV_AEAD_TAG;
}

/* Parse the inner layout (cred | entry | index u32 | n u8 | n*32 | rl_len u16 | rl |
 * beacon_len u8 | beacon) leniently into a present; 0 on success. */
static int parse_present(const uint8_t *d, size_t len, pv_present *p)
{
    size_t at = PV_CRED_SIZE + PV_ENTRY_SIZE + 5;
    if (len < at)
        return -1;
    memset(p, 0, sizeof *p);
    p->cred = d;
    p->entry = d + PV_CRED_SIZE;
    const uint8_t *x = d + PV_CRED_SIZE + PV_ENTRY_SIZE;
    p->leaf_index = pv_load32_le(x);
    p->nsiblings = x[4] % (PV_MERKLE_MAX_DEPTH + 1);
    if (len < at + (size_t)p->nsiblings * 32 + 3)
        return -1;
    p->siblings = d + at;
    at += (size_t)p->nsiblings * 32;
    size_t rl = pv_load16_le(d + at);
    at += 2;
    if (rl > PV_REVLIST_MAX_SIZE || len < at + rl + 1)
        return -1;
    p->revlist = rl ? d + at : NULL;
    p->revlist_len = (uint16_t)rl;
    at += rl;
    if (d[at++] && len >= at + PV_BEACON_SIZE)
        p->beacon = d + at;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if ((!ready && setup() != 0) || size < 1 || size > 4096 || fresh_lock() != PV_OK)
        return 0;
    static uint8_t m3[PV_MSG_MAX], out[PV_MSG_MAX];
    size_t outlen = 0, n3 = 0;
    const uint8_t *rest = data + 1;
    size_t rlen = size - 1;
    unsigned mode = data[0] & 3u;
    if (mode == 0) {
        int a = pv_lock_handle(work.lock, rest, rlen, out, sizeof out, &outlen);
        int b = pv_lock_handle(work.lock, rest, rlen, out, sizeof out, &outlen);
        if (work.motor_opens != 0)
            abort(); /* nothing opens without a HELLO and a proven bearer */
        (void)a;
        (void)b;
        return 0;
    }
    pv_session s;
    if (hello(&s) != 0)
        return 0;
    if (mode == 1) {
        if (rlen > PV_MSG_MAX)
            return 0;
        memcpy(m3, rest, rlen);
        n3 = rlen;
    } else if (mode == 2) {
        n3 = seal_raw(&s, rest, rlen, m3);
    } else {
        pv_present p;
        if (parse_present(rest, rlen, &p) != 0 ||
            pv_key_hs_present(&s, &p, m3, sizeof m3, &n3) != PV_OK)
            n3 = 0;
    }
    if (data[0] & 4u)
        pv_sim_clock_advance(&work.clock, PV_LOCK_CHALLENGE_MS + 1);
    int d = n3 > 0 ? pv_lock_handle(work.lock, m3, n3, out, sizeof out, &outlen) : PV_E_ARG;
    /* only mode 3 can prove possession (the others carry no valid tag), and only the
     * genuine credential, unmodified, may open */
    if (work.motor_opens != 0 && (mode != 3 || d != PV_OK || m3[1] != PV_T_PRESENT ||
                                  sodium_memcmp(rest, cred, PV_CRED_SIZE) != 0))
        abort();
    pv_session_wipe(&s);
    return 0;
}

/* Seeds for the committed corpus: 0 genuine PRESENT inner (mode 3), 1 same with list and
 * beacon, 2 the same as mode-2 plaintext, 3 a HELLO for mode 0. */
size_t fuzz_lock_door_seed(int which, uint8_t *out, size_t cap)
{
    if ((!ready && setup() != 0) || cap < 2048)
        return 0;
    uint8_t sib[PV_MERKLE_MAX_DEPTH][PV_HASH_SIZE];
    unsigned ns = 0;
    if (pv_merkle_prove(entries, 4, 1, sib, &ns) != PV_OK)
        return 0;
    if (which == 3) {
        uint8_t r[32];
        memset(r, 0x55, sizeof r);
        pv_session s;
        out[0] = 0;
        return pv_key_hs_start(&s, FZ_ISSUER, r, out + 1) == PV_OK ? 1 + PV_HELLO_SIZE : 0;
    }
    size_t at = 0;
    out[at++] = which == 2 ? 2 : 3;
    memcpy(out + at, cred, PV_CRED_SIZE);
    at += PV_CRED_SIZE;
    memcpy(out + at, entries + PV_ENTRY_SIZE, PV_ENTRY_SIZE);
    at += PV_ENTRY_SIZE;
    out[at++] = 1, out[at++] = 0, out[at++] = 0, out[at++] = 0;
    out[at++] = (uint8_t)ns;
    memcpy(out + at, sib, (size_t)ns * 32);
    at += (size_t)ns * 32;
    size_t rl_len = 0;
    uint8_t rl[PV_REVLIST_MAX_SIZE];
    pv_revoked rv = {.bearer_id = 99, .revoked_at = FZ_T0};
    if (which == 1 && pv_revlist_sign(FZ_ISSUER, 3, FZ_T0, &rv, 1, issuer_sk, rl, sizeof rl,
                                      &rl_len) != PV_OK)
        return 0;
    out[at++] = (uint8_t)(rl_len & 0xFF);
    out[at++] = (uint8_t)(rl_len >> 8);
    memcpy(out + at, rl, rl_len);
    at += rl_len;
    if (which == 1) {
        pv_beacon b = {.issuer_id = FZ_ISSUER, .time = FZ_T0 + 100};
        out[at++] = PV_BEACON_SIZE;
        if (pv_beacon_sign(&b, issuer_sk, out + at) != PV_OK)
            return 0;
        at += PV_BEACON_SIZE;
    } else {
        out[at++] = 0;
    }
    return at;
}
