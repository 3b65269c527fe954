/* libFuzzer driver for the key's side of M4 (pv_key_hs_result) on a fixed session that
 * has sent M3. Input byte 0: bit 0 set, the rest is M4 as it arrives on the air; clear,
 * the rest is an inner payload sealed here under k1 (bit 1 clear) or k2 (bit 1 set), so
 * the decoder behind the AEAD is reached. Invariant: the key never accepts an open
 * (status PV_OK) that was sealed under k1. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "portvakt/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static pv_session g_ready; /* the key session after M3, snapshotted once */

static void prepare(void)
{
    uint8_t pk[32], sk[64], seed[32], xsk[32], xpk[32], r1[32], r2[32];
    uint8_t m1[PV_HELLO_SIZE], m2[PV_CHALLENGE_SIZE], m3[PV_MSG_MAX], cred[PV_CRED_SIZE];
    memset(seed, 0x22, sizeof seed);
    memset(r1, 0x5A, sizeof r1);
    memset(r2, 0xA5, sizeof r2);
    pv_session l;
    pv_hello h;
    pv_challenge ch = {.lock_id = 1035}, got;
    pv_entry e = {.lock_id = 1035, .start_min = 0, .end_min = 60, .flags = 1};
    uint8_t eb[PV_ENTRY_SIZE];
    pv_entry_encode(&e, eb);
    pv_cred c = {.issuer_id = 7, .entry_count = 1, .not_before = 1, .not_after = 2};
    size_t m3_len;
    if (sodium_init() < 0 || crypto_sign_seed_keypair(pk, sk, seed) != 0 ||
        pv_bearer_x_keys(sk, xsk, xpk) != PV_OK)
        abort();
    memcpy(c.bearer_pk, xpk, 32);
    pv_present p = {.cred = cred, .entry = eb};
    if (pv_merkle_root(eb, 1, c.root) != PV_OK || pv_cred_sign(&c, sk, cred) != PV_OK ||
        pv_key_hs_start(&g_ready, 7, r1, m1) != PV_OK ||
        pv_lock_hs_hello(&l, m1, sizeof m1, &h) != PV_OK ||
        pv_lock_hs_challenge(&l, &ch, r2, m2) != PV_OK ||
        pv_key_hs_challenge(&g_ready, m2, sizeof m2, &got, xsk) != PV_OK ||
        pv_key_hs_present(&g_ready, &p, m3, sizeof m3, &m3_len) != PV_OK)
        abort();
    pv_session_wipe(&l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    static uint8_t m4[PV_MSG_MAX + 64], scratch[PV_MSG_MAX];
    if (!ready) {
        prepare();
        ready = 1;
    }
    if (size < 1 || size > PV_MSG_MAX - 22)
        return 0;
    pv_session s = g_ready;
    size_t len = size - 1;
    uint8_t key_sel = (data[0] & 2) ? 2 : 1;
    if (data[0] & 1) {
        memcpy(m4, data + 1, len);
        key_sel = len > 2 ? m4[2] : 0;
    } else {
        uint8_t nonce[24] = {0};
        nonce[23] = 2;
        m4[0] = PV_PROTO_VERSION;
        m4[1] = PV_T_RESULT;
        m4[2] = key_sel;
        m4[3] = 0;
        m4[4] = (uint8_t)(len + 16);
        m4[5] = (uint8_t)((len + 16) >> 8);
        crypto_aead_xchacha20poly1305_ietf_encrypt(m4 + 6, NULL, data + 1, len, s.h, 32, NULL,
                                                   nonce, key_sel == 2 ? s.k2 : s.k1);
        len += 22;
    }
    pv_result r;
    int rc = pv_key_hs_result(&s, m4, len, scratch, sizeof scratch, &r);
    if (rc == PV_OK && r.status == PV_OK && key_sel != 2)
        abort(); /* an open sealed under k1 accepted */
    if (rc == PV_OK && (r.status > 0 || r.status <= PV_E__COUNT))
        abort();
    pv_session_wipe(&s);
    return 0;
}
