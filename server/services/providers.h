/* Providers (tenants): list, read, create and change, each change with its audit entry in
 * the same transaction; deactivating one signs its users out. */
#ifndef PVS_SERVICES_PROVIDERS_H
#define PVS_SERVICES_PROVIDERS_H

#include <stdbool.h>

#include "pvs/audit_record.h"
#include "rows.h"

/* Rows handed out, in this column order:
 *   0 id, 1 name, 2 org_number (NULL), 3 active (0/1), 4 created_at. */

/* Providers in id order: all when `only` is 0, else provider `only` alone. */
int pvs_providers_list(pvs_db *db, int64_t only, const struct pvs_range *rg,
                       const struct pvs_rows_out *out) PV_MUST_CHECK;
int pvs_provider_get(pvs_db *db, int64_t id, const struct pvs_rows_out *out) PV_MUST_CHECK;
/* *active: provider `id` exists and is active. PVS_DB_OK or a store error. */
int pvs_provider_is_active(pvs_db *db, int64_t id, bool *active) PV_MUST_CHECK;

/* A create (every member set) or a change (NULL / has_* false: unchanged). */
struct pvs_provider_change {
    const char *name;
    bool has_org_number;
    const char *org_number; /* NULL clears it */
    bool has_active;
    bool active;
    const char *details; /* audit details (canonical JSON text) */
};
/* New provider; *id is its id. PVS_DB_UNIQUE when the name is taken. */
int pvs_provider_create(pvs_db *db, const struct pvs_audit_actor *who,
                        const struct pvs_provider_change *c, int64_t *id) PV_MUST_CHECK;
/* Change provider `id` (PVS_DB_NOTFOUND if none); deactivating it ends its users' sessions. */
int pvs_provider_update(pvs_db *db, const struct pvs_audit_actor *who, int64_t id,
                        const struct pvs_provider_change *c) PV_MUST_CHECK;

#endif
