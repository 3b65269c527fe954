/* A lock's life (see locks.h): the SQL and transactions behind commissioning, moving,
 * removing and "who can open". */
#include "locks.h"

#include <stdio.h>
#include <string.h>

#include "../rules/consent.h"
#include "grants.h"
#include "issue.h"
#include "places.h"
#include "pvs/clock.h"

typedef struct lock_row {
    int64_t id, building_id;
    char kind[16], state[16];
    bool has_key;
} lock_row;

static bool lock_fields(pvs_stmt *st, void *ctx)
{
    lock_row *l = ctx;
    l->building_id = pvs_col_i64(st, 0);
    snprintf(l->kind, sizeof l->kind, "%s", pvs_col_text(st, 1));
    snprintf(l->state, sizeof l->state, "%s", pvs_col_text(st, 2));
    l->has_key = pvs_col_i64(st, 3) != 0;
    return false;
}

/* Loads lock `id` inside the open transaction; PVS_DB_NOTFOUND if missing. */
static int load_lock(pvs_db *db, int64_t id, lock_row *l)
{
    l->id = id;
    return pvs_rows_one(db,
                        "SELECT building_id, kind, state, lock_public_key IS NOT NULL FROM locks"
                        " WHERE id = ?",
                        PVS_ARGS(PVS_I64(id)), &(struct pvs_rows_out){lock_fields, l});
}

/* Begins a write transaction and loads the lock; a missing lock is a refusal. */
static int begin_with_lock(pvs_db *db, int64_t id, lock_row *l, struct pvs_lock_outcome *out)
{
    *out = (struct pvs_lock_outcome){0};
    int rc = pvs_tx_begin(db, true);
    if (rc == PVS_DB_OK)
        rc = load_lock(db, id, l);
    if (rc == PVS_DB_NOTFOUND) {
        out->refused = PVS_LOCK_MISSING;
        rc = PVS_DB_OK;
    }
    return rc;
}

/* The recipient whose apartment lock this is (0: none). */
static int linked_recipient(pvs_db *db, int64_t lock, int64_t *rec)
{
    *rec = 0;
    int rc = pvs_query_i64(db, "SELECT id FROM recipients WHERE lock_id = ?",
                           PVS_ARGS(PVS_I64(lock)), rec);
    return rc == PVS_DB_NOTFOUND ? PVS_DB_OK : rc;
}

/* The consent a lock needs at `building`: the recipient's for an apartment lock, the
 * owner's (for this property, or one portfolio consent) for entrance and common locks.
 * Sets out->refused without it. */
static int consent_present(pvs_db *db, const lock_row *l, int64_t building,
                           struct pvs_lock_outcome *out)
{
    int64_t n = 0, rec = 0;
    bool apartment = pvs_consent_needed(l->kind) == PVS_CONSENT_RECIPIENT;
    int rc = apartment ? linked_recipient(db, l->id, &rec) : PVS_DB_OK;
    if (rc != PVS_DB_OK)
        return rc;
    if (apartment && !rec) {
        out->refused = PVS_LOCK_NOT_LINKED;
        return PVS_DB_OK;
    }
    if (apartment)
        rc = pvs_query_i64(db,
                           "SELECT COUNT(*) FROM consents WHERE kind = 'recipient'"
                           " AND recipient_id = ? AND withdrawn_at IS NULL",
                           PVS_ARGS(PVS_I64(rec)), &n);
    else
        rc = pvs_query_i64(db,
                           "SELECT COUNT(*) FROM consents WHERE withdrawn_at IS NULL AND"
                           " ((kind = 'property' AND building_id = ?) OR (kind = 'portfolio'"
                           " AND owner_id = (SELECT owner_id FROM buildings WHERE id = ?)))",
                           PVS_ARGS(PVS_I64(building), PVS_I64(building)), &n);
    if (rc == PVS_DB_OK && n == 0)
        *out = (struct pvs_lock_outcome){apartment ? PVS_LOCK_NO_RECIPIENT_CONSENT
                                                   : PVS_LOCK_NO_OWNER_CONSENT,
                                         rec, building};
    return rc;
}

/* Every change of a lock's state or place is recorded and invalidates the cached grant
 * sets (an entrance moving changes what every key of that building opens). */
static int history(pvs_db *db, const struct pvs_audit_actor *who, int64_t lock,
                   const char *action, int64_t building)
{
    int rc = pvs_grants_changed(db);
    if (rc != PVS_DB_OK)
        return rc;
    int64_t ch = pvs_exec(db,
                          "INSERT INTO lock_history (lock_id, action, building_id, at, user_id)"
                          " VALUES (?, ?, ?, ?, ?)",
                          PVS_ARGS(PVS_I64(lock), PVS_TEXT(action), PVS_I64(building),
                                   PVS_I64(pvs_now()), PVS_ID_OR_NULL(who->user_id)));
    return ch < 0 ? (int)ch : PVS_DB_OK;
}

/* Rights rows carry a copy of the recipient's installed apartment lock: refresh it. */
static int refresh_linked(pvs_db *db, int64_t lock)
{
    int64_t rec = 0;
    int rc = linked_recipient(db, lock, &rec);
    return rc == PVS_DB_OK && rec ? pvs_rights_refresh_recipient(db, rec) : rc;
}

/* The end of a change: history, linked rights, audit, the lock read back, commit; a
 * refusal (or an error) rolls everything back. */
static int finish(pvs_db *db, const struct pvs_audit_actor *who, int rc, const lock_row *l,
                  const char *action, int64_t building, const char *details,
                  const struct pvs_lock_outcome *out, const struct pvs_rows_out *row)
{
    char audit[32];
    snprintf(audit, sizeof audit, "lock.%s", action);
    if (rc == PVS_DB_OK && out->refused) {
        pvs_tx_rollback(db);
        return PVS_DB_OK;
    }
    if (rc == PVS_DB_OK)
        rc = history(db, who, l->id, action, building);
    if (rc == PVS_DB_OK && strcmp(action, "move") != 0)
        rc = refresh_linked(db, l->id);
    if (rc == PVS_DB_OK)
        rc = pvs_audit_record(db, who, 0, audit, "lock", l->id, details);
    if (rc == PVS_DB_OK)
        rc = pvs_lock_get(db, l->id, row);
    return pvs_tx_finish(db, rc);
}

int pvs_lock_commission(pvs_db *db, const struct pvs_audit_actor *who, int64_t id,
                        const uint8_t *public_key, const char *details,
                        struct pvs_lock_outcome *out, const struct pvs_rows_out *row)
{
    lock_row l;
    int rc = begin_with_lock(db, id, &l, out);
    if (rc == PVS_DB_OK && !out->refused && strcmp(l.state, "installed") == 0)
        out->refused = PVS_LOCK_ALREADY_INSTALLED;
    else if (rc == PVS_DB_OK && !out->refused && !l.has_key && !public_key)
        out->refused = PVS_LOCK_NO_KEY;
    if (rc == PVS_DB_OK && !out->refused)
        rc = consent_present(db, &l, l.building_id, out);
    if (rc == PVS_DB_OK && !out->refused) {
        int64_t n = pvs_exec(db,
                             "UPDATE locks SET state = 'installed', installed_at = ?,"
                             " lock_public_key = COALESCE(?, lock_public_key) WHERE id = ?",
                             PVS_ARGS(PVS_I64(pvs_now()),
                                      public_key ? PVS_BLOB(public_key, 32) : PVS_NULL,
                                      PVS_I64(id)));
        rc = n < 0 ? (int)n : PVS_DB_OK;
    }
    return finish(db, who, rc, &l, "commission", l.building_id, details, out, row);
}

int pvs_lock_move(pvs_db *db, const struct pvs_audit_actor *who, int64_t id, int64_t to,
                  const char *details, struct pvs_lock_outcome *out,
                  const struct pvs_rows_out *row)
{
    lock_row l;
    int64_t rec = 0;
    int rc = begin_with_lock(db, id, &l, out);
    if (rc == PVS_DB_OK && !out->refused)
        rc = linked_recipient(db, id, &rec);
    if (rc == PVS_DB_OK && !out->refused && rec)
        *out = (struct pvs_lock_outcome){PVS_LOCK_LINKED, rec, 0};
    if (rc == PVS_DB_OK && !out->refused && strcmp(l.state, "installed") == 0)
        rc = consent_present(db, &l, to, out);
    if (rc == PVS_DB_OK && !out->refused) {
        int64_t n = pvs_exec(db, "UPDATE locks SET building_id = ? WHERE id = ?",
                             PVS_ARGS(PVS_I64(to), PVS_I64(id)));
        rc = n < 0 ? (int)n : PVS_DB_OK;
    }
    return finish(db, who, rc, &l, "move", to, details, out, row);
}

int pvs_lock_remove(pvs_db *db, const struct pvs_audit_actor *who, int64_t id,
                    struct pvs_lock_outcome *out, const struct pvs_rows_out *row)
{
    lock_row l;
    int rc = begin_with_lock(db, id, &l, out);
    if (rc == PVS_DB_OK && !out->refused) {
        int64_t n = pvs_exec(db, "UPDATE locks SET state = 'removed' WHERE id = ?",
                             PVS_ARGS(PVS_I64(id)));
        rc = n < 0 ? (int)n : PVS_DB_OK;
    }
    return finish(db, who, rc, &l, "remove", l.building_id, NULL, out, row);
}

/* Is lock l a door of one of provider `scope`'s current recipients on `day`? */
static int door_of_mine(pvs_db *db, const lock_row *l, int64_t scope, const char *day,
                        bool *mine)
{
    int64_t n = 0;
    int rc = pvs_query_i64(db,
                           "SELECT COUNT(*) FROM recipients c JOIN recipient_providers p"
                           " ON p.recipient_id = c.id AND p.provider_id = ?"
                           " AND (p.valid_until IS NULL OR p.valid_until > ?)"
                           " WHERE (CASE WHEN ? = 1 THEN c.lock_id = ? ELSE c.building_id = ? END)",
                           PVS_ARGS(PVS_I64(scope), PVS_TEXT(day),
                                    PVS_I64(strcmp(l->kind, "apartment") == 0), PVS_I64(l->id),
                                    PVS_I64(l->building_id)),
                           &n);
    *mine = rc == PVS_DB_OK && n > 0;
    return PVS_DB_OK; /* as before: a failed check answers "not yours" */
}

static int who_rows(pvs_db *db, const lock_row *l, int64_t scope, const char *day,
                    const struct pvs_rows_out *row)
{
    return pvs_rows_all(
        db,
        "SELECT s.id, s.display_name, s.provider_id, g.id, g.recipient_id, g.lock_id,"
        " g.valid_from, g.valid_until, g.windows FROM rights g"
        " JOIN staff s ON s.id = g.staff_id"
        " JOIN recipient_providers p ON p.recipient_id = g.recipient_id"
        "  AND p.provider_id = s.provider_id AND p.valid_from <= ?"
        "  AND (p.valid_until IS NULL OR p.valid_until > ?)"
        " WHERE (CASE WHEN ? = 1 THEN g.lock_id = ? ELSE g.building_id = ? AND g.lock_id IS NOT NULL END)"
        " AND g.valid_from <= ? AND (g.valid_until IS NULL OR g.valid_until >= ?)"
        " AND (? = 0 OR s.provider_id = ?) ORDER BY s.id, g.id LIMIT 1000",
        PVS_ARGS(PVS_TEXT(day), PVS_TEXT(day), PVS_I64(strcmp(l->kind, "apartment") == 0),
                 PVS_I64(l->id), PVS_I64(l->building_id), PVS_TEXT(day), PVS_TEXT(day),
                 PVS_I64(scope), PVS_I64(scope)),
        row);
}

int pvs_lock_who(pvs_db *db, int64_t id, int64_t scope, const char *day, char kind[16],
                 struct pvs_lock_outcome *out, const struct pvs_rows_out *row)
{
    lock_row l;
    bool mine = true;
    *out = (struct pvs_lock_outcome){0};
    int rc = pvs_tx_begin(db, false);
    if (rc == PVS_DB_OK)
        rc = load_lock(db, id, &l);
    if (rc == PVS_DB_NOTFOUND) {
        out->refused = PVS_LOCK_MISSING;
        rc = PVS_DB_OK;
    }
    if (rc == PVS_DB_OK && !out->refused && scope)
        rc = door_of_mine(db, &l, scope, day, &mine);
    if (rc == PVS_DB_OK && !out->refused && !mine)
        out->refused = PVS_LOCK_NOT_MINE;
    if (rc == PVS_DB_OK && !out->refused) {
        snprintf(kind, 16, "%s", l.kind);
        rc = who_rows(db, &l, scope, day, row);
    }
    pvs_tx_rollback(db);
    return rc;
}
