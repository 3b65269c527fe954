/* Rows from a service to its caller (see rows.h). */
#include "rows.h"

#include <string.h>

int pvs_rows_all(pvs_db *db, const char *sql, const struct pvs_param *p, size_t n,
                 const struct pvs_rows_out *out)
{
    pvs_stmt st;
    int rc = pvs_query(db, &st, sql, p, n);
    if (rc != PVS_DB_OK)
        return rc;
    while ((rc = pvs_next(&st)) == PVS_DB_ROW)
        if (!out->row(&st, out->ctx))
            break;
    pvs_finalize(&st);
    return rc == PVS_DB_ROW || rc == PVS_DB_DONE ? PVS_DB_OK : rc;
}

int pvs_rows_range(pvs_db *db, const char *sql, const struct pvs_param *p, size_t n,
                   const struct pvs_range *rg, const struct pvs_rows_out *out)
{
    struct pvs_param all[PVS_ROWS_MAX_PARAMS + 2];
    if (n > PVS_ROWS_MAX_PARAMS)
        return PVS_DB_MISUSE;
    if (n)
        memcpy(all, p, n * sizeof *p);
    all[n] = PVS_I64(rg->after);
    all[n + 1] = PVS_I64(rg->limit);
    return pvs_rows_all(db, sql, all, n + 2, out);
}

struct first {
    const struct pvs_rows_out *out;
    bool seen;
};

static bool first_row(pvs_stmt *st, void *ctx)
{
    struct first *f = ctx;
    f->seen = true;
    f->out->row(st, f->out->ctx);
    return false;
}

int pvs_rows_one(pvs_db *db, const char *sql, const struct pvs_param *p, size_t n,
                 const struct pvs_rows_out *out)
{
    struct first f = {out, false};
    int rc = pvs_rows_all(db, sql, p, n, &(struct pvs_rows_out){first_row, &f});
    return rc == PVS_DB_OK && !f.seen ? PVS_DB_NOTFOUND : rc;
}

struct ints {
    int64_t *v;
    size_t k;
};

static bool ints_row(pvs_stmt *st, void *ctx)
{
    struct ints *x = ctx;
    for (size_t i = 0; i < x->k; i++)
        x->v[i] = pvs_col_i64(st, (int)i);
    return false;
}

int pvs_rows_i64s(pvs_db *db, const char *sql, const struct pvs_param *p, size_t n, int64_t *v,
                  size_t k)
{
    struct ints x = {v, k};
    return pvs_rows_one(db, sql, p, n, &(struct pvs_rows_out){ints_row, &x});
}

int pvs_rows_changed(int64_t n)
{
    return n < 0 ? (int)n : n > 0 ? PVS_DB_OK : PVS_DB_NOTFOUND;
}

int pvs_tx_finish(pvs_db *db, int rc)
{
    if (rc == PVS_DB_OK)
        rc = pvs_tx_commit(db);
    if (rc != PVS_DB_OK)
        pvs_tx_rollback(db);
    return rc;
}
