/* Portvakt's one wire module: little-endian load/store helpers and bounds-checked read and
 * write cursors, shared by the cores (lib/), the ports, the station and the server. Wire
 * and flash bytes are never cast to structs; every multi-byte field goes through here.
 *
 * Header-only (static inline), OS-free: only <stdint.h>, <stddef.h>, <string.h> and the
 * error codes of portvakt/error.h, so the firmware cores may include it. */
#ifndef PORTVAKT_WIRE_H
#define PORTVAKT_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "portvakt/error.h"

/* ------------------------------------------------------------------ loads and stores */

static inline uint16_t pv_load16_le(const uint8_t p[2])
{
    return (uint16_t)(p[0] | (uint16_t)p[1] << 8);
}

static inline uint32_t pv_load32_le(const uint8_t p[4])
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t pv_load64_le(const uint8_t p[8])
{
    return (uint64_t)pv_load32_le(p) | (uint64_t)pv_load32_le(p + 4) << 32;
}

static inline void pv_store16_le(uint8_t p[2], uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static inline void pv_store32_le(uint8_t p[4], uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static inline void pv_store64_le(uint8_t p[8], uint64_t v)
{
    pv_store32_le(p, (uint32_t)v);
    pv_store32_le(p + 4, (uint32_t)(v >> 32));
}

/* ------------------------------------------------------------------ read cursor */

/* Every read checks the remaining length; the first short read latches PV_E_TRUNCATED and
 * later reads return zeros (or NULL), so a decoder can read a whole header and check once.
 * pv_rd_end() also refuses trailing bytes (exact lengths). The cursor never copies: the
 * input must outlive it. */
typedef struct pv_rd {
    const uint8_t *p;
    size_t len;
    size_t pos;
    int err;
} pv_rd;

static inline void pv_rd_init(pv_rd *r, const uint8_t *p, size_t len)
{
    r->p = p;
    r->len = len;
    r->pos = 0;
    r->err = PV_OK;
}

/* Pointer to the next n bytes and advance, or NULL (and latch the error) if short. */
static inline const uint8_t *pv_rd_bytes(pv_rd *r, size_t n)
{
    if (r->err != PV_OK || n > r->len - r->pos) {
        r->err = PV_E_TRUNCATED;
        return NULL;
    }
    const uint8_t *q = r->p + r->pos;
    r->pos += n;
    return q;
}

static inline uint8_t pv_rd_u8(pv_rd *r)
{
    const uint8_t *q = pv_rd_bytes(r, 1);
    return q ? q[0] : 0;
}

static inline uint16_t pv_rd_u16(pv_rd *r)
{
    const uint8_t *q = pv_rd_bytes(r, 2);
    return q ? pv_load16_le(q) : 0;
}

static inline uint32_t pv_rd_u32(pv_rd *r)
{
    const uint8_t *q = pv_rd_bytes(r, 4);
    return q ? pv_load32_le(q) : 0;
}

static inline uint64_t pv_rd_u64(pv_rd *r)
{
    const uint8_t *q = pv_rd_bytes(r, 8);
    return q ? pv_load64_le(q) : 0;
}

/* Bytes not yet read (0 once a read has failed). */
static inline size_t pv_rd_left(const pv_rd *r)
{
    return r->err == PV_OK ? r->len - r->pos : 0;
}

/* PV_OK if every read succeeded and the whole input was consumed; PV_E_TRUNCATED after a
 * short read; PV_E_LENGTH when bytes are left over. */
static inline int pv_rd_end(const pv_rd *r)
{
    if (r->err != PV_OK)
        return r->err;
    return r->pos == r->len ? PV_OK : PV_E_LENGTH;
}

/* ------------------------------------------------------------------ write cursor */

/* The first write past cap latches PV_E_BUFSIZE and nothing more is written; the caller
 * checks w->err once after the last write. */
typedef struct pv_wr {
    uint8_t *p;
    size_t cap;
    size_t pos;
    int err;
} pv_wr;

static inline void pv_wr_init(pv_wr *w, uint8_t *p, size_t cap)
{
    w->p = p;
    w->cap = cap;
    w->pos = 0;
    w->err = PV_OK;
}

/* Reserve n bytes and return them, or NULL if they do not fit. */
static inline uint8_t *pv_wr_take(pv_wr *w, size_t n)
{
    if (w->err != PV_OK || n > w->cap - w->pos) {
        w->err = PV_E_BUFSIZE;
        return NULL;
    }
    uint8_t *q = w->p + w->pos;
    w->pos += n;
    return q;
}

static inline void pv_wr_bytes(pv_wr *w, const void *src, size_t n)
{
    uint8_t *q = pv_wr_take(w, n);
    if (q && n)
        memcpy(q, src, n);
}

static inline void pv_wr_u8(pv_wr *w, uint8_t v)
{
    uint8_t *q = pv_wr_take(w, 1);
    if (q)
        q[0] = v;
}

static inline void pv_wr_u16(pv_wr *w, uint16_t v)
{
    uint8_t *q = pv_wr_take(w, 2);
    if (q)
        pv_store16_le(q, v);
}

static inline void pv_wr_u32(pv_wr *w, uint32_t v)
{
    uint8_t *q = pv_wr_take(w, 4);
    if (q)
        pv_store32_le(q, v);
}

static inline void pv_wr_u64(pv_wr *w, uint64_t v)
{
    uint8_t *q = pv_wr_take(w, 8);
    if (q)
        pv_store64_le(q, v);
}

#endif
