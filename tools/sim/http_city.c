/* Registers the Stockholm-scale district through portvakt-server's public API, several
 * HTTPS clients at once (the server serialises writes; parallel clients keep it busy), and
 * only the rights the day's plan uses: each recipient's visitor and night responder. */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http.h"

#define CITY_WORKERS 4

typedef struct city_reg city_reg;
typedef int (*city_fn)(city_reg *c, sim_api *a, size_t i);

struct city_reg {
    sim *s;
    http_ctx *h;
    const char *since;
    uint8_t *owner_consents; /* by owner: some building of it gets an entrance unit */
    int *day_visitor, *night_visitor; /* by recipient: staff index, -1 none */
    city_fn fn;
    size_t next, n, failed;
    pthread_mutex_t mu;
};

static json_t *hexs(const uint8_t *b, size_t n)
{
    char hx[129];
    sodium_bin2hex(hx, sizeof hx, b, n);
    return json_string(hx);
}

static int reg_provider(city_reg *c, sim_api *a, size_t i)
{
    char name[64];
    snprintf(name, sizeof name, "Hemtjänst %zu", i + 1);
    c->h->provider[i + 1] = sim_api_create(a, "/api/v1/providers", json_pack("{s:s}", "name", name));
    return c->h->provider[i + 1] ? PV_OK : PV_E_IO;
}

static int reg_owner(city_reg *c, sim_api *a, size_t i)
{
    char name[64];
    snprintf(name, sizeof name, "Fastighetsägare %zu AB", i + 1);
    long long id = c->h->owner[i + 1] =
        sim_api_create(a, "/api/v1/owners", json_pack("{s:s}", "name", name));
    if (id && c->owner_consents[i + 1] &&
        !sim_api_create(a, "/api/v1/consents",
                        json_pack("{s:s,s:I,s:s}", "kind", "portfolio", "owner_id",
                                  (json_int_t)id, "given_on", c->since)))
        return PV_E_IO;
    return id ? PV_OK : PV_E_IO;
}

static int reg_building(city_reg *c, sim_api *a, size_t i)
{
    sim_building *bd = &c->s->bld[i];
    char addr[80];
    snprintf(addr, sizeof addr, "Stadsgatan %zu, Stockholm", i + 1);
    bd->id = (uint32_t)sim_api_create(
        a, "/api/v1/buildings",
        json_pack("{s:I,s:s}", "owner_id", (json_int_t)c->h->owner[bd->owner], "address", addr));
    return bd->id ? PV_OK : PV_E_IO;
}

static int reg_lock(city_reg *c, sim_api *a, size_t i)
{
    sim_lock *l = &c->s->locks[i];
    l->id = (uint32_t)sim_api_create(
        a, "/api/v1/locks",
        json_pack("{s:s,s:I,s:o}", "kind", l->entrance ? "entrance" : "apartment", "building_id",
                  (json_int_t)c->s->bld[l->building].id, "lock_public_key", hexs(l->pk, 32)));
    return l->id ? PV_OK : PV_E_IO;
}

static int reg_staff(city_reg *c, sim_api *a, size_t i)
{
    sim_staff *st = &c->s->staff[i];
    char name[64], label[40];
    snprintf(name, sizeof name, "%s %zu", st->night ? "Nattpersonal" : "Personal", i + 1);
    st->staff_id = (uint32_t)sim_api_create(
        a, "/api/v1/staff",
        json_pack("{s:s,s:I}", "display_name", name, "provider_id",
                  (json_int_t)c->h->provider[st->provider]));
    snprintf(label, sizeof label, "fob-%zu", i + 1);
    st->bearer_id = st->staff_id ? (uint32_t)sim_api_create(
                                       a, "/api/v1/bearers",
                                       json_pack("{s:I,s:s,s:s,s:o}", "staff_id",
                                                 (json_int_t)st->staff_id, "kind", "fob", "label",
                                                 label, "public_key", hexs(st->pk, 32)))
                                 : 0;
    return st->bearer_id ? PV_OK : PV_E_IO;
}

static int reg_recipient(city_reg *c, sim_api *a, size_t i)
{
    sim *s = c->s;
    sim_recipient *rc = &s->rec[i];
    json_t *lock = rc->apt_lock >= 0 ? json_integer(s->locks[rc->apt_lock].id) : json_null();
    rc->id = (uint32_t)sim_api_create(
        a, "/api/v1/recipients",
        json_pack("{s:s,s:I,s:o,s:I,s:s}", "alarm_code", rc->alarm_code, "building_id",
                  (json_int_t)s->bld[rc->building].id, "lock_id", lock, "provider_id",
                  (json_int_t)c->h->provider[rc->provider], "valid_from", c->since));
    if (!rc->id || (rc->apt_lock >= 0 &&
                    !sim_api_create(a, "/api/v1/consents",
                                    json_pack("{s:s,s:I,s:s}", "kind", "recipient",
                                              "recipient_id", (json_int_t)rc->id, "given_on",
                                              c->since))))
        return PV_E_IO;
    return PV_OK;
}

static int reg_commission(city_reg *c, sim_api *a, size_t i)
{
    char path[80];
    snprintf(path, sizeof path, "/api/v1/locks/%u/commission", c->s->locks[i].id);
    long st = sim_api_call(a, "POST", path, json_object(), NULL);
    return st == 200 || st == 201 ? PV_OK : PV_E_IO;
}

static int one_right(city_reg *c, sim_api *a, const sim_recipient *rc, int who)
{
    if (who < 0)
        return PV_OK;
    const sim_staff *st = &c->s->staff[who];
    json_t *w = json_pack("[{s:[iiiiiii],s:s,s:s}]", "days", 1, 2, 3, 4, 5, 6, 7, "from",
                          st->night ? "21:00" : "07:00", "to", st->night ? "07:00" : "15:30");
    return sim_api_create(a, "/api/v1/rights",
                          json_pack("{s:I,s:I,s:s,s:n,s:s,s:o}", "staff_id",
                                    (json_int_t)st->staff_id, "recipient_id",
                                    (json_int_t)rc->id, "valid_from", c->since, "valid_until",
                                    "kind", "standing", "windows", w))
               ? PV_OK
               : PV_E_IO;
}

static int reg_rights(city_reg *c, sim_api *a, size_t i)
{
    int rc = one_right(c, a, &c->s->rec[i], c->day_visitor[i]);
    return rc == PV_OK ? one_right(c, a, &c->s->rec[i], c->night_visitor[i]) : rc;
}

static void *worker(void *arg)
{
    city_reg *c = arg;
    sim_api *a = sim_api_new(c->h->o.server, c->h->o.ca_cert);
    if (!a)
        return NULL;
    sim_api_set_token(a, c->h->token);
    for (;;) {
        pthread_mutex_lock(&c->mu);
        size_t i = c->next < c->n ? c->next++ : c->n;
        pthread_mutex_unlock(&c->mu);
        if (i >= c->n || c->failed > 20)
            break;
        if (c->fn(c, a, i) != PV_OK) {
            pthread_mutex_lock(&c->mu);
            c->failed++;
            pthread_mutex_unlock(&c->mu);
        }
    }
    sim_api_free(a);
    return NULL;
}

static int phase(city_reg *c, const char *what, city_fn fn, size_t n)
{
    pthread_t th[CITY_WORKERS];
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    c->fn = fn, c->next = 0, c->n = n, c->failed = 0;
    int started = 0;
    for (int i = 0; i < CITY_WORKERS; i++)
        started += pthread_create(&th[started], NULL, worker, c) == 0;
    for (int i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    sim_say(c->s, "registered %zu %s in %.1f s%s", n, what,
            (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
            c->failed ? " (with failures)" : "");
    return c->failed || !started ? PV_E_IO : PV_OK;
}

/* Who answers recipient r: the same choice as the day's plan (day.c make_plan), the r-th
 * of the provider's day team (mod its size) and of its night team. */
static void visitors(city_reg *c)
{
    sim *s = c->s;
    uint32_t np = s->nproviders + 1;
    size_t *nday = calloc(np, sizeof *nday), *nnight = calloc(np, sizeof *nnight);
    for (size_t r = 0; r < s->nrec; r++)
        c->day_visitor[r] = c->night_visitor[r] = -1;
    if (!nday || !nnight)
        goto out;
    for (size_t i = 0; i < s->nstaff; i++)
        (s->staff[i].night ? nnight : nday)[s->staff[i].provider]++;
    for (size_t r = 0; r < s->nrec; r++) {
        uint32_t p = s->rec[r].provider;
        size_t want[2] = {nday[p] ? r % nday[p] : SIZE_MAX, nnight[p] ? r % nnight[p] : SIZE_MAX};
        size_t seen[2] = {0, 0};
        for (size_t i = 0; i < s->nstaff; i++) {
            const sim_staff *st = &s->staff[i];
            if (st->provider != p)
                continue;
            int *out = st->night ? &c->night_visitor[r] : &c->day_visitor[r];
            if (seen[st->night]++ == want[st->night])
                *out = (int)i;
        }
    }
out:
    free(nday), free(nnight);
}

static int stations(city_reg *c)
{
    for (uint32_t p = 1; p <= c->s->nproviders; p++) {
        char name[64];
        snprintf(name, sizeof name, "Station hemtjänst %u", p);
        if (sim_http_add_station(c->h, c->h->provider[p], name) != PV_OK)
            return PV_E_IO;
    }
    return PV_OK;
}

int sim_http_register_city(sim *s, http_ctx *h, const char *since)
{
    city_reg c = {.s = s, .h = h, .since = since};
    pthread_mutex_init(&c.mu, NULL);
    c.owner_consents = calloc(s->nowners + 1, 1);
    c.day_visitor = calloc(s->nrec, sizeof *c.day_visitor);
    c.night_visitor = calloc(s->nrec, sizeof *c.night_visitor);
    int rc = c.owner_consents && c.day_visitor && c.night_visitor ? PV_OK : PV_E_NOMEM;
    for (size_t b = 0; rc == PV_OK && b < s->nbld; b++)
        if (s->bld[b].consent && s->bld[b].owner <= s->nowners)
            c.owner_consents[s->bld[b].owner] = 1;
    if (rc == PV_OK)
        visitors(&c);
    if (rc == PV_OK)
        rc = phase(&c, "providers", reg_provider, s->nproviders);
    if (rc == PV_OK)
        rc = phase(&c, "property owners and their consents", reg_owner, s->nowners);
    if (rc == PV_OK)
        rc = phase(&c, "buildings", reg_building, s->nbld);
    if (rc == PV_OK)
        rc = phase(&c, "locks", reg_lock, s->nlocks);
    if (rc == PV_OK)
        rc = phase(&c, "staff with their keys", reg_staff, s->nstaff);
    if (rc == PV_OK)
        rc = phase(&c, "recipients and their consents", reg_recipient, s->nrec);
    if (rc == PV_OK)
        rc = phase(&c, "lock commissionings", reg_commission, s->nlocks);
    if (rc == PV_OK)
        rc = phase(&c, "recipients' rights (visitor and night team)", reg_rights, s->nrec);
    if (rc == PV_OK)
        rc = stations(&c);
    free(c.owner_consents), free(c.day_visitor), free(c.night_visitor);
    pthread_mutex_destroy(&c.mu);
    return rc;
}
