/* A provider's people and devices as a use case: staff, their keys (fob or phone, with
 * report-lost and retire) and sync stations. Each change writes the row, its audit entry
 * (visible to the provider) and hands out the row as it is now, in one transaction; a
 * refusal or an error writes nothing. `scope` is the provider the caller is limited to
 * (0: every provider, negative: none); a row outside it is as missing. */
#ifndef PVS_SERVICES_PEOPLE_H
#define PVS_SERVICES_PEOPLE_H

#include <stdbool.h>

#include "pvs/audit_record.h"
#include "rows.h"

struct pvs_issuer;

/* Row columns handed out (the *_SHAPE strings name them for the caller, in order). */
#define PVS_STAFF_SHAPE "id:i,provider_id:i,display_name:s,employee_ref:s,active:b,created_at:i"
#define PVS_BEARER_SHAPE                                                                   \
    "id:i,staff_id:i,provider_id:i,kind:s,label:s,public_key:h,state:s,revoked_at:n,"      \
    "last_sync_at:n,created_at:i"
#define PVS_STATION_SHAPE "id:i,provider_id:i,name:s,public_key:h,state:s,last_seen:n,created_at:i"

/* Why a change to a key was refused (PVS_PEOPLE_GO: it was not). */
enum pvs_people_refusal {
    PVS_PEOPLE_GO = 0,
    PVS_PEOPLE_NO_STAFF,   /* the staff member is missing or outside the scope */
    PVS_PEOPLE_LABEL,      /* another key of the provider has this label */
    PVS_PEOPLE_NO_KEY,     /* the key is missing or outside the scope */
    PVS_PEOPLE_NOT_ACTIVE, /* report-lost: the key is already lost or retired */
};

struct pvs_people_outcome {
    enum pvs_people_refusal refused;
    char state[16];           /* PVS_PEOPLE_NOT_ACTIVE: the key's state */
    uint64_t revlist_version; /* report-lost: the revocation list that carries the block */
};

/* ---- staff */
int pvs_staff_list(pvs_db *db, int64_t scope, const struct pvs_range *rg,
                   const struct pvs_rows_out *out) PV_MUST_CHECK;
int pvs_staff_get(pvs_db *db, int64_t id, int64_t scope, const struct pvs_rows_out *out) PV_MUST_CHECK;

struct pvs_staff_new {
    int64_t provider_id;
    const char *display_name, *employee_ref; /* employee_ref NULL: none */
};
/* PVS_DB_FOREIGN when the provider is missing. */
int pvs_staff_create(pvs_db *db, const struct pvs_audit_actor *who, const struct pvs_staff_new *s,
                     const char *details, const struct pvs_rows_out *out) PV_MUST_CHECK;

struct pvs_staff_change {
    const char *display_name; /* NULL: keep */
    bool set_employee_ref;    /* employee_ref replaces the stored one (NULL: none) */
    const char *employee_ref;
    int active; /* 0 or 1, or -1: keep */
};
/* PVS_DB_NOTFOUND when staff member `id` is missing or outside `scope`. */
int pvs_staff_update(pvs_db *db, const struct pvs_audit_actor *who, int64_t id, int64_t scope,
                     const struct pvs_staff_change *c, const char *details,
                     const struct pvs_rows_out *out) PV_MUST_CHECK;

/* ---- keys (bearers) */
/* Keys of staff member `staff_id` (0: all) within `scope`. */
int pvs_bearers_list(pvs_db *db, int64_t scope, int64_t staff_id, const struct pvs_range *rg,
                     const struct pvs_rows_out *out) PV_MUST_CHECK;
int pvs_bearer_get(pvs_db *db, int64_t id, int64_t scope, const struct pvs_rows_out *out) PV_MUST_CHECK;

struct pvs_bearer_new {
    int64_t staff_id;
    const char *kind; /* "fob" or "phone", checked by the caller */
    const char *label;
    const uint8_t *public_key; /* 32 bytes, a valid Ed25519 key checked by the caller */
};
/* Registers a key for a staff member of `scope`: refused PVS_PEOPLE_NO_STAFF or
 * PVS_PEOPLE_LABEL (one label names one key within a provider); PVS_DB_UNIQUE when the
 * public key is registered already. */
int pvs_bearer_create(pvs_db *db, const struct pvs_audit_actor *who, int64_t scope,
                      const struct pvs_bearer_new *b, const char *details,
                      struct pvs_people_outcome *o, const struct pvs_rows_out *out) PV_MUST_CHECK;
/* Blocks an active key for sync at once and signs a new revocation list (issuer `iss`) in
 * the same transaction, so the next key that syncs carries the block to the locks. Refused
 * PVS_PEOPLE_NO_KEY or PVS_PEOPLE_NOT_ACTIVE. */
int pvs_bearer_report_lost(pvs_db *db, const struct pvs_audit_actor *who,
                           const struct pvs_issuer *iss, int64_t id, int64_t scope,
                           struct pvs_people_outcome *o, const struct pvs_rows_out *out) PV_MUST_CHECK;
/* Retires a key (any state). Refused PVS_PEOPLE_NO_KEY. */
int pvs_bearer_retire(pvs_db *db, const struct pvs_audit_actor *who, int64_t id, int64_t scope,
                      struct pvs_people_outcome *o, const struct pvs_rows_out *out) PV_MUST_CHECK;

/* ---- sync stations */
int pvs_stations_list(pvs_db *db, int64_t scope, const struct pvs_range *rg,
                      const struct pvs_rows_out *out) PV_MUST_CHECK;
int pvs_station_get(pvs_db *db, int64_t id, int64_t scope, const struct pvs_rows_out *out) PV_MUST_CHECK;

struct pvs_station_new {
    int64_t provider_id;
    const char *name;
    const uint8_t *public_key; /* 32 bytes */
};
/* PVS_DB_UNIQUE when the public key is registered already, PVS_DB_FOREIGN without the
 * provider. */
int pvs_station_create(pvs_db *db, const struct pvs_audit_actor *who,
                       const struct pvs_station_new *s, const char *details,
                       const struct pvs_rows_out *out) PV_MUST_CHECK;
/* PVS_DB_NOTFOUND when station `id` is missing or outside `scope`. */
int pvs_station_retire(pvs_db *db, const struct pvs_audit_actor *who, int64_t id, int64_t scope,
                       const struct pvs_rows_out *out) PV_MUST_CHECK;

#endif
