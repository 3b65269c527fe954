/* Storage interface of portvakt-server: one ops table per backend (SQLite now, PostgreSQL
 * next), typed positional parameters, a connection pool and the migration registry. */
#ifndef PVS_STORE_H
#define PVS_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "portvakt/error.h"

/*
 * Result codes of every store call. Row iteration returns PVS_DB_ROW / PVS_DB_DONE;
 * everything else returns PVS_DB_OK or one negative code. The negative codes are
 * distinct so that handlers can answer a person precisely: a UNIQUE violation is a
 * 409 "that username is taken", BUSY is a 503 "try again", anything else a 500.
 */
enum pvs_db_rc {
    PVS_DB_OK = 0,
    PVS_DB_ROW = 1,         /* pvs_next(): a row is ready */
    PVS_DB_DONE = 2,        /* pvs_next(): no more rows */
    PVS_DB_UNIQUE = -1,     /* UNIQUE or PRIMARY KEY constraint violated */
    PVS_DB_FOREIGN = -2,    /* FOREIGN KEY constraint violated */
    PVS_DB_CONSTRAINT = -3, /* CHECK / NOT NULL constraint violated */
    PVS_DB_BUSY = -4,       /* database locked longer than the busy timeout */
    PVS_DB_NOTFOUND = -5,   /* pvs_query_*(): the query returned no row */
    PVS_DB_MISUSE = -6,     /* caller error: bad parameter index, not in a transaction... */
    PVS_DB_ERROR = -7,      /* anything else (I/O, syntax, out of memory) */
    PVS_DB_UNAVAILABLE = -8 /* the database server cannot be reached (connection lost and
                             * not re-established): nothing committed; try again later */
};

/* Short name of a pvs_db_rc for logs ("unique", "busy"...), never NULL. */
const char *pvs_db_rcname(int rc);

/* ------------------------------------------------------------------ parameters */

enum pvs_ptype { PVS_PT_NULL, PVS_PT_I64, PVS_PT_TEXT, PVS_PT_BLOB };

/* One positional parameter for a `?` placeholder. Text and blobs are borrowed: they
 * must stay valid until the statement has been stepped the first time. */
struct pvs_param {
    enum pvs_ptype type;
    int64_t i;
    const void *p;
    size_t len; /* bytes of p; for text, SIZE_MAX means "NUL terminated" */
};

#define PVS_NULL ((struct pvs_param){.type = PVS_PT_NULL})
#define PVS_I64(v) ((struct pvs_param){.type = PVS_PT_I64, .i = (int64_t)(v)})
#define PVS_TEXT(s) ((struct pvs_param){.type = PVS_PT_TEXT, .p = (s), .len = SIZE_MAX})
#define PVS_TEXTN(s, n) ((struct pvs_param){.type = PVS_PT_TEXT, .p = (s), .len = (n)})
#define PVS_BLOB(b, n) ((struct pvs_param){.type = PVS_PT_BLOB, .p = (b), .len = (n)})
/* NULL when s is NULL, else text: for nullable columns. */
#define PVS_TEXT_OR_NULL(s) ((s) ? PVS_TEXT(s) : PVS_NULL)
/* NULL when v == 0, else the integer: for nullable foreign keys (ids start at 1). */
#define PVS_ID_OR_NULL(v) ((v) ? PVS_I64(v) : PVS_NULL)

/* Parameter list for the calls below: PVS_ARGS(PVS_I64(id), PVS_TEXT(name)) expands to
 * "array, count"; PVS_NOARGS to "NULL, 0". */
#define PVS_ARGS(...)                                                                   \
    (const struct pvs_param[]){__VA_ARGS__},                                            \
        (sizeof((const struct pvs_param[]){__VA_ARGS__}) / sizeof(struct pvs_param))
#define PVS_NOARGS NULL, 0

/* ------------------------------------------------------------------ the ops table */

/*
 * A backend implements these over its own connection (`be`) and statement (`bst`)
 * objects. Contracts:
 *  - open(): one connection to `dsn` (SQLite: a file path; PG: a conninfo string),
 *    with foreign keys enforced and a busy timeout; SQLite also switches to WAL.
 *  - exec_script(): runs one or more ;-separated statements without parameters (for
 *    migrations only).
 *  - prepare(): `sql` uses `?` placeholders (PG rewrites them to $n);
 *    bind() is 1-based like SQLite; step() returns PVS_DB_ROW, PVS_DB_DONE or an error;
 *    for statements with RETURNING, the returned rows come out of step().
 *  - col_*(): 0-based; col_text() returns NULL for SQL NULL, valid until the next step.
 *  - changes(): rows changed by the last completed INSERT/UPDATE/DELETE on `be`.
 *  - every failing call leaves a message for errmsg().
 */
struct pvs_db_ops {
    const char *name; /* "sqlite", "postgresql" */
    int (*open)(const char *dsn, void **be);
    void (*close)(void *be);
    int (*begin)(void *be, bool write); /* write: take the write lock now (BEGIN IMMEDIATE) */
    int (*commit)(void *be);
    int (*rollback)(void *be);
    int (*exec_script)(void *be, const char *sql);
    int (*prepare)(void *be, const char *sql, void **bst);
    int (*bind)(void *bst, int idx, const struct pvs_param *p);
    int (*step)(void *bst);
    int (*col_count)(void *bst);
    bool (*col_is_null)(void *bst, int col);
    int64_t (*col_i64)(void *bst, int col);
    const char *(*col_text)(void *bst, int col);
    const void *(*col_blob)(void *bst, int col, size_t *len);
    void (*finalize)(void *bst);
    /* Make a stepped statement runnable again (bindings are then replaced one by one). */
    int (*reset)(void *bst);
    int64_t (*changes)(void *be);
    const char *(*errmsg)(void *be);
    /* Text substituted for the migration tokens @PK@ (auto-increment integer primary
     * key) and @BLOB@ (byte string type). */
    const char *pk_type;
    const char *blob_type;
};

extern const struct pvs_db_ops pvs_sqlite_ops;
extern const struct pvs_db_ops pvs_postgres_ops;

/* The backend a --db value names: PostgreSQL for "postgresql://..." / "postgres://..." URIs
 * and "key=value" conninfo strings (host=, dbname=...), SQLite (a file path) otherwise. */
const struct pvs_db_ops *pvs_db_ops_for(const char *dsn);

/* One open connection and its transaction state, opaque outside server/store/ (its fields:
 * server/store/store_internal.h). Used by one thread at a time. */
typedef struct pvs_db pvs_db;

/* A prepared statement; declared by the caller, filled by pvs_query(). Its fields belong
 * to the store: read rows only through pvs_next() and pvs_col_*(). */
typedef struct pvs_stmt {
    pvs_db *db;
    void *bst;
} pvs_stmt;

/* Open one connection. Errors: PVS_DB_ERROR (message in *err if err != NULL, a static or
 * heap-free string copied into errbuf). */
int pvs_db_open(const struct pvs_db_ops *ops, const char *dsn, pvs_db **out, char *errbuf,
                size_t errcap) PV_MUST_CHECK;
void pvs_db_close(pvs_db *db);
const char *pvs_db_errmsg(pvs_db *db);

/* Transactions. pvs_tx_begin(db, true) takes the write lock at once, so two writers never
 * deadlock upgrading read locks. Nested begin is PVS_DB_MISUSE. */
int pvs_tx_begin(pvs_db *db, bool write) PV_MUST_CHECK;
int pvs_tx_commit(pvs_db *db) PV_MUST_CHECK;
/* Roll back if a transaction is open; harmless otherwise. */
void pvs_tx_rollback(pvs_db *db);
bool pvs_tx_is_write(const pvs_db *db);
/* True while a transaction is open on db. */
bool pvs_tx_in_progress(const pvs_db *db);

/* The backend of db (its name, pk_type, blob_type; tests also reach its ops). */
const struct pvs_db_ops *pvs_db_ops_of(const pvs_db *db);
/* Failed calls on db since it was opened, for /metrics. */
unsigned long pvs_db_error_count(const pvs_db *db);
/* Runs ;-separated statements without parameters (migrations and test fixtures only). */
int pvs_db_exec_script(pvs_db *db, const char *sql) PV_MUST_CHECK;
/* Rows changed by the last completed INSERT/UPDATE/DELETE on db. */
int64_t pvs_changes(pvs_db *db);

/* Execute one statement with parameters. Returns the number of changed rows (>= 0) or a
 * negative pvs_db_rc. */
int64_t pvs_exec(pvs_db *db, const char *sql, const struct pvs_param *p, size_t n);

/* Run a prepared statement again with new parameters (reset, then bind p[0..n)): hot loops
 * prepare once and rebind per row. */
int pvs_rebind(pvs_stmt *st, const struct pvs_param *p, size_t n) PV_MUST_CHECK;

/* Prepare + bind. Iterate with pvs_next() and always pvs_finalize(). */
int pvs_query(pvs_db *db, pvs_stmt *st, const char *sql, const struct pvs_param *p,
              size_t n) PV_MUST_CHECK;
/* PVS_DB_ROW, PVS_DB_DONE or a negative code. */
int pvs_next(pvs_stmt *st);
void pvs_finalize(pvs_stmt *st);
int pvs_col_count(pvs_stmt *st);
bool pvs_col_is_null(pvs_stmt *st, int col);
int64_t pvs_col_i64(pvs_stmt *st, int col);
/* NULL for SQL NULL. Valid until the next pvs_next()/pvs_finalize(). */
const char *pvs_col_text(pvs_stmt *st, int col);
const void *pvs_col_blob(pvs_stmt *st, int col, size_t *len);

/* First column of the first row as an integer (PVS_DB_NOTFOUND if no row; a NULL value
 * reads as 0). Also for "INSERT ... RETURNING id". */
int pvs_query_i64(pvs_db *db, const char *sql, const struct pvs_param *p, size_t n,
                  int64_t *out) PV_MUST_CHECK;
/* First column of the first row as text, copied into buf (NUL terminated; PVS_DB_MISUSE if
 * it does not fit, PVS_DB_NOTFOUND if no row, empty string for NULL). */
int pvs_query_text(pvs_db *db, const char *sql, const struct pvs_param *p, size_t n,
                   char *buf, size_t cap) PV_MUST_CHECK;

/* ------------------------------------------------------------------ pool */

/*
 * A fixed set of connections shared by the HTTP worker threads: acquire blocks until one
 * is free. Size it to the worker threads so the sync path never waits for a connection.
 */
typedef struct pvs_store pvs_store;

int pvs_store_open(const struct pvs_db_ops *ops, const char *dsn, unsigned nconn,
                   pvs_store **out, char *errbuf, size_t errcap) PV_MUST_CHECK;
void pvs_store_close(pvs_store *s);
pvs_db *pvs_store_acquire(pvs_store *s);
/* Rolls back any transaction left open, then returns the connection to the pool. */
void pvs_store_release(pvs_store *s, pvs_db *db);
/* Total failed store calls over all connections, for /metrics. */
unsigned long pvs_store_errors(pvs_store *s);
const struct pvs_db_ops *pvs_store_ops(const pvs_store *s);

/* ------------------------------------------------------------------ migrations */

/*
 * Each module contributes an ordered array of migrations. Versions are global and
 * unique: core 1..99 (server/store/migrations_core.c), domain 100..199
 * (server/store/migrations_domain.c), 200.. for future modules. A migration's SQL may use
 * the tokens @PK@ and @BLOB@ (see pvs_db_ops). Where portable SQL is impossible (triggers,
 * functions), write "<SQLite text>@POSTGRES@<PostgreSQL text>": each backend runs its half. Applied versions are recorded in
 * schema_migrations; each migration runs in its own write transaction. A version that is
 * recorded but no longer known, or a duplicate version, is an error.
 */
struct pvs_migration {
    int version;
    const char *name;
    const char *sql;
};

extern const struct pvs_migration pvs_migrations_core[];
extern const size_t pvs_migrations_core_count;
extern const struct pvs_migration pvs_migrations_domain[];
extern const size_t pvs_migrations_domain_count;

/* Apply every pending migration of every module. *applied receives how many ran.
 * Errors: a pvs_db_rc; a description goes to errbuf. */
int pvs_migrate(pvs_db *db, int *applied, char *errbuf, size_t errcap) PV_MUST_CHECK;
/* Highest applied version (0 on an empty database). */
int pvs_schema_version(pvs_db *db, int *version) PV_MUST_CHECK;

#endif
