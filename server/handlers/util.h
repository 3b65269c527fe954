/* Small helpers shared by the domain's route handlers: a service's rows to JSON by a column
 * spec, pages of a service's list, the answers to a service's read or change. */
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
#include "../services/rows.h"

/* {"errors":[{member, rule}]} for a pvd_invalid() format string (invalid_rules.c), or NULL. */
json_t *pvd_invalid_ext(const char *fmt);

/*
 * Row to JSON by a spec: comma-separated "name:t" with t one of
 *   i integer, n integer or null, s text or null, b boolean (0/1), h blob as hex or null,
 *   d date text or null, w stored weekly windows as [{days,from,to}].
 * Column k of the row is the spec's k-th member.
 */
json_t *pvd_row(pvs_stmt *st, const char *spec);

/* Row sinks for services (services/rows.h) that build JSON by a spec: each row appended to
 * `arr`, or the first row kept as `obj`. */
struct pvd_rows_json {
    const char *spec;
    json_t *arr; /* pvd_rows_append: rows go here */
    json_t *obj; /* pvd_rows_first: the row, NULL until one came */
};
bool pvd_rows_append(pvs_stmt *st, void *self);
bool pvd_rows_first(pvs_stmt *st, void *self);

/* Sink arguments for a service: PVD_APPEND(&j) / PVD_FIRST(&j) with a struct pvd_rows_json. */
#define PVD_APPEND(j) (&(struct pvs_rows_out){pvd_rows_append, (j)})
#define PVD_FIRST(j) (&(struct pvs_rows_out){pvd_rows_first, (j)})

/* A page of a service's list, rows to JSON by `spec`:
 *     struct pvd_page p;
 *     if (pvd_page_begin(r, &p, SPEC))
 *         pvd_page_end(r, &p, pvs_things_list(r->db, &p.range, &p.out), "list");
 * begin reads ?limit and ?cursor (400 and false when malformed); end replies or sends the
 * problem for the service's code. */
struct pvd_page {
    struct pvs_page_rows rows;
    struct pvs_range range;
    struct pvs_rows_out out;
};
bool pvd_page_begin(struct pvs_req *r, struct pvd_page *p, const char *spec) PV_MUST_CHECK;
void pvd_page_end(struct pvs_req *r, struct pvd_page *p, int rc, const char *what);
/* The answer to a service's read of one object into j (PVD_FIRST): 200 with it, 404 "<what>
 * <id> does not exist", or the problem for rc. */
void pvd_get_reply(struct pvs_req *r, int rc, struct pvd_rows_json *j, const char *what, int64_t id);
/* The answer to a service's change that handed back the object into j: `status` with it, or
 * the problem for rc (what = "staff member" etc.). */
void pvd_change_reply(struct pvs_req *r, int rc, struct pvd_rows_json *j, const char *what,
                      int status);

/* A change through a service, from the handler's side:
 *     struct pvd_change c;
 *     if (pvd_change_begin(r, &c, body, SPEC))
 *         pvd_change_end(r, &c, pvs_thing_create(r->db, &c.who, &req, c.details,
 *                                                PVD_FIRST(&c.row)), "thing", 201);
 * begin makes the actor and the audit details of `body` (NULL: none) and answers 500 when
 * out of memory; end frees them and answers with the object handed back, or the problem. */
struct pvd_change {
    struct pvs_audit_actor who;
    char *details;
    struct pvd_rows_json row;
};
bool pvd_change_begin(struct pvs_req *r, struct pvd_change *c, const json_t *body,
                      const char *spec) PV_MUST_CHECK;
void pvd_change_end(struct pvs_req *r, struct pvd_change *c, int rc, const char *what,
                    int status);

/* 400 invalid-value with a detail. */
void pvd_invalid(struct pvs_req *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The server's local calendar day now (pvs_now() in the process time zone). */
int32_t pvd_today(void);

/* ---- Still to be split (handlers/pending.c): handlers listed in PENDING in
 * tests/server/check_layers.sh open their own transaction or read SQL they wrote with these;
 * a split handler calls its service instead. */
/* Begin a transaction; on failure sends the problem and returns false. */
bool pvd_begin(struct pvs_req *r, bool write) PV_MUST_CHECK;
/* Commit; on failure rolls back, sends the problem and returns false. */
bool pvd_commit(struct pvs_req *r) PV_MUST_CHECK;
/* Roll back and answer a store error (what = "staff member 4" etc.). */
void pvd_fail(struct pvs_req *r, int rc, const char *what);
/* The end of a change: o (the changed object, NULL when reading it back failed with rc)
 * answered with `status` once committed; else the problem. Takes o. */
void pvd_commit_reply(struct pvs_req *r, json_t *o, int rc, const char *what, int status);

/* Paginated list: `sql` must end in "... id > ? ORDER BY <id> LIMIT ?"; the two page
 * parameters are appended after p[0..n). Sends the reply or a problem. */
void pvd_list(struct pvs_req *r, const char *sql, const struct pvs_param *p, size_t n,
              const char *spec);
/* One object as JSON (first row), or NULL with *rc = PVS_DB_NOTFOUND / error. */
json_t *pvd_one(pvs_db *db, const char *sql, const struct pvs_param *p, size_t n,
                const char *spec, int *rc);

#endif
