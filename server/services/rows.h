/* How a service hands rows to its caller without knowing what the caller makes of them:
 * a sink called once per row, and keyset ranges for paginated lists. The columns of each
 * row are the service's contract, written beside the function that reads them. */
#ifndef PVS_SERVICES_ROWS_H
#define PVS_SERVICES_ROWS_H

#include <stdbool.h>
#include <stdint.h>

#include "pvs/store.h"

/* Called with the statement on a row; return false to stop reading. */
struct pvs_rows_out {
    bool (*row)(pvs_stmt *st, void *ctx);
    void *ctx;
};

/* Ids greater than `after`, at most `limit` rows (a page asks for one more than it shows). */
struct pvs_range {
    int64_t after;
    int64_t limit;
};

#define PVS_ROWS_MAX_PARAMS 16

/* Runs `sql`, which ends in "... > ? ORDER BY <key> LIMIT ?", bound to p[0..n) and then the
 * range, handing each row to `out`. PVS_DB_OK, or the store error. */
int pvs_rows_range(pvs_db *db, const char *sql, const struct pvs_param *p, size_t n,
                   const struct pvs_range *rg, const struct pvs_rows_out *out) PV_MUST_CHECK;
/* The first row of `sql` to `out`: PVS_DB_OK, PVS_DB_NOTFOUND without a row, or the error. */
int pvs_rows_one(pvs_db *db, const char *sql, const struct pvs_param *p, size_t n,
                 const struct pvs_rows_out *out) PV_MUST_CHECK;
/* The first k integer columns of the first row of `sql` into v[0..k): PVS_DB_OK,
 * PVS_DB_NOTFOUND without a row, or the error. */
int pvs_rows_i64s(pvs_db *db, const char *sql, const struct pvs_param *p, size_t n, int64_t *v,
                  size_t k) PV_MUST_CHECK;
/* The rows of `sql` to `out` until it stops or they end: PVS_DB_OK or the error. */
int pvs_rows_all(pvs_db *db, const char *sql, const struct pvs_param *p, size_t n,
                 const struct pvs_rows_out *out) PV_MUST_CHECK;
/* A changed-row count or error from pvs_exec() as a code: PVS_DB_OK when at least one row
 * changed, PVS_DB_NOTFOUND when none did, the error otherwise. */
int pvs_rows_changed(int64_t n);
/* The end of a service's write transaction: commit when rc is PVS_DB_OK, else (or when the
 * commit fails) roll back. Returns the final code. */
int pvs_tx_finish(pvs_db *db, int rc) PV_MUST_CHECK;

#endif
