/* Fuzzes the `key = value` config parser: every input is accepted or refused with a
 * message naming the line, never a crash or an unterminated string. */
#include <stdint.h>
#include <string.h>

#include "pvs/server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pvs_config c;
    char err[300] = "";
    pvs_config_defaults(&c);
    int rc = pvs_config_parse(&c, (const char *)data, size, err, sizeof err);
    if (rc != 0 && err[0] == '\0')
        __builtin_trap();
    if (rc == 0 && (strnlen(c.db, sizeof c.db) == sizeof c.db ||
                    strnlen(c.listen_host, sizeof c.listen_host) == sizeof c.listen_host ||
                    c.threads < 1 || c.threads > 64))
        __builtin_trap();
    return 0;
}
