/* Care recipients as a use case: a recipient is an alarm code and an address (its building,
 * apartment and apartment lock), with the provider periods that say whose recipient it is
 * on a day. Each change writes the row, refreshes what depends on it, writes its audit entry
 * and hands out the recipient as it is now, in one transaction; a refusal writes nothing.
 * "Today" is the server's local calendar day. */
#ifndef PVS_SERVICES_CARE_H
#define PVS_SERVICES_CARE_H

#include <stdbool.h>

#include "pvs/audit_record.h"
#include "rows.h"

/* A recipient's row; provider_id is today's provider (null: none today). */
#define PVS_RECIPIENT_SHAPE                                                                \
    "id:i,alarm_code:s,building_id:i,address:s,apartment:s,lock_id:n,provider_id:n,"       \
    "created_at:i,lock_state:s,consent_recipient:b,consent_owner:b"
/* One provider period of a recipient (valid_until null: open). */
#define PVS_PERIOD_SHAPE "id:i,provider_id:i,valid_from:d,valid_until:d"

/* Where a whole recipient goes: its row (PVS_RECIPIENT_SHAPE), its provider periods oldest
 * first (PVS_PERIOD_SHAPE) and the ids of its building's entrance and common-space locks in
 * service (one column), for "who can open and why". */
struct pvs_recipient_out {
    const struct pvs_rows_out *row, *periods, *doors;
};

/* Why a recipient change was refused (PVS_CARE_GO: it was not). */
enum pvs_care_refusal {
    PVS_CARE_GO = 0,
    PVS_CARE_MISSING,      /* no such recipient */
    PVS_CARE_LOCK_MISFIT,  /* lock_id is not an apartment lock in the recipient's building */
};

struct pvs_care_outcome {
    enum pvs_care_refusal refused;
    int64_t lock_id, building_id; /* PVS_CARE_LOCK_MISFIT: the pair that does not fit */
};

/* Recipients that are (or will be) provider `scope`'s (0: all; negative: none). */
int pvs_recipients_list(pvs_db *db, int64_t scope, const struct pvs_range *rg,
                        const struct pvs_rows_out *out) PV_MUST_CHECK;
/* PVS_DB_NOTFOUND when recipient `id` is missing or not `scope`'s. */
int pvs_recipient_get(pvs_db *db, int64_t id, int64_t scope,
                      const struct pvs_recipient_out *out) PV_MUST_CHECK;

struct pvs_recipient_new {
    const char *alarm_code;
    int64_t building_id;
    const char *apartment;
    int64_t lock_id;        /* 0: none */
    int64_t provider_id;    /* the first provider period starts on valid_from */
    const char *valid_from; /* YYYY-MM-DD, NULL: today */
};
/* PVS_DB_UNIQUE / PVS_DB_FOREIGN when the alarm code or lock is taken or the building,
 * lock or provider is missing. */
int pvs_recipient_create(pvs_db *db, const struct pvs_audit_actor *who,
                         const struct pvs_recipient_new *n, const char *details,
                         struct pvs_care_outcome *o, const struct pvs_recipient_out *out) PV_MUST_CHECK;

struct pvs_recipient_change {
    int64_t building_id;   /* 0: keep */
    bool set_lock;         /* lock_id replaces the apartment lock (0: none) */
    int64_t lock_id;
    const char *apartment; /* NULL: keep */
};
/* Moves recipient `id` (address, apartment lock) and refreshes its rights. Refused
 * PVS_CARE_MISSING or PVS_CARE_LOCK_MISFIT. */
int pvs_recipient_update(pvs_db *db, const struct pvs_audit_actor *who, int64_t id,
                         const struct pvs_recipient_change *c, const char *details,
                         struct pvs_care_outcome *o, const struct pvs_recipient_out *out) PV_MUST_CHECK;

#endif
