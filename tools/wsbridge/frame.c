/* WebSocket frames (RFC 6455 §5): a deny-by-default decoder of client frames — masked,
 * single-frame messages, minimal lengths, bounded payloads — and the server's encoder. */
#include <string.h>

#include "ws.h"

/* Header fields once the whole header is in buf: PV_WS_OK with *hlen and *plen. */
static pv_ws_rc header(const uint8_t *buf, size_t len, size_t *hlen, uint64_t *plen)
{
    if (len < 2)
        return PV_WS_NEED_MORE;
    uint8_t b0 = buf[0], b1 = buf[1], op = b0 & 0x0F;
    if (b0 & 0x70)
        return PV_WS_E_RESERVED;
    if (op != PV_WS_OP_BINARY && op != PV_WS_OP_TEXT && op != PV_WS_OP_CLOSE &&
        op != PV_WS_OP_PING && op != PV_WS_OP_PONG && op != 0x0)
        return PV_WS_E_OPCODE;
    if (!(b0 & 0x80) || op == 0x0)
        return PV_WS_E_FRAGMENT;
    if (!(b1 & 0x80))
        return PV_WS_E_UNMASKED;
    uint64_t n = b1 & 0x7F;
    size_t h = 2;
    if (n == 126) {
        if (len < 4)
            return PV_WS_NEED_MORE;
        n = (uint64_t)buf[2] << 8 | buf[3];
        if (n < 126)
            return PV_WS_E_LENGTH;
        h = 4;
    } else if (n == 127) {
        if (len < 10)
            return PV_WS_NEED_MORE;
        n = 0;
        for (int i = 0; i < 8; i++)
            n = n << 8 | buf[2 + i];
        if (n >> 63 || n <= 0xFFFF)
            return PV_WS_E_LENGTH;
        h = 10;
    }
    if ((op & 0x8) && n > 125)
        return PV_WS_E_CONTROL;
    if (n > PV_WS_PAYLOAD_MAX)
        return PV_WS_E_TOO_BIG;
    if (op == PV_WS_OP_TEXT)
        return PV_WS_E_OPCODE; /* radio frames are binary; text is refused, not guessed at */
    *hlen = h + 4;
    *plen = n;
    return PV_WS_OK;
}

pv_ws_rc pv_ws_decode(const uint8_t *buf, size_t len, pv_ws_frame *f, size_t *used)
{
    size_t h = 0;
    uint64_t n = 0;
    pv_ws_rc rc = header(buf, len, &h, &n);
    if (rc != PV_WS_OK)
        return rc;
    if (len < h || len - h < n)
        return PV_WS_NEED_MORE;
    const uint8_t *mask = buf + h - 4;
    for (size_t i = 0; i < n; i++)
        f->payload[i] = buf[h + i] ^ mask[i & 3];
    f->opcode = buf[0] & 0x0F;
    f->len = (size_t)n;
    *used = h + (size_t)n;
    return PV_WS_OK;
}

uint16_t pv_ws_close_code(pv_ws_rc rc)
{
    switch (rc) {
    case PV_WS_E_TOO_BIG:
        return 1009;
    case PV_WS_E_OPCODE:
    case PV_WS_E_FRAGMENT:
        return 1003;
    default:
        return 1002;
    }
}

size_t pv_ws_encode(uint8_t opcode, const uint8_t *payload, size_t len, uint8_t *out,
                    size_t cap)
{
    size_t h = len < 126 ? 2 : 4;
    if (len > PV_WS_PAYLOAD_MAX || cap < h + len)
        return 0;
    out[0] = (uint8_t)(0x80 | (opcode & 0x0F));
    if (len < 126) {
        out[1] = (uint8_t)len;
    } else {
        out[1] = 126;
        out[2] = (uint8_t)(len >> 8);
        out[3] = (uint8_t)len;
    }
    if (len)
        memcpy(out + h, payload, len);
    return h + len;
}
