/* Store conformance suite: the behaviour every pvs_db_ops backend must show (typed
 * parameters, NULLs, blobs, RETURNING, error mapping, transactions, WAL concurrency,
 * rebound statements, migrations, the audit chain), run against each backend compiled in. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "pvs/audit.h"
#include "pvs/store.h"

static int failures;
#define CHECK(cond, ...)                                                             \
    do {                                                                             \
        if (!(cond)) {                                                               \
            failures++;                                                              \
            fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);          \
            fprintf(stderr, __VA_ARGS__);                                            \
            fputc('\n', stderr);                                                     \
        }                                                                            \
    } while (0)

/* A backend under test: its ops and how to make a fresh, empty database. */
struct backend {
    const struct pvs_db_ops *ops;
    int (*fresh_dsn)(const char *dir, const char *name, char *dsn, size_t cap);
};

static int sqlite_dsn(const char *dir, const char *name, char *dsn, size_t cap)
{
    snprintf(dsn, cap, "%s/%s.db", dir, name);
    char extra[1100];
    unlink(dsn);
    snprintf(extra, sizeof extra, "%s-wal", dsn);
    unlink(extra);
    snprintf(extra, sizeof extra, "%s-shm", dsn);
    unlink(extra);
    return 0;
}

/* PostgreSQL: PVS_TEST_PG_DSN names a server (tests/server/with_postgres.sh starts a
 * throwaway one); each fresh database is created anew inside it. */
static int pg_dsn(const char *dir, const char *name, char *dsn, size_t cap)
{
    (void)dir;
    const char *base = getenv("PVS_TEST_PG_DSN");
    pvs_db *admin = NULL;
    char err[300], sql[160];
    if (!base || pvs_db_open(&pvs_postgres_ops, base, &admin, err, sizeof err) != PVS_DB_OK) {
        fprintf(stderr, "postgresql: %s\n", base ? err : "PVS_TEST_PG_DSN not set");
        return -1;
    }
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS pvs_conf_%s", name);
    int rc = pvs_db_exec_script(admin, sql);
    snprintf(sql, sizeof sql, "CREATE DATABASE pvs_conf_%s", name);
    if (rc == PVS_DB_OK)
        rc = pvs_db_exec_script(admin, sql);
    if (rc != PVS_DB_OK)
        fprintf(stderr, "postgresql: %s\n", pvs_db_errmsg(admin));
    pvs_db_close(admin);
    snprintf(dsn, cap, "%s dbname=pvs_conf_%s", base, name);
    return rc == PVS_DB_OK ? 0 : -1;
}

static const struct backend backends[] = {
    {&pvs_sqlite_ops, sqlite_dsn},
    {&pvs_postgres_ops, pg_dsn},
};

static pvs_db *open_db(const struct backend *b, const char *dsn)
{
    pvs_db *db = NULL;
    char err[300];
    int rc = pvs_db_open(b->ops, dsn, &db, err, sizeof err);
    CHECK(rc == PVS_DB_OK, "%s open: %s", b->ops->name, err);
    return rc == PVS_DB_OK ? db : NULL;
}

static void t_params(pvs_db *db)
{
    CHECK(pvs_db_exec_script(db, "CREATE TABLE t (id @PK@, i BIGINT, s TEXT, b BLOB)") != 0,
          "tokens are for migrations only; raw scripts must not expand them");
    char ddl[300];
    snprintf(ddl, sizeof ddl, "CREATE TABLE t (id %s, i BIGINT, s TEXT UNIQUE, b %s, n TEXT)",
             pvs_db_ops_of(db)->pk_type, pvs_db_ops_of(db)->blob_type);
    CHECK(pvs_db_exec_script(db, ddl) == PVS_DB_OK, "create: %s", pvs_db_errmsg(db));
    const uint8_t blob[5] = {0, 1, 0, 255, 0};
    const char *evil = "x'); DROP TABLE t; --";
    int64_t id = 0;
    int rc = pvs_query_i64(db, "INSERT INTO t (i, s, b, n) VALUES (?, ?, ?, ?) RETURNING id",
                           PVS_ARGS(PVS_I64(INT64_MIN), PVS_TEXT(evil), PVS_BLOB(blob, 5), PVS_NULL),
                           &id);
    CHECK(rc == PVS_DB_OK && id > 0, "insert returning: rc=%d %s", rc, pvs_db_errmsg(db));
    pvs_stmt st;
    rc = pvs_query(db, &st, "SELECT i, s, b, n FROM t WHERE id = ?", PVS_ARGS(PVS_I64(id)));
    CHECK(rc == PVS_DB_OK, "select");
    CHECK(pvs_next(&st) == PVS_DB_ROW, "row");
    size_t len = 0;
    const uint8_t *b = pvs_col_blob(&st, 2, &len);
    CHECK(pvs_col_i64(&st, 0) == INT64_MIN, "int64 round trip");
    CHECK(strcmp(pvs_col_text(&st, 1), evil) == 0, "text with SQL metacharacters round trip");
    CHECK(len == 5 && memcmp(b, blob, 5) == 0, "blob with NUL bytes round trip");
    CHECK(pvs_col_is_null(&st, 3) && pvs_col_text(&st, 3) == NULL, "NULL round trip");
    CHECK(pvs_next(&st) == PVS_DB_DONE, "one row only");
    pvs_finalize(&st);
    char text[8];
    CHECK(pvs_query_text(db, "SELECT s FROM t", PVS_NOARGS, text, sizeof text) == PVS_DB_MISUSE,
          "text longer than the buffer is refused, not truncated");
    int64_t v = 0;
    CHECK(pvs_query_i64(db, "SELECT i FROM t WHERE id = ?", PVS_ARGS(PVS_I64(id + 100)), &v) ==
              PVS_DB_NOTFOUND, "no row -> NOTFOUND");
    CHECK(pvs_exec(db, "UPDATE t SET i = i WHERE id >= ?", PVS_ARGS(PVS_I64(0))) == 1,
          "changes count");
    CHECK(pvs_exec(db, "SELECT 1; SELECT 2", PVS_NOARGS) == PVS_DB_MISUSE,
          "two statements in one call are refused");
    CHECK(pvs_exec(db, "SELECT ?", PVS_ARGS(PVS_I64(1), PVS_I64(2))) < 0,
          "too many parameters is an error");
    CHECK(pvs_query_i64(db, "SELECT ?2 * 100 + ?1 + ?", PVS_ARGS(PVS_I64(1), PVS_I64(2), PVS_I64(3)),
                        &v) == PVS_DB_OK && v == 204, "?NNN numbers parameters, a bare ? continues (%lld)",
          (long long)v);
    CHECK(pvs_query_i64(db, "SELECT COUNT(*) FROM t WHERE s = ?1 OR n = ?1", PVS_ARGS(PVS_TEXT(evil)),
                        &v) == PVS_DB_OK && v == 1, "one parameter used twice");
    CHECK(pvs_query(db, &st, "SELECT COUNT(*) FROM t WHERE id = ?", PVS_ARGS(PVS_I64(id))) ==
              PVS_DB_OK, "prepare for rebind");
    CHECK(pvs_next(&st) == PVS_DB_ROW && pvs_col_i64(&st, 0) == 1, "first run");
    CHECK(pvs_rebind(&st, PVS_ARGS(PVS_I64(id + 1))) == PVS_DB_OK, "rebind");
    CHECK(pvs_next(&st) == PVS_DB_ROW && pvs_col_i64(&st, 0) == 0, "second run sees new parameters");
    pvs_finalize(&st);
    CHECK(pvs_query_i64(db, "SELECT s IS NOT NULL FROM t WHERE id = ?", PVS_ARGS(PVS_I64(id)), &v) ==
              PVS_DB_OK && v == 1, "a boolean expression reads as 1");
}

static void t_errors(pvs_db *db)
{
    char ddl[400];
    snprintf(ddl, sizeof ddl,
             "CREATE TABLE parent (id INTEGER PRIMARY KEY);"
             "CREATE TABLE child (id %s, p BIGINT NOT NULL REFERENCES parent(id),"
             " v BIGINT CHECK (v >= 0));"
             "INSERT INTO parent (id) VALUES (1);", pvs_db_ops_of(db)->pk_type);
    CHECK(pvs_db_exec_script(db, ddl) == PVS_DB_OK, "schema: %s", pvs_db_errmsg(db));
    CHECK(pvs_exec(db, "INSERT INTO t (s) VALUES (?)",
                   PVS_ARGS(PVS_TEXT("x'); DROP TABLE t; --"))) == PVS_DB_UNIQUE,
          "unique violation maps to PVS_DB_UNIQUE");
    CHECK(pvs_exec(db, "INSERT INTO child (p, v) VALUES (?, 1)", PVS_ARGS(PVS_I64(99))) ==
              PVS_DB_FOREIGN, "foreign keys are enforced and map to PVS_DB_FOREIGN");
    CHECK(pvs_exec(db, "INSERT INTO child (p, v) VALUES (1, -1)", PVS_NOARGS) ==
              PVS_DB_CONSTRAINT, "CHECK maps to PVS_DB_CONSTRAINT");
    CHECK(pvs_exec(db, "INSERT INTO child (p, v) VALUES (NULL, 1)", PVS_NOARGS) ==
              PVS_DB_CONSTRAINT, "NOT NULL maps to PVS_DB_CONSTRAINT");
    CHECK(pvs_exec(db, "SELEKT nonsense", PVS_NOARGS) == PVS_DB_ERROR, "syntax -> ERROR");
    CHECK(pvs_exec(db, "INSERT INTO child (p, v) VALUES (1, 1) ON CONFLICT DO NOTHING",
                   PVS_NOARGS) == 1, "ON CONFLICT DO NOTHING is supported");
}

static void t_transactions(const struct backend *b, const char *dsn, pvs_db *db)
{
    CHECK(pvs_tx_begin(db, true) == PVS_DB_OK, "begin");
    CHECK(pvs_tx_begin(db, true) == PVS_DB_MISUSE, "nested begin is misuse");
    CHECK(pvs_exec(db, "INSERT INTO parent (id) VALUES (2)", PVS_NOARGS) == 1, "insert in tx");
    pvs_tx_rollback(db);
    int64_t n = -1;
    CHECK(pvs_query_i64(db, "SELECT COUNT(*) FROM parent", PVS_NOARGS, &n) == PVS_DB_OK && n == 1,
          "rollback discards (count %lld)", (long long)n);
    CHECK(pvs_tx_commit(db) == PVS_DB_MISUSE, "commit without begin is misuse");

    pvs_db *other = open_db(b, dsn);
    if (!other)
        return;
    CHECK(pvs_tx_begin(db, true) == PVS_DB_OK, "writer begins");
    CHECK(pvs_exec(db, "INSERT INTO parent (id) VALUES (3)", PVS_NOARGS) == 1, "write");
    /* a reader sees the last committed state while the writer is busy (WAL / MVCC) */
    CHECK(pvs_query_i64(other, "SELECT COUNT(*) FROM parent", PVS_NOARGS, &n) == PVS_DB_OK &&
              n == 1, "concurrent reader sees committed data only (count %lld)", (long long)n);
    CHECK(pvs_tx_begin(other, true) == PVS_DB_BUSY, "second writer gets BUSY after the timeout");
    CHECK(pvs_tx_commit(db) == PVS_DB_OK, "commit");
    CHECK(pvs_query_i64(other, "SELECT COUNT(*) FROM parent", PVS_NOARGS, &n) == PVS_DB_OK &&
              n == 2, "commit is visible to the other connection");
    CHECK(pvs_db_error_count(other) > 0, "failed calls are counted for /metrics");
    pvs_db_close(other);

    /* a statement fails inside a write transaction: SQLite undoes that statement, PostgreSQL
     * the whole transaction; either way commit must say truthfully whether the earlier write
     * is stored, and no transaction stays open */
    CHECK(pvs_tx_begin(db, true) == PVS_DB_OK, "begin");
    CHECK(pvs_exec(db, "INSERT INTO parent (id) VALUES (10)", PVS_NOARGS) == 1, "write");
    CHECK(pvs_exec(db, "INSERT INTO parent (id) VALUES (10)", PVS_NOARGS) == PVS_DB_UNIQUE,
          "failing write");
    int rc = pvs_tx_commit(db);
    CHECK(!pvs_tx_in_progress(db), "no transaction left open after commit (rc=%d)", rc);
    CHECK(pvs_query_i64(db, "SELECT COUNT(*) FROM parent WHERE id = 10", PVS_NOARGS, &n) ==
              PVS_DB_OK && (rc == PVS_DB_OK) == (n == 1),
          "commit answers %d (%s) and %lld row(s) are stored", rc, pvs_db_rcname(rc), (long long)n);
    CHECK(pvs_exec(db, "DELETE FROM parent WHERE id = 10", PVS_NOARGS) >= 0, "clean up");
}

/* Next row's first column, or -1 when there is no row (DONE or an error). */
static int64_t next_i64(pvs_stmt *st)
{
    return pvs_next(st) == PVS_DB_ROW ? pvs_col_i64(st, 0) : -1;
}

/* pvs_rebind as ingestion uses it: one prepared INSERT rebound per row inside a write
 * transaction, duplicates skipped, each run carrying its own values (a parameter may switch
 * between text and NULL), changes() per run. */
static void t_rebind_writes(pvs_db *db)
{
    char ddl[300];
    snprintf(ddl, sizeof ddl, "CREATE TABLE ev (lock_id BIGINT NOT NULL, seq BIGINT NOT NULL,"
             " note TEXT, raw %s, PRIMARY KEY (lock_id, seq))", pvs_db_ops_of(db)->blob_type);
    CHECK(pvs_db_exec_script(db, ddl) == PVS_DB_OK, "ev: %s", pvs_db_errmsg(db));
    CHECK(pvs_db_ops_of(db)->reset != NULL, "%s implements reset (pvs_rebind)", pvs_db_ops_of(db)->name);
    const char *sql = "INSERT INTO ev (lock_id, seq, note, raw) VALUES (?, ?, ?, ?)"
                      " ON CONFLICT DO NOTHING";
    pvs_stmt st = {0};
    uint8_t raw[4];
    char note[16];
    CHECK(pvs_tx_begin(db, true) == PVS_DB_OK, "begin");
    for (int i = 0; i < 10; i++) {
        memset(raw, 0x10 + i, sizeof raw); /* the same buffers, new bytes every run */
        snprintf(note, sizeof note, "n%d", i);
        const struct pvs_param p[4] = {PVS_I64(1), PVS_I64(i % 7), /* runs 7..9 repeat 0..2 */
                                       i % 2 ? PVS_NULL : PVS_TEXT(note), PVS_BLOB(raw, sizeof raw)};
        int rc = i == 0 ? pvs_query(db, &st, sql, p, 4) : pvs_rebind(&st, p, 4);
        CHECK(rc == PVS_DB_OK, "run %d bound: %s", i, pvs_db_errmsg(db));
        CHECK(pvs_next(&st) == PVS_DB_DONE, "run %d done: %s", i, pvs_db_errmsg(db));
        int64_t ch = pvs_changes(db);
        CHECK(ch == (i < 7 ? 1 : 0), "run %d changed %lld row(s)", i, (long long)ch);
    }
    pvs_finalize(&st);
    CHECK(pvs_exec(db, "SELECT seq FROM ev WHERE lock_id = ?", PVS_ARGS(PVS_I64(1))) == 0,
          "a SELECT changes no rows: changes() still counts the last (duplicate) insert");
    CHECK(pvs_tx_commit(db) == PVS_DB_OK, "commit");
    CHECK(pvs_query(db, &st, "SELECT seq, note, raw FROM ev WHERE lock_id = 1 ORDER BY seq",
                    PVS_NOARGS) == PVS_DB_OK, "select");
    int rows = 0;
    while (pvs_next(&st) == PVS_DB_ROW) {
        int64_t seq = pvs_col_i64(&st, 0);
        const char *n = pvs_col_text(&st, 1);
        size_t len = 0;
        const uint8_t *b = pvs_col_blob(&st, 2, &len);
        snprintf(note, sizeof note, "n%lld", (long long)seq);
        CHECK(seq == rows, "seq %lld in order", (long long)seq);
        CHECK(seq % 2 ? n == NULL : n && strcmp(n, note) == 0, "seq %lld: note of its first run",
              (long long)seq);
        CHECK(b && len == 4 && b[0] == 0x10 + seq && b[3] == 0x10 + seq,
              "seq %lld: bytes of its first run", (long long)seq);
        rows++;
    }
    pvs_finalize(&st);
    CHECK(rows == 7, "7 rows stored once each (%d)", rows);
}

/* Rebinding before the first step, in the middle of the rows, after an error, with
 * RETURNING, with the wrong parameter count, after finalize, and across transactions. */
static void t_rebind_reads(pvs_db *db)
{
    pvs_stmt st = {0};
    const char *sql = "SELECT seq FROM ev WHERE lock_id = ? AND seq >= ? ORDER BY seq";
    CHECK(pvs_query(db, &st, sql, PVS_ARGS(PVS_I64(1), PVS_I64(0))) == PVS_DB_OK, "prepare");
    CHECK(pvs_rebind(&st, PVS_ARGS(PVS_I64(1), PVS_I64(5))) == PVS_DB_OK, "rebind before a step");
    CHECK(next_i64(&st) == 5 && next_i64(&st) == 6 && pvs_next(&st) == PVS_DB_DONE,
          "the first run uses the new parameters only");
    CHECK(pvs_rebind(&st, PVS_ARGS(PVS_I64(1), PVS_I64(2))) == PVS_DB_OK && next_i64(&st) == 2,
          "rebind after the last row");
    CHECK(pvs_rebind(&st, PVS_ARGS(PVS_I64(1), PVS_I64(4))) == PVS_DB_OK, "rebind mid-rows");
    int64_t seen = 0, v;
    while ((v = next_i64(&st)) >= 0)
        seen = seen * 10 + v;
    CHECK(seen == 456, "a run abandoned in its rows leaves nothing behind (%lld)", (long long)seen);
    CHECK(pvs_rebind(&st, PVS_ARGS(PVS_I64(1), PVS_I64(0), PVS_I64(9))) == PVS_DB_MISUSE,
          "more parameters than placeholders is refused");
    pvs_finalize(&st);
    CHECK(pvs_rebind(&st, PVS_ARGS(PVS_I64(1), PVS_I64(0))) == PVS_DB_MISUSE,
          "a finalized statement cannot be rebound");

    const char *ins = "INSERT INTO ev (lock_id, seq) VALUES (?, ?) RETURNING seq + 100";
    CHECK(pvs_query(db, &st, ins, PVS_ARGS(PVS_I64(2), PVS_I64(0))) == PVS_DB_OK &&
              next_i64(&st) == 100 && pvs_next(&st) == PVS_DB_DONE, "RETURNING, first run");
    CHECK(pvs_rebind(&st, PVS_ARGS(PVS_I64(2), PVS_I64(0))) == PVS_DB_OK &&
              pvs_next(&st) == PVS_DB_UNIQUE, "the same key again is refused");
    CHECK(pvs_rebind(&st, PVS_ARGS(PVS_I64(2), PVS_I64(1))) == PVS_DB_OK &&
              next_i64(&st) == 101 && pvs_next(&st) == PVS_DB_DONE, "runs again after an error");
    CHECK(pvs_tx_begin(db, true) == PVS_DB_OK, "begin");
    CHECK(pvs_rebind(&st, PVS_ARGS(PVS_I64(2), PVS_I64(2))) == PVS_DB_OK &&
              next_i64(&st) == 102 && pvs_next(&st) == PVS_DB_DONE, "run in a transaction");
    CHECK(pvs_tx_commit(db) == PVS_DB_OK, "commit");
    CHECK(pvs_tx_begin(db, true) == PVS_DB_OK, "begin");
    CHECK(pvs_rebind(&st, PVS_ARGS(PVS_I64(2), PVS_I64(3))) == PVS_DB_OK &&
              next_i64(&st) == 103 && pvs_next(&st) == PVS_DB_DONE, "run in the next transaction");
    pvs_tx_rollback(db);
    pvs_finalize(&st);
    int64_t n = -1;
    CHECK(pvs_query_i64(db, "SELECT COUNT(*) FROM ev WHERE lock_id = 2", PVS_NOARGS, &n) ==
              PVS_DB_OK && n == 3, "committed runs stay, the rolled-back one is gone (%lld)",
          (long long)n);
}

/* One parameter bound in turn as an integer, text, a blob and NULL comes back each time as
 * bound (a backend that prepares rebound statements must not keep the first run's types),
 * and many rebound statements at once all work (more than any per-connection cache). */
static void t_rebind_types(pvs_db *db)
{
    pvs_stmt st = {0};
    const uint8_t blob[3] = {0, 0xff, 7};
    CHECK(pvs_query(db, &st, "SELECT ?", PVS_ARGS(PVS_I64(7))) == PVS_DB_OK &&
              pvs_next(&st) == PVS_DB_ROW && pvs_col_i64(&st, 0) == 7, "integer");
    for (int round = 0; round < 2; round++) { /* the second round meets what the first left */
        CHECK(pvs_rebind(&st, PVS_ARGS(PVS_I64(-5))) == PVS_DB_OK &&
                  pvs_next(&st) == PVS_DB_ROW && pvs_col_i64(&st, 0) == -5, "integer again");
        CHECK(pvs_rebind(&st, PVS_ARGS(PVS_TEXT("abc"))) == PVS_DB_OK &&
                  pvs_next(&st) == PVS_DB_ROW && pvs_col_text(&st, 0) &&
                  strcmp(pvs_col_text(&st, 0), "abc") == 0, "then text");
        size_t len = 0;
        const uint8_t *b = NULL;
        CHECK(pvs_rebind(&st, PVS_ARGS(PVS_BLOB(blob, 3))) == PVS_DB_OK &&
                  pvs_next(&st) == PVS_DB_ROW && (b = pvs_col_blob(&st, 0, &len)) && len == 3 &&
                  memcmp(b, blob, 3) == 0, "then a blob");
        CHECK(pvs_rebind(&st, PVS_ARGS(PVS_NULL)) == PVS_DB_OK && pvs_next(&st) == PVS_DB_ROW &&
                  pvs_col_is_null(&st, 0), "then NULL");
    }
    pvs_finalize(&st);

    enum { MANY = 40 };
    pvs_stmt many[MANY];
    char sql[64];
    int ok = 0;
    for (int round = 0; round < 3; round++)
        for (int k = 0; k < MANY; k++) {
            snprintf(sql, sizeof sql, "SELECT ? + %d", k);
            int rc = round == 0 ? pvs_query(db, &many[k], sql, PVS_ARGS(PVS_I64(round)))
                                : pvs_rebind(&many[k], PVS_ARGS(PVS_I64(round * 1000)));
            ok += rc == PVS_DB_OK && pvs_next(&many[k]) == PVS_DB_ROW &&
                  pvs_col_i64(&many[k], 0) == round * (round ? 1000 : 1) + k;
        }
    for (int k = 0; k < MANY; k++)
        pvs_finalize(&many[k]);
    CHECK(ok == 3 * MANY, "%d rebound statements side by side: %d of %d runs right", MANY, ok,
          3 * MANY);
}

static void t_migrations(pvs_db *db)
{
    char err[400] = "";
    int applied = -1, version = -1;
    CHECK(pvs_migrate(db, &applied, err, sizeof err) == PVS_DB_OK, "migrate: %s", err);
    CHECK(applied == (int)(pvs_migrations_core_count + pvs_migrations_domain_count),
          "every module's migrations applied (%d)", applied);
    CHECK(pvs_schema_version(db, &version) == PVS_DB_OK && version > 0, "schema version");
    CHECK(pvs_migrate(db, &applied, err, sizeof err) == PVS_DB_OK && applied == 0,
          "second run applies nothing");
    for (size_t i = 0; i < pvs_migrations_core_count; i++)
        CHECK(pvs_migrations_core[i].version >= 1 && pvs_migrations_core[i].version <= 99,
              "core versions stay in 1..99");
    for (size_t i = 0; i < pvs_migrations_domain_count; i++)
        CHECK(pvs_migrations_domain[i].version >= 100 && pvs_migrations_domain[i].version <= 199,
              "domain versions stay in 100..199");
    CHECK(pvs_exec(db, "INSERT INTO providers (name, created_at, updated_at) VALUES ('p', 1, 1)",
                   PVS_NOARGS) == 1, "migrated schema usable");
    int64_t id1 = 0, id2 = 0;
    CHECK(pvs_query_i64(db, "SELECT MAX(id) FROM providers", PVS_NOARGS, &id1) == PVS_DB_OK, "max");
    (void)pvs_exec(db, "DELETE FROM providers WHERE id = ?", PVS_ARGS(PVS_I64(id1)));
    CHECK(pvs_query_i64(db, "INSERT INTO providers (name, created_at, updated_at)"
                            " VALUES ('q', 1, 1) RETURNING id", PVS_NOARGS, &id2) == PVS_DB_OK &&
              id2 > id1, "@PK@ never reuses an id (%lld after %lld)", (long long)id2, (long long)id1);
}

static void t_audit(pvs_db *db)
{
    struct pvs_audit_actor who = {1, "alice", "central_admin", "127.0.0.1", "r1"};
    struct pvs_audit_verify v;
    CHECK(pvs_audit_verify(db, &v) == PVS_DB_OK && v.ok, "earlier records verify");
    int64_t base = v.records;
    char sql[120];
    json_t *d = json_pack("{s:s}", "name", "x");
    CHECK(pvs_audit_append_raw(db, &who, 0, "test", "thing", 1, d) == PVS_DB_MISUSE,
          "audit outside a write transaction is refused");
    for (int i = 0; i < 3; i++) {
        CHECK(pvs_tx_begin(db, true) == PVS_DB_OK, "begin");
        CHECK(pvs_audit_append_raw(db, &who, i, "test", "thing", i + 1, d) == PVS_DB_OK, "append");
        CHECK(pvs_tx_commit(db) == PVS_DB_OK, "commit");
    }
    CHECK(pvs_tx_begin(db, true) == PVS_DB_OK, "begin");
    CHECK(pvs_audit_append_raw(db, &who, 0, "rolled-back", "thing", 9, d) == PVS_DB_OK, "append");
    pvs_tx_rollback(db);
    json_decref(d);
    CHECK(pvs_audit_verify(db, &v) == PVS_DB_OK && v.ok && v.records == base + 3,
          "chain of 3 more verifies (ok=%d records=%lld %s)", v.ok, (long long)v.records, v.reason);
    snprintf(sql, sizeof sql, "UPDATE audit_log SET actor_name = 'mallory' WHERE seq = %lld",
             (long long)base + 2);
    CHECK(pvs_exec(db, sql, PVS_NOARGS) == 1, "tamper");
    CHECK(pvs_audit_verify(db, &v) == PVS_DB_OK && !v.ok && v.first_bad_seq == base + 2,
          "changed record found (seq %lld: %s)", (long long)v.first_bad_seq, v.reason);
    snprintf(sql, sizeof sql, "UPDATE audit_log SET actor_name = 'alice' WHERE seq = %lld",
             (long long)base + 2);
    CHECK(pvs_exec(db, sql, PVS_NOARGS) == 1, "undo");
    snprintf(sql, sizeof sql, "DELETE FROM audit_log WHERE seq = %lld", (long long)base + 3);
    CHECK(pvs_exec(db, sql, PVS_NOARGS) == 1, "drop the tail");
    CHECK(pvs_audit_verify(db, &v) == PVS_DB_OK && !v.ok, "dropped tail found: %s", v.reason);
}

/* ---- fault injection: the same backend with its Nth statement step failing */
static const struct pvs_db_ops *faulty_base;
static int fail_countdown; /* steps until the injected failure; < 0 = never */

static int faulty_step(void *bst)
{
    if (fail_countdown >= 0 && fail_countdown-- == 0)
        return PVS_DB_ERROR; /* as an I/O error would */
    return faulty_base->step(bst);
}

/* A change and its audit record commit together or not at all: fail each step of the
 * sequence in turn and check that nothing of a failed attempt remains. */
static void t_faults(const struct backend *b, const char *dsn)
{
    struct pvs_db_ops ops = *b->ops;
    faulty_base = b->ops;
    ops.step = faulty_step;
    pvs_db *db = NULL;
    char err[300];
    if (pvs_db_open(&ops, dsn, &db, err, sizeof err) != PVS_DB_OK) {
        CHECK(0, "open: %s", err);
        return;
    }
    struct pvs_audit_actor who = {1, "alice", "central_admin", "127.0.0.1", "fault"};
    int64_t before = 0, after = 0, audit_before = 0, audit_after = 0;
    fail_countdown = -1;
    CHECK(pvs_query_i64(db, "SELECT COUNT(*) FROM providers", PVS_NOARGS, &before) == PVS_DB_OK &&
              pvs_query_i64(db, "SELECT COUNT(*) FROM audit_log", PVS_NOARGS, &audit_before) == PVS_DB_OK,
          "counts");
    int failed_runs = 0;
    for (int k = 0; k < 12; k++) {
        char name[32];
        snprintf(name, sizeof name, "Fault %d", k);
        int64_t id = 0;
        int rc = pvs_tx_begin(db, true);
        fail_countdown = k; /* begin has run; fail the k-th step after it */
        if (rc == PVS_DB_OK)
            rc = pvs_query_i64(db, "INSERT INTO providers (name, created_at, updated_at)"
                                   " VALUES (?, 1, 1) RETURNING id", PVS_ARGS(PVS_TEXT(name)), &id);
        if (rc == PVS_DB_OK)
            rc = pvs_audit_append_raw(db, &who, id, "provider.create", "provider", id, NULL);
        fail_countdown = -1;
        if (rc == PVS_DB_OK)
            rc = pvs_tx_commit(db);
        else
            pvs_tx_rollback(db), failed_runs++;
        CHECK(!pvs_tx_in_progress(db), "no transaction left open after attempt %d", k);
    }
    CHECK(pvs_query_i64(db, "SELECT COUNT(*) FROM providers", PVS_NOARGS, &after) == PVS_DB_OK &&
              pvs_query_i64(db, "SELECT COUNT(*) FROM audit_log", PVS_NOARGS, &audit_after) == PVS_DB_OK,
          "counts");
    CHECK(failed_runs > 0 && failed_runs < 12, "some attempts failed, some succeeded (%d)", failed_runs);
    CHECK(after - before == 12 - failed_runs && audit_after - audit_before == 12 - failed_runs,
          "exactly the successful attempts left a provider and an audit record each (%lld, %lld of %d)",
          (long long)(after - before), (long long)(audit_after - audit_before), 12 - failed_runs);
    struct pvs_audit_verify v;
    CHECK(pvs_audit_verify(db, &v) == PVS_DB_OK && v.ok, "the chain holds only whole attempts: %s",
          v.reason);
    pvs_db_close(db);
}

static void t_pool(const struct backend *b, const char *dsn)
{
    pvs_store *s = NULL;
    char err[300];
    CHECK(pvs_store_open(b->ops, dsn, 3, &s, err, sizeof err) == PVS_DB_OK, "pool: %s", err);
    if (!s)
        return;
    pvs_db *a = pvs_store_acquire(s), *c = pvs_store_acquire(s);
    CHECK(a && c && a != c, "distinct connections");
    CHECK(pvs_tx_begin(a, false) == PVS_DB_OK, "begin");
    pvs_store_release(s, a);
    CHECK(!pvs_tx_in_progress(a), "release rolls back an open transaction");
    pvs_store_release(s, c);
    pvs_store_close(s);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 2 ? argv[2] : argc > 1 ? argv[1] : "/tmp/pvs_store_conformance";
    if (sodium_init() < 0)
        return 1;
    mkdir(dir, 0700);
    /* PVS_TEST_BACKEND=sqlite|postgresql runs one backend; unset runs every available one */
    const char *only = getenv("PVS_TEST_BACKEND");
    int ran = 0;
    for (size_t i = 0; i < sizeof backends / sizeof backends[0]; i++) {
        const struct backend *b = &backends[i];
        if (only && strcmp(only, b->ops->name) != 0)
            continue;
        char dsn[1024];
        if (b->fresh_dsn(dir, "basic", dsn, sizeof dsn) != 0) {
            printf("%s: not available, skipped\n", b->ops->name);
            continue;
        }
        pvs_db *db = open_db(b, dsn);
        if (!db)
            continue;
        t_params(db);
        t_errors(db);
        t_transactions(b, dsn, db);
        t_rebind_writes(db);
        t_rebind_reads(db);
        t_rebind_types(db);
        pvs_db_close(db);
        if (b->fresh_dsn(dir, "schema", dsn, sizeof dsn) != 0)
            continue;
        db = open_db(b, dsn);
        if (!db)
            continue;
        t_migrations(db);
        pvs_db_close(db);
        t_faults(b, dsn);
        db = open_db(b, dsn);
        if (!db)
            continue;
        t_audit(db);
        pvs_db_close(db);
        t_pool(b, dsn);
        ran++;
        printf("%s: store conformance done\n", b->ops->name);
    }
    if (failures)
        fprintf(stderr, "%d failure(s)\n", failures);
    if (!failures && ran == 0)
        return 77; /* the requested backend is not available here: skipped */
    return failures ? 1 : 0;
}
