/* `portvakt-server migrate`: a municipality's SQLite store (made through the API: provider,
 * planner, staff, keys, a sync, a key reported lost) moved into a new PostgreSQL database
 * arrives whole — every table's row count equal, the audit chain intact, the old sessions
 * valid, ids continuing after the highest old one, the lost key still revoked in the next
 * sync's credential. A second run into the same database, a source holding a value of the
 * wrong type and bad arguments are refused, the target left as it was.
 * Usage: test_migrate EXE DIR (PVS_TEST_PG_DSN names the PostgreSQL server; exit 77 without) */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <sodium.h>

#include "pg_fresh.h"
#include "portvakt/proto.h"
#include "pvs/store.h"
#include "pvt.h"

static struct pvt_server S;
static struct pvt_client ADMIN, PLANNER;
static uint8_t ISSUER_PK[32];

/* Runs `EXE migrate ARGS` with stderr merged: exit status, output in out. */
static int run(const char *args, char *out, size_t cap)
{
    char cmd[3000];
    snprintf(cmd, sizeof cmd, "'%s' migrate %s 2>&1", S.exe, args);
    FILE *p = popen(cmd, "r");
    size_t n = p ? fread(out, 1, cap - 1, p) : 0;
    out[n] = '\0';
    int st = p ? pclose(p) : -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int64_t post(struct pvt_client *c, const char *path, const char *body)
{
    struct pvt_resp r;
    int64_t id = -1;
    if (pvt_req(&S, c, "POST", path, body, &r) == 0 && r.status == 201)
        id = json_integer_value(json_object_get(r.json, "id"));
    CHECK(id > 0, "POST %s -> %ld %s", path, r.status, r.body ? r.body : "");
    pvt_resp_free(&r);
    return id;
}

static int64_t count(pvs_db *db, const char *table)
{
    char sql[160];
    int64_t n = -1;
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM \"%s\"", table);
    return pvs_query_i64(db, sql, PVS_NOARGS, &n) == PVS_DB_OK ? n : -1;
}

/* Every table of the SQLite store has as many rows in PostgreSQL (counted here, apart
 * from the tool's own check); returns the number of tables compared. */
static int same_counts(const char *file, const char *dsn)
{
    pvs_db *a = NULL, *b = NULL;
    char err[300];
    int tables = 0;
    pvs_stmt st;
    if (pvs_db_open(&pvs_sqlite_ops, file, &a, err, sizeof err) != PVS_DB_OK ||
        pvs_db_open(&pvs_postgres_ops, dsn, &b, err, sizeof err) != PVS_DB_OK ||
        pvs_query(a, &st, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE"
                          " 'sqlite!_%' ESCAPE '!'", PVS_NOARGS) != PVS_DB_OK) {
        CHECK(0, "open both stores: %s", err);
        pvs_db_close(a);
        pvs_db_close(b);
        return 0;
    }
    while (pvs_next(&st) == PVS_DB_ROW) {
        const char *t = pvs_col_text(&st, 0);
        int64_t na = count(a, t), nb = count(b, t);
        CHECK(na >= 0 && na == nb, "table %s: %lld rows in SQLite, %lld in PostgreSQL", t,
              (long long)na, (long long)nb);
        tables++;
    }
    pvs_finalize(&st);
    pvs_db_close(a);
    pvs_db_close(b);
    return tables;
}

/* The municipality before the move: a planner, staff, a phone key that syncs, fobs of
 * which one is reported lost. Returns the phone's bearer id; its secret key in sk. */
static int64_t populate(uint8_t sk[64], int64_t *lost)
{
    int64_t prov = post(&ADMIN, "/api/v1/providers", "{\"name\":\"Hemtjänst Söder\"}");
    CHECK(pvt_create_user(&S, &ADMIN, "planner.s", "planner", prov, &PLANNER) == 0, "planner");
    char body[400], hex[65];
    snprintf(body, sizeof body, "{\"display_name\":\"Åsa\",\"provider_id\":%lld}", (long long)prov);
    int64_t staff = post(&ADMIN, "/api/v1/staff", body), phone = 0;
    for (int i = 0; i < 4; i++) {
        uint8_t pk[32], k[64];
        crypto_sign_keypair(pk, k);
        sodium_bin2hex(hex, sizeof hex, pk, 32);
        snprintf(body, sizeof body, "{\"staff_id\":%lld,\"kind\":\"%s\",\"label\":\"K-%04d\","
                 "\"public_key\":\"%s\"}", (long long)staff, i ? "fob" : "phone", 300 + i, hex);
        int64_t id = post(&PLANNER, "/api/v1/bearers", body);
        if (i == 0) {
            phone = id;
            memcpy(sk, k, 64);
        }
        *lost = id;
    }
    long st = 0;
    json_decref(pvt_sync_phone(&S, phone, sk, &st));
    CHECK(st == 200, "a sync before the move: %ld", st);
    struct pvt_resp r;
    snprintf(body, sizeof body, "/api/v1/bearers/%lld/report-lost", (long long)*lost);
    CHECK(pvt_req(&S, &PLANNER, "POST", body, "{}", &r) == 0 && r.status == 200, "report lost");
    pvt_resp_free(&r);
    return phone;
}

static void load_issuer_key(void)
{
    struct pvt_resp r;
    json_t *it;
    size_t i;
    CHECK(pvt_req(&S, NULL, "GET", "/api/v1/issuer/keys", NULL, &r) == 0, "issuer keys");
    json_array_foreach(json_object_get(r.json, "items"), i, it) {
        const char *h = json_string_value(json_object_get(it, "public_key"));
        size_t n = 0;
        if (h && json_is_true(json_object_get(it, "current")))
            CHECK(sodium_hex2bin(ISSUER_PK, 32, h, 64, NULL, &n, NULL) == 0 && n == 32, "key");
    }
    pvt_resp_free(&r);
}

/* 1 when the answer's signed revocation list names `bearer`. */
static int revokes(json_t *resp, int64_t bearer)
{
    const char *h = json_string_value(json_object_get(resp, "revlist"));
    uint8_t buf[PV_REVLIST_MAX_SIZE];
    size_t n = 0;
    pv_revlist rl;
    return h && sodium_hex2bin(buf, sizeof buf, h, strlen(h), NULL, &n, NULL) == 0 &&
           pv_revlist_verify(buf, n, ISSUER_PK) == PV_OK &&
           pv_revlist_decode(buf, n, &rl) == PV_OK &&
           pv_revlist_check(&rl, (uint32_t)bearer, (uint64_t)S.now) == PV_E_REVOKED;
}

/* Bad arguments and a source with a wrong-typed value: refused, the target still empty. */
static void t_refusals(const char *base, const char *file)
{
    char out[4000], args[2000], dsn[600], bad[700], name[64];
    CHECK(run("--from sqlite:/nonexistent/x.db --to 'host=/nonexistent dbname=x'", out,
              sizeof out) == 1 && strstr(out, "Källfilen"), "missing source: %s", out);
    snprintf(args, sizeof args, "--from %s --to '%s'", file, base);
    CHECK(run(args, out, sizeof out) == 2, "--from without sqlite: -> usage: %s", out);
    pvs_pg_name_for("pvm_bad_", S.dir, name, sizeof name);
    CHECK(pvs_pg_fresh_db(base, name, dsn, sizeof dsn) == 0, "fresh database");
    snprintf(bad, sizeof bad, "%s/bad.db", S.dir);
    snprintf(args, sizeof args, "VACUUM INTO '%s'", bad);
    pvs_db *db = NULL;
    char err[300];
    remove(bad);
    bool made = pvs_db_open(&pvs_sqlite_ops, file, &db, err, sizeof err) == PVS_DB_OK &&
                pvs_exec(db, args, PVS_NOARGS) >= 0;
    pvs_db_close(db);
    /* bytes where a key's name belongs: SQLite stores them as they are */
    made = made && pvs_db_open(&pvs_sqlite_ops, bad, &db, err, sizeof err) == PVS_DB_OK &&
           pvs_exec(db, "UPDATE bearers SET label = X'4b2d30333031' WHERE id = (SELECT MAX(id)"
                        " FROM bearers)", PVS_NOARGS) == 1;
    pvs_db_close(db);
    CHECK(made, "a copy of the store with a wrong-typed value");
    snprintf(args, sizeof args, "--from 'sqlite:%s' --to '%s'", bad, dsn);
    CHECK(run(args, out, sizeof out) == 1 && strstr(out, "bearers") && strstr(out, "label") &&
              strstr(out, "orörd"), "bytes in a text column is refused: %s", out);
    CHECK(pvs_db_open(&pvs_postgres_ops, dsn, &db, err, sizeof err) == PVS_DB_OK &&
              count(db, "users") == 0 && count(db, "audit_log") == 0,
          "the refused move left the target empty");
    pvs_db_close(db);
}

/* After the move the same server runs on PostgreSQL. */
static void t_after(int64_t phone, const uint8_t sk[64], int64_t lost, int64_t max_provider)
{
    struct pvt_resp r;
    CHECK(pvt_req(&S, &ADMIN, "GET", "/api/v1/providers", NULL, &r) == 0 && r.status == 200,
          "the administrator's session from before the move: %ld", r.status);
    pvt_resp_free(&r);
    long st = 0;
    json_t *o = pvt_sync_phone(&S, phone, sk, &st);
    CHECK(st == 200 && revokes(o, lost), "a sync after the move (%ld) carries the lost key", st);
    json_decref(o);
    int64_t id = post(&ADMIN, "/api/v1/providers", "{\"name\":\"Hemtjänst Ny\"}");
    CHECK(id > max_provider, "new ids continue after the old ones (%lld > %lld)", (long long)id,
          (long long)max_provider);
}

static int drop_db(const char *base, const char *name)
{
    pvs_db *db = NULL;
    char err[300], sql[120];
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", name);
    int rc = pvs_db_open(&pvs_postgres_ops, base, &db, err, sizeof err) == PVS_DB_OK &&
             pvs_exec(db, sql, PVS_NOARGS) >= 0 ? 0 : -1;
    pvs_db_close(db);
    return rc;
}

static void t_move(const char *base, const char *file, int64_t phone, const uint8_t sk[64],
                   int64_t lost)
{
    char name[64], dsn[600], args[2000], out[4000];
    pvs_pg_name_for("pvm_", S.dir, name, sizeof name);
    snprintf(dsn, sizeof dsn, "%s dbname=%s", base, name);
    snprintf(args, sizeof args, "CREATE DATABASE %s", name); /* as an operator's createdb */
    pvs_db *db = NULL, *lite = NULL;
    char err[300];
    int64_t max_provider = 0;
    CHECK(drop_db(base, name) == 0 && pvs_db_open(&pvs_postgres_ops, base, &db, err, sizeof err)
              == PVS_DB_OK && pvs_exec(db, args, PVS_NOARGS) >= 0, "createdb %s", name);
    pvs_db_close(db);
    CHECK(pvs_db_open(&pvs_sqlite_ops, file, &lite, err, sizeof err) == PVS_DB_OK &&
              pvs_query_i64(lite, "SELECT MAX(id) FROM providers", PVS_NOARGS, &max_provider)
              == PVS_DB_OK, "the old highest provider id");
    pvs_db_close(lite);
    snprintf(args, sizeof args, "--from 'sqlite:%s' --to '%s'", file, dsn);
    CHECK(run(args, out, sizeof out) == 0 && strstr(out, "audit trail intact"), "migrate: %s", out);
    printf("%s", out);
    int tables = same_counts(file, dsn);
    CHECK(tables > 20, "tables compared: %d", tables);
    CHECK(run(args, out, sizeof out) == 1 && strstr(out, "inte tom") && strstr(out, "not empty"),
          "a second move into the same database is refused: %s", out);
    snprintf(args, sizeof args, "'%s' audit-verify --db '%s' >/dev/null", S.exe, dsn);
    CHECK(system(args) == 0, "audit-verify on the PostgreSQL copy");
    snprintf(S.db, sizeof S.db, "%s", dsn);
    CHECK(pvt_restart(&S, NULL) == 0, "the server starts on the PostgreSQL copy");
    if (S.pid > 0)
        t_after(phone, sk, lost, max_provider);
    CHECK(pvt_stop(&S) == 0, "the server stops cleanly");
    CHECK(drop_db(base, name) == 0, "drop %s", name);
}

int main(int argc, char **argv)
{
    const char *base = getenv("PVS_TEST_PG_DSN");
    if (argc < 3)
        return 2;
    if (!base) {
        printf("test_migrate: no PostgreSQL server (PVS_TEST_PG_DSN); skipped\n");
        return 77;
    }
    setenv("PVS_TEST_BACKEND", "sqlite", 1); /* the source is the embedded default */
    if (pvt_start(&S, argv[1], argv[2], NULL) != 0 || pvt_login_admin(&S, &ADMIN) != 0)
        return 1;
    load_issuer_key();
    uint8_t sk[64];
    int64_t lost = 0, phone = populate(sk, &lost);
    CHECK(pvt_stop(&S) == 0, "the SQLite server stops cleanly");
    char file[700], name[64];
    snprintf(file, sizeof file, "%s", S.db);
    t_refusals(base, file);
    t_move(base, file, phone, sk, lost);
    pvs_pg_name_for("pvm_bad_", S.dir, name, sizeof name);
    CHECK(drop_db(base, name) == 0, "drop %s", name);
    sodium_memzero(sk, sizeof sk);
    printf("test_migrate: %d failure(s)\n", pvt_failures);
    return pvt_failures ? 1 : 0;
}
