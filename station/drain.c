/* Drains the durable queue to POST /api/v1/ingest. An item leaves the queue only after a
 * 200; the server's idempotency on (lock id, seq) and (bearer id, seq) turns the resends
 * a crash can cause into duplicates it counts and ignores. */
#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "station.h"

#define DRAIN_ITEMS_PER_POST 32u

static int add_item(json_t *batches, json_t *events, uint32_t bearer, const pvst_logs *lg)
{
    char hex[2 * PV_LOGBATCH_MAX_SIZE + 1];
    for (uint16_t i = 0; i < lg->nbatches; i++) {
        sodium_bin2hex(hex, sizeof hex, lg->batch[i], lg->batch_len[i]);
        if (json_array_append_new(batches, json_string(hex)) != 0)
            return PV_E_NOMEM;
    }
    for (uint16_t i = 0; i < lg->nevents; i++) {
        pvst_bev e;
        if (pvst_bev_decode(lg->events + (size_t)i * PVST_BEV_SIZE, &e) != PV_OK)
            return PV_E_RANGE; /* cannot happen: pvst_qitem_decode checked it */
        json_t *o = json_pack("{s:I,s:I,s:I,s:s,s:I,s:o}", "bearer_id", (json_int_t)bearer,
                              "seq", (json_int_t)e.seq, "time", (json_int_t)e.time, "kind",
                              e.kind == PVST_BEV_OPEN ? "open" : "refused", "lock_id",
                              (json_int_t)e.lock_id, "reason",
                              e.reason ? json_string(pv_errname(-(int)e.reason)) : json_null());
        if (!o || json_array_append_new(events, o) != 0)
            return PV_E_NOMEM;
    }
    return PV_OK;
}

/* Builds one ingest body from items seqs[0..n); unreadable items are moved aside. */
static char *build_body(pvst_station *st, uint64_t *seqs, size_t *n)
{
    uint8_t *buf = malloc(PVST_QITEM_MAX);
    json_t *b = json_array(), *e = json_array();
    size_t kept = 0;
    for (size_t i = 0; buf && b && e && i < *n; i++) {
        size_t len;
        uint32_t bearer;
        pvst_logs lg;
        int rc = pvst_queue_read(&st->q, seqs[i], buf, PVST_QITEM_MAX, &len);
        if (rc == PV_OK)
            rc = pvst_qitem_decode(buf, len, &bearer, &lg);
        if (rc == PV_OK)
            rc = add_item(b, e, bearer, &lg);
        if (rc == PV_OK) {
            seqs[kept++] = seqs[i];
        } else if (rc != PV_E_NOMEM) {
            if (st->log)
                fprintf(st->log, "station: queue item %llu unreadable (%s); moved to rejected/\n",
                        (unsigned long long)seqs[i], pv_strerror(rc));
            if (pvst_queue_reject(&st->q, seqs[i]) == PV_OK)
                st->stats.items_rejected++;
        }
    }
    free(buf);
    *n = kept;
    json_t *body = json_pack("{s:o,s:o}", "lock_batches", b, "bearer_events", e);
    char *s = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    return s;
}

static void count_result(pvst_station *st, const pvst_http *r)
{
    json_t *j = json_loadb(r->body, r->body_len, 0, NULL);
    st->stats.events_stored += (uint64_t)json_integer_value(json_object_get(j, "stored"));
    st->stats.events_duplicate += (uint64_t)json_integer_value(json_object_get(j, "duplicates"));
    size_t i;
    json_t *g;
    json_array_foreach(json_object_get(j, "gaps"), i, g)
    {
        /* the server misses events of this lock: the next key to visit it may bring them */
        if (st->log && i < 8)
            fprintf(st->log, "station: server reports lock %lld missing events %lld..%lld\n",
                    (long long)json_integer_value(json_object_get(g, "lock_id")),
                    (long long)json_integer_value(json_object_get(g, "from_seq")),
                    (long long)json_integer_value(json_object_get(g, "to_seq")));
    }
    json_decref(j);
}

/* One POST of seqs[0..n). PV_OK: done with them (stored or rejected). PV_E_IO: retry later.
 * PV_E_RANGE: the server refused the body as a whole (caller splits it). */
static int post_items(pvst_station *st, uint64_t *seqs, size_t n)
{
    char *body = build_body(st, seqs, &n);
    if (!body)
        return PV_E_NOMEM;
    if (n == 0) {
        free(body);
        return PV_OK;
    }
    pvst_http r;
    int rc = pvst_uplink_post(st->up, "/api/v1/ingest", body, strlen(body), &r);
    free(body);
    if (rc == PV_OK && r.status == 200) {
        count_result(st, &r);
        for (size_t i = 0; i < n; i++) {
            if (pvst_queue_drop(&st->q, seqs[i]) != PV_OK)
                rc = PV_E_IO; /* sent again later; the server deduplicates it */
            else
                st->stats.items_uploaded++;
        }
    } else if (rc != PV_OK || r.status >= 500 || r.status == 401 || r.status == 408 ||
               r.status == 429) {
        /* not the items' fault: the uplink, the server or our clock; keep them */
        st->stats.upload_failures++;
        if (st->log)
            fprintf(st->log, "station: upload failed (%s); %zu item(s) stay queued\n",
                    r.detail[0] ? r.detail : "no answer", pvst_queue_count(&st->q));
        rc = PV_E_IO;
    } else if (n > 1) {
        rc = PV_E_RANGE;
    } else {
        if (st->log)
            fprintf(st->log, "station: server refused queue item %llu (HTTP %ld: %s); "
                             "moved to rejected/\n",
                    (unsigned long long)seqs[0], r.status, r.detail);
        rc = pvst_queue_reject(&st->q, seqs[0]);
        if (rc == PV_OK)
            st->stats.items_rejected++;
    }
    pvst_http_free(&r);
    return rc;
}

int pvst_drain(pvst_station *st, unsigned max_requests)
{
    uint64_t seqs[DRAIN_ITEMS_PER_POST];
    unsigned done = 0;
    while (done < max_requests) {
        size_t n;
        int rc = pvst_queue_list(&st->q, seqs, DRAIN_ITEMS_PER_POST, &n);
        if (rc != PV_OK || n == 0)
            return rc;
        rc = post_items(st, seqs, n);
        done++;
        for (size_t i = 0; rc == PV_E_RANGE && i < n && done < max_requests; i++, done++) {
            rc = post_items(st, &seqs[i], 1); /* find the one item the server refuses */
            if (rc == PV_OK && i + 1 < n)
                rc = PV_E_RANGE;
        }
        if (rc == PV_E_RANGE)
            rc = PV_OK; /* budget spent mid-split: continue next time */
        if (rc != PV_OK)
            return rc;
    }
    return PV_OK;
}
