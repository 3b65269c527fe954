/* Authorization matrix fixtures of the domain routes: for each route, the request a
 * principal makes at its own tenant's data and at tenant B's. Objects that a call consumes
 * (a key reported lost, a lock commissioned, a right deleted) are made fresh for every cell
 * through the central administrator, so each cell tests a real, meaningful change. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "mx.h"
#include "portvakt/proto.h"
#include "../../server/rules/enrol_code.h"

/* Objects of tenant A [MX_OWN] and tenant B [MX_OTHER], plus shared places. */
struct mx_dom {
    int64_t staff[2], bearer[2], station[2], recipient[2], right[2], apt[2];
    int64_t owner, building, entrance;
};

static struct mx_dom D;
static int seq;

void mx_dom_tenant(int t, int64_t *staff, int64_t *bearer, int64_t *recipient)
{
    *staff = D.staff[t];
    *bearer = D.bearer[t];
    *recipient = D.recipient[t];
}

/* POST as the central administrator; the new object's id or -1. */
static int64_t admin_post(struct mx_world *w, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int64_t admin_post(struct mx_world *w, const char *path, const char *fmt, ...)
{
    char body[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(body, sizeof body, fmt, ap);
    va_end(ap);
    struct pvt_resp r;
    int64_t id = -1;
    if (pvt_req(w->s, &w->who[MX_CENTRAL_ADMIN], "POST", path, body, &r) == 0 &&
        (r.status == 201 || r.status == 200))
        id = json_integer_value(json_object_get(r.json, "id"));
    else
        fprintf(stderr, "mx domain: POST %s %s -> %ld %s\n", path, body, r.status,
                r.body ? r.body : "");
    pvt_resp_free(&r);
    return id;
}

static void pk_hex(char out[65])
{
    uint8_t pk[32], sk[64];
    crypto_sign_keypair(pk, sk);
    sodium_memzero(sk, sizeof sk);
    sodium_bin2hex(out, 65, pk, 32);
}

static int64_t new_bearer(struct mx_world *w, int t)
{
    char pk[65];
    pk_hex(pk);
    return admin_post(w, "/api/v1/bearers",
                      "{\"staff_id\":%lld,\"kind\":\"fob\",\"label\":\"K-mx-%d\",\"public_key\":\"%s\"}",
                      (long long)D.staff[t], seq++, pk);
}

static int64_t new_station(struct mx_world *w, int t, const char *name)
{
    char pk[65];
    pk_hex(pk);
    return admin_post(w, "/api/v1/stations", "{\"name\":\"%s\",\"public_key\":\"%s\",\"provider_id\":%lld}",
                      name, pk, (long long)w->provider[t]);
}

static int64_t new_lock(struct mx_world *w, const char *kind)
{
    char pk[65];
    pk_hex(pk);
    return admin_post(w, "/api/v1/locks",
                      "{\"kind\":\"%s\",\"building_id\":%lld,\"lock_public_key\":\"%s\"}", kind,
                      (long long)D.building, pk);
}

static int64_t new_recipient(struct mx_world *w, int t, int64_t lock, const char *code)
{
    char lk[48] = "";
    if (lock > 0)
        snprintf(lk, sizeof lk, ",\"lock_id\":%lld", (long long)lock);
    return admin_post(w, "/api/v1/recipients",
                      "{\"alarm_code\":\"%s\",\"building_id\":%lld,\"provider_id\":%lld%s}", code,
                      (long long)D.building, (long long)w->provider[t], lk);
}

#define WINDOWS "[{\"days\":[1,2,3,4,5,6,7],\"from\":\"07:00\",\"to\":\"22:00\"}]"

static int64_t new_right(struct mx_world *w, int t)
{
    return admin_post(w, "/api/v1/rights",
                      "{\"staff_id\":%lld,\"recipient_id\":%lld,\"valid_from\":\"2026-03-02\","
                      "\"kind\":\"standing\",\"windows\":" WINDOWS "}",
                      (long long)D.staff[t], (long long)D.recipient[t]);
}

int mx_domain_setup(struct mx_world *w)
{
    if (sodium_init() < 0)
        return -1;
    D.owner = admin_post(w, "/api/v1/owners", "{\"name\":\"Matrix Fastigheter AB\"}");
    D.building = admin_post(w, "/api/v1/buildings", "{\"owner_id\":%lld,\"address\":\"Matrisgatan 1\"}",
                            (long long)D.owner);
    if (admin_post(w, "/api/v1/consents", "{\"kind\":\"portfolio\",\"owner_id\":%lld,\"given_on\":\"2026-03-01\"}",
                   (long long)D.owner) < 0)
        return -1;
    D.entrance = new_lock(w, "entrance");
    char path[128];
    snprintf(path, sizeof path, "/api/v1/locks/%lld/commission", (long long)D.entrance);
    if (admin_post(w, path, "{}") < 0)
        return -1;
    const char *tag[2] = {"mx-own-tenant", "mx-zzotherzz"};
    for (int t = 0; t < 2; t++) {
        char name[64];
        D.apt[t] = new_lock(w, "apartment");
        snprintf(name, sizeof name, "LA-%s", tag[t]);
        D.recipient[t] = new_recipient(w, t, D.apt[t], name);
        if (t == MX_OTHER)
            mx_add_needle(w, name);
        if (admin_post(w, "/api/v1/consents", "{\"kind\":\"recipient\",\"recipient_id\":%lld,"
                       "\"given_on\":\"2026-03-01\"}", (long long)D.recipient[t]) < 0)
            return -1;
        snprintf(path, sizeof path, "/api/v1/locks/%lld/commission", (long long)D.apt[t]);
        if (admin_post(w, path, "{}") < 0)
            return -1;
        snprintf(name, sizeof name, "Staff %s", tag[t]);
        D.staff[t] = admin_post(w, "/api/v1/staff", "{\"display_name\":\"%s\",\"provider_id\":%lld}",
                                name, (long long)w->provider[t]);
        if (t == MX_OTHER)
            mx_add_needle(w, name);
        D.bearer[t] = new_bearer(w, t);
        snprintf(name, sizeof name, "Station %s", tag[t]);
        D.station[t] = new_station(w, t, name);
        if (t == MX_OTHER)
            mx_add_needle(w, name);
        D.right[t] = new_right(w, t);
        if (D.staff[t] < 0 || D.bearer[t] < 0 || D.station[t] < 0 || D.right[t] < 0 ||
            D.recipient[t] < 0)
            return -1;
    }
    return 0;
}

const char *const mx_domain_volatile_tables[] = {"sync_nonces", "rights_cache", NULL};

/* ------------------------------------------------------------------ build functions */

#define FX_ARGS                                                                              \
    struct mx_world *w, const struct pvs_route *rt, enum mx_who as, enum mx_tenant t,       \
        char *path, size_t cap, char **body
#define FX_UNUSED (void)w, (void)rt, (void)as, (void)t, (void)path, (void)cap, (void)body

static int dup_body(char **body, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int dup_body(char **body, const char *fmt, ...)
{
    char b[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b, sizeof b, fmt, ap);
    va_end(ap);
    *body = strdup(b);
    return *body ? MX_EXPECT_OK : -1;
}

/* "/api/v1/x/{id}/tail" with {id} = id. */
static int item(const struct pvs_route *rt, int64_t id, char *path, size_t cap)
{
    const char *brace = strstr(rt->pattern, "{id}");
    if (!brace || id <= 0)
        return -1;
    snprintf(path, cap, "%.*s%lld%s", (int)(brace - rt->pattern), rt->pattern, (long long)id,
             brace + 4);
    return MX_EXPECT_OK;
}

/* Lists and dashboards: one request; the leak check proves tenant B stays invisible. */
static int list(FX_ARGS)
{
    FX_UNUSED;
    if (t == MX_OTHER)
        return MX_SKIP;
    snprintf(path, cap, "%s", rt->pattern);
    return MX_EXPECT_OK;
}

/* Shared places (owners, buildings, locks, consents): no tenant to aim at. */
static int shared_item(FX_ARGS)
{
    FX_UNUSED;
    if (t == MX_OTHER)
        return MX_SKIP;
    int64_t id = strstr(rt->pattern, "owners") ? D.owner
                 : strstr(rt->pattern, "buildings") ? D.building
                 : strstr(rt->pattern, "consents") ? 1
                                                   : D.entrance;
    return item(rt, id, path, cap);
}

static int staff_create(FX_ARGS)
{
    FX_UNUSED;
    snprintf(path, cap, "/api/v1/staff");
    return dup_body(body, "{\"display_name\":\"New staff %d\",\"provider_id\":%lld}", seq++,
                    (long long)w->provider[t]);
}

static int staff_item(FX_ARGS)
{
    FX_UNUSED;
    if (strcmp(rt->method, "PATCH") == 0 && dup_body(body, "{\"active\":true}") < 0)
        return -1;
    return item(rt, D.staff[t], path, cap);
}

static int bearers_create(FX_ARGS)
{
    FX_UNUSED;
    char pk[65];
    pk_hex(pk);
    snprintf(path, cap, "/api/v1/bearers");
    return dup_body(body, "{\"staff_id\":%lld,\"kind\":\"phone\",\"label\":\"K-new-%d\",\"public_key\":\"%s\"}",
                    (long long)D.staff[t], seq++, pk);
}

static int bearer_item(FX_ARGS)
{
    FX_UNUSED;
    return item(rt, D.bearer[t], path, cap);
}

/* report-lost and retire consume a key: a fresh one each time. */
static int bearer_fresh(FX_ARGS)
{
    FX_UNUSED;
    return item(rt, new_bearer(w, t), path, cap);
}

static int stations_create(FX_ARGS)
{
    FX_UNUSED;
    char pk[65];
    pk_hex(pk);
    snprintf(path, cap, "/api/v1/stations");
    return dup_body(body, "{\"name\":\"New station %d\",\"public_key\":\"%s\",\"provider_id\":%lld}",
                    seq++, pk, (long long)w->provider[t]);
}

static int station_item(FX_ARGS)
{
    FX_UNUSED;
    if (strstr(rt->pattern, "retire"))
        return item(rt, new_station(w, t, "Station to retire"), path, cap);
    return item(rt, D.station[t], path, cap);
}

static int owners_create(FX_ARGS)
{
    FX_UNUSED;
    if (t == MX_OTHER)
        return MX_SKIP;
    snprintf(path, cap, "/api/v1/owners");
    return dup_body(body, "{\"name\":\"Owner %d AB\"}", seq++);
}

static int buildings_create(FX_ARGS)
{
    FX_UNUSED;
    if (t == MX_OTHER)
        return MX_SKIP;
    snprintf(path, cap, "/api/v1/buildings");
    return dup_body(body, "{\"owner_id\":%lld,\"address\":\"Nygatan %d\"}", (long long)D.owner,
                    seq++);
}

static int consents_create(FX_ARGS)
{
    FX_UNUSED;
    if (t == MX_OTHER)
        return MX_SKIP;
    snprintf(path, cap, "/api/v1/consents");
    return dup_body(body, "{\"kind\":\"property\",\"building_id\":%lld,\"given_on\":\"2026-03-01\"}",
                    (long long)D.building);
}

static int consents_withdraw(FX_ARGS)
{
    FX_UNUSED;
    if (t == MX_OTHER)
        return MX_SKIP;
    int64_t id = admin_post(w, "/api/v1/consents",
                            "{\"kind\":\"property\",\"building_id\":%lld,\"given_on\":\"2026-03-01\"}",
                            (long long)D.building);
    return item(rt, id, path, cap);
}

static int locks_create(FX_ARGS)
{
    FX_UNUSED;
    if (t == MX_OTHER)
        return MX_SKIP;
    snprintf(path, cap, "/api/v1/locks");
    return dup_body(body, "{\"kind\":\"common\",\"building_id\":%lld,\"label\":\"Tvättstuga\"}",
                    (long long)D.building);
}

/* commission, move and remove: a fresh entrance lock each time (the owner consented). */
static int lock_fresh(FX_ARGS)
{
    FX_UNUSED;
    if (t == MX_OTHER)
        return MX_SKIP;
    if (strstr(rt->pattern, "move") &&
        dup_body(body, "{\"building_id\":%lld}", (long long)D.building) < 0)
        return -1;
    return item(rt, new_lock(w, "entrance"), path, cap);
}

static int lock_who(FX_ARGS)
{
    FX_UNUSED;
    return item(rt, D.apt[t], path, cap);
}

static int recipients_create(FX_ARGS)
{
    FX_UNUSED;
    snprintf(path, cap, "/api/v1/recipients");
    return dup_body(body, "{\"alarm_code\":\"LA-new-%d\",\"building_id\":%lld,\"provider_id\":%lld}",
                    seq++, (long long)D.building, (long long)w->provider[t]);
}

static int recipient_item(FX_ARGS)
{
    FX_UNUSED;
    if (strcmp(rt->method, "PATCH") == 0 && dup_body(body, "{\"apartment\":\"1102\"}") < 0)
        return -1;
    if (strstr(rt->pattern, "provider-changes")) {
        char code[32];
        snprintf(code, sizeof code, "LA-move-%d", seq++);
        int64_t rec = new_recipient(w, t, 0, code);
        if (dup_body(body, "{\"provider_id\":%lld,\"effective_date\":\"2026-03-09\"}",
                     (long long)w->provider[1 - t]) < 0)
            return -1;
        return item(rt, rec, path, cap);
    }
    return item(rt, D.recipient[t], path, cap);
}

static int rights_create(FX_ARGS)
{
    FX_UNUSED;
    snprintf(path, cap, "/api/v1/rights");
    return dup_body(body, "{\"staff_id\":%lld,\"recipient_id\":%lld,\"valid_from\":\"2026-03-02\","
                          "\"valid_until\":\"2026-03-02\",\"kind\":\"temporary\",\"windows\":" WINDOWS "}",
                    (long long)D.staff[t], (long long)D.recipient[t]);
}

static int right_item(FX_ARGS)
{
    FX_UNUSED;
    if (strcmp(rt->method, "DELETE") == 0)
        return item(rt, new_right(w, t), path, cap);
    return item(rt, D.right[t], path, cap);
}

/* A well-formed code no station handed out: the role and tenant rules answer before any
 * enrolment is found (404 for the allowed roles), so nothing is consumed. */
static int enrolment_redeem(FX_ARGS)
{
    FX_UNUSED;
    uint8_t rnd[5] = {1, 2, 3, 4, 5};
    char code[PVS_ENROL_CODE_TEXT];
    pvs_enrol_code_make(rnd, code);
    snprintf(path, cap, "/api/v1/key-enrolments/redeem");
    if (dup_body(body, "{\"code\":\"%s\",\"staff_id\":%lld,\"label\":\"K-mx-%d\"}", code,
                 (long long)D.staff[t], seq++) < 0)
        return -1;
    return MX_EXPECT_ANY;
}

/* A lock's label text as a scanner sends it (a fresh key with its check digits). */
static int public_key_read(FX_ARGS)
{
    FX_UNUSED;
    if (t == MX_OTHER)
        return MX_SKIP;
    uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    char text[PV_PKCODE_TEXT_SIZE];
    crypto_sign_keypair(pk, sk);
    sodium_memzero(sk, sizeof sk);
    if (pv_pkcode_format(pk, PV_PKCODE_LOCK, text) != PV_OK)
        return -1;
    snprintf(path, cap, "/api/v1/public-keys/read");
    return dup_body(body, "{\"text\":\"%s\",\"kind\":\"lock\"}", text);
}

/* A resident link of the tenant's recipient (made fresh: revoking consumes it). */
static int resident_links(FX_ARGS)
{
    FX_UNUSED;
    if (strstr(rt->pattern, "/recipients/")) {
        if (strcmp(rt->method, "POST") == 0 &&
            dup_body(body, "{\"consent_given_on\":\"2026-03-01\",\"consent_by\":\"resident\"}") < 0)
            return -1;
        return item(rt, D.recipient[t], path, cap);
    }
    char p[96];
    snprintf(p, sizeof p, "/api/v1/recipients/%lld/resident-links", (long long)D.recipient[t]);
    return item(rt, admin_post(w, p, "{\"consent_given_on\":\"2026-03-01\","
                                     "\"consent_by\":\"representative\"}"), path, cap);
}

const struct mx_fixture mx_fixtures_domain[] = {
    {"GET", "/api/v1/staff", list},
    {"POST", "/api/v1/staff", staff_create},
    {"GET", "/api/v1/staff/{id}", staff_item},
    {"PATCH", "/api/v1/staff/{id}", staff_item},
    {"GET", "/api/v1/bearers", list},
    {"POST", "/api/v1/bearers", bearers_create},
    {"GET", "/api/v1/bearers/{id}", bearer_item},
    {"POST", "/api/v1/bearers/{id}/report-lost", bearer_fresh},
    {"POST", "/api/v1/bearers/{id}/retire", bearer_fresh},
    {"GET", "/api/v1/bearers/{id}/spread", bearer_item},
    {"GET", "/api/v1/key-enrolments", list},
    {"POST", "/api/v1/key-enrolments/redeem", enrolment_redeem},
    {"GET", "/api/v1/device-health", list},
    {"GET", "/api/v1/stations", list},
    {"POST", "/api/v1/stations", stations_create},
    {"GET", "/api/v1/stations/{id}", station_item},
    {"POST", "/api/v1/stations/{id}/retire", station_item},
    {"GET", "/api/v1/owners", list},
    {"POST", "/api/v1/owners", owners_create},
    {"GET", "/api/v1/owners/{id}", shared_item},
    {"GET", "/api/v1/buildings", list},
    {"POST", "/api/v1/buildings", buildings_create},
    {"GET", "/api/v1/buildings/{id}", shared_item},
    {"GET", "/api/v1/consents", list},
    {"POST", "/api/v1/consents", consents_create},
    {"GET", "/api/v1/consents/{id}", shared_item},
    {"POST", "/api/v1/consents/{id}/withdraw", consents_withdraw},
    {"GET", "/api/v1/locks", list},
    {"POST", "/api/v1/locks", locks_create},
    {"GET", "/api/v1/locks/{id}", shared_item},
    {"POST", "/api/v1/locks/{id}/commission", lock_fresh},
    {"POST", "/api/v1/locks/{id}/move", lock_fresh},
    {"POST", "/api/v1/locks/{id}/remove", lock_fresh},
    {"GET", "/api/v1/locks/{id}/who-can-open", lock_who},
    {"GET", "/api/v1/locks/{id}/label", shared_item},
    {"POST", "/api/v1/public-keys/read", public_key_read},
    {"GET", "/api/v1/recipients", list},
    {"POST", "/api/v1/recipients", recipients_create},
    {"GET", "/api/v1/recipients/{id}", recipient_item},
    {"PATCH", "/api/v1/recipients/{id}", recipient_item},
    {"POST", "/api/v1/recipients/{id}/provider-changes", recipient_item},
    {"GET", "/api/v1/rights", list},
    {"POST", "/api/v1/rights", rights_create},
    {"GET", "/api/v1/rights/{id}", right_item},
    {"DELETE", "/api/v1/rights/{id}", right_item},
    {"GET", "/api/v1/access-log", list},
    {"GET", "/api/v1/overview", list},
    {"GET", "/api/v1/revocation/status", list},
    {"GET", "/api/v1/recipients/{id}/extract", recipient_item},
    {"GET", "/api/v1/recipients/{id}/resident-links", resident_links},
    {"POST", "/api/v1/recipients/{id}/resident-links", resident_links},
    {"GET", "/api/v1/resident-links/{id}/views", resident_links},
    {"POST", "/api/v1/resident-links/{id}/revoke", resident_links},
};
const size_t mx_fixtures_domain_count = sizeof mx_fixtures_domain / sizeof mx_fixtures_domain[0];
