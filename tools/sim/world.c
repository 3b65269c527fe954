/* Builds the simulated district (the Årsta pilot) and its hardware: real lock cores on
 * simulated flash and clocks, real key cores, all in this process. */
#include <sodium.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim.h"

#define ARSTA_DAY_STAFF 8u
#define ARSTA_NIGHT_STAFF 2u
#define ARSTA_RECIPIENTS 35u
#define ARSTA_APT_LOCKS 25u
#define ARSTA_OWNERS 11u
#define ARSTA_CONSENTING_BUILDINGS 20u /* owners 1..10, two buildings each */
#define ARSTA_REFUSING_BUILDINGS 4u    /* owner 11 withholds consent */

void sim_say(sim *s, const char *fmt, ...)
{
    if (!s->out)
        return;
    time_t t = (time_t)s->now;
    struct tm tm;
    localtime_r(&t, &tm);
    fprintf(s->out, "[%02d:%02d] ", tm.tm_hour, tm.tm_min);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(s->out, fmt, ap);
    va_end(ap);
    fputc('\n', s->out);
    fflush(s->out);
}

/* 00:00 local time of today's date (the simulated day takes the date, not the clock). */
static uint64_t local_midnight(void)
{
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
    tm.tm_isdst = -1;
    return (uint64_t)mktime(&tm);
}

static void add_staff(sim *s, uint32_t provider, int night)
{
    sim_staff *st = &s->staff[s->nstaff++];
    memset(st, 0, sizeof *st);
    st->provider = provider;
    st->night = (uint8_t)night;
    crypto_sign_keypair(st->pk, st->sk);
}

int sim_build_arsta(sim *s)
{
    s->day0 = local_midnight();
    s->now = s->day0 + 6 * 3600 + 30 * 60;
    s->nproviders = 2; /* Årsta's provider, and the one a recipient moves to */
    s->nowners = ARSTA_OWNERS;
    s->staff = calloc(ARSTA_DAY_STAFF + ARSTA_NIGHT_STAFF + 4, sizeof *s->staff);
    /* provider 2 has no staff in the pilot: it only receives the provider change */
    s->rec = calloc(ARSTA_RECIPIENTS, sizeof *s->rec);
    s->nbld = ARSTA_CONSENTING_BUILDINGS + ARSTA_REFUSING_BUILDINGS;
    s->bld = calloc(s->nbld, sizeof *s->bld);
    s->locks = calloc(ARSTA_CONSENTING_BUILDINGS + ARSTA_APT_LOCKS, sizeof *s->locks);
    if (!s->staff || !s->rec || !s->bld || !s->locks)
        return PV_E_NOMEM;
    for (unsigned i = 0; i < ARSTA_DAY_STAFF; i++)
        add_staff(s, 1, 0);
    for (unsigned i = 0; i < ARSTA_NIGHT_STAFF; i++)
        add_staff(s, 1, 1);
    for (size_t b = 0; b < s->nbld; b++) {
        sim_building *bd = &s->bld[b];
        bd->owner = b < ARSTA_CONSENTING_BUILDINGS ? (uint32_t)(b / 2 + 1) : ARSTA_OWNERS;
        bd->consent = b < ARSTA_CONSENTING_BUILDINGS;
        bd->entrance_lock = -1;
        if (bd->consent) {
            sim_lock *l = &s->locks[s->nlocks];
            l->entrance = 1;
            l->building = (uint32_t)b;
            bd->entrance_lock = (int)s->nlocks++;
        }
    }
    s->nrec = ARSTA_RECIPIENTS;
    for (size_t r = 0; r < s->nrec; r++) {
        sim_recipient *rc = &s->rec[r];
        rc->provider = 1;
        rc->building = (uint32_t)(r % s->nbld);
        snprintf(rc->alarm_code, sizeof rc->alarm_code, "AR-%04u", (unsigned)(r + 1) % 10000u);
        rc->apt_lock = -1;
        if (r < ARSTA_APT_LOCKS) {
            sim_lock *l = &s->locks[s->nlocks];
            l->building = rc->building;
            rc->apt_lock = (int)s->nlocks++;
        }
    }
    for (size_t i = 0; i < s->nlocks; i++) {
        crypto_sign_keypair(s->locks[i].pk, s->locks[i].sk);
        s->locks[i].battery_mv = 5600;
    }
    /* one apartment lock with a dying battery (below the lock's 4400 mV warning level) */
    s->locks[s->rec[6].apt_lock].battery_mv = 4300;
    s->lost_staff = 2;
    s->alarm_mod = 1000, s->alarm_rem = 11; /* one night alarm */
    s->changes_per_day = 1;
    s->finder_building = 3;
    return PV_OK;
}

#define CITY_PROVIDERS 80u
#define CITY_STAFF 7000u
#define CITY_RECIPIENTS 16000u
#define CITY_APT_LOCKS 15000u
#define CITY_ENTRANCES 9000u
#define CITY_REFUSING_BUILDINGS 3000u /* owners who have not consented (yet) */
#define CITY_OWNERS 3500u
#define CITY_CHANGES_PER_DAY 11u /* 4,000 provider changes a year */

/* Stockholm scale: every number from the issue; one in six staff on the night team. */
int sim_build_city(sim *s)
{
    s->day0 = local_midnight();
    s->now = s->day0 + 6 * 3600 + 30 * 60;
    s->nproviders = CITY_PROVIDERS;
    s->nowners = CITY_OWNERS;
    s->nbld = CITY_ENTRANCES + CITY_REFUSING_BUILDINGS;
    s->staff = calloc(CITY_STAFF + 4, sizeof *s->staff);
    s->rec = calloc(CITY_RECIPIENTS, sizeof *s->rec);
    s->bld = calloc(s->nbld, sizeof *s->bld);
    s->locks = calloc(CITY_ENTRANCES + CITY_APT_LOCKS, sizeof *s->locks);
    if (!s->staff || !s->rec || !s->bld || !s->locks)
        return PV_E_NOMEM;
    for (unsigned i = 0; i < CITY_STAFF; i++)
        add_staff(s, i % CITY_PROVIDERS + 1, (i / CITY_PROVIDERS) % 6 == 5);
    for (size_t b = 0; b < s->nbld; b++) {
        sim_building *bd = &s->bld[b];
        bd->consent = b < CITY_ENTRANCES;
        bd->owner = bd->consent ? (uint32_t)(b % 3200 + 1) : (uint32_t)(3201 + b % 300);
        bd->entrance_lock = -1;
        if (bd->consent) {
            s->locks[s->nlocks] = (sim_lock){.entrance = 1, .building = (uint32_t)b};
            bd->entrance_lock = (int)s->nlocks++;
        }
    }
    s->nrec = CITY_RECIPIENTS;
    for (size_t r = 0; r < s->nrec; r++) {
        sim_recipient *rc = &s->rec[r];
        rc->provider = (uint32_t)(r % CITY_PROVIDERS + 1);
        rc->building = (uint32_t)((r * 7919u) % s->nbld); /* providers share buildings */
        snprintf(rc->alarm_code, sizeof rc->alarm_code, "ST-%05u", (unsigned)(r + 1) % 100000u);
        rc->apt_lock = -1;
        if (r < CITY_APT_LOCKS) {
            s->locks[s->nlocks] = (sim_lock){.building = rc->building};
            rc->apt_lock = (int)s->nlocks++;
        }
    }
    for (size_t i = 0; i < s->nlocks; i++) {
        crypto_sign_keypair(s->locks[i].pk, s->locks[i].sk);
        s->locks[i].battery_mv = i % 500 == 250 ? 4300 : 5600; /* batteries run out */
    }
    s->lost_staff = 2;
    s->alarm_mod = 100, s->alarm_rem = 11; /* 160 night alarms */
    s->changes_per_day = CITY_CHANGES_PER_DAY;
    s->finder_building = (int)s->rec[2].building;
    return PV_OK;
}

static int key_hw(sim *s, sim_staff *st)
{
    size_t size = (pv_key_mem_size(SIM_MAX_RIGHTS) + 15) & ~(size_t)15;
    if (!st->mem)
        st->mem = aligned_alloc(16, size);
    if (!st->mem)
        return PV_E_NOMEM;
    return pv_sim_key_init(&st->key, st->mem, size, SIM_MAX_RIGHTS, st->sk, s->now,
                           0 /* real randomness */);
}

int sim_alloc_hw(sim *s)
{
    for (size_t i = 0; i < s->nstaff; i++) {
        int rc = key_hw(s, &s->staff[i]);
        if (rc != PV_OK)
            return rc;
    }
    for (size_t i = 0; i < s->nlocks; i++) {
        s->locks[i].hw = aligned_alloc(16, (sizeof(pv_sim_lock) + 15) & ~(size_t)15);
        if (!s->locks[i].hw)
            return PV_E_NOMEM;
        pv_sim_lock_init(s->locks[i].hw, s->now, 0);
        s->locks[i].hw->battery_mv = s->locks[i].battery_mv;
    }
    return PV_OK;
}

/* Installation day: every lock gets its id, its log key and the issuer it trusts. */
int sim_commission(sim *s, const uint8_t issuer_pk[32])
{
    for (size_t i = 0; i < s->nlocks; i++) {
        sim_lock *l = &s->locks[i];
        pv_lock_setup su = {.lock_id = l->id, .time = s->now, .nissuers = 1};
        memcpy(su.lock_sk, l->sk, sizeof su.lock_sk);
        su.issuers[0].issuer_id = s->issuer_id;
        memcpy(su.issuers[0].pk, issuer_pk, 32);
        su.issuers[0].nscopes = 1;
        su.issuers[0].scopes[0] = (pv_lock_scope){1, UINT32_MAX};
        int rc = pv_sim_lock_boot(l->hw);
        if (rc == PV_OK)
            rc = pv_lock_commission(l->hw->lock, &su);
        sodium_memzero(su.lock_sk, sizeof su.lock_sk);
        if (rc != PV_OK)
            return rc;
    }
    for (size_t i = 0; i < s->nstaff; i++) {
        int rc = pv_key_set_issuer(s->staff[i].key.key, s->issuer_id, issuer_pk);
        if (rc != PV_OK)
            return rc;
    }
    return PV_OK;
}

/* Simulated time moves on; each device's clock catches up when it is next used (a lock
 * or key nobody touches has nothing to decide), which keeps a city of 24,000 locks cheap. */
void sim_advance(sim *s, uint64_t t)
{
    if (t < s->now)
        return;
    s->now = t;
    if (s->be.set_time)
        (void)s->be.set_time(s, t);
}

void sim_touch(sim *s, pv_sim_clock *c)
{
    uint64_t ms = s->now * 1000u;
    if (c->unix_ms < ms)
        pv_sim_clock_advance(c, ms - c->unix_ms);
}

int sim_station(sim *s, sim_staff *st, int want_sync)
{
    sim_touch(s, &st->key.clock);
    return s->be.visit_station(s, st, want_sync);
}

void sim_free(sim *s)
{
    if (s->be.teardown)
        s->be.teardown(s);
    for (size_t i = 0; i < s->nstaff; i++) {
        if (s->staff[i].key.key)
            pv_key_wipe(s->staff[i].key.key);
        free(s->staff[i].mem);
        sodium_memzero(s->staff[i].sk, sizeof s->staff[i].sk);
    }
    for (size_t i = 0; i < s->nlocks; i++) {
        free(s->locks[i].hw);
        free(s->locks[i].got);
        sodium_memzero(s->locks[i].sk, sizeof s->locks[i].sk);
    }
    free(s->staff), free(s->rec), free(s->bld), free(s->locks), free(s->m.sync_ms);
}

/* A new key for the staff member at index i (the lost one stays with its finder). */
int sim_staff_replace(sim *s, int i)
{
    sim_staff *nw = &s->staff[s->nstaff];
    memset(nw, 0, sizeof *nw);
    nw->provider = s->staff[i].provider;
    nw->night = s->staff[i].night;
    nw->staff_id = s->staff[i].staff_id;
    crypto_sign_keypair(nw->pk, nw->sk);
    int rc = key_hw(s, nw);
    if (rc == PV_OK)
        rc = pv_key_set_issuer(nw->key.key, s->issuer_id, s->issuer_pk);
    if (rc != PV_OK)
        return rc;
    s->staff[i].replaced_by = (int)s->nstaff;
    s->nstaff++;
    return PV_OK;
}
