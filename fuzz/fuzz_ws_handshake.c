/* libFuzzer driver for pv-ws-bridge's opening-handshake parser: any request head is
 * parsed within PV_WS_REQUEST_MAX; an accepted one has a 24-character key, a path and
 * origin that fit and hold no control byte, and gets a complete 101 answer. */
#include <stdlib.h>
#include <string.h>

#include "ws.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pv_ws_request r;
    size_t used = 0;
    pv_ws_hs_rc rc = pv_ws_handshake_parse((const char *)data, size, &r, &used);
    if (rc == PV_WS_HS_TOO_BIG && size < PV_WS_REQUEST_MAX)
        abort();
    if (rc != PV_WS_HS_OK)
        return 0;
    if (used > size || used > PV_WS_REQUEST_MAX || strlen(r.key) != 24 || r.path[0] != '/')
        abort();
    for (const char *p = r.origin; *p; p++)
        if ((unsigned char)*p < 0x20)
            abort();
    char ans[256];
    size_t n = pv_ws_handshake_accept(&r, ans, sizeof ans);
    if (n == 0 || strstr(ans, "\r\n\r\n") != ans + n - 4)
        abort();
    return 0;
}
