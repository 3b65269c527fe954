/* pv-ws-bridge's WebSocket layer (RFC 6455, the subset a phone app needs): a strict
 * decoder of client frames and the opening handshake, both treating every byte as hostile.
 * No allocation; the caller owns every buffer. */
#ifndef PV_WS_H
#define PV_WS_H

#include <stddef.h>
#include <stdint.h>

#include "portvakt/error.h"
#include "portvakt/proto.h"

/* One radio frame per message and nothing larger: the longest unlock message (M3 with a
 * full proof, list and beacon) is PV_MSG_MAX bytes. */
#define PV_WS_PAYLOAD_MAX PV_MSG_MAX
#define PV_WS_HEADER_MAX 14u /* 2 + 8 (length) + 4 (mask) */
#define PV_WS_REQUEST_MAX 4096u

/* Decoder results: a frame, or why not (each answered by a distinct close code). */
typedef enum pv_ws_rc {
    PV_WS_OK = 0,
    PV_WS_NEED_MORE = 1,    /* not an error: wait for more bytes */
    PV_WS_E_RESERVED = -1,  /* RSV bit set (no extension was negotiated): 1002 */
    PV_WS_E_OPCODE = -2,    /* reserved or unsupported opcode, or text: 1003 / 1002 */
    PV_WS_E_UNMASKED = -3,  /* a client frame without mask: 1002 */
    PV_WS_E_TOO_BIG = -4,   /* payload over PV_WS_PAYLOAD_MAX: 1009 */
    PV_WS_E_LENGTH = -5,    /* non-minimal length encoding or 64-bit MSB set: 1002 */
    PV_WS_E_FRAGMENT = -6,  /* FIN clear or continuation: messages are single frames: 1003 */
    PV_WS_E_CONTROL = -7    /* control frame over 125 bytes: 1002 */
} pv_ws_rc;

enum { PV_WS_OP_BINARY = 0x2, PV_WS_OP_TEXT = 0x1, PV_WS_OP_CLOSE = 0x8, PV_WS_OP_PING = 0x9,
       PV_WS_OP_PONG = 0xA };

typedef struct pv_ws_frame {
    uint8_t opcode;
    size_t len;                            /* payload bytes */
    uint8_t payload[PV_WS_PAYLOAD_MAX];    /* unmasked */
} pv_ws_frame;

/* Decode one client frame from the front of buf. PV_WS_OK with *used bytes consumed,
 * PV_WS_NEED_MORE, or an error (the connection must be closed with pv_ws_close_code). An
 * oversized frame is refused from its header, before its payload arrives. */
pv_ws_rc pv_ws_decode(const uint8_t *buf, size_t len, pv_ws_frame *f, size_t *used)
    PV_MUST_CHECK;
/* The close status (RFC 6455 §7.4.1) for a decoder error. */
uint16_t pv_ws_close_code(pv_ws_rc rc);
/* Encode a server frame (unmasked, FIN) into out; returns its size, 0 if cap is too small
 * or the payload too large. */
size_t pv_ws_encode(uint8_t opcode, const uint8_t *payload, size_t len, uint8_t *out,
                    size_t cap);

/* What the opening handshake asked for. */
typedef struct pv_ws_request {
    char path[64];
    char origin[128];  /* "" when the client sent none */
    char key[25];      /* Sec-WebSocket-Key: 24 base64 characters */
} pv_ws_request;

/* Handshake results. */
typedef enum pv_ws_hs_rc {
    PV_WS_HS_OK = 0,
    PV_WS_HS_NEED_MORE = 1,
    PV_WS_HS_BAD = -1,      /* not a WebSocket upgrade GET (answered 400) */
    PV_WS_HS_VERSION = -2,  /* Sec-WebSocket-Version is not 13 (426) */
    PV_WS_HS_TOO_BIG = -3   /* request headers over PV_WS_REQUEST_MAX (431) */
} pv_ws_hs_rc;

/* Parse the request head in buf (need not be NUL-terminated). *used: bytes of the head,
 * including the blank line. */
pv_ws_hs_rc pv_ws_handshake_parse(const char *buf, size_t len, pv_ws_request *r, size_t *used)
    PV_MUST_CHECK;
/* The 101 answer for a request into out (NUL-terminated); returns its length or 0. */
size_t pv_ws_handshake_accept(const pv_ws_request *r, char *out, size_t cap);

#endif
