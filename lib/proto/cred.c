/* The bearer credential: 112 issuer-signed bytes naming the bearer's static key, its
 * validity window and the Merkle root over its access entries. */
#include <sodium.h>

#include "portvakt/proto.h"

#include "codec.h"

/* The window rules shared by signing and decoding. */
static int cred_check(const pv_cred *c)
{
    if (c->entry_count == 0 || c->entry_count > PV_MERKLE_MAX_LEAVES)
        return PV_E_RANGE;
    if (c->not_before >= c->not_after)
        return PV_E_RANGE;
    if (c->not_after - c->not_before > PV_CRED_MAX_LIFETIME_S)
        return PV_E_RANGE;
    if (c->issued_at > c->not_after)
        return PV_E_RANGE;
    /* issued at most a lifetime before it ends: a revocation list drops an entry once
     * revoked_at + PV_CRED_MAX_LIFETIME_S has passed, which is only safe if every
     * credential issued at or before revoked_at has expired by then */
    if (c->not_after - c->issued_at > PV_CRED_MAX_LIFETIME_S)
        return PV_E_RANGE;
    return PV_OK;
}

/* version | type | reserved u16 | issuer_id u32 | serial u64 | bearer_id u32 |
 * entry_count u32 | issued_at u64 | not_before u64 | not_after u64 | bearer_pk | root */
static void cred_encode_body(const pv_cred *c, uint8_t out[PV_CRED_BODY_SIZE])
{
    pv_wr w;
    pv_wr_init(&w, out, PV_CRED_BODY_SIZE);
    pv_wr_u8(&w, PV_PROTO_VERSION);
    pv_wr_u8(&w, PV_T_CREDENTIAL);
    pv_wr_u16(&w, 0);
    pv_wr_u32(&w, c->issuer_id);
    pv_wr_u64(&w, c->serial);
    pv_wr_u32(&w, c->bearer_id);
    pv_wr_u32(&w, c->entry_count);
    pv_wr_u64(&w, c->issued_at);
    pv_wr_u64(&w, c->not_before);
    pv_wr_u64(&w, c->not_after);
    pv_wr_bytes(&w, c->bearer_pk, PV_PK_SIZE);
    pv_wr_bytes(&w, c->root, PV_HASH_SIZE);
}

int pv_cred_sign(const pv_cred *c, const uint8_t issuer_sk[PV_SIGN_SK_SIZE],
                 uint8_t out[PV_CRED_SIZE])
{
    int rc = cred_check(c);
    if (rc != PV_OK)
        return rc;
    cred_encode_body(c, out);
    if (crypto_sign_detached(out + PV_CRED_BODY_SIZE, NULL, out, PV_CRED_BODY_SIZE,
                             issuer_sk) != 0)
        return PV_E_CRYPTO;
    return PV_OK;
}

int pv_cred_decode(const uint8_t *in, size_t len, pv_cred *c)
{
    int rc = pv_check_vt(in, len, PV_T_CREDENTIAL);
    if (rc == PV_OK)
        rc = pv_check_len(len, PV_CRED_SIZE);
    if (rc != PV_OK)
        return rc;
    pv_rd r;
    pv_rd_init(&r, in + 2, PV_CRED_BODY_SIZE - 2);
    pv_cred t;
    uint16_t reserved = pv_rd_u16(&r);
    t.issuer_id = pv_rd_u32(&r);
    t.serial = pv_rd_u64(&r);
    t.bearer_id = pv_rd_u32(&r);
    t.entry_count = pv_rd_u32(&r);
    t.issued_at = pv_rd_u64(&r);
    t.not_before = pv_rd_u64(&r);
    t.not_after = pv_rd_u64(&r);
    const uint8_t *pk = pv_rd_bytes(&r, PV_PK_SIZE);
    const uint8_t *root = pv_rd_bytes(&r, PV_HASH_SIZE);
    rc = pv_rd_end(&r);
    if (rc != PV_OK)
        return rc;
    if (reserved != 0)
        return PV_E_RESERVED;
    rc = cred_check(&t);
    if (rc != PV_OK)
        return rc;
    memcpy(t.bearer_pk, pk, PV_PK_SIZE);
    memcpy(t.root, root, PV_HASH_SIZE);
    *c = t;
    return PV_OK;
}

/* The version and type bytes are checked first so a signature over another object type
 * (another domain) can never pass as a credential. */
int pv_cred_verify(const uint8_t in[PV_CRED_SIZE], const uint8_t issuer_pk[PV_PK_SIZE])
{
    int rc = pv_check_vt(in, PV_CRED_SIZE, PV_T_CREDENTIAL);
    if (rc != PV_OK)
        return rc;
    if (crypto_sign_verify_detached(in + PV_CRED_BODY_SIZE, in, PV_CRED_BODY_SIZE,
                                    issuer_pk) != 0)
        return PV_E_SIGNATURE;
    return PV_OK;
}
