/* Backend-independent store calls: typed parameter binding, transactions, single-value
 * queries and the connection pool, all over one struct pvs_db_ops. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvs/store.h"
#include "store_internal.h"

const char *pvs_db_rcname(int rc)
{
    switch (rc) {
    case PVS_DB_OK: return "ok";
    case PVS_DB_ROW: return "row";
    case PVS_DB_DONE: return "done";
    case PVS_DB_UNIQUE: return "unique";
    case PVS_DB_FOREIGN: return "foreign";
    case PVS_DB_CONSTRAINT: return "constraint";
    case PVS_DB_BUSY: return "busy";
    case PVS_DB_NOTFOUND: return "notfound";
    case PVS_DB_MISUSE: return "misuse";
    case PVS_DB_UNAVAILABLE: return "unavailable";
    default: return "error";
    }
}

static int note(pvs_db *db, int rc)
{
    if (rc < 0 && rc != PVS_DB_NOTFOUND)
        __atomic_fetch_add(&db->errors, 1, __ATOMIC_RELAXED);
    return rc;
}

const struct pvs_db_ops *pvs_db_ops_for(const char *dsn)
{
    if (strncmp(dsn, "postgresql://", 13) == 0 || strncmp(dsn, "postgres://", 11) == 0 ||
        strstr(dsn, "dbname=") || strstr(dsn, "host="))
        return &pvs_postgres_ops;
    return &pvs_sqlite_ops;
}

int pvs_db_open(const struct pvs_db_ops *ops, const char *dsn, pvs_db **out, char *errbuf,
                size_t errcap)
{
    *out = NULL;
    pvs_db *db = calloc(1, sizeof *db);
    if (!db) {
        snprintf(errbuf, errcap, "out of memory");
        return PVS_DB_ERROR;
    }
    db->ops = ops;
    int rc = ops->open(dsn, &db->be);
    if (rc != PVS_DB_OK) {
        snprintf(errbuf, errcap, "cannot open database %s: %s", dsn, ops->errmsg(db->be));
        ops->close(db->be);
        free(db);
        return rc < 0 ? rc : PVS_DB_ERROR;
    }
    *out = db;
    return PVS_DB_OK;
}

void pvs_db_close(pvs_db *db)
{
    if (!db)
        return;
    pvs_tx_rollback(db);
    db->ops->close(db->be);
    free(db);
}

const char *pvs_db_errmsg(pvs_db *db)
{
    return db->ops->errmsg(db->be);
}

const struct pvs_db_ops *pvs_db_ops_of(const pvs_db *db)
{
    return db->ops;
}

unsigned long pvs_db_error_count(const pvs_db *db)
{
    return db->errors;
}

int pvs_db_exec_script(pvs_db *db, const char *sql)
{
    return db->ops->exec_script(db->be, sql);
}

int64_t pvs_changes(pvs_db *db)
{
    return db->ops->changes(db->be);
}

bool pvs_tx_is_write(const pvs_db *db)
{
    return db->tx == 2;
}

bool pvs_tx_in_progress(const pvs_db *db)
{
    return db->tx != 0;
}

int pvs_tx_begin(pvs_db *db, bool write)
{
    if (db->tx)
        return note(db, PVS_DB_MISUSE);
    int rc = db->ops->begin(db->be, write);
    if (rc == PVS_DB_OK)
        db->tx = write ? 2 : 1;
    return note(db, rc);
}

int pvs_tx_commit(pvs_db *db)
{
    if (!db->tx)
        return note(db, PVS_DB_MISUSE);
    int rc = db->ops->commit(db->be);
    if (rc == PVS_DB_OK)
        db->tx = 0;
    else
        pvs_tx_rollback(db);
    return note(db, rc);
}

void pvs_tx_rollback(pvs_db *db)
{
    if (!db->tx)
        return;
    (void)db->ops->rollback(db->be);
    db->tx = 0;
}

int pvs_query(pvs_db *db, pvs_stmt *st, const char *sql, const struct pvs_param *p, size_t n)
{
    st->db = db;
    st->bst = NULL;
    int rc = db->ops->prepare(db->be, sql, &st->bst);
    if (rc != PVS_DB_OK)
        return note(db, rc);
    for (size_t i = 0; i < n; i++) {
        rc = db->ops->bind(st->bst, (int)i + 1, &p[i]);
        if (rc != PVS_DB_OK) {
            db->ops->finalize(st->bst);
            st->bst = NULL;
            return note(db, rc);
        }
    }
    return PVS_DB_OK;
}

int pvs_rebind(pvs_stmt *st, const struct pvs_param *p, size_t n)
{
    if (!st->bst || !st->db->ops->reset)
        return PVS_DB_MISUSE;
    int rc = st->db->ops->reset(st->bst);
    for (size_t i = 0; rc == PVS_DB_OK && i < n; i++)
        rc = st->db->ops->bind(st->bst, (int)i + 1, &p[i]);
    return note(st->db, rc);
}

int pvs_next(pvs_stmt *st)
{
    if (!st->bst)
        return PVS_DB_MISUSE;
    return note(st->db, st->db->ops->step(st->bst));
}

void pvs_finalize(pvs_stmt *st)
{
    if (st->bst)
        st->db->ops->finalize(st->bst);
    st->bst = NULL;
}

int pvs_col_count(pvs_stmt *st)
{
    return st->db->ops->col_count(st->bst);
}

bool pvs_col_is_null(pvs_stmt *st, int col)
{
    return st->db->ops->col_is_null(st->bst, col);
}

int64_t pvs_col_i64(pvs_stmt *st, int col)
{
    return st->db->ops->col_i64(st->bst, col);
}

const char *pvs_col_text(pvs_stmt *st, int col)
{
    return st->db->ops->col_text(st->bst, col);
}

const void *pvs_col_blob(pvs_stmt *st, int col, size_t *len)
{
    return st->db->ops->col_blob(st->bst, col, len);
}

int64_t pvs_exec(pvs_db *db, const char *sql, const struct pvs_param *p, size_t n)
{
    pvs_stmt st;
    int rc = pvs_query(db, &st, sql, p, n);
    if (rc != PVS_DB_OK)
        return rc;
    do
        rc = pvs_next(&st);
    while (rc == PVS_DB_ROW); /* RETURNING rows are drained */
    pvs_finalize(&st);
    if (rc != PVS_DB_DONE)
        return rc;
    return db->ops->changes(db->be);
}

int pvs_query_i64(pvs_db *db, const char *sql, const struct pvs_param *p, size_t n,
                  int64_t *out)
{
    pvs_stmt st;
    *out = 0;
    int rc = pvs_query(db, &st, sql, p, n);
    if (rc != PVS_DB_OK)
        return rc;
    rc = pvs_next(&st);
    if (rc == PVS_DB_ROW) {
        *out = pvs_col_i64(&st, 0);
        /* finish the statement so an INSERT ... RETURNING completes */
        while ((rc = pvs_next(&st)) == PVS_DB_ROW)
            ;
        rc = rc == PVS_DB_DONE ? PVS_DB_OK : rc;
    } else if (rc == PVS_DB_DONE) {
        rc = PVS_DB_NOTFOUND;
    }
    pvs_finalize(&st);
    return rc;
}

int pvs_query_text(pvs_db *db, const char *sql, const struct pvs_param *p, size_t n,
                   char *buf, size_t cap)
{
    pvs_stmt st;
    if (cap == 0)
        return PVS_DB_MISUSE;
    buf[0] = '\0';
    int rc = pvs_query(db, &st, sql, p, n);
    if (rc != PVS_DB_OK)
        return rc;
    rc = pvs_next(&st);
    if (rc == PVS_DB_ROW) {
        const char *t = pvs_col_text(&st, 0);
        size_t len = t ? strlen(t) : 0;
        if (len >= cap) {
            rc = PVS_DB_MISUSE;
        } else {
            memcpy(buf, t ? t : "", len + 1);
            rc = PVS_DB_OK;
        }
    } else if (rc == PVS_DB_DONE) {
        rc = PVS_DB_NOTFOUND;
    }
    pvs_finalize(&st);
    return rc;
}

/* ------------------------------------------------------------------ pool */

struct pvs_store {
    const struct pvs_db_ops *ops;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    unsigned n;
    pvs_db **all;
    pvs_db **free_list;
    unsigned nfree;
};

int pvs_store_open(const struct pvs_db_ops *ops, const char *dsn, unsigned nconn,
                   pvs_store **out, char *errbuf, size_t errcap)
{
    *out = NULL;
    if (nconn == 0 || nconn > 256) {
        snprintf(errbuf, errcap, "connection count %u outside 1..256", nconn);
        return PVS_DB_MISUSE;
    }
    pvs_store *s = calloc(1, sizeof *s);
    if (!s)
        return PVS_DB_ERROR;
    s->ops = ops;
    s->all = calloc(nconn, sizeof *s->all);
    s->free_list = calloc(nconn, sizeof *s->free_list);
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    if (!s->all || !s->free_list) {
        pvs_store_close(s);
        return PVS_DB_ERROR;
    }
    for (unsigned i = 0; i < nconn; i++) {
        int rc = pvs_db_open(ops, dsn, &s->all[i], errbuf, errcap);
        if (rc != PVS_DB_OK) {
            pvs_store_close(s);
            return rc;
        }
        s->n++;
        s->free_list[s->nfree++] = s->all[i];
    }
    *out = s;
    return PVS_DB_OK;
}

void pvs_store_close(pvs_store *s)
{
    if (!s)
        return;
    for (unsigned i = 0; i < s->n; i++)
        pvs_db_close(s->all[i]);
    free(s->all);
    free(s->free_list);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    free(s);
}

pvs_db *pvs_store_acquire(pvs_store *s)
{
    pthread_mutex_lock(&s->mu);
    while (s->nfree == 0)
        pthread_cond_wait(&s->cv, &s->mu);
    pvs_db *db = s->free_list[--s->nfree];
    pthread_mutex_unlock(&s->mu);
    return db;
}

void pvs_store_release(pvs_store *s, pvs_db *db)
{
    if (!db)
        return;
    pvs_tx_rollback(db);
    pthread_mutex_lock(&s->mu);
    s->free_list[s->nfree++] = db;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

unsigned long pvs_store_errors(pvs_store *s)
{
    unsigned long total = 0;
    pthread_mutex_lock(&s->mu);
    for (unsigned i = 0; i < s->n; i++)
        total += __atomic_load_n(&s->all[i]->errors, __ATOMIC_RELAXED);
    pthread_mutex_unlock(&s->mu);
    return total;
}

const struct pvs_db_ops *pvs_store_ops(const pvs_store *s)
{
    return s->ops;
}
