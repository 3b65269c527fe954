/* libFuzzer driver for pv_challenge_decode and the key's M2 step: an accepted CHALLENGE
 * re-encodes to the same bytes; the key derives its keys or refuses a bad point cleanly. */
#include <stdlib.h>
#include <string.h>

#include "portvakt/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pv_challenge m;
    if (pv_challenge_decode(data, size, &m) != PV_OK)
        return 0;
    uint8_t out[PV_CHALLENGE_SIZE];
    if (size != PV_CHALLENGE_SIZE || pv_challenge_encode(&m, out) != PV_OK ||
        memcmp(out, data, PV_CHALLENGE_SIZE) != 0)
        abort();
    pv_session s;
    uint8_t r[32], xsk[32], m1[PV_HELLO_SIZE];
    memset(r, 0x42, sizeof r);
    memset(xsk, 0x24, sizeof xsk);
    if (pv_key_hs_start(&s, 7, r, m1) != PV_OK)
        abort();
    pv_challenge got;
    int rc = pv_key_hs_challenge(&s, data, size, &got, xsk);
    if (rc != PV_OK && rc != PV_E_CRYPTO)
        abort();
    if (rc == PV_OK && (!s.have_k1 || got.lock_id != m.lock_id))
        abort();
    pv_session_wipe(&s);
    return 0;
}
