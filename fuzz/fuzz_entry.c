/* libFuzzer driver for pv_entry_decode (first 10 bytes of the input): an accepted entry
 * re-encodes to the same bytes, has a non-empty window and only known flags, and
 * compares equal to itself. */
#include <stdlib.h>
#include <string.h>

#include "portvakt/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < PV_ENTRY_SIZE)
        return 0;
    pv_entry e;
    if (pv_entry_decode(data, &e) != PV_OK)
        return 0;
    uint8_t out[PV_ENTRY_SIZE];
    pv_entry_encode(&e, out);
    if (memcmp(out, data, PV_ENTRY_SIZE) != 0 || e.start_min >= e.end_min ||
        (e.flags & ~PV_ENTRY_F_KNOWN) != 0 || pv_entry_cmp(&e, &e) != 0)
        abort();
    if (size >= 2 * PV_ENTRY_SIZE) { /* order is antisymmetric */
        pv_entry f;
        if (pv_entry_decode(data + PV_ENTRY_SIZE, &f) == PV_OK) {
            int ab = pv_entry_cmp(&e, &f), ba = pv_entry_cmp(&f, &e);
            if ((ab < 0) != (ba > 0) || (ab == 0) != (ba == 0))
                abort();
        }
    }
    return 0;
}
