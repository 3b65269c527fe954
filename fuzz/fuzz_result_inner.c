/* libFuzzer driver for the M4 RESULT inner payload decoder: an accepted payload has a
 * status that is PV_OK or an error code, known flags, and re-encodes to the same bytes. */
#include <stdlib.h>
#include <string.h>

#include "portvakt/proto.h"
#include "unlock_inner.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pv_result r;
    if (pv_result_inner_decode(data, size, &r) != PV_OK)
        return 0;
    if (r.status > 0 || r.status <= PV_E__COUNT || (r.flags & ~PV_RESULT_F_KNOWN) ||
        r.batch_len > PV_LOGBATCH_MAX_SIZE || (r.batch == NULL) != (r.batch_len == 0))
        abort();
    static uint8_t out[PV_MSG_MAX];
    size_t len;
    if (pv_result_inner_encode(&r, out, sizeof out, &len) != PV_OK || len != size ||
        memcmp(out, data, size) != 0)
        abort();
    pv_logbatch b;
    if (r.batch && pv_logbatch_decode(r.batch, r.batch_len, &b) > 0)
        abort();
    return 0;
}
