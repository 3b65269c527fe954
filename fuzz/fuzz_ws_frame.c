/* libFuzzer driver for pv-ws-bridge's WebSocket frame decoder: any byte stream is decoded
 * frame by frame; every accepted frame has a bounded payload, consumes exactly its header
 * and payload, and a binary frame re-encoded (server side) and re-masked decodes again
 * to the same bytes. */
#include <stdlib.h>
#include <string.h>

#include "ws.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static pv_ws_frame f, g;
static uint8_t out[PV_WS_HEADER_MAX + PV_WS_PAYLOAD_MAX];

/* A server frame turned into a client frame: mask bit set and a zero mask inserted. */
static size_t as_client(const uint8_t *srv, size_t n, uint8_t *dst)
{
    size_t h = (srv[1] & 0x7F) == 126 ? 4 : 2;
    memcpy(dst, srv, h);
    dst[1] |= 0x80;
    memset(dst + h, 0, 4);
    memcpy(dst + h + 4, srv + h, n - h);
    return n + 4;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t off = 0;
    while (off < size) {
        size_t used = 0;
        pv_ws_rc rc = pv_ws_decode(data + off, size - off, &f, &used);
        if (rc == PV_WS_NEED_MORE)
            break;
        if (rc != PV_WS_OK) {
            uint16_t code = pv_ws_close_code(rc);
            if (code != 1002 && code != 1003 && code != 1009)
                abort();
            break;
        }
        if (f.len > PV_WS_PAYLOAD_MAX || used < 6 || used > size - off || used - f.len > 14)
            abort();
        if (f.opcode == PV_WS_OP_BINARY) {
            static uint8_t client[PV_WS_HEADER_MAX + PV_WS_PAYLOAD_MAX + 4];
            size_t n = pv_ws_encode(PV_WS_OP_BINARY, f.payload, f.len, out, sizeof out);
            size_t u2 = 0;
            if (n == 0 || pv_ws_decode(client, as_client(out, n, client), &g, &u2) != PV_WS_OK ||
                g.len != f.len || memcmp(g.payload, f.payload, f.len) != 0)
                abort();
        }
        off += used;
    }
    return 0;
}
