/* What handlers not yet split into a service still use (util.h, "still to be split"): a
 * transaction opened by the handler, and lists and reads of SQL the handler wrote. Listed
 * in PENDING in tests/server/check_layers.sh; goes when no handler calls these any more. */
#include "util.h"

bool pvd_begin(struct pvs_req *r, bool write)
{
    int rc = pvs_tx_begin(r->db, write);
    if (rc == PVS_DB_OK)
        return true;
    pvs_problem_db(r, rc, "transaction");
    return false;
}

bool pvd_commit(struct pvs_req *r)
{
    int rc = pvs_tx_commit(r->db);
    if (rc == PVS_DB_OK)
        return true;
    pvd_fail(r, rc, "change");
    return false;
}

void pvd_fail(struct pvs_req *r, int rc, const char *what)
{
    pvs_tx_rollback(r->db);
    pvs_problem_db(r, rc, what);
}

void pvd_commit_reply(struct pvs_req *r, json_t *o, int rc, const char *what, int status)
{
    if (!o)
        pvd_fail(r, rc, what);
    else if (pvd_commit(r))
        pvs_reply_json(r, status, o);
    else
        json_decref(o);
}

void pvd_list(struct pvs_req *r, const char *sql, const struct pvs_param *p, size_t n,
              const char *spec)
{
    struct pvd_page pg;
    if (pvd_page_begin(r, &pg, spec))
        pvd_page_end(r, &pg, pvs_rows_range(r->db, sql, p, n, &pg.range, &pg.out), "list");
}

json_t *pvd_one(pvs_db *db, const char *sql, const struct pvs_param *p, size_t n,
                const char *spec, int *rc)
{
    struct pvd_rows_json j = {spec, NULL, NULL};
    *rc = pvs_rows_one(db, sql, p, n, PVD_FIRST(&j));
    if (*rc != PVS_DB_OK) {
        json_decref(j.obj);
        return NULL;
    }
    return j.obj;
}
