/* A provider's people and devices (see people.h): the SQL and transactions behind /staff,
 * /bearers and /stations. */
#include "people.h"

#include <stdio.h>
#include <string.h>

#include "enrol.h"
#include "issue.h"
#include "pvs/clock.h"

#define STAFF_COLS "id, provider_id, display_name, employee_ref, active, created_at"
#define BEARER_COLS \
    "id, staff_id, provider_id, kind, label, public_key, state, revoked_at, last_sync_at, created_at"
#define STATION_COLS "id, provider_id, name, public_key, state, last_seen, created_at"
#define IN_SCOPE " AND (? = 0 OR provider_id = ?)"

static const char staff_one[] = "SELECT " STAFF_COLS " FROM staff WHERE id = ?";
static const char bearer_one[] = "SELECT " BEARER_COLS " FROM bearers WHERE id = ?";
static const char station_one[] = "SELECT " STATION_COLS " FROM stations WHERE id = ?";

/* What a caller limited to `scope` may see of provider `prov`'s data (authz/scope.c rule). */
static bool scope_allows(int64_t scope, int64_t prov)
{
    return scope == 0 || (prov != 0 && prov == scope);
}

/* INSERT ... RETURNING id, the audit entry (provider `prov`), the row read back by `select`
 * (one ? for the id), commit. */
static int create_tenant(pvs_db *db, const struct pvs_audit_actor *who, int64_t prov,
                         const char *insert, const struct pvs_param *p, size_t n,
                         const char *action, const char *type, const char *details,
                         const char *select, const struct pvs_rows_out *out)
{
    int64_t id = 0;
    int rc = pvs_tx_begin(db, true);
    if (rc == PVS_DB_OK)
        rc = pvs_query_i64(db, insert, p, n, &id);
    if (rc == PVS_DB_OK)
        rc = pvs_audit_record(db, who, prov, action, type, id, details);
    if (rc == PVS_DB_OK)
        rc = pvs_rows_one(db, select, PVS_ARGS(PVS_I64(id)), out);
    return pvs_tx_finish(db, rc);
}

/* The provider of row `id` of `table` in the scope (PVS_DB_NOTFOUND outside it). */
static int provider_of(pvs_db *db, const char *sql, int64_t id, int64_t scope, int64_t *prov)
{
    return pvs_query_i64(db, sql, PVS_ARGS(PVS_I64(id), PVS_I64(scope), PVS_I64(scope)), prov);
}

/* A keyset page of `sql` ("... WHERE (? = 0 OR provider_id = ?) AND id > ? ...") in `scope`. */
static int scoped_range(pvs_db *db, const char *sql, int64_t scope, const struct pvs_range *rg,
                        const struct pvs_rows_out *out)
{
    return pvs_rows_range(db, sql, PVS_ARGS(PVS_I64(scope), PVS_I64(scope)), rg, out);
}

/* ------------------------------------------------------------------ staff */

int pvs_staff_list(pvs_db *db, int64_t scope, const struct pvs_range *rg,
                   const struct pvs_rows_out *out)
{
    return scoped_range(db,
                        "SELECT " STAFF_COLS " FROM staff WHERE (? = 0 OR provider_id = ?)"
                        " AND id > ? ORDER BY id LIMIT ?",
                        scope, rg, out);
}

int pvs_staff_get(pvs_db *db, int64_t id, int64_t scope, const struct pvs_rows_out *out)
{
    return pvs_rows_one(db, "SELECT " STAFF_COLS " FROM staff WHERE id = ?" IN_SCOPE,
                        PVS_ARGS(PVS_I64(id), PVS_I64(scope), PVS_I64(scope)), out);
}

int pvs_staff_create(pvs_db *db, const struct pvs_audit_actor *who, const struct pvs_staff_new *s,
                     const char *details, const struct pvs_rows_out *out)
{
    return create_tenant(db, who, s->provider_id,
                         "INSERT INTO staff (provider_id, display_name, employee_ref, created_at)"
                         " VALUES (?, ?, ?, ?) RETURNING id",
                         PVS_ARGS(PVS_I64(s->provider_id), PVS_TEXT(s->display_name),
                                  PVS_TEXT_OR_NULL(s->employee_ref), PVS_I64(pvs_now())),
                         "staff.create", "staff", details, staff_one, out);
}

int pvs_staff_update(pvs_db *db, const struct pvs_audit_actor *who, int64_t id, int64_t scope,
                     const struct pvs_staff_change *c, const char *details,
                     const struct pvs_rows_out *out)
{
    int64_t prov = 0;
    int rc = pvs_tx_begin(db, true);
    if (rc == PVS_DB_OK)
        rc = provider_of(db, "SELECT provider_id FROM staff WHERE id = ?" IN_SCOPE, id, scope,
                         &prov);
    if (rc == PVS_DB_OK)
        rc = pvs_rows_changed(pvs_exec(
            db,
            "UPDATE staff SET display_name = COALESCE(?, display_name),"
            " employee_ref = CASE WHEN ? = 1 THEN ? ELSE employee_ref END,"
            " active = COALESCE(?, active) WHERE id = ?",
            PVS_ARGS(PVS_TEXT_OR_NULL(c->display_name), PVS_I64(c->set_employee_ref),
                     PVS_TEXT_OR_NULL(c->employee_ref),
                     c->active >= 0 ? PVS_I64(c->active) : PVS_NULL, PVS_I64(id))));
    if (rc == PVS_DB_OK)
        rc = pvs_audit_record(db, who, prov, "staff.update", "staff", id, details);
    if (rc == PVS_DB_OK)
        rc = pvs_rows_one(db, staff_one, PVS_ARGS(PVS_I64(id)), out);
    return pvs_tx_finish(db, rc);
}

/* ------------------------------------------------------------------ keys */

int pvs_bearers_list(pvs_db *db, int64_t scope, int64_t staff_id, const struct pvs_range *rg,
                     const struct pvs_rows_out *out)
{
    return pvs_rows_range(db,
                          "SELECT " BEARER_COLS " FROM bearers WHERE (? = 0 OR provider_id = ?)"
                          " AND (? = 0 OR staff_id = ?) AND id > ? ORDER BY id LIMIT ?",
                          PVS_ARGS(PVS_I64(scope), PVS_I64(scope), PVS_I64(staff_id),
                                   PVS_I64(staff_id)),
                          rg, out);
}

int pvs_bearer_get(pvs_db *db, int64_t id, int64_t scope, const struct pvs_rows_out *out)
{
    return pvs_rows_one(db, "SELECT " BEARER_COLS " FROM bearers WHERE id = ?" IN_SCOPE,
                        PVS_ARGS(PVS_I64(id), PVS_I64(scope), PVS_I64(scope)), out);
}

/* Inside the open transaction: the staff member's provider in the scope, and the label
 * free there; a refusal in *o. */
static int bearer_owner(pvs_db *db, int64_t scope, const struct pvs_bearer_new *b, int64_t *prov,
                        struct pvs_people_outcome *o)
{
    int rc = pvs_query_i64(db, "SELECT provider_id FROM staff WHERE id = ?",
                           PVS_ARGS(PVS_I64(b->staff_id)), prov);
    if (rc == PVS_DB_NOTFOUND || (rc == PVS_DB_OK && !scope_allows(scope, *prov))) {
        o->refused = PVS_PEOPLE_NO_STAFF;
        return PVS_DB_OK;
    }
    bool taken = false;
    int64_t other = 0;
    if (rc == PVS_DB_OK)
        rc = pvs_bearer_label_taken(db, *prov, b->label, &taken, &other);
    if (rc == PVS_DB_OK && taken)
        o->refused = PVS_PEOPLE_LABEL; /* one label, one key per provider (issue 9) */
    return rc;
}

/* The end of a key change (or creation) that may have been refused: roll back a refusal, else finish. */
static int key_change_end(pvs_db *db, int rc, const struct pvs_people_outcome *o)
{
    if (rc == PVS_DB_OK && o->refused) {
        pvs_tx_rollback(db);
        return PVS_DB_OK;
    }
    return pvs_tx_finish(db, rc);
}

int pvs_bearer_create(pvs_db *db, const struct pvs_audit_actor *who, int64_t scope,
                      const struct pvs_bearer_new *b, const char *details,
                      struct pvs_people_outcome *o, const struct pvs_rows_out *out)
{
    *o = (struct pvs_people_outcome){0};
    int64_t prov = 0, id = 0;
    int rc = pvs_tx_begin(db, true);
    if (rc == PVS_DB_OK)
        rc = bearer_owner(db, scope, b, &prov, o);
    if (rc == PVS_DB_OK && !o->refused)
        rc = pvs_query_i64(db,
                           "INSERT INTO bearers (staff_id, provider_id, kind, label, public_key,"
                           " created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                           PVS_ARGS(PVS_I64(b->staff_id), PVS_I64(prov), PVS_TEXT(b->kind),
                                    PVS_TEXT(b->label), PVS_BLOB(b->public_key, 32),
                                    PVS_I64(pvs_now())),
                           &id);
    if (rc == PVS_DB_OK && !o->refused)
        rc = pvs_audit_record(db, who, prov, "bearer.create", "bearer", id, details);
    if (rc == PVS_DB_OK && !o->refused)
        rc = pvs_rows_one(db, bearer_one, PVS_ARGS(PVS_I64(id)), out);
    return key_change_end(db, rc, o);
}

/* Inside the open transaction: key `id`'s provider and state, refused PVS_PEOPLE_NO_KEY
 * when missing or outside the scope. */
static int key_in_scope(pvs_db *db, int64_t id, int64_t scope, int64_t *prov,
                        struct pvs_people_outcome *o)
{
    pvs_stmt st;
    *o = (struct pvs_people_outcome){0};
    int rc = pvs_query(db, &st, "SELECT provider_id, state FROM bearers WHERE id = ?",
                       PVS_ARGS(PVS_I64(id)));
    if (rc != PVS_DB_OK)
        return rc;
    rc = pvs_next(&st);
    if (rc == PVS_DB_ROW) {
        *prov = pvs_col_i64(&st, 0);
        snprintf(o->state, sizeof o->state, "%s", pvs_col_text(&st, 1) ? pvs_col_text(&st, 1) : "");
    }
    pvs_finalize(&st);
    if (rc != PVS_DB_ROW && rc != PVS_DB_DONE)
        return rc;
    if (rc != PVS_DB_ROW || !scope_allows(scope, *prov))
        o->refused = PVS_PEOPLE_NO_KEY;
    return PVS_DB_OK;
}

int pvs_bearer_report_lost(pvs_db *db, const struct pvs_audit_actor *who,
                           const struct pvs_issuer *iss, int64_t id, int64_t scope,
                           struct pvs_people_outcome *o, const struct pvs_rows_out *out)
{
    int64_t prov = 0, now = pvs_now();
    int rc = pvs_tx_begin(db, true);
    if (rc == PVS_DB_OK)
        rc = key_in_scope(db, id, scope, &prov, o);
    if (rc == PVS_DB_OK && !o->refused && strcmp(o->state, "active") != 0)
        o->refused = PVS_PEOPLE_NOT_ACTIVE;
    if (rc != PVS_DB_OK || o->refused)
        return key_change_end(db, rc, o);
    rc = pvs_rows_changed(pvs_exec(db, "UPDATE bearers SET state = 'lost', revoked_at = ? WHERE id = ?",
                                   PVS_ARGS(PVS_I64(now), PVS_I64(id))));
    if (rc == PVS_DB_OK)
        rc = pvs_revlist_rebuild(db, iss, now, &o->revlist_version);
    char details[48];
    snprintf(details, sizeof details, "{\"revlist_version\":%llu}",
             (unsigned long long)o->revlist_version);
    if (rc == PVS_DB_OK)
        rc = pvs_audit_record(db, who, prov, "bearer.report_lost", "bearer", id, details);
    if (rc == PVS_DB_OK)
        rc = pvs_rows_one(db, bearer_one, PVS_ARGS(PVS_I64(id)), out);
    return pvs_tx_finish(db, rc);
}

int pvs_bearer_retire(pvs_db *db, const struct pvs_audit_actor *who, int64_t id, int64_t scope,
                      struct pvs_people_outcome *o, const struct pvs_rows_out *out)
{
    int64_t prov = 0;
    int rc = pvs_tx_begin(db, true);
    if (rc == PVS_DB_OK)
        rc = key_in_scope(db, id, scope, &prov, o);
    if (rc != PVS_DB_OK || o->refused)
        return key_change_end(db, rc, o);
    rc = pvs_rows_changed(pvs_exec(db, "UPDATE bearers SET state = 'retired' WHERE id = ?",
                                   PVS_ARGS(PVS_I64(id))));
    if (rc == PVS_DB_OK)
        rc = pvs_audit_record(db, who, prov, "bearer.retire", "bearer", id, NULL);
    if (rc == PVS_DB_OK)
        rc = pvs_rows_one(db, bearer_one, PVS_ARGS(PVS_I64(id)), out);
    return pvs_tx_finish(db, rc);
}

/* ------------------------------------------------------------------ stations */

int pvs_stations_list(pvs_db *db, int64_t scope, const struct pvs_range *rg,
                      const struct pvs_rows_out *out)
{
    return scoped_range(db,
                        "SELECT " STATION_COLS " FROM stations WHERE (? = 0 OR provider_id = ?)"
                        " AND id > ? ORDER BY id LIMIT ?",
                        scope, rg, out);
}

int pvs_station_get(pvs_db *db, int64_t id, int64_t scope, const struct pvs_rows_out *out)
{
    return pvs_rows_one(db, "SELECT " STATION_COLS " FROM stations WHERE id = ?" IN_SCOPE,
                        PVS_ARGS(PVS_I64(id), PVS_I64(scope), PVS_I64(scope)), out);
}

int pvs_station_create(pvs_db *db, const struct pvs_audit_actor *who,
                       const struct pvs_station_new *s, const char *details,
                       const struct pvs_rows_out *out)
{
    return create_tenant(db, who, s->provider_id,
                         "INSERT INTO stations (provider_id, name, public_key, created_at)"
                         " VALUES (?, ?, ?, ?) RETURNING id",
                         PVS_ARGS(PVS_I64(s->provider_id), PVS_TEXT(s->name),
                                  PVS_BLOB(s->public_key, 32), PVS_I64(pvs_now())),
                         "station.create", "station", details, station_one, out);
}

int pvs_station_retire(pvs_db *db, const struct pvs_audit_actor *who, int64_t id, int64_t scope,
                       const struct pvs_rows_out *out)
{
    int64_t prov = 0;
    int rc = pvs_tx_begin(db, true);
    if (rc == PVS_DB_OK)
        rc = provider_of(db, "SELECT provider_id FROM stations WHERE id = ?" IN_SCOPE, id, scope,
                         &prov);
    if (rc == PVS_DB_OK)
        rc = pvs_rows_changed(pvs_exec(db, "UPDATE stations SET state = 'retired' WHERE id = ?",
                                       PVS_ARGS(PVS_I64(id))));
    if (rc == PVS_DB_OK)
        rc = pvs_audit_record(db, who, prov, "station.retire", "station", id, NULL);
    if (rc == PVS_DB_OK)
        rc = pvs_rows_one(db, station_one, PVS_ARGS(PVS_I64(id)), out);
    return pvs_tx_finish(db, rc);
}
