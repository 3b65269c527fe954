/* libFuzzer driver for pv_cred_decode: an accepted credential re-signs to the same body
 * and satisfies every window rule; verification never crashes. */
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
    pv_cred c;
    if (pv_cred_decode(data, size, &c) != PV_OK)
        return 0;
    if (size != PV_CRED_SIZE || c.entry_count == 0 || c.entry_count > PV_MERKLE_MAX_LEAVES ||
        c.not_before >= c.not_after || c.not_after - c.not_before > PV_CRED_MAX_LIFETIME_S ||
        c.issued_at > c.not_after || c.not_after - c.issued_at > PV_CRED_MAX_LIFETIME_S)
        abort();
    uint8_t out[PV_CRED_SIZE];
    if (pv_cred_sign(&c, sk, out) != PV_OK || memcmp(out, data, PV_CRED_BODY_SIZE) != 0)
        abort();
    int v = pv_cred_verify(data, pk);
    if (v != PV_OK && v != PV_E_SIGNATURE)
        abort();
    if (pv_cred_verify(out, pk) != PV_OK)
        abort();
    return 0;
}
