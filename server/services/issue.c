/* Credential issuing from the store (see issue.h). */
#include "issue.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "../rules/calendar.h"
#include "../rules/revlist.h"
#include "../rules/rights.h"
#include "alarm.h"
#include "grants.h"

int pvs_bearer_load(pvs_db *db, uint32_t bearer_id, pvs_bearer_row *out)
{
    memset(out, 0, sizeof *out);
    pvs_stmt st;
    int rc = pvs_query(db, &st,
                       "SELECT b.staff_id, b.provider_id, b.public_key, b.state, b.label,"
                       " s.active FROM bearers b JOIN staff s ON s.id = b.staff_id"
                       " WHERE b.id = ?",
                       PVS_ARGS(PVS_I64(bearer_id)));
    if (rc != PVS_DB_OK)
        return rc;
    rc = pvs_next(&st);
    if (rc == PVS_DB_ROW) {
        size_t len = 0;
        const void *pk = pvs_col_blob(&st, 2, &len);
        const char *state = pvs_col_text(&st, 3), *label = pvs_col_text(&st, 4);
        out->bearer_id = bearer_id;
        out->staff_id = (uint32_t)pvs_col_i64(&st, 0);
        out->provider_id = (uint32_t)pvs_col_i64(&st, 1);
        if (pk && len == PV_PK_SIZE)
            memcpy(out->public_key, pk, PV_PK_SIZE);
        snprintf(out->state, sizeof out->state, "%s", state ? state : "retired");
        snprintf(out->label, sizeof out->label, "%s", label ? label : "");
        out->staff_active = (int)pvs_col_i64(&st, 5);
        rc = PVS_DB_OK;
    } else if (rc == PVS_DB_DONE) {
        rc = PVS_DB_NOTFOUND;
    }
    pvs_finalize(&st);
    return rc;
}

int pvs_rights_refresh_recipient(pvs_db *db, int64_t recipient_id)
{
    int64_t ch = pvs_exec(db,
                          "UPDATE rights SET"
                          " building_id = (SELECT c.building_id FROM recipients c"
                          "   WHERE c.id = rights.recipient_id),"
                          " lock_id = (SELECT c.lock_id FROM recipients c JOIN locks l"
                          "   ON l.id = c.lock_id WHERE c.id = rights.recipient_id"
                          "   AND l.state = 'installed' AND l.kind = 'apartment')"
                          " WHERE recipient_id = ?",
                          PVS_ARGS(PVS_I64(recipient_id)));
    return ch < 0 ? (int)ch : pvs_grants_changed(db);
}

int pvs_shift_compute(pvs_db *db, const pvs_bearer_row *b, int64_t now, unsigned shift_s,
                      pvs_shift *out)
{
    memset(out, 0, sizeof *out);
    if (shift_s == 0 || shift_s > PV_CRED_MAX_LIFETIME_S)
        shift_s = PV_CRED_MAX_LIFETIME_S;
    out->not_before = now - now % 60;
    out->not_after = out->not_before + shift_s;
    pvs_rights r;
    int rc = pvs_rights_init(&r, out->not_before, out->not_after);
    pvs_grantset gs = {0};
    int cached = 0;
    if (rc == PV_OK)
        rc = pvs_grants_load(db, b->staff_id, b->provider_id, r.days.first_day, &gs, &cached);
    if (rc == PV_OK)
        rc = pvs_grants_apply(&gs, &r);
    if (rc == PV_OK) /* a responder's alarm doors, flagged, after derivation */
        rc = pvs_alarm_apply(db, b->bearer_id, &r);
    pvs_grantset_free(&gs);
    out->cached = cached;
    if (rc == PV_OK)
        rc = pvs_rights_finish(&r, &out->entries, &out->n);
    pvs_rights_free(&r);
    if (rc != PV_OK || out->n == 0)
        return rc;
    out->encoded = malloc(out->n * PV_ENTRY_SIZE);
    if (!out->encoded) {
        pvs_shift_free(out);
        return PV_E_NOMEM;
    }
    for (size_t i = 0; i < out->n; i++)
        pv_entry_encode(&out->entries[i], out->encoded + i * PV_ENTRY_SIZE);
    out->doors = pvs_entries_doors(out->entries, out->n);
    rc = pv_merkle_root(out->encoded, (uint32_t)out->n, out->root);
    if (rc != PV_OK)
        pvs_shift_free(out);
    return rc;
}

void pvs_shift_free(pvs_shift *s)
{
    free(s->entries);
    free(s->encoded);
    s->entries = NULL;
    s->encoded = NULL;
    s->n = 0;
}

int pvs_issue_next_serial(pvs_db *db, uint32_t issuer_id, uint64_t *serial)
{
    int64_t v = 0;
    int rc = pvs_query_i64(db,
                           "INSERT INTO issuer_serials (issuer_id, last_serial) VALUES (?, 1)"
                           " ON CONFLICT (issuer_id) DO UPDATE SET"
                           " last_serial = issuer_serials.last_serial + 1 RETURNING last_serial",
                           PVS_ARGS(PVS_I64(issuer_id)), &v);
    *serial = (uint64_t)v;
    return rc;
}

int pvs_issue_sign(const struct pvs_issuer *iss, const pvs_bearer_row *b, const pvs_shift *s,
                   uint64_t serial, int64_t now, uint8_t out[PV_CRED_SIZE])
{
    if (s->n == 0)
        return PV_E_RANGE;
    pv_cred c = {0};
    c.issuer_id = iss->issuer_id;
    c.serial = serial;
    c.bearer_id = b->bearer_id;
    c.entry_count = (uint32_t)s->n;
    c.issued_at = (uint64_t)now;
    c.not_before = (uint64_t)s->not_before;
    c.not_after = (uint64_t)s->not_after;
    memcpy(c.root, s->root, PV_HASH_SIZE);
    int rc = pv_bearer_x_pk(b->public_key, c.bearer_pk);
    if (rc != PV_OK)
        return rc;
    return pv_cred_sign(&c, iss->sk, out);
}
