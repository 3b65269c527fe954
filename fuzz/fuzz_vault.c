/* Fuzzes the vault's two decoders (server/core/vault.c): the key file's text, and a sealed
 * value as read back from the database. A key file is accepted or refused, never a crash; a
 * sealed value under the fixed test key opens only if it is authentic, and what opens never
 * exceeds the input. First byte: 0 = key file, else sealed value. */
#include <stdint.h>
#include <string.h>

#include "pvs/vault.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char test_key[] =
    "key = 7 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[200];
    if (size == 0)
        return 0;
    if (data[0] == 0) {
        if (pvs_vault_load_text((const char *)data + 1, size - 1, err, sizeof err) == 0 &&
            pvs_vault_key_id() == 0)
            __builtin_trap();
        pvs_vault_unload();
        return 0;
    }
    if (pvs_vault_load_text(test_key, sizeof test_key - 1, err, sizeof err) != 0)
        __builtin_trap();
    uint8_t out[4096];
    size_t got = 0;
    if (pvs_vault_read("totp:user=1", data + 1, size - 1, out, sizeof out, &got) == 0 &&
        got > size - 1)
        __builtin_trap();
    pvs_vault_unload();
    return 0;
}
