/* Retention (docs/privacy.md): delete the passages, refused attempts, keys' own reports, key
 * syncs and views of residents' links that are older than the configured number of days. The
 * newest event of each lock stays whatever its age: the lock's next batch links to its chain. */
#include "pvs/server.h"

#define DAY_S 86400

/* Cut-off for `days` (0 = keep for ever: a cut-off before every time). */
static int64_t cutoff(unsigned days, int64_t now)
{
    return days ? now - (int64_t)days * DAY_S : INT64_MIN;
}

static int del(pvs_db *db, const char *sql, int64_t before, int64_t *count)
{
    int64_t n = pvs_exec(db, sql, PVS_ARGS(PVS_I64(before)));
    if (n < 0)
        return (int)n;
    *count = n;
    return PVS_DB_OK;
}

int pvs_domain_purge(pvs_db *db, const struct pvs_config *cfg, int64_t now,
                     struct pvs_purge_counts *out)
{
    *out = (struct pvs_purge_counts){0};
    int64_t pass = cutoff(cfg->retain_passages_days, now);
    int64_t refused = cutoff(cfg->retain_refusals_days, now);
    int64_t syncs = cutoff(cfg->retain_syncs_days, now);
    int rc = del(db, "DELETE FROM lock_events WHERE kind <> 2 AND time < ? AND seq <"
                     " (SELECT MAX(n.seq) FROM lock_events n WHERE n.lock_id = lock_events.lock_id)",
                 pass, &out->passages);
    if (rc == PVS_DB_OK)
        rc = del(db, "DELETE FROM lock_events WHERE kind = 2 AND time < ? AND seq <"
                     " (SELECT MAX(n.seq) FROM lock_events n WHERE n.lock_id = lock_events.lock_id)",
                 refused, &out->refusals);
    if (rc == PVS_DB_OK) /* a key's refusal report lives as long as the lock's */
        rc = del(db, "DELETE FROM bearer_events WHERE time < ? AND kind = 'open'", pass,
                 &out->key_reports);
    int64_t more = 0;
    if (rc == PVS_DB_OK)
        rc = del(db, "DELETE FROM bearer_events WHERE time < ? AND kind = 'refused'", refused,
                 &more);
    out->key_reports += more;
    if (rc == PVS_DB_OK)
        rc = del(db, "DELETE FROM syncs WHERE at < ?", syncs, &out->syncs);
    if (rc == PVS_DB_OK)
        rc = del(db, "DELETE FROM resident_link_views WHERE at < ?", syncs, &out->link_views);
    return rc;
}
