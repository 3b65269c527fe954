/* Erasing a person (GDPR art. 17, docs/privacy.md "Erasure"): the personal columns of their
 * row are overwritten and the keys of everything the audit trail sealed about them deleted
 * (crypto-shredding, pvs/audit_seal.h), so their values in the audit trail and in every copy
 * made afterwards are unreadable while the chain still verifies. The erasure is audited. */
#ifndef PVS_ERASE_H
#define PVS_ERASE_H

#include "pvs/audit_record.h"

/* Why an erasure was refused or what it did. */
enum pvs_erase_result {
    PVS_ERASE_DONE = 0,
    PVS_ERASE_UNKNOWN_KIND, /* not "user", "staff" or "recipient" */
    PVS_ERASE_NOT_FOUND,    /* no such person */
    PVS_ERASE_STILL_ACTIVE, /* a staff member still active, a user not disabled, a recipient
                               with a current provider period or a lock in their door */
};

struct pvs_erase_counts {
    enum pvs_erase_result result;
    int64_t keys; /* subject keys deleted */
};

/*
 * Erase `kind` ("user", "staff", "recipient") number `id` in one write transaction of its
 * own, audited as "person.erase" by `who`, then scrub the SQLite write-ahead log. Returns a
 * pvs_db_rc; a refusal is PVS_DB_OK with out->result saying why.
 */
int pvs_person_erase(pvs_db *db, const struct pvs_audit_actor *who, const char *kind, int64_t id,
                     struct pvs_erase_counts *out) PV_MUST_CHECK;

/* The domain module's part inside the caller's write transaction: staff and recipients (the
 * stub without the domain knows none). Sets out->result and out->keys. */
int pvs_domain_erase(pvs_db *db, const char *kind, int64_t id, int64_t now,
                     struct pvs_erase_counts *out) PV_MUST_CHECK;

#endif
