/* Internal: the plaintext payloads sealed inside M3 PRESENT and M4 RESULT (exposed to the
 * fuzz drivers and tests; not part of the public API). */
#ifndef PV_PROTO_UNLOCK_INNER_H
#define PV_PROTO_UNLOCK_INNER_H

#include <stddef.h>
#include <stdint.h>

#include "portvakt/proto.h"

/* Fixed part of the PRESENT inner: cred | entry | leaf_index u32 | nsiblings u8 |
 * revlist_len u16 | beacon_len u8 (siblings, revlist and beacon are variable). */
#define PV_PRESENT_INNER_FIXED (PV_CRED_SIZE + PV_ENTRY_SIZE + 4u + 1u + 2u + 1u)
/* status i8 | lock_time u64 | battery_mv u16 | flags u8 | batch_len u16 */
#define PV_RESULT_INNER_FIXED 14u
#define PV_RESULT_F_KNOWN \
    (PV_RESULT_F_REVLIST_TAKEN | PV_RESULT_F_CLOCK_SET | PV_RESULT_F_LOW_BATTERY)

/* Encode *p into out (cap bytes); *len receives the length. Errors: PV_E_RANGE for too
 * many siblings, an oversized revlist or a NULL required view; PV_E_BUFSIZE. */
int pv_present_inner_encode(const pv_present *p, uint8_t *out, size_t cap, size_t *len)
    PV_MUST_CHECK;
/* Framing only (exact length, bounds); views point into `in`. The objects inside are
 * decoded and checked by the caller. */
int pv_present_inner_decode(const uint8_t *in, size_t len, pv_present *p) PV_MUST_CHECK;

int pv_result_inner_encode(const pv_result *r, uint8_t *out, size_t cap, size_t *len)
    PV_MUST_CHECK;
/* Framing plus field ranges (status is PV_OK or a known pv_err, flags known, batch
 * length bounded); the batch view points into `in`. */
int pv_result_inner_decode(const uint8_t *in, size_t len, pv_result *r) PV_MUST_CHECK;

#endif
