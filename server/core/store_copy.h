/* The table copier behind `portvakt-server migrate` (store_copy.c): plan the tables of a
 * SQLite store and their PostgreSQL twins, copy each in batches, digest both sides. */
#ifndef PVS_STORE_COPY_H
#define PVS_STORE_COPY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pvs/store.h"

#define PVS_COPY_TABLES_MAX 160 /* the schema has 44 tables (late 2026) */
#define PVS_COPY_COLS_MAX 64
#define PVS_COPY_NAME_MAX 64 /* identifiers are [a-z0-9_], checked before use */

enum pvs_copy_kind { PVS_COPY_INT, PVS_COPY_TEXT, PVS_COPY_BLOB };

struct pvs_copy_table {
    char name[PVS_COPY_NAME_MAX];
    int ncols;
    char col[PVS_COPY_COLS_MAX][PVS_COPY_NAME_MAX];
    enum pvs_copy_kind kind[PVS_COPY_COLS_MAX]; /* from the target's column type */
    char order_by[PVS_COPY_COLS_MAX * (PVS_COPY_NAME_MAX + 4)]; /* primary key, or rowid */
    bool seeded;        /* the target's schema put its one row there: replaced, not refused */
    int64_t rows;       /* rows copied from the source */
    uint8_t digest[32]; /* order-free digest of those rows (sum of row hashes) */
};

/* Every table of the source (but schema_migrations), parents before children. */
struct pvs_copy_plan {
    int n;
    struct pvs_copy_table t[PVS_COPY_TABLES_MAX];
};

/* Fill *p from the SQLite `src` and the migrated PostgreSQL `dst`: the same tables with the
 * same columns on both sides (else PVS_DB_MISUSE and the difference in err). */
int pvs_copy_plan_make(pvs_db *src, pvs_db *dst, struct pvs_copy_plan *p, char *err,
                       size_t cap) PV_MUST_CHECK;

/* 0 when dst holds nothing but what its migrations seeded; else 1 with the first table
 * holding rows in *table and their number in *rows (or a negative pvs_db_rc). */
int pvs_copy_target_empty(pvs_db *dst, struct pvs_copy_plan *p, const char **table,
                          int64_t *rows) PV_MUST_CHECK;

/* Copy one table inside the callers' transactions (a read snapshot on src, a write
 * transaction on dst), then move dst's id sequences past every id src ever gave out.
 * Fills t->rows and t->digest. A value whose stored type differs from the column's is
 * refused (PVS_DB_CONSTRAINT), never converted. */
int pvs_copy_table(pvs_db *src, pvs_db *dst, struct pvs_copy_table *t, char *err,
                   size_t cap) PV_MUST_CHECK;

/* Read t back from dst: its row count and digest, computed as pvs_copy_table did. */
int pvs_copy_readback(pvs_db *dst, const struct pvs_copy_table *t, int64_t *rows,
                      uint8_t digest[32]) PV_MUST_CHECK;

#endif
