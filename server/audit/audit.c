/* The audit trail: append inside the caller's write transaction, hash-chained with BLAKE2b
 * over the previous hash and a canonical record, and a verifier that walks the chain. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "pvs/audit_record.h"
#include "pvs/audit_seal.h"
#include "pvs/audit_tombstone.h"
#include "pvs/clock.h"
#include "../services/outbox.h"

#define AUDIT_DOMAIN "portvakt-audit-v1"

struct record {
    int64_t seq, at, actor_user_id, provider_id, object_id;
    const char *actor_name, *actor_role, *client_addr, *request_id, *action, *object_type;
    const char *details; /* canonical JSON text */
};

/* Canonical bytes of a record: JSON, sorted keys, compact; 0 ids become null. */
static char *canonical(const struct record *rec)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "seq", json_integer(rec->seq));
    json_object_set_new(o, "at", json_integer(rec->at));
    json_object_set_new(o, "actor_user_id", rec->actor_user_id ? json_integer(rec->actor_user_id) : json_null());
    json_object_set_new(o, "actor_name", json_string(rec->actor_name));
    json_object_set_new(o, "actor_role", json_string(rec->actor_role));
    json_object_set_new(o, "provider_id", rec->provider_id ? json_integer(rec->provider_id) : json_null());
    json_object_set_new(o, "client_addr", json_string(rec->client_addr));
    json_object_set_new(o, "request_id", json_string(rec->request_id));
    json_object_set_new(o, "action", json_string(rec->action));
    json_object_set_new(o, "object_type", json_string(rec->object_type));
    json_object_set_new(o, "object_id", rec->object_id ? json_integer(rec->object_id) : json_null());
    json_object_set_new(o, "details", json_string(rec->details));
    if (json_object_size(o) != 12) { /* a member failed (not UTF-8): refuse, never hash less */
        json_decref(o);
        return NULL;
    }
    char *text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
    json_decref(o);
    return text;
}

static int record_hash(const uint8_t prev[32], const struct record *rec, uint8_t out[32])
{
    char *text = canonical(rec);
    if (!text)
        return -1;
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, 32);
    crypto_generichash_update(&st, (const uint8_t *)AUDIT_DOMAIN, sizeof AUDIT_DOMAIN - 1);
    crypto_generichash_update(&st, prev, 32);
    crypto_generichash_update(&st, (const uint8_t *)text, strlen(text));
    crypto_generichash_final(&st, out, 32);
    free(text);
    return 0;
}

static int read_head(pvs_db *db, int64_t *seq, uint8_t hash[32])
{
    pvs_stmt st;
    int rc = pvs_query(db, &st, "SELECT seq, hash FROM audit_head WHERE id = 1", PVS_NOARGS);
    if (rc != PVS_DB_OK)
        return rc;
    rc = pvs_next(&st);
    memset(hash, 0, 32);
    if (rc == PVS_DB_ROW) {
        size_t len = 0;
        const void *h = pvs_col_blob(&st, 1, &len);
        *seq = pvs_col_i64(&st, 0);
        if (len == 32)
            memcpy(hash, h, 32);
        else if (*seq != 0)
            rc = PVS_DB_ERROR;
        if (rc == PVS_DB_ROW)
            rc = PVS_DB_OK;
    } else if (rc == PVS_DB_DONE) {
        rc = PVS_DB_NOTFOUND;
    }
    pvs_finalize(&st);
    return rc;
}

int pvs_audit_record(pvs_db *db, const struct pvs_audit_actor *who, int64_t provider_id,
                     const char *action, const char *object_type, int64_t object_id,
                     const char *details)
{
    if (!pvs_tx_is_write(db))
        return PVS_DB_MISUSE; /* the record must commit or vanish with the change */
    const char *dtext = details ? details : "{}";
    uint8_t prev[32], hash[32];
    int64_t seq = 0;
    struct pvs_audit_sealed sealed; /* personal values sealed, people by pseudonym */
    int rc = pvs_audit_seal(db, who, object_type, object_id, dtext, &sealed);
    if (rc == PVS_DB_OK)
        rc = read_head(db, &seq, prev);
    struct record rec = {
        .seq = seq + 1, .at = pvs_now(), .actor_user_id = who->user_id,
        .provider_id = provider_id, .object_id = object_id,
        .actor_name = who->user_id ? sealed.actor_name : who->name, .actor_role = who->role,
        .client_addr = sealed.client_addr, .request_id = who->request_id, .action = action,
        .object_type = object_type, .details = sealed.details,
    };
    if (rc == PVS_DB_OK && record_hash(prev, &rec, hash) != 0)
        rc = PVS_DB_MISUSE;
    if (rc == PVS_DB_OK) {
        int64_t n = pvs_exec(db,
                             "INSERT INTO audit_log (seq, at, actor_user_id, actor_name, actor_role,"
                             " provider_id, client_addr, request_id, action, object_type, object_id,"
                             " details, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                             PVS_ARGS(PVS_I64(rec.seq), PVS_I64(rec.at), PVS_ID_OR_NULL(rec.actor_user_id),
                                      PVS_TEXT(rec.actor_name), PVS_TEXT(rec.actor_role),
                                      PVS_ID_OR_NULL(provider_id), PVS_TEXT(rec.client_addr),
                                      PVS_TEXT(rec.request_id), PVS_TEXT(action),
                                      PVS_TEXT(object_type), PVS_ID_OR_NULL(object_id),
                                      PVS_TEXT(rec.details), PVS_BLOB(prev, 32), PVS_BLOB(hash, 32)));
        if (n >= 0)
            n = pvs_exec(db, "UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1 AND seq = ?",
                         PVS_ARGS(PVS_I64(rec.seq), PVS_BLOB(hash, 32), PVS_I64(seq)));
        rc = n < 0 ? (int)n : n == 1 ? PVS_DB_OK : PVS_DB_BUSY;
    }
    pvs_audit_sealed_free(&sealed);
    if (rc == PVS_DB_OK) /* a change that is an outgoing event: its outbox row, same transaction */
        rc = pvs_outbox_from_audit(db, rec.seq, action, object_type, object_id, provider_id, dtext,
                                   rec.at);
    return rc;
}

static const char *col(pvs_stmt *st, int c)
{
    const char *t = pvs_col_text(st, c);
    return t ? t : "";
}

/* Check one row against the running chain; false with out->reason set. */
static bool check_row(pvs_stmt *st, int64_t expect_seq, uint8_t running[32],
                      struct pvs_audit_verify *out)
{
    struct record rec = {
        .seq = pvs_col_i64(st, 0), .at = pvs_col_i64(st, 1), .actor_user_id = pvs_col_i64(st, 2),
        .actor_name = col(st, 3), .actor_role = col(st, 4), .provider_id = pvs_col_i64(st, 5),
        .client_addr = col(st, 6), .request_id = col(st, 7), .action = col(st, 8),
        .object_type = col(st, 9), .object_id = pvs_col_i64(st, 10), .details = col(st, 11),
    };
    size_t plen = 0, hlen = 0;
    const uint8_t *prev = pvs_col_blob(st, 12, &plen);
    const uint8_t *hash = pvs_col_blob(st, 13, &hlen);
    uint8_t want[32];
    out->first_bad_seq = expect_seq;
    if (rec.seq != expect_seq) {
        snprintf(out->reason, sizeof out->reason, "record %lld is missing (found %lld next)",
                 (long long)expect_seq, (long long)rec.seq);
        return false;
    }
    if (plen != 32 || hlen != 32 || sodium_memcmp(prev, running, 32) != 0) {
        snprintf(out->reason, sizeof out->reason,
                 "record %lld does not link to the record before it", (long long)rec.seq);
        return false;
    }
    if (record_hash(running, &rec, want) != 0 || sodium_memcmp(want, hash, 32) != 0) {
        snprintf(out->reason, sizeof out->reason,
                 "record %lld was changed after it was written", (long long)rec.seq);
        return false;
    }
    memcpy(running, want, 32);
    return true;
}

int pvs_audit_verify(pvs_db *db, struct pvs_audit_verify *out)
{
    memset(out, 0, sizeof out[0]);
    int rc = pvs_tx_begin(db, false);
    if (rc != PVS_DB_OK)
        return rc;
    uint8_t running[32] = {0}, head[32];
    int64_t head_seq = 0, expect = 1;
    pvs_stmt st;
    struct pvs_audit_start start; /* expired records cut from the front leave a tombstone */
    bool attested = true;
    rc = pvs_audit_start_read(db, &start);
    if (rc == PVS_DB_OK && start.through_seq) {
        memcpy(running, start.through_hash, 32);
        expect = start.through_seq + 1;
        attested = false;
    }
    if (rc == PVS_DB_OK)
        rc = read_head(db, &head_seq, head);
    if (rc == PVS_DB_OK)
        rc = pvs_query(db, &st,
                       "SELECT seq, at, actor_user_id, actor_name, actor_role, provider_id,"
                       " client_addr, request_id, action, object_type, object_id, details,"
                       " prev_hash, hash FROM audit_log ORDER BY seq",
                       PVS_NOARGS);
    if (rc != PVS_DB_OK) {
        pvs_tx_rollback(db);
        return rc;
    }
    out->ok = true;
    while (out->ok && (rc = pvs_next(&st)) == PVS_DB_ROW) {
        out->ok = check_row(&st, expect, running, out);
        if (out->ok && expect == start.attest_seq)
            attested = pvs_audit_attests(&start, col(&st, 8), col(&st, 11));
        expect++;
        out->records++;
    }
    pvs_finalize(&st);
    pvs_tx_rollback(db);
    if (rc < 0)
        return rc;
    if (out->ok && (head_seq != expect - 1 || sodium_memcmp(head, running, 32) != 0)) {
        out->ok = false;
        out->first_bad_seq = expect;
        snprintf(out->reason, sizeof out->reason,
                 "the chain ends at record %lld but the head says %lld: records were removed",
                 (long long)(expect - 1), (long long)head_seq);
    }
    if (out->ok && !attested) {
        out->ok = false;
        out->first_bad_seq = start.through_seq;
        snprintf(out->reason, sizeof out->reason,
                 "records up to %lld were removed but no audit.truncate record attests it",
                 (long long)start.through_seq);
    }
    if (out->ok)
        out->first_bad_seq = 0;
    memcpy(out->head, running, 32);
    return PVS_DB_OK;
}
