/* Log uploads as a service (see sync.h): the carried logs stored through the ingest module
 * inside the caller's transaction, and a station's queued logs in their own transaction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvs/metrics.h"
#include "sync.h"

int pvs_upload_alloc(pvs_upload *u, size_t nb, size_t ne)
{
    memset(u, 0, sizeof *u);
    u->batch = calloc(nb ? nb : 1, sizeof *u->batch);
    u->len = calloc(nb ? nb : 1, sizeof *u->len);
    u->ev = calloc(ne ? ne : 1, sizeof *u->ev);
    if (!u->batch || !u->len || !u->ev) {
        pvs_upload_free(u);
        return PV_E_NOMEM;
    }
    u->nb = nb;
    u->ne = ne;
    return PV_OK;
}

void pvs_upload_free(pvs_upload *u)
{
    free(u->batch);
    free(u->len);
    free(u->ev);
    memset(u, 0, sizeof *u);
}

void pvs_upload_summary_free(pvs_upload_summary *s)
{
    free(s->refused);
    s->refused = NULL;
    s->nrefused = 0;
}

/* Rolls back refused item i alone and lists it (sync: the rest of the upload is kept). */
static int refuse_item(pvs_db *db, const pvs_upload *u, size_t i, const pvs_ingest_result *res,
                       pvs_upload_summary *out)
{
    if (pvs_exec(db, "ROLLBACK TO pv_item", PVS_NOARGS) < 0)
        return PVS_DB_ERROR;
    pvs_upload_refusal *f = &out->refused[out->nrefused++];
    f->event = i >= u->nb;
    f->index = f->event ? i - u->nb : i;
    f->type = res->type;
    snprintf(f->detail, sizeof f->detail, "%s", res->detail);
    return PVS_DB_OK;
}

/* The items in order; in a sync each inside its own savepoint. */
static int store_items(pvs_db *db, const pvs_upload *u, int64_t provider, int64_t station,
                       int64_t now, bool all_or_nothing, pvs_ingest_result *res,
                       pvs_upload_summary *out)
{
    for (size_t i = 0; i < u->nb + u->ne; i++) {
        if (!all_or_nothing && pvs_exec(db, "SAVEPOINT pv_item", PVS_NOARGS) < 0)
            return PVS_DB_ERROR;
        int rc = i < u->nb ? pvs_ingest_lock_batch(db, u->batch[i], u->len[i], now, res)
                           : pvs_ingest_bearer_event(db, &u->ev[i - u->nb], provider, station,
                                                     now, res);
        if (rc < 0 || (rc == PVS_INGEST_REFUSED && all_or_nothing))
            return rc;
        if (all_or_nothing)
            continue;
        if (rc == PVS_INGEST_REFUSED && refuse_item(db, u, i, res, out) != PVS_DB_OK)
            return PVS_DB_ERROR;
        if (pvs_exec(db, "RELEASE pv_item", PVS_NOARGS) < 0)
            return PVS_DB_ERROR;
    }
    return PVS_DB_OK;
}

int pvs_upload_store(pvs_db *db, const pvs_upload *u, int64_t provider, int64_t station,
                     int64_t now, bool all_or_nothing, pvs_upload_summary *out)
{
    pvs_ingest_result *res = calloc(1, sizeof *res);
    if (!res)
        return PV_E_NOMEM;
    if (!all_or_nothing && !(out->refused = calloc(u->nb + u->ne + 1, sizeof *out->refused))) {
        free(res);
        return PV_E_NOMEM;
    }
    int rc = store_items(db, u, provider, station, now, all_or_nothing, res, out);
    pvs_ingest_done(res);
    out->stored = res->stored;
    out->duplicates = res->duplicates;
    if (rc == PVS_INGEST_REFUSED) {
        out->type = res->type;
        snprintf(out->detail, sizeof out->detail, "%s", res->detail);
    } else if (rc == PVS_DB_OK &&
               pvs_ingest_gaps(db, res, out->gaps, PVS_INGEST_MAX_GAPS, &out->ngaps) != PVS_DB_OK) {
        out->ngaps = 0; /* the gap report is advisory; what was stored stays stored */
    }
    free(res);
    return rc;
}

/* Inside the write transaction: everything or nothing, then the station is marked seen. */
static int ingest_tx(pvs_db *db, const pvs_ingest_req *req, pvs_upload_summary *out)
{
    const pvs_station_auth *sa = req->station;
    int rc = pvs_upload_store(db, req->upload, sa->provider_id, sa->id, req->now, true, out);
    if (rc != PVS_DB_OK)
        return rc;
    /* last_seen is advisory: a failure here does not lose the upload */
    (void)pvs_exec(db, "UPDATE stations SET last_seen = ? WHERE id = ?",
                   PVS_ARGS(PVS_I64(req->now), PVS_I64(sa->id)));
    return pvs_tx_commit(db);
}

int pvs_ingest_run(pvs_db *db, const pvs_ingest_req *req, pvs_upload_summary *out)
{
    memset(out, 0, sizeof *out);
    if (req->write_lock)
        pthread_mutex_lock(req->write_lock);
    int rc = pvs_tx_begin(db, true);
    if (rc == PVS_DB_OK)
        rc = ingest_tx(db, req, out);
    pvs_tx_rollback(db); /* harmless after a commit */
    if (req->write_lock)
        pthread_mutex_unlock(req->write_lock);
    if (rc == PVS_INGEST_REFUSED)
        pvs_metric_add("pvs_ingest_total", "result=\"refused\"", 1);
    else if (rc == PVS_DB_OK)
        pvs_metric_add("pvs_ingest_total", "result=\"ok\"", 1);
    return rc;
}
