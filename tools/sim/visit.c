/* `portvakt-sim visit`: one key, one lock, one sync through a real station and one door
 * opening, against a running server — the smallest end-to-end check (web UI tests). */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http.h"

int sim_visit_cmd(const sim_http_opts *o)
{
    sim s = {.scenario = "visit", .lost_staff = -1, .out = stderr, .allday = 1};
    s.now = (uint64_t)time(NULL);
    s.day0 = s.now - s.now % 86400;
    s.nproviders = 1;
    s.nowners = 1;
    s.staff = calloc(2, sizeof *s.staff);
    s.rec = calloc(1, sizeof *s.rec);
    s.bld = calloc(1, sizeof *s.bld);
    s.locks = calloc(1, sizeof *s.locks);
    if (!s.staff || !s.rec || !s.bld || !s.locks)
        return 1;
    s.nstaff = s.nrec = s.nbld = s.nlocks = 1;
    s.staff[0].provider = 1;
    crypto_sign_keypair(s.staff[0].pk, s.staff[0].sk);
    s.bld[0] = (sim_building){.owner = 1, .consent = 1, .entrance_lock = -1};
    s.rec[0] = (sim_recipient){.provider = 1, .building = 0, .apt_lock = 0};
    snprintf(s.rec[0].alarm_code, sizeof s.rec[0].alarm_code, "V-%06llu",
             (unsigned long long)(s.now % 1000000u));
    crypto_sign_keypair(s.locks[0].pk, s.locks[0].sk);
    s.locks[0].battery_mv = 5600;
    int rc = sim_backend_http(&s, o);
    if (rc == PV_OK)
        rc = sim_alloc_hw(&s);
    if (rc == PV_OK)
        rc = s.be.setup(&s);
    if (rc == PV_OK)
        rc = sim_commission(&s, s.issuer_pk);
    if (rc == PV_OK)
        rc = s.be.visit_station(&s, &s.staff[0], 1);
    printf("sync: K-%04u %s\n", s.staff[0].bearer_id, s.staff[0].last_status);
    int door = rc == PV_OK ? sim_unlock(&s, &s.staff[0], &s.locks[0], 1) : rc;
    printf("door: lock %u %s\n", s.locks[0].id, door == PV_OK ? "opened" : pv_strerror(door));
    if (rc == PV_OK)
        rc = s.be.visit_station(&s, &s.staff[0], 0); /* the passage goes up */
    if (rc == PV_OK)
        rc = s.be.finish(&s);
    printf("log: %llu lock event(s) stored by the server\n",
           (unsigned long long)s.m.events_stored);
    sim_free(&s);
    return rc == PV_OK && door == PV_OK ? 0 : 1;
}
