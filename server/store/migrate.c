/* The versioned migration runner: merges every module's migrations by global version and
 * applies the pending ones, each in its own write transaction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvs/clock.h"
#include "pvs/store.h"
#include "store_internal.h"

#define MIGRATION_MAX 400

struct module {
    const struct pvs_migration *list;
    size_t count;
};

static int cmp_version(const void *a, const void *b)
{
    const struct pvs_migration *x = *(const struct pvs_migration *const *)a;
    const struct pvs_migration *y = *(const struct pvs_migration *const *)b;
    return (x->version > y->version) - (x->version < y->version);
}

#define DIALECT_SPLIT "@POSTGRES@"

/* Replace @PK@ and @BLOB@ with the backend's types, up to `end`. Caller frees. */
static char *expand_n(const struct pvs_db_ops *ops, const char *sql, const char *end);

/* "<SQLite>@POSTGRES@<PostgreSQL>": the half for this backend (the whole text if unsplit). */
static const char *dialect_part(const struct pvs_db_ops *ops, const char *sql)
{
    const char *split = strstr(sql, DIALECT_SPLIT);
    if (!split)
        return sql;
    return strcmp(ops->name, "postgresql") == 0 ? split + strlen(DIALECT_SPLIT) : sql;
}

static char *expand(const struct pvs_db_ops *ops, const char *sql)
{
    const char *split = strstr(sql, DIALECT_SPLIT);
    return expand_n(ops, sql, split ? split : sql + strlen(sql));
}

static char *expand_n(const struct pvs_db_ops *ops, const char *sql, const char *end)
{
    size_t cap = strlen(sql) * 2 + 256, n = 0;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    for (const char *p = sql; *p && p < end;) {
        const char *rep = NULL;
        size_t skip = 0;
        if (strncmp(p, "@PK@", 4) == 0) {
            rep = ops->pk_type;
            skip = 4;
        } else if (strncmp(p, "@BLOB@", 6) == 0) {
            rep = ops->blob_type;
            skip = 6;
        }
        size_t add = rep ? strlen(rep) : 1;
        if (n + add + 1 > cap) {
            cap = (n + add + 1) * 2;
            char *bigger = realloc(out, cap);
            if (!bigger) {
                free(out);
                return NULL;
            }
            out = bigger;
        }
        if (rep) {
            memcpy(out + n, rep, add);
            p += skip;
        } else {
            out[n] = *p++;
        }
        n += add;
    }
    out[n] = '\0';
    return out;
}

int pvs_schema_version(pvs_db *db, int *version)
{
    int64_t v = 0;
    int rc = pvs_query_i64(db, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
                           PVS_NOARGS, &v);
    *version = (int)v;
    return rc;
}

static int collect(const struct pvs_migration **all, size_t *n, char *errbuf, size_t errcap)
{
    const struct module mods[] = {
        {pvs_migrations_core, pvs_migrations_core_count},
        {pvs_migrations_domain, pvs_migrations_domain_count},
    };
    *n = 0;
    for (size_t m = 0; m < sizeof mods / sizeof mods[0]; m++)
        for (size_t i = 0; i < mods[m].count; i++) {
            if (*n >= MIGRATION_MAX || mods[m].list[i].version <= 0 || !mods[m].list[i].sql) {
                snprintf(errbuf, errcap, "migration table entry %zu of module %zu is invalid", i, m);
                return PVS_DB_MISUSE;
            }
            all[(*n)++] = &mods[m].list[i];
        }
    qsort(all, *n, sizeof all[0], cmp_version);
    for (size_t i = 1; i < *n; i++)
        if (all[i]->version == all[i - 1]->version) {
            snprintf(errbuf, errcap, "two migrations claim version %d (%s, %s)",
                     all[i]->version, all[i - 1]->name, all[i]->name);
            return PVS_DB_MISUSE;
        }
    return PVS_DB_OK;
}

static int apply_one(pvs_db *db, const struct pvs_migration *m, char *errbuf, size_t errcap)
{
    char *sql = expand(db->ops, dialect_part(db->ops, m->sql));
    if (!sql)
        return PVS_DB_ERROR;
    int rc = pvs_tx_begin(db, true);
    int64_t seen = 0; /* another instance starting at the same moment may have applied it */
    if (rc == PVS_DB_OK)
        rc = pvs_query_i64(db, "SELECT COUNT(*) FROM schema_migrations WHERE version = ?",
                           PVS_ARGS(PVS_I64(m->version)), &seen);
    if (rc == PVS_DB_OK && seen) {
        pvs_tx_rollback(db);
        free(sql);
        return PVS_DB_OK;
    }
    if (rc == PVS_DB_OK)
        rc = db->ops->exec_script(db->be, sql);
    if (rc == PVS_DB_OK)
        rc = (int)pvs_exec(db, "INSERT INTO schema_migrations (version, name, applied_at)"
                               " VALUES (?, ?, ?)",
                           PVS_ARGS(PVS_I64(m->version), PVS_TEXT(m->name), PVS_I64(pvs_now())));
    if (rc >= 0)
        rc = pvs_tx_commit(db);
    if (rc != PVS_DB_OK) {
        snprintf(errbuf, errcap, "migration %d (%s) failed: %s", m->version, m->name,
                 pvs_db_errmsg(db));
        pvs_tx_rollback(db);
    }
    free(sql);
    return rc;
}

int pvs_migrate(pvs_db *db, int *applied, char *errbuf, size_t errcap)
{
    const struct pvs_migration *list[MIGRATION_MAX];
    size_t n = 0;
    *applied = 0;
    int rc = db->ops->exec_script(db->be,
                                  "CREATE TABLE IF NOT EXISTS schema_migrations ("
                                  " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                                  " applied_at BIGINT NOT NULL)");
    if (rc != PVS_DB_OK) {
        snprintf(errbuf, errcap, "cannot create schema_migrations: %s", pvs_db_errmsg(db));
        return rc;
    }
    rc = collect(list, &n, errbuf, errcap);
    if (rc != PVS_DB_OK)
        return rc;
    int current = 0;
    rc = pvs_schema_version(db, &current);
    if (rc != PVS_DB_OK) {
        snprintf(errbuf, errcap, "cannot read schema version: %s", pvs_db_errmsg(db));
        return rc;
    }
    if (n == 0 ? current > 0 : current > list[n - 1]->version) {
        snprintf(errbuf, errcap,
                 "database schema version %d is newer than this server knows; upgrade portvakt-server",
                 current);
        return PVS_DB_MISUSE;
    }
    for (size_t i = 0; i < n; i++) {
        int64_t seen = 0;
        rc = pvs_query_i64(db, "SELECT COUNT(*) FROM schema_migrations WHERE version = ?",
                           PVS_ARGS(PVS_I64(list[i]->version)), &seen);
        if (rc != PVS_DB_OK)
            return rc;
        if (seen)
            continue;
        rc = apply_one(db, list[i], errbuf, errcap);
        if (rc != PVS_DB_OK)
            return rc;
        (*applied)++;
    }
    return PVS_DB_OK;
}
