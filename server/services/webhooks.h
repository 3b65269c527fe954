/* The central administrator's side of outgoing events: register a webhook (its HMAC secret
 * sealed under the vault key), list webhooks, see the dead-letter list (deliveries that gave
 * up) and send one again. Each change is audited in the same transaction. */
#ifndef PVS_SERVICES_WEBHOOKS_H
#define PVS_SERVICES_WEBHOOKS_H

#include "pvs/audit_record.h"
#include "rows.h"

#define PVS_WEBHOOK_SECRET_LEN 32 /* HMAC-SHA256 key (crypto_auth_hmacsha256_KEYBYTES) */

/* Webhook rows, in this column order: 0 id, 1 url, 2 events (",a,b,"), 3 active,
 * 4 created_by, 5 created_at, 6 pending deliveries, 7 dead deliveries. */
int pvs_webhooks_list(pvs_db *db, const struct pvs_range *rg,
                      const struct pvs_rows_out *out) PV_MUST_CHECK;

/* Registers `url` for `events` (",kind,kind," or ",*,") with `secret`, sealed under the vault
 * key, and audits "webhook.create" (details: url and events, never the secret) in one
 * transaction. Returns PVS_DB_OK with *id, PVS_DB_MISUSE when the vault is not ready. */
int pvs_webhook_create(pvs_db *db, const struct pvs_audit_actor *who, const char *url,
                       const char *events, const uint8_t secret[PVS_WEBHOOK_SECRET_LEN],
                       int64_t *id) PV_MUST_CHECK;
/* Stops sending to webhook `id` (its pending deliveries stay for the record). Audited. */
int pvs_webhook_disable(pvs_db *db, const struct pvs_audit_actor *who, int64_t id) PV_MUST_CHECK;

/* Dead deliveries, in this column order: 0 delivery id, 1 webhook id, 2 url, 3 event key,
 * 4 kind, 5 event time, 6 attempts, 7 last HTTP status (0: no answer), 8 last error. */
int pvs_dead_letters_list(pvs_db *db, const struct pvs_range *rg,
                          const struct pvs_rows_out *out) PV_MUST_CHECK;
/* Puts dead delivery `id` back in the queue, due now with its attempts reset. Audited.
 * PVS_DB_NOTFOUND when no dead delivery has that id. */
int pvs_dead_letter_retry(pvs_db *db, const struct pvs_audit_actor *who, int64_t id,
                          int64_t now) PV_MUST_CHECK;

/* Inside the caller's write transaction (vault key rotation): reseal every webhook secret
 * under the current vault key; *count grows by how many. Returns a pvs_db_rc. */
int pvs_webhooks_reseal(pvs_db *db, int *count) PV_MUST_CHECK;

/* The vault context of webhook `id`'s secret. */
void pvs_webhook_secret_ctx(int64_t id, char out[40]);

#endif
