/* Domain test fixtures: a migrated store and direct inserts (see domain_fixture.h). */
#include "domain_fixture.h"
#include "pg_fresh.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "../../server/rules/rights.h"
#include "../../server/services/issue.h"

static void die(const char *what, int rc)
{
    fprintf(stderr, "fixture: %s failed (%d)\n", what, rc);
    exit(2);
}

/* PVS_TEST_BACKEND=postgresql: a fresh database in the server PVS_TEST_PG_DSN names
 * (tests/server/with_postgres.sh), its conninfo in dsn; exits 77 (skipped) without one. */
static const struct pvs_db_ops *fresh_db(dfx *f, char *dsn, size_t cap)
{
    const char *backend = getenv("PVS_TEST_BACKEND"), *base = getenv("PVS_TEST_PG_DSN");
    if (!backend || strcmp(backend, "postgresql") != 0) {
        snprintf(dsn, cap, "%s", f->path);
        return &pvs_sqlite_ops;
    }
    if (!base) {
        printf("fixture: no PostgreSQL server (PVS_TEST_PG_DSN); skipped\n");
        exit(77);
    }
    static unsigned n;
    char name[64];
    snprintf(name, sizeof name, "pvs_dfx_%ld_%u", (long)getpid(), n++);
    if (pvs_pg_fresh_db(base, name, dsn, cap) != 0)
        die("create database", -1);
    return &pvs_postgres_ops;
}

void dfx_open(dfx *f)
{
    memset(f, 0, sizeof *f);
    if (sodium_init() < 0)
        die("sodium_init", -1);
    snprintf(f->dir, sizeof f->dir, "/tmp/pvs-domain-XXXXXX");
    if (!mkdtemp(f->dir))
        die("mkdtemp", -1);
    snprintf(f->path, sizeof f->path, "%s/db.sqlite", f->dir);
    char err[256], dsn[1024];
    const struct pvs_db_ops *ops = fresh_db(f, dsn, sizeof dsn);
    if (pvs_db_open(ops, dsn, &f->db, err, sizeof err) != PVS_DB_OK) {
        fprintf(stderr, "%s\n", err);
        die("open", -1);
    }
    int applied = 0;
    if (pvs_migrate(f->db, &applied, err, sizeof err) != PVS_DB_OK) {
        fprintf(stderr, "%s\n", err);
        die("migrate", -1);
    }
    f->issuer.issuer_id = 1;
    f->issuer.key_id = 1;
    crypto_sign_keypair(f->issuer.pk, f->issuer.sk);
}

void dfx_close(dfx *f)
{
    pvs_db_close(f->db);
    char p[400];
    const char *suffix[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", f->path, suffix[i]);
        unlink(p);
    }
    rmdir(f->dir);
}

void dfx_begin(dfx *f)
{
    int rc = pvs_tx_begin(f->db, true);
    if (rc != PVS_DB_OK)
        die("begin", rc);
}

void dfx_commit(dfx *f)
{
    int rc = pvs_tx_commit(f->db);
    if (rc != PVS_DB_OK)
        die("commit", rc);
}

static int64_t insert(dfx *f, const char *sql, const struct pvs_param *p, size_t n)
{
    int64_t id = 0;
    int rc = pvs_query_i64(f->db, sql, p, n, &id);
    if (rc != PVS_DB_OK) {
        fprintf(stderr, "%s: %s\n", sql, pvs_db_errmsg(f->db));
        die("insert", rc);
    }
    return id;
}

int64_t dfx_provider(dfx *f, const char *name)
{
    return insert(f, "INSERT INTO providers (name, created_at, updated_at) VALUES (?, 0, 0)"
                     " RETURNING id", PVS_ARGS(PVS_TEXT(name)));
}

int64_t dfx_staff(dfx *f, int64_t provider)
{
    return insert(f, "INSERT INTO staff (provider_id, display_name, created_at) VALUES (?, 'S', 0)"
                     " RETURNING id", PVS_ARGS(PVS_I64(provider)));
}

int64_t dfx_bearer(dfx *f, int64_t staff, int64_t provider, uint8_t *sk_out)
{
    uint8_t pk[32], sk[64];
    crypto_sign_keypair(pk, sk);
    if (sk_out)
        memcpy(sk_out, sk, 64);
    sodium_memzero(sk, sizeof sk);
    return insert(f, "INSERT INTO bearers (staff_id, provider_id, kind, label, public_key,"
                     " created_at) VALUES (?, ?, 'fob', 'K-test', ?, 0) RETURNING id",
                  PVS_ARGS(PVS_I64(staff), PVS_I64(provider), PVS_BLOB(pk, 32)));
}

int64_t dfx_owner(dfx *f)
{
    return insert(f, "INSERT INTO owners (name, created_at) VALUES ('Owner AB', 0) RETURNING id",
                  PVS_NOARGS);
}

int64_t dfx_building(dfx *f, int64_t owner)
{
    return insert(f, "INSERT INTO buildings (owner_id, address, created_at) VALUES"
                     " (?, 'Storgatan 1', 0) RETURNING id", PVS_ARGS(PVS_I64(owner)));
}

int64_t dfx_lock(dfx *f, int64_t building, const char *kind, uint8_t *sk_out)
{
    uint8_t pk[32], sk[64];
    crypto_sign_keypair(pk, sk);
    if (sk_out)
        memcpy(sk_out, sk, 64);
    sodium_memzero(sk, sizeof sk);
    return insert(f, "INSERT INTO locks (kind, building_id, lock_public_key, state, created_at)"
                     " VALUES (?, ?, ?, 'installed', 0) RETURNING id",
                  PVS_ARGS(PVS_TEXT(kind), PVS_I64(building), PVS_BLOB(pk, 32)));
}

int64_t dfx_recipient(dfx *f, int64_t building, int64_t lock)
{
    static unsigned n;
    char code[32];
    snprintf(code, sizeof code, "LA-%u-%u", (unsigned)getpid(), ++n);
    return insert(f, "INSERT INTO recipients (alarm_code, building_id, lock_id, created_at)"
                     " VALUES (?, ?, ?, 0) RETURNING id",
                  PVS_ARGS(PVS_TEXT(code), PVS_I64(building), PVS_I64(lock)));
}

void dfx_period(dfx *f, int64_t recipient, int64_t provider, const char *from, const char *until)
{
    insert(f, "INSERT INTO recipient_providers (recipient_id, provider_id, valid_from,"
              " valid_until, created_at) VALUES (?, ?, ?, ?, 0) RETURNING id",
           PVS_ARGS(PVS_I64(recipient), PVS_I64(provider), PVS_TEXT(from),
                    PVS_TEXT_OR_NULL(until)));
}

int64_t dfx_right(dfx *f, int64_t staff, int64_t recipient, int64_t provider, const char *from,
                  const char *until, uint8_t days, uint16_t from_min, uint16_t to_min)
{
    pvs_window w = {days, from_min, to_min};
    uint8_t blob[PVS_WINDOW_BLOB];
    size_t len = 0;
    if (pvs_windows_encode(&w, 1, blob, sizeof blob, &len) != PV_OK)
        die("window", -1);
    int64_t id = insert(f, "INSERT INTO rights (staff_id, recipient_id, provider_id, kind,"
                           " valid_from, valid_until, windows, created_at)"
                           " VALUES (?, ?, ?, 'standing', ?, ?, ?, 0) RETURNING id",
                        PVS_ARGS(PVS_I64(staff), PVS_I64(recipient), PVS_I64(provider),
                                 PVS_TEXT(from), PVS_TEXT_OR_NULL(until), PVS_BLOB(blob, len)));
    if (pvs_rights_refresh_recipient(f->db, recipient) != PVS_DB_OK)
        die("refresh", -1);
    return id;
}
