/* A lock's life as a use case: commissioning (only with the consent it needs), moving,
 * removing, and who can open it on a day and why. Each change writes the lock's history,
 * invalidates cached grant sets, refreshes the rights linked to it and its audit entry in
 * one transaction; a refusal writes nothing. */
#ifndef PVS_SERVICES_LOCKS_H
#define PVS_SERVICES_LOCKS_H

#include <stdbool.h>

#include "pvs/audit_record.h"
#include "rows.h"

/* Why a lock change or read was refused (PVS_LOCK_GO: it was not). */
enum pvs_lock_refusal {
    PVS_LOCK_GO = 0,
    PVS_LOCK_MISSING,           /* no such lock */
    PVS_LOCK_ALREADY_INSTALLED, /* commission: already commissioned */
    PVS_LOCK_NO_KEY,            /* commission: no public key registered nor sent */
    PVS_LOCK_NOT_LINKED,        /* apartment lock not linked to a care recipient */
    PVS_LOCK_NO_RECIPIENT_CONSENT,
    PVS_LOCK_NO_OWNER_CONSENT,  /* neither for the property nor the whole portfolio */
    PVS_LOCK_LINKED,            /* move: an apartment lock belongs to its recipient */
    PVS_LOCK_NOT_MINE,          /* who: not a door of the caller's provider's recipients */
};

struct pvs_lock_outcome {
    enum pvs_lock_refusal refused;
    int64_t recipient_id; /* the recipient named by a refusal */
    int64_t building_id;  /* the building named by a refusal */
};

/* Commission lock `id` (public_key: 32 bytes or NULL to keep the registered one).
 * Returns a store code; on PVS_DB_OK, out->refused says whether it happened. The lock as
 * it is now goes to `row` (places.h PVS_LOCK_SHAPE). */
int pvs_lock_commission(pvs_db *db, const struct pvs_audit_actor *who, int64_t id,
                        const uint8_t *public_key, const char *details,
                        struct pvs_lock_outcome *out, const struct pvs_rows_out *row) PV_MUST_CHECK;
/* Move lock `id` to building `to` (an installed lock needs the consent there). */
int pvs_lock_move(pvs_db *db, const struct pvs_audit_actor *who, int64_t id, int64_t to,
                  const char *details, struct pvs_lock_outcome *out,
                  const struct pvs_rows_out *row) PV_MUST_CHECK;
/* Remove lock `id` from service. */
int pvs_lock_remove(pvs_db *db, const struct pvs_audit_actor *who, int64_t id,
                    struct pvs_lock_outcome *out, const struct pvs_rows_out *row) PV_MUST_CHECK;

#define PVS_LOCK_WHO_SHAPE                                                                 \
    "staff_id:i,display_name:s,provider_id:i,right_id:i,recipient_id:i,via_lock_id:i,"     \
    "valid_from:d,valid_until:d,windows:w"
/* Who may open lock `id` on `day` (YYYY-MM-DD): staff with a right to the recipient whose
 * apartment door it is or, for entrance and common locks, to any recipient in the building,
 * counting only while the recipient's provider is the staff member's; of provider `scope`
 * only (0: all; otherwise the lock must be a door of its current recipients). Rows
 * (PVS_LOCK_WHO_SHAPE) to `row`, up to 1,000; *kind receives the lock's kind. */
int pvs_lock_who(pvs_db *db, int64_t id, int64_t scope, const char *day, char kind[16],
                 struct pvs_lock_outcome *out, const struct pvs_rows_out *row) PV_MUST_CHECK;

#endif
