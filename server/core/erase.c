/* Erasing a person (pvs/erase.h): administrators here, staff and recipients in the domain
 * module (server/services/erase.c); the keys, the audit record and the scrub here for all. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "pvs/audit.h"
#include "pvs/clock.h"
#include "pvs/erase.h"
#include "pvs/vault.h"

/* An administrator's login: name replaced, sign-in impossible, sessions ended. Only a
 * disabled account is erased (disable first: that is the audited end of the rights). */
static int erase_user(pvs_db *db, int64_t id, struct pvs_erase_counts *out)
{
    int64_t disabled = 0;
    int rc = pvs_query_i64(db, "SELECT disabled FROM users WHERE id = ?", PVS_ARGS(PVS_I64(id)),
                           &disabled);
    if (rc == PVS_DB_NOTFOUND) {
        out->result = PVS_ERASE_NOT_FOUND;
        return PVS_DB_OK;
    }
    if (rc == PVS_DB_OK && !disabled)
        out->result = PVS_ERASE_STILL_ACTIVE;
    if (rc != PVS_DB_OK || out->result != PVS_ERASE_DONE)
        return rc;
    char gone[40];
    snprintf(gone, sizeof gone, "raderad-%" PRId64, id);
    int64_t n = pvs_exec(db, "UPDATE users SET username = ?, display_name = '', pw_hash = '!',"
                             " totp_secret = NULL, totp_pending = NULL WHERE id = ?",
                         PVS_ARGS(PVS_TEXT(gone), PVS_I64(id)));
    if (n >= 0)
        n = pvs_exec(db, "DELETE FROM sessions WHERE user_id = ?", PVS_ARGS(PVS_I64(id)));
    if (n >= 0)
        n = pvs_exec(db, "DELETE FROM person_keys WHERE subject_type = 'user' AND subject_id = ?",
                     PVS_ARGS(PVS_I64(id)));
    out->keys = n > 0 ? n : 0;
    return n < 0 ? (int)n : PVS_DB_OK;
}

int pvs_person_erase(pvs_db *db, const struct pvs_audit_actor *who, const char *kind, int64_t id,
                     struct pvs_erase_counts *out)
{
    *out = (struct pvs_erase_counts){PVS_ERASE_DONE, 0};
    int rc = pvs_tx_begin(db, true);
    if (rc != PVS_DB_OK)
        return rc;
    if (strcmp(kind, "user") == 0)
        rc = erase_user(db, id, out);
    else
        rc = pvs_domain_erase(db, kind, id, pvs_now(), out);
    if (rc == PVS_DB_OK && out->result == PVS_ERASE_DONE) {
        json_t *d = json_pack("{s:I}", "keys_erased", (json_int_t)out->keys);
        rc = pvs_audit_append_raw(db, who, 0, "person.erase", kind, id, d);
        json_decref(d);
    }
    if (rc == PVS_DB_OK && out->result == PVS_ERASE_DONE)
        rc = pvs_tx_commit(db);
    else
        pvs_tx_rollback(db);
    if (rc == PVS_DB_OK && out->result == PVS_ERASE_DONE)
        rc = pvs_vault_scrub(db); /* no erased page stays readable in the write-ahead log */
    return rc;
}

/* `portvakt-server erase` on an open, migrated store: the erasure with its result in words.
 * Returns the exit status (0 erased, 1 store error, 3 refused). */
int pvs_cli_erase(pvs_db *db, const char *kind, int64_t id);
int pvs_cli_erase(pvs_db *db, const char *kind, int64_t id)
{
    static const char *const why[] = {
        [PVS_ERASE_UNKNOWN_KIND] = "only a user, a staff member or a recipient can be erased",
        [PVS_ERASE_NOT_FOUND] = "there is no such person",
        [PVS_ERASE_STILL_ACTIVE] = "the person is still active: disable the user, make the staff"
                                   " member inactive or end the recipient's provider period first",
    };
    struct pvs_audit_actor who = {0, "portvakt-server erase", "cli", "local", "erase"};
    struct pvs_erase_counts n;
    int rc = pvs_person_erase(db, &who, kind, id, &n);
    if (rc != PVS_DB_OK)
        fprintf(stderr, "portvakt-server: erase failed (%s): %s\n", pvs_db_rcname(rc),
                pvs_db_errmsg(db));
    else if (n.result != PVS_ERASE_DONE)
        fprintf(stderr, "portvakt-server: %s %lld not erased: %s\n", kind, (long long)id,
                why[n.result]);
    else
        printf("erased %s %lld: %lld audit keys deleted\n", kind, (long long)id,
               (long long)n.keys);
    return rc != PVS_DB_OK ? 1 : n.result == PVS_ERASE_DONE ? 0 : 3;
}
