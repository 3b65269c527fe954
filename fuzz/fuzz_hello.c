/* libFuzzer driver for pv_hello_decode and the lock's M1 step: an accepted HELLO
 * re-encodes to the same bytes; the lock then answers or refuses a bad key cleanly. */
#include <stdlib.h>
#include <string.h>

#include "portvakt/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pv_hello m;
    if (pv_hello_decode(data, size, &m) != PV_OK)
        return 0;
    uint8_t out[PV_HELLO_SIZE];
    if (size != PV_HELLO_SIZE || pv_hello_encode(&m, out) != PV_OK ||
        memcmp(out, data, PV_HELLO_SIZE) != 0)
        abort();
    pv_session s;
    pv_hello h;
    if (pv_lock_hs_hello(&s, data, size, &h) != PV_OK || h.issuer_id != m.issuer_id)
        abort();
    uint8_t r[32], m2[PV_CHALLENGE_SIZE];
    memset(r, 0x42, sizeof r);
    pv_challenge ch = {.lock_id = 1};
    int rc = pv_lock_hs_challenge(&s, &ch, r, m2);
    if (rc != PV_OK && rc != PV_E_CRYPTO)
        abort();
    pv_session_wipe(&s);
    return 0;
}
