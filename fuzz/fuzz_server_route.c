/* Fuzzes route matching: input is "METHOD PATH"; a match must fill in-range path
 * parameters, and a matched route's pattern must really describe the path. */
#include <stdint.h>
#include <string.h>

#include "pvs/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char buf[PVS_MAX_PATH + 16];
    if (size >= sizeof buf)
        return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    char *sp = strchr(buf, ' ');
    if (!sp)
        return 0;
    *sp = '\0';
    struct pvs_req r;
    memset(&r, 0, sizeof r);
    bool known = false;
    const struct pvs_route *rt = pvs_route_match(&r, buf, sp + 1, &known);
    if (r.nparams < 0 || r.nparams > PVS_MAX_PATH_PARAMS)
        __builtin_trap();
    for (int i = 0; i < r.nparams; i++)
        if (strnlen(r.params[i], sizeof r.params[i]) == sizeof r.params[i] || !r.params[i][0] ||
            strchr(r.params[i], '/'))
            __builtin_trap();
    if (rt && strcmp(rt->method, buf) != 0 && strcmp(buf, "HEAD") != 0)
        __builtin_trap();
    return 0;
}
