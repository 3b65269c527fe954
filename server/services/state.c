/* Start and stop of the domain module's process-wide state (services/state.h): the local
 * time zone for rights, the sync challenges' key (shared by every instance on the database)
 * and the sync path's write lock. */
#include <stdlib.h>
#include <time.h>

#include <sodium.h>

#include "lock_alerts.h"
#include "shared_secret.h"
#include "state.h"
#include "webhook_worker.h"

/* Rights are computed in local time: the server's zone is Sweden's unless TZ says else. */
int pvs_domain_init(struct pvs_server *s, pvs_db *db)
{
    if (!getenv("TZ"))
        setenv("TZ", "Europe/Stockholm", 1);
    tzset();
    pvd_state *st = calloc(1, sizeof *st);
    if (!st || sodium_init() < 0 || pthread_mutex_init(&st->write_lock, NULL) != 0 ||
        pvs_rate_init(&st->sync_refusals, PVD_SYNC_REFUSAL_BURST, PVD_SYNC_REFUSAL_EVERY_S) != 0) {
        free(st);
        return -1;
    }
    /* shared through the database: any instance verifies another's challenges */
    if (pvs_shared_secret(db, "sync-nonce-key", st->nonce_key) != PVS_DB_OK) {
        pthread_mutex_destroy(&st->write_lock);
        free(st);
        return -1;
    }
    s->domain = st;
    pvs_webhook_worker_periodic(pvs_lock_silent_scan); /* lock.silent events */
    return 0;
}

void pvs_domain_fini(struct pvs_server *s)
{
    pvd_state *st = pvd_state_of(s);
    if (!st)
        return;
    pthread_mutex_destroy(&st->write_lock);
    pvs_rate_fini(&st->sync_refusals);
    sodium_memzero(st->nonce_key, sizeof st->nonce_key);
    free(st);
    s->domain = NULL;
}
