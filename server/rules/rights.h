/* Rights for one credential: from a staff member's grants (validity dates, weekly
 * windows, the recipient's provider periods) to the sorted, merged pv_entry list that
 * the credential's Merkle root covers, derived entrance and common-space entries included. */
#ifndef PVS_DOMAIN_RIGHTS_H
#define PVS_DOMAIN_RIGHTS_H

#include <stddef.h>
#include <stdint.h>

#include "calendar.h"
#include "portvakt/proto.h"

/* ------------------------------------------------------------ weekly windows */

/* One weekly window: on the days in `days` (bit 0 = Monday ... bit 6 = Sunday), from
 * from_min to to_min minutes after local midnight. to_min <= from_min means the window
 * runs past midnight into the next day (a night visit 22:00-07:00). */
typedef struct pvs_window {
    uint8_t days;
    uint16_t from_min; /* 0..1439 */
    uint16_t to_min;   /* 1..1440, != from_min */
} pvs_window;

#define PVS_WINDOWS_MAX 14u  /* two windows a day is plenty for one right */
#define PVS_WINDOW_BLOB 5u   /* stored encoding: days u8, from u16 le, to u16 le */
#define PVS_DAYS_ALL 0x7Fu

/* PV_OK if w is well formed (days non-empty, minutes in range, from != to). */
int pvs_window_check(const pvs_window *w) PV_MUST_CHECK;
/* "HH:MM" (00:00..24:00) to minutes; PV_E_RANGE otherwise. */
int pvs_hhmm_parse(const char *s, uint16_t *minutes) PV_MUST_CHECK;
void pvs_hhmm_format(uint16_t minutes, char out[6]);
/* Stored form of a window list (n * PVS_WINDOW_BLOB bytes). */
int pvs_windows_encode(const pvs_window *w, size_t n, uint8_t *out, size_t cap,
                       size_t *outlen) PV_MUST_CHECK;
/* Errors: PV_E_LENGTH (not a multiple of 5 or more than PVS_WINDOWS_MAX), PV_E_RANGE. */
int pvs_windows_decode(const uint8_t *in, size_t len, pvs_window *w, size_t *n) PV_MUST_CHECK;

/* ------------------------------------------------------------ grants to entries */

/* One right as it counts for a credential: the recipient's apartment lock, its building,
 * and the days on which it counts — the right's own validity intersected with one period
 * in which the recipient's provider is the staff member's provider. */
typedef struct pvs_grant {
    uint32_t lock_id;
    uint32_t building_id;
    int32_t from_day;  /* inclusive */
    int32_t until_day; /* exclusive, or PVS_DAY_OPEN */
    size_t nwindows;
    pvs_window windows[PVS_WINDOWS_MAX];
} pvs_grant;

/* An entrance or common-space lock of a building (flags PV_ENTRY_F_ENTRANCE or _COMMON). */
typedef struct pvs_derived_lock {
    uint32_t building_id;
    uint32_t lock_id;
    uint16_t flags;
} pvs_derived_lock;

/* Builder state; spans are absolute unix intervals until pvs_rights_finish(). */
typedef struct pvs_span {
    uint32_t lock_id;
    uint32_t building_id;
    uint16_t flags;
    int64_t start, end;
} pvs_span;

typedef struct pvs_rights {
    int64_t not_before; /* whole minute */
    int64_t not_after;
    pvs_daytab days;
    pvs_span *spans;
    size_t n, cap;
    size_t max_entries; /* refuse beyond this (PV_MERKLE_MAX_LEAVES by default) */
} pvs_rights;

/* not_before must be a whole minute and not_after - not_before <= PV_CRED_MAX_LIFETIME_S.
 * Errors: PV_E_RANGE. */
int pvs_rights_init(pvs_rights *r, int64_t not_before, int64_t not_after) PV_MUST_CHECK;
void pvs_rights_free(pvs_rights *r);
/* Adds the apartment spans of one grant inside the credential window.
 * Errors: PV_E_NOMEM, PV_E_FULL. */
int pvs_rights_add_grant(pvs_rights *r, const pvs_grant *g) PV_MUST_CHECK;
/* Adds one span at one lock (an alarm grant's door), clipped to the credential window;
 * nothing when the clipped span is empty. `flags` must be known entry flags and is kept
 * apart from derivation: call it after pvs_rights_derive() so no entrance is derived from it.
 * Errors: PV_E_RESERVED (unknown flags), PV_E_NOMEM, PV_E_FULL. */
int pvs_rights_add_span(pvs_rights *r, uint32_t lock_id, uint32_t building_id, uint16_t flags,
                        int64_t start, int64_t end) PV_MUST_CHECK;
/* Adds, for every apartment span added so far, the same span at each entrance and common
 * lock of its building. `locks` need not be sorted (it is sorted in place). */
int pvs_rights_derive(pvs_rights *r, pvs_derived_lock *locks, size_t n) PV_MUST_CHECK;
/* Sorts and merges overlapping or touching spans of the same lock (flags OR-ed) and
 * writes them as entries relative to not_before. `*out` is malloc'ed (NULL when *n == 0);
 * the caller frees it. Errors: PV_E_NOMEM, PV_E_FULL. */
int pvs_rights_finish(pvs_rights *r, pv_entry **out, size_t *n) PV_MUST_CHECK;
/* Number of distinct locks in a sorted entry list. */
size_t pvs_entries_doors(const pv_entry *e, size_t n);

/* ------------------------------------------------------------ provider periods */

/* One row of a recipient's provider history: [from_day, until_day). */
typedef struct pvs_period {
    int64_t row_id;
    uint32_t provider_id;
    int32_t from_day;
    int32_t until_day; /* PVS_DAY_OPEN while current */
} pvs_period;

/* Whether provider_id is the recipient's provider on some day in [from_day, until_day). */
int pvs_periods_overlap(const pvs_period *p, size_t n, uint32_t provider_id, int32_t from_day,
                        int32_t until_day);
/* The provider on `day`, or 0 if none. */
uint32_t pvs_periods_provider_at(const pvs_period *p, size_t n, int32_t day);

#endif
