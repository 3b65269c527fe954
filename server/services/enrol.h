/* Enrolling a key by presenting it (issue 9): a station hands up a new key's public key and
 * gets a short code to show on the key; the planner enrols the key by that code, or picks it
 * from the keys waiting at the provider's stations, instead of typing a public key. Also the
 * rule every new key obeys: one label names one key within a provider. pvs_enrol_offer,
 * pvs_enrol_list and pvs_enrol_redeem own their transaction; pvs_bearer_label_taken runs
 * inside the caller's. */
#ifndef PVS_SERVICES_ENROL_H
#define PVS_SERVICES_ENROL_H

#include <stdbool.h>
#include <stdint.h>

#include "pvs/audit_record.h"
#include "pvs/store.h"
#include "rows.h"
#include "../rules/enrol_code.h"

/* A code is good for a week: a key presented on Friday can be enrolled on Monday. */
#define PVS_ENROL_TTL_S (7 * 24 * 3600)

enum pvs_enrol_rc {
    PVS_ENROL_OK = 0,
    PVS_ENROL_REGISTERED = 1, /* offer: the public key already belongs to a key */
    PVS_ENROL_UNKNOWN = 2,    /* redeem: no such code/enrolment in scope, or it expired */
    PVS_ENROL_USED = 3,       /* redeem: the code was already used for a key */
    PVS_ENROL_LABEL = 4,      /* redeem: the label names another key of the provider */
    PVS_ENROL_NO_STAFF = 5,   /* redeem: no such staff member in the caller's scope */
    PVS_ENROL_MISTYPED = 6,   /* redeem: the typed code is not one a key shows */
    PVS_ENROL_NAMELESS = 7,   /* redeem: neither a code nor an enrolment id */
};

typedef struct pvs_enrolment {
    int64_t id, provider_id, station_id, expires_at, bearer_id;
    char code[PVS_ENROL_CODE_TEXT];
    char kind[8];
    uint8_t public_key[32];
} pvs_enrolment;

/*
 * A key presented at station `station` of `provider`: the pending enrolment of the same
 * public key if there is one (same code), else a new one with a fresh code, committed.
 * Returns a pvs_enrol_rc (PVS_ENROL_OK or _REGISTERED, nothing written) or a negative
 * pvs_db_rc; fills *out on OK.
 */
int pvs_enrol_offer(pvs_db *db, int64_t provider, int64_t station, const uint8_t pk[32],
                    const char *kind, int64_t now, pvs_enrolment *out) PV_MUST_CHECK;

#define PVS_ENROLMENT_SHAPE \
    "id:i,provider_id:i,station_id:i,station:s,kind:s,code:s,created_at:i,expires_at:i"
/* The keys waiting at the stations of `scope` (0: every provider) at `now`, a page of them
 * (PVS_ENROLMENT_SHAPE, station 0 and "" when the station is gone). */
int pvs_enrol_list(pvs_db *db, int64_t scope, int64_t now, const struct pvs_range *rg,
                   const struct pvs_rows_out *out) PV_MUST_CHECK;

/* A new key is answered as services/people.h reads one: PVS_BEARER_SHAPE, pvs_bearer_get. */

struct pvs_enrol_redeem_req {
    int64_t scope;        /* the caller's provider (0: central; < 0: none at all) */
    int64_t staff_id;     /* whose key it becomes */
    const char *code;     /* as typed, or NULL to pick by enrolment_id */
    int64_t enrolment_id; /* without a code */
    const char *label;    /* the new key's label */
    int64_t now;
    /* the audit details of the request: canonical text of {"label", "staff_id"}
     * (pvs_audit_details); the service adds "enrolment_code" and "kind", which sort first */
    const char *details;
};

/* Why a redeem was refused: a pvs_enrol_rc (PVS_ENROL_OK: it was not), and the code it
 * names (the normalised code, or the one found by id; "-" when there is none). */
struct pvs_enrol_outcome {
    int refused;
    char code[PVS_ENROL_CODE_TEXT];
};

/*
 * The planner enrols a waiting key for a staff member: checks, in this order, the staff
 * member (in scope), the code or id, the enrolment (in the staff member's provider, unused,
 * within its week) and the label, then makes the key, marks the enrolment used and records
 * "bearer.create" for the staff member's provider, in one transaction. Returns a store
 * code; on PVS_DB_OK out->refused says whether it happened (nothing written when refused),
 * and the new key (PVS_BEARER_SHAPE) goes to `row`.
 */
int pvs_enrol_redeem(pvs_db *db, const struct pvs_audit_actor *who,
                     const struct pvs_enrol_redeem_req *q, struct pvs_enrol_outcome *out,
                     const struct pvs_rows_out *row) PV_MUST_CHECK;

/* True (with the other key's id) when `label` already names a key of `provider` that is
 * not retired; compared without regard to ASCII case or surrounding spaces, so "k-0100 "
 * and "K-0100" are one label. Returns PVS_DB_OK or a negative pvs_db_rc. */
int pvs_bearer_label_taken(pvs_db *db, int64_t provider, const char *label, bool *taken,
                           int64_t *other);

#endif
