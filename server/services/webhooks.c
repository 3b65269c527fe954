/* Webhook registration and the dead-letter list (webhooks.h): SQL, transactions, audit. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "pvs/clock.h"
#include "pvs/vault.h"
#include "webhooks.h"

void pvs_webhook_secret_ctx(int64_t id, char out[40])
{
    snprintf(out, 40, "webhook-secret:%lld", (long long)id);
}

int pvs_webhooks_list(pvs_db *db, const struct pvs_range *rg, const struct pvs_rows_out *out)
{
    return pvs_rows_range(
        db,
        "SELECT w.id, w.url, w.events, w.active, w.created_by, w.created_at,"
        " (SELECT COUNT(*) FROM outbox_deliveries d WHERE d.webhook_id = w.id AND d.state = 'pending'),"
        " (SELECT COUNT(*) FROM outbox_deliveries d WHERE d.webhook_id = w.id AND d.state = 'dead')"
        " FROM webhooks w WHERE w.id > ? ORDER BY w.id LIMIT ?",
        PVS_NOARGS, rg, out);
}

/* Audit details of a webhook: url and events are plain (checked by the caller), no secret. */
static int audit_hook(pvs_db *db, const struct pvs_audit_actor *who, const char *action,
                      int64_t id, const char *url, const char *events)
{
    char det[1200];
    int n = snprintf(det, sizeof det, "{\"events\":\"%s\",\"url\":\"%s\"}", events, url);
    if (n < 0 || (size_t)n >= sizeof det)
        return PVS_DB_MISUSE;
    return pvs_audit_record(db, who, 0, action, "webhook", id, det);
}

int pvs_webhook_create(pvs_db *db, const struct pvs_audit_actor *who, const char *url,
                       const char *events, const uint8_t secret[PVS_WEBHOOK_SECRET_LEN],
                       int64_t *id)
{
    if (!pvs_vault_ready())
        return PVS_DB_MISUSE;
    int rc = pvs_tx_begin(db, true);
    if (rc == PVS_DB_OK)
        rc = pvs_query_i64(db,
                           "INSERT INTO webhooks (url, events, secret, created_by, created_at)"
                           " VALUES (?,?,?,?,?) RETURNING id",
                           PVS_ARGS(PVS_TEXT(url), PVS_TEXT(events), PVS_BLOB("", 0),
                                    PVS_TEXT(who->name), PVS_I64(pvs_now())),
                           id);
    uint8_t sealed[PVS_WEBHOOK_SECRET_LEN + PVS_VAULT_OVERHEAD];
    size_t slen = 0;
    char ctx[40];
    pvs_webhook_secret_ctx(*id, ctx);
    if (rc == PVS_DB_OK && pvs_vault_seal(ctx, secret, PVS_WEBHOOK_SECRET_LEN, sealed,
                                          sizeof sealed, &slen) != 0)
        rc = PVS_DB_MISUSE;
    if (rc == PVS_DB_OK)
        rc = pvs_rows_changed(pvs_exec(db, "UPDATE webhooks SET secret = ? WHERE id = ?",
                                       PVS_ARGS(PVS_BLOB(sealed, slen), PVS_I64(*id))));
    if (rc == PVS_DB_OK)
        rc = audit_hook(db, who, "webhook.create", *id, url, events);
    return pvs_tx_finish(db, rc);
}

int pvs_webhook_disable(pvs_db *db, const struct pvs_audit_actor *who, int64_t id)
{
    int rc = pvs_tx_begin(db, true);
    if (rc == PVS_DB_OK)
        rc = pvs_rows_changed(pvs_exec(db, "UPDATE webhooks SET active = 0 WHERE id = ? AND active = 1",
                                       PVS_ARGS(PVS_I64(id))));
    if (rc == PVS_DB_OK)
        rc = pvs_audit_record(db, who, 0, "webhook.disable", "webhook", id, NULL);
    return pvs_tx_finish(db, rc);
}

int pvs_dead_letters_list(pvs_db *db, const struct pvs_range *rg, const struct pvs_rows_out *out)
{
    return pvs_rows_range(
        db,
        "SELECT d.id, d.webhook_id, w.url, e.event_key, e.kind, e.created_at, d.attempts,"
        " d.last_status, d.last_error FROM outbox_deliveries d"
        " JOIN outbox_events e ON e.id = d.event_id JOIN webhooks w ON w.id = d.webhook_id"
        " WHERE d.state = 'dead' AND d.id > ? ORDER BY d.id LIMIT ?",
        PVS_NOARGS, rg, out);
}

int pvs_dead_letter_retry(pvs_db *db, const struct pvs_audit_actor *who, int64_t id, int64_t now)
{
    int rc = pvs_tx_begin(db, true);
    if (rc == PVS_DB_OK)
        rc = pvs_rows_changed(pvs_exec(db,
                                       "UPDATE outbox_deliveries SET state = 'pending', attempts = 0,"
                                       " next_at = ? WHERE id = ? AND state = 'dead'",
                                       PVS_ARGS(PVS_I64(now), PVS_I64(id))));
    if (rc == PVS_DB_OK)
        rc = pvs_audit_record(db, who, 0, "webhook.retry", "delivery", id, NULL);
    return pvs_tx_finish(db, rc);
}

/* One webhook secret opened with any loaded vault key and sealed again under the current. */
static int reseal_one(pvs_db *db, int64_t id, const uint8_t *v, size_t len)
{
    uint8_t clear[PVS_WEBHOOK_SECRET_LEN], out[PVS_WEBHOOK_SECRET_LEN + PVS_VAULT_OVERHEAD];
    size_t clen = 0, olen = 0;
    char ctx[40];
    pvs_webhook_secret_ctx(id, ctx);
    int rc = pvs_vault_open(ctx, v, len, clear, sizeof clear, &clen) == 0 &&
                     pvs_vault_seal(ctx, clear, clen, out, sizeof out, &olen) == 0
                 ? PVS_DB_OK
                 : PVS_DB_MISUSE;
    sodium_memzero(clear, sizeof clear);
    if (rc == PVS_DB_OK)
        rc = pvs_rows_changed(pvs_exec(db, "UPDATE webhooks SET secret = ? WHERE id = ?",
                                       PVS_ARGS(PVS_BLOB(out, olen), PVS_I64(id))));
    return rc;
}

int pvs_webhooks_reseal(pvs_db *db, int *count)
{
    int64_t after = 0;
    for (;;) { /* one row at a time by id: no statement stays open across the update */
        uint8_t v[PVS_WEBHOOK_SECRET_LEN + PVS_VAULT_OVERHEAD];
        size_t len = 0;
        int64_t id = 0;
        pvs_stmt st;
        int rc = pvs_query(db, &st, "SELECT id, secret FROM webhooks WHERE id > ? ORDER BY id LIMIT 1",
                           PVS_ARGS(PVS_I64(after)));
        if (rc != PVS_DB_OK)
            return rc;
        if ((rc = pvs_next(&st)) == PVS_DB_ROW) {
            const void *p = pvs_col_blob(&st, 1, &len);
            id = pvs_col_i64(&st, 0);
            rc = p && len <= sizeof v ? (memcpy(v, p, len), PVS_DB_OK) : PVS_DB_ERROR;
        }
        pvs_finalize(&st);
        if (rc == PVS_DB_DONE)
            return PVS_DB_OK;
        if (rc == PVS_DB_OK)
            rc = reseal_one(db, id, v, len);
        if (rc != PVS_DB_OK)
            return rc;
        (*count)++;
        after = id;
    }
}
