/* Fuzzes the typed public-key reader (lib/proto/pkcode.c): whatever a person types or a
 * scanner sends, the reader never overruns, and a key it accepts is written back in a form
 * that reads as the same key and kind. */
#include <stdint.h>
#include <string.h>

#include "portvakt/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t pk[PV_PK_SIZE], again[PV_PK_SIZE];
    pv_pkcode_kind kind, kind2;
    if (pv_pkcode_parse((const char *)data, size, pk, &kind) != PV_OK)
        return 0;
    char text[PV_PKCODE_TEXT_SIZE];
    if (pv_pkcode_format(pk, kind, text) != PV_OK ||
        pv_pkcode_parse(text, strlen(text), again, &kind2) != PV_OK || kind2 != kind ||
        memcmp(pk, again, sizeof pk) != 0)
        __builtin_trap();
    return 0;
}
