/* The delivery worker of outgoing events: one thread in the server that sends each pending
 * outbox delivery to its webhook with libcurl, signed with HMAC-SHA256, and records the
 * answer — delivered, or retried with exponential backoff, or dead after too many tries. */
#ifndef PVS_SERVICES_WEBHOOK_WORKER_H
#define PVS_SERVICES_WEBHOOK_WORKER_H

#include "pvs/store.h"

#include "pvs/webhook_cfg.h"

/* Start the worker on `store` (it borrows one connection per pass). Returns 0 or -1. */
int pvs_webhook_worker_start(pvs_store *store) PV_MUST_CHECK;
/* The retry settings the worker uses (copied; before start; defaults otherwise). */
void pvs_webhook_worker_configure(const struct pvs_webhook_cfg *cfg);
/* Stop it and wait for the delivery in flight (at most the configured timeout). */
void pvs_webhook_worker_stop(void);

/* A check the worker runs about hourly (by the server's clock) in its own write transaction,
 * before its deliveries: the domain's lock.silent scan. Set before the worker starts. */
void pvs_webhook_worker_periodic(int (*fn)(pvs_db *db, int64_t now));

/* One pass: send every delivery due at `now` (at most `max`). Returns how many were tried,
 * or a negative pvs_db_rc. The worker calls this; tests may too. */
int pvs_webhook_deliver_due(pvs_store *store, int64_t now, int max);

/* The delay before try number attempts + 1 after `attempts` failed ones. */
int64_t pvs_webhook_backoff(int64_t attempts);

#endif
