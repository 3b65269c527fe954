/* libFuzzer driver for pv_event_decode (first 16 bytes of the input): an accepted event
 * re-encodes to the same bytes and has a known kind. */
#include <stdlib.h>
#include <string.h>

#include "portvakt/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < PV_EVENT_SIZE)
        return 0;
    pv_event ev;
    if (pv_event_decode(data, &ev) != PV_OK)
        return 0;
    uint8_t out[PV_EVENT_SIZE];
    pv_event_encode(&ev, out);
    if (memcmp(out, data, PV_EVENT_SIZE) != 0 ||
        strcmp(pv_event_kind_name(ev.kind), "unknown") == 0 ||
        (ev.kind != PV_EV_DENY && ev.reason != 0))
        abort();
    return 0;
}
