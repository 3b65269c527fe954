/* `portvakt-sim visit`: one key syncs through a real station, tries its doors and hands the
 * locks' logs up, against a running server — the smallest end-to-end check (web UI tests).
 * The key and lock are the simulator's own, or an existing key and existing locks someone
 * registered (the caller holds their Ed25519 seeds). */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http.h"

#define VISIT_BATTERY_MV 5600u /* fresh batteries: no warning in the answer */

static int seed_from_hex(char *hex, uint8_t out[32])
{
    size_t n = 0, len = strlen(hex);
    int bad = len != 64 || sodium_hex2bin(out, 32, hex, len, NULL, &n, NULL) != 0 || n != 32;
    sodium_memzero(hex, len); /* the seed leaves the command line once read */
    return bad ? -1 : 0;
}

static int id_from(const char *v, uint32_t *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long x = strtoul(v, &end, 10);
    if (!*v || *end || errno || x == 0 || x > UINT32_MAX || v[0] == '-')
        return -1;
    *out = (uint32_t)x;
    return 0;
}

int sim_visit_opt(sim_visit_opts *vo, const char *o, char *v)
{
    sim_visit_lock *last = vo->nlocks ? &vo->lock[vo->nlocks - 1] : NULL;
    int bad = 0;
    if (strcmp(o, "--bearer-id") == 0) {
        bad = id_from(v, &vo->bearer_id);
    } else if (strcmp(o, "--bearer-seed") == 0) {
        bad = seed_from_hex(v, vo->bearer_seed);
        vo->have_seed = !bad;
    } else if (strcmp(o, "--lock-id") == 0) {
        bad = vo->nlocks >= SIM_VISIT_MAX_LOCKS || id_from(v, &vo->lock[vo->nlocks++].id);
    } else if (strcmp(o, "--lock-seed") == 0) {
        bad = !last || last->have_seed || seed_from_hex(v, last->seed);
        if (last)
            last->have_seed = !bad;
    } else if (strcmp(o, "--provider-id") == 0) {
        bad = id_from(v, &vo->provider_id);
    } else if (strcmp(o, "--battery-mv") == 0) {
        uint32_t mv = 0;
        bad = !last || id_from(v, &mv) || mv < 3000 || mv > 6500;
        if (!bad)
            last->battery_mv = (uint16_t)mv;
    } else if (strcmp(o, "--expect") == 0) {
        bad = !last || (strcmp(v, "open") != 0 && strcmp(v, "refused") != 0);
        if (!bad)
            last->expect_refused = strcmp(v, "refused") == 0;
    } else {
        return 0;
    }
    if (bad)
        fprintf(stderr, "portvakt-sim: bad %s: ids are 1..4294967295, seeds 64 hex digits "
                        "(32 bytes), --battery-mv 3000..6500; --lock-seed, --expect and "
                        "--battery-mv follow their --lock-id; at most "
                        "%u locks\n", o, SIM_VISIT_MAX_LOCKS);
    return bad ? -1 : 1;
}

/* The simulator's own district of one: provider, staff member and key, owner, building,
 * apartment lock, recipient with consents and an all-day right (registered in setup). */
static int own_world(sim *s)
{
    s->nproviders = 1;
    s->nowners = 1;
    s->nstaff = s->nrec = s->nbld = s->nlocks = 1;
    s->staff[0].provider = 1;
    crypto_sign_keypair(s->staff[0].pk, s->staff[0].sk);
    s->bld[0] = (sim_building){.owner = 1, .consent = 1, .entrance_lock = -1};
    s->rec[0] = (sim_recipient){.provider = 1, .building = 0, .apt_lock = 0};
    snprintf(s->rec[0].alarm_code, sizeof s->rec[0].alarm_code, "V-%06llu",
             (unsigned long long)(s->now % 1000000u));
    crypto_sign_keypair(s->locks[0].pk, s->locks[0].sk);
    s->locks[0].battery_mv = VISIT_BATTERY_MV;
    return PV_OK;
}

/* An existing key and existing locks: identities from their seeds, ids from the server. */
static int adopted_world(sim *s, const sim_visit_opts *v)
{
    for (size_t i = 0; i < v->nlocks; i++)
        if (!v->lock[i].have_seed) {
            fprintf(stderr, "portvakt-sim: lock %u needs --lock-seed (the seed of the public "
                            "key registered for it)\n", v->lock[i].id);
            return PV_E_ARG;
        }
    if (!v->bearer_id || !v->have_seed || !v->nlocks) {
        fprintf(stderr, "portvakt-sim: an existing key needs --bearer-id, --bearer-seed and "
                        "at least one --lock-id with its --lock-seed\n");
        return PV_E_ARG;
    }
    s->nstaff = 1;
    s->staff[0].bearer_id = v->bearer_id;
    crypto_sign_seed_keypair(s->staff[0].pk, s->staff[0].sk, v->bearer_seed);
    for (size_t i = 0; i < v->nlocks; i++) {
        sim_lock *l = &s->locks[s->nlocks++];
        l->id = v->lock[i].id;
        l->battery_mv = v->lock[i].battery_mv ? v->lock[i].battery_mv : VISIT_BATTERY_MV;
        crypto_sign_seed_keypair(l->pk, l->sk, v->lock[i].seed);
    }
    return PV_OK;
}

/* The key as the server knows it (GET /bearers/{id}): its provider, and a check that the
 * seed is the key's own; then a station for that provider, started for real. */
static int adopted_setup(sim *s)
{
    http_ctx *h = s->be.ctx;
    sim_staff *st = &s->staff[0];
    char path[64], name[64];
    json_t *o = NULL;
    uint8_t reg[32];
    size_t n = 0;
    snprintf(path, sizeof path, "/api/v1/bearers/%u", st->bearer_id);
    long code = sim_api_call(h->api, "GET", path, NULL, &o);
    const char *pk = json_string_value(json_object_get(o, "public_key"));
    long long provider = json_integer_value(json_object_get(o, "provider_id"));
    int rc = code == 200 && pk && provider > 0 &&
                     sodium_hex2bin(reg, 32, pk, strlen(pk), NULL, &n, NULL) == 0 && n == 32
                 ? PV_OK
                 : PV_E_IO;
    if (rc == PV_OK && sodium_memcmp(reg, st->pk, 32) != 0) {
        fprintf(stderr, "portvakt-sim: --bearer-seed is not the seed of key %u (its public "
                        "key on the server is %s)\n", st->bearer_id, pk);
        rc = PV_E_ARG;
    }
    st->staff_id = (uint32_t)json_integer_value(json_object_get(o, "staff_id"));
    json_decref(o);
    snprintf(name, sizeof name, "portvakt-sim visit (key %u)", st->bearer_id);
    if (rc == PV_OK)
        rc = sim_http_issuer(s, h);
    if (rc == PV_OK)
        rc = sim_http_add_station(h, provider, name);
    if (rc == PV_OK)
        rc = sim_http_start_station(s, h);
    return rc;
}

/* The station's key is thrown away with the work directory: retire its registration. */
void sim_visit_retire_station(sim *s, const sim_http_opts *o)
{
    http_ctx *h = s->be.ctx;
    char path[80];
    if (!h || !h->nstn || !h->stn[0].id || o->work_dir)
        return;
    snprintf(path, sizeof path, "/api/v1/stations/%lld/retire", h->stn[0].id);
    (void)sim_api_call(h->api, "POST", path, json_object(), NULL);
}

/* Every door in turn; 0 when each did what was expected (opened, or refused). */
static int try_doors(sim *s, const sim_visit_opts *v)
{
    int bad = 0;
    for (size_t i = 0; i < s->nlocks; i++) {
        sim_lock *l = &s->locks[i];
        int refuse = v && i < v->nlocks && v->lock[i].expect_refused;
        int rc = sim_unlock(s, &s->staff[0], l, 1);
        if (rc == PV_OK)
            printf("door: lock %u opened%s\n", l->id, refuse ? " (expected a refusal)" : "");
        else
            printf("door: lock %u refused: %s%s\n", l->id, pv_strerror(rc),
                   refuse ? " (as expected)" : "");
        bad |= (rc == PV_OK) == refuse;
    }
    return bad;
}

int sim_visit_cmd(const sim_http_opts *o, sim_visit_opts *v)
{
    int adopt = v && (v->bearer_id || v->have_seed || v->nlocks);
    sim s = {.scenario = "visit", .lost_staff = -1, .out = stderr, .allday = 1};
    s.now = (uint64_t)time(NULL);
    s.day0 = s.now - s.now % 86400;
    s.staff = calloc(2, sizeof *s.staff);
    s.rec = calloc(1, sizeof *s.rec);
    s.bld = calloc(1, sizeof *s.bld);
    s.locks = calloc(SIM_VISIT_MAX_LOCKS, sizeof *s.locks);
    int rc = !s.staff || !s.rec || !s.bld || !s.locks ? PV_E_NOMEM
             : adopt                                   ? adopted_world(&s, v)
                                                       : own_world(&s);
    if (rc == PV_OK)
        rc = sim_backend_http(&s, o);
    if (rc != PV_OK) { /* nothing was tried: the options or the connection were wrong */
        sim_free(&s);
        if (v)
            sodium_memzero(v, sizeof *v);
        return 2;
    }
    if (rc == PV_OK)
        rc = sim_alloc_hw(&s);
    if (rc == PV_OK)
        rc = adopt ? adopted_setup(&s) : s.be.setup(&s);
    if (rc == PV_OK)
        rc = sim_commission(&s, s.issuer_pk);
    if (rc == PV_OK)
        rc = s.be.visit_station(&s, &s.staff[0], 1);
    printf("sync: K-%04u %s\n", s.staff[0].bearer_id,
           s.staff[0].last_status[0] ? s.staff[0].last_status : "not tried (see above)");
    int doors = rc == PV_OK ? try_doors(&s, adopt ? v : NULL) : 1;
    if (rc == PV_OK)
        rc = s.be.visit_station(&s, &s.staff[0], 0); /* the passages go up */
    if (rc == PV_OK)
        rc = s.be.finish(&s);
    printf("log: %llu lock event(s) stored by the server\n",
           (unsigned long long)s.m.events_stored);
    sim_visit_retire_station(&s, o);
    sim_free(&s);
    if (v)
        sodium_memzero(v, sizeof *v);
    return rc == PV_OK && doors == 0 ? 0 : 1;
}
