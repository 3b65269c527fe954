/* lib/proto's internal object checks (version/type header, exact length); the load/store
 * helpers and cursors every decoder uses come from the shared portvakt/wire.h. */
#ifndef PV_PROTO_CODEC_H
#define PV_PROTO_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "portvakt/error.h"
#include "portvakt/wire.h"

/* Common object header check: version byte, then type byte. */
static inline int pv_check_vt(const uint8_t *in, size_t len, uint8_t type)
{
    if (len < 2)
        return PV_E_TRUNCATED;
    if (in[0] != 1u /* PV_PROTO_VERSION */)
        return PV_E_VERSION;
    if (in[1] != type)
        return PV_E_TYPE;
    return PV_OK;
}

/* Exact-length check for fixed-size objects. */
static inline int pv_check_len(size_t len, size_t want)
{
    if (len < want)
        return PV_E_TRUNCATED;
    return len == want ? PV_OK : PV_E_LENGTH;
}

#endif
