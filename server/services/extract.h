/* The register extract for one care recipient (GDPR art. 15): every kind of record the system
 * holds about them, as sections of rows that the handler prints as Swedish HTML or JSON. */
#ifndef PVS_SERVICES_EXTRACT_H
#define PVS_SERVICES_EXTRACT_H

#include <stddef.h>
#include <stdint.h>

#include "pvs/store.h"

#define PVS_EXTRACT_MAX_COLS 8

/* One kind of record: its JSON key, its Swedish title, and its columns (JSON names and
 * Swedish headings). A column named "staff_first_name" holds a staff member's registered name,
 * which the handler cuts to the first name, as on the resident's own page. */
struct pvs_extract_section {
    const char *key;
    const char *title_sv;
    const char *sql; /* every ? is the recipient's id */
    int ncols;
    const char *cols[PVS_EXTRACT_MAX_COLS];
    const char *cols_sv[PVS_EXTRACT_MAX_COLS];
};

extern const struct pvs_extract_section pvs_extract_sections[];
extern const size_t pvs_extract_nsections;

/* Called for each row; vals[i] is NULL for SQL NULL. Return 0 to go on. */
typedef int (*pvs_extract_row_fn)(void *ctx, const struct pvs_extract_section *s,
                                  const char *const *vals);

/* Run every section for the recipient in one read transaction. Returns a pvs_db_rc
 * (PVS_DB_NOTFOUND: no such recipient; PVS_DB_ERROR when fn refused). */
int pvs_extract_run(pvs_db *db, int64_t recipient_id, pvs_extract_row_fn fn, void *ctx)
    PV_MUST_CHECK;

#endif
