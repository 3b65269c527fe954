/* libFuzzer driver for pv_beacon_decode: an accepted beacon re-signs to the same body. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_keys.h"
#include "portvakt/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t pk[32], sk[64];
    fuzz_keys_once(0x11, pk, sk);
    pv_beacon b;
    if (pv_beacon_decode(data, size, &b) != PV_OK)
        return 0;
    uint8_t out[PV_BEACON_SIZE];
    if (size != PV_BEACON_SIZE || pv_beacon_sign(&b, sk, out) != PV_OK ||
        memcmp(out, data, 16) != 0)
        abort();
    int v = pv_beacon_verify(data, pk);
    if (v != PV_OK && v != PV_E_SIGNATURE)
        abort();
    return 0;
}
