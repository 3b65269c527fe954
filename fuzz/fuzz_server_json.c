/* Fuzzes the strict JSON body check (pvs_json_check) with a field table that uses every
 * member type: any input must be accepted or refused with a message, never crash. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "pvs/http.h"

static const struct pvs_jfield fields[] = {
    {"name", PVS_J_STRING, PVS_JF_REQUIRED, 1, 64},
    {"n", PVS_J_INT, 0, -5, 5},
    {"id", PVS_J_ID, PVS_JF_NULLABLE, 0, 0},
    {"on", PVS_J_BOOL, 0, 0, 0},
    {"day", PVS_J_DATE, 0, 0, 0},
    {"key", PVS_J_HEX, 0, 32, 32},
    {"list", PVS_J_ARRAY, 0, 0, 4},
    {"obj", PVS_J_OBJECT, 0, 0, 0},
    {"any", PVS_J_ANY, 0, 0, 0},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t err;
    json_t *o = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &err);
    if (!o)
        return 0;
    char errs[900] = "";
    bool ok = pvs_json_check(o, fields, sizeof fields / sizeof fields[0], "", errs, sizeof errs);
    if (ok) {
        /* a checked object must be readable through the accessors without surprises */
        uint8_t key[32];
        (void)pvs_jstr(o, "name", NULL);
        (void)pvs_jint(o, "n", 0);
        (void)pvs_jbool(o, "on", false);
        if (pvs_jhas(o, "key") && !json_is_null(json_object_get(o, "key")) &&
            !pvs_jhex(o, "key", key, sizeof key))
            __builtin_trap(); /* checked hex must decode */
    } else if (errs[0] == '\0') {
        __builtin_trap(); /* a refusal always says why */
    }
    json_decref(o);
    return 0;
}
