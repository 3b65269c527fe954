/* HTTP and JSON of the sync and log-upload endpoints (docs/sync.md): the station headers,
 * the bodies parsed strictly into the sync services' requests (services/sync.h), and their
 * results and refusals worded for the person at the station. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "../services/state.h"
#include "../services/sync.h"
#include "domain_handlers.h"
#include "planner_handlers.h"
#include "util.h"

/* Reads the X-Portvakt-Station headers if present (required when `need`) and has the
 * service check them. Sends 401 and returns false on any failure. */
bool pvd_station_verify(struct pvs_req *r, bool need, pvs_station_auth *sa)
{
    const char *sid = pvs_req_header(r, "X-Portvakt-Station");
    const char *date = pvs_req_header(r, "X-Portvakt-Date");
    const char *sig = pvs_req_header(r, "X-Portvakt-Signature");
    memset(sa, 0, sizeof *sa);
    if (!sid && !date && !sig && !need)
        return true;
    char *end = NULL;
    long long id = sid ? strtoll(sid, &end, 10) : 0;
    pvs_station_proof p = {id, date, {0}, r->method, r->path, r->body, r->body_len};
    size_t slen = 0;
    if (!sid || !end || *end || id <= 0 || !date || !sig || strlen(sig) != 128 ||
        sodium_hex2bin(p.signature, sizeof p.signature, sig, 128, NULL, &slen, NULL) != 0 ||
        slen != 64) {
        pvs_problem(r, 401, "station-auth", "Station not authenticated",
                    "This endpoint needs the headers X-Portvakt-Station, X-Portvakt-Date and "
                    "X-Portvakt-Signature (see docs/sync.md).");
        return false;
    }
    int64_t now = pvs_now();
    int rc = pvs_station_verify(r->db, &p, now, sa);
    if (rc == PVS_STATION_CLOCK)
        pvs_problem(r, 401, "station-clock", "Station clock wrong",
                    "The station's date %lld is more than %d s from the server's clock %lld; "
                    "set the station's clock.", strtoll(date, NULL, 10), PVS_STATION_SKEW_S,
                    (long long)now);
    else if (rc != PVS_STATION_OK)
        pvs_problem(r, 401, "station-auth", "Station not authenticated",
                    "Station %lld is unknown, retired, or its request signature is wrong.", id);
    return rc == PVS_STATION_OK;
}

void pvd_sync_challenge(struct pvs_req *r)
{
    static const struct pvs_jfield f[] = {
        {"bearer_id", PVS_J_ID, PVS_JF_REQUIRED, 0, 0xFFFFFFFFll},
    };
    pvs_station_auth sa;
    if (!pvd_station_verify(r, false, &sa))
        return;
    json_t *b = pvs_body_json(r, PVS_JFIELDS(f));
    if (!b)
        return;
    /* an unknown bearer gets a nonce too: the answer must not reveal which ids exist */
    uint32_t bearer = (uint32_t)pvs_jint(b, "bearer_id", 0);
    json_decref(b);
    uint8_t nonce[32];
    int64_t exp = 0;
    pvs_sync_challenge(pvd_state_of(r->srv)->nonce_key, bearer, pvs_now(), nonce, &exp);
    pvs_reply_json(r, 200, json_pack("{s:o,s:I}", "nonce", pvs_json_hex(nonce, 32), "expires_at",
                                     (json_int_t)exp));
}

/* ------------------------------------------------------------------ uploads */

/* "lock_batches": hex strings of at most one batch each. */
static bool parse_batches(struct pvs_req *r, const json_t *lb, pvs_upload *u)
{
    for (size_t i = 0; i < u->nb; i++) {
        const json_t *v = json_array_get(lb, i);
        const char *hex = json_string_value(v);
        size_t hl = hex ? json_string_length(v) : 0;
        if (!hex || hl == 0 || hl % 2 || hl / 2 > PV_LOGBATCH_MAX_SIZE ||
            sodium_hex2bin(u->batch[i], PV_LOGBATCH_MAX_SIZE, hex, hl, NULL, &u->len[i], NULL) ||
            u->len[i] != hl / 2) {
            pvd_invalid(r, "lock_batches[%zu] must be a hex string of at most %u bytes.", i,
                        PV_LOGBATCH_MAX_SIZE);
            return false;
        }
    }
    return true;
}

/* "bearer_events": {bearer_id, seq, time, kind, lock_id, reason}; reasons point into be. */
static bool parse_events(struct pvs_req *r, const json_t *be, pvs_upload *u)
{
    static const struct pvs_jfield f[] = {
        {"bearer_id", PVS_J_ID, PVS_JF_REQUIRED, 0, 0},
        {"seq", PVS_J_INT, PVS_JF_REQUIRED, 0, 0xFFFFFFFFll},
        {"time", PVS_J_INT, PVS_JF_REQUIRED, 0, 0xFFFFFFFFFFll},
        {"kind", PVS_J_STRING, PVS_JF_REQUIRED, 4, 7},
        {"lock_id", PVS_J_ID, PVS_JF_REQUIRED, 0, 0},
        {"reason", PVS_J_STRING, PVS_JF_NULLABLE, 1, 32},
    };
    for (size_t i = 0; i < u->ne; i++) {
        const json_t *v = json_array_get(be, i);
        char where[48], errs[512] = "";
        snprintf(where, sizeof where, "bearer_events[%zu]", i);
        const char *kind = json_string_value(json_object_get(v, "kind"));
        if (!json_is_object(v) || !pvs_json_check(v, PVS_JFIELDS(f), where, errs, sizeof errs) ||
            !kind || (strcmp(kind, "open") && strcmp(kind, "refused"))) {
            pvd_invalid(r, "%s", errs[0] ? errs : "a bearer event's kind is \"open\" or \"refused\"");
            return false;
        }
        u->ev[i] = (pvs_bearer_event){(uint32_t)pvs_jint(v, "bearer_id", 0),
                                      (uint32_t)pvs_jint(v, "seq", 0), pvs_jint(v, "time", 0),
                                      strcmp(kind, "open") == 0,
                                      (uint32_t)pvs_jint(v, "lock_id", 0),
                                      pvs_jstr(v, "reason", NULL)};
    }
    return true;
}

/* Decodes "lock_batches" and "bearer_events" from a checked body. Sends 400 (or 503) and
 * returns false on a malformed member; u is then empty. */
static bool upload_parse(struct pvs_req *r, const json_t *b, pvs_upload *u)
{
    const json_t *lb = json_object_get(b, "lock_batches"), *be = json_object_get(b, "bearer_events");
    size_t nb = json_is_array(lb) ? json_array_size(lb) : 0;
    size_t ne = json_is_array(be) ? json_array_size(be) : 0;
    if (pvs_upload_alloc(u, nb, ne) != PV_OK) {
        pvs_problem(r, 503, "busy", "Busy", "Out of memory; try again.");
        return false;
    }
    if (parse_batches(r, lb, u) && parse_events(r, be, u))
        return true;
    pvs_upload_free(u);
    return false;
}

/* {stored, duplicates, gaps: [{lock_id, from_seq, to_seq}]} */
static json_t *summary_json(const pvs_upload_summary *s)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < s->ngaps; i++)
        json_array_append_new(arr, json_pack("{s:I,s:I,s:I}", "lock_id",
                                             (json_int_t)s->gaps[i].lock_id, "from_seq",
                                             (json_int_t)s->gaps[i].from_seq, "to_seq",
                                             (json_int_t)s->gaps[i].to_seq));
    return json_pack("{s:I,s:I,s:o}", "stored", (json_int_t)s->stored, "duplicates",
                     (json_int_t)s->duplicates, "gaps", arr);
}

static const struct pvs_jfield upload_fields[] = {
    {"lock_batches", PVS_J_ARRAY, 0, 0, PVS_UPLOAD_MAX_BATCHES},
    {"bearer_events", PVS_J_ARRAY, 0, 0, PVS_UPLOAD_MAX_EVENTS},
};

/* POST /ingest: a station's queued logs, stored entirely or not at all. */
void pvd_ingest(struct pvs_req *r)
{
    pvs_station_auth sa;
    if (!pvd_station_verify(r, true, &sa))
        return;
    json_t *b = pvs_body_json(r, PVS_JFIELDS(upload_fields));
    pvs_upload u;
    if (!b)
        return;
    if (!upload_parse(r, b, &u)) {
        json_decref(b);
        return;
    }
    pvs_ingest_req req = {&sa, &u, pvs_now(), &pvd_state_of(r->srv)->write_lock};
    pvs_upload_summary s;
    int rc = pvs_ingest_run(r->db, &req, &s);
    if (rc == PVS_INGEST_REFUSED)
        pvs_problem(r, 422, s.type, "Log upload refused", "%s Nothing from this upload was stored.",
                    s.detail);
    else if (rc != PVS_DB_OK)
        pvs_problem_db(r, rc, "log");
    else
        pvs_reply_json(r, 200, summary_json(&s));
    pvs_upload_summary_free(&s);
    pvs_upload_free(&u);
    json_decref(b);
}

/* ------------------------------------------------------------------ sync */

/* The refusals' answers, by pvs_sync_refusal, for the person at the station. */
static const struct {
    int status;
    const char *title, *detail;
} refusal_text[] = {
    [PVS_SYNC_NONCE_EXPIRED] = {410, "Challenge expired", "The sync challenge is unknown or "
                                "older than 60 seconds; start the sync again."},
    [PVS_SYNC_BAD_SIGNATURE] = {403, "Key not recognised",
                                "The key's signature does not match its registered public key; "
                                "this key cannot sync. Ask your planner to check the key."},
    [PVS_SYNC_WRONG_STATION] = {403, "Wrong station", "This key belongs to another provider; "
                                "sync it at its own provider's station."},
    [PVS_SYNC_BLOCKED] = {403, "Key blocked", NULL /* names the key: see sync_refused() */},
    [PVS_SYNC_NONCE_USED] = {409, "Challenge already used",
                             "This sync challenge was already used; start the sync again."},
    [PVS_SYNC_TOO_MANY_RIGHTS] = {409, "Too many rights", "This key's rights exceed what one "
                                  "credential can hold; split them."},
};

static void sync_refused(struct pvs_req *r, int why, const pvs_bearer_row *br)
{
    const char *type = pvs_sync_refusal_name(why);
    if (why <= 0 || why > PVS_SYNC_TOO_MANY_RIGHTS) {
        pvs_problem_db(r, PVS_DB_ERROR, "sync");
    } else if (why != PVS_SYNC_BLOCKED) {
        pvs_problem(r, refusal_text[why].status, type, refusal_text[why].title, "%s",
                    refusal_text[why].detail);
    } else {
        const char *st = strcmp(br->state, "active") == 0 ? "held by an inactive staff member"
                         : strcmp(br->state, "lost") == 0 ? "reported lost" : "retired";
        pvs_problem(r, 403, type, "Key blocked",
                    "Key %s is %s; sync refused. Ask your planner to issue a new key.", br->label, st);
    }
}

/* The issued credential, entries, revocation list and beacon, and what was ingested. */
static json_t *sync_json(const pvs_sync_result *s)
{
    json_t *ing = summary_json(&s->ingest), *refused = json_array();
    for (size_t i = 0; i < s->ingest.nrefused; i++) {
        const pvs_upload_refusal *f = &s->ingest.refused[i];
        json_array_append_new(refused, json_pack("{s:s,s:I,s:s,s:s}", "item",
                                                 f->event ? "bearer_events" : "lock_batches",
                                                 "index", (json_int_t)f->index, "type", f->type,
                                                 "detail", f->detail));
    }
    json_object_set_new(ing, "refused", refused);
    return json_pack("{s:o,s:o,s:o,s:I,s:o,s:I,s:I,s:I,s:o,s:o}", "credential",
                     s->has_credential ? pvs_json_hex(s->credential, sizeof s->credential)
                                       : json_null(),
                     "entries", pvs_json_hex(s->entries ? s->entries : (uint8_t *)"",
                                             s->nentries * PV_ENTRY_SIZE),
                     "revlist", pvs_json_hex(s->revlist, s->revlist_len), "revlist_version",
                     (json_int_t)s->revlist_version, "beacon",
                     pvs_json_hex(s->beacon, sizeof s->beacon), "valid_from",
                     (json_int_t)s->valid_from, "valid_until", (json_int_t)s->valid_until,
                     "doors", (json_int_t)s->doors, "serial",
                     s->has_credential ? json_integer((json_int_t)s->serial) : json_null(),
                     "ingest", ing);
}

/* The body into a sync request; a key uploads only its own events. */
static bool sync_parse(struct pvs_req *r, const json_t *b, pvs_sync_req *req, pvs_upload *u)
{
    req->bearer_id = (uint32_t)pvs_jint(b, "bearer_id", 0);
    if (!upload_parse(r, b, u))
        return false;
    for (size_t i = 0; i < u->ne; i++)
        if (u->ev[i].bearer_id != req->bearer_id) {
            pvs_upload_free(u);
            pvd_invalid(r, "bearer_events[%zu] is another key's event; a key uploads its own.", i);
            return false;
        }
    if (!pvs_jhex(b, "nonce", req->nonce, 32) || !pvs_jhex(b, "signature", req->signature, 64)) {
        pvs_upload_free(u);
        pvd_invalid(r, "nonce must be 64 and signature 128 lowercase hex digits.");
        return false;
    }
    return true;
}

/* Refusals are charged to the station that signed the request, else to the address: a
 * forger cannot make the server check signatures without end, nor fill its logs. */
static bool sync_throttled(struct pvs_req *r, pvd_state *ds, const pvs_sync_req *req, char *key,
                           size_t cap)
{
    if (req->station.id > 0)
        snprintf(key, cap, "station %lld", (long long)req->station.id);
    else
        snprintf(key, cap, "%s", r->client_addr);
    unsigned wait = pvs_rate_wait(&ds->sync_refusals, key, pvs_mono_ms() / 1000.0);
    if (wait == 0)
        return false;
    char secs[16];
    snprintf(secs, sizeof secs, "%u", wait);
    pvs_reply_header(r, "Retry-After", secs);
    pvs_problem_ext(r, 429, "sync-throttled", "Too many refused syncs",
                    json_pack("{s:I}", "seconds", (json_int_t)wait),
                    "Too many refused syncs from here; wait %u seconds and try again.", wait);
    return true;
}

void pvd_sync(struct pvs_req *r)
{
    static const struct pvs_jfield f[] = {
        {"bearer_id", PVS_J_ID, PVS_JF_REQUIRED, 0, 0},
        {"nonce", PVS_J_HEX, PVS_JF_REQUIRED, 32, 32},
        {"signature", PVS_J_HEX, PVS_JF_REQUIRED, 64, 64},
        {"lock_batches", PVS_J_ARRAY, 0, 0, PVS_UPLOAD_MAX_BATCHES},
        {"bearer_events", PVS_J_ARRAY, 0, 0, PVS_UPLOAD_MAX_EVENTS},
    };
    pvd_state *ds = pvd_state_of(r->srv);
    pvs_sync_req req = {.now = pvs_now(), .shift_s = pvs_sync_shift_seconds(),
                        .nonce_key = ds->nonce_key, .write_lock = &ds->write_lock};
    pvs_upload u;
    pvs_sync_result s;
    char key[PVS_RATE_KEY];
    if (!pvd_station_verify(r, false, &req.station) ||
        sync_throttled(r, ds, &req, key, sizeof key))
        return;
    json_t *b = pvs_body_json(r, PVS_JFIELDS(f));
    if (b && sync_parse(r, b, &req, &u)) {
        req.upload = &u;
        int rc = pvs_sync_run(r->db, &r->srv->issuer, &req, &s);
        if (rc > 0)
            pvs_rate_charge(&ds->sync_refusals, key, pvs_mono_ms() / 1000.0);
        if (rc == PVS_SYNC_OK)
            pvs_reply_json(r, 200, sync_json(&s));
        else if (rc > 0)
            sync_refused(r, rc, &s.bearer);
        else
            pvs_problem_db(r, rc, s.what);
        pvs_sync_result_free(&s);
        pvs_upload_free(&u);
    }
    json_decref(b);
}
