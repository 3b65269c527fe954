/* Fuzzes the decoder of the station's queue files (a disk is input too: bit rot, a
 * half-restored backup, a hostile file dropped into the queue directory). Odd-sized
 * inputs get a correct checksum first, so the fuzzer also reaches the payload decoder
 * behind it (it cannot forge BLAKE2b by mutation). */
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "queue.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy)
        return 0;
    if (size)
        memcpy(copy, data, size);
    if (size >= PVST_QITEM_OVERHEAD && (size & 1u))
        crypto_generichash(copy + size - 32, 32, copy, size - 32, NULL, 0);
    uint32_t bearer;
    pvst_logs lg;
    if (pvst_qitem_decode(copy, size, &bearer, &lg) == PV_OK && lg.nevents) {
        pvst_bev e;
        if (pvst_bev_decode(lg.events + (size_t)(lg.nevents - 1) * PVST_BEV_SIZE, &e) != PV_OK)
            __builtin_trap(); /* the item decoder already accepted every event */
    }
    free(copy);
    return 0;
}
