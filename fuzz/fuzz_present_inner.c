/* libFuzzer driver for the M3 PRESENT inner payload decoder: an accepted payload
 * re-encodes to the same bytes, and its parts are then decoded as the lock would. */
#include <stdlib.h>
#include <string.h>

#include "portvakt/proto.h"
#include "unlock_inner.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pv_present p;
    if (pv_present_inner_decode(data, size, &p) != PV_OK)
        return 0;
    if (p.nsiblings > PV_MERKLE_MAX_DEPTH || p.revlist_len > PV_REVLIST_MAX_SIZE ||
        (p.revlist == NULL) != (p.revlist_len == 0))
        abort();
    static uint8_t out[PV_MSG_MAX];
    size_t len;
    if (pv_present_inner_encode(&p, out, sizeof out, &len) != PV_OK || len != size ||
        memcmp(out, data, size) != 0)
        abort();
    pv_cred c;
    if (pv_cred_decode(p.cred, PV_CRED_SIZE, &c) == PV_OK) {
        int rc = pv_merkle_verify(p.entry, p.leaf_index, c.entry_count,
                                  (const uint8_t(*)[PV_HASH_SIZE])p.siblings, p.nsiblings, c.root);
        if (rc != PV_OK && rc != PV_E_PROOF && rc != PV_E_RANGE)
            abort();
    }
    /* the parts decode (or are refused) without crashing, as at the lock */
    pv_revlist rl;
    pv_beacon b;
    pv_entry e;
    int rc_rl = p.revlist ? pv_revlist_decode(p.revlist, p.revlist_len, &rl) : PV_OK;
    int rc_b = p.beacon ? pv_beacon_decode(p.beacon, PV_BEACON_SIZE, &b) : PV_OK;
    int rc_e = pv_entry_decode(p.entry, &e);
    if (rc_rl > 0 || rc_b > 0 || rc_e > 0)
        abort();
    return 0;
}
