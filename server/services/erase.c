/* Erasing a departed staff member or care recipient (pvs/erase.h): their personal columns
 * overwritten in place and the audit keys of everything sealed about them deleted — their
 * own, their keys' (bearers), their rights', and for a recipient their resident links',
 * alarm grants' and consents'. The rows stay (ids keep the logs and the chain whole). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "pvs/erase.h"
#include "../rules/calendar.h"

/* One SQL step taking the person's id (and some taking it more than once). */
static int step(pvs_db *db, const char *sql, int64_t id, int times, int64_t *count)
{
    struct pvs_param p[4] = {PVS_I64(id), PVS_I64(id), PVS_I64(id), PVS_I64(id)};
    int64_t n = pvs_exec(db, sql, p, (size_t)times);
    if (count && n > 0)
        *count += n;
    return n < 0 ? (int)n : PVS_DB_OK;
}

static int erase_staff(pvs_db *db, int64_t id, struct pvs_erase_counts *out)
{
    int64_t active = 0;
    int rc = pvs_query_i64(db, "SELECT active FROM staff WHERE id = ?", PVS_ARGS(PVS_I64(id)),
                           &active);
    if (rc == PVS_DB_NOTFOUND)
        out->result = PVS_ERASE_NOT_FOUND;
    else if (rc == PVS_DB_OK && active)
        out->result = PVS_ERASE_STILL_ACTIVE;
    if (rc == PVS_DB_NOTFOUND || out->result != PVS_ERASE_DONE)
        return rc == PVS_DB_NOTFOUND ? PVS_DB_OK : rc;
    char gone[40];
    snprintf(gone, sizeof gone, "raderad-%" PRId64, id);
    rc = step(db, "UPDATE staff SET display_name = '', employee_ref = NULL WHERE id = ?", id, 1,
              NULL);
    if (rc == PVS_DB_OK)
        rc = step(db, "UPDATE bearers SET label = '' WHERE staff_id = ?", id, 1, NULL);
    if (rc == PVS_DB_OK)
        rc = (int)pvs_exec(db, "UPDATE staff_logins SET username = ?, pw_hash = '!'"
                               " WHERE staff_id = ?", PVS_ARGS(PVS_TEXT(gone), PVS_I64(id)));
    if (rc >= 0)
        rc = step(db, "DELETE FROM phone_sessions WHERE staff_id = ?", id, 1, NULL);
    if (rc == PVS_DB_OK)
        rc = step(db, "DELETE FROM person_keys WHERE (subject_type = 'staff' AND subject_id = ?)"
                      " OR (subject_type = 'bearer' AND subject_id IN"
                      "  (SELECT id FROM bearers WHERE staff_id = ?))"
                      " OR (subject_type = 'right' AND subject_id IN"
                      "  (SELECT id FROM rights WHERE staff_id = ?))",
                  id, 3, &out->keys);
    return rc < 0 ? rc : PVS_DB_OK;
}

static int erase_recipient(pvs_db *db, int64_t id, int64_t now, struct pvs_erase_counts *out)
{
    char today[PVS_DATE_LEN];
    int64_t exists = 0, current = 0;
    pvs_date_format(pvs_local_day(now), today);
    int rc = pvs_query_i64(db, "SELECT COUNT(*) FROM recipients WHERE id = ?",
                           PVS_ARGS(PVS_I64(id)), &exists);
    if (rc == PVS_DB_OK && exists)
        rc = pvs_query_i64(db, "SELECT COUNT(*) FROM recipient_providers WHERE recipient_id = ?"
                               " AND (valid_until IS NULL OR valid_until > ?)",
                           PVS_ARGS(PVS_I64(id), PVS_TEXT(today)), &current);
    if (rc != PVS_DB_OK)
        return rc;
    out->result = !exists ? PVS_ERASE_NOT_FOUND : current ? PVS_ERASE_STILL_ACTIVE : PVS_ERASE_DONE;
    if (out->result != PVS_ERASE_DONE)
        return PVS_DB_OK;
    char gone[40];
    snprintf(gone, sizeof gone, "raderad-%" PRId64, id);
    rc = (int)pvs_exec(db, "UPDATE recipients SET alarm_code = ?, apartment = '', lock_id = NULL"
                           " WHERE id = ?", PVS_ARGS(PVS_TEXT(gone), PVS_I64(id)));
    if (rc >= 0)
        rc = (int)pvs_exec(db, "UPDATE resident_links SET revoked_at = ? WHERE recipient_id = ?"
                               " AND revoked_at IS NULL", PVS_ARGS(PVS_I64(now), PVS_I64(id)));
    if (rc >= 0)
        rc = step(db, "DELETE FROM person_keys WHERE (subject_type = 'recipient' AND subject_id = ?)"
                      " OR (subject_type = 'resident_link' AND subject_id IN"
                      "  (SELECT id FROM resident_links WHERE recipient_id = ?))"
                      " OR (subject_type = 'right' AND subject_id IN"
                      "  (SELECT id FROM rights WHERE recipient_id = ?))"
                      " OR (subject_type = 'alarm_grant' AND subject_id IN"
                      "  (SELECT id FROM alarm_grants WHERE recipient_id = ?))",
                  id, 4, &out->keys);
    return rc < 0 ? rc : PVS_DB_OK;
}

int pvs_domain_erase(pvs_db *db, const char *kind, int64_t id, int64_t now,
                     struct pvs_erase_counts *out)
{
    if (strcmp(kind, "staff") == 0)
        return erase_staff(db, id, out);
    if (strcmp(kind, "recipient") == 0)
        return erase_recipient(db, id, now, out);
    out->result = PVS_ERASE_UNKNOWN_KIND;
    return PVS_DB_OK;
}
