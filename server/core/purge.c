/* `portvakt-server purge` and the daily run inside `serve`: the retention purge
 * (pvs_domain_purge) and the audit trail's own expiry (pvs_audit_truncate: cut from the front
 * with an attested tombstone) with its audit record in one transaction, so what was deleted,
 * when and by whom is itself in the hash-chained trail. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "pvs/audit.h"
#include "pvs/audit_tombstone.h"
#include "pvs/clock.h"
#include "pvs/vault.h"

int pvs_purge(pvs_db *db, const struct pvs_config *cfg, int64_t now, const char *who,
              struct pvs_purge_counts *out)
{
    struct pvs_audit_actor actor = {0, who, "system", "local", "purge"};
    int rc = pvs_tx_begin(db, true);
    if (rc == PVS_DB_OK)
        rc = pvs_domain_purge(db, cfg, now, out);
    if (rc == PVS_DB_OK && cfg->retain_audit_days) /* leaves an attested tombstone */
        rc = pvs_audit_truncate(db, &actor, now - (int64_t)cfg->retain_audit_days * 86400,
                                &out->audit_records);
    json_t *d = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:i, s:i, s:i, s:i}", "passages",
                          (json_int_t)out->passages, "refusals", (json_int_t)out->refusals,
                          "key_reports", (json_int_t)out->key_reports, "syncs",
                          (json_int_t)out->syncs, "link_views", (json_int_t)out->link_views,
                          "audit_records", (json_int_t)out->audit_records,
                          "retain_audit_days", (int)cfg->retain_audit_days,
                          "retain_passages_days", (int)cfg->retain_passages_days,
                          "retain_refusals_days", (int)cfg->retain_refusals_days,
                          "retain_syncs_days", (int)cfg->retain_syncs_days);
    if (rc == PVS_DB_OK)
        rc = pvs_audit_append_raw(db, &actor, 0, "system.purge", "retention", 0, d);
    json_decref(d);
    if (rc == PVS_DB_OK)
        rc = pvs_tx_commit(db);
    if (rc != PVS_DB_OK)
        pvs_tx_rollback(db);
    else
        rc = pvs_vault_scrub(db); /* no deleted row stays readable in the WAL */
    return rc;
}

struct purge_daily {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;
    struct pvs_server *s;
};

static void *daily(void *arg)
{
    struct purge_daily *p = arg;
    pthread_mutex_lock(&p->mu);
    for (int wait_s = 3600; !p->stop; wait_s = 86400) { /* an hour after start, then daily */
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += wait_s;
        while (!p->stop && pthread_cond_timedwait(&p->cv, &p->mu, &until) == 0) {
        }
        if (p->stop)
            break;
        pthread_mutex_unlock(&p->mu);
        struct pvs_purge_counts c;
        pvs_db *db = pvs_store_acquire(p->s->store);
        int rc = pvs_purge(db, &p->s->cfg, pvs_now(), "portvakt-server daily purge", &c);
        pvs_store_release(p->s->store, db);
        if (rc != PVS_DB_OK)
            fprintf(stderr, "portvakt-server: daily purge failed (%s); next try tomorrow\n",
                    pvs_db_rcname(rc));
        pthread_mutex_lock(&p->mu);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

int pvs_purge_daily_start(struct pvs_server *s)
{
    struct purge_daily *p = calloc(1, sizeof *p);
    if (!p)
        return -1;
    p->s = s;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    if (pthread_create(&p->thread, NULL, daily, p) != 0) {
        free(p);
        return -1;
    }
    s->purge = p;
    return 0;
}

void pvs_purge_daily_stop(struct pvs_server *s)
{
    struct purge_daily *p = s->purge;
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = true;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
    pthread_join(p->thread, NULL);
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
    free(p);
    s->purge = NULL;
}
