/* The sync and log-upload endpoints (docs/sync.md): station request signatures, single-use
 * challenges, the bearer's proof of possession, issuing, and ingestion of the logs a key
 * or station carries. A station relays; only the bearer's own signature is authorized. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "../services/ingest.h"
#include "../services/issue.h"
#include "util.h"
#include "domain_handlers.h"
#include "pvs/metrics.h"
#include "../services/state.h"

#define NONCE_TTL_S 60
#define STATION_SKEW_S 300
#define MAX_BATCHES 256
#define MAX_BEARER_EVENTS 4096

typedef struct station_auth {
    int64_t id;         /* 0 when the caller is a phone without a station */
    int64_t provider_id;
} station_auth;

/* Verifies the X-Portvakt-Station headers if present (required when `need`). Sends 401
 * and returns false on any failure. */
static bool station_verify(struct pvs_req *r, bool need, station_auth *sa)
{
    const char *sid = pvs_req_header(r, "X-Portvakt-Station");
    const char *date = pvs_req_header(r, "X-Portvakt-Date");
    const char *sig = pvs_req_header(r, "X-Portvakt-Signature");
    memset(sa, 0, sizeof *sa);
    if (!sid && !date && !sig && !need)
        return true;
    char *end = NULL;
    long long id = sid ? strtoll(sid, &end, 10) : 0;
    long long t = date ? strtoll(date, NULL, 10) : 0;
    uint8_t s[64], pk[32] = {0}, h[32];
    size_t slen = 0;
    if (!sid || !end || *end || id <= 0 || !date || !sig || strlen(sig) != 128 ||
        sodium_hex2bin(s, sizeof s, sig, 128, NULL, &slen, NULL) != 0 || slen != 64) {
        pvs_problem(r, 401, "station-auth", "Station not authenticated",
                    "This endpoint needs the headers X-Portvakt-Station, X-Portvakt-Date and "
                    "X-Portvakt-Signature (see docs/sync.md).");
        return false;
    }
    long long now = pvs_now();
    if (t < now - STATION_SKEW_S || t > now + STATION_SKEW_S) {
        pvs_problem(r, 401, "station-clock", "Station clock wrong",
                    "The station's date %lld is more than %d s from the server's clock %lld; "
                    "set the station's clock.", t, STATION_SKEW_S, now);
        return false;
    }
    pvs_stmt st;
    bool ok = false;
    if (pvs_query(r->db, &st,
                  "SELECT provider_id, public_key FROM stations WHERE id = ? AND state = 'active'",
                  PVS_ARGS(PVS_I64(id))) == PVS_DB_OK) {
        if (pvs_next(&st) == PVS_DB_ROW) {
            size_t len = 0;
            const void *k = pvs_col_blob(&st, 1, &len);
            sa->provider_id = pvs_col_i64(&st, 0);
            if (k && len == 32) {
                memcpy(pk, k, 32);
                ok = true;
            }
        }
        pvs_finalize(&st);
    }
    char hex[65];
    crypto_generichash(h, 32, (const uint8_t *)(r->body ? r->body : ""), r->body_len, NULL, 0);
    sodium_bin2hex(hex, sizeof hex, h, 32);
    char msg[PVS_MAX_PATH + 200];
    int n = snprintf(msg, sizeof msg, "portvakt-station-v1\n%s\n%s\n%s\n%s", r->method, r->path,
                     date, hex);
    if (!ok || n < 0 || (size_t)n >= sizeof msg ||
        crypto_sign_verify_detached(s, (const uint8_t *)msg, (size_t)n, pk) != 0) {
        pvs_problem(r, 401, "station-auth", "Station not authenticated",
                    "Station %lld is unknown, retired, or its request signature is wrong.", id);
        return false;
    }
    sa->id = id;
    return true;
}

/* A challenge the server can check without having stored it: 8 random bytes, the expiry
 * (u64 LE) and a 16-byte keyed BLAKE2b tag over both and the bearer id. Single use is
 * enforced at sync by recording each nonce once it has been presented. */
static void nonce_tag(const pvd_state *ds, const uint8_t nonce[16], uint32_t bearer,
                      uint8_t tag[16])
{
    uint8_t msg[13 + 16 + 4] = "pv-sync-nonce";
    memcpy(msg + 13, nonce, 16);
    for (int i = 0; i < 4; i++)
        msg[29 + i] = (uint8_t)(bearer >> (8 * i));
    crypto_generichash(tag, 16, msg, sizeof msg, ds->nonce_key, sizeof ds->nonce_key);
}

void pvd_sync_challenge(struct pvs_req *r)
{
    static const struct pvs_jfield f[] = {
        {"bearer_id", PVS_J_ID, PVS_JF_REQUIRED, 0, 0xFFFFFFFFll},
    };
    station_auth sa;
    if (!station_verify(r, false, &sa))
        return;
    json_t *b = pvs_body_json(r, PVS_JFIELDS(f));
    if (!b)
        return;
    /* an unknown bearer gets a nonce too: the answer must not reveal which ids exist */
    uint32_t bearer = (uint32_t)pvs_jint(b, "bearer_id", 0);
    json_decref(b);
    int64_t exp = pvs_now() + NONCE_TTL_S;
    uint8_t nonce[32];
    randombytes_buf(nonce, 8);
    for (int i = 0; i < 8; i++)
        nonce[8 + i] = (uint8_t)((uint64_t)exp >> (8 * i));
    nonce_tag(pvd_state_of(r->srv), nonce, bearer, nonce + 16);
    pvs_reply_json(r, 200, json_pack("{s:o,s:I}", "nonce", pvs_json_hex(nonce, 32), "expires_at",
                                     (json_int_t)exp));
}

/* ------------------------------------------------------------------ uploads */

typedef struct upload {
    size_t nb;
    uint8_t (*batch)[PV_LOGBATCH_MAX_SIZE];
    size_t *len;
    size_t ne;
    pvs_bearer_event *ev;
} upload;

static void upload_free(upload *u)
{
    free(u->batch);
    free(u->len);
    free(u->ev);
    memset(u, 0, sizeof *u);
}

/* Decodes "lock_batches" (hex strings) and "bearer_events" from a checked body; reason
 * strings point into `b`. Sends 400 and returns false on a malformed member. */
static bool upload_parse(struct pvs_req *r, const json_t *b, upload *u)
{
    const json_t *lb = json_object_get(b, "lock_batches"), *be = json_object_get(b, "bearer_events");
    size_t nb = json_is_array(lb) ? json_array_size(lb) : 0;
    size_t ne = json_is_array(be) ? json_array_size(be) : 0;
    memset(u, 0, sizeof *u);
    u->batch = calloc(nb ? nb : 1, sizeof *u->batch);
    u->len = calloc(nb ? nb : 1, sizeof *u->len);
    u->ev = calloc(ne ? ne : 1, sizeof *u->ev);
    if (!u->batch || !u->len || !u->ev) {
        upload_free(u);
        pvs_problem(r, 503, "busy", "Busy", "Out of memory; try again.");
        return false;
    }
    for (size_t i = 0; i < nb; i++) {
        const json_t *v = json_array_get(lb, i);
        const char *hex = json_string_value(v);
        size_t hl = hex ? json_string_length(v) : 0;
        if (!hex || hl == 0 || hl % 2 || hl / 2 > PV_LOGBATCH_MAX_SIZE ||
            sodium_hex2bin(u->batch[i], PV_LOGBATCH_MAX_SIZE, hex, hl, NULL, &u->len[i], NULL) ||
            u->len[i] != hl / 2) {
            upload_free(u);
            pvd_invalid(r, "lock_batches[%zu] must be a hex string of at most %u bytes.", i,
                        PV_LOGBATCH_MAX_SIZE);
            return false;
        }
    }
    u->nb = nb;
    for (size_t i = 0; i < ne; i++) {
        static const struct pvs_jfield f[] = {
            {"bearer_id", PVS_J_ID, PVS_JF_REQUIRED, 0, 0},
            {"seq", PVS_J_INT, PVS_JF_REQUIRED, 0, 0xFFFFFFFFll},
            {"time", PVS_J_INT, PVS_JF_REQUIRED, 0, 0xFFFFFFFFFFll},
            {"kind", PVS_J_STRING, PVS_JF_REQUIRED, 4, 7},
            {"lock_id", PVS_J_ID, PVS_JF_REQUIRED, 0, 0},
            {"reason", PVS_J_STRING, PVS_JF_NULLABLE, 1, 32},
        };
        const json_t *v = json_array_get(be, i);
        char where[48], errs[512] = "";
        snprintf(where, sizeof where, "bearer_events[%zu]", i);
        const char *kind = json_string_value(json_object_get(v, "kind"));
        if (!json_is_object(v) || !pvs_json_check(v, PVS_JFIELDS(f), where, errs, sizeof errs) ||
            !kind || (strcmp(kind, "open") && strcmp(kind, "refused"))) {
            upload_free(u);
            pvd_invalid(r, "%s", errs[0] ? errs : "a bearer event's kind is \"open\" or \"refused\"");
            return false;
        }
        u->ev[i] = (pvs_bearer_event){(uint32_t)pvs_jint(v, "bearer_id", 0),
                                      (uint32_t)pvs_jint(v, "seq", 0), pvs_jint(v, "time", 0),
                                      strcmp(kind, "open") == 0,
                                      (uint32_t)pvs_jint(v, "lock_id", 0),
                                      pvs_jstr(v, "reason", NULL)};
    }
    u->ne = ne;
    return true;
}

/* Stores an upload. all_or_nothing: the first refusal aborts (the caller rolls back);
 * otherwise each refused item is rolled back alone (savepoint) and listed in *refused. */
static int upload_store(pvs_db *db, const upload *u, int64_t provider, int64_t station,
                        bool all_or_nothing, pvs_ingest_result *res, json_t *refused)
{
    int64_t now = pvs_now();
    for (size_t i = 0; i < u->nb + u->ne; i++) {
        if (!all_or_nothing && pvs_exec(db, "SAVEPOINT pv_item", PVS_NOARGS) < 0)
            return PVS_DB_ERROR;
        int rc = i < u->nb ? pvs_ingest_lock_batch(db, u->batch[i], u->len[i], now, res)
                           : pvs_ingest_bearer_event(db, &u->ev[i - u->nb], provider, station,
                                                     now, res);
        if (rc < 0 || (rc == PVS_INGEST_REFUSED && all_or_nothing))
            return rc;
        if (all_or_nothing)
            continue;
        if (rc == PVS_INGEST_REFUSED) {
            if (pvs_exec(db, "ROLLBACK TO pv_item", PVS_NOARGS) < 0)
                return PVS_DB_ERROR;
            json_array_append_new(refused, json_pack("{s:s,s:I,s:s,s:s}", "item",
                                                     i < u->nb ? "lock_batches" : "bearer_events",
                                                     "index", (json_int_t)(i < u->nb ? i : i - u->nb),
                                                     "type", res->type, "detail", res->detail));
        }
        if (pvs_exec(db, "RELEASE pv_item", PVS_NOARGS) < 0)
            return PVS_DB_ERROR;
    }
    return PVS_DB_OK;
}

static json_t *ingest_json(pvs_db *db, const pvs_ingest_result *res)
{
    pvs_gap_report gaps[PVS_INGEST_MAX_GAPS];
    size_t n = 0;
    json_t *arr = json_array();
    if (pvs_ingest_gaps(db, res, gaps, PVS_INGEST_MAX_GAPS, &n) == PVS_DB_OK)
        for (size_t i = 0; i < n; i++)
            json_array_append_new(arr, json_pack("{s:I,s:I,s:I}", "lock_id",
                                                 (json_int_t)gaps[i].lock_id, "from_seq",
                                                 (json_int_t)gaps[i].from_seq, "to_seq",
                                                 (json_int_t)gaps[i].to_seq));
    return json_pack("{s:I,s:I,s:o}", "stored", (json_int_t)res->stored, "duplicates",
                     (json_int_t)res->duplicates, "gaps", arr);
}

static const struct pvs_jfield upload_fields[] = {
    {"lock_batches", PVS_J_ARRAY, 0, 0, MAX_BATCHES},
    {"bearer_events", PVS_J_ARRAY, 0, 0, MAX_BEARER_EVENTS},
};

/* POST /ingest: a station's queued logs, stored entirely or not at all. */
void pvd_ingest(struct pvs_req *r)
{
    station_auth sa;
    if (!station_verify(r, true, &sa))
        return;
    json_t *b = pvs_body_json(r, PVS_JFIELDS(upload_fields));
    upload u;
    if (!b)
        return;
    if (!upload_parse(r, b, &u)) {
        json_decref(b);
        return;
    }
    pvs_ingest_result *res = calloc(1, sizeof *res);
    pvd_state *ds = pvd_state_of(r->srv);
    pthread_mutex_lock(&ds->write_lock);
    if (!res || !pvd_begin(r, true)) {
        pthread_mutex_unlock(&ds->write_lock);
        if (!res)
            pvs_problem(r, 503, "busy", "Busy", "Out of memory; try again.");
        free(res);
        upload_free(&u);
        json_decref(b);
        return;
    }
    int rc = upload_store(r->db, &u, sa.provider_id, sa.id, true, res, NULL);
    pvs_ingest_done(res);
    upload_free(&u);
    json_decref(b);
    if (rc == PVS_INGEST_REFUSED) {
        pvs_tx_rollback(r->db);
        pvs_problem(r, 422, res->type, "Log upload refused", "%s Nothing from this upload was stored.",
                    res->detail);
        pvs_metric_add("pvs_ingest_total", "result=\"refused\"", 1);
    } else if (rc != PVS_DB_OK) {
        pvd_fail(r, rc, "log");
    } else {
        json_t *o = ingest_json(r->db, res);
        pvs_exec(r->db, "UPDATE stations SET last_seen = ? WHERE id = ?",
                 PVS_ARGS(PVS_I64(pvs_now()), PVS_I64(sa.id)));
        if (pvd_commit(r))
            pvs_reply_json(r, 200, o);
        else
            json_decref(o);
        pvs_metric_add("pvs_ingest_total", "result=\"ok\"", 1);
    }
    pvs_tx_rollback(r->db); /* harmless after a commit */
    pthread_mutex_unlock(&ds->write_lock);
    free(res);
}

/* ------------------------------------------------------------------ sync */

/* Records a refused sync and consumes the nonce (inside the open transaction, or on their
 * own), commits, and answers. */
static void sync_refuse(struct pvs_req *r, int64_t bearer, const uint8_t *nonce, int64_t exp,
                        const station_auth *sa, int status, const char *type, const char *title,
                        const char *detail)
{
    if (nonce)
        pvs_exec(r->db, "INSERT INTO sync_nonces (nonce, bearer_id, expires_at, used)"
                        " VALUES (?,?,?,1) ON CONFLICT (nonce) DO NOTHING",
                 PVS_ARGS(PVS_BLOB(nonce, 32), PVS_I64(bearer), PVS_I64(exp)));
    pvs_exec(r->db, "INSERT INTO syncs (bearer_id, provider_id, station_id, at, result)"
                    " SELECT ?, (SELECT provider_id FROM bearers WHERE id = ?), ?, ?, ?",
             PVS_ARGS(PVS_I64(bearer), PVS_I64(bearer), PVS_ID_OR_NULL(sa->id),
                      PVS_I64(pvs_now()), PVS_TEXT(type)));
    if (r->db->tx && pvs_tx_commit(r->db) != PVS_DB_OK)
        pvs_tx_rollback(r->db);
    pvs_problem(r, status, type, title, "%s", detail);
    pvs_metric_add("pvs_sync_total", "result=\"refused\"", 1);
}

static void refuse_blocked(struct pvs_req *r, int64_t bearer, const uint8_t *nonce, int64_t exp,
                           const station_auth *sa, const pvs_bearer_row *br)
{
    char d[200];
    snprintf(d, sizeof d, "Key %s is %s; sync refused. Ask your planner to issue a new key.",
             br->label, strcmp(br->state, "active") ? (strcmp(br->state, "lost") == 0
                                                         ? "reported lost" : "retired")
                                                    : "held by an inactive staff member");
    sync_refuse(r, bearer, nonce, exp, sa, 403, "bearer-blocked", "Key blocked", d);
}

/* Everything that needs no write: the challenge's tag and age, the bearer's signature, the
 * station's provider, the key's state. Runs before the write lock so the expensive checks
 * never hold up other syncs. On refusal answers and returns false. */
static bool sync_precheck(struct pvs_req *r, const json_t *b, const station_auth *sa,
                          pvs_bearer_row *br, uint8_t nonce[32], int64_t *exp)
{
    int64_t bearer = pvs_jint(b, "bearer_id", 0);
    uint8_t sig[64], msg[17 + 32 + 4] = "portvakt-sync-v1", tag[16];
    if (!pvs_jhex(b, "nonce", nonce, 32) || !pvs_jhex(b, "signature", sig, 64)) {
        pvd_invalid(r, "nonce must be 64 and signature 128 lowercase hex digits.");
        return false;
    }
    *exp = 0;
    for (int i = 0; i < 8; i++)
        *exp |= (int64_t)nonce[8 + i] << (8 * i);
    nonce_tag(pvd_state_of(r->srv), nonce, (uint32_t)bearer, tag);
    if (sodium_memcmp(tag, nonce + 16, 16) != 0 || *exp < pvs_now()) {
        sync_refuse(r, bearer, NULL, 0, sa, 410, "nonce-expired", "Challenge expired",
                    "The sync challenge is unknown or older than 60 seconds; start the sync again.");
        return false;
    }
    int rc = pvs_bearer_load(r->db, (uint32_t)bearer, br);
    memcpy(msg + 17, nonce, 32);
    msg[16] = 0;
    for (int i = 0; i < 4; i++)
        msg[49 + i] = (uint8_t)((uint64_t)bearer >> (8 * i));
    if (rc != PVS_DB_OK || crypto_sign_verify_detached(sig, msg, sizeof msg, br->public_key) != 0) {
        sync_refuse(r, bearer, nonce, *exp, sa, 403, "bad-signature", "Key not recognised",
                    "The key's signature does not match its registered public key; this key "
                    "cannot sync. Ask your planner to check the key.");
        return false;
    }
    if (sa->id && sa->provider_id != br->provider_id) {
        sync_refuse(r, bearer, nonce, *exp, sa, 403, "wrong-station", "Wrong station",
                    "This key belongs to another provider; sync it at its own provider's station.");
        return false;
    }
    if (strcmp(br->state, "active") != 0 || !br->staff_active) {
        refuse_blocked(r, bearer, nonce, *exp, sa, br);
        return false;
    }
    return true;
}

/* Inside the write transaction: the nonce is used once, and the key is still active (a
 * report-lost may have committed since the precheck). On refusal answers and returns false. */
static bool sync_claim(struct pvs_req *r, const uint8_t nonce[32], int64_t exp,
                       const station_auth *sa, pvs_bearer_row *br)
{
    int64_t bearer = br->bearer_id;
    int64_t ch = pvs_exec(r->db, "DELETE FROM sync_nonces WHERE expires_at < ?",
                          PVS_ARGS(PVS_I64(pvs_now() - NONCE_TTL_S)));
    if (ch >= 0)
        ch = pvs_exec(r->db,
                      "INSERT INTO sync_nonces (nonce, bearer_id, expires_at, used) VALUES (?,?,?,1)"
                      " ON CONFLICT (nonce) DO NOTHING",
                      PVS_ARGS(PVS_BLOB(nonce, 32), PVS_I64(bearer), PVS_I64(exp)));
    if (ch < 0) {
        pvd_fail(r, (int)ch, "challenge");
        return false;
    }
    if (ch == 0) {
        sync_refuse(r, bearer, NULL, 0, sa, 409, "nonce-used", "Challenge already used",
                    "This sync challenge was already used; start the sync again.");
        return false;
    }
    int rc = pvs_bearer_load(r->db, (uint32_t)bearer, br);
    if (rc != PVS_DB_OK) {
        pvd_fail(r, rc, "key");
        return false;
    }
    if (strcmp(br->state, "active") != 0 || !br->staff_active) {
        refuse_blocked(r, bearer, NULL, 0, sa, br);
        return false;
    }
    return true;
}

/* Issues: entries, credential (when there is any right), newest revocation list, beacon. */
static int sync_issue(struct pvs_req *r, const pvs_bearer_row *br, const station_auth *sa,
                      json_t *out)
{
    int64_t now = pvs_now();
    const struct pvs_issuer *iss = &r->srv->issuer;
    pvs_shift s;
    uint8_t cred[PV_CRED_SIZE], rl[PV_REVLIST_MAX_SIZE], bc[PV_BEACON_SIZE];
    size_t rl_len = 0;
    uint64_t serial = 0, version = 0;
    int rc = pvs_shift_compute(r->db, br, now, pvd_shift_seconds(), &s);
    if (rc != PV_OK)
        return rc;
    if (s.n > 0 && ((rc = pvs_issue_next_serial(r->db, iss->issuer_id, &serial)) != PVS_DB_OK ||
                    (rc = pvs_issue_sign(iss, br, &s, serial, now, cred)) != PV_OK)) {
        pvs_shift_free(&s);
        return rc;
    }
    pv_beacon beacon = {iss->issuer_id, (uint64_t)now};
    if ((rc = pvs_revlist_current(r->db, iss, now, rl, sizeof rl, &rl_len, &version)) != PVS_DB_OK ||
        (rc = pv_beacon_sign(&beacon, iss->sk, bc)) != PV_OK) {
        pvs_shift_free(&s);
        return rc;
    }
    json_object_set_new(out, "credential", s.n ? pvs_json_hex(cred, sizeof cred) : json_null());
    json_object_set_new(out, "entries", pvs_json_hex(s.encoded ? s.encoded : (uint8_t *)"",
                                                     s.n * PV_ENTRY_SIZE));
    json_object_set_new(out, "revlist", pvs_json_hex(rl, rl_len));
    json_object_set_new(out, "revlist_version", json_integer((json_int_t)version));
    json_object_set_new(out, "beacon", pvs_json_hex(bc, sizeof bc));
    json_object_set_new(out, "valid_from", json_integer(s.not_before));
    json_object_set_new(out, "valid_until", json_integer(s.not_after));
    json_object_set_new(out, "doors", json_integer((json_int_t)s.doors));
    json_object_set_new(out, "serial", s.n ? json_integer((json_int_t)serial) : json_null());
    int64_t ch = pvs_exec(r->db,
                          "INSERT INTO syncs (bearer_id, provider_id, station_id, at, result, serial,"
                          " not_after, entries) VALUES (?, ?, ?, ?, 'ok', ?, ?, ?)",
                          PVS_ARGS(PVS_I64(br->bearer_id), PVS_I64(br->provider_id),
                                   PVS_ID_OR_NULL(sa->id), PVS_I64(now),
                                   s.n ? PVS_I64(serial) : PVS_NULL, PVS_I64(s.not_after),
                                   PVS_I64(s.n)));
    if (ch >= 0)
        ch = pvs_exec(r->db, "UPDATE bearers SET last_sync_at = ? WHERE id = ?",
                      PVS_ARGS(PVS_I64(now), PVS_I64(br->bearer_id)));
    if (ch >= 0 && sa->id)
        ch = pvs_exec(r->db, "UPDATE stations SET last_seen = ? WHERE id = ?",
                      PVS_ARGS(PVS_I64(now), PVS_I64(sa->id)));
    pvs_shift_free(&s);
    return ch < 0 ? (int)ch : PVS_DB_OK;
}

/* Inside the claimed transaction: the carried logs (each refused item alone), then issuing;
 * commits and answers. */
static void sync_store_and_issue(struct pvs_req *r, const upload *u, const pvs_bearer_row *br,
                                 const station_auth *sa, pvs_ingest_result *res)
{
    json_t *out = json_object(), *refused = json_array();
    int rc = upload_store(r->db, u, br->provider_id, sa->id, false, res, refused);
    pvs_ingest_done(res);
    if (rc == PVS_DB_OK)
        rc = sync_issue(r, br, sa, out);
    if (rc == PVS_DB_OK) {
        json_t *ing = ingest_json(r->db, res);
        json_object_set_new(ing, "refused", json_incref(refused));
        json_object_set_new(out, "ingest", ing);
        if (pvd_commit(r)) {
            pvs_reply_json(r, 200, json_incref(out));
            pvs_metric_add("pvs_sync_total", "result=\"ok\"", 1);
        }
    } else if (rc == PV_E_FULL) {
        pvs_tx_rollback(r->db);
        pvs_problem(r, 409, "too-many-rights", "Too many rights",
                    "This key's rights exceed what one credential can hold; split them.");
    } else {
        pvd_fail(r, rc, "sync");
    }
    json_decref(out);
    json_decref(refused);
}

void pvd_sync(struct pvs_req *r)
{
    static const struct pvs_jfield f[] = {
        {"bearer_id", PVS_J_ID, PVS_JF_REQUIRED, 0, 0},
        {"nonce", PVS_J_HEX, PVS_JF_REQUIRED, 32, 32},
        {"signature", PVS_J_HEX, PVS_JF_REQUIRED, 64, 64},
        {"lock_batches", PVS_J_ARRAY, 0, 0, MAX_BATCHES},
        {"bearer_events", PVS_J_ARRAY, 0, 0, MAX_BEARER_EVENTS},
    };
    station_auth sa;
    pvs_bearer_row br;
    upload u;
    if (!station_verify(r, false, &sa))
        return;
    json_t *b = pvs_body_json(r, PVS_JFIELDS(f));
    if (!b)
        return;
    if (!upload_parse(r, b, &u)) {
        json_decref(b);
        return;
    }
    for (size_t i = 0; i < u.ne; i++)
        if (u.ev[i].bearer_id != (uint32_t)pvs_jint(b, "bearer_id", 0)) {
            upload_free(&u);
            json_decref(b);
            pvd_invalid(r, "bearer_events[%zu] is another key's event; a key uploads its own.", i);
            return;
        }
    pvs_ingest_result *res = calloc(1, sizeof *res);
    pvd_state *ds = pvd_state_of(r->srv);
    uint8_t nonce[32];
    int64_t exp = 0;
    if (!res) {
        pvs_problem(r, 503, "busy", "Busy", "Out of memory; try again.");
    } else if (sync_precheck(r, b, &sa, &br, nonce, &exp)) {
        pthread_mutex_lock(&ds->write_lock);
        if (pvd_begin(r, true) && sync_claim(r, nonce, exp, &sa, &br))
            sync_store_and_issue(r, &u, &br, &sa, res);
        pvs_tx_rollback(r->db); /* harmless after a commit */
        pthread_mutex_unlock(&ds->write_lock);
    }
    free(res);
    upload_free(&u);
    json_decref(b);
}
