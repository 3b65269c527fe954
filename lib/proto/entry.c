/* Access entries: the 10-byte rights (lock id, minute window, flags) under a credential's
 * Merkle root, and their sort order. */
#include "portvakt/proto.h"

#include "codec.h"

/* lock_id u32 | start_min u16 | end_min u16 | flags u16 */
void pv_entry_encode(const pv_entry *e, uint8_t out[PV_ENTRY_SIZE])
{
    pv_store32_le(out, e->lock_id);
    pv_store16_le(out + 4, e->start_min);
    pv_store16_le(out + 6, e->end_min);
    pv_store16_le(out + 8, e->flags);
}

int pv_entry_decode(const uint8_t in[PV_ENTRY_SIZE], pv_entry *e)
{
    pv_entry t;
    t.lock_id = pv_load32_le(in);
    t.start_min = pv_load16_le(in + 4);
    t.end_min = pv_load16_le(in + 6);
    t.flags = pv_load16_le(in + 8);
    if (t.flags & ~PV_ENTRY_F_KNOWN)
        return PV_E_RESERVED;
    if (t.start_min >= t.end_min)
        return PV_E_RANGE;
    *e = t;
    return PV_OK;
}

int pv_entry_cmp(const pv_entry *a, const pv_entry *b)
{
    if (a->lock_id != b->lock_id)
        return a->lock_id < b->lock_id ? -1 : 1;
    if (a->start_min != b->start_min)
        return a->start_min < b->start_min ? -1 : 1;
    return 0;
}
