/* Encoding and framing of the plaintexts sealed in M3 PRESENT and M4 RESULT. */
#include "unlock_inner.h"

#include "codec.h"

int pv_present_inner_encode(const pv_present *p, uint8_t *out, size_t cap, size_t *len)
{
    if (p->cred == NULL || p->entry == NULL || p->nsiblings > PV_MERKLE_MAX_DEPTH ||
        (p->nsiblings > 0 && p->siblings == NULL))
        return PV_E_RANGE;
    uint16_t rl_len = p->revlist ? p->revlist_len : 0;
    if (rl_len > PV_REVLIST_MAX_SIZE)
        return PV_E_RANGE;
    pv_wr w;
    pv_wr_init(&w, out, cap);
    pv_wr_bytes(&w, p->cred, PV_CRED_SIZE);
    pv_wr_bytes(&w, p->entry, PV_ENTRY_SIZE);
    pv_wr_u32(&w, p->leaf_index);
    pv_wr_u8(&w, p->nsiblings);
    pv_wr_bytes(&w, p->siblings, (size_t)p->nsiblings * PV_HASH_SIZE);
    pv_wr_u16(&w, rl_len);
    pv_wr_bytes(&w, p->revlist, rl_len);
    pv_wr_u8(&w, p->beacon ? PV_BEACON_SIZE : 0);
    pv_wr_bytes(&w, p->beacon, p->beacon ? PV_BEACON_SIZE : 0);
    if (w.err != PV_OK)
        return w.err;
    *len = w.pos;
    return PV_OK;
}

int pv_present_inner_decode(const uint8_t *in, size_t len, pv_present *p)
{
    pv_rd r;
    pv_rd_init(&r, in, len);
    pv_present t;
    t.cred = pv_rd_bytes(&r, PV_CRED_SIZE);
    t.entry = pv_rd_bytes(&r, PV_ENTRY_SIZE);
    t.leaf_index = pv_rd_u32(&r);
    t.nsiblings = pv_rd_u8(&r);
    if (r.err != PV_OK)
        return r.err;
    if (t.nsiblings > PV_MERKLE_MAX_DEPTH)
        return PV_E_RANGE;
    t.siblings = t.nsiblings ? pv_rd_bytes(&r, (size_t)t.nsiblings * PV_HASH_SIZE) : NULL;
    t.revlist_len = pv_rd_u16(&r);
    if (r.err != PV_OK)
        return r.err;
    if (t.revlist_len > PV_REVLIST_MAX_SIZE)
        return PV_E_RANGE;
    t.revlist = t.revlist_len ? pv_rd_bytes(&r, t.revlist_len) : NULL;
    uint8_t beacon_len = pv_rd_u8(&r);
    if (r.err != PV_OK)
        return r.err;
    if (beacon_len != 0 && beacon_len != PV_BEACON_SIZE)
        return PV_E_RANGE;
    t.beacon = beacon_len ? pv_rd_bytes(&r, PV_BEACON_SIZE) : NULL;
    int rc = pv_rd_end(&r);
    if (rc != PV_OK)
        return rc;
    *p = t;
    return PV_OK;
}

int pv_result_inner_encode(const pv_result *r, uint8_t *out, size_t cap, size_t *len)
{
    uint16_t batch_len = r->batch ? r->batch_len : 0;
    if (batch_len > PV_LOGBATCH_MAX_SIZE || r->status > 0 || r->status <= PV_E__COUNT)
        return PV_E_RANGE;
    if (r->flags & ~PV_RESULT_F_KNOWN)
        return PV_E_RESERVED;
    pv_wr w;
    pv_wr_init(&w, out, cap);
    pv_wr_u8(&w, (uint8_t)r->status);
    pv_wr_u64(&w, r->lock_time);
    pv_wr_u16(&w, r->battery_mv);
    pv_wr_u8(&w, r->flags);
    pv_wr_u16(&w, batch_len);
    pv_wr_bytes(&w, r->batch, batch_len);
    if (w.err != PV_OK)
        return w.err;
    *len = w.pos;
    return PV_OK;
}

int pv_result_inner_decode(const uint8_t *in, size_t len, pv_result *r)
{
    pv_rd rd;
    pv_rd_init(&rd, in, len);
    pv_result t;
    t.status = (int8_t)pv_rd_u8(&rd);
    t.lock_time = pv_rd_u64(&rd);
    t.battery_mv = pv_rd_u16(&rd);
    t.flags = pv_rd_u8(&rd);
    t.batch_len = pv_rd_u16(&rd);
    if (rd.err != PV_OK)
        return rd.err;
    if (t.status > 0 || t.status <= PV_E__COUNT || t.batch_len > PV_LOGBATCH_MAX_SIZE)
        return PV_E_RANGE;
    if (t.flags & ~PV_RESULT_F_KNOWN)
        return PV_E_RESERVED;
    t.batch = t.batch_len ? pv_rd_bytes(&rd, t.batch_len) : NULL;
    int rc = pv_rd_end(&rd);
    if (rc != PV_OK)
        return rc;
    *r = t;
    return PV_OK;
}
