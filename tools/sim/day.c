/* The simulated day: shift-start syncs, scheduled visits, a key lost at 10:00 and its
 * finder trying doors, a provider change, an uplink outage, a night alarm, shift ends. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sim.h"

enum ev_kind { EV_SYNC, EV_LOGS, EV_VISIT, EV_LOST, EV_REPLACE, EV_FINDER, EV_CHANGE,
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

/* Day staff of a provider, by position: visits are shared out round robin. */
static int day_staff(sim *s, uint32_t provider, int k)
{
    int count = 0;
    for (size_t i = 0; i < s->nstaff; i++)
        count += s->staff[i].provider == provider && !s->staff[i].night;
    for (size_t i = 0, j = 0; count && i < s->nstaff; i++)
        if (s->staff[i].provider == provider && !s->staff[i].night && (int)j++ == k % count)
            return (int)i;
    return -1;
}

static int night_staff(sim *s)
{
    for (size_t i = 0; i < s->nstaff; i++)
        if (s->staff[i].night)
            return (int)i;
    return -1;
}

static void make_plan(sim *s, plan *p)
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
    for (size_t r = 0; r < s->nrec; r++) {
        int who = day_staff(s, s->rec[r].provider, (int)r);
        add(p, d + 8 * h + (r % 6) * 20 * 60, EV_VISIT, (int)r, who);
        add(p, d + 13 * h + (r % 5) * 25 * 60, EV_VISIT, (int)r, who);
    }
    int lost = s->lost_staff;
    add(p, d + 10 * h, EV_LOST, lost, 0);
    add(p, d + 10 * h + 15 * 60, EV_REPLACE, lost, 0);
    /* the finder tries the doors of the building where the key was found, twice */
    add(p, d + 11 * h, EV_FINDER, lost, 3);
    add(p, d + 14 * h + 20 * 60, EV_FINDER, lost, 3);
    add(p, d + 16 * h, EV_FINDER, lost, -1); /* and every door, after the shift */
    for (int k = 0; k < 4; k++) /* lunch at the office: half the day staff sync again */
        add(p, d + 12 * h + (uint64_t)k * 5 * 60, EV_SYNC, day_staff(s, 1, k), 0);
    add(p, d + 11 * h, EV_CHANGE, 4, 2);
    add(p, d + 13 * h, EV_UPLINK, 0, 0);
    for (int k = 4; k < 8; k++) /* these find the station without its uplink */
        add(p, d + 13 * h + 20 * 60 + (uint64_t)k * 60, EV_SYNC, day_staff(s, 1, k), 0);
    add(p, d + 14 * h, EV_UPLINK, 1, 0);
    add(p, d + 26 * h, EV_ALARM, 11, night_staff(s));
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
    sim_say(s, "the lost key K-%04u is tried at %u doors: %llu open (locks not yet reached by "
               "the block)", lost->bearer_id, tries, (unsigned long long)opened);
}

static void on_lost(sim *s, int i)
{
    sim_staff *st = &s->staff[i];
    pv_cred c;
    if (pv_key_credential(st->key.key, &c) == PV_OK)
        s->m.lost_cred_until = c.not_after;
    int rc = s->be.report_lost(s, st);
    st->lost = 1;
    s->lost_bearer = st->bearer_id;
    s->m.revocation_at = s->now;
    sim_say(s, "K-%04u reported lost: %s (revocation list version %llu)", st->bearer_id,
            rc == PV_OK ? "blocked centrally" : pv_strerror(rc),
            (unsigned long long)s->m.revlist_version);
}

static void on_replace(sim *s, int i)
{
    int rc = sim_staff_replace(s, i);
    sim_staff *nw = rc == PV_OK ? &s->staff[s->nstaff - 1] : NULL;
    if (nw)
        rc = s->be.new_key(s, nw);
    if (rc == PV_OK)
        rc = s->be.visit_station(s, nw, 1);
    sim_say(s, "replacement key K-%04u issued: %s", nw ? nw->bearer_id : 0,
            nw ? nw->last_status : pv_strerror(rc));
}

static void dispatch(sim *s, const ev *e)
{
    sim_staff *st = e->a >= 0 && e->kind != EV_VISIT && e->kind != EV_CHANGE &&
                            e->kind != EV_ALARM && e->kind != EV_UPLINK
                        ? current(s, e->a)
                        : NULL;
    switch (e->kind) {
    case EV_SYNC:
    case EV_LOGS: {
        int rc = s->be.visit_station(s, st, e->kind == EV_SYNC);
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
    case EV_CHANGE: {
        time_t tomorrow = (time_t)(s->day0 + 86400 + 12 * 3600);
        struct tm tm;
        char date[16];
        localtime_r(&tomorrow, &tm);
        strftime(date, sizeof date, "%Y-%m-%d", &tm);
        int rc = s->be.provider_change(s, &s->rec[e->a], (uint32_t)e->b, date);
        sim_say(s, "recipient %s changes provider from %s: %s", s->rec[e->a].alarm_code, date,
                rc == PV_OK ? "registered" : pv_strerror(rc));
        break;
    }
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
    if (s->speed > 0 && t > s->now) {
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
    make_plan(s, &p);
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
