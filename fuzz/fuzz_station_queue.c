/* Fuzzes the decoder of the station's queue files (a disk is input too: bit rot, a
 * half-restored backup, a hostile file dropped into the queue directory). */
#include <stdint.h>

#include "queue.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint32_t bearer;
    pvst_logs lg;
    if (pvst_qitem_decode(data, size, &bearer, &lg) == PV_OK && lg.nevents) {
        pvst_bev e;
        if (pvst_bev_decode(lg.events + (size_t)(lg.nevents - 1) * PVST_BEV_SIZE, &e) != PV_OK)
            __builtin_trap(); /* the item decoder already accepted every event */
    }
    return 0;
}
