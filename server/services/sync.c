/* A key's sync as one service (see sync.h): the checks that need no write, then one write
 * transaction that claims the challenge, stores what the key carried, issues, and records
 * the sync. A station relays; only the bearer's own signature is authorized. */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "issue.h"
#include "portvakt/wire.h"
#include "pvs/metrics.h"
#include "sync.h"

const char *pvs_sync_refusal_name(enum pvs_sync_refusal r)
{
    switch (r) {
    case PVS_SYNC_OK: return "ok";
    case PVS_SYNC_NONCE_EXPIRED: return "nonce-expired";
    case PVS_SYNC_BAD_SIGNATURE: return "bad-signature";
    case PVS_SYNC_WRONG_STATION: return "wrong-station";
    case PVS_SYNC_BLOCKED: return "bearer-blocked";
    case PVS_SYNC_NONCE_USED: return "nonce-used";
    case PVS_SYNC_TOO_MANY_RIGHTS: return "too-many-rights";
    }
    return "refused";
}

void pvs_sync_result_free(pvs_sync_result *out)
{
    free(out->entries);
    out->entries = NULL;
    pvs_upload_summary_free(&out->ingest);
}

/* Refusals before the key has proved itself (a forged or stale challenge, a wrong
 * signature) write no sync row: anyone can send them, and they must not fill the table or
 * the planner's overview. They are counted in the metrics only. */
enum refusal_record { UNPROVEN, PROVEN };

/* Records a refused sync: consumes the nonce when given (the challenge was genuine, so it
 * must not be tried again), adds the sync row when the key proved itself, and commits if a
 * transaction is open. Returns the refusal. */
static int refuse(pvs_db *db, const pvs_sync_req *req, const uint8_t *nonce, int64_t exp,
                  enum pvs_sync_refusal why, enum refusal_record record)
{
    if (nonce)
        (void)pvs_exec(db, "INSERT INTO sync_nonces (nonce, bearer_id, expires_at, used)"
                           " VALUES (?,?,?,1) ON CONFLICT (nonce) DO NOTHING",
                       PVS_ARGS(PVS_BLOB(nonce, 32), PVS_I64(req->bearer_id), PVS_I64(exp)));
    if (record == PROVEN)
        (void)pvs_exec(db, "INSERT INTO syncs (bearer_id, provider_id, station_id, at, result)"
                           " SELECT ?, (SELECT provider_id FROM bearers WHERE id = ?), ?, ?, ?",
                       PVS_ARGS(PVS_I64(req->bearer_id), PVS_I64(req->bearer_id),
                                PVS_ID_OR_NULL(req->station.id), PVS_I64(req->now),
                                PVS_TEXT(pvs_sync_refusal_name(why))));
    if (pvs_tx_in_progress(db) && pvs_tx_commit(db) != PVS_DB_OK)
        pvs_tx_rollback(db);
    pvs_metric_add("pvs_sync_total", "result=\"refused\"", 1);
    return why;
}

static bool blocked(const pvs_bearer_row *br)
{
    return strcmp(br->state, "active") != 0 || !br->staff_active;
}

/* Everything that needs no write: the challenge's tag and age, the bearer's signature, the
 * station's provider, the key's state. Runs before the write lock so the expensive checks
 * never hold up other syncs. Returns PVS_SYNC_OK or the (recorded) refusal. */
static int precheck(pvs_db *db, const pvs_sync_req *req, pvs_bearer_row *br, int64_t *exp)
{
    uint8_t msg[17 + 32 + 4] = "portvakt-sync-v1", tag[16];
    /* a forged nonce may carry any 64 bits: read them unsigned (no signed shift overflow)
     * and keep a far-future value from wrapping negative */
    uint64_t e = pv_load64_le(req->nonce + 8);
    *exp = e > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)e;
    pvs_sync_nonce_tag(req->nonce_key, req->nonce, req->bearer_id, tag);
    if (sodium_memcmp(tag, req->nonce + 16, 16) != 0 || *exp < req->now)
        return refuse(db, req, NULL, 0, PVS_SYNC_NONCE_EXPIRED, UNPROVEN);
    int rc = pvs_bearer_load(db, req->bearer_id, br);
    if (rc != PVS_DB_OK && rc != PVS_DB_NOTFOUND)
        return rc; /* the database failed, not the key: a 503 to try again, never a refusal */
    memcpy(msg + 17, req->nonce, 32);
    msg[16] = 0;
    for (int i = 0; i < 4; i++)
        msg[49 + i] = (uint8_t)(req->bearer_id >> (8 * i));
    if (rc != PVS_DB_OK ||
        crypto_sign_verify_detached(req->signature, msg, sizeof msg, br->public_key) != 0)
        return refuse(db, req, req->nonce, *exp, PVS_SYNC_BAD_SIGNATURE, UNPROVEN);
    if (req->station.id && req->station.provider_id != br->provider_id)
        return refuse(db, req, req->nonce, *exp, PVS_SYNC_WRONG_STATION, PROVEN);
    if (blocked(br))
        return refuse(db, req, req->nonce, *exp, PVS_SYNC_BLOCKED, PROVEN);
    return PVS_SYNC_OK;
}

/* Inside the write transaction: the nonce is used once, and the key is still active (a
 * report-lost may have committed since the precheck). */
static int claim(pvs_db *db, const pvs_sync_req *req, int64_t exp, pvs_sync_result *out)
{
    int64_t ch = pvs_exec(db, "DELETE FROM sync_nonces WHERE expires_at < ?",
                          PVS_ARGS(PVS_I64(req->now - PVS_SYNC_NONCE_TTL_S)));
    if (ch >= 0)
        ch = pvs_exec(db,
                      "INSERT INTO sync_nonces (nonce, bearer_id, expires_at, used) VALUES (?,?,?,1)"
                      " ON CONFLICT (nonce) DO NOTHING",
                      PVS_ARGS(PVS_BLOB(req->nonce, 32), PVS_I64(req->bearer_id), PVS_I64(exp)));
    if (ch < 0) {
        out->what = "challenge";
        return (int)ch;
    }
    if (ch == 0)
        return refuse(db, req, NULL, 0, PVS_SYNC_NONCE_USED, PROVEN);
    int rc = pvs_bearer_load(db, req->bearer_id, &out->bearer);
    if (rc != PVS_DB_OK) {
        out->what = "key";
        return rc;
    }
    return blocked(&out->bearer) ? refuse(db, req, NULL, 0, PVS_SYNC_BLOCKED, PROVEN) : PVS_SYNC_OK;
}

/* The credential (when there is any right), the newest revocation list and a beacon. */
static int issue(pvs_db *db, const struct pvs_issuer *iss, const pvs_sync_req *req,
                 pvs_sync_result *out)
{
    const pvs_bearer_row *br = &out->bearer;
    pvs_shift s;
    int rc = pvs_shift_compute(db, br, req->now, req->shift_s, &s);
    if (rc != PV_OK)
        return rc;
    out->has_credential = s.n > 0;
    if (s.n > 0 && ((rc = pvs_issue_next_serial(db, iss->issuer_id, &out->serial)) != PVS_DB_OK ||
                    (rc = pvs_issue_sign(iss, br, &s, out->serial, req->now, out->credential)) !=
                        PV_OK)) {
        pvs_shift_free(&s);
        return rc;
    }
    pv_beacon beacon = {iss->issuer_id, (uint64_t)req->now};
    if ((rc = pvs_revlist_current(db, iss, req->now, out->revlist, sizeof out->revlist,
                                  &out->revlist_len, &out->revlist_version)) == PVS_DB_OK)
        rc = pv_beacon_sign(&beacon, iss->sk, out->beacon);
    out->entries = s.encoded; /* handed over: pvs_sync_result_free() frees it */
    s.encoded = NULL;
    out->nentries = s.n;
    out->doors = s.doors;
    out->valid_from = s.not_before;
    out->valid_until = s.not_after;
    pvs_shift_free(&s);
    return rc;
}

/* The sync row, and when the key and the station were last seen. */
static int record(pvs_db *db, const pvs_sync_req *req, const pvs_sync_result *out)
{
    const pvs_bearer_row *br = &out->bearer;
    int64_t ch = pvs_exec(db,
                          "INSERT INTO syncs (bearer_id, provider_id, station_id, at, result, serial,"
                          " not_after, entries) VALUES (?, ?, ?, ?, 'ok', ?, ?, ?)",
                          PVS_ARGS(PVS_I64(br->bearer_id), PVS_I64(br->provider_id),
                                   PVS_ID_OR_NULL(req->station.id), PVS_I64(req->now),
                                   out->has_credential ? PVS_I64(out->serial) : PVS_NULL,
                                   PVS_I64(out->valid_until), PVS_I64(out->nentries)));
    if (ch >= 0)
        ch = pvs_exec(db, "UPDATE bearers SET last_sync_at = ? WHERE id = ?",
                      PVS_ARGS(PVS_I64(req->now), PVS_I64(br->bearer_id)));
    if (ch >= 0 && req->station.id)
        ch = pvs_exec(db, "UPDATE stations SET last_seen = ? WHERE id = ?",
                      PVS_ARGS(PVS_I64(req->now), PVS_I64(req->station.id)));
    return ch < 0 ? (int)ch : PVS_DB_OK;
}

/* Inside the write transaction, after the checks: claim, the carried logs (each refused
 * item alone), issuing, the sync row, commit. */
static int run_tx(pvs_db *db, const struct pvs_issuer *iss, const pvs_sync_req *req,
                  int64_t exp, pvs_sync_result *out)
{
    int rc = claim(db, req, exp, out);
    if (rc != PVS_SYNC_OK)
        return rc;
    rc = pvs_upload_store(db, req->upload, out->bearer.provider_id, req->station.id, req->now,
                          false, &out->ingest);
    if (rc == PVS_DB_OK)
        rc = issue(db, iss, req, out);
    if (rc == PVS_DB_OK)
        rc = record(db, req, out);
    if (rc == PV_E_FULL) {
        pvs_tx_rollback(db);
        return PVS_SYNC_TOO_MANY_RIGHTS;
    }
    out->what = rc == PVS_DB_OK ? "change" : "sync";
    if (rc == PVS_DB_OK && (rc = pvs_tx_commit(db)) == PVS_DB_OK)
        pvs_metric_add("pvs_sync_total", "result=\"ok\"", 1);
    return rc;
}

int pvs_sync_run(pvs_db *db, const struct pvs_issuer *issuer, const pvs_sync_req *req,
                 pvs_sync_result *out)
{
    memset(out, 0, sizeof *out);
    int64_t exp = 0;
    int rc = precheck(db, req, &out->bearer, &exp);
    if (rc != PVS_SYNC_OK)
        return rc;
    if (req->write_lock)
        pthread_mutex_lock(req->write_lock);
    rc = pvs_tx_begin(db, true);
    if (rc == PVS_DB_OK)
        rc = run_tx(db, issuer, req, exp, out);
    else
        out->what = "transaction";
    pvs_tx_rollback(db); /* harmless after a commit */
    if (req->write_lock)
        pthread_mutex_unlock(req->write_lock);
    return rc;
}
