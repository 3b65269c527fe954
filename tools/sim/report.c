/* The simulator's report: visits, refusals, revocation propagation, log completeness,
 * sync latency and battery warnings, for people and (--json) for machines. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "energy.h"
#include "sim.h"

typedef struct stats {
    double p50, p95, p99, max;
    size_t n;
} stats;

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pct(const double *v, size_t n, double p)
{
    if (!n)
        return 0;
    size_t i = (size_t)ceil(p * (double)n) - 1; /* nearest rank */
    return v[i < n ? i : n - 1];
}

static stats summarize(double *v, size_t n)
{
    stats s = {.n = n};
    qsort(v, n, sizeof *v, cmp_d);
    s.p50 = pct(v, n, 0.50), s.p95 = pct(v, n, 0.95), s.p99 = pct(v, n, 0.99);
    s.max = n ? v[n - 1] : 0;
    return s;
}

void sim_note_sync_ms(sim *s, double ms)
{
    sim_metrics *m = &s->m;
    if (m->nsync_ms == m->cap_sync_ms) {
        size_t cap = m->cap_sync_ms ? 2 * m->cap_sync_ms : 64;
        double *nv = realloc(m->sync_ms, cap * sizeof *nv);
        if (!nv)
            return;
        m->sync_ms = nv, m->cap_sync_ms = cap;
    }
    m->sync_ms[m->nsync_ms++] = ms;
}

/* Locks the lost key could open: its provider's recipients' doors and entrances. */
typedef struct revo {
    size_t affected, reached, reached_before_expiry, reached_before_shift_end;
    stats hours;
} revo;

static revo revocation(const sim *s)
{
    revo r = {0};
    if (s->lost_staff < 0 || !s->m.revocation_at)
        return r;
    uint32_t prov = s->staff[s->lost_staff].provider;
    double *h = calloc(s->nlocks + 1, sizeof *h);
    uint8_t *seen = calloc(s->nlocks + 1, 1);
    for (size_t i = 0; h && seen && i < s->nrec; i++) {
        if (s->rec[i].provider != prov)
            continue;
        int doors[2] = {s->bld[s->rec[i].building].entrance_lock, s->rec[i].apt_lock};
        for (int k = 0; k < 2; k++) {
            if (doors[k] < 0 || seen[doors[k]])
                continue;
            seen[doors[k]] = 1;
            r.affected++;
            const sim_lock *l = &s->locks[doors[k]];
            if (!l->knows_revocation_at)
                continue;
            h[r.reached++] = (double)(l->knows_revocation_at - s->m.revocation_at) / 3600.0;
            r.reached_before_expiry += l->knows_revocation_at < s->m.lost_cred_until;
            r.reached_before_shift_end += l->knows_revocation_at < s->m.lost_rights_until;
        }
    }
    r.hours = summarize(h, r.reached);
    free(h);
    free(seen);
    return r;
}

static void reasons_json(const sim *s, FILE *f)
{
    int first = 1;
    fputc('{', f);
    for (int i = 1; i < SIM_NREASON; i++)
        if (s->m.refusals[i]) {
            fprintf(f, "%s\"%s\":%llu", first ? "" : ",", pv_errname(-i),
                    (unsigned long long)s->m.refusals[i]);
            first = 0;
        }
    fputc('}', f);
}

void sim_report_json(const sim *s, FILE *f)
{
    const sim_metrics *m = &s->m;
    revo r = revocation(s);
    double *v = malloc((m->nsync_ms + 1) * sizeof *v);
    if (v && m->nsync_ms)
        memcpy(v, m->sync_ms, m->nsync_ms * sizeof *v);
    stats sy = summarize(v, v ? m->nsync_ms : 0);
    free(v);
    fprintf(f, "{\"scenario\":\"%s\",\"backend\":\"%s\",", s->scenario, s->be.name);
    fprintf(f, "\"providers\":%u,\"staff\":%zu,\"recipients\":%zu,\"locks\":%zu,",
            s->nproviders, s->nstaff, s->nrec, s->nlocks);
    fprintf(f, "\"visits_attempted\":%llu,\"visits_opened\":%llu,\"visits_without_lock\":%llu,",
            (unsigned long long)m->visits_attempted, (unsigned long long)m->visits_opened,
            (unsigned long long)m->visits_without_lock);
    fprintf(f, "\"alarms\":%llu,\"alarms_opened\":%llu,\"unlocks\":%llu,\"unlocks_opened\":%llu,",
            (unsigned long long)m->alarms, (unsigned long long)m->alarms_opened,
            (unsigned long long)m->unlocks, (unsigned long long)m->unlocks_opened);
    fprintf(f, "\"refusals\":");
    reasons_json(s, f);
    fprintf(f, ",\"lost_key_attempts\":%llu,\"lost_key_opens_before_lock_knew\":%llu,"
               "\"lost_key_opens_after_revocation\":%llu,",
            (unsigned long long)m->lost_key_attempts,
            (unsigned long long)m->lost_key_opens_before_lock_knew,
            (unsigned long long)m->lost_key_opens_after_revocation);
    fprintf(f, "\"revocation\":{\"locks_affected\":%zu,\"locks_reached\":%zu,"
               "\"median_h\":%.3f,\"p95_h\":%.3f,\"max_h\":%.3f,"
               "\"share_reached_before_expiry\":%.3f,\"share_reached_before_shift_end\":%.3f},",
            r.affected, r.reached, r.hours.p50, r.hours.p95, r.hours.max,
            r.affected ? (double)r.reached_before_expiry / (double)r.affected : 0.0,
            r.affected ? (double)r.reached_before_shift_end / (double)r.affected : 0.0);
    fprintf(f, "\"events_generated\":%llu,\"events_stored\":%llu,\"events_duplicate\":%llu,"
               "\"events_pending_on_locks\":%llu,\"events_with_lost_key\":%llu,"
               "\"lost_key_batches_dropped\":%llu,\"log_gaps\":%llu,"
               "\"bearer_events_sent\":%llu,",
            (unsigned long long)m->events_generated, (unsigned long long)m->events_stored,
            (unsigned long long)m->events_duplicate, (unsigned long long)m->events_pending,
            (unsigned long long)m->events_with_lost_key,
            (unsigned long long)m->lost_key_batches_dropped, (unsigned long long)m->log_gaps,
            (unsigned long long)m->bearer_events_sent);
    fprintf(f, "\"syncs\":%llu,\"syncs_ok\":%llu,\"syncs_offline\":%llu,\"syncs_refused\":%llu,"
               "\"syncs_blocked\":%llu,\"station_crashes\":%llu,"
               "\"sync_ms_p50\":%.2f,\"sync_ms_p99\":%.2f,",
            (unsigned long long)m->syncs, (unsigned long long)m->syncs_ok,
            (unsigned long long)m->syncs_offline, (unsigned long long)m->syncs_refused,
            (unsigned long long)m->syncs_blocked, (unsigned long long)m->station_crashes, sy.p50,
            sy.p99);
    fprintf(f, "\"radio_bytes_per_unlock\":%.0f,",
            m->unlocks ? (double)sim_air_bytes() / (double)m->unlocks : 0.0);
    sim_energy e;
    sim_lock_energy(s, &e);
    fprintf(f, "\"lock_energy\":{\"attempts\":%llu,\"opens\":%llu,\"verifies\":%llu,"
               "\"x25519\":%llu,\"m4_verifies_per_attempt\":%.3f,\"mj_per_lock_day_mean\":%.1f,"
               "\"mj_per_lock_day_max\":%.1f,\"battery_years_busiest_lock\":%.2f},",
            (unsigned long long)e.attempts, (unsigned long long)e.opens,
            (unsigned long long)e.verifies, (unsigned long long)e.x25519, e.verify_ratio,
            e.mj_mean, e.mj_max, e.years_min);
    fprintf(f, "\"battery_warnings\":%llu,\"provider_changes\":%llu,\"uplink_outages\":%llu}\n",
            (unsigned long long)m->battery_warnings, (unsigned long long)m->provider_changes,
            (unsigned long long)m->uplink_outages);
}

void sim_report_text(const sim *s, FILE *f)
{
    const sim_metrics *m = &s->m;
    revo r = revocation(s);
    fprintf(f, "\nPortvakt district simulation — scenario %s (backend: %s)\n", s->scenario,
            s->be.name);
    fprintf(f, "  district: %u providers, %zu keys, %zu recipients, %zu locks\n", s->nproviders,
            s->nstaff, s->nrec, s->nlocks);
    fprintf(f, "  visits: %llu attempted, %llu opened (%llu visits had no lock on the way)\n",
            (unsigned long long)m->visits_attempted, (unsigned long long)m->visits_opened,
            (unsigned long long)m->visits_without_lock);
    fprintf(f, "  night alarms: %llu, answered inside: %llu\n", (unsigned long long)m->alarms,
            (unsigned long long)m->alarms_opened);
    fprintf(f, "  refusals by reason:");
    int any = 0;
    for (int i = 1; i < SIM_NREASON; i++)
        if (m->refusals[i]) {
            fprintf(f, "%s %s %llu", any ? "," : "", pv_errname(-i),
                    (unsigned long long)m->refusals[i]);
            any = 1;
        }
    fprintf(f, "%s\n", any ? "" : " none");
    fprintf(f, "  lost key: %llu attempts, %llu opened before the lock knew, %llu after\n",
            (unsigned long long)m->lost_key_attempts,
            (unsigned long long)m->lost_key_opens_before_lock_knew,
            (unsigned long long)m->lost_key_opens_after_revocation);
    fprintf(f, "  revocation reached %zu of %zu locks: median %.2f h, p95 %.2f h, max %.2f h; "
               "%.0f%% before the lost credential expired, %.0f%% before its shift's rights "
               "ended\n",
            r.reached, r.affected, r.hours.p50, r.hours.p95, r.hours.max,
            r.affected ? 100.0 * (double)r.reached_before_expiry / (double)r.affected : 0.0,
            r.affected ? 100.0 * (double)r.reached_before_shift_end / (double)r.affected : 0.0);
    fprintf(f, "  access log (passages and refusals): %llu events generated, %llu stored, %llu still on locks (the next key "
               "collects them), %llu left with the lost key, %llu gaps, %llu duplicates ignored\n",
            (unsigned long long)m->events_generated, (unsigned long long)m->events_stored,
            (unsigned long long)m->events_pending, (unsigned long long)m->events_with_lost_key,
            (unsigned long long)m->log_gaps, (unsigned long long)m->events_duplicate);
    fprintf(f, "  syncs: %llu (%llu ok, %llu offline, %llu refused of which %llu blocked keys); "
               "station crashes survived: %llu\n",
            (unsigned long long)m->syncs, (unsigned long long)m->syncs_ok,
            (unsigned long long)m->syncs_offline, (unsigned long long)m->syncs_refused,
            (unsigned long long)m->syncs_blocked, (unsigned long long)m->station_crashes);
    double *v = malloc((m->nsync_ms + 1) * sizeof *v);
    if (v && m->nsync_ms)
        memcpy(v, m->sync_ms, m->nsync_ms * sizeof *v);
    stats sy = summarize(v, v ? m->nsync_ms : 0);
    free(v);
    fprintf(f, "  sync latency at the station: p50 %.1f ms, p99 %.1f ms\n", sy.p50, sy.p99);
    fprintf(f, "  radio: %.0f bytes per unlock over the virtual radio\n",
            m->unlocks ? (double)sim_air_bytes() / (double)m->unlocks : 0.0);
    fprintf(f, "  battery warnings: %llu; provider changes: %llu; uplink outages: %llu\n",
            (unsigned long long)m->battery_warnings, (unsigned long long)m->provider_changes,
            (unsigned long long)m->uplink_outages);
    sim_energy e;
    sim_lock_energy(s, &e);
    fprintf(f, "  lock energy (modelled, Cortex-M4 costs): %.1f mJ per lock today on average, "
               "%.1f mJ the busiest (battery %.1f years at this pace); %.2f verifies' worth of "
               "work per attempt (%llu attempts, %llu verifies, %llu X25519)\n",
            e.mj_mean, e.mj_max, e.years_min, e.verify_ratio, (unsigned long long)e.attempts,
            (unsigned long long)e.verifies, (unsigned long long)e.x25519);
}

void sim_report_bench(const sim *s, FILE *f)
{
    revo r = revocation(s);
    fprintf(f, "{\"name\":\"sim.revocation_p95_h\",\"value\":%.3f,\"unit\":\"h\","
               "\"scenario\":\"%s\",\"locks_affected\":%zu,\"locks_reached\":%zu,"
               "\"median_h\":%.3f,\"max_h\":%.3f,\"share_reached_before_expiry\":%.3f}\n",
            r.hours.p95, s->scenario, r.affected, r.reached, r.hours.p50, r.hours.max,
            r.affected ? (double)r.reached_before_expiry / (double)r.affected : 0.0);
}
