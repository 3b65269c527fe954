/* Personal values out of the permanent record (docs/privacy.md, "The audit trail"): before a
 * record joins the hash chain, every string in its details that is not a known plain field
 * (dates, kinds, roles) is sealed under a key of its own for the object the record is about
 * (a staff member, a recipient, a user, a key...), a signed-in actor is named by a pseudonym
 * ("user:17") and their client address is sealed under that user's key. Erasing a person
 * deletes their keys (crypto-shredding): what was sealed becomes unreadable everywhere it was
 * copied, while the chain, which hashed the sealed form, still verifies. */
#ifndef PVS_AUDIT_SEAL_H
#define PVS_AUDIT_SEAL_H

#include <jansson.h>

#include "pvs/audit_record.h"

/* "user:" + a 64-bit id */
#define PVS_AUDIT_PSEUDONYM_MAX 32

/* One record's personal parts in their stored form. */
struct pvs_audit_sealed {
    char *details;     /* canonical JSON with personal strings sealed (malloc'd) */
    char *client_addr; /* sealed for a user actor, else a copy (malloc'd) */
    char actor_name[PVS_AUDIT_PSEUDONYM_MAX]; /* "user:<id>" for a user actor, else "" */
};

/*
 * Make the stored form of a record about (object_type, object_id) by `who` with `details`
 * (canonical JSON text, NULL for "{}"). Must run inside the record's write transaction: a
 * subject's key is made on first use. A string with no subject to seal it under (object id
 * 0), or when no vault key is loaded, is withheld ({"withheld":true}) rather than kept in
 * clear. Returns a pvs_db_rc; free *out with pvs_audit_sealed_free() either way.
 */
int pvs_audit_seal(pvs_db *db, const struct pvs_audit_actor *who, const char *object_type,
                   int64_t object_id, const char *details,
                   struct pvs_audit_sealed *out) PV_MUST_CHECK;
void pvs_audit_sealed_free(struct pvs_audit_sealed *s);

/* A subject's key as a row of person_keys holds it (read time). */
struct pvs_audit_key {
    int64_t row_id;     /* person_keys.id; 0 when the subject has no key (erased or none) */
    const void *sealed; /* the key sealed under the vault key */
    size_t len;
};

/*
 * Read time: `details` (stored canonical JSON) with each sealed value opened under `key` of
 * (object_type, object_id), or replaced by {"erased":true} when the key is gone. Returns a new
 * JSON value (NULL when `details` is not JSON).
 */
json_t *pvs_audit_reveal_details(const char *details, const struct pvs_audit_key *key,
                                 const char *object_type, int64_t object_id);
/* Read time: a stored client address opened under the actor's `key` (a copy of a plain one,
 * "" once erased). Returns malloc'd text or NULL when out of memory. */
char *pvs_audit_reveal_addr(const char *stored, const struct pvs_audit_key *key,
                            int64_t user_id);

/* Vault context of person_keys row `id` (server/core/vault_db.c reseals them on rotation). */
void pvs_vault_ctx_person(int64_t id, char out[48]);

#endif
