/* The issuer-signed revocation list: bearer ids with the time from which their
 * credentials are refused, sorted for a binary search at the lock. */
#include <sodium.h>

#include "portvakt/proto.h"

#include "codec.h"

/* version | type | count u16 | issuer_id u32 | version u64 | issued_at u64 |
 * count * (bearer_id u32 | revoked_at u64) | signature */
int pv_revlist_sign(uint32_t issuer_id, uint64_t version, uint64_t issued_at,
                    const pv_revoked *entries, uint16_t count,
                    const uint8_t issuer_sk[PV_SIGN_SK_SIZE], uint8_t *out, size_t cap,
                    size_t *outlen)
{
    if (count > PV_REVLIST_MAX)
        return PV_E_RANGE;
    if (count > 0 && entries == NULL)
        return PV_E_ARG;
    for (uint16_t i = 1; i < count; i++)
        if (entries[i - 1].bearer_id >= entries[i].bearer_id)
            return PV_E_ORDER;
    size_t body = PV_REVLIST_HDR_SIZE + (size_t)count * PV_REVLIST_ENTRY_SIZE;
    if (cap < body + PV_SIG_SIZE)
        return PV_E_BUFSIZE;
    pv_wr w;
    pv_wr_init(&w, out, cap);
    pv_wr_u8(&w, PV_PROTO_VERSION);
    pv_wr_u8(&w, PV_T_REVLIST);
    pv_wr_u16(&w, count);
    pv_wr_u32(&w, issuer_id);
    pv_wr_u64(&w, version);
    pv_wr_u64(&w, issued_at);
    for (uint16_t i = 0; i < count; i++) {
        pv_wr_u32(&w, entries[i].bearer_id);
        pv_wr_u64(&w, entries[i].revoked_at);
    }
    if (w.err != PV_OK)
        return w.err;
    if (crypto_sign_detached(out + body, NULL, out, body, issuer_sk) != 0)
        return PV_E_CRYPTO;
    *outlen = body + PV_SIG_SIZE;
    return PV_OK;
}

int pv_revlist_decode(const uint8_t *in, size_t len, pv_revlist *rl)
{
    int rc = pv_check_vt(in, len, PV_T_REVLIST);
    if (rc != PV_OK)
        return rc;
    pv_rd r;
    pv_rd_init(&r, in + 2, len - 2);
    pv_revlist t;
    t.count = pv_rd_u16(&r);
    t.issuer_id = pv_rd_u32(&r);
    t.version = pv_rd_u64(&r);
    t.issued_at = pv_rd_u64(&r);
    if (r.err != PV_OK)
        return r.err;
    if (t.count > PV_REVLIST_MAX)
        return PV_E_RANGE;
    t.entries = pv_rd_bytes(&r, (size_t)t.count * PV_REVLIST_ENTRY_SIZE);
    (void)pv_rd_bytes(&r, PV_SIG_SIZE);
    rc = pv_rd_end(&r);
    if (rc != PV_OK)
        return rc;
    for (uint16_t i = 1; i < t.count; i++) {
        const uint8_t *e = t.entries + (size_t)i * PV_REVLIST_ENTRY_SIZE;
        if (pv_load32_le(e - PV_REVLIST_ENTRY_SIZE) >= pv_load32_le(e))
            return PV_E_ORDER;
    }
    *rl = t;
    return PV_OK;
}

int pv_revlist_verify(const uint8_t *in, size_t len, const uint8_t issuer_pk[PV_PK_SIZE])
{
    pv_revlist rl;
    int rc = pv_revlist_decode(in, len, &rl);
    if (rc != PV_OK)
        return rc;
    size_t body = len - PV_SIG_SIZE;
    if (crypto_sign_verify_detached(in + body, in, body, issuer_pk) != 0)
        return PV_E_SIGNATURE;
    return PV_OK;
}

void pv_revlist_get(const pv_revlist *rl, uint16_t i, pv_revoked *out)
{
    if (i >= rl->count || rl->entries == NULL) {
        out->bearer_id = 0;
        out->revoked_at = 0;
        return;
    }
    const uint8_t *e = rl->entries + (size_t)i * PV_REVLIST_ENTRY_SIZE;
    out->bearer_id = pv_load32_le(e);
    out->revoked_at = pv_load64_le(e + 4);
}

int pv_revlist_check(const pv_revlist *rl, uint32_t bearer_id, uint64_t cred_issued_at)
{
    uint32_t lo = 0, hi = rl->count; /* search [lo, hi) */
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        pv_revoked e;
        pv_revlist_get(rl, (uint16_t)mid, &e);
        if (e.bearer_id == bearer_id)
            return cred_issued_at <= e.revoked_at ? PV_E_REVOKED : PV_OK;
        if (e.bearer_id < bearer_id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return PV_OK;
}
