/* Enrolling a key by presenting it (issue 9): a station hands up a new key's public key and
 * gets a short code to show on the key; the planner enrols the key by that code, or picks it
 * from the keys waiting at the provider's stations, instead of typing a public key. Also the
 * rule every new key obeys: one label names one key within a provider. Every function runs
 * inside the caller's open transaction (write for offer/redeem). */
#ifndef PVS_SERVICES_ENROL_H
#define PVS_SERVICES_ENROL_H

#include <stdbool.h>
#include <stdint.h>

#include "pvs/store.h"
#include "../rules/enrol_code.h"

/* A code is good for a week: a key presented on Friday can be enrolled on Monday. */
#define PVS_ENROL_TTL_S (7 * 24 * 3600)

enum pvs_enrol_rc {
    PVS_ENROL_OK = 0,
    PVS_ENROL_REGISTERED = 1, /* offer: the public key already belongs to a key */
    PVS_ENROL_UNKNOWN = 2,    /* redeem: no such code/enrolment in scope, or it expired */
    PVS_ENROL_USED = 3,       /* redeem: the code was already used for a key */
    PVS_ENROL_LABEL = 4,      /* redeem: the label names another key of the provider */
};

typedef struct pvs_enrolment {
    int64_t id, provider_id, station_id, expires_at, bearer_id;
    char code[PVS_ENROL_CODE_TEXT];
    char kind[8];
    uint8_t public_key[32];
} pvs_enrolment;

/*
 * A key presented at station `station` of `provider`: the pending enrolment of the same
 * public key if there is one (same code), else a new one with a fresh code. Returns a
 * pvs_enrol_rc (PVS_ENROL_OK or _REGISTERED) or a negative pvs_db_rc; fills *out on OK.
 */
int pvs_enrol_offer(pvs_db *db, int64_t provider, int64_t station, const uint8_t pk[32],
                    const char *kind, int64_t now, pvs_enrolment *out);

/* The enrolment by normalised code (code != NULL) or by id, visible to `scope` (0 = every
 * provider). PVS_ENROL_UNKNOWN when missing, out of scope or expired; PVS_ENROL_USED when
 * already redeemed; else PVS_ENROL_OK with *out filled, or a negative pvs_db_rc. */
int pvs_enrol_find(pvs_db *db, const char *code, int64_t id, int64_t scope, int64_t now,
                   pvs_enrolment *out);

/* Makes the enrolment's key a key of staff member `staff` (of the enrolment's provider)
 * called `label`, and marks the enrolment used. PVS_ENROL_LABEL if the label is taken;
 * else PVS_ENROL_OK and *bearer_id, or a negative pvs_db_rc. */
int pvs_enrol_redeem(pvs_db *db, const pvs_enrolment *e, int64_t staff, const char *label,
                     int64_t now, int64_t *bearer_id);

/* True (with the other key's id) when `label` already names a key of `provider` that is
 * not retired; compared without regard to ASCII case or surrounding spaces, so "k-0100 "
 * and "K-0100" are one label. Returns PVS_DB_OK or a negative pvs_db_rc. */
int pvs_bearer_label_taken(pvs_db *db, int64_t provider, const char *label, bool *taken,
                           int64_t *other);

#endif
