/* Places and hardware as registered data (see places.h): the SQL and transactions behind
 * /owners, /buildings, /consents and the lock register. */
#include "places.h"

#include "pvs/clock.h"

#define OWNER_COLS "id, name, org_number, created_at"
#define BUILDING_COLS "id, owner_id, address, property_ref, created_at"
#define LOCK_COLS                                                                          \
    "id, kind, building_id, label, lock_public_key, issuer_id, state, installed_at,"       \
    " battery_mv, battery_pct, last_seen, revlist_version, created_at"
#define CONSENT_COLS \
    "id, kind, recipient_id, building_id, owner_id, reference, given_on, withdrawn_at, created_at"

/* The two reads every registered thing has: a keyset page and one by id. */
struct reads {
    const char *list; /* "... WHERE id > ? ORDER BY id LIMIT ?" */
    const char *one;  /* "... WHERE id = ?" */
};
#define READS(cols, table)                                                                 \
    {"SELECT " cols " FROM " table " WHERE id > ? ORDER BY id LIMIT ?",                   \
     "SELECT " cols " FROM " table " WHERE id = ?"}
static const struct reads owners = READS(OWNER_COLS, "owners");
static const struct reads buildings = READS(BUILDING_COLS, "buildings");
static const struct reads consents = READS(CONSENT_COLS, "consents");

static int list_of(pvs_db *db, const struct reads *t, const struct pvs_range *rg,
                   const struct pvs_rows_out *out)
{
    return pvs_rows_range(db, t->list, PVS_NOARGS, rg, out);
}

static int one_of(pvs_db *db, const struct reads *t, int64_t id, const struct pvs_rows_out *out)
{
    return pvs_rows_one(db, t->one, PVS_ARGS(PVS_I64(id)), out);
}

/* INSERT ... RETURNING id, the audit entry (shared data: no provider), the row read back by
 * `select` (one ? for the id), commit. */
static int create_shared(pvs_db *db, const struct pvs_audit_actor *who, const char *insert,
                         const struct pvs_param *p, size_t n, const char *action,
                         const char *type, const char *details, const char *select,
                         const struct pvs_rows_out *out)
{
    int64_t id = 0;
    int rc = pvs_tx_begin(db, true);
    if (rc == PVS_DB_OK)
        rc = pvs_query_i64(db, insert, p, n, &id);
    if (rc == PVS_DB_OK)
        rc = pvs_audit_record(db, who, 0, action, type, id, details);
    if (rc == PVS_DB_OK)
        rc = pvs_rows_one(db, select, PVS_ARGS(PVS_I64(id)), out);
    return pvs_tx_finish(db, rc);
}

int pvs_owner_create(pvs_db *db, const struct pvs_audit_actor *who, const struct pvs_owner_new *o,
                     const char *details, const struct pvs_rows_out *out)
{
    return create_shared(
        db, who, "INSERT INTO owners (name, org_number, created_at) VALUES (?, ?, ?) RETURNING id",
        PVS_ARGS(PVS_TEXT(o->name), PVS_TEXT_OR_NULL(o->org_number), PVS_I64(pvs_now())),
        "owner.create", "owner", details, owners.one, out);
}

int pvs_owners_list(pvs_db *db, const struct pvs_range *rg, const struct pvs_rows_out *out)
{
    return list_of(db, &owners, rg, out);
}

int pvs_owner_get(pvs_db *db, int64_t id, const struct pvs_rows_out *out)
{
    return one_of(db, &owners, id, out);
}

int pvs_building_create(pvs_db *db, const struct pvs_audit_actor *who,
                        const struct pvs_building_new *b, const char *details,
                        const struct pvs_rows_out *out)
{
    return create_shared(db, who,
                         "INSERT INTO buildings (owner_id, address, property_ref, created_at)"
                         " VALUES (?, ?, ?, ?) RETURNING id",
                         PVS_ARGS(PVS_I64(b->owner_id), PVS_TEXT(b->address),
                                  PVS_TEXT_OR_NULL(b->property_ref), PVS_I64(pvs_now())),
                         "building.create", "building", details,
                         buildings.one, out);
}

int pvs_buildings_list(pvs_db *db, const struct pvs_range *rg, const struct pvs_rows_out *out)
{
    return list_of(db, &buildings, rg, out);
}

int pvs_building_get(pvs_db *db, int64_t id, const struct pvs_rows_out *out)
{
    return one_of(db, &buildings, id, out);
}

int pvs_consent_create(pvs_db *db, const struct pvs_audit_actor *who,
                       const struct pvs_consent_new *c, const char *details,
                       const struct pvs_rows_out *out)
{
    return create_shared(
        db, who,
        "INSERT INTO consents (kind, recipient_id, building_id, owner_id, reference,"
        " given_on, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        PVS_ARGS(PVS_TEXT(c->kind), PVS_ID_OR_NULL(c->recipient_id),
                 PVS_ID_OR_NULL(c->building_id), PVS_ID_OR_NULL(c->owner_id),
                 PVS_TEXT(c->reference), PVS_TEXT(c->given_on), PVS_I64(pvs_now())),
        "consent.create", "consent", details, consents.one, out);
}

int pvs_consents_list(pvs_db *db, const struct pvs_range *rg, const struct pvs_rows_out *out)
{
    return list_of(db, &consents, rg, out);
}

int pvs_consent_get(pvs_db *db, int64_t id, const struct pvs_rows_out *out)
{
    return one_of(db, &consents, id, out);
}

int pvs_consent_withdraw(pvs_db *db, const struct pvs_audit_actor *who, int64_t id,
                         const struct pvs_rows_out *out)
{
    int rc = pvs_tx_begin(db, true);
    if (rc == PVS_DB_OK)
        rc = pvs_rows_changed(pvs_exec(
            db, "UPDATE consents SET withdrawn_at = ? WHERE id = ? AND withdrawn_at IS NULL",
            PVS_ARGS(PVS_I64(pvs_now()), PVS_I64(id))));
    if (rc == PVS_DB_OK)
        rc = pvs_audit_record(db, who, 0, "consent.withdraw", "consent", id, NULL);
    if (rc == PVS_DB_OK)
        rc = pvs_consent_get(db, id, out);
    return pvs_tx_finish(db, rc);
}

int pvs_lock_create(pvs_db *db, const struct pvs_audit_actor *who, const struct pvs_lock_new *l,
                    const char *details, const struct pvs_rows_out *out)
{
    return create_shared(db, who,
                         "INSERT INTO locks (kind, building_id, label, lock_public_key, issuer_id,"
                         " created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                         PVS_ARGS(PVS_TEXT(l->kind), PVS_I64(l->building_id), PVS_TEXT(l->label),
                                  l->public_key ? PVS_BLOB(l->public_key, 32) : PVS_NULL,
                                  PVS_I64(l->issuer_id), PVS_I64(pvs_now())),
                         "lock.create", "lock", details,
                         "SELECT " LOCK_COLS " FROM locks WHERE id = ?", out);
}

int pvs_locks_list(pvs_db *db, int64_t building_id, const struct pvs_range *rg,
                   const struct pvs_rows_out *out)
{
    return pvs_rows_range(db,
                          "SELECT " LOCK_COLS " FROM locks WHERE (? = 0 OR building_id = ?)"
                          " AND id > ? ORDER BY id LIMIT ?",
                          PVS_ARGS(PVS_I64(building_id), PVS_I64(building_id)), rg, out);
}

int pvs_lock_get(pvs_db *db, int64_t id, const struct pvs_rows_out *out)
{
    return pvs_rows_one(db, "SELECT " LOCK_COLS " FROM locks WHERE id = ?",
                        PVS_ARGS(PVS_I64(id)), out);
}

int pvs_lock_history(pvs_db *db, int64_t id, const struct pvs_rows_out *out)
{
    return pvs_rows_all(db,
                        "SELECT action, building_id, at, user_id FROM lock_history WHERE lock_id = ?"
                        " ORDER BY id",
                        PVS_ARGS(PVS_I64(id)), out);
}
