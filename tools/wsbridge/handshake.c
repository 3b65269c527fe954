/* The WebSocket opening handshake (RFC 6455 §4.2): a bounded parser of the client's
 * request head and the 101 answer. SHA-1 for Sec-WebSocket-Accept comes from nettle (the
 * RFC fixes that hash; it protects nothing here), base64 from libsodium. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <nettle/sha1.h>
#include <sodium.h>

#include "ws.h"

#define WS_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

/* The head's end ("\r\n\r\n") within the first PV_WS_REQUEST_MAX bytes, or 0. */
static size_t head_end(const char *buf, size_t len)
{
    size_t lim = len < PV_WS_REQUEST_MAX ? len : PV_WS_REQUEST_MAX;
    for (size_t i = 3; i < lim; i++)
        if (buf[i - 3] == '\r' && buf[i - 2] == '\n' && buf[i - 1] == '\r' && buf[i] == '\n')
            return i + 1;
    return 0;
}

/* Does a comma-separated header value contain token (case-insensitive)? */
static int has_token(const char *v, size_t n, const char *token)
{
    size_t t = strlen(token), i = 0;
    while (i < n) {
        while (i < n && (v[i] == ' ' || v[i] == ','))
            i++;
        size_t s = i;
        while (i < n && v[i] != ',')
            i++;
        size_t e = i;
        while (e > s && v[e - 1] == ' ')
            e--;
        if (e - s == t && strncasecmp(v + s, token, t) == 0)
            return 1;
    }
    return 0;
}

/* Copy a value into dst (cap incl. NUL); -1 if it does not fit or has a control byte. */
static int copy_value(char *dst, size_t cap, const char *v, size_t n)
{
    if (n >= cap)
        return -1;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)v[i] < 0x20 || v[i] == 0x7F)
            return -1;
    memcpy(dst, v, n);
    dst[n] = '\0';
    return 0;
}

enum { H_UPGRADE = 1, H_CONNECTION = 2, H_KEY = 4, H_VERSION = 8 };

/* One "Name: value" line into r; returns the H_* bit it satisfied, 0, or -1 (bad). */
static int header_line(const char *l, size_t n, pv_ws_request *r, int *version_ok)
{
    const char *colon = memchr(l, ':', n);
    if (!colon || colon == l)
        return -1;
    size_t nlen = (size_t)(colon - l), i = nlen + 1;
    while (i < n && (l[i] == ' ' || l[i] == '\t'))
        i++;
    const char *v = l + i;
    size_t vn = n - i;
    while (vn > 0 && (v[vn - 1] == ' ' || v[vn - 1] == '\t'))
        vn--;
#define IS(name) (nlen == sizeof(name) - 1 && strncasecmp(l, name, nlen) == 0)
    if (IS("Upgrade"))
        return has_token(v, vn, "websocket") ? H_UPGRADE : -1;
    if (IS("Connection"))
        return has_token(v, vn, "upgrade") ? H_CONNECTION : -1;
    if (IS("Sec-WebSocket-Key"))
        return vn == 24 && copy_value(r->key, sizeof r->key, v, vn) == 0 ? H_KEY : -1;
    if (IS("Sec-WebSocket-Version")) {
        *version_ok = vn == 2 && v[0] == '1' && v[1] == '3';
        return H_VERSION;
    }
    if (IS("Origin"))
        return copy_value(r->origin, sizeof r->origin, v, vn) == 0 ? 0 : -1;
#undef IS
    return 0;
}

/* "GET /path HTTP/1.1" into r->path. */
static int request_line(const char *l, size_t n, pv_ws_request *r)
{
    if (n < 14 || memcmp(l, "GET /", 5) != 0 || memcmp(l + n - 9, " HTTP/1.1", 9) != 0)
        return -1;
    size_t plen = n - 4 - 9;
    if (memchr(l + 4, ' ', plen))
        return -1;
    return copy_value(r->path, sizeof r->path, l + 4, plen);
}

pv_ws_hs_rc pv_ws_handshake_parse(const char *buf, size_t len, pv_ws_request *r, size_t *used)
{
    size_t end = head_end(buf, len);
    if (end == 0)
        return len >= PV_WS_REQUEST_MAX ? PV_WS_HS_TOO_BIG : PV_WS_HS_NEED_MORE;
    memset(r, 0, sizeof *r);
    int seen = 0, version_ok = 0, first = 1;
    for (size_t i = 0; i + 2 < end;) {
        const char *l = buf + i, *cr = memchr(l, '\r', end - i);
        if (!cr || cr[1] != '\n')
            return PV_WS_HS_BAD;
        size_t n = (size_t)(cr - l);
        if (memchr(l, '\0', n) || memchr(l, '\n', n))
            return PV_WS_HS_BAD;
        if (first) {
            if (request_line(l, n, r) != 0)
                return PV_WS_HS_BAD;
            first = 0;
        } else {
            int bit = header_line(l, n, r, &version_ok);
            if (bit < 0)
                return PV_WS_HS_BAD;
            seen |= bit;
        }
        i += n + 2;
    }
    if ((seen & (H_UPGRADE | H_CONNECTION | H_KEY)) != (H_UPGRADE | H_CONNECTION | H_KEY))
        return PV_WS_HS_BAD;
    if (!(seen & H_VERSION) || !version_ok)
        return PV_WS_HS_VERSION;
    *used = end;
    return PV_WS_HS_OK;
}

size_t pv_ws_handshake_accept(const pv_ws_request *r, char *out, size_t cap)
{
    struct sha1_ctx c;
    uint8_t digest[SHA1_DIGEST_SIZE];
    char b64[sodium_base64_ENCODED_LEN(SHA1_DIGEST_SIZE, sodium_base64_VARIANT_ORIGINAL)];
    sha1_init(&c);
    sha1_update(&c, strlen(r->key), (const uint8_t *)r->key);
    sha1_update(&c, sizeof WS_GUID - 1, (const uint8_t *)WS_GUID);
    sha1_digest(&c, sizeof digest, digest);
    sodium_bin2base64(b64, sizeof b64, digest, sizeof digest, sodium_base64_VARIANT_ORIGINAL);
    int n = snprintf(out, cap,
                     "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n", b64);
    return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}
