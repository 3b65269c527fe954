/* Verifies and stores lock log batches and bearer events (see ingest.h). */
#include "ingest.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

static int refuse(pvs_ingest_result *res, const char *type, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int refuse(pvs_ingest_result *res, const char *type, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(res->detail, sizeof res->detail, fmt, ap);
    va_end(ap);
    res->type = type;
    return PVS_INGEST_REFUSED;
}

static int note_lock(pvs_ingest_result *res, uint32_t lock_id)
{
    for (size_t i = 0; i < res->nlocks; i++)
        if (res->locks[i] == lock_id)
            return PVS_DB_OK;
    if (res->nlocks == PVS_INGEST_MAX_LOCKS)
        return refuse(res, "upload-too-large",
                      "one upload may carry logs of at most %u locks; split it",
                      PVS_INGEST_MAX_LOCKS);
    res->locks[res->nlocks++] = lock_id;
    return PVS_DB_OK;
}

/* The chain value stored after event `seq` of the lock, if one is known. */
static int chain_mark(pvs_db *db, uint32_t lock_id, uint32_t seq, uint8_t out[PV_HASH_SIZE],
                      int *found)
{
    pvs_stmt st;
    *found = 0;
    int rc = pvs_query(db, &st, "SELECT hash FROM lock_chain_marks WHERE lock_id = ? AND seq = ?",
                       PVS_ARGS(PVS_I64(lock_id), PVS_I64(seq)));
    if (rc != PVS_DB_OK)
        return rc;
    rc = pvs_next(&st);
    if (rc == PVS_DB_ROW) {
        size_t len = 0;
        const void *h = pvs_col_blob(&st, 0, &len);
        if (h && len == PV_HASH_SIZE) {
            memcpy(out, h, PV_HASH_SIZE);
            *found = 1;
        }
        rc = PVS_DB_OK;
    } else if (rc == PVS_DB_DONE) {
        rc = PVS_DB_OK;
    }
    pvs_finalize(&st);
    return rc;
}

/* One multi-row INSERT per batch: the batch is at most PV_LOG_BATCH_MAX events. */
static int insert_events(pvs_db *db, const pv_logbatch *b, int64_t now, int64_t *stored)
{
    enum { COLS = 9 };
    static const char head[] = "INSERT INTO lock_events (lock_id, seq, time, kind, reason,"
                               " aux, subject, raw, received_at) VALUES ";
    static const char tail[] = " ON CONFLICT (lock_id, seq) DO NOTHING";
    char sql[sizeof head + PV_LOG_BATCH_MAX * 20 + sizeof tail];
    struct pvs_param p[PV_LOG_BATCH_MAX * COLS];
    size_t off = 0;
    memcpy(sql, head, sizeof head - 1);
    off = sizeof head - 1;
    for (unsigned i = 0; i < b->count; i++) {
        pv_event ev;
        const uint8_t *raw = b->events + (size_t)i * PV_EVENT_SIZE;
        if (pv_event_decode(raw, &ev) != PV_OK)
            return PVS_DB_MISUSE; /* decode already accepted it */
        memcpy(sql + off, i ? ",(?,?,?,?,?,?,?,?,?)" : "(?,?,?,?,?,?,?,?,?)", i ? 20 : 19);
        off += i ? 20 : 19;
        struct pvs_param *q = p + (size_t)i * COLS;
        q[0] = PVS_I64(b->lock_id);
        q[1] = PVS_I64(ev.seq);
        q[2] = PVS_I64(ev.time);
        q[3] = PVS_I64(ev.kind);
        q[4] = PVS_I64(ev.reason);
        q[5] = PVS_I64(ev.aux);
        q[6] = PVS_I64(ev.subject);
        q[7] = PVS_BLOB(raw, PV_EVENT_SIZE);
        q[8] = PVS_I64(now);
    }
    memcpy(sql + off, tail, sizeof tail);
    int64_t ch = pvs_exec(db, sql, p, (size_t)b->count * COLS);
    if (ch < 0)
        return (int)ch;
    *stored = ch;
    return PVS_DB_OK;
}

/* A stored event with the same (lock, seq) but other bytes means two different logs
 * claim one position: refuse rather than silently keep either. */
static int check_duplicates(pvs_db *db, const pv_logbatch *b, uint32_t first,
                            pvs_ingest_result *res)
{
    pvs_stmt st;
    int rc = pvs_query(db, &st,
                       "SELECT seq, raw FROM lock_events WHERE lock_id = ? AND seq BETWEEN ? AND ?",
                       PVS_ARGS(PVS_I64(b->lock_id), PVS_I64(first),
                                PVS_I64((int64_t)first + b->count - 1)));
    if (rc != PVS_DB_OK)
        return rc;
    while ((rc = pvs_next(&st)) == PVS_DB_ROW) {
        uint32_t seq = (uint32_t)pvs_col_i64(&st, 0);
        size_t len = 0;
        const uint8_t *raw = pvs_col_blob(&st, 1, &len);
        const uint8_t *mine = b->events + (size_t)(seq - first) * PV_EVENT_SIZE;
        if (!raw || len != PV_EVENT_SIZE || memcmp(raw, mine, PV_EVENT_SIZE) != 0) {
            pvs_finalize(&st);
            return refuse(res, "log-conflict",
                          "lock %u already has a different event %u stored; the log was "
                          "altered or the lock was reset. Report lock %u to support.",
                          b->lock_id, seq, b->lock_id);
        }
    }
    pvs_finalize(&st);
    return rc == PVS_DB_DONE ? PVS_DB_OK : rc;
}

/* Moves the lock's next expected seq and its gap ranges past [a, b]. */
static int update_gaps(pvs_db *db, uint32_t lock_id, uint32_t a, uint32_t b,
                       const uint8_t end_hash[PV_HASH_SIZE], pvs_ingest_result *res)
{
    int64_t next = 0;
    int rc = pvs_query_i64(db, "SELECT next_seq FROM lock_log_state WHERE lock_id = ?",
                           PVS_ARGS(PVS_I64(lock_id)), &next);
    if (rc != PVS_DB_OK && rc != PVS_DB_NOTFOUND)
        return rc;
    pvs_seqrange gaps[PVS_GAPS_MAX];
    size_t n = 0;
    pvs_stmt st;
    rc = pvs_query(db, &st,
                   "SELECT from_seq, to_seq FROM lock_log_gaps WHERE lock_id = ? ORDER BY from_seq",
                   PVS_ARGS(PVS_I64(lock_id)));
    if (rc != PVS_DB_OK)
        return rc;
    while ((rc = pvs_next(&st)) == PVS_DB_ROW && n < PVS_GAPS_MAX) {
        gaps[n].from_seq = (uint32_t)pvs_col_i64(&st, 0);
        gaps[n].to_seq = (uint32_t)pvs_col_i64(&st, 1);
        n++;
    }
    pvs_finalize(&st);
    size_t before = n;
    uint64_t nx = (uint64_t)next, old_next = nx;
    if (pvs_gaps_apply(gaps, &n, PVS_GAPS_MAX, &nx, a, b) != PV_OK)
        return refuse(res, "too-many-gaps",
                      "lock %u has more than %u missing log ranges; its logs need a manual "
                      "check by support", lock_id, PVS_GAPS_MAX);
    if (before || n) {
        if (pvs_exec(db, "DELETE FROM lock_log_gaps WHERE lock_id = ?",
                     PVS_ARGS(PVS_I64(lock_id))) < 0)
            return PVS_DB_ERROR;
        for (size_t i = 0; i < n; i++)
            if (pvs_exec(db, "INSERT INTO lock_log_gaps (lock_id, from_seq, to_seq) VALUES (?,?,?)",
                         PVS_ARGS(PVS_I64(lock_id), PVS_I64(gaps[i].from_seq),
                                  PVS_I64(gaps[i].to_seq))) < 0)
                return PVS_DB_ERROR;
    }
    if (nx == old_next)
        return PVS_DB_OK;
    int64_t ch = pvs_exec(db,
                          "INSERT INTO lock_log_state (lock_id, next_seq, head_hash) VALUES (?,?,?)"
                          " ON CONFLICT (lock_id) DO UPDATE SET next_seq = excluded.next_seq,"
                          " head_hash = excluded.head_hash",
                          PVS_ARGS(PVS_I64(lock_id), PVS_I64(nx), PVS_BLOB(end_hash, PV_HASH_SIZE)));
    return ch < 0 ? (int)ch : PVS_DB_OK;
}

/* Battery, last heard from and the revocation version the lock reports. */
static int update_lock_status(pvs_db *db, const pv_logbatch *b)
{
    int64_t last_time = 0, mv = -1, pct = -1, revv = -1;
    for (unsigned i = 0; i < b->count; i++) {
        pv_event ev;
        if (pv_event_decode(b->events + (size_t)i * PV_EVENT_SIZE, &ev) != PV_OK)
            continue;
        if (ev.time > last_time)
            last_time = ev.time;
        if (ev.kind == PV_EV_BATTERY) {
            mv = ev.subject;
            pct = ev.aux;
        } else if (ev.kind == PV_EV_REVLIST && (int64_t)ev.subject > revv) {
            revv = ev.subject;
        }
    }
    int64_t ch = pvs_exec(
        db,
        "UPDATE locks SET last_seen = MAX(COALESCE(last_seen, 0), ?),"
        " battery_mv = CASE WHEN ? >= 0 THEN ? ELSE battery_mv END,"
        " battery_pct = CASE WHEN ? >= 0 THEN ? ELSE battery_pct END,"
        " revlist_version = MAX(revlist_version, ?) WHERE id = ?",
        PVS_ARGS(PVS_I64(last_time), PVS_I64(mv), PVS_I64(mv), PVS_I64(pct), PVS_I64(pct),
                 PVS_I64(revv < 0 ? 0 : revv), PVS_I64(b->lock_id)));
    return ch < 0 ? (int)ch : PVS_DB_OK;
}

/* The lock's registered public key, or a refusal naming the lock. */
static int lock_key(pvs_db *db, uint32_t lock_id, uint8_t pk[PV_PK_SIZE], pvs_ingest_result *res)
{
    pvs_stmt st;
    int rc = pvs_query(db, &st, "SELECT lock_public_key FROM locks WHERE id = ?",
                       PVS_ARGS(PVS_I64(lock_id)));
    if (rc != PVS_DB_OK)
        return rc;
    rc = pvs_next(&st);
    size_t len = 0;
    const void *k = rc == PVS_DB_ROW ? pvs_col_blob(&st, 0, &len) : NULL;
    if (k && len == PV_PK_SIZE)
        memcpy(pk, k, PV_PK_SIZE);
    pvs_finalize(&st);
    if (rc != PVS_DB_ROW && rc != PVS_DB_DONE)
        return rc;
    if (!k || len != PV_PK_SIZE)
        return refuse(res, "unknown-lock",
                      "a log batch names lock %u, which is not a commissioned lock here",
                      lock_id);
    return PVS_DB_OK;
}

int pvs_ingest_lock_batch(pvs_db *db, const uint8_t *batch, size_t len, int64_t now,
                          pvs_ingest_result *res)
{
    pv_logbatch b;
    int rc = pv_logbatch_decode(batch, len, &b);
    if (rc != PV_OK)
        return refuse(res, "bad-log-batch", "a lock log batch of %zu bytes does not decode: %s",
                      len, pv_strerror(rc));
    uint8_t pk[PV_PK_SIZE];
    if ((rc = lock_key(db, b.lock_id, pk, res)) != PVS_DB_OK)
        return rc;
    if (pv_logbatch_verify(batch, len, pk) != PV_OK)
        return refuse(res, "bad-lock-signature",
                      "the log batch of lock %u is not signed by that lock's registered key",
                      b.lock_id);
    pv_event first;
    if (pv_event_decode(b.events, &first) != PV_OK)
        return refuse(res, "bad-log-batch", "the first event of lock %u does not decode",
                      b.lock_id);
    uint32_t a = first.seq, z = first.seq + b.count - 1u;
    uint8_t known[PV_HASH_SIZE] = {0};
    int found = a == 0; /* the chain value before seq 0 is 32 zero bytes */
    if (a > 0 && (rc = chain_mark(db, b.lock_id, a - 1, known, &found)) != PVS_DB_OK)
        return rc;
    if (found && sodium_memcmp(known, b.prev_hash, PV_HASH_SIZE) != 0)
        return refuse(res, "log-chain-broken",
                      "the log batch of lock %u (events %u-%u) does not continue the stored "
                      "log; report lock %u to support", b.lock_id, a, z, b.lock_id);
    int64_t stored = 0;
    if ((rc = insert_events(db, &b, now, &stored)) != PVS_DB_OK)
        return rc;
    if (stored < b.count && (rc = check_duplicates(db, &b, a, res)) != PVS_DB_OK)
        return rc;
    res->stored += stored;
    res->duplicates += b.count - stored;
    uint8_t end[PV_HASH_SIZE];
    pv_logbatch_chain_end(&b, end);
    if (pvs_exec(db, "INSERT INTO lock_chain_marks (lock_id, seq, hash) VALUES (?,?,?)"
                     " ON CONFLICT (lock_id, seq) DO NOTHING",
                 PVS_ARGS(PVS_I64(b.lock_id), PVS_I64(z), PVS_BLOB(end, PV_HASH_SIZE))) < 0)
        return PVS_DB_ERROR;
    if ((rc = note_lock(res, b.lock_id)) != PVS_DB_OK)
        return rc;
    if (stored == 0)
        return PVS_DB_OK;
    if ((rc = update_gaps(db, b.lock_id, a, z, end, res)) != PVS_DB_OK)
        return rc;
    return update_lock_status(db, &b);
}

int pvs_ingest_bearer_event(pvs_db *db, const pvs_bearer_event *e, int64_t provider_id,
                            int64_t station_id, int64_t now, pvs_ingest_result *res)
{
    int64_t owner = 0;
    int rc = pvs_query_i64(db, "SELECT provider_id FROM bearers WHERE id = ?",
                           PVS_ARGS(PVS_I64(e->bearer_id)), &owner);
    if (rc == PVS_DB_NOTFOUND || (rc == PVS_DB_OK && provider_id && owner != provider_id))
        return refuse(res, "unknown-bearer", "bearer event for key %u, which is not one of "
                      "this station's provider's keys", e->bearer_id);
    if (rc != PVS_DB_OK)
        return rc;
    int64_t ch = pvs_exec(db,
                          "INSERT INTO bearer_events (bearer_id, seq, time, kind, lock_id, reason,"
                          " station_id, received_at) VALUES (?,?,?,?,?,?,?,?)"
                          " ON CONFLICT (bearer_id, seq) DO NOTHING",
                          PVS_ARGS(PVS_I64(e->bearer_id), PVS_I64(e->seq), PVS_I64(e->time),
                                   PVS_TEXT(e->open ? "open" : "refused"), PVS_I64(e->lock_id),
                                   PVS_TEXT_OR_NULL(e->reason), PVS_ID_OR_NULL(station_id),
                                   PVS_I64(now)));
    if (ch < 0)
        return (int)ch;
    res->stored += ch;
    res->duplicates += 1 - ch;
    return PVS_DB_OK;
}

int pvs_ingest_gaps(pvs_db *db, const pvs_ingest_result *res, pvs_gap_report *out, size_t cap,
                    size_t *n)
{
    *n = 0;
    for (size_t i = 0; i < res->nlocks; i++) {
        pvs_stmt st;
        int rc = pvs_query(db, &st,
                           "SELECT from_seq, to_seq FROM lock_log_gaps WHERE lock_id = ?"
                           " ORDER BY from_seq",
                           PVS_ARGS(PVS_I64(res->locks[i])));
        if (rc != PVS_DB_OK)
            return rc;
        while ((rc = pvs_next(&st)) == PVS_DB_ROW && *n < cap)
            out[(*n)++] = (pvs_gap_report){res->locks[i], (uint32_t)pvs_col_i64(&st, 0),
                                           (uint32_t)pvs_col_i64(&st, 1)};
        pvs_finalize(&st);
        if (rc != PVS_DB_DONE && rc != PVS_DB_ROW)
            return rc;
    }
    return PVS_DB_OK;
}
