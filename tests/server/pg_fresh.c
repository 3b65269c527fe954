/* Fresh PostgreSQL test databases cloned from a migrated template: migrating each test's
 * database anew costs most of a small test's time; CREATE DATABASE ... TEMPLATE is a file copy. */
#include "pg_fresh.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "pvs/store.h"

#define TEMPLATE_LOCK 715390112 /* advisory lock key: one template builder at a time */

static void hash_module(crypto_generichash_state *h, const struct pvs_migration *m, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char v[16];
        int len = snprintf(v, sizeof v, "%d:", m[i].version);
        crypto_generichash_update(h, (const unsigned char *)v, (size_t)len);
        crypto_generichash_update(h, (const unsigned char *)m[i].sql, strlen(m[i].sql) + 1);
    }
}

/* pvs_tpl_<16 hex of BLAKE2b over every migration>: a schema change makes a new template. */
static void template_name(char out[32])
{
    crypto_generichash_state h;
    unsigned char d[8];
    crypto_generichash_init(&h, NULL, 0, sizeof d);
    hash_module(&h, pvs_migrations_core, pvs_migrations_core_count);
    hash_module(&h, pvs_migrations_domain, pvs_migrations_domain_count);
    crypto_generichash_final(&h, d, sizeof d);
    char hex[17];
    sodium_bin2hex(hex, sizeof hex, d, sizeof d);
    snprintf(out, 32, "pvs_tpl_%s", hex);
}

/* Runs "<verb> <a><mid><b>" (names are [a-z0-9_] only, so no quoting is needed). */
static int sql1(pvs_db *db, const char *verb, const char *a, const char *mid, const char *b)
{
    char sql[256];
    snprintf(sql, sizeof sql, "%s %s%s%s", verb, a, mid, b);
    int rc = pvs_db_exec_script(db, sql);
    if (rc != PVS_DB_OK)
        fprintf(stderr, "pg_fresh: %s: %s\n", sql, pvs_db_errmsg(db));
    return rc;
}

/* Builds the template under a temporary name and renames it when complete, so a test that
 * dies half way never leaves a half-migrated template behind. */
static int build_template(pvs_db *admin, const char *base, const char *tpl)
{
    int64_t have = 0;
    if (pvs_query_i64(admin, "SELECT COUNT(*) FROM pg_database WHERE datname = ?",
                      PVS_ARGS(PVS_TEXT(tpl)), &have) != PVS_DB_OK)
        return -1;
    if (have)
        return 0;
    if (sql1(admin, "DROP DATABASE IF EXISTS", tpl, "_tmp", "") != PVS_DB_OK ||
        sql1(admin, "CREATE DATABASE", tpl, "_tmp", "") != PVS_DB_OK)
        return -1;
    char dsn[1024], err[300];
    snprintf(dsn, sizeof dsn, "%s dbname=%s_tmp", base, tpl);
    pvs_db *db = NULL;
    int applied = 0, rc = pvs_db_open(&pvs_postgres_ops, dsn, &db, err, sizeof err);
    if (rc == PVS_DB_OK)
        rc = pvs_migrate(db, &applied, err, sizeof err);
    pvs_db_close(db);
    if (rc != PVS_DB_OK) {
        fprintf(stderr, "pg_fresh: template: %s\n", err);
        return -1;
    }
    return sql1(admin, "ALTER DATABASE", tpl, "_tmp RENAME TO ", tpl) == PVS_DB_OK ? 0 : -1;
}

int pvs_pg_fresh_db(const char *base, const char *name, char *dsn, size_t cap)
{
    char tpl[32], err[300], lock[64];
    template_name(tpl);
    pvs_db *admin = NULL;
    if (pvs_db_open(&pvs_postgres_ops, base, &admin, err, sizeof err) != PVS_DB_OK) {
        fprintf(stderr, "pg_fresh: %s\n", err);
        pvs_db_close(admin);
        return -1;
    }
    snprintf(lock, sizeof lock, "SELECT pg_advisory_lock(%d)", TEMPLATE_LOCK);
    int rc = pvs_db_exec_script(admin, lock) == PVS_DB_OK ? build_template(admin, base, tpl) : -1;
    if (rc == 0)
        rc = sql1(admin, "DROP DATABASE IF EXISTS", name, "", "") == PVS_DB_OK &&
                     sql1(admin, "CREATE DATABASE", name, " TEMPLATE ", tpl) == PVS_DB_OK
                 ? 0
                 : -1;
    pvs_db_close(admin); /* ends the session and with it the advisory lock */
    snprintf(dsn, cap, "%s dbname=%s", base, name);
    return rc;
}

void pvs_pg_name_for(const char *prefix, const char *dir, char *out, size_t cap)
{
    unsigned char d[4];
    char hex[9];
    crypto_generichash(d, sizeof d, (const unsigned char *)dir, strlen(dir), NULL, 0);
    sodium_bin2hex(hex, sizeof hex, d, sizeof d);
    const char *leaf = strrchr(dir, '/');
    size_t n = (size_t)snprintf(out, cap, "%s", prefix);
    for (const char *p = leaf ? leaf + 1 : dir; *p && n + 12 < cap && n < 50; p++)
        out[n++] = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ? *p : '_';
    snprintf(out + n, cap - n, "_%s", hex);
}
