/* portvakt-sim's model of a district: staff and their keys, recipients, buildings,
 * locks (real lock cores on the simulated platform), and the backend that plays the
 * authorization system (the real server over HTTP through the real station, or an
 * in-process issuer for quick runs). */
#ifndef PVSIM_SIM_H
#define PVSIM_SIM_H

#include <stdint.h>
#include <stdio.h>

#include "portvakt/key.h"
#include "portvakt/lock.h"
#include "portvakt/sim.h"

#define SIM_MAX_RIGHTS 4000u
#define SIM_NREASON 90 /* refusal counters indexed by -pv_err */

typedef struct sim_lock {
    uint32_t id;       /* lock id on the wire (the server's id) */
    uint8_t entrance;  /* 1 entrance unit, 0 apartment door */
    uint32_t building;
    uint8_t sk[64], pk[32];
    pv_sim_lock *hw;   /* the real lock core on simulated hardware */
    uint16_t battery_mv;
    uint64_t knows_revocation_at; /* sim time the lock first held the lost key's list */
    uint32_t low_battery_reports;
    uint8_t *got;      /* got[seq] = 1 once the authorization system stored that event */
    uint32_t got_cap;
} sim_lock;

typedef struct sim_staff {
    uint32_t provider;
    uint8_t night;      /* night team: 21:00-07:00 */
    uint32_t staff_id;  /* server id */
    uint32_t bearer_id; /* current key's bearer id */
    uint8_t sk[64], pk[32];
    pv_sim_key key;
    void *mem;
    uint8_t lost;       /* the current key was reported lost */
    uint32_t item_id;   /* LOGS items sent */
    int replaced_by;    /* index of the staff entry with the replacement key, 0 if none */
    char last_status[600];
} sim_staff;

typedef struct sim_recipient {
    uint32_t id;        /* server id */
    uint32_t provider;
    uint32_t building;
    int apt_lock;       /* index into locks, -1 if the door has no lock */
    char alarm_code[16];
} sim_recipient;

typedef struct sim_building {
    uint32_t id;        /* server id */
    uint32_t owner;
    uint8_t consent;    /* the owner agreed to an entrance unit */
    int entrance_lock;  /* index into locks, -1 if none */
} sim_building;

typedef struct sim_metrics {
    uint64_t visits_attempted, visits_opened, visits_without_lock;
    uint64_t alarms, alarms_opened;
    uint64_t unlocks, unlocks_opened;
    uint64_t refusals[SIM_NREASON];
    uint64_t lost_key_attempts, lost_key_opens_before_lock_knew, lost_key_opens_after_revocation;
    uint64_t revocation_at, lost_cred_until, lost_rights_until, revlist_version;
    uint64_t syncs, syncs_ok, syncs_offline, syncs_refused, syncs_blocked, station_crashes;
    uint64_t queued_at_crash; /* items in the station's queue when it was killed */
    double *sync_ms;
    size_t nsync_ms, cap_sync_ms;
    uint64_t battery_warnings; /* distinct locks that raised a low-battery flag */
    uint64_t events_generated, events_stored, events_duplicate, events_pending, log_gaps;
    uint64_t events_with_lost_key, lost_key_batches_dropped; /* taken by the lost key before a lock knew: gone with it */
    uint64_t bearer_events_sent;
    uint64_t provider_changes, uplink_outages;
    char backend[16];
} sim_metrics;

typedef struct sim sim;

/* The authorization system as seen by the simulator. Every call returns PV_OK or an
 * error; `msg` carries text for people. */
typedef struct sim_backend {
    const char *name;
    int (*setup)(sim *s);
    /* Shift start or end at the station: sync (new credential) and hand over logs. */
    int (*visit_station)(sim *s, sim_staff *st, int want_sync);
    int (*report_lost)(sim *s, sim_staff *st);
    int (*new_key)(sim *s, sim_staff *st);
    int (*provider_change)(sim *s, sim_recipient *r, uint32_t provider, const char *date);
    int (*set_uplink)(sim *s, int up);
    int (*set_time)(sim *s, uint64_t t);
    int (*crash_station)(sim *s); /* kill -9 and restart (NULL: no station process) */
    /* Wait for the station's queue to drain and count what the server stored. */
    int (*finish)(sim *s);
    void (*teardown)(sim *s);
    void *ctx;
} sim_backend;

struct sim {
    const char *scenario;
    uint64_t day0;    /* 00:00 of the simulated day, unix seconds (local time) */
    uint64_t now;     /* simulated time */
    uint32_t issuer_id;
    uint8_t issuer_pk[32];
    uint32_t nproviders;
    sim_staff *staff;
    size_t nstaff;
    sim_recipient *rec;
    size_t nrec;
    sim_building *bld;
    size_t nbld;
    sim_lock *locks;
    size_t nlocks;
    uint32_t nowners;
    sim_backend be;
    sim_metrics m;
    int lost_staff;   /* index of the staff member whose key is lost, -1 none */
    uint32_t lost_bearer;
    FILE *out;        /* narration (stderr or NULL) */
    int verbose;
    double speed;     /* simulated seconds per real second (0: as fast as possible) */
    int allday;       /* rights around the clock (the `visit` command), not by shift */
    int live;         /* run at the wall clock's pace once simulated time has caught up */
    uint32_t alarm_mod, alarm_rem; /* recipient r raises a night alarm if r % mod == rem */
    unsigned changes_per_day;      /* provider changes registered during the day */
    int finder_building;           /* where the lost key is found and tried */
};

/* world.c */
int sim_build_arsta(sim *s);
int sim_alloc_hw(sim *s); /* keys and lock hardware once ids are known */
int sim_commission(sim *s, const uint8_t issuer_pk[32]);
int sim_staff_replace(sim *s, int i);
void sim_free(sim *s);
void sim_advance(sim *s, uint64_t t);
void sim_touch(sim *s, pv_sim_clock *c);
/* A staff member at the station (sync and/or log hand-over) through the backend. */
int sim_station(sim *s, sim_staff *st, int want_sync);
int sim_build_city(sim *s);
void sim_say(sim *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* door.c: one unlock attempt of a key at a lock, with bookkeeping */
int sim_unlock(sim *s, sim_staff *st, sim_lock *l, int legit);
uint64_t sim_air_bytes(void); /* bytes sent over the virtual radio so far */
int sim_staff_hand_logs_local(sim *s, sim_staff *st);

/* day.c */
int sim_run_day(sim *s);

/* ledger.c: what reached the authorization system, per lock and sequence number */
int sim_mark_stored(sim *s, uint32_t lock_id, uint32_t seq);
sim_lock *sim_lock_by_id(sim *s, uint32_t id);
void sim_count_logs(sim *s);
/* Shift windows of a staff member at time t: [from, until) of the current or next shift. */
void sim_shift(const sim *s, const sim_staff *st, uint64_t t, uint64_t *from, uint64_t *until);

/* report.c */
void sim_report_text(const sim *s, FILE *f);
void sim_report_json(const sim *s, FILE *f);
void sim_report_bench(const sim *s, FILE *f); /* `make bench` lines */
void sim_note_sync_ms(sim *s, double ms);

/* backends */
int sim_backend_local(sim *s);
typedef struct sim_http_opts {
    const char *server;      /* e.g. https://127.0.0.1:8443 */
    const char *ca_cert;     /* CA that signed the server's certificate */
    const char *token;       /* API token of a central administrator */
    const char *station_bin; /* portvakt-station to start (default: next to this binary) */
    const char *work_dir;    /* station queue, key and socket (default: a temp dir) */
    const char *admin, *password; /* first login of a fresh administrator, when no token */
    const char *token_out;   /* write the created token here */
    const char *demo_out;    /* create user "demo" and write "demo PASSWORD" here */
} sim_http_opts;
int sim_backend_http(sim *s, const sim_http_opts *o);

/* `visit` acting as an existing key at existing locks, all registered by someone else
 * (the web UI): the Ed25519 seeds whose public keys the server holds. */
#define SIM_VISIT_MAX_LOCKS 8u
typedef struct sim_visit_lock {
    uint32_t id;
    uint8_t seed[32];
    uint8_t have_seed;
    uint8_t expect_refused; /* a door this key must not open */
    uint16_t battery_mv;    /* 0: fresh batteries */
} sim_visit_lock;
typedef struct sim_visit_opts {
    uint32_t bearer_id;
    uint8_t bearer_seed[32];
    uint8_t have_seed;
    sim_visit_lock lock[SIM_VISIT_MAX_LOCKS];
    size_t nlocks;
    uint32_t provider_id; /* `enrol`: the provider whose station the new key is shown at */
} sim_visit_opts;
/* Parses one `visit` option (o with value v; a hex seed in v is wiped once read). Returns
 * 1 when it consumed o and v, 0 when o is not a visit option, -1 on a bad value. */
int sim_visit_opt(sim_visit_opts *vo, const char *o, char *v);
/* v NULL or empty: the visit registers its own key and lock. Returns the exit status. */
int sim_visit_cmd(const sim_http_opts *o, sim_visit_opts *v);
/* `portvakt-sim enrol`: a new key (--bearer-seed) presented at a fresh station of
 * --provider-id; prints the station's words, with the enrolment code (docs/enrolment.md).
 * Returns the exit status: 0 when the station showed a code. */
int sim_enrol_cmd(const sim_http_opts *o, sim_visit_opts *v);
/* Retires the station `visit` or `enrol` registered (its key dies with the work directory). */
void sim_visit_retire_station(sim *s, const sim_http_opts *o);
int sim_bench_city(const sim_http_opts *o, const char *station_bin);

#endif
