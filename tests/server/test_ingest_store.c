/* Log ingestion through the real store: the same batch three times stores once; a missing
 * range is reported as a gap and closed when it arrives late; forged, altered, re-chained
 * and conflicting batches are refused without writing anything; battery and revocation
 * events update the lock; bearer events are idempotent too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "../../server/services/ingest.h"
#include "../../server/services/lock_alerts.h"
#include "domain_fixture.h"

static int failures;
#define CHECK(c)                                                                    \
    do {                                                                            \
        if (!(c)) {                                                                 \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #c);   \
            failures++;                                                             \
        }                                                                           \
    } while (0)

typedef struct lockfx {
    uint32_t id;
    uint8_t sk[64];
    uint8_t chain[64 + 1][32]; /* chain[i] = value before event i */
} lockfx;

static pv_event event(uint32_t seq, uint8_t kind, uint32_t subject, uint16_t aux)
{
    return (pv_event){seq, 1800000000u + seq, kind, 0, aux, subject};
}

/* A signed batch of events first..first+n-1 from the lock's true log. */
static size_t batch(lockfx *l, uint32_t first, uint8_t n, uint8_t *out, const pv_event *custom)
{
    pv_event ev[PV_LOG_BATCH_MAX];
    for (uint8_t i = 0; i < n; i++)
        ev[i] = custom ? custom[i] : event(first + i, PV_EV_OPEN, 7, 1);
    size_t len = 0;
    if (pv_logbatch_sign(l->id, l->chain[first], ev, n, l->sk, out, PV_LOGBATCH_MAX_SIZE, &len) !=
        PV_OK)
        exit(3);
    return len;
}

static void build_chain(lockfx *l)
{
    memset(l->chain[0], 0, 32);
    for (uint32_t i = 0; i < 64; i++) {
        uint8_t raw[PV_EVENT_SIZE];
        pv_event e = i == 25 ? event(i, PV_EV_BATTERY, 2900, 41) : event(i, PV_EV_OPEN, 7, 1);
        if (i == 26)
            e = event(i, PV_EV_REVLIST, 4, 1);
        pv_event_encode(&e, raw);
        pv_log_chain_next(l->chain[i], raw, l->chain[i + 1]);
    }
}

static int ingest(dfx *f, const uint8_t *b, size_t len, pvs_ingest_result *res)
{
    memset(res, 0, sizeof *res);
    dfx_begin(f);
    int rc = pvs_ingest_lock_batch(f->db, b, len, 1800000100, res);
    pvs_ingest_done(res);
    if (rc == PVS_DB_OK)
        dfx_commit(f);
    else
        pvs_tx_rollback(f->db);
    return rc;
}

static int64_t count_events(dfx *f)
{
    int64_t n = -1;
    if (pvs_query_i64(f->db, "SELECT COUNT(*) FROM lock_events", PVS_NOARGS, &n) != PVS_DB_OK)
        return -1;
    return n;
}

static void test_lock_batches(void)
{
    dfx f;
    dfx_open(&f);
    lockfx l;
    dfx_begin(&f);
    int64_t house = dfx_building(&f, dfx_owner(&f));
    l.id = (uint32_t)dfx_lock(&f, house, "apartment", l.sk);
    dfx_commit(&f);
    build_chain(&l);
    uint8_t b[PV_LOGBATCH_MAX_SIZE];
    pvs_ingest_result res;

    size_t len = batch(&l, 0, 10, b, NULL);
    for (int i = 0; i < 3; i++) {
        CHECK(ingest(&f, b, len, &res) == PVS_DB_OK);
        CHECK(res.stored == (i == 0 ? 10 : 0) && res.duplicates == (i == 0 ? 0 : 10));
    }
    CHECK(count_events(&f) == 10);

    /* 20..29 arrives before 10..19: a gap 10..19 is reported */
    pv_event evs[10];
    for (uint32_t i = 0; i < 10; i++)
        evs[i] = event(20 + i, PV_EV_OPEN, 7, 1);
    evs[5] = event(25, PV_EV_BATTERY, 2900, 41);
    evs[6] = event(26, PV_EV_REVLIST, 4, 1);
    len = batch(&l, 20, 10, b, evs);
    CHECK(ingest(&f, b, len, &res) == PVS_DB_OK && res.stored == 10);
    pvs_gap_report gaps[8];
    size_t ng = 0;
    CHECK(pvs_ingest_gaps(f.db, &res, gaps, 8, &ng) == PVS_DB_OK);
    CHECK(ng == 1 && gaps[0].lock_id == l.id && gaps[0].from_seq == 10 && gaps[0].to_seq == 19);
    int64_t mv = 0, revv = 0;
    CHECK(pvs_query_i64(f.db, "SELECT battery_mv FROM locks WHERE id = ?",
                        PVS_ARGS(PVS_I64(l.id)), &mv) == PVS_DB_OK && mv == 2900);
    CHECK(pvs_query_i64(f.db, "SELECT revlist_version FROM locks WHERE id = ?",
                        PVS_ARGS(PVS_I64(l.id)), &revv) == PVS_DB_OK && revv == 4);

    /* the gap and the low battery are outgoing events, written with the batch */
    int64_t nev = 0;
    CHECK(pvs_query_i64(f.db, "SELECT COUNT(*) FROM outbox_events WHERE kind = 'lock.log_gap'"
                        " AND body LIKE '%\"from_seq\":10,%' AND body LIKE '%\"to_seq\":19}%'",
                        PVS_NOARGS, &nev) == PVS_DB_OK && nev == 1);
    CHECK(pvs_query_i64(f.db, "SELECT COUNT(*) FROM outbox_events WHERE kind = 'lock.battery_low'"
                        " AND body LIKE '%\"battery_mv\":2900,%'", PVS_NOARGS, &nev) == PVS_DB_OK &&
          nev == 1);
    CHECK(ingest(&f, b, len, &res) == PVS_DB_OK && res.duplicates == 10); /* the same batch again ... */
    CHECK(pvs_query_i64(f.db, "SELECT COUNT(*) FROM outbox_events", PVS_NOARGS, &nev) == PVS_DB_OK &&
          nev == 2); /* ... adds no event */

    /* a week later nobody's key has heard from the lock: one lock.silent, however often checked */
    int64_t seen = 0;
    CHECK(pvs_query_i64(f.db, "SELECT last_seen FROM locks WHERE id = ?", PVS_ARGS(PVS_I64(l.id)),
                        &seen) == PVS_DB_OK && seen > 0);
    for (int i = 0; i < 2; i++) {
        dfx_begin(&f);
        CHECK(pvs_lock_silent_scan(f.db, seen + PVS_LOCK_SILENT_DAYS * 86400LL - 1) == PVS_DB_OK);
        CHECK(pvs_lock_silent_scan(f.db, seen + PVS_LOCK_SILENT_DAYS * 86400LL + 1) == PVS_DB_OK);
        dfx_commit(&f);
    }
    CHECK(pvs_query_i64(f.db, "SELECT COUNT(*) FROM outbox_events WHERE kind = 'lock.silent'",
                        PVS_NOARGS, &nev) == PVS_DB_OK && nev == 1);

    /* the late batch closes the gap */
    len = batch(&l, 10, 10, b, NULL);
    CHECK(ingest(&f, b, len, &res) == PVS_DB_OK && res.stored == 10);
    CHECK(pvs_ingest_gaps(f.db, &res, gaps, 8, &ng) == PVS_DB_OK && ng == 0);
    CHECK(count_events(&f) == 30);

    /* a flipped byte: the lock's signature no longer holds; nothing stored */
    len = batch(&l, 30, 5, b, NULL);
    b[50] ^= 1;
    CHECK(ingest(&f, b, len, &res) == PVS_INGEST_REFUSED &&
          strcmp(res.type, "bad-lock-signature") == 0);
    CHECK(count_events(&f) == 30);
    /* truncated input */
    CHECK(ingest(&f, b, len - 1, &res) == PVS_INGEST_REFUSED &&
          strcmp(res.type, "bad-log-batch") == 0);

    /* a validly signed batch that does not continue the stored chain */
    pv_event alt[5];
    for (uint32_t i = 0; i < 5; i++)
        alt[i] = event(30 + i, PV_EV_DENY, 9, 0);
    size_t alen = 0;
    uint8_t wrong_prev[32] = {1};
    CHECK(pv_logbatch_sign(l.id, wrong_prev, alt, 5, l.sk, b, sizeof b, &alen) == PV_OK);
    CHECK(ingest(&f, b, alen, &res) == PVS_INGEST_REFUSED &&
          strcmp(res.type, "log-chain-broken") == 0);

    /* a different event 5 (a reset or rewritten lock) is a conflict, not a duplicate */
    pv_event other[2] = {event(5, PV_EV_DENY, 9, 0), event(6, PV_EV_OPEN, 7, 1)};
    len = batch(&l, 5, 2, b, other);
    CHECK(ingest(&f, b, len, &res) == PVS_INGEST_REFUSED && strcmp(res.type, "log-conflict") == 0);
    CHECK(count_events(&f) == 30);

    /* an unknown lock id */
    lockfx ghost = l;
    ghost.id = 999;
    len = batch(&ghost, 0, 1, b, NULL);
    CHECK(ingest(&f, b, len, &res) == PVS_INGEST_REFUSED && strcmp(res.type, "unknown-lock") == 0);
    dfx_close(&f);
}

static void test_bearer_events(void)
{
    dfx f;
    dfx_open(&f);
    dfx_begin(&f);
    int64_t p = dfx_provider(&f, "A"), q = dfx_provider(&f, "B");
    int64_t k = dfx_bearer(&f, dfx_staff(&f, p), p, NULL);
    dfx_commit(&f);
    pvs_bearer_event e = {(uint32_t)k, 5, 1800000000, 0, 12, "PV_E_EXPIRED"};
    pvs_ingest_result res;
    memset(&res, 0, sizeof res);
    for (int i = 0; i < 3; i++) {
        dfx_begin(&f);
        CHECK(pvs_ingest_bearer_event(f.db, &e, p, 0, 1800000100, &res) == PVS_DB_OK);
        dfx_commit(&f);
    }
    pvs_ingest_done(&res);
    CHECK(res.stored == 1 && res.duplicates == 2);
    dfx_begin(&f);
    CHECK(pvs_ingest_bearer_event(f.db, &e, q, 0, 1800000100, &res) == PVS_INGEST_REFUSED);
    pvs_tx_rollback(f.db);
    dfx_close(&f);
}

int main(void)
{
    test_lock_batches();
    test_bearer_events();
    if (failures)
        fprintf(stderr, "%d check(s) failed\n", failures);
    else
        printf("test_ingest_store: all checks passed\n");
    return failures != 0;
}
