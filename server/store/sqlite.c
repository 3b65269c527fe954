/* The SQLite backend of the store ops table: WAL, foreign keys, busy timeout, error mapping. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "pvs/store.h"

/* A writer waits this long for the lock before PVS_DB_BUSY; generous because WAL writers
 * are short (one request's transaction) and a 503 is worse than a few ms of waiting. */
#define SQLITE_BUSY_MS 5000

struct sq_conn {
    sqlite3 *h;
    char err[256];
};

struct sq_stmt {
    struct sq_conn *c;
    sqlite3_stmt *s;
};

static int map_rc(struct sq_conn *c, int rc)
{
    switch (rc) {
    case SQLITE_OK:
        return PVS_DB_OK;
    case SQLITE_ROW:
        return PVS_DB_ROW;
    case SQLITE_DONE:
        return PVS_DB_DONE;
    default:
        break;
    }
    snprintf(c->err, sizeof c->err, "%s", sqlite3_errmsg(c->h));
    int ext = sqlite3_extended_errcode(c->h);
    switch (ext) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
    case SQLITE_CONSTRAINT_ROWID:
        return PVS_DB_UNIQUE;
    case SQLITE_CONSTRAINT_FOREIGNKEY:
        return PVS_DB_FOREIGN;
    default:
        break;
    }
    switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
        return PVS_DB_CONSTRAINT;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return PVS_DB_BUSY;
    case SQLITE_MISUSE:
    case SQLITE_RANGE:
        return PVS_DB_MISUSE;
    default:
        return PVS_DB_ERROR;
    }
}

static int sq_script(void *be, const char *sql)
{
    struct sq_conn *c = be;
    char *msg = NULL;
    int rc = sqlite3_exec(c->h, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        int m = map_rc(c, rc);
        if (msg)
            snprintf(c->err, sizeof c->err, "%s", msg);
        sqlite3_free(msg);
        return m;
    }
    return PVS_DB_OK;
}

static int sq_open(const char *dsn, void **be)
{
    struct sq_conn *c = calloc(1, sizeof *c);
    if (!c)
        return PVS_DB_ERROR;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(dsn, &c->h, flags, NULL);
    if (rc != SQLITE_OK) {
        snprintf(c->err, sizeof c->err, "%s", c->h ? sqlite3_errmsg(c->h) : "out of memory");
        *be = c; /* caller reads errmsg, then closes */
        return PVS_DB_ERROR;
    }
    sqlite3_extended_result_codes(c->h, 1);
    sqlite3_busy_timeout(c->h, SQLITE_BUSY_MS);
    /* WAL: readers never block the writer; NORMAL sync is durable across process crashes
     * and loses at most the last transactions on power loss. */
    rc = sq_script(c, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                      " PRAGMA foreign_keys=ON; PRAGMA trusted_schema=OFF;"
                      /* deleted and overwritten values are zeroed in the file, so a purge
                       * or a secret sealed in place leaves no readable copy behind */
                      " PRAGMA secure_delete=ON;");
    *be = c;
    return rc;
}

static void sq_close(void *be)
{
    struct sq_conn *c = be;
    if (!c)
        return;
    sqlite3_close_v2(c->h);
    free(c);
}

static int sq_begin(void *be, bool write)
{
    return sq_script(be, write ? "BEGIN IMMEDIATE" : "BEGIN");
}

static int sq_commit(void *be)
{
    return sq_script(be, "COMMIT");
}

static int sq_rollback(void *be)
{
    return sq_script(be, "ROLLBACK");
}

static int sq_prepare(void *be, const char *sql, void **bst)
{
    struct sq_conn *c = be;
    struct sq_stmt *st = calloc(1, sizeof *st);
    if (!st)
        return PVS_DB_ERROR;
    st->c = c;
    const char *tail = NULL;
    int rc = sqlite3_prepare_v2(c->h, sql, -1, &st->s, &tail);
    if (rc != SQLITE_OK || !st->s) {
        int m = rc == SQLITE_OK ? PVS_DB_MISUSE : map_rc(c, rc);
        if (rc == SQLITE_OK)
            snprintf(c->err, sizeof c->err, "empty statement");
        sqlite3_finalize(st->s);
        free(st);
        return m;
    }
    while (tail && (*tail == ' ' || *tail == '\n' || *tail == ';' || *tail == '\t'))
        tail++;
    if (tail && *tail) { /* one statement per call: a second one is a programmer error */
        snprintf(c->err, sizeof c->err, "more than one statement");
        sqlite3_finalize(st->s);
        free(st);
        return PVS_DB_MISUSE;
    }
    *bst = st;
    return PVS_DB_OK;
}

static int sq_bind(void *bst, int idx, const struct pvs_param *p)
{
    struct sq_stmt *st = bst;
    int rc;
    switch (p->type) {
    case PVS_PT_NULL:
        rc = sqlite3_bind_null(st->s, idx);
        break;
    case PVS_PT_I64:
        rc = sqlite3_bind_int64(st->s, idx, p->i);
        break;
    case PVS_PT_TEXT:
        if (!p->p)
            rc = sqlite3_bind_null(st->s, idx);
        else
            rc = sqlite3_bind_text64(st->s, idx, p->p,
                                     p->len == SIZE_MAX ? strlen(p->p) : p->len,
                                     SQLITE_TRANSIENT, SQLITE_UTF8);
        break;
    case PVS_PT_BLOB:
        rc = sqlite3_bind_blob64(st->s, idx, p->p ? p->p : "", p->len, SQLITE_TRANSIENT);
        break;
    default:
        return PVS_DB_MISUSE;
    }
    return map_rc(st->c, rc);
}

static int sq_step(void *bst)
{
    struct sq_stmt *st = bst;
    return map_rc(st->c, sqlite3_step(st->s));
}

static int sq_reset(void *bst)
{
    /* the return value repeats the last step's error, which was reported then */
    sqlite3_reset(((struct sq_stmt *)bst)->s);
    return PVS_DB_OK;
}

static int sq_col_count(void *bst)
{
    return sqlite3_column_count(((struct sq_stmt *)bst)->s);
}

static bool sq_col_is_null(void *bst, int col)
{
    return sqlite3_column_type(((struct sq_stmt *)bst)->s, col) == SQLITE_NULL;
}

static int64_t sq_col_i64(void *bst, int col)
{
    return sqlite3_column_int64(((struct sq_stmt *)bst)->s, col);
}

static const char *sq_col_text(void *bst, int col)
{
    struct sq_stmt *st = bst;
    if (sqlite3_column_type(st->s, col) == SQLITE_NULL)
        return NULL;
    return (const char *)sqlite3_column_text(st->s, col);
}

static const void *sq_col_blob(void *bst, int col, size_t *len)
{
    struct sq_stmt *st = bst;
    const void *p = sqlite3_column_blob(st->s, col);
    int n = sqlite3_column_bytes(st->s, col);
    *len = n > 0 ? (size_t)n : 0;
    return p;
}

static void sq_finalize(void *bst)
{
    struct sq_stmt *st = bst;
    if (!st)
        return;
    sqlite3_finalize(st->s);
    free(st);
}

static int64_t sq_changes(void *be)
{
    return sqlite3_changes64(((struct sq_conn *)be)->h);
}

static const char *sq_errmsg(void *be)
{
    struct sq_conn *c = be;
    return c ? c->err : "no connection";
}

const struct pvs_db_ops pvs_sqlite_ops = {
    .name = "sqlite",
    .open = sq_open,
    .close = sq_close,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .exec_script = sq_script,
    .prepare = sq_prepare,
    .bind = sq_bind,
    .step = sq_step,
    .col_count = sq_col_count,
    .col_is_null = sq_col_is_null,
    .col_i64 = sq_col_i64,
    .col_text = sq_col_text,
    .col_blob = sq_col_blob,
    .finalize = sq_finalize,
    .reset = sq_reset,
    .changes = sq_changes,
    .errmsg = sq_errmsg,
    .pk_type = "INTEGER PRIMARY KEY AUTOINCREMENT", /* ids never reused */
    .blob_type = "BLOB",
};
