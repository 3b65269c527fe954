/* Places and hardware as registered data: property owners, buildings, consents and locks
 * (register, read, list; a consent can be withdrawn). Shared data: the audit entries of
 * these changes belong to no provider. */
#ifndef PVS_SERVICES_PLACES_H
#define PVS_SERVICES_PLACES_H

#include "pvs/audit_record.h"
#include "rows.h"

/* Row columns handed out (the *_SHAPE strings name them for the caller, in order). */
#define PVS_OWNER_SHAPE "id:i,name:s,org_number:s,created_at:i"
#define PVS_BUILDING_SHAPE "id:i,owner_id:i,address:s,property_ref:s,created_at:i"
#define PVS_LOCK_SHAPE                                                                     \
    "id:i,kind:s,building_id:i,label:s,lock_public_key:h,issuer_id:i,state:s,"             \
    "installed_at:n,battery_mv:n,battery_pct:n,last_seen:n,revlist_version:i,created_at:i"
#define PVS_LOCK_HISTORY_SHAPE "action:s,building_id:n,at:i,user_id:n"
#define PVS_CONSENT_SHAPE                                                                  \
    "id:i,kind:s,recipient_id:n,building_id:n,owner_id:n,reference:s,given_on:d,"          \
    "withdrawn_at:n,created_at:i"

/* Every create below: the row, its audit entry ("<type>.create", details as given) and the
 * row as stored (handed to `out`) in one transaction. PVS_DB_FOREIGN when a referenced
 * object is missing; nothing is written on any error. */
struct pvs_owner_new {
    const char *name, *org_number; /* org_number NULL: none */
};
int pvs_owner_create(pvs_db *db, const struct pvs_audit_actor *who, const struct pvs_owner_new *o,
                     const char *details, const struct pvs_rows_out *out) PV_MUST_CHECK;
int pvs_owners_list(pvs_db *db, const struct pvs_range *rg, const struct pvs_rows_out *out) PV_MUST_CHECK;
int pvs_owner_get(pvs_db *db, int64_t id, const struct pvs_rows_out *out) PV_MUST_CHECK;

struct pvs_building_new {
    int64_t owner_id;
    const char *address, *property_ref; /* property_ref NULL: none */
};
int pvs_building_create(pvs_db *db, const struct pvs_audit_actor *who,
                        const struct pvs_building_new *b, const char *details,
                        const struct pvs_rows_out *out) PV_MUST_CHECK;
int pvs_buildings_list(pvs_db *db, const struct pvs_range *rg, const struct pvs_rows_out *out) PV_MUST_CHECK;
int pvs_building_get(pvs_db *db, int64_t id, const struct pvs_rows_out *out) PV_MUST_CHECK;

struct pvs_consent_new {
    const char *kind; /* "recipient", "property" or "portfolio", checked by the caller */
    int64_t recipient_id, building_id, owner_id; /* the one the kind names; others 0 */
    const char *reference, *given_on;            /* given_on: YYYY-MM-DD */
};
int pvs_consent_create(pvs_db *db, const struct pvs_audit_actor *who,
                       const struct pvs_consent_new *c, const char *details,
                       const struct pvs_rows_out *out) PV_MUST_CHECK;
int pvs_consents_list(pvs_db *db, const struct pvs_range *rg, const struct pvs_rows_out *out) PV_MUST_CHECK;
int pvs_consent_get(pvs_db *db, int64_t id, const struct pvs_rows_out *out) PV_MUST_CHECK;
/* Withdraws consent `id` with its audit entry and hands out the row: PVS_DB_NOTFOUND when
 * there is no such consent or it is already withdrawn. */
int pvs_consent_withdraw(pvs_db *db, const struct pvs_audit_actor *who, int64_t id,
                         const struct pvs_rows_out *out) PV_MUST_CHECK;

struct pvs_lock_new {
    const char *kind; /* "apartment", "entrance" or "common", checked by the caller */
    int64_t building_id;
    const char *label;
    const uint8_t *public_key; /* 32 bytes, or NULL until commissioning */
    int64_t issuer_id;
};
int pvs_lock_create(pvs_db *db, const struct pvs_audit_actor *who, const struct pvs_lock_new *l,
                    const char *details, const struct pvs_rows_out *out) PV_MUST_CHECK;
/* Locks of building `building_id` (0: all). */
int pvs_locks_list(pvs_db *db, int64_t building_id, const struct pvs_range *rg,
                   const struct pvs_rows_out *out) PV_MUST_CHECK;
int pvs_lock_get(pvs_db *db, int64_t id, const struct pvs_rows_out *out) PV_MUST_CHECK;
/* The lock's install / move / remove history, oldest first (PVS_LOCK_HISTORY_SHAPE). */
int pvs_lock_history(pvs_db *db, int64_t id, const struct pvs_rows_out *out) PV_MUST_CHECK;

#endif
