/* libFuzzer driver for pv_logbatch_decode: an accepted batch holds decodable events with
 * consecutive sequence numbers, re-signs to the same body, and its chain end is the fold
 * of the chain over its events. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_keys.h"
#include "portvakt/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t pk[32], sk[64];
    fuzz_keys_once(0x33, pk, sk);
    pv_logbatch b;
    if (pv_logbatch_decode(data, size, &b) != PV_OK)
        return 0;
    if (b.count == 0 || b.count > PV_LOG_BATCH_MAX ||
        size != PV_LOGBATCH_HDR_SIZE + (size_t)b.count * PV_EVENT_SIZE + PV_SIG_SIZE)
        abort();
    pv_event ev[PV_LOG_BATCH_MAX];
    uint8_t h[32], end[32];
    memcpy(h, b.prev_hash, 32);
    for (uint8_t i = 0; i < b.count; i++) {
        if (pv_event_decode(b.events + (size_t)i * PV_EVENT_SIZE, &ev[i]) != PV_OK)
            abort();
        if (i > 0 && ev[i].seq != ev[0].seq + i)
            abort();
        pv_log_chain_next(h, b.events + (size_t)i * PV_EVENT_SIZE, h);
    }
    pv_logbatch_chain_end(&b, end);
    if (memcmp(h, end, 32) != 0)
        abort();
    uint8_t out[PV_LOGBATCH_MAX_SIZE];
    size_t len;
    if (pv_logbatch_sign(b.lock_id, b.prev_hash, ev, b.count, sk, out, sizeof out, &len) !=
            PV_OK ||
        len != size || memcmp(out, data, size - PV_SIG_SIZE) != 0)
        abort();
    int v = pv_logbatch_verify(data, size, pk);
    if (v != PV_OK && v != PV_E_SIGNATURE)
        abort();
    return 0;
}
