/* The phone as a key and alarm access, over HTTP against the real daemon: a planner makes a
 * staff member's app login; the phone signs in with password + TOTP (a code works once),
 * enrols its own key as the staff member's phone bearer, fetches its per-phone secret and
 * syncs directly; a blocked phone gets neither secret nor credential. The alarm centre
 * grants a responder's key one recipient's doors for a time box: the responder's next
 * credential carries them flagged alarm, within the box; ended early or expired, they are
 * gone. The alarm system's token (scope "alarm") opens and ends grants and nothing else. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "portvakt/proto.h"
#include "pvt.h"

static struct pvt_server S;
static struct pvt_client ADMIN, PLAN_A, PLAN_B;

typedef struct phone {
    uint8_t pk[32], sk[64];
    char pk_hex[65];
    char session[65];
    int64_t bearer;
} phone;

/* One request whose answer must have `status`; returns its JSON (caller decrefs). Extra
 * header `hdr` ("Name: value") when not NULL. */
static json_t *req(struct pvt_client *c, const char *hdr, const char *method, const char *path,
                   long status, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static json_t *req(struct pvt_client *c, const char *hdr, const char *method, const char *path,
                   long status, const char *fmt, ...)
{
    char body[4096] = "";
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(body, sizeof body, fmt, ap);
        va_end(ap);
    }
    const char *const hs[] = {hdr, NULL};
    struct pvt_resp r;
    int rc = pvt_req_ex(&S, c, method, path, fmt ? "application/json" : NULL, body, strlen(body),
                        hs, c && c->cookie[0], &r);
    CHECK(rc == 0 && r.status == status, "%s %s -> %ld, want %ld: %s", method, path, r.status,
          status, r.body ? r.body : "");
    CHECK(r.status < 500, "never a 5xx");
    json_t *out = r.json ? json_incref(r.json) : json_object();
    pvt_resp_free(&r);
    return out;
}

static int64_t id_of(json_t *o)
{
    int64_t id = json_integer_value(json_object_get(o, "id"));
    json_decref(o);
    return id;
}

static int is_type(json_t *o, const char *type)
{
    const char *t = json_string_value(json_object_get(o, "type"));
    const char *slash = t ? strrchr(t, '/') : NULL;
    int ok = slash && strcmp(slash + 1, type) == 0;
    json_decref(o);
    return ok;
}

static const char *jstr(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

typedef struct world {
    int64_t pa, pb, building, apt, door, laundry, rec, staff_a, staff_b, fob_b;
    char user_pw[64], totp_uri[256];
} world;

static void place(world *w)
{
    uint8_t pk[32], sk[64];
    char hex[65], path[96];
    int64_t owner = id_of(req(&ADMIN, NULL, "POST", "/api/v1/owners", 201, "{\"name\":\"Hem AB\"}"));
    w->building = id_of(req(&ADMIN, NULL, "POST", "/api/v1/buildings", 201,
                            "{\"owner_id\":%lld,\"address\":\"Ringvägen 3, Stockholm\"}",
                            (long long)owner));
    const char *kinds[3] = {"apartment", "entrance", "common"};
    int64_t *ids[3] = {&w->apt, &w->door, &w->laundry};
    for (int i = 0; i < 3; i++) {
        crypto_sign_keypair(pk, sk);
        sodium_bin2hex(hex, sizeof hex, pk, 32);
        *ids[i] = id_of(req(&ADMIN, NULL, "POST", "/api/v1/locks", 201,
                            "{\"kind\":\"%s\",\"building_id\":%lld,\"lock_public_key\":\"%s\"}",
                            kinds[i], (long long)w->building, hex));
    }
    w->rec = id_of(req(&ADMIN, NULL, "POST", "/api/v1/recipients", 201,
                       "{\"alarm_code\":\"LA-7001\",\"building_id\":%lld,\"apartment\":\"1\","
                       "\"lock_id\":%lld,\"provider_id\":%lld}",
                       (long long)w->building, (long long)w->apt, (long long)w->pa));
    json_decref(req(&ADMIN, NULL, "POST", "/api/v1/consents", 201,
                    "{\"kind\":\"recipient\",\"recipient_id\":%lld,\"given_on\":\"2026-03-01\"}",
                    (long long)w->rec));
    json_decref(req(&ADMIN, NULL, "POST", "/api/v1/consents", 201,
                    "{\"kind\":\"portfolio\",\"owner_id\":%lld,\"given_on\":\"2026-03-01\"}",
                    (long long)owner));
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "/api/v1/locks/%lld/commission", (long long)*ids[i]);
        json_decref(req(&ADMIN, NULL, "POST", path, 200, "{}"));
    }
}

static void setup(world *w)
{
    w->pa = pvt_create_provider(&S, &ADMIN, "Hemtjänst Väst");
    w->pb = pvt_create_provider(&S, &ADMIN, "Nattpatrullen");
    CHECK(pvt_create_user(&S, &ADMIN, "plan.a", "planner", w->pa, &PLAN_A) == 0, "planner A");
    CHECK(pvt_create_user(&S, &ADMIN, "plan.b", "planner", w->pb, &PLAN_B) == 0, "planner B");
    place(w);
    w->staff_a = id_of(req(&PLAN_A, NULL, "POST", "/api/v1/staff", 201,
                           "{\"display_name\":\"Amira\",\"provider_id\":%lld}", (long long)w->pa));
    w->staff_b = id_of(req(&PLAN_B, NULL, "POST", "/api/v1/staff", 201,
                           "{\"display_name\":\"Bertil\",\"provider_id\":%lld}", (long long)w->pb));
    uint8_t pk[32], sk[64];
    char hex[65];
    crypto_sign_keypair(pk, sk);
    sodium_bin2hex(hex, sizeof hex, pk, 32);
    w->fob_b = id_of(req(&PLAN_B, NULL, "POST", "/api/v1/bearers", 201,
                         "{\"staff_id\":%lld,\"kind\":\"fob\",\"label\":\"N-1\",\"public_key\":\"%s\"}",
                         (long long)w->staff_b, hex));
}

/* The phone's app login with both factors; returns the HTTP status (session kept in p). */
static long phone_login(world *w, phone *p, const char *user, const char *pw, bool good_code)
{
    uint8_t secret[64];
    size_t len = 0;
    char code[7] = "000000", body[512];
    CHECK(pvt_totp_secret_from_uri(w->totp_uri, secret, sizeof secret, &len) == 0, "totp secret");
    if (good_code)
        pvt_totp(&S, secret, len, code);
    snprintf(body, sizeof body, "{\"username\":\"%s\",\"password\":\"%s\",\"code\":\"%s\"}", user, pw, code);
    struct pvt_resp r;
    CHECK(pvt_req(&S, NULL, "POST", "/api/v1/phone/login", body, &r) == 0, "login transport");
    snprintf(p->session, sizeof p->session, "%s", r.json ? jstr(r.json, "session") : "");
    long st = r.status;
    pvt_resp_free(&r);
    return st;
}

static const char *session_hdr(const phone *p)
{
    static char h[128];
    snprintf(h, sizeof h, "X-Portvakt-Phone-Session: %s", p->session);
    return h;
}

/* A direct sync of the phone's key (no station): the answer, with `status`. */
static json_t *phone_sync(int64_t bearer, const uint8_t sk[64], long status)
{
    json_t *ch = req(NULL, NULL, "POST", "/api/v1/sync/challenge", 200, "{\"bearer_id\":%lld}",
                     (long long)bearer);
    uint8_t nonce[32], msg[17 + 32 + 4] = "portvakt-sync-v1", sig[64];
    size_t nl = 0;
    const char *nh = jstr(ch, "nonce");
    CHECK(sodium_hex2bin(nonce, 32, nh, strlen(nh), NULL, &nl, NULL) == 0 && nl == 32, "nonce");
    memcpy(msg + 17, nonce, 32);
    for (int i = 0; i < 4; i++)
        msg[49 + i] = (uint8_t)((uint64_t)bearer >> (8 * i));
    crypto_sign_detached(sig, NULL, msg, sizeof msg, sk);
    char sh[129];
    sodium_bin2hex(sh, sizeof sh, sig, 64);
    json_t *out = req(NULL, NULL, "POST", "/api/v1/sync", status,
                      "{\"bearer_id\":%lld,\"nonce\":\"%s\",\"signature\":\"%s\"}", (long long)bearer,
                      nh, sh);
    json_decref(ch);
    return out;
}

/* Entries of a sync answer at `lock`: how many, how many flagged `flag`, and whether all lie
 * inside [lo, hi) in unix time. */
static int entries_at(json_t *resp, int64_t lock, uint16_t flag, int64_t lo, int64_t hi, int *inside)
{
    const char *eh = jstr(resp, "entries");
    int64_t nb = json_integer_value(json_object_get(resp, "valid_from"));
    uint8_t e[PV_ENTRY_SIZE * 64];
    size_t got = 0;
    int n = 0;
    *inside = 1;
    if (sodium_hex2bin(e, sizeof e, eh, strlen(eh), NULL, &got, NULL) != 0)
        return -1;
    for (size_t i = 0; i < got / PV_ENTRY_SIZE; i++) {
        pv_entry x;
        if (pv_entry_decode(e + i * PV_ENTRY_SIZE, &x) != PV_OK || x.lock_id != (uint32_t)lock)
            continue;
        if ((x.flags & flag) == flag)
            n++;
        if (nb + x.start_min * 60 < lo || nb + (int64_t)x.end_min * 60 > hi)
            *inside = 0;
    }
    return n;
}

static void t_app_login(world *w)
{
    char path[96];
    snprintf(path, sizeof path, "/api/v1/staff/%lld/phone-login", (long long)w->staff_a);
    CHECK(is_type(req(&PLAN_B, NULL, "POST", path, 404, "{\"username\":\"amira\"}"), "not-found"),
          "another provider's planner cannot make the login");
    CHECK(is_type(req(&PLAN_A, NULL, "POST", path, 400, "{\"username\":\"Amira Å\"}"), "invalid-value"),
          "a username with spaces or capitals is refused");
    json_t *l = req(&PLAN_A, NULL, "POST", path, 201, "{\"username\":\"amira\"}");
    snprintf(w->user_pw, sizeof w->user_pw, "%s", jstr(l, "password"));
    snprintf(w->totp_uri, sizeof w->totp_uri, "%s", jstr(l, "otpauth_uri"));
    CHECK(strlen(w->user_pw) >= 16 && strncmp(w->totp_uri, "otpauth://totp/", 15) == 0 &&
              strlen(jstr(l, "totp_secret")) == 32, "a one-time password and a TOTP secret");
    json_decref(l);
    phone p = {0};
    pvt_clock_advance(&S, 30);
    CHECK(phone_login(w, &p, "amira", "wrong-password-1", true) == 401, "wrong password");
    CHECK(phone_login(w, &p, "amira", w->user_pw, false) == 401, "wrong code");
    CHECK(phone_login(w, &p, "nobody", w->user_pw, true) == 401, "unknown user: the same answer");
    CHECK(phone_login(w, &p, "amira", w->user_pw, true) == 201 && strlen(p.session) == 64,
          "password + code: a phone session");
    CHECK(phone_login(w, &p, "amira", w->user_pw, true) == 401, "the same code works once");
    CHECK(is_type(req(NULL, "X-Portvakt-Phone-Session: 00", "POST", "/api/v1/phone/enrol", 401,
                      "{\"public_key\":\"%064d\"}", 0), "phone-session-expired"),
          "enrolment needs the phone session");
    CHECK(is_type(req(NULL, NULL, "POST", "/api/v1/phone/login", 400,
                      "{\"username\":\"amira\",\"password\":\"x\"}"), "invalid-body"),
          "a login without the code is refused");
}

static void t_enrol_sync_block(world *w)
{
    phone p = {0};
    crypto_sign_keypair(p.pk, p.sk);
    sodium_bin2hex(p.pk_hex, sizeof p.pk_hex, p.pk, 32);
    pvt_clock_advance(&S, 30);
    CHECK(phone_login(w, &p, "amira", w->user_pw, true) == 201, "login");
    json_t *e = req(NULL, session_hdr(&p), "POST", "/api/v1/phone/enrol", 201,
                    "{\"public_key\":\"%s\",\"label\":\"Amiras telefon\"}", p.pk_hex);
    p.bearer = json_integer_value(json_object_get(e, "bearer_id"));
    char secret[65];
    snprintf(secret, sizeof secret, "%s", jstr(e, "phone_secret"));
    CHECK(p.bearer > 0 && strlen(secret) == 64, "enrolled: a key number and a 256-bit secret");
    json_decref(e);
    CHECK(is_type(req(NULL, session_hdr(&p), "POST", "/api/v1/phone/enrol", 409,
                      "{\"public_key\":\"%s\"}", p.pk_hex), "phone-already-enrolled"),
          "the same key twice is refused");
    char path[96];
    snprintf(path, sizeof path, "/api/v1/bearers/%lld", (long long)p.bearer);
    json_t *b = req(&PLAN_A, NULL, "GET", path, 200, NULL);
    CHECK(strcmp(jstr(b, "kind"), "phone") == 0 &&
              json_integer_value(json_object_get(b, "staff_id")) == w->staff_a,
          "the planner sees the staff member's phone like a fob");
    json_decref(b);
    json_t *s = req(NULL, session_hdr(&p), "POST", "/api/v1/phone/secret", 200, "{\"bearer_id\":%lld}",
                    (long long)p.bearer);
    CHECK(strcmp(jstr(s, "phone_secret"), secret) == 0, "the secret again after the app login");
    json_decref(s);
    CHECK(is_type(req(NULL, session_hdr(&p), "POST", "/api/v1/phone/secret", 404, "{\"bearer_id\":%lld}",
                      (long long)w->fob_b), "phone-unknown"), "another's key has no secret for me");
    json_decref(req(&PLAN_A, NULL, "POST", "/api/v1/rights", 201,
                    "{\"staff_id\":%lld,\"recipient_id\":%lld,\"kind\":\"standing\","
                    "\"valid_from\":\"2026-03-01\",\"windows\":[{\"days\":[1,2,3,4,5,6,7],"
                    "\"from\":\"00:00\",\"to\":\"24:00\"}]}",
                    (long long)w->staff_a, (long long)w->rec));
    json_t *y = phone_sync(p.bearer, p.sk, 200);
    int inside;
    CHECK(entries_at(y, w->apt, PV_ENTRY_F_APARTMENT, 0, INT64_MAX, &inside) == 1 &&
              entries_at(y, w->apt, PV_ENTRY_F_ALARM, 0, INT64_MAX, &inside) == 0,
          "the phone syncs directly and holds its apartment right, not flagged alarm");
    json_decref(y);
    snprintf(path, sizeof path, "/api/v1/bearers/%lld/report-lost", (long long)p.bearer);
    json_decref(req(&PLAN_A, NULL, "POST", path, 200, "{}"));
    CHECK(is_type(req(NULL, session_hdr(&p), "POST", "/api/v1/phone/secret", 403, "{\"bearer_id\":%lld}",
                      (long long)p.bearer), "bearer-blocked"),
          "a blocked phone gets no secret: its PIN vault stays shut");
    CHECK(is_type(phone_sync(p.bearer, p.sk, 403), "bearer-blocked"), "and no credential");
}

/* The responder is provider B's night fob, with no right of its own at the recipient. */
static void t_alarm(world *w, const uint8_t fob_sk[64])
{
    int inside;
    json_t *y = phone_sync(w->fob_b, fob_sk, 200);
    CHECK(entries_at(y, w->apt, 0, 0, INT64_MAX, &inside) == 0, "no right before the alarm");
    json_decref(y);
    CHECK(is_type(req(&ADMIN, NULL, "POST", "/api/v1/alarm-grants", 400,
                      "{\"alarm_ref\":\"A-1\",\"recipient_id\":%lld,\"bearer_id\":%lld,\"minutes\":600}",
                      (long long)w->rec, (long long)w->fob_b), "invalid-body"),
          "longer than the cap is refused");
    CHECK(is_type(req(&PLAN_B, NULL, "POST", "/api/v1/alarm-grants", 403,
                      "{\"alarm_ref\":\"A-1\",\"recipient_id\":%lld,\"bearer_id\":%lld}",
                      (long long)w->rec, (long long)w->fob_b), "forbidden"),
          "a planner cannot open an alarm grant");
    int64_t t0 = S.now;
    int64_t g = id_of(req(&ADMIN, NULL, "POST", "/api/v1/alarm-grants", 201,
                          "{\"alarm_ref\":\"TL-2026-0001\",\"recipient_id\":%lld,\"bearer_id\":%lld}",
                          (long long)w->rec, (long long)w->fob_b));
    y = phone_sync(w->fob_b, fob_sk, 200);
    int apt = entries_at(y, w->apt, PV_ENTRY_F_APARTMENT | PV_ENTRY_F_ALARM, t0 - 60, t0 + 7200, &inside);
    CHECK(apt == 1 && inside, "the apartment door, flagged alarm, inside the 2 h box");
    CHECK(entries_at(y, w->door, PV_ENTRY_F_ENTRANCE | PV_ENTRY_F_ALARM, t0 - 60, t0 + 7200, &inside) == 1 &&
              inside && entries_at(y, w->laundry, PV_ENTRY_F_COMMON | PV_ENTRY_F_ALARM, t0 - 60,
                                   t0 + 7200, &inside) == 1,
          "and the building's entrance and common doors, flagged alarm");
    json_decref(y);
    char path[96];
    snprintf(path, sizeof path, "/api/v1/alarm-grants/%lld/end", (long long)g);
    json_t *o = req(&ADMIN, NULL, "POST", path, 200, "{}");
    CHECK(json_is_false(json_object_get(o, "running")), "ended early");
    json_decref(o);
    y = phone_sync(w->fob_b, fob_sk, 200);
    CHECK(entries_at(y, w->apt, 0, 0, INT64_MAX, &inside) == 0, "gone at the next sync after the end");
    json_decref(y);
    json_decref(req(&ADMIN, NULL, "POST", "/api/v1/alarm-grants", 201,
                    "{\"alarm_ref\":\"TL-2026-0002\",\"recipient_id\":%lld,\"bearer_id\":%lld,\"minutes\":30}",
                    (long long)w->rec, (long long)w->fob_b));
    pvt_clock_advance(&S, 31 * 60);
    y = phone_sync(w->fob_b, fob_sk, 200);
    CHECK(entries_at(y, w->apt, 0, 0, INT64_MAX, &inside) == 0, "gone by itself after its time");
    json_decref(y);
    CHECK(pvt_login(&S, &ADMIN) == 0 && pvt_login(&S, &PLAN_A) == 0 && pvt_login(&S, &PLAN_B) == 0,
          "sign in again");
    o = req(&PLAN_B, NULL, "GET", "/api/v1/alarm-grants", 403, NULL);
    json_decref(o);
    o = req(&ADMIN, NULL, "GET", "/api/v1/alarm-grants", 200, NULL);
    CHECK(json_array_size(json_object_get(o, "items")) == 2, "the alarm centre lists both grants");
    json_decref(o);
}

/* The alarm system's token: alarm grants and nothing else. */
static void t_alarm_token(world *w)
{
    json_t *t = req(&ADMIN, NULL, "POST", "/api/v1/alarm-tokens", 201, "{\"name\":\"Larmcentralen\"}");
    struct pvt_client tok = {0};
    snprintf(tok.token, sizeof tok.token, "%s", jstr(t, "secret"));
    CHECK(strcmp(jstr(t, "scope"), "alarm") == 0 && strlen(tok.token) == 68, "an alarm token");
    json_decref(t);
    int64_t g = id_of(req(&tok, NULL, "POST", "/api/v1/alarm-grants", 201,
                          "{\"alarm_ref\":\"TL-2026-0003\",\"recipient_id\":%lld,\"bearer_id\":%lld}",
                          (long long)w->rec, (long long)w->fob_b));
    char path[96];
    snprintf(path, sizeof path, "/api/v1/alarm-grants/%lld", (long long)g);
    json_decref(req(&tok, NULL, "GET", path, 200, NULL));
    snprintf(path, sizeof path, "/api/v1/alarm-grants/%lld/end", (long long)g);
    json_decref(req(&tok, NULL, "POST", path, 200, "{}"));
    const char *refused[][2] = {{"GET", "/api/v1/staff"}, {"GET", "/api/v1/recipients"},
                                {"GET", "/api/v1/access-log"}, {"GET", "/api/v1/tokens"},
                                {"POST", "/api/v1/alarm-tokens"}, {"POST", "/api/v1/rights"}};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        CHECK(is_type(req(&tok, NULL, refused[i][0], refused[i][1], 403,
                          strcmp(refused[i][0], "POST") == 0 ? "{}" : NULL), "token-scope"),
              "the alarm token may not %s %s", refused[i][0], refused[i][1]);
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
    world w = {0};
    setup(&w);
    t_app_login(&w);
    t_enrol_sync_block(&w);
    uint8_t fob_pk[32], fob_sk[64];
    char hex[65];
    crypto_sign_keypair(fob_pk, fob_sk);
    sodium_bin2hex(hex, sizeof hex, fob_pk, 32);
    w.fob_b = id_of(req(&PLAN_B, NULL, "POST", "/api/v1/bearers", 201,
                        "{\"staff_id\":%lld,\"kind\":\"fob\",\"label\":\"N-2\",\"public_key\":\"%s\"}",
                        (long long)w.staff_b, hex));
    t_alarm(&w, fob_sk);
    t_alarm_token(&w);
    int st = pvt_stop(&S);
    CHECK(st == 0, "clean shutdown (%d)", st);
    if (pvt_failures)
        fprintf(stderr, "%d check(s) failed\n", pvt_failures);
    else
        printf("test_phone_http: all checks passed\n");
    return pvt_failures != 0;
}
