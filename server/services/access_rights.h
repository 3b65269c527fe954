/* Rights as a use case: who of a provider's staff may open a recipient's doors, from when to
 * when, in which weekly windows (standing or temporary); and provider changes, effective on
 * a date, that decide which provider's rights count on a day. Each change refreshes what
 * depends on it and writes its audit entry in one transaction; a refusal writes nothing. */
#ifndef PVS_SERVICES_ACCESS_RIGHTS_H
#define PVS_SERVICES_ACCESS_RIGHTS_H

#include <stddef.h>

#include "pvs/audit_record.h"
#include "rows.h"
#include "../rules/provider_change.h"

#define PVS_RIGHT_SHAPE                                                                    \
    "id:i,staff_id:i,recipient_id:i,provider_id:i,kind:s,valid_from:d,valid_until:d,"      \
    "windows:w,created_at:i"

/* Why a rights change was refused (PVS_RIGHTS_GO: it was not). */
enum pvs_rights_refusal {
    PVS_RIGHTS_GO = 0,
    PVS_RIGHTS_NO_PROVIDER,       /* provider change: no such provider */
    PVS_RIGHTS_PLAN,              /* provider change: the plan refused it (status) */
    PVS_RIGHTS_NO_STAFF,          /* the staff member is missing or outside the scope */
    PVS_RIGHTS_NOT_YOUR_RECIPIENT /* the recipient is not the provider's on those days */
};

struct pvs_rights_outcome {
    enum pvs_rights_refusal refused;
    pvs_pc_status status; /* PVS_RIGHTS_PLAN: why */
};

/* Moves recipient `rec` to provider `prov` from `date` (YYYY-MM-DD, the day `day`): the old
 * provider's period closes, a later planned one is dropped, the new one opens. The
 * recipient's periods as they are now go to `periods` (care.h PVS_PERIOD_SHAPE).
 * PVS_DB_NOTFOUND when there is no such recipient. */
int pvs_provider_change(pvs_db *db, const struct pvs_audit_actor *who, int64_t rec, int64_t prov,
                        const char *date, int32_t day, const char *details,
                        struct pvs_rights_outcome *o, const struct pvs_rows_out *periods) PV_MUST_CHECK;

struct pvs_right_new {
    int64_t staff_id, recipient_id;
    int64_t scope;                        /* the caller's provider (0: all) */
    const char *kind;                     /* "standing" or "temporary", checked */
    const char *valid_from, *valid_until; /* YYYY-MM-DD; valid_until NULL: open */
    int32_t from_day, until_day;          /* the same as days (until inclusive or open) */
    const uint8_t *windows;               /* encoded weekly windows (rules/rights.h) */
    size_t windows_len;
};
/* Grants a right for days when the recipient is with the staff member's provider: refused
 * PVS_RIGHTS_NO_STAFF or PVS_RIGHTS_NOT_YOUR_RECIPIENT; PVS_DB_NOTFOUND when the recipient
 * is missing or never the provider's. The right goes to `out`. */
int pvs_right_create(pvs_db *db, const struct pvs_audit_actor *who, const struct pvs_right_new *n,
                     const char *details, struct pvs_rights_outcome *o,
                     const struct pvs_rows_out *out) PV_MUST_CHECK;

/* Rights of `scope` (0: all), of staff member `staff` and recipient `rec` (0: any). */
int pvs_rights_list(pvs_db *db, int64_t scope, int64_t staff, int64_t rec,
                    const struct pvs_range *rg, const struct pvs_rows_out *out) PV_MUST_CHECK;
int pvs_right_get(pvs_db *db, int64_t id, int64_t scope, const struct pvs_rows_out *out) PV_MUST_CHECK;
/* PVS_DB_NOTFOUND when right `id` is missing or outside `scope`. */
int pvs_right_delete(pvs_db *db, const struct pvs_audit_actor *who, int64_t id,
                     int64_t scope) PV_MUST_CHECK;

#endif
