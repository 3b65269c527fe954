/* The sync station's core: serve one key session over the local link, queue its logs
 * durably, and drain the queue to the server. portvakt-station's main loop and the
 * tests drive these calls; nothing here owns a socket or a process. */
#ifndef PVST_STATION_H
#define PVST_STATION_H

#include <stdint.h>
#include <stdio.h>

#include "link.h"
#include "queue.h"
#include "uplink.h"

typedef struct pvst_stats {
    uint64_t sessions, syncs_ok, syncs_blocked, syncs_refused, syncs_offline;
    uint64_t items_queued, items_uploaded, items_rejected, upload_failures;
    uint64_t events_stored, events_duplicate;
} pvst_stats;

typedef struct pvst_station {
    pvst_uplink *up;
    pvst_queue q;
    pvst_now_fn now;
    void *now_ctx;
    FILE *log; /* one line per session outcome and per upload problem; may be NULL */
    pvst_stats stats;
} pvst_station;

/* Runs one key session to its end (BYE, close, timeout or protocol error). Returns PV_OK
 * or the link error that ended it; outcomes for the key travel in STATUS frames. */
int pvst_session(pvst_station *st, const pvst_link_ops *l);

/* Uploads queued items, oldest first, at most max_requests POSTs. PV_OK when the queue is
 * empty or the budget is spent; PV_E_IO when the uplink is down (retry later). */
int pvst_drain(pvst_station *st, unsigned max_requests) PV_MUST_CHECK;

/* The lines on the key's display ("synced: 37 doors until 15:30"); times in local time
 * relative to now. */
void pvst_msg_synced(char *out, size_t cap, uint32_t doors, uint64_t until, uint64_t now);
void pvst_msg_offline(char *out, size_t cap, uint64_t have_until, uint64_t now);
void pvst_fmt_until(char *out, size_t cap, uint64_t t, uint64_t now);

#endif
