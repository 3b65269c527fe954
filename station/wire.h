/* Little-endian load/store helpers for the station's link frames and queue files. */
#ifndef PVST_WIRE_H
#define PVST_WIRE_H

#include <stdint.h>

static inline uint16_t pvst_ld16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (uint16_t)p[1] << 8);
}

static inline uint32_t pvst_ld32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t pvst_ld64(const uint8_t *p)
{
    return (uint64_t)pvst_ld32(p) | (uint64_t)pvst_ld32(p + 4) << 32;
}

static inline void pvst_st16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static inline void pvst_st32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static inline void pvst_st64(uint8_t *p, uint64_t v)
{
    pvst_st32(p, (uint32_t)v);
    pvst_st32(p + 4, (uint32_t)(v >> 32));
}

#endif
