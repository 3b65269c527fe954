/* Registers the simulated district through portvakt-server's public API, the way a
 * central administrator, installers and a provider administrator would. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "http.h"

void sim_date(uint64_t t, char out[11])
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

static json_t *hexs(const uint8_t *b, size_t n)
{
    char h[129];
    sodium_bin2hex(h, sizeof h, b, n);
    return json_string(h);
}

static int people(sim *s, http_ctx *h)
{
    static const char *names[] = {"", "Årsta hemtjänst", "Söderhjälpen omsorg"};
    for (uint32_t p = 1; p <= s->nproviders && p < 3; p++)
        if (!(h->provider[p] = sim_api_create(h->api, "/api/v1/providers",
                                              json_pack("{s:s}", "name", names[p]))))
            return PV_E_IO;
    for (size_t i = 0; i < s->nstaff; i++) {
        sim_staff *st = &s->staff[i];
        char name[64];
        snprintf(name, sizeof name, "%s %zu", st->night ? "Nattpersonal" : "Personal", i + 1);
        st->staff_id = (uint32_t)sim_api_create(
            h->api, "/api/v1/staff",
            json_pack("{s:s,s:I}", "display_name", name, "provider_id",
                      (json_int_t)h->provider[st->provider]));
        if (!st->staff_id || s->be.new_key(s, st) != PV_OK)
            return PV_E_IO;
    }
    return sim_http_add_station(h, h->provider[1], "Årsta kontoret");
}

int sim_http_add_station(http_ctx *h, long long provider_id, const char *name)
{
    http_station *ns = realloc(h->stn, (h->nstn + 1) * sizeof *ns);
    if (!ns)
        return PV_E_NOMEM;
    h->stn = ns;
    http_station *sn = &h->stn[h->nstn];
    memset(sn, 0, sizeof *sn);
    crypto_sign_keypair(sn->pk, sn->sk);
    sn->id = sim_api_create(h->api, "/api/v1/stations",
                            json_pack("{s:s,s:o,s:I}", "name", name, "public_key",
                                      hexs(sn->pk, 32), "provider_id", (json_int_t)provider_id));
    if (!sn->id)
        return PV_E_IO;
    h->nstn++;
    return PV_OK;
}

static int places(sim *s, http_ctx *h, const char *today)
{
    for (uint32_t o = 1; o <= s->nowners && o < 16; o++) {
        char name[64];
        snprintf(name, sizeof name, "Fastighetsägare %u AB", o);
        h->owner[o] = sim_api_create(h->api, "/api/v1/owners", json_pack("{s:s}", "name", name));
        if (!h->owner[o])
            return PV_E_IO;
    }
    for (size_t b = 0; b < s->nbld; b++) { /* one portfolio consent per consenting owner */
        sim_building *bd = &s->bld[b];
        if (bd->consent && (b == 0 || s->bld[b - 1].owner != bd->owner) &&
            !sim_api_create(h->api, "/api/v1/consents",
                            json_pack("{s:s,s:I,s:s}", "kind", "portfolio", "owner_id",
                                      (json_int_t)h->owner[bd->owner], "given_on", today)))
            return PV_E_IO;
        char addr[80];
        snprintf(addr, sizeof addr, "Årstavägen %zu, Stockholm", 10 + 2 * b);
        bd->id = (uint32_t)sim_api_create(h->api, "/api/v1/buildings",
                                          json_pack("{s:I,s:s}", "owner_id",
                                                    (json_int_t)h->owner[bd->owner], "address",
                                                    addr));
        if (!bd->id)
            return PV_E_IO;
    }
    for (size_t i = 0; i < s->nlocks; i++) {
        sim_lock *l = &s->locks[i];
        l->id = (uint32_t)sim_api_create(
            h->api, "/api/v1/locks",
            json_pack("{s:s,s:I,s:o}", "kind", l->entrance ? "entrance" : "apartment",
                      "building_id", (json_int_t)s->bld[l->building].id, "lock_public_key",
                      hexs(l->pk, 32)));
        if (!l->id)
            return PV_E_IO;
    }
    return PV_OK;
}

static int recipients(sim *s, http_ctx *h, const char *since)
{
    for (size_t r = 0; r < s->nrec; r++) {
        sim_recipient *rc = &s->rec[r];
        json_t *lock = rc->apt_lock >= 0 ? json_integer(s->locks[rc->apt_lock].id) : json_null();
        rc->id = (uint32_t)sim_api_create(
            h->api, "/api/v1/recipients",
            json_pack("{s:s,s:I,s:o,s:I,s:s}", "alarm_code", rc->alarm_code, "building_id",
                      (json_int_t)s->bld[rc->building].id, "lock_id", lock, "provider_id",
                      (json_int_t)h->provider[rc->provider], "valid_from", since));
        if (!rc->id || (rc->apt_lock >= 0 &&
                        !sim_api_create(h->api, "/api/v1/consents",
                                        json_pack("{s:s,s:I,s:s}", "kind", "recipient",
                                                  "recipient_id", (json_int_t)rc->id,
                                                  "given_on", since))))
            return PV_E_IO;
    }
    for (size_t i = 0; i < s->nlocks; i++) {
        char path[80];
        snprintf(path, sizeof path, "/api/v1/locks/%u/commission", s->locks[i].id);
        long st = sim_api_call(h->api, "POST", path, json_object(), NULL);
        if (st != 200 && st != 201)
            return PV_E_IO;
    }
    return PV_OK;
}

/* Standing rights: day staff 07:00-15:30, the night team 21:00-07:00, every day. */
static int rights(sim *s, http_ctx *h, const char *since)
{
    for (size_t i = 0; i < s->nstaff; i++) {
        sim_staff *st = &s->staff[i];
        for (size_t r = 0; r < s->nrec; r++) {
            if (s->rec[r].provider != st->provider)
                continue;
            json_t *w = json_pack("[{s:[iiiiiii],s:s,s:s}]", "days", 1, 2, 3, 4, 5, 6, 7, "from",
                                  s->allday ? "00:00" : st->night ? "21:00" : "07:00", "to",
                                  s->allday ? "24:00" : st->night ? "07:00" : "15:30");
            if (!sim_api_create(h->api, "/api/v1/rights",
                                json_pack("{s:I,s:I,s:s,s:n,s:s,s:o}", "staff_id",
                                          (json_int_t)st->staff_id, "recipient_id",
                                          (json_int_t)s->rec[r].id, "valid_from", since,
                                          "valid_until", "kind", "standing", "windows", w)))
                return PV_E_IO;
        }
    }
    return PV_OK;
}

/* The issuer key the server signs with now ("current"; else the newest listed). */
int sim_http_issuer(sim *s, http_ctx *h)
{
    json_t *o = NULL;
    long st = sim_api_call(h->api, "GET", "/api/v1/issuer/keys", NULL, &o);
    json_t *items = json_object_get(o, "items");
    json_t *list = items ? items : o, *k = json_array_get(list, json_array_size(list) - 1), *it;
    size_t i;
    json_array_foreach(list, i, it)
    {
        if (json_is_true(json_object_get(it, "current")))
            k = it;
    }
    const char *pk = json_string_value(json_object_get(k, "public_key"));
    size_t n = 0;
    int rc = st == 200 && pk && sodium_hex2bin(s->issuer_pk, 32, pk, strlen(pk), NULL, &n, NULL) == 0 &&
                     n == 32
                 ? PV_OK
                 : PV_E_IO;
    s->issuer_id = (uint32_t)json_integer_value(json_object_get(k, "issuer_id"));
    if (!s->issuer_id)
        s->issuer_id = 1;
    json_decref(o);
    if (rc != PV_OK)
        fprintf(stderr, "portvakt-sim: cannot read the issuer's public key from the server\n");
    return rc;
}

int sim_http_register(sim *s, http_ctx *h)
{
    char today[11], since[11];
    sim_date(s->now, today);
    sim_date(s->now - 7 * 86400, since);
    free(h->provider), free(h->owner);
    h->provider = calloc(s->nproviders + 1, sizeof *h->provider);
    h->owner = calloc(s->nowners + 1, sizeof *h->owner);
    if (!h->provider || !h->owner)
        return PV_E_NOMEM;
    int rc = sim_http_issuer(s, h);
    if (rc == PV_OK && s->nrec > 100)
        return sim_http_register_city(s, h, since);
    if (rc == PV_OK)
        rc = people(s, h);
    if (rc == PV_OK)
        rc = places(s, h, since);
    if (rc == PV_OK)
        rc = recipients(s, h, since);
    if (rc == PV_OK)
        rc = rights(s, h, since);
    (void)today;
    return rc;
}
