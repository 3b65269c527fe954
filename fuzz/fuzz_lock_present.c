/* libFuzzer driver for the lock's side of M3 (pv_lock_hs_open, pv_lock_hs_possession,
 * pv_lock_hs_result) on a fixed session. Input byte 0 bit 0 set: the rest is M3 as it
 * arrives on the air. Clear: the rest is an inner payload, sealed here under the session's
 * k1 with a fuzzed possession tag, so the decoders behind the AEAD are reached. Invariant:
 * without the bearer's secret no input proves possession, and the lock never seals an
 * open. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "portvakt/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static pv_session g_ready; /* the lock session after M2, snapshotted once */

static void prepare(void)
{
    pv_session k;
    uint8_t r1[32], r2[32], m1[PV_HELLO_SIZE], m2[PV_CHALLENGE_SIZE];
    memset(r1, 0x5A, sizeof r1);
    memset(r2, 0xA5, sizeof r2);
    pv_hello h;
    pv_challenge ch = {.lock_id = 1035};
    if (sodium_init() < 0 || pv_key_hs_start(&k, 7, r1, m1) != PV_OK ||
        pv_lock_hs_hello(&g_ready, m1, sizeof m1, &h) != PV_OK ||
        pv_lock_hs_challenge(&g_ready, &ch, r2, m2) != PV_OK)
        abort();
    pv_session_wipe(&k);
}

/* M3 = header | AEAD_k1(inner) | tag, built from the fuzzed inner and tag. */
static size_t seal_m3(const pv_session *s, const uint8_t *in, size_t n, uint8_t *m3)
{
    if (n < PV_AEAD_TAG || n - PV_AEAD_TAG > PV_MSG_MAX - 36)
        return 0;
    size_t inner = n - PV_AEAD_TAG;
    uint8_t nonce[24] = {0};
    m3[0] = PV_PROTO_VERSION;
    m3[1] = PV_T_PRESENT;
    m3[2] = (uint8_t)(inner + 16);
    m3[3] = (uint8_t)((inner + 16) >> 8);
    crypto_aead_xchacha20poly1305_ietf_encrypt(m3 + 4, NULL, in, inner, s->h, 32, NULL, nonce,
                                               s->k1);
    memcpy(m3 + 4 + inner + 16, in + inner, PV_AEAD_TAG);
    return 4 + inner + 32;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    static uint8_t m3[PV_MSG_MAX + 64], scratch[PV_MSG_MAX], m4[PV_MSG_MAX];
    if (!ready) {
        prepare();
        ready = 1;
    }
    if (size < 1 || size > PV_MSG_MAX + 1)
        return 0;
    pv_session s = g_ready;
    size_t len = size - 1;
    if (data[0] & 1)
        memcpy(m3, data + 1, len);
    else if ((len = seal_m3(&s, data + 1, size - 1, m3)) == 0)
        return 0;
    pv_present p;
    int rc = pv_lock_hs_open(&s, m3, len, scratch, sizeof scratch, &p);
    pv_cred c;
    if (rc == PV_OK && pv_cred_decode(p.cred, PV_CRED_SIZE, &c) == PV_OK &&
        pv_lock_hs_possession(&s, m3, len, c.bearer_pk) == PV_OK)
        abort(); /* a 128-bit tag guessed: treat as a bug */
    pv_result r = {.status = PV_OK};
    size_t m4_len;
    if (pv_lock_hs_result(&s, &r, m4, sizeof m4, &m4_len) != PV_E_STATE)
        abort(); /* an open without proven possession */
    r.status = PV_E_POSSESSION;
    rc = pv_lock_hs_result(&s, &r, m4, sizeof m4, &m4_len);
    if (rc == PV_OK && m4[2] != 1)
        abort();
    pv_session_wipe(&s);
    return 0;
}
