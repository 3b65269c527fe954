/* The simulated day: shift-start syncs, scheduled visits, a key lost at 10:00 and its
 * finder trying doors, a provider change, an uplink outage, a night alarm, shift ends. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sim.h"

enum ev_kind { EV_SYNC, EV_LOGS, EV_VISIT, EV_LOST, EV_REPLACE, EV_FINDER, EV_LOST_SYNC, EV_CRASH, EV_CHANGE,
               EV_UPLINK, EV_ALARM };

typedef struct ev {
    uint64_t t;
    int kind, a, b;
} ev;

typedef struct plan {
    ev *e;
    size_t n, cap;
} plan;

static void add(plan *p, uint64_t t, int kind, int a, int b)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 256;
        ev *ne = realloc(p->e, cap * sizeof *ne);
        if (!ne)
            return;
        p->e = ne, p->cap = cap;
    }
    p->e[p->n++] = (ev){t, kind, a, b};
}

static int cmp_ev(const void *x, const void *y)
{
    const ev *a = x, *b = y;
    if (a->t != b->t)
        return a->t < b->t ? -1 : 1;
    return a->kind - b->kind; /* syncs before visits at the same minute */
}

static sim_staff *current(sim *s, int i)
{
    while (s->staff[i].replaced_by > 0)
        i = s->staff[i].replaced_by;
    return &s->staff[i];
}

/* Staff of each provider by team, so visits are shared out round robin. */
typedef struct teams {
    int **day, **night;
    int *nday, *nnight;
} teams;

static int make_teams(sim *s, teams *t)
{
    uint32_t np = s->nproviders + 1;
    t->day = calloc(np, sizeof *t->day), t->night = calloc(np, sizeof *t->night);
    t->nday = calloc(np, sizeof *t->nday), t->nnight = calloc(np, sizeof *t->nnight);
    if (!t->day || !t->night || !t->nday || !t->nnight)
        return PV_E_NOMEM;
    for (uint32_t p = 0; p < np; p++) {
        t->day[p] = malloc((s->nstaff + 1) * sizeof(int));
        t->night[p] = malloc((s->nstaff / np + 64) * sizeof(int));
        if (!t->day[p] || !t->night[p])
            return PV_E_NOMEM;
    }
    for (size_t i = 0; i < s->nstaff; i++) {
        uint32_t p = s->staff[i].provider;
        if (s->staff[i].night)
            t->night[p][t->nnight[p]++] = (int)i;
        else
            t->day[p][t->nday[p]++] = (int)i;
    }
    return PV_OK;
}

static void free_teams(sim *s, teams *t)
{
    for (uint32_t p = 0; t->day && p <= s->nproviders; p++) {
        free(t->day[p]);
        if (t->night)
            free(t->night[p]);
    }
    free(t->day), free(t->night), free(t->nday), free(t->nnight);
}

static void plan_shifts(sim *s, plan *p, const teams *t)
{
    uint64_t d = s->day0, h = 3600;
    for (size_t i = 0; i < s->nstaff; i++) {
        if (s->staff[i].night) {
            add(p, d + 21 * h, EV_SYNC, (int)i, 0);
            add(p, d + 31 * h, EV_LOGS, (int)i, 0);
        } else {
            add(p, d + 7 * h, EV_SYNC, (int)i, 0);
            add(p, d + 15 * h + 30 * 60, EV_LOGS, (int)i, 0);
        }
    }
    /* lunch at the office: half of each day team syncs at noon, the other half after 13:20
     * (and finds the station without its uplink) */
    for (uint32_t pr = 1; pr <= s->nproviders; pr++)
        for (int j = 0; j < t->nday[pr]; j++) {
            int late = j >= t->nday[pr] / 2;
            add(p, d + (late ? 13 * h + 20 * 60 : 12 * h) + (uint64_t)(j % 6) * 5 * 60, EV_SYNC,
                t->day[pr][j], 0);
        }
}

static void make_plan(sim *s, plan *p, const teams *t)
{
    uint64_t d = s->day0, h = 3600;
    plan_shifts(s, p, t);
    for (size_t r = 0; r < s->nrec; r++) {
        uint32_t pr = s->rec[r].provider;
        int who = t->nday[pr] ? t->day[pr][r % (size_t)t->nday[pr]] : -1;
        size_t rank = r / s->nproviders; /* position among the provider's recipients */
        add(p, d + 8 * h + (rank % 6) * 20 * 60, EV_VISIT, (int)r, who);
        add(p, d + 13 * h + ((rank + r) % 5) * 25 * 60, EV_VISIT, (int)r, who);
        if (r % s->alarm_mod == s->alarm_rem && t->nnight[pr])
            add(p, d + 26 * h + (r / s->alarm_mod % 180) * 60, EV_ALARM, (int)r,
                t->night[pr][r % (size_t)t->nnight[pr]]);
    }
    int lost = s->lost_staff;
    add(p, d + 10 * h, EV_LOST, lost, 0);
    add(p, d + 10 * h + 15 * 60, EV_REPLACE, lost, 0);
    /* the finder tries the doors of the building where the key was found, twice */
    add(p, d + 11 * h, EV_FINDER, lost, s->finder_building);
    add(p, d + 14 * h + 20 * 60, EV_FINDER, lost, s->finder_building);
    add(p, d + 16 * h, EV_FINDER, lost, -1); /* and every door, after the shift */
    /* the finder also puts the key to the station, hoping for fresh rights */
    add(p, d + 14 * h + 50 * 60, EV_LOST_SYNC, lost, 0);
    /* the station dies hard right after the end-of-shift hand-over, and restarts */
    add(p, d + 15 * h + 31 * 60, EV_CRASH, 0, 0);
    for (unsigned k = 0; k < s->changes_per_day; k++) {
        size_t r = s->nrec > 1 ? (4 + (size_t)k * 1453u) % s->nrec : 0;
        uint32_t to = s->rec[r].provider % s->nproviders + 1;
        add(p, d + 11 * h + k * 60, EV_CHANGE, (int)r, (int)to);
    }
    add(p, d + 13 * h, EV_UPLINK, 0, 0);
    add(p, d + 14 * h, EV_UPLINK, 1, 0);
    qsort(p->e, p->n, sizeof *p->e, cmp_ev);
}

static void do_visit(sim *s, int r, sim_staff *st, int alarm)
{
    sim_recipient *rc = &s->rec[r];
    int doors[2] = {s->bld[rc->building].entrance_lock, rc->apt_lock}, tried = 0, opened = 0;
    for (int k = 0; k < 2; k++) {
        if (doors[k] < 0)
            continue;
        tried++;
        int rcode = sim_unlock(s, st, &s->locks[doors[k]], 1);
        if (rcode == PV_OK)
            opened++;
        else
            sim_say(s, "K-%04u refused at lock %u: %s", st->bearer_id, s->locks[doors[k]].id,
                    pv_key_reason_text(rcode));
    }
    if (!tried) {
        s->m.visits_without_lock++;
        return;
    }
    if (alarm) {
        s->m.alarms++;
        s->m.alarms_opened += opened == tried;
        sim_say(s, "night alarm %s: K-%04u %s", rc->alarm_code, st->bearer_id,
                opened == tried ? "is inside" : "could not get in");
        return;
    }
    s->m.visits_attempted++;
    s->m.visits_opened += opened == tried;
    if (s->nrec <= 100) /* a pilot district: narrate every visit; a city would flood */
        sim_say(s, "K-%04u visits %s: %d of %d door%s opened", st->bearer_id, rc->alarm_code,
                opened, tried, tried == 1 ? "" : "s");
}

/* The finder of the lost key tries the doors of one building (b >= 0) or every door. */
static void do_finder(sim *s, sim_staff *lost, int b)
{
    uint64_t opened = s->m.lost_key_opens_before_lock_knew + s->m.lost_key_opens_after_revocation;
    unsigned tries = 0;
    for (size_t r = 0; r < s->nrec; r++) {
        if (s->rec[r].provider != lost->provider ||
            (b >= 0 && s->rec[r].building != (uint32_t)b))
            continue;
        int doors[2] = {s->bld[s->rec[r].building].entrance_lock, s->rec[r].apt_lock};
        for (int k = 0; k < 2; k++)
            if (doors[k] >= 0) {
                (void)sim_unlock(s, lost, &s->locks[doors[k]], 0);
                tries++;
            }
    }
    opened = s->m.lost_key_opens_before_lock_knew + s->m.lost_key_opens_after_revocation - opened;
    sim_say(s, "the lost key K-%04u is tried at %u doors: %llu opened%s", lost->bearer_id, tries,
            (unsigned long long)opened,
            opened ? " (locks the block had not reached yet)" : ", all refused");
}

static void on_lost(sim *s, int i)
{
    sim_staff *st = &s->staff[i];
    pv_cred c;
    if (pv_key_credential(st->key.key, &c) == PV_OK)
        s->m.lost_cred_until = c.not_after;
    uint64_t from, until;
    sim_shift(s, st, s->now, &from, &until); /* its rights end with the shift */
    s->m.lost_rights_until = until < s->m.lost_cred_until ? until : s->m.lost_cred_until;
    int rc = s->be.report_lost(s, st);
    st->lost = 1;
    s->lost_bearer = st->bearer_id;
    s->m.revocation_at = s->now;
    sim_say(s, "K-%04u reported lost: %s", st->bearer_id,
            rc == PV_OK ? "blocked centrally; the next keys to sync carry the block to the locks"
                        : pv_strerror(rc));
}

static void on_replace(sim *s, int i)
{
    int rc = sim_staff_replace(s, i);
    sim_staff *nw = rc == PV_OK ? &s->staff[s->nstaff - 1] : NULL;
    if (nw)
        rc = s->be.new_key(s, nw);
    if (rc == PV_OK)
        rc = sim_station(s, nw, 1);
    sim_say(s, "replacement key K-%04u issued: %s", nw ? nw->bearer_id : 0,
            nw ? nw->last_status : pv_strerror(rc));
}

static void on_crash(sim *s)
{
    if (!s->be.crash_station)
        return;
    int rc = s->be.crash_station(s);
    s->m.station_crashes++;
    sim_say(s, "the station is killed (kill -9) with %llu log item(s) in its queue, and "
               "restarted: %s",
            (unsigned long long)s->m.queued_at_crash,
            rc == PV_OK ? "it picks up where it stopped" : pv_strerror(rc));
}

/* Recipient e->a moves to provider e->b from tomorrow. */
static void on_change(sim *s, const ev *e)
{
    time_t tomorrow = (time_t)(s->day0 + 86400 + 12 * 3600);
    struct tm tm;
    char date[16];
    localtime_r(&tomorrow, &tm);
    strftime(date, sizeof date, "%Y-%m-%d", &tm);
    int rc = s->be.provider_change(s, &s->rec[e->a], (uint32_t)e->b, date);
    sim_say(s, "recipient %s changes provider from %s: %s", s->rec[e->a].alarm_code, date,
            rc == PV_OK ? "registered" : pv_strerror(rc));
}

static void dispatch(sim *s, const ev *e)
{
    sim_staff *st = e->a >= 0 && e->kind != EV_VISIT && e->kind != EV_CHANGE &&
                            e->kind != EV_ALARM && e->kind != EV_UPLINK && e->kind != EV_CRASH
                        ? current(s, e->a)
                        : NULL;
    switch (e->kind) {
    case EV_SYNC:
    case EV_LOGS: {
        int rc = sim_station(s, st, e->kind == EV_SYNC);
        sim_say(s, "K-%04u at the station: %s", st->bearer_id,
                rc == PV_OK || st->last_status[0] ? st->last_status : pv_strerror(rc));
        break;
    }
    case EV_VISIT:
        if (e->b >= 0)
            do_visit(s, e->a, current(s, e->b), 0);
        break;
    case EV_ALARM:
        if (e->b >= 0)
            do_visit(s, e->a, current(s, e->b), 1);
        break;
    case EV_LOST:
        on_lost(s, e->a);
        break;
    case EV_REPLACE:
        on_replace(s, e->a);
        break;
    case EV_FINDER:
        do_finder(s, &s->staff[e->a], e->b);
        break;
    case EV_LOST_SYNC: {
        sim_staff *lk = &s->staff[e->a];
        int rc = sim_station(s, lk, 1);
        sim_say(s, "the lost key K-%04u is put to the station: %s", lk->bearer_id,
                lk->last_status[0] ? lk->last_status : pv_strerror(rc));
        break;
    }
    case EV_CRASH:
        on_crash(s);
        break;
    case EV_CHANGE:
        on_change(s, e);
        break;
    case EV_UPLINK:
        if (s->be.set_uplink) {
            (void)s->be.set_uplink(s, e->a);
            s->m.uplink_outages += e->a == 0;
        }
        sim_say(s, "the station's uplink is %s", e->a ? "back" : "DOWN (simulated outage)");
        break;
    default:
        abort(); /* programmer error: a kind without a handler */
    }
}

static void pace(sim *s, uint64_t t)
{
    if (s->live) {
        /* catch up with the wall clock at full speed, then live: the server's clock follows
         * the wall (moved every few seconds), so sign-in codes (TOTP) match */
        for (uint64_t w = (uint64_t)time(NULL); w < t; w = (uint64_t)time(NULL)) {
            if (w > s->now)
                sim_advance(s, w);
            sleep(t - w < 5 ? (unsigned)(t - w) : 5u);
        }
    } else if (s->speed > 0 && t > s->now) {
        double secs = (double)(t - s->now) / s->speed;
        while (secs > 0) {
            double step = secs > 0.5 ? 0.5 : secs;
            usleep((useconds_t)(step * 1e6));
            secs -= step;
        }
    }
    sim_advance(s, t);
}

int sim_run_day(sim *s)
{
    plan p = {0};
    teams t = {0};
    if (make_teams(s, &t) != PV_OK) {
        free_teams(s, &t);
        return PV_E_NOMEM;
    }
    make_plan(s, &p, &t);
    free_teams(s, &t);
    if (!p.e)
        return PV_E_NOMEM;
    for (size_t i = 0; i < p.n; i++) {
        pace(s, p.e[i].t);
        dispatch(s, &p.e[i]);
    }
    free(p.e);
    int rc = s->be.finish ? s->be.finish(s) : PV_OK;
    for (size_t i = 0; i < s->nlocks; i++) {
        sim_lock *l = &s->locks[i];
        if (!l->knows_revocation_at && s->m.revlist_version) {
            uint64_t v = 0, bt = 0;
            if (pv_lock_issuer_state(l->hw->lock, s->issuer_id, &v, &bt) == PV_OK &&
                v >= s->m.revlist_version)
                l->knows_revocation_at = s->now;
        }
    }
    return rc;
}
