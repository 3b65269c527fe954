/* Fuzzes the enrolment-code reader (server/rules/enrol_code.c): whatever a person types, the
 * reader never overruns, and a code it accepts is written in the one canonical form that
 * reads back as itself. */
#include <stdint.h>
#include <string.h>

#include "../server/rules/enrol_code.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char out[PVS_ENROL_CODE_TEXT], again[PVS_ENROL_CODE_TEXT];
    if (!pvs_enrol_code_parse((const char *)data, size, out))
        return 0;
    if (strlen(out) != PVS_ENROL_CODE_TEXT - 1 || out[4] != '-' ||
        !pvs_enrol_code_parse(out, strlen(out), again) || strcmp(out, again) != 0)
        __builtin_trap();
    return 0;
}
