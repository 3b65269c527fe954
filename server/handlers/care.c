/* Route handlers for care: recipients (alarm code and address only — fields for names or
 * personal numbers are refused), provider changes on an effective date, and rights. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../services/grants.h"
#include "../services/issue.h"
#include "util.h"
#include "../rules/calendar.h"
#include "domain_handlers.h"
#include "../rules/provider_change.h"
#include "../rules/rights.h"

#define REC_SELECT                                                                          \
    "SELECT c.id, c.alarm_code, c.building_id, b.address, c.apartment, c.lock_id,"          \
    " (SELECT p.provider_id FROM recipient_providers p WHERE p.recipient_id = c.id"         \
    "  AND p.valid_from <= ?1 AND (p.valid_until IS NULL OR p.valid_until > ?1)),"          \
    " c.created_at, (SELECT l.state FROM locks l WHERE l.id = c.lock_id),"                  \
    " EXISTS (SELECT 1 FROM consents k WHERE k.withdrawn_at IS NULL"                        \
    "  AND k.kind = 'recipient' AND k.recipient_id = c.id),"                                \
    " EXISTS (SELECT 1 FROM consents k WHERE k.withdrawn_at IS NULL AND ((k.kind ="         \
    "  'property' AND k.building_id = c.building_id) OR (k.kind = 'portfolio'"              \
    "  AND k.owner_id = b.owner_id)))"                                                      \
    " FROM recipients c JOIN buildings b ON b.id = c.building_id"                           \
    " WHERE (?2 = 0 OR EXISTS (SELECT 1 FROM recipient_providers q WHERE"                   \
    "  q.recipient_id = c.id AND q.provider_id = ?2 AND (q.valid_until IS NULL OR"          \
    "  q.valid_until > ?1)))"
#define REC_SPEC \
    "id:i,alarm_code:s,building_id:i,address:s,apartment:s,lock_id:n,provider_id:n,created_at:i," \
    "lock_state:s,consent_recipient:b,consent_owner:b"
#define RIGHT_COLS \
    "id, staff_id, recipient_id, provider_id, kind, valid_from, valid_until, windows, created_at"
#define RIGHT_SPEC \
    "id:i,staff_id:i,recipient_id:i,provider_id:i,kind:s,valid_from:d,valid_until:d,windows:w," \
    "created_at:i"

/* Data minimisation: a recipient is an alarm code and an address. Members that would
 * carry a name or a personal identity number are refused by name, before anything else. */
static bool refuse_personal_data(struct pvs_req *r)
{
    static const char *const banned[] = {"name", "first_name", "last_name", "full_name",
                                         "given_name", "surname", "personal_number",
                                         "personnummer", "ssn", "national_id", "birth_date",
                                         "date_of_birth", "phone", "email", NULL};
    json_t *o = json_loadb(r->body ? r->body : "", r->body_len, JSON_REJECT_DUPLICATES, NULL);
    if (!o)
        return false; /* pvs_body_json explains malformed JSON */
    for (int i = 0; banned[i]; i++) {
        if (json_object_get(o, banned[i])) {
            json_decref(o);
            pvs_problem(r, 400, "personal-data-refused", "Personal data refused",
                        "A care recipient is known only by alarm code and address; remove "
                        "\"%s\" (names and personal numbers are never stored).", banned[i]);
            return true;
        }
    }
    json_decref(o);
    return false;
}

static json_t *recipient_json(pvs_db *db, int64_t id, int64_t scope, int *rc)
{
    char today[PVS_DATE_LEN];
    pvs_date_format(pvd_today(), today);
    json_t *o = pvd_one(db, REC_SELECT " AND c.id = ?3",
                        PVS_ARGS(PVS_TEXT(today), PVS_I64(scope), PVS_I64(id)), REC_SPEC, rc);
    if (!o)
        return NULL;
    pvs_stmt st;
    if (pvs_query(db, &st,
                  "SELECT id, provider_id, valid_from, valid_until FROM recipient_providers"
                  " WHERE recipient_id = ? ORDER BY valid_from, id",
                  PVS_ARGS(PVS_I64(id))) == PVS_DB_OK) {
        json_t *arr = json_array();
        while (pvs_next(&st) == PVS_DB_ROW)
            json_array_append_new(arr, pvd_row(&st, "id:i,provider_id:i,valid_from:d,valid_until:d"));
        pvs_finalize(&st);
        json_object_set_new(o, "providers", arr);
    }
    /* the building's entrance and common-space locks, for "who can open and why" */
    if (pvs_query(db, &st,
                  "SELECT l.id FROM locks l JOIN recipients c ON c.building_id = l.building_id"
                  " WHERE c.id = ? AND l.kind <> 'apartment' AND l.state <> 'removed' ORDER BY l.id",
                  PVS_ARGS(PVS_I64(id))) == PVS_DB_OK) {
        json_t *arr = json_array();
        while (pvs_next(&st) == PVS_DB_ROW)
            json_array_append_new(arr, json_integer(pvs_col_i64(&st, 0)));
        pvs_finalize(&st);
        json_object_set_new(o, "entrance_lock_ids", arr);
    }
    return o;
}

void pvd_recipients_list(struct pvs_req *r)
{
    char today[PVS_DATE_LEN];
    pvs_date_format(pvd_today(), today);
    pvd_list(r, REC_SELECT " AND c.id > ?3 ORDER BY c.id LIMIT ?4",
             PVS_ARGS(PVS_TEXT(today), PVS_I64(pvs_scope_provider(r))), REC_SPEC);
}

void pvd_recipients_get(struct pvs_req *r)
{
    int64_t id;
    int rc;
    if (!pvs_req_id(r, 0, &id))
        return;
    json_t *o = recipient_json(r->db, id, pvs_scope_provider(r), &rc);
    if (o)
        pvs_reply_json(r, 200, o);
    else if (rc == PVS_DB_NOTFOUND)
        pvs_problem(r, 404, "not-found", "Not found", "Care recipient %lld does not exist.",
                    (long long)id);
    else
        pvs_problem_db(r, rc, "care recipient");
}

/* An apartment lock given for a recipient must be an apartment lock in its building. */
static bool check_lock_fits(struct pvs_req *r, int64_t lock, int64_t building)
{
    if (lock == 0)
        return true;
    int64_t n = 0;
    int rc = pvs_query_i64(r->db,
                           "SELECT COUNT(*) FROM locks WHERE id = ? AND kind = 'apartment'"
                           " AND building_id = ?",
                           PVS_ARGS(PVS_I64(lock), PVS_I64(building)), &n);
    if (rc != PVS_DB_OK) {
        pvd_fail(r, rc, "lock");
        return false;
    }
    if (n == 0) {
        pvd_invalid(r, "lock_id %lld is not an apartment lock in building %lld.", (long long)lock,
                    (long long)building);
        return false;
    }
    return true;
}

void pvd_recipients_create(struct pvs_req *r)
{
    static const struct pvs_jfield f[] = {
        {"alarm_code", PVS_J_STRING, PVS_JF_REQUIRED, 1, 32},
        {"building_id", PVS_J_ID, PVS_JF_REQUIRED, 0, 0},
        {"apartment", PVS_J_STRING, 0, 0, 40},
        {"lock_id", PVS_J_ID, PVS_JF_NULLABLE, 0, 0},
        {"provider_id", PVS_J_ID, PVS_JF_REQUIRED, 0, 0},
        {"valid_from", PVS_J_DATE, 0, 0, 0},
    };
    if (refuse_personal_data(r))
        return;
    json_t *b = pvs_body_json(r, PVS_JFIELDS(f));
    if (!b)
        return;
    int64_t building = pvs_jint(b, "building_id", 0), lock = pvs_jint(b, "lock_id", 0), id = 0;
    char today[PVS_DATE_LEN];
    pvs_date_format(pvd_today(), today);
    if (!pvd_begin(r, true) || !check_lock_fits(r, lock, building)) {
        json_decref(b);
        return;
    }
    int rc = pvs_query_i64(r->db,
                           "INSERT INTO recipients (alarm_code, building_id, apartment, lock_id,"
                           " created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
                           PVS_ARGS(PVS_TEXT(pvs_jstr(b, "alarm_code", "")), PVS_I64(building),
                                    PVS_TEXT(pvs_jstr(b, "apartment", "")), PVS_ID_OR_NULL(lock),
                                    PVS_I64(pvs_now())),
                           &id);
    if (rc == PVS_DB_OK && pvs_exec(r->db,
                                    "INSERT INTO recipient_providers (recipient_id, provider_id,"
                                    " valid_from, created_at) VALUES (?, ?, ?, ?)",
                                    PVS_ARGS(PVS_I64(id), PVS_I64(pvs_jint(b, "provider_id", 0)),
                                             PVS_TEXT(pvs_jstr(b, "valid_from", today)),
                                             PVS_I64(pvs_now()))) < 0)
        rc = PVS_DB_FOREIGN;
    if (rc == PVS_DB_OK)
        rc = pvs_grants_changed(r->db);
    if (rc == PVS_DB_OK)
        rc = pvs_audit_append_tenant(r, pvs_jint(b, "provider_id", 0), "recipient.create",
                                     "recipient", id, b);
    json_decref(b);
    if (rc != PVS_DB_OK) {
        pvd_fail(r, rc, "recipient with this alarm code, lock, building or provider");
        return;
    }
    json_t *o = recipient_json(r->db, id, 0, &rc);
    pvd_commit_reply(r, o, rc, "care recipient", 201);
}

/* The recipient's building and apartment lock (0 for none). PVS_DB_NOTFOUND if missing. */
static int recipient_place(pvs_db *db, int64_t id, int64_t *building, int64_t *lock)
{
    pvs_stmt st;
    int rc = pvs_query(db, &st, "SELECT building_id, lock_id FROM recipients WHERE id = ?",
                       PVS_ARGS(PVS_I64(id)));
    if (rc != PVS_DB_OK)
        return rc;
    rc = pvs_next(&st);
    if (rc == PVS_DB_ROW) {
        *building = pvs_col_i64(&st, 0);
        *lock = pvs_col_i64(&st, 1);
        rc = PVS_DB_OK;
    } else if (rc == PVS_DB_DONE) {
        rc = PVS_DB_NOTFOUND;
    }
    pvs_finalize(&st);
    return rc;
}

void pvd_recipients_patch(struct pvs_req *r)
{
    static const struct pvs_jfield f[] = {
        {"building_id", PVS_J_ID, 0, 0, 0},
        {"apartment", PVS_J_STRING, 0, 0, 40},
        {"lock_id", PVS_J_ID, PVS_JF_NULLABLE, 0, 0},
    };
    int64_t id, building = 0, lock = 0;
    if (!pvs_req_id(r, 0, &id) || refuse_personal_data(r))
        return;
    json_t *b = pvs_body_json(r, PVS_JFIELDS(f));
    if (!b || !pvd_begin(r, true)) {
        json_decref(b);
        return;
    }
    int rc = recipient_place(r->db, id, &building, &lock);
    if (rc != PVS_DB_OK) {
        json_decref(b);
        pvd_fail(r, rc, "Care recipient");
        return;
    }
    building = pvs_jint(b, "building_id", building);
    if (pvs_jhas(b, "lock_id"))
        lock = pvs_jint(b, "lock_id", 0);
    if (!check_lock_fits(r, lock, building)) {
        json_decref(b);
        return;
    }
    rc = (int)pvs_exec(r->db,
                       "UPDATE recipients SET building_id = ?, lock_id = ?,"
                       " apartment = COALESCE(?, apartment) WHERE id = ?",
                       PVS_ARGS(PVS_I64(building), PVS_ID_OR_NULL(lock),
                                PVS_TEXT_OR_NULL(pvs_jstr(b, "apartment", NULL)), PVS_I64(id)));
    if (rc >= 0)
        rc = pvs_rights_refresh_recipient(r->db, id);
    if (rc == PVS_DB_OK)
        rc = pvs_audit_append_tenant(r, 0, "recipient.update", "recipient", id, b);
    json_decref(b);
    if (rc != PVS_DB_OK) {
        pvd_fail(r, rc, "lock");
        return;
    }
    json_t *o = recipient_json(r->db, id, 0, &rc);
    pvd_commit_reply(r, o, rc, "care recipient", 200);
}
