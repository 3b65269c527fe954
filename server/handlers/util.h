/* Small helpers shared by the domain's route handlers: transactions that answer for
 * themselves, rows to JSON by a column spec, paginated lists and single-object reads. */
#ifndef PVS_DOMAIN_API_UTIL_H
#define PVS_DOMAIN_API_UTIL_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "pvs/audit.h"
#include "pvs/authz.h"
#include "pvs/clock.h"
#include "pvs/http.h"
#include "pvs/server.h"
#include "pvs/store.h"

/* Begin a transaction; on failure sends the problem and returns false. */
bool pvd_begin(struct pvs_req *r, bool write) PV_MUST_CHECK;
/* Commit; on failure rolls back, sends the problem and returns false. */
bool pvd_commit(struct pvs_req *r) PV_MUST_CHECK;
/* Roll back and answer a store error (what = "staff member 4" etc.). */
void pvd_fail(struct pvs_req *r, int rc, const char *what);
/* The end of a change: o (the changed object, NULL when reading it back failed with rc)
 * answered with `status` once committed; else the problem. Takes o. */
void pvd_commit_reply(struct pvs_req *r, json_t *o, int rc, const char *what, int status);

/*
 * Row to JSON by a spec: comma-separated "name:t" with t one of
 *   i integer, n integer or null, s text or null, b boolean (0/1), h blob as hex or null,
 *   d date text or null, w stored weekly windows as [{days,from,to}].
 * Column k of the row is the spec's k-th member.
 */
json_t *pvd_row(pvs_stmt *st, const char *spec);

/* Paginated list: `sql` must end in "... id > ? ORDER BY <id> LIMIT ?"; the two page
 * parameters are appended after p[0..n). Sends the reply or a problem. */
void pvd_list(struct pvs_req *r, const char *sql, const struct pvs_param *p, size_t n,
              const char *spec);
/* One object as JSON (first row), or NULL with *rc = PVS_DB_NOTFOUND / error. */
json_t *pvd_one(pvs_db *db, const char *sql, const struct pvs_param *p, size_t n,
                const char *spec, int *rc);
/* GET of one object: 200 with it, or 404 "<what> <id> does not exist". */
void pvd_get(struct pvs_req *r, const char *sql, const struct pvs_param *p, size_t n,
             const char *spec, const char *what, int64_t id);

/* 400 invalid-value with a detail. */
void pvd_invalid(struct pvs_req *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The server's local calendar day now (pvs_now() in the process time zone). */
int32_t pvd_today(void);

#endif
