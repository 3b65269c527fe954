/* End to end over HTTP against the real daemon: consents gate commissioning; a provider
 * change moves a recipient's apartment and derived entrance rights from the old provider's
 * key to the new one's on the effective date; the sync protocol's refusals (station
 * signature, nonce reuse and expiry, bad bearer signature, lost key); a lost key lands in
 * the signed revocation list other keys carry; idempotent log upload with gap reports. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "portvakt/proto.h"
#include "pvs/store.h"
#include "pvt.h"

static struct pvt_server S;
static struct pvt_client ADMIN, PLAN_A, PLAN_B;

typedef struct keypair {
    uint8_t pk[32], sk[64];
    char hex[65];
} keypair;

static void keygen(keypair *k)
{
    crypto_sign_keypair(k->pk, k->sk);
    sodium_bin2hex(k->hex, sizeof k->hex, k->pk, 32);
}

/* A request whose answer must have `status`; returns the parsed JSON (caller decrefs). */
static json_t *call(struct pvt_client *c, const char *method, const char *path, long status,
                    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static json_t *call(struct pvt_client *c, const char *method, const char *path, long status,
                    const char *fmt, ...)
{
    char body[8192] = "";
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(body, sizeof body, fmt, ap);
        va_end(ap);
    }
    struct pvt_resp r;
    json_t *out = NULL;
    int rc = pvt_req(&S, c, method, path, fmt ? body : NULL, &r);
    CHECK(rc == 0 && r.status == status, "%s %s -> %ld, want %ld: %s", method, path, r.status,
          status, r.body ? r.body : "");
    CHECK(r.status < 500, "never a 5xx");
    if (r.json)
        out = json_incref(r.json);
    pvt_resp_free(&r);
    return out ? out : json_object();
}

static int64_t id_of(json_t *o)
{
    int64_t id = json_integer_value(json_object_get(o, "id"));
    json_decref(o);
    return id;
}

static const char *ptype(json_t *o)
{
    const char *t = json_string_value(json_object_get(o, "type"));
    const char *slash = t ? strrchr(t, '/') : NULL;
    return slash ? slash + 1 : "";
}

/* ------------------------------------------------------------------ station requests */

static int64_t STATION_A;
static keypair STATION_KEY;

/* POST with the station's request signature (docs/sync.md); sign < 0 sends no station
 * headers at all (a phone syncing directly), 0 a wrong signature. */
static json_t *station_post(const char *path, const char *body, long status, int sign)
{
    char date[32], sig_hex[129], bh[65], idh[64];
    uint8_t h[32], sig[64];
    snprintf(date, sizeof date, "%lld", (long long)S.now);
    crypto_generichash(h, 32, (const uint8_t *)body, strlen(body), NULL, 0);
    sodium_bin2hex(bh, sizeof bh, h, 32);
    char msg[1024];
    int n = snprintf(msg, sizeof msg, "portvakt-station-v1\nPOST\n%s\n%s\n%s", path, date, bh);
    crypto_sign_detached(sig, NULL, (const uint8_t *)msg, (size_t)n, STATION_KEY.sk);
    sodium_bin2hex(sig_hex, sizeof sig_hex, sig, 64);
    if (!sign)
        sig_hex[0] = sig_hex[0] == 'a' ? 'b' : 'a';
    char hs[3][200];
    snprintf(idh, sizeof idh, "%lld", (long long)STATION_A);
    snprintf(hs[0], sizeof hs[0], "X-Portvakt-Station: %s", idh);
    snprintf(hs[1], sizeof hs[1], "X-Portvakt-Date: %s", date);
    snprintf(hs[2], sizeof hs[2], "X-Portvakt-Signature: %s", sig_hex);
    const char *const headers[] = {hs[0], hs[1], hs[2], NULL};
    const char *const none[] = {NULL};
    struct pvt_resp r;
    int rc = pvt_req_ex(&S, NULL, "POST", path, "application/json", body, strlen(body),
                        sign < 0 ? none : headers, false, &r);
    CHECK(rc == 0 && r.status == status, "station POST %s -> %ld, want %ld: %s", path, r.status,
          status, r.body ? r.body : "");
    json_t *out = r.json ? json_incref(r.json) : json_object();
    pvt_resp_free(&r);
    return out;
}

/* The whole sync of one key, through station A (via = 1) or directly as a phone (via = -1);
 * returns the response (or problem). */
static json_t *sync_key(int64_t bearer, const keypair *k, long status, int via, const char *extra)
{
    char body[4096];
    snprintf(body, sizeof body, "{\"bearer_id\":%lld}", (long long)bearer);
    json_t *ch = station_post("/api/v1/sync/challenge", body, 200, via);
    const char *nhex = json_string_value(json_object_get(ch, "nonce"));
    uint8_t nonce[32], msg[17 + 32 + 4] = "portvakt-sync-v1", sig[64];
    size_t nl = 0;
    CHECK(nhex && sodium_hex2bin(nonce, 32, nhex, 64, NULL, &nl, NULL) == 0 && nl == 32, "nonce");
    memcpy(msg + 17, nonce, 32);
    for (int i = 0; i < 4; i++)
        msg[49 + i] = (uint8_t)((uint64_t)bearer >> (8 * i));
    crypto_sign_detached(sig, NULL, msg, sizeof msg, k->sk);
    char sh[129];
    sodium_bin2hex(sh, sizeof sh, sig, 64);
    snprintf(body, sizeof body, "{\"bearer_id\":%lld,\"nonce\":\"%s\",\"signature\":\"%s\"%s%s}",
             (long long)bearer, nhex ? nhex : "", sh, extra ? "," : "", extra ? extra : "");
    json_decref(ch);
    return station_post("/api/v1/sync", body, status, via);
}

/* Decodes the hex entries and checks them against the credential's root and issuer key. */
static int doors_with(json_t *resp, int64_t lock, uint16_t flag)
{
    const char *eh = json_string_value(json_object_get(resp, "entries"));
    const char *ch = json_string_value(json_object_get(resp, "credential"));
    size_t n = eh ? strlen(eh) / 2 : 0, got = 0;
    uint8_t *e = malloc(n + 1), cred[PV_CRED_SIZE], root[32];
    int found = 0;
    if (n && sodium_hex2bin(e, n, eh, 2 * n, NULL, &got, NULL) == 0 && got == n) {
        pv_cred c;
        size_t cl = 0;
        CHECK(ch && sodium_hex2bin(cred, sizeof cred, ch, strlen(ch), NULL, &cl, NULL) == 0 &&
                  cl == PV_CRED_SIZE && pv_cred_decode(cred, cl, &c) == PV_OK,
              "credential decodes");
        CHECK(pv_merkle_root(e, (uint32_t)(n / PV_ENTRY_SIZE), root) == PV_OK &&
                  memcmp(root, c.root, 32) == 0, "entries match the credential's root");
        for (size_t i = 0; i < n / PV_ENTRY_SIZE; i++) {
            pv_entry x;
            if (pv_entry_decode(e + i * PV_ENTRY_SIZE, &x) == PV_OK &&
                x.lock_id == (uint32_t)lock && (x.flags & flag))
                found++;
        }
    }
    free(e);
    return found;
}

/* Whether every entry of the response lies within [lo, hi) in unix time. */
static int entries_within(json_t *resp, int64_t lo, int64_t hi)
{
    const char *eh = json_string_value(json_object_get(resp, "entries"));
    int64_t nb = json_integer_value(json_object_get(resp, "valid_from"));
    size_t n = eh ? strlen(eh) / 2 : 0, got = 0;
    uint8_t e[PV_ENTRY_SIZE * 64];
    if (n > sizeof e || sodium_hex2bin(e, sizeof e, eh, 2 * n, NULL, &got, NULL) != 0)
        return 0;
    for (size_t i = 0; i < got / PV_ENTRY_SIZE; i++) {
        pv_entry x;
        if (pv_entry_decode(e + i * PV_ENTRY_SIZE, &x) != PV_OK ||
            nb + x.start_min * 60 < lo || nb + (int64_t)x.end_min * 60 > hi)
            return 0;
    }
    return 1;
}

static uint8_t ISSUER_PK[32];

static void load_issuer_key(void)
{
    json_t *o = call(NULL, "GET", "/api/v1/issuer/keys", 200, NULL);
    json_t *it;
    size_t i;
    json_array_foreach(json_object_get(o, "items"), i, it) {
        if (json_is_true(json_object_get(it, "current"))) {
            const char *h = json_string_value(json_object_get(it, "public_key"));
            size_t n = 0;
            CHECK(h && sodium_hex2bin(ISSUER_PK, 32, h, 64, NULL, &n, NULL) == 0 && n == 32,
                  "issuer key");
        }
    }
    json_decref(o);
}

static void check_signed(json_t *resp)
{
    const char *ch = json_string_value(json_object_get(resp, "credential"));
    const char *bh = json_string_value(json_object_get(resp, "beacon"));
    uint8_t cred[PV_CRED_SIZE], beacon[PV_BEACON_SIZE];
    size_t n = 0;
    CHECK(ch && sodium_hex2bin(cred, sizeof cred, ch, strlen(ch), NULL, &n, NULL) == 0 &&
              pv_cred_verify(cred, ISSUER_PK) == PV_OK, "credential signed by the issuer");
    CHECK(bh && sodium_hex2bin(beacon, sizeof beacon, bh, strlen(bh), NULL, &n, NULL) == 0 &&
              pv_beacon_verify(beacon, ISSUER_PK) == PV_OK, "beacon signed by the issuer");
}

/* Whether the response's revocation list (signature checked) revokes `bearer` now. */
static int revoked_in(json_t *resp, int64_t bearer)
{
    const char *h = json_string_value(json_object_get(resp, "revlist"));
    uint8_t buf[PV_REVLIST_MAX_SIZE];
    size_t n = 0;
    pv_revlist rl;
    if (!h || sodium_hex2bin(buf, sizeof buf, h, strlen(h), NULL, &n, NULL) != 0 ||
        pv_revlist_verify(buf, n, ISSUER_PK) != PV_OK || pv_revlist_decode(buf, n, &rl) != PV_OK)
        return -1;
    return pv_revlist_check(&rl, (uint32_t)bearer, (uint64_t)S.now) == PV_E_REVOKED;
}

typedef struct world {
    int64_t pa, pb, building, apt, door, laundry, rec, staff_a, staff_b, key_a, key_b;
    keypair ka, kb, lock_apt;
} world;

static void setup(world *w)
{
    keypair door_key, laundry_key;
    keygen(&w->ka);
    keygen(&w->kb);
    keygen(&w->lock_apt);
    keygen(&door_key);
    keygen(&laundry_key);
    keygen(&STATION_KEY);
    w->pa = pvt_create_provider(&S, &ADMIN, "Hemtjänst Norr");
    w->pb = pvt_create_provider(&S, &ADMIN, "Omsorg Söder");
    CHECK(pvt_create_user(&S, &ADMIN, "planner.a", "planner", w->pa, &PLAN_A) == 0, "planner A");
    CHECK(pvt_create_user(&S, &ADMIN, "planner.b", "planner", w->pb, &PLAN_B) == 0, "planner B");
    int64_t owner = id_of(call(&ADMIN, "POST", "/api/v1/owners", 201, "{\"name\":\"Bostads AB\"}"));
    w->building = id_of(call(&ADMIN, "POST", "/api/v1/buildings", 201,
                             "{\"owner_id\":%lld,\"address\":\"Storgatan 1, Stockholm\"}",
                             (long long)owner));
    w->apt = id_of(call(&ADMIN, "POST", "/api/v1/locks", 201,
                        "{\"kind\":\"apartment\",\"building_id\":%lld,\"lock_public_key\":\"%s\"}",
                        (long long)w->building, w->lock_apt.hex));
    w->door = id_of(call(&ADMIN, "POST", "/api/v1/locks", 201,
                         "{\"kind\":\"entrance\",\"building_id\":%lld,\"lock_public_key\":\"%s\"}",
                         (long long)w->building, door_key.hex));
    w->laundry = id_of(call(&ADMIN, "POST", "/api/v1/locks", 201,
                            "{\"kind\":\"common\",\"building_id\":%lld,\"lock_public_key\":\"%s\"}",
                            (long long)w->building, laundry_key.hex));
    w->rec = id_of(call(&ADMIN, "POST", "/api/v1/recipients", 201,
                        "{\"alarm_code\":\"LA-1001\",\"building_id\":%lld,\"apartment\":\"1102\","
                        "\"lock_id\":%lld,\"provider_id\":%lld}",
                        (long long)w->building, (long long)w->apt, (long long)w->pa));
    /* no consent yet: neither the apartment lock nor the entrance can be commissioned */
    char path[128];
    snprintf(path, sizeof path, "/api/v1/locks/%lld/commission", (long long)w->apt);
    json_t *p = call(&ADMIN, "POST", path, 409, "{}");
    CHECK(strcmp(ptype(p), "consent-missing") == 0, "apartment needs the recipient's consent");
    json_decref(p);
    snprintf(path, sizeof path, "/api/v1/locks/%lld/commission", (long long)w->door);
    p = call(&ADMIN, "POST", path, 409, "{}");
    CHECK(strcmp(ptype(p), "consent-missing") == 0, "entrance needs the owner's consent");
    json_decref(p);
    json_decref(call(&ADMIN, "POST", "/api/v1/consents", 201,
                     "{\"kind\":\"recipient\",\"recipient_id\":%lld,\"given_on\":\"2026-03-01\"}",
                     (long long)w->rec));
    json_decref(call(&ADMIN, "POST", "/api/v1/consents", 201,
                     "{\"kind\":\"portfolio\",\"owner_id\":%lld,\"given_on\":\"2026-03-01\"}",
                     (long long)owner));
    int64_t locks[3] = {w->apt, w->door, w->laundry};
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "/api/v1/locks/%lld/commission", (long long)locks[i]);
        json_decref(call(&ADMIN, "POST", path, 200, "{}"));
    }
    snprintf(path, sizeof path, "/api/v1/locks/%lld", (long long)w->door);
    json_t *lk = call(&ADMIN, "GET", path, 200, NULL);
    json_t *h0 = json_array_get(json_object_get(lk, "history"), 0);
    CHECK(strcmp(json_string_value(json_object_get(lk, "state")) ?: "", "installed") == 0 &&
              strcmp(json_string_value(json_object_get(h0, "action")) ?: "", "commission") == 0,
          "commissioning recorded in the lock's history");
    json_decref(lk);
    w->staff_a = id_of(call(&ADMIN, "POST", "/api/v1/staff", 201,
                            "{\"display_name\":\"Anna\",\"provider_id\":%lld}", (long long)w->pa));
    w->staff_b = id_of(call(&ADMIN, "POST", "/api/v1/staff", 201,
                            "{\"display_name\":\"Bo\",\"provider_id\":%lld}", (long long)w->pb));
    w->key_a = id_of(call(&PLAN_A, "POST", "/api/v1/bearers", 201,
                          "{\"staff_id\":%lld,\"kind\":\"fob\",\"label\":\"K-0001\","
                          "\"public_key\":\"%s\"}", (long long)w->staff_a, w->ka.hex));
    w->key_b = id_of(call(&PLAN_B, "POST", "/api/v1/bearers", 201,
                          "{\"staff_id\":%lld,\"kind\":\"phone\",\"label\":\"K-0002\","
                          "\"public_key\":\"%s\"}", (long long)w->staff_b, w->kb.hex));
    STATION_A = id_of(call(&ADMIN, "POST", "/api/v1/stations", 201,
                           "{\"name\":\"Kontoret\",\"public_key\":\"%s\",\"provider_id\":%lld}",
                           STATION_KEY.hex, (long long)w->pa));
}

static void relogin(void)
{
    CHECK(pvt_login(&S, &ADMIN) == 0 && pvt_login(&S, &PLAN_A) == 0 && pvt_login(&S, &PLAN_B) == 0,
          "sign in again");
}

static void t_provider_change(world *w)
{
    const char *win = "[{\"days\":[1,2,3,4,5,6,7],\"from\":\"07:00\",\"to\":\"22:00\"}]";
    json_decref(call(&PLAN_A, "POST", "/api/v1/rights", 201,
                     "{\"staff_id\":%lld,\"recipient_id\":%lld,\"valid_from\":\"2026-03-01\","
                     "\"kind\":\"standing\",\"windows\":%s}",
                     (long long)w->staff_a, (long long)w->rec, win));
    /* B may not grant for a recipient that was never B's, and cannot tell it from a missing
     * one (no cross-provider id probing): the same 404 and body */
    json_t *p = call(&PLAN_B, "POST", "/api/v1/rights", 404,
                     "{\"staff_id\":%lld,\"recipient_id\":%lld,\"valid_from\":\"2026-03-02\","
                     "\"valid_until\":\"2026-03-02\",\"kind\":\"temporary\",\"windows\":%s}",
                     (long long)w->staff_b, (long long)w->rec, win);
    json_t *missing = call(&PLAN_B, "POST", "/api/v1/rights", 404,
                           "{\"staff_id\":%lld,\"recipient_id\":%lld,\"valid_from\":\"2026-03-02\","
                           "\"valid_until\":\"2026-03-02\",\"kind\":\"temporary\",\"windows\":%s}",
                           (long long)w->staff_b, (long long)w->rec + 999, win);
    CHECK(p && missing && json_equal(json_object_get(p, "detail"), json_object_get(missing, "detail")) &&
              strcmp(ptype(p), ptype(missing)) == 0,
          "another provider's recipient answered as a missing one: %s / %s", ptype(p), ptype(missing));
    json_decref(p);
    json_decref(missing);
    /* A planner cannot grant its staff's rights through another provider's staff member */
    json_decref(call(&PLAN_A, "POST", "/api/v1/rights", 404,
                     "{\"staff_id\":%lld,\"recipient_id\":%lld,\"valid_from\":\"2026-03-03\","
                     "\"kind\":\"standing\",\"windows\":%s}",
                     (long long)w->staff_b, (long long)w->rec, win));
    char path[128];
    snprintf(path, sizeof path, "/api/v1/recipients/%lld/provider-changes", (long long)w->rec);
    json_decref(call(&PLAN_A, "POST", path, 403, "{\"provider_id\":%lld,\"effective_date\":\"2026-03-03\"}",
                     (long long)w->pb));
    json_decref(call(&ADMIN, "POST", path, 400, "{\"provider_id\":%lld,\"effective_date\":\"2026-03-01\"}",
                     (long long)w->pb));
    json_decref(call(&ADMIN, "POST", path, 200, "{\"provider_id\":%lld,\"effective_date\":\"2026-03-03\"}",
                     (long long)w->pb));
    /* now the recipient is B's from 03-03: a grant for the day before is explained (409) */
    p = call(&PLAN_B, "POST", "/api/v1/rights", 409,
             "{\"staff_id\":%lld,\"recipient_id\":%lld,\"valid_from\":\"2026-03-02\","
             "\"valid_until\":\"2026-03-02\",\"kind\":\"temporary\",\"windows\":%s}",
             (long long)w->staff_b, (long long)w->rec, win);
    CHECK(strcmp(ptype(p), "not-your-recipient") == 0, "refused: %s", ptype(p));
    json_decref(p);
    json_decref(call(&PLAN_B, "POST", "/api/v1/rights", 201,
                     "{\"staff_id\":%lld,\"recipient_id\":%lld,\"valid_from\":\"2026-03-03\","
                     "\"kind\":\"standing\",\"windows\":%s}",
                     (long long)w->staff_b, (long long)w->rec, win));

    /* Monday 07:00: A's key opens the apartment, the entrance and the laundry until 22:00 */
    json_t *ra = sync_key(w->key_a, &w->ka, 200, 1, NULL);
    CHECK(json_integer_value(json_object_get(ra, "doors")) == 3, "A has 3 doors");
    CHECK(doors_with(ra, w->apt, PV_ENTRY_F_APARTMENT) == 1 &&
              doors_with(ra, w->door, PV_ENTRY_F_ENTRANCE) == 1 &&
              doors_with(ra, w->laundry, PV_ENTRY_F_COMMON) == 1, "apartment and derived entries");
    check_signed(ra);
    CHECK(entries_within(ra, 0, PVT_T0 + 15 * 3600), "A's rights end at 22:00 on Monday");
    json_decref(ra);
    /* B's credential may reach into Tuesday morning, but holds nothing before Tuesday */
    json_t *rb = sync_key(w->key_b, &w->kb, 200, -1, NULL);
    CHECK(entries_within(rb, PVT_T0 + 86400, INT64_MAX), "B has nothing before the change: %s",
          json_string_value(json_object_get(rb, "entries")));
    json_decref(rb);

    /* Tuesday, the effective date: A's key gets nothing, B's key everything */
    CHECK(pvt_clock_set(&S, PVT_T0 + 86400) == 0, "clock");
    relogin(); /* sessions idle-expire over a simulated night */
    ra = sync_key(w->key_a, &w->ka, 200, 1, NULL);
    CHECK(json_integer_value(json_object_get(ra, "doors")) == 0 &&
              json_is_null(json_object_get(ra, "credential")), "old provider's key: no rights");
    json_decref(ra);
    rb = sync_key(w->key_b, &w->kb, 200, -1, NULL);
    CHECK(json_integer_value(json_object_get(rb, "doors")) == 3 &&
              doors_with(rb, w->door, PV_ENTRY_F_ENTRANCE) >= 1, "entrance moved to B: %s",
          json_string_value(json_object_get(rb, "entries")));
    check_signed(rb);
    json_decref(rb);
    snprintf(path, sizeof path, "/api/v1/locks/%lld/who-can-open", (long long)w->door);
    json_t *who = call(&ADMIN, "GET", path, 200, NULL);
    json_t *items = json_object_get(who, "items");
    CHECK(json_array_size(items) == 1 &&
              json_integer_value(json_object_get(json_array_get(items, 0), "staff_id")) ==
                  w->staff_b, "only B's staff may open the entrance");
    json_decref(who);
    who = call(&PLAN_A, "GET", path, 404, NULL);
    json_decref(who); /* no longer A's recipient's building */
    /* a change after B's last sync (the laundry unit removed) reaches B's next credential */
    snprintf(path, sizeof path, "/api/v1/locks/%lld/remove", (long long)w->laundry);
    json_decref(call(&ADMIN, "POST", path, 200, "{}"));
    rb = sync_key(w->key_b, &w->kb, 200, -1, NULL);
    CHECK(json_integer_value(json_object_get(rb, "doors")) == 2 &&
              doors_with(rb, w->laundry, PV_ENTRY_F_COMMON) == 0, "laundry gone after removal");
    json_decref(rb);
}

static int64_t count(const char *table);

/* A forged sync body: a random nonce and signature for key `bearer`. */
static void forged_sync(int64_t bearer, char *out, size_t cap)
{
    uint8_t rnd[96];
    char nh[65], sh[129];
    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2hex(nh, sizeof nh, rnd, 32);
    sodium_bin2hex(sh, sizeof sh, rnd + 32, 64);
    snprintf(out, cap, "{\"bearer_id\":%lld,\"nonce\":\"%s\",\"signature\":\"%s\"}",
             (long long)bearer, nh, sh);
}

/* Anyone can post to /sync: a forged challenge is refused and writes nothing (no sync row,
 * no nonce), so it can neither fill the table nor the planner's overview of refusals. */
static void t_forged_sync_writes_nothing(world *w)
{
    int64_t syncs = count("syncs"), nonces = count("sync_nonces");
    for (int i = 0; i < 15; i++) { /* under the address's budget of refusals (t_sync_throttle) */
        char sync[512];
        forged_sync(w->key_a, sync, sizeof sync);
        struct pvt_resp r;
        CHECK(pvt_req(&S, NULL, "POST", "/api/v1/sync", sync, &r) == 0 && r.status == 410,
              "forged sync refused: %ld", r.status);
        pvt_resp_free(&r);
    }
    CHECK(count("syncs") == syncs && count("sync_nonces") == nonces,
          "15 forged syncs wrote %lld sync rows and %lld nonces", (long long)(count("syncs") - syncs),
          (long long)(count("sync_nonces") - nonces));
}

/* After 20 refusals an address waits (429 with Retry-After) before it is heard again, so a
 * forger cannot make the server check signatures without end; a station that signs its
 * requests has its own budget and is still heard. Run last: the test's address is spent. */
static void t_sync_throttle(world *w)
{
    int refused = 0, throttled = 0, other = 0;
    for (int i = 0; i < 40; i++) {
        char sync[512];
        forged_sync(w->key_a, sync, sizeof sync);
        struct pvt_resp r;
        CHECK(pvt_req(&S, NULL, "POST", "/api/v1/sync", sync, &r) == 0, "forged sync sent");
        if (r.status == 429 && strcmp(pvt_problem_type(&r), "sync-throttled") == 0 && r.headers &&
            strstr(r.headers, "\nRetry-After: "))
            throttled++;
        else if (r.status == 410) /* before the budget ran out, or a token refilled (one per
                                    3 s) while a slow machine sent the 40 */
            refused++;
        else
            other++;
        pvt_resp_free(&r);
    }
    CHECK(refused >= 1 && throttled >= 20 && other == 0,
          "40 more forged syncs: %d refused, then %d throttled, %d else", refused, throttled, other);
    char sync[512];
    forged_sync(w->key_a, sync, sizeof sync);
    json_decref(station_post("/api/v1/sync", sync, 410, 1)); /* the station: its own budget */
}

static void t_protocol_refusals(world *w)
{
    char body[512];
    snprintf(body, sizeof body, "{\"bearer_id\":%lld}", (long long)w->key_a);
    json_decref(station_post("/api/v1/sync/challenge", body, 401, 0)); /* forged station */
    /* a nonce is single use */
    json_t *ch = station_post("/api/v1/sync/challenge", body, 200, 1);
    const char *n = json_string_value(json_object_get(ch, "nonce"));
    uint8_t nonce[32], msg[53] = "portvakt-sync-v1", sig[64];
    size_t nl = 0;
    CHECK(n && sodium_hex2bin(nonce, 32, n, 64, NULL, &nl, NULL) == 0, "nonce");
    memcpy(msg + 17, nonce, 32);
    for (int i = 0; i < 4; i++)
        msg[49 + i] = (uint8_t)((uint64_t)w->key_a >> (8 * i));
    char sh[129], sync[1024];
    crypto_sign_detached(sig, NULL, msg, sizeof msg, w->kb.sk); /* the wrong key */
    sodium_bin2hex(sh, sizeof sh, sig, 64);
    snprintf(sync, sizeof sync, "{\"bearer_id\":%lld,\"nonce\":\"%s\",\"signature\":\"%s\"}",
             (long long)w->key_a, n, sh);
    json_t *p = station_post("/api/v1/sync", sync, 403, 1);
    CHECK(strcmp(ptype(p), "bad-signature") == 0, "wrong key: %s", ptype(p));
    json_decref(p);
    crypto_sign_detached(sig, NULL, msg, sizeof msg, w->ka.sk); /* right key, used nonce */
    sodium_bin2hex(sh, sizeof sh, sig, 64);
    snprintf(sync, sizeof sync, "{\"bearer_id\":%lld,\"nonce\":\"%s\",\"signature\":\"%s\"}",
             (long long)w->key_a, n, sh);
    p = station_post("/api/v1/sync", sync, 409, 1);
    CHECK(strcmp(ptype(p), "nonce-used") == 0, "replayed nonce: %s", ptype(p));
    json_decref(p);
    json_decref(ch);
    /* a nonce older than 60 s */
    ch = station_post("/api/v1/sync/challenge", body, 200, 1);
    n = json_string_value(json_object_get(ch, "nonce"));
    CHECK(n && sodium_hex2bin(nonce, 32, n, 64, NULL, &nl, NULL) == 0, "nonce");
    memcpy(msg + 17, nonce, 32);
    crypto_sign_detached(sig, NULL, msg, sizeof msg, w->ka.sk);
    sodium_bin2hex(sh, sizeof sh, sig, 64);
    snprintf(sync, sizeof sync, "{\"bearer_id\":%lld,\"nonce\":\"%s\",\"signature\":\"%s\"}",
             (long long)w->key_a, n, sh);
    CHECK(pvt_clock_advance(&S, 61) == 0, "clock");
    p = station_post("/api/v1/sync", sync, 410, 1);
    CHECK(strcmp(ptype(p), "nonce-expired") == 0, "expired nonce: %s", ptype(p));
    json_decref(p);
    json_decref(ch);
    /* B's key at A's station */
    p = sync_key(w->key_b, &w->kb, 403, 1, NULL);
    CHECK(strcmp(ptype(p), "wrong-station") == 0, "other provider's station: %s", ptype(p));
    json_decref(p);
}

static void t_lost_key(world *w)
{
    char path[128];
    snprintf(path, sizeof path, "/api/v1/bearers/%lld/report-lost", (long long)w->key_b);
    json_decref(call(&PLAN_A, "POST", path, 404, "{}")); /* not A's key: invisible */
    json_t *o = call(&PLAN_B, "POST", path, 200, "{}");
    int64_t version = json_integer_value(json_object_get(o, "revlist_version"));
    CHECK(version >= 2 && strcmp(json_string_value(json_object_get(o, "state")), "lost") == 0,
          "lost, new list version %lld", (long long)version);
    json_decref(o);
    json_t *p = sync_key(w->key_b, &w->kb, 403, -1, NULL);
    CHECK(strcmp(ptype(p), "bearer-blocked") == 0, "lost key refused: %s", ptype(p));
    const char *d = json_string_value(json_object_get(p, "detail"));
    CHECK(d && strstr(d, "K-0002") && strstr(d, "reported lost"), "detail names the key: %s", d);
    json_decref(p);
    /* every other key carries the new list, which revokes B and not A */
    json_t *ra = sync_key(w->key_a, &w->ka, 200, 1, NULL);
    CHECK(revoked_in(ra, w->key_b) == 1 && revoked_in(ra, w->key_a) == 0, "B on the list");
    CHECK(json_integer_value(json_object_get(ra, "revlist_version")) == version, "newest list");
    json_decref(ra);
    o = call(&PLAN_B, "GET", "/api/v1/overview", 200, NULL);
    CHECK(json_integer_value(json_object_get(o, "blocked_count")) == 1 &&
              json_integer_value(json_object_get(json_object_get(o, "refusals_24h"),
                                                 "sync:bearer-blocked")) == 1 &&
              json_integer_value(json_object_get(o, "synced_today_count")) == 0,
          "B's overview: one key blocked, one blocked sync: %s", json_dumps(o, 0));
    json_decref(o);
    o = call(&PLAN_A, "GET", "/api/v1/overview", 200, NULL);
    CHECK(json_integer_value(json_object_get(o, "blocked_count")) == 0 &&
              json_integer_value(json_object_get(o, "synced_today_count")) == 1 &&
              json_object_get(json_object_get(o, "refusals_24h"), "sync:bearer-blocked") == NULL,
          "A's overview shows A's key synced and none of B's refusals: %s", json_dumps(o, 0));
    json_decref(o);
    o = call(&ADMIN, "GET", "/api/v1/revocation/status", 200, NULL);
    CHECK(json_integer_value(json_object_get(o, "version")) == version &&
              json_integer_value(json_object_get(o, "entries")) == 1, "status shows the list");
    CHECK(json_integer_value(json_object_get(o, "locks_current")) == 0 &&
              json_array_size(json_object_get(o, "locks_behind")) == 2,
          "no installed lock (apartment, entrance) has it yet");
    json_decref(o);
}

static int64_t count(const char *table)
{
    struct pvs_db *db = NULL;
    char sql[128];
    int64_t n = -1;
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM %s", table);
    if (pvt_db_open(&S, &db, false) == 0) {
        if (pvs_query_i64(db, sql, PVS_NOARGS, &n) != PVS_DB_OK)
            n = -1;
        pvs_db_close(db);
    }
    return n;
}

/* Hex of a signed batch of events first..first+n-1 of a lock whose log starts at seq 0. */
static void lock_batch(const world *w, uint32_t first, uint8_t n, int64_t revlist_version,
                       char *hex, size_t cap)
{
    uint8_t chain[32] = {0}, raw[PV_EVENT_SIZE], out[PV_LOGBATCH_MAX_SIZE];
    pv_event ev[PV_LOG_BATCH_MAX];
    for (uint32_t s = 0; s < first + n; s++) {
        pv_event e = {s, (uint32_t)S.now, PV_EV_OPEN, 0, PV_ENTRY_F_APARTMENT, (uint32_t)w->key_a};
        if (s == 2)
            e = (pv_event){s, (uint32_t)S.now, PV_EV_REVLIST, 0, 1, (uint32_t)revlist_version};
        if (s >= first)
            ev[s - first] = e;
        else {
            pv_event_encode(&e, raw);
            pv_log_chain_next(chain, raw, chain);
        }
    }
    size_t len = 0;
    CHECK(pv_logbatch_sign((uint32_t)w->apt, chain, ev, n, w->lock_apt.sk, out, sizeof out,
                           &len) == PV_OK, "sign batch");
    sodium_bin2hex(hex, cap, out, len);
}

static void t_ingest(world *w)
{
    json_t *st = call(&ADMIN, "GET", "/api/v1/revocation/status", 200, NULL);
    int64_t version = json_integer_value(json_object_get(st, "version"));
    json_decref(st);
    char hex[2 * PV_LOGBATCH_MAX_SIZE + 1], body[4 * PV_LOGBATCH_MAX_SIZE];
    lock_batch(w, 0, 5, version, hex, sizeof hex);
    snprintf(body, sizeof body, "{\"lock_batches\":[\"%s\"],\"bearer_events\":[{\"bearer_id\":%lld,"
             "\"seq\":1,\"time\":%lld,\"kind\":\"refused\",\"lock_id\":%lld,\"reason\":\"PV_E_EXPIRED\"}]}",
             hex, (long long)w->key_a, (long long)S.now, (long long)w->door);
    for (int i = 0; i < 3; i++) {
        json_t *o = station_post("/api/v1/ingest", body, 200, 1);
        CHECK(json_integer_value(json_object_get(o, "stored")) == (i == 0 ? 6 : 0) &&
                  json_integer_value(json_object_get(o, "duplicates")) == (i == 0 ? 0 : 6),
              "upload %d stored once", i);
        json_decref(o);
    }
    CHECK(count("lock_events") == 5 && count("bearer_events") == 1, "stored once");
    /* events 10-11 arrive before 5-9: a gap */
    lock_batch(w, 10, 2, version, hex, sizeof hex);
    snprintf(body, sizeof body, "{\"lock_batches\":[\"%s\"]}", hex);
    json_t *o = station_post("/api/v1/ingest", body, 200, 1);
    json_t *g = json_array_get(json_object_get(o, "gaps"), 0);
    CHECK(json_array_size(json_object_get(o, "gaps")) == 1 &&
              json_integer_value(json_object_get(g, "from_seq")) == 5 &&
              json_integer_value(json_object_get(g, "to_seq")) == 9, "gap 5-9 reported");
    json_decref(o);
    /* a tampered batch is refused and nothing of its upload is stored */
    lock_batch(w, 5, 5, version, hex, sizeof hex);
    hex[100] = hex[100] == '0' ? '1' : '0';
    snprintf(body, sizeof body, "{\"lock_batches\":[\"%s\"]}", hex);
    o = station_post("/api/v1/ingest", body, 422, 1);
    CHECK(strcmp(ptype(o), "bad-lock-signature") == 0, "tampered: %s", ptype(o));
    json_decref(o);
    CHECK(count("lock_events") == 7, "nothing stored");
    /* uploads need a station */
    json_decref(station_post("/api/v1/ingest", "{}", 401, -1));
    /* the lock reported holding the newest list */
    o = call(&ADMIN, "GET", "/api/v1/revocation/status", 200, NULL);
    CHECK(json_integer_value(json_object_get(o, "locks_current")) == 1, "one lock has it");
    json_decref(o);
    /* a key's sync carries logs too: a bad item is refused alone, the good one is kept */
    char good[2 * PV_LOGBATCH_MAX_SIZE + 1], bad[2 * PV_LOGBATCH_MAX_SIZE + 1];
    lock_batch(w, 12, 3, version, good, sizeof good);
    lock_batch(w, 15, 2, version, bad, sizeof bad);
    bad[90] = bad[90] == 'a' ? 'b' : 'a';
    char extra[4 * PV_LOGBATCH_MAX_SIZE + 64];
    snprintf(extra, sizeof extra, "\"lock_batches\":[\"%s\",\"%s\"]", good, bad);
    o = sync_key(w->key_a, &w->ka, 200, 1, extra);
    json_t *ing = json_object_get(o, "ingest");
    CHECK(json_integer_value(json_object_get(ing, "stored")) == 3 &&
              json_array_size(json_object_get(ing, "refused")) == 1 &&
              json_integer_value(json_object_get(json_array_get(json_object_get(ing, "refused"), 0),
                                                 "index")) == 1,
          "sync upload: one stored, one refused: %s", json_dumps(ing, 0));
    json_decref(o);
    CHECK(count("lock_events") == 10, "good batch kept, bad batch dropped");
    /* a hex string longer than any lock batch */
    char *huge = malloc(3 * PV_LOGBATCH_MAX_SIZE + 64);
    memset(huge, 'a', 3 * PV_LOGBATCH_MAX_SIZE + 64);
    memcpy(huge, "{\"lock_batches\":[\"", 18);
    memcpy(huge + 3 * PV_LOGBATCH_MAX_SIZE + 60, "\"]}", 4);
    json_decref(station_post("/api/v1/ingest", huge, 400, 1));
    free(huge);
    o = call(&PLAN_A, "GET", "/api/v1/access-log", 200, NULL);
    CHECK(json_array_size(json_object_get(o, "items")) >= 5, "A sees its key's events");
    json_decref(o);
    o = call(&PLAN_B, "GET", "/api/v1/access-log", 200, NULL);
    CHECK(json_array_size(json_object_get(o, "items")) == 0, "B sees none of A's events");
    json_decref(o);
}

static void t_hostile(world *w)
{
    int64_t recs = count("recipients"), rights = count("rights"), audit = count("audit_log");
    json_t *p = call(&ADMIN, "POST", "/api/v1/recipients", 400,
                     "{\"alarm_code\":\"LA-2\",\"building_id\":%lld,\"provider_id\":%lld,"
                     "\"personnummer\":\"19400101-1234\"}", (long long)w->building, (long long)w->pa);
    CHECK(strcmp(ptype(p), "personal-data-refused") == 0, "personal number refused: %s", ptype(p));
    json_decref(p);
    json_decref(call(&ADMIN, "POST", "/api/v1/recipients", 400,
                     "{\"alarm_code\":\"LA-2\",\"building_id\":%lld,\"provider_id\":%lld,"
                     "\"name\":\"Greta\"}", (long long)w->building, (long long)w->pa));
    json_decref(call(&ADMIN, "POST", "/api/v1/recipients", 400, "{\"alarm_code\":7}"));
    json_decref(call(&ADMIN, "POST", "/api/v1/recipients", 400, "{\"alarm_code\":\"x\""));
    json_decref(call(&ADMIN, "POST", "/api/v1/recipients", 400,
                     "{\"alarm_code\":\"LA-3\",\"building_id\":%lld,\"provider_id\":%lld,"
                     "\"colour\":\"red\"}", (long long)w->building, (long long)w->pa));
    /* a lock of another building is not this recipient's apartment lock */
    json_decref(call(&ADMIN, "POST", "/api/v1/recipients", 400,
                     "{\"alarm_code\":\"LA-4\",\"building_id\":%lld,\"provider_id\":%lld,"
                     "\"lock_id\":%lld}", (long long)w->building, (long long)w->pa, (long long)w->door));
    const char *win = "[{\"days\":[1,8],\"from\":\"07:00\",\"to\":\"22:00\"}]";
    json_decref(call(&ADMIN, "POST", "/api/v1/rights", 400,
                     "{\"staff_id\":%lld,\"recipient_id\":%lld,\"valid_from\":\"2026-03-03\","
                     "\"kind\":\"standing\",\"windows\":%s}", (long long)w->staff_b, (long long)w->rec, win));
    json_decref(call(&ADMIN, "POST", "/api/v1/rights", 400,
                     "{\"staff_id\":%lld,\"recipient_id\":%lld,\"valid_from\":\"2026-03-03\","
                     "\"kind\":\"temporary\",\"windows\":[{\"days\":[1],\"from\":\"25:00\",\"to\":\"1\"}]}",
                     (long long)w->staff_b, (long long)w->rec));
    json_decref(call(&ADMIN, "POST", "/api/v1/rights", 400,
                     "{\"staff_id\":%lld,\"recipient_id\":%lld,\"valid_from\":\"2026-03-05\","
                     "\"valid_until\":\"2026-03-04\",\"kind\":\"temporary\",\"windows\":[]}",
                     (long long)w->staff_b, (long long)w->rec));
    CHECK(count("recipients") == recs && count("rights") == rights && count("audit_log") == audit,
          "refused requests wrote nothing");
    /* SQL metacharacters are data, stored and returned as sent */
    json_t *o = call(&ADMIN, "POST", "/api/v1/recipients", 201,
                     "{\"alarm_code\":\"x'); DROP TABLE recipients;--\",\"building_id\":%lld,"
                     "\"provider_id\":%lld}", (long long)w->building, (long long)w->pa);
    CHECK(strcmp(json_string_value(json_object_get(o, "alarm_code")) ?: "",
                 "x'); DROP TABLE recipients;--") == 0 && count("recipients") == recs + 1,
          "stored literally");
    json_decref(o);
    /* sync bodies: oversized hex, wrong types */
    json_decref(station_post("/api/v1/sync", "{\"bearer_id\":\"1\"}", 400, 1));
    json_decref(station_post("/api/v1/ingest", "{\"lock_batches\":[\"zz\"]}", 400, 1));
    json_decref(station_post("/api/v1/ingest", "{\"lock_batches\":[1]}", 400, 1));
    json_decref(station_post("/api/v1/ingest", "{\"bearer_events\":[{\"bearer_id\":1}]}", 400, 1));
}


/* Consent withdrawal, a move without consent, a one-day substitute, an inactive staff member. */
static void t_lifecycle(world *w)
{
    char path[128];
    keypair k;
    keygen(&k);
    int64_t owner2 = id_of(call(&ADMIN, "POST", "/api/v1/owners", 201, "{\"name\":\"Annan AB\"}"));
    int64_t b2 = id_of(call(&ADMIN, "POST", "/api/v1/buildings", 201,
                            "{\"owner_id\":%lld,\"address\":\"Lillgatan 2\"}", (long long)owner2));
    int64_t consent = id_of(call(&ADMIN, "POST", "/api/v1/consents", 201,
                                 "{\"kind\":\"property\",\"building_id\":%lld,"
                                 "\"given_on\":\"2026-03-01\"}", (long long)b2));
    snprintf(path, sizeof path, "/api/v1/consents/%lld/withdraw", (long long)consent);
    json_decref(call(&ADMIN, "POST", path, 200, "{}"));
    json_decref(call(&ADMIN, "POST", path, 404, "{}")); /* already withdrawn */
    int64_t gate = id_of(call(&ADMIN, "POST", "/api/v1/locks", 201,
                              "{\"kind\":\"entrance\",\"building_id\":%lld,\"lock_public_key\":\"%s\"}",
                              (long long)b2, k.hex));
    snprintf(path, sizeof path, "/api/v1/locks/%lld/commission", (long long)gate);
    json_t *p = call(&ADMIN, "POST", path, 409, "{}");
    CHECK(strcmp(ptype(p), "consent-missing") == 0, "withdrawn consent blocks commissioning");
    json_decref(p);
    /* an installed entrance cannot be moved into a building without consent */
    snprintf(path, sizeof path, "/api/v1/locks/%lld/move", (long long)w->door);
    p = call(&ADMIN, "POST", path, 409, "{\"building_id\":%lld}", (long long)b2);
    CHECK(strcmp(ptype(p), "consent-missing") == 0, "move needs consent at the new place");
    json_decref(p);

    /* a one-day substitute of provider B: counts on its day only */
    int64_t sub = id_of(call(&PLAN_B, "POST", "/api/v1/staff", 201, "{\"display_name\":\"Vikarie\"}"));
    keypair ks;
    keygen(&ks);
    int64_t ksub = id_of(call(&PLAN_B, "POST", "/api/v1/bearers", 201,
                              "{\"staff_id\":%lld,\"kind\":\"phone\",\"label\":\"K-0009\","
                              "\"public_key\":\"%s\"}", (long long)sub, ks.hex));
    json_decref(call(&PLAN_B, "POST", "/api/v1/rights", 201,
                     "{\"staff_id\":%lld,\"recipient_id\":%lld,\"valid_from\":\"2026-03-04\","
                     "\"valid_until\":\"2026-03-04\",\"kind\":\"temporary\",\"windows\":"
                     "[{\"days\":[1,2,3,4,5,6,7],\"from\":\"08:00\",\"to\":\"12:00\"}]}",
                     (long long)sub, (long long)w->rec));
    json_t *r = sync_key(ksub, &ks, 200, -1, NULL); /* Tuesday: nothing yet */
    CHECK(json_integer_value(json_object_get(r, "doors")) == 0, "substitute: not before the day");
    json_decref(r);
    CHECK(pvt_clock_set(&S, PVT_T0 + 2 * 86400) == 0, "clock"); /* Wednesday 07:00 */
    relogin();
    r = sync_key(ksub, &ks, 200, -1, NULL);
    CHECK(json_integer_value(json_object_get(r, "doors")) == 2 &&
              entries_within(r, PVT_T0 + 2 * 86400 + 3600, PVT_T0 + 2 * 86400 + 5 * 3600),
          "substitute: apartment and entrance 08:00-12:00 on the day");
    json_decref(r);
    CHECK(pvt_clock_set(&S, PVT_T0 + 3 * 86400) == 0, "clock"); /* Thursday */
    relogin();
    r = sync_key(ksub, &ks, 200, -1, NULL);
    CHECK(json_integer_value(json_object_get(r, "doors")) == 0, "substitute: gone the day after");
    json_decref(r);
    /* a staff member set inactive cannot sync any of their keys */
    snprintf(path, sizeof path, "/api/v1/staff/%lld", (long long)w->staff_a);
    json_decref(call(&ADMIN, "PATCH", path, 200, "{\"active\":false}"));
    p = sync_key(w->key_a, &w->ka, 403, 1, NULL);
    CHECK(strcmp(ptype(p), "bearer-blocked") == 0, "inactive staff: %s", ptype(p));
    json_decref(p);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s portvakt-server scratch-dir\n", argv[0]);
        return 2;
    }
    if (sodium_init() < 0 || pvt_start(&S, argv[1], argv[2], NULL) != 0)
        return 2;
    if (pvt_login_admin(&S, &ADMIN) != 0) {
        pvt_stop(&S);
        return 2;
    }
    world w;
    setup(&w);
    load_issuer_key();
    t_provider_change(&w);
    t_protocol_refusals(&w);
    t_forged_sync_writes_nothing(&w);
    t_lost_key(&w);
    t_ingest(&w);
    t_hostile(&w);
    t_lifecycle(&w);
    t_sync_throttle(&w);
    int st = pvt_stop(&S);
    CHECK(st == 0, "clean shutdown (%d)", st);
    if (pvt_failures)
        fprintf(stderr, "%d check(s) failed\n", pvt_failures);
    else
        printf("test_sync_http: all checks passed\n");
    return pvt_failures != 0;
}
