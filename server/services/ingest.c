/* Verifies and stores lock log batches and bearer events (see ingest.h). */
#include "ingest.h"
#include "lock_alerts.h"

#include <stdarg.h>
#include <stdbool.h>
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

/* Runs statement k of the upload: prepared on first use, rebound afterwards. For
 * statements without result rows *changes receives the rows changed. */
static int run(pvs_db *db, pvs_ingest_result *res, int k, const char *sql,
               const struct pvs_param *p, size_t n, int64_t *changes)
{
    int rc;
    if (res->ready[k] && res->st[k].db != db) { /* a different connection: start over */
        pvs_finalize(&res->st[k]);
        res->ready[k] = 0;
    }
    if (!res->ready[k]) {
        rc = pvs_query(db, &res->st[k], sql, p, n);
        if (rc != PVS_DB_OK)
            return rc;
        res->ready[k] = 1;
    } else if ((rc = pvs_rebind(&res->st[k], p, n)) != PVS_DB_OK) {
        return rc;
    }
    if (!changes)
        return PVS_DB_OK; /* the caller steps through the rows */
    rc = pvs_next(&res->st[k]);
    if (rc != PVS_DB_DONE)
        return rc == PVS_DB_ROW ? PVS_DB_MISUSE : rc;
    *changes = pvs_changes(db);
    return PVS_DB_OK;
}

void pvs_ingest_done(pvs_ingest_result *res)
{
    for (int k = 0; k < PVS_INGEST_ST_COUNT; k++)
        if (res->ready[k])
            pvs_finalize(&res->st[k]);
    memset(res->ready, 0, sizeof res->ready);
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

/* What the server knows about a lock's log, read in one query: its registered key, the
 * chain value after event prev_seq (if a stored batch ended there), the next expected seq
 * and whether any gap is open. */
typedef struct lock_log {
    uint8_t pk[PV_PK_SIZE];
    uint8_t prev_hash[PV_HASH_SIZE];
    int prev_known;
    uint64_t next_seq;
    int64_t open_gaps;
} lock_log;

static int lock_lookup(pvs_db *db, uint32_t lock_id, int64_t prev_seq, lock_log *l,
                       pvs_ingest_result *res)
{
    pvs_stmt *stp = &res->st[PVS_INGEST_ST_LOOKUP];
    int rc = run(db, res, PVS_INGEST_ST_LOOKUP,
                       "SELECT l.lock_public_key, e.chain, l.log_next_seq, l.log_gaps FROM locks l"
                       " LEFT JOIN lock_events e ON e.lock_id = l.id AND e.seq = ? WHERE l.id = ?",
                       PVS_ARGS(PVS_I64(prev_seq), PVS_I64(lock_id)), NULL);
    if (rc != PVS_DB_OK)
        return rc;
    rc = pvs_next(stp);
    size_t len = 0, hl = 0;
    const void *k = rc == PVS_DB_ROW ? pvs_col_blob(stp, 0, &len) : NULL;
    if (k && len == PV_PK_SIZE) {
        const void *h = pvs_col_blob(stp, 1, &hl);
        memcpy(l->pk, k, PV_PK_SIZE);
        l->prev_known = h && hl == PV_HASH_SIZE;
        if (l->prev_known)
            memcpy(l->prev_hash, h, PV_HASH_SIZE);
        l->next_seq = (uint64_t)pvs_col_i64(stp, 2);
        l->open_gaps = pvs_col_i64(stp, 3);
    }
    if (rc == PVS_DB_ROW && pvs_next(stp) != PVS_DB_DONE) /* one row: finish the cursor */
        rc = PVS_DB_ERROR;
    if (rc != PVS_DB_ROW && rc != PVS_DB_DONE)
        return rc;
    if (!k || len != PV_PK_SIZE)
        return refuse(res, "unknown-lock",
                      "a log batch names lock %u, which is not a commissioned lock here",
                      lock_id);
    return PVS_DB_OK;
}

#define EVENT_COLS 10

/* "INSERT ... VALUES (?,..),(?,..) ... RETURNING seq" for n events into sql. */
static void events_sql(char *sql, size_t cap, unsigned n)
{
    size_t used = (size_t)snprintf(sql, cap, "INSERT INTO lock_events (lock_id, seq, time, kind,"
                                             " reason, aux, subject, raw, chain, received_at) VALUES");
    for (unsigned i = 0; i < n && used < cap; i++)
        used += (size_t)snprintf(sql + used, cap - used, "%s(?,?,?,?,?,?,?,?,?,?)", i ? "," : " ");
    if (used < cap)
        snprintf(sql + used, cap - used, " ON CONFLICT (lock_id, seq) DO NOTHING RETURNING seq");
}

/* The whole batch in one multi-row INSERT (one round trip to PostgreSQL, not one per
 * event; a full batch's statement is prepared once and rebound). ON CONFLICT DO NOTHING
 * skips events already stored; RETURNING names the ones that were new. */
static int insert_events(pvs_db *db, pvs_ingest_result *res, const pv_logbatch *b, int64_t now,
                         const uint8_t end[PV_HASH_SIZE], int64_t *stored)
{
    struct pvs_param p[PV_LOG_BATCH_MAX * EVENT_COLS];
    char sql[120 + PV_LOG_BATCH_MAX * 24];
    uint32_t last = 0;
    *stored = 0;
    for (unsigned i = 0; i < b->count; i++) {
        pv_event ev;
        const uint8_t *raw = b->events + (size_t)i * PV_EVENT_SIZE;
        if (pv_event_decode(raw, &ev) != PV_OK)
            return PVS_DB_MISUSE; /* the batch decoder already accepted it */
        struct pvs_param row[EVENT_COLS] = {
            PVS_I64(b->lock_id), PVS_I64(ev.seq), PVS_I64(ev.time), PVS_I64(ev.kind),
            PVS_I64(ev.reason), PVS_I64(ev.aux), PVS_I64(ev.subject), PVS_BLOB(raw, PV_EVENT_SIZE),
            i + 1u == b->count ? PVS_BLOB(end, PV_HASH_SIZE) : PVS_NULL, PVS_I64(now)};
        memcpy(p + (size_t)i * EVENT_COLS, row, sizeof row);
        last = ev.seq;
    }
    if (b->count == 0)
        return PVS_DB_OK;
    events_sql(sql, sizeof sql, b->count);
    pvs_stmt one, *st = &one;
    bool mine = b->count != PV_LOG_BATCH_MAX; /* a short batch: its own statement */
    int rc = mine ? pvs_query(db, &one, sql, p, (size_t)b->count * EVENT_COLS)
                  : run(db, res, PVS_INGEST_ST_EVENT, sql, p, (size_t)b->count * EVENT_COLS, NULL);
    if (rc != PVS_DB_OK)
        return rc;
    if (!mine)
        st = &res->st[PVS_INGEST_ST_EVENT];
    bool last_new = false;
    while ((rc = pvs_next(st)) == PVS_DB_ROW) {
        last_new |= (uint32_t)pvs_col_i64(st, 0) == last;
        (*stored)++;
    }
    if (mine)
        pvs_finalize(&one);
    if (rc != PVS_DB_DONE)
        return rc;
    /* the batch's end is already stored (inside an earlier batch): remember the chain
     * value there too, so a later batch starting after it can be chain-checked */
    if (!last_new &&
        pvs_exec(db, "UPDATE lock_events SET chain = ? WHERE lock_id = ? AND seq = ?"
                     " AND chain IS NULL",
                 PVS_ARGS(PVS_BLOB(end, PV_HASH_SIZE), PVS_I64(b->lock_id), PVS_I64(last))) < 0)
        return PVS_DB_ERROR;
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

/* Moves the lock's next expected seq (*next) and its gap ranges past [a, b]; *ngaps gets
 * the number of open ranges. The common case — a batch that continues the log with no gap
 * open — touches no gap row. */
static int update_gaps(pvs_db *db, uint32_t lock_id, uint32_t a, uint32_t b, const lock_log *l,
                       uint64_t *next, int64_t *ngaps, pvs_ingest_result *res)
{
    pvs_seqrange gaps[PVS_GAPS_MAX];
    size_t n = 0;
    int rc;
    if (l->open_gaps > 0) {
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
    }
    size_t before = n;
    *next = l->next_seq;
    if (pvs_gaps_apply(gaps, &n, PVS_GAPS_MAX, next, a, b) != PV_OK)
        return refuse(res, "too-many-gaps",
                      "lock %u has more than %u missing log ranges; its logs need a manual "
                      "check by support", lock_id, PVS_GAPS_MAX);
    *ngaps = (int64_t)n;
    if (before == 0 && n == 0)
        return PVS_DB_OK;
    if (pvs_exec(db, "DELETE FROM lock_log_gaps WHERE lock_id = ?", PVS_ARGS(PVS_I64(lock_id))) < 0)
        return PVS_DB_ERROR;
    for (size_t i = 0; i < n; i++)
        if (pvs_exec(db, "INSERT INTO lock_log_gaps (lock_id, from_seq, to_seq) VALUES (?,?,?)",
                     PVS_ARGS(PVS_I64(lock_id), PVS_I64(gaps[i].from_seq),
                              PVS_I64(gaps[i].to_seq))) < 0)
            return PVS_DB_ERROR;
    return PVS_DB_OK;
}

/* Battery, last heard from and the revocation version the lock reports. */
static int update_lock_status(pvs_db *db, pvs_ingest_result *res, const pv_logbatch *b,
                              uint64_t next, int64_t ngaps)
{
    int64_t last_time = 0, mv = -1, pct = -1, revv = -1, mv_at = -1;
    for (unsigned i = 0; i < b->count; i++) {
        pv_event ev;
        if (pv_event_decode(b->events + (size_t)i * PV_EVENT_SIZE, &ev) != PV_OK)
            continue;
        if (ev.time > last_time)
            last_time = ev.time;
        if (ev.kind == PV_EV_BATTERY) {
            mv = ev.subject;
            pct = ev.aux;
            mv_at = ev.time;
        } else if (ev.kind == PV_EV_REVLIST && (int64_t)ev.subject > revv) {
            revv = ev.subject;
        }
    }
    int64_t ch = 0;
    return run(
        db, res, PVS_INGEST_ST_LOCK,
        "UPDATE locks SET last_seen = CASE WHEN COALESCE(last_seen, 0) > ? THEN last_seen"
        " ELSE ? END,"
        " battery_mv = CASE WHEN ? >= 0 THEN ? ELSE battery_mv END,"
        " battery_pct = CASE WHEN ? >= 0 THEN ? ELSE battery_pct END,"
        " battery_at = CASE WHEN ? >= 0 THEN ? ELSE battery_at END,"
        " revlist_version = CASE WHEN revlist_version > ? THEN revlist_version ELSE ? END,"
        " log_next_seq = ?, log_gaps = ?"
        " WHERE id = ?",
        PVS_ARGS(PVS_I64(last_time), PVS_I64(last_time), PVS_I64(mv), PVS_I64(mv), PVS_I64(pct),
                 PVS_I64(pct), PVS_I64(mv_at), PVS_I64(mv_at), PVS_I64(revv < 0 ? 0 : revv),
                 PVS_I64(revv < 0 ? 0 : revv),
                 PVS_I64(next), PVS_I64(ngaps),
                 PVS_I64(b->lock_id)),
        &ch);
}

int pvs_ingest_lock_batch(pvs_db *db, const uint8_t *batch, size_t len, int64_t now,
                          pvs_ingest_result *res)
{
    pv_logbatch b;
    int rc = pv_logbatch_decode(batch, len, &b);
    if (rc != PV_OK)
        return refuse(res, "bad-log-batch", "a lock log batch of %zu bytes does not decode: %s",
                      len, pv_strerror(rc));
    pv_event first;
    if (pv_event_decode(b.events, &first) != PV_OK)
        return refuse(res, "bad-log-batch", "the first event of lock %u does not decode",
                      b.lock_id);
    uint32_t a = first.seq, z = first.seq + b.count - 1u;
    lock_log l;
    memset(&l, 0, sizeof l);
    if ((rc = lock_lookup(db, b.lock_id, (int64_t)a - 1, &l, res)) != PVS_DB_OK)
        return rc;
    if (pv_logbatch_verify(batch, len, l.pk) != PV_OK)
        return refuse(res, "bad-lock-signature",
                      "the log batch of lock %u is not signed by that lock's registered key",
                      b.lock_id);
    if (a == 0) { /* the chain value before seq 0 is 32 zero bytes */
        memset(l.prev_hash, 0, PV_HASH_SIZE);
        l.prev_known = 1;
    }
    if (l.prev_known && sodium_memcmp(l.prev_hash, b.prev_hash, PV_HASH_SIZE) != 0)
        return refuse(res, "log-chain-broken",
                      "the log batch of lock %u (events %u-%u) does not continue the stored "
                      "log; report lock %u to support", b.lock_id, a, z, b.lock_id);
    int64_t stored = 0, ngaps = 0;
    uint8_t end[PV_HASH_SIZE];
    pv_logbatch_chain_end(&b, end);
    if ((rc = insert_events(db, res, &b, now, end, &stored)) != PVS_DB_OK)
        return rc;
    if (stored < b.count && (rc = check_duplicates(db, &b, a, res)) != PVS_DB_OK)
        return rc;
    res->stored += stored;
    res->duplicates += b.count - stored;
    if ((rc = note_lock(res, b.lock_id)) != PVS_DB_OK)
        return rc;
    if (stored == 0)
        return PVS_DB_OK;
    uint64_t next = 0;
    if ((rc = pvs_lock_alerts(db, &b, a, l.next_seq, now)) != PVS_DB_OK) /* outgoing events */
        return rc;
    if ((rc = update_gaps(db, b.lock_id, a, z, &l, &next, &ngaps, res)) != PVS_DB_OK)
        return rc;
    return update_lock_status(db, res, &b, next, ngaps);
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
