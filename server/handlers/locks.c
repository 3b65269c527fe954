/* Route handlers for a lock's life: commissioning (only with the consent it needs), moving,
 * removing, and who can open it today and why (direct right or derived entrance). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../services/grants.h"
#include "../services/issue.h"
#include "util.h"
#include "../rules/calendar.h"
#include "../rules/consent.h"
#include "domain_handlers.h"

#define LOCK_COLS                                                                          \
    "id, kind, building_id, label, lock_public_key, issuer_id, state, installed_at,"       \
    " battery_mv, battery_pct, last_seen, revlist_version, created_at"
#define LOCK_SPEC                                                                          \
    "id:i,kind:s,building_id:i,label:s,lock_public_key:h,issuer_id:i,state:s,"             \
    "installed_at:n,battery_mv:n,battery_pct:n,last_seen:n,revlist_version:i,created_at:i"

typedef struct lock_row {
    int64_t id, building_id;
    char kind[16], state[16];
    bool has_key;
} lock_row;

/* Loads the lock inside the open transaction; 404 (rolled back) if missing. */
static bool load_lock(struct pvs_req *r, int64_t id, lock_row *l)
{
    pvs_stmt st;
    int rc = pvs_query(r->db, &st,
                       "SELECT building_id, kind, state, lock_public_key IS NOT NULL FROM locks"
                       " WHERE id = ?",
                       PVS_ARGS(PVS_I64(id)));
    if (rc != PVS_DB_OK) {
        pvd_fail(r, rc, "lock");
        return false;
    }
    rc = pvs_next(&st);
    if (rc == PVS_DB_ROW) {
        l->id = id;
        l->building_id = pvs_col_i64(&st, 0);
        snprintf(l->kind, sizeof l->kind, "%s", pvs_col_text(&st, 1));
        snprintf(l->state, sizeof l->state, "%s", pvs_col_text(&st, 2));
        l->has_key = pvs_col_i64(&st, 3) != 0;
    }
    pvs_finalize(&st);
    if (rc != PVS_DB_ROW) {
        pvs_tx_rollback(r->db);
        pvs_problem(r, 404, "not-found", "Not found", "Lock %lld does not exist.", (long long)id);
        return false;
    }
    return true;
}

/* The consent a lock needs at `building`: the recipient's for an apartment lock, the
 * owner's (for this property, or one portfolio consent) for entrance and common locks.
 * Sends a 409 and returns false without it. */
static bool consent_present(struct pvs_req *r, const lock_row *l, int64_t building)
{
    int64_t n = 0, rec = 0;
    int rc;
    bool apartment = pvs_consent_needed(l->kind) == PVS_CONSENT_RECIPIENT;
    if (apartment) {
        rc = pvs_query_i64(r->db, "SELECT id FROM recipients WHERE lock_id = ?",
                           PVS_ARGS(PVS_I64(l->id)), &rec);
        if (rc == PVS_DB_NOTFOUND) {
            pvs_tx_rollback(r->db);
            pvs_problem(r, 409, "lock-not-linked", "Lock not linked to a care recipient",
                        "Apartment lock %lld is not linked to a care recipient's alarm code; "
                        "link it on the recipient first.", (long long)l->id);
            return false;
        }
        if (rc == PVS_DB_OK)
            rc = pvs_query_i64(r->db,
                               "SELECT COUNT(*) FROM consents WHERE kind = 'recipient'"
                               " AND recipient_id = ? AND withdrawn_at IS NULL",
                               PVS_ARGS(PVS_I64(rec)), &n);
    } else {
        rc = pvs_query_i64(r->db,
                           "SELECT COUNT(*) FROM consents WHERE withdrawn_at IS NULL AND"
                           " ((kind = 'property' AND building_id = ?) OR (kind = 'portfolio'"
                           " AND owner_id = (SELECT owner_id FROM buildings WHERE id = ?)))",
                           PVS_ARGS(PVS_I64(building), PVS_I64(building)), &n);
    }
    if (rc != PVS_DB_OK) {
        pvd_fail(r, rc, "consent");
        return false;
    }
    if (n > 0)
        return true;
    pvs_tx_rollback(r->db);
    if (apartment)
        pvs_problem(r, 409, "consent-missing", "Consent missing",
                    "The care recipient (id %lld) has not consented to a lock on the apartment "
                    "door; register the recipient's consent before commissioning.", (long long)rec);
    else
        pvs_problem(r, 409, "consent-missing", "Consent missing",
                    "The property owner of building %lld has not consented to an entrance unit "
                    "(neither for this property nor for the whole portfolio); register the "
                    "owner's consent before commissioning.", (long long)building);
    return false;
}

/* Every change of a lock's state or place is recorded and invalidates the cached grant
 * sets (an entrance moving changes what every key of that building opens). */
static int history(struct pvs_req *r, int64_t lock, const char *action, int64_t building)
{
    int rc = pvs_grants_changed(r->db);
    if (rc != PVS_DB_OK)
        return rc;
    int64_t ch = pvs_exec(r->db,
                          "INSERT INTO lock_history (lock_id, action, building_id, at, user_id)"
                          " VALUES (?, ?, ?, ?, ?)",
                          PVS_ARGS(PVS_I64(lock), PVS_TEXT(action), PVS_I64(building),
                                   PVS_I64(pvs_now()), PVS_ID_OR_NULL(r->who.user_id)));
    return ch < 0 ? (int)ch : PVS_DB_OK;
}

/* Rights rows carry a copy of the recipient's installed apartment lock: refresh it. */
static int refresh_linked(struct pvs_req *r, int64_t lock)
{
    int64_t rec = 0;
    int rc = pvs_query_i64(r->db, "SELECT id FROM recipients WHERE lock_id = ?",
                           PVS_ARGS(PVS_I64(lock)), &rec);
    if (rc == PVS_DB_NOTFOUND)
        return PVS_DB_OK;
    return rc == PVS_DB_OK ? pvs_rights_refresh_recipient(r->db, rec) : rc;
}

static void reply_lock(struct pvs_req *r, int rc, int64_t id)
{
    if (rc != PVS_DB_OK) {
        pvd_fail(r, rc, "lock");
        return;
    }
    json_t *o = pvd_one(r->db, "SELECT " LOCK_COLS " FROM locks WHERE id = ?",
                        PVS_ARGS(PVS_I64(id)), LOCK_SPEC, &rc);
    pvd_commit_reply(r, o, rc, "lock", 200);
}

void pvd_locks_commission(struct pvs_req *r)
{
    static const struct pvs_jfield f[] = {
        {"lock_public_key", PVS_J_HEX, 0, 32, 32},
    };
    int64_t id;
    lock_row l;
    if (!pvs_req_id(r, 0, &id))
        return;
    json_t *b = r->body_len ? pvs_body_json(r, PVS_JFIELDS(f)) : json_object();
    if (!b)
        return;
    uint8_t pk[32];
    bool has_pk = pvs_jhas(b, "lock_public_key") && pvs_jhex(b, "lock_public_key", pk, 32);
    if (!pvd_begin(r, true) || !load_lock(r, id, &l)) {
        json_decref(b);
        return;
    }
    if (strcmp(l.state, "installed") == 0 || (!l.has_key && !has_pk)) {
        json_decref(b);
        pvs_tx_rollback(r->db);
        pvs_problem(r, 409, "lock-state", "Lock cannot be commissioned",
                    strcmp(l.state, "installed") == 0
                        ? "Lock %lld is already commissioned."
                        : "Lock %lld has no registered public key; send lock_public_key.",
                    (long long)id);
        return;
    }
    if (!consent_present(r, &l, l.building_id)) {
        json_decref(b);
        return;
    }
    int rc = (int)pvs_exec(r->db,
                           "UPDATE locks SET state = 'installed', installed_at = ?,"
                           " lock_public_key = COALESCE(?, lock_public_key) WHERE id = ?",
                           PVS_ARGS(PVS_I64(pvs_now()), has_pk ? PVS_BLOB(pk, 32) : PVS_NULL,
                                    PVS_I64(id)));
    if (rc >= 0)
        rc = history(r, id, "commission", l.building_id);
    if (rc == PVS_DB_OK)
        rc = refresh_linked(r, id);
    if (rc == PVS_DB_OK)
        rc = pvs_audit_append_tenant(r, 0, "lock.commission", "lock", id, b);
    json_decref(b);
    reply_lock(r, rc, id);
}

void pvd_locks_move(struct pvs_req *r)
{
    static const struct pvs_jfield f[] = {
        {"building_id", PVS_J_ID, PVS_JF_REQUIRED, 0, 0},
    };
    int64_t id;
    lock_row l;
    if (!pvs_req_id(r, 0, &id))
        return;
    json_t *b = pvs_body_json(r, PVS_JFIELDS(f));
    if (!b)
        return;
    int64_t to = pvs_jint(b, "building_id", 0), rec = 0;
    if (!pvd_begin(r, true) || !load_lock(r, id, &l)) {
        json_decref(b);
        return;
    }
    int rc = pvs_query_i64(r->db, "SELECT id FROM recipients WHERE lock_id = ?",
                           PVS_ARGS(PVS_I64(id)), &rec);
    if (rc == PVS_DB_OK) {
        json_decref(b);
        pvs_tx_rollback(r->db);
        pvs_problem(r, 409, "lock-linked", "Lock belongs to a care recipient",
                    "Apartment lock %lld is linked to recipient %lld; change the recipient's "
                    "address and lock instead of moving it.", (long long)id, (long long)rec);
        return;
    }
    if (strcmp(l.state, "installed") == 0 && !consent_present(r, &l, to)) {
        json_decref(b);
        return;
    }
    rc = (int)pvs_exec(r->db, "UPDATE locks SET building_id = ? WHERE id = ?",
                       PVS_ARGS(PVS_I64(to), PVS_I64(id)));
    if (rc >= 0)
        rc = history(r, id, "move", to);
    if (rc == PVS_DB_OK)
        rc = pvs_audit_append_tenant(r, 0, "lock.move", "lock", id, b);
    json_decref(b);
    reply_lock(r, rc, id);
}

void pvd_locks_remove(struct pvs_req *r)
{
    int64_t id;
    lock_row l;
    if (!pvs_req_id(r, 0, &id) || !pvd_begin(r, true) || !load_lock(r, id, &l))
        return;
    int rc = (int)pvs_exec(r->db, "UPDATE locks SET state = 'removed' WHERE id = ?",
                           PVS_ARGS(PVS_I64(id)));
    if (rc >= 0)
        rc = history(r, id, "remove", l.building_id);
    if (rc == PVS_DB_OK)
        rc = refresh_linked(r, id);
    if (rc == PVS_DB_OK)
        rc = pvs_audit_append_tenant(r, 0, "lock.remove", "lock", id, NULL);
    reply_lock(r, rc, id);
}

/* Is lock l a door of one of provider `scope`'s current recipients? Answers 404 otherwise. */
static bool door_of_mine(struct pvs_req *r, const lock_row *l, int64_t scope, const char *today)
{
    int64_t mine = 0;
    int qrc = pvs_query_i64(r->db,
                            "SELECT COUNT(*) FROM recipients c JOIN recipient_providers p"
                            " ON p.recipient_id = c.id AND p.provider_id = ?"
                            " AND (p.valid_until IS NULL OR p.valid_until > ?)"
                            " WHERE (CASE WHEN ? = 1 THEN c.lock_id = ? ELSE c.building_id = ? END)",
                            PVS_ARGS(PVS_I64(scope), PVS_TEXT(today),
                                     PVS_I64(strcmp(l->kind, "apartment") == 0), PVS_I64(l->id),
                                     PVS_I64(l->building_id)),
                            &mine);
    if (qrc == PVS_DB_OK && mine > 0)
        return true;
    pvs_tx_rollback(r->db);
    pvs_problem(r, 404, "not-found", "Not found",
                "Lock %lld is not a door of any of your provider's care recipients.",
                (long long)l->id);
    return false;
}

/* Who may open the lock today: staff with a right to the recipient whose apartment door it
 * is, or — for entrance and common locks — to any recipient in the building, counting only
 * while the recipient's provider is the staff member's. Provider callers see their own. */
void pvd_locks_who(struct pvs_req *r)
{
    int64_t id, scope = pvs_scope_provider(r);
    if (!pvs_req_id(r, 0, &id) || !pvd_begin(r, false))
        return;
    lock_row l;
    if (!load_lock(r, id, &l))
        return;
    char today[PVS_DATE_LEN];
    pvs_date_format(pvd_today(), today);
    bool apt = strcmp(l.kind, "apartment") == 0;
    if (scope && !door_of_mine(r, &l, scope, today)) /* only its current recipients' doors */
        return;
    pvs_stmt st;
    int rc = pvs_query(
        r->db, &st,
        "SELECT s.id, s.display_name, s.provider_id, g.id, g.recipient_id, g.lock_id,"
        " g.valid_from, g.valid_until, g.windows FROM rights g"
        " JOIN staff s ON s.id = g.staff_id"
        " JOIN recipient_providers p ON p.recipient_id = g.recipient_id"
        "  AND p.provider_id = s.provider_id AND p.valid_from <= ?"
        "  AND (p.valid_until IS NULL OR p.valid_until > ?)"
        " WHERE (CASE WHEN ? = 1 THEN g.lock_id = ? ELSE g.building_id = ? AND g.lock_id IS NOT NULL END)"
        " AND g.valid_from <= ? AND (g.valid_until IS NULL OR g.valid_until >= ?)"
        " AND (? = 0 OR s.provider_id = ?) ORDER BY s.id, g.id LIMIT 1000",
        PVS_ARGS(PVS_TEXT(today), PVS_TEXT(today), PVS_I64(apt), PVS_I64(id),
                 PVS_I64(l.building_id), PVS_TEXT(today), PVS_TEXT(today), PVS_I64(scope),
                 PVS_I64(scope)));
    if (rc != PVS_DB_OK) {
        pvd_fail(r, rc, "lock");
        return;
    }
    json_t *items = json_array();
    while ((rc = pvs_next(&st)) == PVS_DB_ROW) {
        json_t *o = pvd_row(&st, "staff_id:i,display_name:s,provider_id:i,right_id:i,"
                                 "recipient_id:i,via_lock_id:i,valid_from:d,valid_until:d,windows:w");
        json_object_set_new(o, "reason", json_string(apt ? "direct" : "derived-entrance"));
        json_array_append_new(items, o);
    }
    pvs_finalize(&st);
    pvs_tx_rollback(r->db);
    if (rc != PVS_DB_DONE) {
        json_decref(items);
        pvs_problem_db(r, rc, "lock");
        return;
    }
    pvs_reply_json(r, 200, json_pack("{s:I,s:s,s:s,s:o}", "lock_id", (json_int_t)id, "kind",
                                     l.kind, "date", today, "items", items));
}
