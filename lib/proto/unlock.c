/* The unlock exchange (M1 HELLO .. M4 RESULT) for both roles: transcript hashing, the
 * X25519 key schedule (k1 ephemeral-ephemeral, k2 adding the bearer's static key) and
 * the XChaCha20-Poly1305 sealing, with a step counter that refuses out-of-order calls. */
#include <sodium.h>

#include "portvakt/proto.h"

#include "codec.h"
#include "unlock_inner.h"

/* Session steps (pv_session.state). A call in any other step gets PV_E_STATE, which is
 * also what keeps a (key, nonce) pair from ever sealing twice. */
enum {
    ST_NONE = 0,
    ST_K_HELLO = 1,     /* key sent M1 */
    ST_K_CHALLENGE = 2, /* key absorbed M2: k1 and the static DH ready */
    ST_K_PRESENT = 3,   /* key sent M3: k1, k2 ready */
    ST_L_HELLO = 11,    /* lock absorbed M1 */
    ST_L_CHALLENGE = 12, /* lock sent M2: k1 ready */
    ST_L_FRAMED = 13,   /* M3 framed (h3 known) but not opened, or possession failed */
    ST_L_OPENED = 14,   /* M3 inner opened and decoded */
    ST_L_PROVEN = 15,   /* possession tag checked: k2 ready */
    ST_DONE = 20
};

#define M3_HDR 4u /* version | type | sealed_len u16 */
#define M4_HDR 6u /* version | type | key_sel u8 | reserved u8 | sealed_len u16 */
#define KEY_SEL_K1 1u
#define KEY_SEL_K2 2u

static const char pv_hs_protocol[] = "portvakt-unlock-v1";

void pv_session_wipe(pv_session *s)
{
    sodium_memzero(s, sizeof *s);
}

/* out = H(a || b); out may alias a. */
static void hash2(uint8_t out[PV_HASH_SIZE], const uint8_t *a, size_t alen, const uint8_t *b,
                  size_t blen)
{
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, PV_HASH_SIZE);
    crypto_generichash_update(&st, a, alen);
    crypto_generichash_update(&st, b, blen);
    crypto_generichash_final(&st, out, PV_HASH_SIZE);
}

static void transcript_h1(uint8_t h[PV_HASH_SIZE], const uint8_t m1[PV_HELLO_SIZE])
{
    uint8_t h0[PV_HASH_SIZE];
    crypto_generichash(h0, PV_HASH_SIZE, (const uint8_t *)pv_hs_protocol,
                       sizeof pv_hs_protocol - 1, NULL, 0);
    hash2(h, h0, PV_HASH_SIZE, m1, PV_HELLO_SIZE);
}

/* out = H_key=dh(label(5) || a || b): a keyed BLAKE2b over the transcript. */
static void kdf(uint8_t out[32], const uint8_t dh[32], const char label[6], const uint8_t *a,
                size_t alen, const uint8_t *b, size_t blen)
{
    crypto_generichash_state st;
    crypto_generichash_init(&st, dh, 32, 32);
    crypto_generichash_update(&st, (const uint8_t *)label, 5);
    crypto_generichash_update(&st, a, alen);
    if (blen)
        crypto_generichash_update(&st, b, blen);
    crypto_generichash_final(&st, out, 32);
    sodium_memzero(&st, sizeof st);
}

static void nonce_of(uint8_t n[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES], uint8_t last)
{
    memset(n, 0, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
    n[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES - 1] = last;
}

/* ---------------------------------------------------------------- M1, M2 codecs */

int pv_hello_encode(const pv_hello *m, uint8_t out[PV_HELLO_SIZE])
{
    out[0] = PV_PROTO_VERSION;
    out[1] = PV_T_HELLO;
    pv_store16_le(out + 2, 0);
    pv_store32_le(out + 4, m->issuer_id);
    memcpy(out + 8, m->e_pk, PV_PK_SIZE);
    return PV_OK;
}

int pv_hello_decode(const uint8_t *in, size_t len, pv_hello *m)
{
    int rc = pv_check_vt(in, len, PV_T_HELLO);
    if (rc == PV_OK)
        rc = pv_check_len(len, PV_HELLO_SIZE);
    if (rc != PV_OK)
        return rc;
    if (pv_load16_le(in + 2) != 0)
        return PV_E_RESERVED;
    m->issuer_id = pv_load32_le(in + 4);
    memcpy(m->e_pk, in + 8, PV_PK_SIZE);
    return PV_OK;
}

/* version | type | reserved u16 | lock_id u32 | lock_time u64 | revlist_version u64 |
 * beacon_time u64 | nonce[16] | e_pk[32] */
int pv_challenge_encode(const pv_challenge *m, uint8_t out[PV_CHALLENGE_SIZE])
{
    pv_wr w;
    pv_wr_init(&w, out, PV_CHALLENGE_SIZE);
    pv_wr_u8(&w, PV_PROTO_VERSION);
    pv_wr_u8(&w, PV_T_CHALLENGE);
    pv_wr_u16(&w, 0);
    pv_wr_u32(&w, m->lock_id);
    pv_wr_u64(&w, m->lock_time);
    pv_wr_u64(&w, m->revlist_version);
    pv_wr_u64(&w, m->beacon_time);
    pv_wr_bytes(&w, m->nonce, PV_CHALLENGE_RAND);
    pv_wr_bytes(&w, m->e_pk, PV_PK_SIZE);
    return w.err;
}

int pv_challenge_decode(const uint8_t *in, size_t len, pv_challenge *m)
{
    int rc = pv_check_vt(in, len, PV_T_CHALLENGE);
    if (rc == PV_OK)
        rc = pv_check_len(len, PV_CHALLENGE_SIZE);
    if (rc != PV_OK)
        return rc;
    if (pv_load16_le(in + 2) != 0)
        return PV_E_RESERVED;
    m->lock_id = pv_load32_le(in + 4);
    m->lock_time = pv_load64_le(in + 8);
    m->revlist_version = pv_load64_le(in + 16);
    m->beacon_time = pv_load64_le(in + 24);
    memcpy(m->nonce, in + 32, PV_CHALLENGE_RAND);
    memcpy(m->e_pk, in + 48, PV_PK_SIZE);
    return PV_OK;
}

/* ---------------------------------------------------------------- key side */

int pv_key_hs_start(pv_session *s, uint32_t issuer_id, const uint8_t rand32[32],
                    uint8_t m1[PV_HELLO_SIZE])
{
    pv_session_wipe(s);
    memcpy(s->e_sk, rand32, PV_X_SK_SIZE);
    if (crypto_scalarmult_base(s->e_pk, s->e_sk) != 0) {
        pv_session_wipe(s);
        return PV_E_CRYPTO;
    }
    pv_hello m;
    m.issuer_id = issuer_id;
    memcpy(m.e_pk, s->e_pk, PV_PK_SIZE);
    (void)pv_hello_encode(&m, m1);
    transcript_h1(s->h, m1);
    s->state = ST_K_HELLO;
    return PV_OK;
}

int pv_key_hs_challenge(pv_session *s, const uint8_t *m2, size_t m2_len, pv_challenge *ch,
                        const uint8_t bearer_x_sk[PV_X_SK_SIZE])
{
    if (s->state != ST_K_HELLO)
        return PV_E_STATE;
    int rc = pv_challenge_decode(m2, m2_len, ch);
    if (rc != PV_OK)
        return rc;
    hash2(s->h, s->h, PV_HASH_SIZE, m2, PV_CHALLENGE_SIZE);
    uint8_t dh[32];
    if (crypto_scalarmult(dh, s->e_sk, ch->e_pk) != 0 ||
        crypto_scalarmult(s->dh_static, bearer_x_sk, ch->e_pk) != 0) {
        sodium_memzero(dh, sizeof dh);
        pv_session_wipe(s);
        return PV_E_CRYPTO;
    }
    kdf(s->k1, dh, "PV1k1", s->h, PV_HASH_SIZE, NULL, 0);
    sodium_memzero(dh, sizeof dh);
    sodium_memzero(s->e_sk, sizeof s->e_sk);
    memcpy(s->peer_e_pk, ch->e_pk, PV_PK_SIZE);
    s->have_k1 = 1;
    s->state = ST_K_CHALLENGE;
    return PV_OK;
}

/* M3 = version | type | sealed_len u16 | AEAD_k1(inner) | tag_k2; the inner is built in
 * place in m3 and sealed there. */
int pv_key_hs_present(pv_session *s, const pv_present *p, uint8_t *m3, size_t cap,
                      size_t *m3_len)
{
    if (s->state != ST_K_CHALLENGE)
        return PV_E_STATE;
    if (cap < M3_HDR + 2 * PV_AEAD_TAG)
        return PV_E_BUFSIZE;
    size_t inner_len;
    int rc = pv_present_inner_encode(p, m3 + M3_HDR, cap - M3_HDR - 2 * PV_AEAD_TAG, &inner_len);
    if (rc != PV_OK)
        return rc;
    size_t sealed_len = inner_len + PV_AEAD_TAG;
    if (M3_HDR + sealed_len + PV_AEAD_TAG > PV_MSG_MAX)
        return PV_E_RANGE;
    m3[0] = PV_PROTO_VERSION;
    m3[1] = PV_T_PRESENT;
    pv_store16_le(m3 + 2, (uint16_t)sealed_len);
    uint8_t n[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES], h3[PV_HASH_SIZE], none[1] = {0};
    nonce_of(n, 0);
    crypto_aead_xchacha20poly1305_ietf_encrypt(m3 + M3_HDR, NULL, m3 + M3_HDR, inner_len,
                                               s->h, PV_HASH_SIZE, NULL, n, s->k1);
    hash2(h3, s->h, PV_HASH_SIZE, m3, M3_HDR + sealed_len);
    kdf(s->k2, s->dh_static, "PV1k2", s->k1, sizeof s->k1, h3, PV_HASH_SIZE);
    sodium_memzero(s->dh_static, sizeof s->dh_static);
    nonce_of(n, 1);
    crypto_aead_xchacha20poly1305_ietf_encrypt_detached(none, m3 + M3_HDR + sealed_len, NULL,
                                                        none, 0, h3, PV_HASH_SIZE, NULL, n,
                                                        s->k2);
    memcpy(s->h, h3, PV_HASH_SIZE);
    s->have_k2 = 1;
    s->state = ST_K_PRESENT;
    *m3_len = M3_HDR + sealed_len + PV_AEAD_TAG;
    return PV_OK;
}

/* Frame M4: PV_OK and the key selector and sealed length, or a decode error. */
static int m4_frame(const uint8_t *m4, size_t len, uint8_t *key_sel, size_t *sealed_len)
{
    int rc = pv_check_vt(m4, len, PV_T_RESULT);
    if (rc != PV_OK)
        return rc;
    if (len < M4_HDR)
        return PV_E_TRUNCATED;
    if (m4[3] != 0)
        return PV_E_RESERVED;
    if (m4[2] != KEY_SEL_K1 && m4[2] != KEY_SEL_K2)
        return PV_E_RANGE;
    size_t sl = pv_load16_le(m4 + 4);
    if (sl < PV_AEAD_TAG || M4_HDR + sl > PV_MSG_MAX)
        return PV_E_RANGE;
    rc = pv_check_len(len, M4_HDR + sl);
    if (rc != PV_OK)
        return rc;
    *key_sel = m4[2];
    *sealed_len = sl;
    return PV_OK;
}

int pv_key_hs_result(pv_session *s, const uint8_t *m4, size_t m4_len, uint8_t *scratch,
                     size_t scratch_cap, pv_result *r)
{
    if (s->state != ST_K_PRESENT)
        return PV_E_STATE;
    uint8_t key_sel;
    size_t sealed_len;
    int rc = m4_frame(m4, m4_len, &key_sel, &sealed_len);
    if (rc != PV_OK)
        return rc;
    if (scratch_cap < sealed_len - PV_AEAD_TAG)
        return PV_E_BUFSIZE;
    uint8_t n[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];
    nonce_of(n, 2);
    const uint8_t *k = key_sel == KEY_SEL_K2 ? s->k2 : s->k1;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(scratch, NULL, NULL, m4 + M4_HDR, sealed_len,
                                                   s->h, PV_HASH_SIZE, n, k) != 0)
        return PV_E_DECRYPT;
    pv_result t;
    rc = pv_result_inner_decode(scratch, sealed_len - PV_AEAD_TAG, &t);
    if (rc != PV_OK)
        return rc;
    /* only a lock that checked our possession tag (and so derived k2) may report an open
     * or hand over its log */
    if (key_sel == KEY_SEL_K1 && (t.status == PV_OK || t.batch != NULL))
        return PV_E_STATE;
    *r = t;
    s->state = ST_DONE;
    return PV_OK;
}

/* ---------------------------------------------------------------- lock side */

int pv_lock_hs_hello(pv_session *s, const uint8_t *m1, size_t m1_len, pv_hello *hello)
{
    pv_session_wipe(s);
    int rc = pv_hello_decode(m1, m1_len, hello);
    if (rc != PV_OK)
        return rc;
    transcript_h1(s->h, m1);
    memcpy(s->peer_e_pk, hello->e_pk, PV_PK_SIZE);
    s->state = ST_L_HELLO;
    return PV_OK;
}

/* M2 with the lock's X25519 key pair: x_pk given (the lock's static key, computed once
 * at boot) or derived here from x_sk (a fresh ephemeral). */
static int lock_challenge(pv_session *s, pv_challenge *ch, const uint8_t x_sk[32],
                          const uint8_t *x_pk, uint8_t m2[PV_CHALLENGE_SIZE])
{
    if (s->state != ST_L_HELLO)
        return PV_E_STATE;
    memcpy(s->e_sk, x_sk, PV_X_SK_SIZE);
    uint8_t dh[32];
    if (x_pk)
        memcpy(s->e_pk, x_pk, PV_PK_SIZE);
    if ((!x_pk && crypto_scalarmult_base(s->e_pk, s->e_sk) != 0) ||
        crypto_scalarmult(dh, s->e_sk, s->peer_e_pk) != 0) {
        sodium_memzero(dh, sizeof dh);
        pv_session_wipe(s);
        return PV_E_CRYPTO; /* e.g. a low-order ephemeral key in M1 */
    }
    memcpy(ch->e_pk, s->e_pk, PV_PK_SIZE);
    int rc = pv_challenge_encode(ch, m2);
    if (rc != PV_OK) {
        sodium_memzero(dh, sizeof dh);
        return rc;
    }
    hash2(s->h, s->h, PV_HASH_SIZE, m2, PV_CHALLENGE_SIZE);
    kdf(s->k1, dh, "PV1k1", s->h, PV_HASH_SIZE, NULL, 0);
    sodium_memzero(dh, sizeof dh);
    s->have_k1 = 1;
    s->state = ST_L_CHALLENGE;
    return PV_OK;
}

int pv_lock_hs_challenge(pv_session *s, pv_challenge *ch, const uint8_t rand32[32],
                         uint8_t m2[PV_CHALLENGE_SIZE])
{
    return lock_challenge(s, ch, rand32, NULL, m2);
}

int pv_lock_hs_challenge_static(pv_session *s, pv_challenge *ch,
                                const uint8_t x_sk[PV_X_SK_SIZE],
                                const uint8_t x_pk[PV_PK_SIZE], uint8_t m2[PV_CHALLENGE_SIZE])
{
    return lock_challenge(s, ch, x_sk, x_pk, m2);
}

/* Frame M3: PV_OK and the sealed length, or a decode error. */
static int m3_frame(const uint8_t *m3, size_t len, size_t *sealed_len)
{
    int rc = pv_check_vt(m3, len, PV_T_PRESENT);
    if (rc != PV_OK)
        return rc;
    if (len < M3_HDR)
        return PV_E_TRUNCATED;
    size_t sl = pv_load16_le(m3 + 2);
    if (sl < PV_AEAD_TAG || M3_HDR + sl + PV_AEAD_TAG > PV_MSG_MAX)
        return PV_E_RANGE;
    rc = pv_check_len(len, M3_HDR + sl + PV_AEAD_TAG);
    if (rc != PV_OK)
        return rc;
    *sealed_len = sl;
    return PV_OK;
}

int pv_lock_hs_open(pv_session *s, const uint8_t *m3, size_t m3_len, uint8_t *scratch,
                    size_t scratch_cap, pv_present *p)
{
    if (s->state != ST_L_CHALLENGE)
        return PV_E_STATE;
    size_t sealed_len;
    int rc = m3_frame(m3, m3_len, &sealed_len);
    if (rc != PV_OK)
        return rc;
    if (scratch_cap < sealed_len - PV_AEAD_TAG)
        return PV_E_BUFSIZE;
    uint8_t h3[PV_HASH_SIZE], n[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];
    hash2(h3, s->h, PV_HASH_SIZE, m3, M3_HDR + sealed_len);
    nonce_of(n, 0);
    rc = crypto_aead_xchacha20poly1305_ietf_decrypt(scratch, NULL, NULL, m3 + M3_HDR,
                                                    sealed_len, s->h, PV_HASH_SIZE, n, s->k1);
    /* from here on the transcript includes M3, so a refusal can still be sealed under k1 */
    memcpy(s->h, h3, PV_HASH_SIZE);
    s->state = ST_L_FRAMED;
    if (rc != 0)
        return PV_E_DECRYPT;
    rc = pv_present_inner_decode(scratch, sealed_len - PV_AEAD_TAG, p);
    if (rc != PV_OK)
        return rc;
    s->state = ST_L_OPENED;
    return PV_OK;
}

int pv_lock_hs_possession(pv_session *s, const uint8_t *m3, size_t m3_len,
                          const uint8_t bearer_pk[PV_PK_SIZE])
{
    if (s->state != ST_L_OPENED)
        return PV_E_STATE;
    size_t sealed_len;
    int rc = m3_frame(m3, m3_len, &sealed_len);
    if (rc != PV_OK)
        return rc;
    /* one attempt only: whatever happens below, the ephemeral secret is gone after it */
    s->state = ST_L_FRAMED;
    uint8_t dh[32];
    rc = crypto_scalarmult(dh, s->e_sk, bearer_pk);
    sodium_memzero(s->e_sk, sizeof s->e_sk);
    if (rc != 0) {
        sodium_memzero(dh, sizeof dh);
        return PV_E_CRYPTO;
    }
    kdf(s->k2, dh, "PV1k2", s->k1, sizeof s->k1, s->h, PV_HASH_SIZE);
    sodium_memzero(dh, sizeof dh);
    uint8_t n[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES], none[1] = {0};
    nonce_of(n, 1);
    if (crypto_aead_xchacha20poly1305_ietf_decrypt_detached(
            none, NULL, none, 0, m3 + M3_HDR + sealed_len, s->h, PV_HASH_SIZE, n, s->k2) != 0) {
        sodium_memzero(s->k2, sizeof s->k2);
        return PV_E_POSSESSION;
    }
    s->have_k2 = 1;
    s->state = ST_L_PROVEN;
    return PV_OK;
}

/* M4 = version | type | key_sel u8 | reserved u8 | sealed_len u16 | AEAD(inner). */
int pv_lock_hs_result(pv_session *s, const pv_result *r, uint8_t *m4, size_t cap,
                      size_t *m4_len)
{
    if (s->state != ST_L_CHALLENGE && s->state != ST_L_FRAMED && s->state != ST_L_OPENED &&
        s->state != ST_L_PROVEN)
        return PV_E_STATE;
    int proven = s->state == ST_L_PROVEN && s->have_k2;
    /* never report an open, nor hand out the lock's log (who came when), to a peer that
     * did not prove possession of a credential's key: k1 is known to anyone who sent M1 */
    if (!proven && (r->status == PV_OK || (r->batch != NULL && r->batch_len > 0)))
        return PV_E_STATE;
    if (cap < M4_HDR + PV_AEAD_TAG)
        return PV_E_BUFSIZE;
    size_t inner_len;
    int rc = pv_result_inner_encode(r, m4 + M4_HDR, cap - M4_HDR - PV_AEAD_TAG, &inner_len);
    if (rc != PV_OK)
        return rc;
    size_t sealed_len = inner_len + PV_AEAD_TAG;
    if (M4_HDR + sealed_len > PV_MSG_MAX)
        return PV_E_RANGE;
    m4[0] = PV_PROTO_VERSION;
    m4[1] = PV_T_RESULT;
    m4[2] = proven ? KEY_SEL_K2 : KEY_SEL_K1;
    m4[3] = 0;
    pv_store16_le(m4 + 4, (uint16_t)sealed_len);
    uint8_t n[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];
    nonce_of(n, 2);
    crypto_aead_xchacha20poly1305_ietf_encrypt(m4 + M4_HDR, NULL, m4 + M4_HDR, inner_len, s->h,
                                               PV_HASH_SIZE, NULL, n, proven ? s->k2 : s->k1);
    sodium_memzero(s->e_sk, sizeof s->e_sk);
    s->state = ST_DONE;
    *m4_len = M4_HDR + sealed_len;
    return PV_OK;
}
