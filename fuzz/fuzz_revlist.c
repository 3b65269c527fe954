/* libFuzzer driver for pv_revlist_decode: an accepted list has the exact length, strict
 * order, re-signs to the same body, and its binary search agrees with a linear scan. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_keys.h"
#include "portvakt/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int linear_check(const pv_revlist *rl, uint32_t id, uint64_t issued_at)
{
    for (uint16_t i = 0; i < rl->count; i++) {
        pv_revoked r;
        pv_revlist_get(rl, i, &r);
        if (r.bearer_id == id)
            return issued_at <= r.revoked_at ? PV_E_REVOKED : PV_OK;
    }
    return PV_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t pk[32], sk[64];
    fuzz_keys_once(0x11, pk, sk);
    pv_revlist rl;
    if (pv_revlist_decode(data, size, &rl) != PV_OK)
        return 0;
    if (rl.count > PV_REVLIST_MAX ||
        size != PV_REVLIST_HDR_SIZE + (size_t)rl.count * PV_REVLIST_ENTRY_SIZE + PV_SIG_SIZE)
        abort();
    pv_revoked e[PV_REVLIST_MAX];
    for (uint16_t i = 0; i < rl.count; i++) {
        pv_revlist_get(&rl, i, &e[i]);
        if (i > 0 && e[i - 1].bearer_id >= e[i].bearer_id)
            abort();
    }
    uint8_t out[PV_REVLIST_MAX_SIZE];
    size_t len;
    if (pv_revlist_sign(rl.issuer_id, rl.version, rl.issued_at, e, rl.count, sk, out,
                        sizeof out, &len) != PV_OK ||
        len != size || memcmp(out, data, size - PV_SIG_SIZE) != 0)
        abort();
    for (uint16_t i = 0; i < rl.count; i++) {
        const uint32_t ids[3] = {e[i].bearer_id - 1, e[i].bearer_id, e[i].bearer_id + 1};
        for (int k = 0; k < 3; k++) {
            uint64_t at = e[i].revoked_at;
            if (pv_revlist_check(&rl, ids[k], at) != linear_check(&rl, ids[k], at) ||
                pv_revlist_check(&rl, ids[k], at + 1) != linear_check(&rl, ids[k], at + 1))
                abort();
        }
    }
    int v = pv_revlist_verify(data, size, pk);
    if (v != PV_OK && v != PV_E_SIGNATURE)
        abort();
    return 0;
}
