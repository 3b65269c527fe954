/* Benchmarks of issuing at sync and of log ingestion through the real store, each next to
 * its floor measured in the same run:
 *   sync.issue_per_s      credentials per second for a bearer with 4,000 entries
 *                         (reference: one Ed25519 signature + Merkle root of 4,000 entries)
 *   ingest.events_per_s   lock events per second, verified and stored in 40-event batches
 *                         (reference: raw batched SQLite inserts of the same rows)
 *   pg.ingest_events_per_s the same ingestion on PostgreSQL (`bench_sync pg`, with
 *                         PVS_TEST_PG_DSN naming a server: bench/pg.sh starts one), with the
 *                         SQLite figure measured in the same run beside it (reference: COPY
 *                         of the same rows into a table with the same indexes) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <sodium.h>
#include <sqlite3.h>

#include "../server/rules/calendar.h"
#include "../server/services/ingest.h"
#include "../server/services/issue.h"
#include "../tests/server/domain_fixture.h"
#include "../tests/server/pg_fresh.h"

#define BUILDINGS 1000
#define APTS_PER_BUILDING 3 /* + 1 entrance = 4,000 entries */
#define ISSUE_ROUNDS 40
#define INGEST_LOCKS 50
#define INGEST_BATCHES 100 /* per lock, 40 events each: 200,000 events */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void line(const char *name, double value, const char *unit, double ref, double ratio)
{
    printf("{\"name\":\"%s\",\"value\":%.1f,\"unit\":\"%s\",\"reference\":%.1f,\"ratio\":%.3f}\n",
           name, value, unit, ref, ratio);
}

static int64_t setup_issue(dfx *f)
{
    dfx_begin(f);
    int64_t p = dfx_provider(f, "Omsorg A"), owner = dfx_owner(f), staff = dfx_staff(f, p);
    int64_t bearer = dfx_bearer(f, staff, p, NULL);
    for (int b = 0; b < BUILDINGS; b++) {
        int64_t house = dfx_building(f, owner);
        (void)dfx_lock(f, house, "entrance", NULL);
        for (int a = 0; a < APTS_PER_BUILDING; a++) {
            int64_t rec = dfx_recipient(f, house, dfx_lock(f, house, "apartment", NULL));
            dfx_period(f, rec, p, "2026-01-01", NULL);
            dfx_right(f, staff, rec, p, "2026-01-01", NULL, 0x7F, 420 + a, 1320);
        }
    }
    dfx_commit(f);
    return bearer;
}

/* One complete issue, as the sync handler does it: one write transaction (grant set from
 * the cache or built and cached, serial, signature). Returns the entry count. */
static size_t issue_once(dfx *f, int64_t bearer, int64_t now, int cold)
{
    pvs_bearer_row b;
    pvs_shift s;
    uint8_t cred[PV_CRED_SIZE];
    uint64_t serial = 0;
    if (cold && pvs_exec(f->db, "UPDATE rights_generation SET value = value + 1", PVS_NOARGS) < 0)
        exit(4);
    if (pvs_tx_begin(f->db, true) != PVS_DB_OK || pvs_bearer_load(f->db, (uint32_t)bearer, &b) ||
        pvs_shift_compute(f->db, &b, now, 12 * 3600, &s) != PV_OK ||
        pvs_issue_next_serial(f->db, 1, &serial) != PVS_DB_OK ||
        pvs_issue_sign(&f->issuer, &b, &s, serial, now, cred) != PV_OK ||
        pvs_tx_commit(f->db) != PVS_DB_OK)
        exit(5);
    if (s.cached == cold)
        exit(6); /* the path measured is not the one named */
    size_t n = s.n;
    pvs_shift_free(&s);
    return n;
}

static void bench_issue(void)
{
    dfx f;
    dfx_open(&f);
    int64_t bearer = setup_issue(&f);
    int32_t day = 0;
    if (pvs_date_parse("2026-11-24", &day) != PV_OK)
        exit(4);
    int64_t now = pvs_local_time(day, 6 * 60 + 45);
    size_t n = issue_once(&f, bearer, now, 1); /* warm the page cache, fill the grant cache */
    if (n != BUILDINGS * (APTS_PER_BUILDING + 1)) {
        fprintf(stderr, "bench_sync: expected %d entries, got %zu\n",
                BUILDINGS * (APTS_PER_BUILDING + 1), n);
        exit(4);
    }
    uint8_t *enc = calloc(n, PV_ENTRY_SIZE), root[32], cred[PV_CRED_SIZE];
    for (size_t i = 0; i < n; i++) {
        pv_entry e = {(uint32_t)i + 1, 60, 900, PV_ENTRY_F_APARTMENT};
        pv_entry_encode(&e, enc + i * PV_ENTRY_SIZE);
    }
    pv_cred c = {1, 1, 1, (uint32_t)n, 1000, 1000, 2000, {0}, {0}};
    /* alternate the floor and the real thing, so other load falls on both alike */
    double measured = 0, floor_s = 0, cold = 0, t0;
    for (int i = 0; i < ISSUE_ROUNDS; i++) {
        t0 = now_s();
        issue_once(&f, bearer, now, 0);
        measured += now_s() - t0;
        t0 = now_s();
        if (pv_merkle_root(enc, (uint32_t)n, root) != PV_OK)
            exit(4);
        memcpy(c.root, root, 32);
        if (pv_cred_sign(&c, f.issuer.sk, cred) != PV_OK)
            exit(4);
        floor_s += now_s() - t0;
        if (i % 4 == 0) {
            t0 = now_s();
            issue_once(&f, bearer, now, 1);
            cold += now_s() - t0;
        }
    }
    measured /= ISSUE_ROUNDS;
    floor_s /= ISSUE_ROUNDS;
    cold /= ISSUE_ROUNDS / 4;
    free(enc);
    line("sync.issue_per_s", 1.0 / measured, "credentials/s", 1.0 / floor_s, floor_s / measured);
    /* the first sync after any change to rights rebuilds the grant set from the store */
    printf("{\"name\":\"sync.issue_cold_per_s\",\"value\":%.1f,\"unit\":\"credentials/s\"}\n",
           1.0 / cold);
    fprintf(stderr, "bench_sync: issue %.3f ms (cold %.3f ms) for %zu entries, floor %.3f ms\n",
            measured * 1e3, cold * 1e3, n, floor_s * 1e3);
    dfx_close(&f);
}

typedef struct signed_batch {
    uint8_t buf[PV_LOGBATCH_MAX_SIZE];
    size_t len;
} signed_batch;

/* Every lock's whole log, as batches of 40 consecutive, chained, signed events. */
static signed_batch *make_batches(dfx *f, uint32_t *lock_ids)
{
    signed_batch *all = calloc((size_t)INGEST_LOCKS * INGEST_BATCHES, sizeof *all);
    dfx_begin(f);
    int64_t house = dfx_building(f, dfx_owner(f));
    for (int l = 0; l < INGEST_LOCKS; l++) {
        uint8_t sk[64], chain[32] = {0};
        lock_ids[l] = (uint32_t)dfx_lock(f, house, "apartment", sk);
        for (int b = 0; b < INGEST_BATCHES; b++) {
            pv_event ev[PV_LOG_BATCH_MAX];
            for (uint32_t i = 0; i < PV_LOG_BATCH_MAX; i++) {
                uint32_t seq = (uint32_t)b * PV_LOG_BATCH_MAX + i;
                ev[i] = (pv_event){seq, 1800000000u + seq, PV_EV_OPEN, 0, 1, 7};
            }
            signed_batch *sb = &all[(size_t)b * INGEST_LOCKS + (size_t)l];
            pv_logbatch parsed;
            if (pv_logbatch_sign(lock_ids[l], chain, ev, PV_LOG_BATCH_MAX, sk, sb->buf,
                                 sizeof sb->buf, &sb->len) != PV_OK ||
                pv_logbatch_decode(sb->buf, sb->len, &parsed) != PV_OK)
                exit(6);
            pv_logbatch_chain_end(&parsed, chain);
        }
        sodium_memzero(sk, sizeof sk);
    }
    dfx_commit(f);
    return all;
}

#define BATCHES_PER_TX 25 /* one station upload: 1,000 events */

static double ingest_run(dfx *f, const signed_batch *all, size_t lo, size_t nb)
{
    double t0 = now_s();
    for (size_t i = lo; i < nb; i += BATCHES_PER_TX) {
        pvs_ingest_result res;
        memset(&res, 0, sizeof res);
        if (pvs_tx_begin(f->db, true) != PVS_DB_OK)
            exit(7);
        for (size_t k = i; k < i + BATCHES_PER_TX && k < nb; k++)
            if (pvs_ingest_lock_batch(f->db, all[k].buf, all[k].len, 1800000000, &res) !=
                PVS_DB_OK) {
                fprintf(stderr, "bench_sync: ingest refused: %s\n", res.detail);
                exit(7);
            }
        pvs_ingest_done(&res);
        if (pvs_tx_commit(f->db) != PVS_DB_OK)
            exit(7);
    }
    return now_s() - t0;
}

/* The reference: the same rows through one prepared INSERT in the same transactions. */
static double raw_run(sqlite3 *h, const signed_batch *all, size_t lo, size_t nb)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(h,
                           "INSERT INTO lock_events (lock_id, seq, time, kind, reason, aux,"
                           " subject, raw, received_at) VALUES (?,?,?,?,?,?,?,?,?)"
                           " ON CONFLICT (lock_id, seq) DO NOTHING",
                           -1, &st, NULL) != SQLITE_OK)
        exit(8);
    double t0 = now_s();
    for (size_t i = lo; i < nb; i += BATCHES_PER_TX) {
        sqlite3_exec(h, "BEGIN IMMEDIATE", 0, 0, 0);
        for (size_t k = i; k < i + BATCHES_PER_TX && k < nb; k++) {
            pv_logbatch b;
            if (pv_logbatch_decode(all[k].buf, all[k].len, &b) != PV_OK)
                exit(8);
            for (unsigned e = 0; e < b.count; e++) {
                pv_event ev;
                const uint8_t *raw = b.events + (size_t)e * PV_EVENT_SIZE;
                if (pv_event_decode(raw, &ev) != PV_OK)
                    exit(8);
                sqlite3_bind_int64(st, 1, b.lock_id);
                sqlite3_bind_int64(st, 2, ev.seq);
                sqlite3_bind_int64(st, 3, ev.time);
                sqlite3_bind_int64(st, 4, ev.kind);
                sqlite3_bind_int64(st, 5, ev.reason);
                sqlite3_bind_int64(st, 6, ev.aux);
                sqlite3_bind_int64(st, 7, ev.subject);
                sqlite3_bind_blob(st, 8, raw, PV_EVENT_SIZE, SQLITE_TRANSIENT);
                sqlite3_bind_int64(st, 9, 1800000000);
                if (sqlite3_step(st) != SQLITE_DONE)
                    exit(8);
                sqlite3_reset(st);
            }
        }
        sqlite3_exec(h, "COMMIT", 0, 0, 0);
    }
    double t = now_s() - t0;
    sqlite3_finalize(st);
    return t;
}

static void bench_ingest(void)
{
    dfx f, g;
    dfx_open(&f);
    dfx_open(&g);
    uint32_t ids[INGEST_LOCKS];
    signed_batch *all = make_batches(&f, ids);
    size_t nb = (size_t)INGEST_LOCKS * INGEST_BATCHES;
    double events = (double)nb * PV_LOG_BATCH_MAX;
    sqlite3 *h;
    if (sqlite3_open(g.path, &h) != SQLITE_OK ||
        sqlite3_exec(h, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", 0, 0, 0))
        exit(8);
    /* interleaved slices, so load from other processes falls on both sides alike */
    double t_raw = 0, t_ours = 0;
    size_t slice = BATCHES_PER_TX * 20;
    for (size_t lo = 0; lo < nb; lo += slice) {
        size_t hi = lo + slice < nb ? lo + slice : nb;
        t_raw += raw_run(h, all, lo, hi);
        t_ours += ingest_run(&f, all, lo, hi);
    }
    sqlite3_close(h);
    int64_t stored = 0;
    if (pvs_query_i64(f.db, "SELECT COUNT(*) FROM lock_events", PVS_NOARGS, &stored) !=
            PVS_DB_OK || stored != (int64_t)events)
        exit(9);
    line("ingest.events_per_s", events / t_ours, "events/s", events / t_raw, t_raw / t_ours);
    free(all);
    dfx_close(&f);
    dfx_close(&g);
}

/* The PostgreSQL reference: the same rows by COPY (text format, bytea as hex) in the same
 * 1,000-event transactions, into a table with lock_events' indexes but no foreign key. */
static double copy_run(PGconn *c, const signed_batch *all, size_t nb)
{
    PQclear(PQexec(c, "CREATE TABLE copy_ref (LIKE lock_events INCLUDING ALL)"));
    double t0 = now_s();
    for (size_t i = 0; i < nb; i += BATCHES_PER_TX) {
        PGresult *r = PQexec(c, "COPY copy_ref (lock_id, seq, time, kind, reason, aux, subject,"
                                " raw, received_at) FROM STDIN");
        bool ok = PQresultStatus(r) == PGRES_COPY_IN;
        PQclear(r);
        for (size_t k = i; ok && k < i + BATCHES_PER_TX && k < nb; k++) {
            pv_logbatch b;
            if (pv_logbatch_decode(all[k].buf, all[k].len, &b) != PV_OK)
                exit(8);
            for (unsigned e = 0; ok && e < b.count; e++) {
                pv_event ev;
                const uint8_t *raw = b.events + (size_t)e * PV_EVENT_SIZE;
                char row[400], hex[2 * PV_EVENT_SIZE + 1];
                if (pv_event_decode(raw, &ev) != PV_OK)
                    exit(8);
                sodium_bin2hex(hex, sizeof hex, raw, PV_EVENT_SIZE);
                int n = snprintf(row, sizeof row, "%u\t%u\t%u\t%u\t%u\t%u\t%u\t\\\\x%s\t1800000000\n",
                                 b.lock_id, ev.seq, ev.time, (unsigned)ev.kind,
                                 (unsigned)ev.reason, (unsigned)ev.aux, (unsigned)ev.subject, hex);
                ok = PQputCopyData(c, row, n) == 1;
            }
        }
        ok = ok && PQputCopyEnd(c, NULL) == 1;
        r = PQgetResult(c);
        ok = ok && PQresultStatus(r) == PGRES_COMMAND_OK;
        PQclear(r);
        if (!ok) {
            fprintf(stderr, "bench_sync: COPY failed: %s", PQerrorMessage(c));
            exit(8);
        }
    }
    return now_s() - t0;
}

/* Ingestion on PostgreSQL next to COPY of the same rows, and the SQLite figure beside it. */
static void bench_pg_ingest(void)
{
    const char *base = getenv("PVS_TEST_PG_DSN");
    char dsn[1024], name[64];
    if (!base) {
        fprintf(stderr, "bench_sync pg: no PVS_TEST_PG_DSN; skipped (bench/pg.sh starts a server)\n");
        return;
    }
    dfx f;
    setenv("PVS_TEST_BACKEND", "postgresql", 1);
    dfx_open(&f);
    uint32_t ids[INGEST_LOCKS];
    signed_batch *all = make_batches(&f, ids);
    size_t nb = (size_t)INGEST_LOCKS * INGEST_BATCHES;
    double events = (double)nb * PV_LOG_BATCH_MAX, t_ours = ingest_run(&f, all, 0, nb);
    snprintf(name, sizeof name, "pvs_bench_copy_%ld", (long)getpid());
    PGconn *c = pvs_pg_fresh_db(base, name, dsn, sizeof dsn) == 0 ? PQconnectdb(dsn) : NULL;
    if (!c || PQstatus(c) != CONNECTION_OK)
        exit(8);
    double t_copy = copy_run(c, all, nb);
    PQfinish(c);
    line("pg.ingest_events_per_s", events / t_ours, "events/s", events / t_copy, t_copy / t_ours);
    free(all);
    dfx_close(&f);
    unsetenv("PVS_TEST_BACKEND");
    bench_ingest(); /* the SQLite figure of the same run */
}

int main(int argc, char **argv)
{
    setenv("TZ", "Europe/Stockholm", 1);
    tzset();
    if (sodium_init() < 0)
        return 1;
    int only_issue = argc > 1 && strcmp(argv[1], "issue") == 0;
    int only_ingest = argc > 1 && strcmp(argv[1], "ingest") == 0;
    if (argc > 1 && strcmp(argv[1], "pg") == 0) {
        bench_pg_ingest();
        return 0;
    }
    if (!only_ingest)
        bench_issue();
    if (!only_issue)
        bench_ingest();
    return 0;
}
