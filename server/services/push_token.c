/* A phone key's own change token (push.h): a BLAKE2b hash over what its next sync would carry
 * that can change without time passing, so only a change that concerns this key moves it. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "grants.h"
#include "issue.h"
#include "push.h"
#include "../rules/calendar.h"

/* The newest revocation list and this key's alarm grants (opened, ended early). */
static int key_counters(pvs_db *db, int64_t bearer_id, int64_t v[3])
{
    pvs_stmt st;
    int rc = pvs_query(db, &st,
                       "SELECT (SELECT COALESCE(MAX(version), 0) FROM revlists),"
                       " (SELECT COUNT(*) FROM alarm_grants WHERE bearer_id = ?),"
                       " (SELECT COALESCE(SUM(COALESCE(ended_at, 0)), 0) FROM alarm_grants"
                       "  WHERE bearer_id = ?)",
                       PVS_ARGS(PVS_I64(bearer_id), PVS_I64(bearer_id)));
    if (rc != PVS_DB_OK)
        return rc;
    rc = pvs_next(&st);
    if (rc == PVS_DB_ROW) {
        for (int i = 0; i < 3; i++)
            v[i] = pvs_col_i64(&st, i);
        rc = PVS_DB_OK;
    } else if (rc == PVS_DB_DONE) {
        rc = PVS_DB_ERROR;
    }
    pvs_finalize(&st);
    return rc;
}

int pvs_push_key_token(pvs_db *db, int64_t bearer_id, int64_t now,
                       char out[PVS_PUSH_TOKEN_LEN + 1], enum pvs_phone_refusal *why)
{
    out[0] = '\0';
    *why = PVS_PHONE_NOT_YOURS;
    if (bearer_id <= 0 || bearer_id > UINT32_MAX)
        return PVS_DB_OK;
    pvs_bearer_row b;
    int rc = pvs_bearer_load(db, (uint32_t)bearer_id, &b);
    if (rc == PVS_DB_NOTFOUND)
        return PVS_DB_OK;
    if (rc != PVS_DB_OK)
        return rc;
    if (strcmp(b.state, "active") != 0) {
        *why = PVS_PHONE_BLOCKED;
        return PVS_DB_OK;
    }
    int64_t v[4] = {0, 0, 0, b.staff_active};
    rc = key_counters(db, bearer_id, v);
    pvs_grantset gs = {0};
    int cached = 0;
    if (rc == PVS_DB_OK)
        rc = pvs_grants_load(db, b.staff_id, b.provider_id, pvs_local_day(now), &gs, &cached);
    if (rc != PVS_DB_OK) {
        pvs_grantset_free(&gs);
        return rc;
    }
    crypto_generichash_state h;
    uint8_t d[PVS_PUSH_TOKEN_LEN / 2];
    crypto_generichash_init(&h, NULL, 0, sizeof d);
    crypto_generichash_update(&h, (const uint8_t *)v, sizeof v);
    crypto_generichash_update(&h, gs.body ? gs.body : (const uint8_t *)"", gs.len);
    crypto_generichash_final(&h, d, sizeof d);
    pvs_grantset_free(&gs);
    sodium_bin2hex(out, PVS_PUSH_TOKEN_LEN + 1, d, sizeof d);
    *why = PVS_PHONE_OK;
    return PVS_DB_OK;
}
