/* The phone app's half of the double login, server side: a planner makes a staff member's
 * own app login (password + TOTP); the staff member signs in on their phone with both
 * factors, which opens a 15-minute phone session; in it the phone enrols its own public key
 * as a bearer of kind phone for that staff member, and fetches its per-phone secret (the
 * app mixes it into the PIN key, so a copy of the phone's storage cannot be PIN-guessed
 * offline; a blocked phone gets no secret). Refusals are written for the staff member.
 * The SQL, transactions and audit entries: services/phone.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "../services/phone.h"
#include "phone_handlers.h"
#include "pvs/core.h"
#include "util.h"

#define SESSION_HEADER "X-Portvakt-Phone-Session"

static bool username_ok(const char *u)
{
    size_t n = strlen(u);
    if (n < 3 || n > 64)
        return false;
    for (; *u; u++)
        if (!((*u >= 'a' && *u <= 'z') || (*u >= '0' && *u <= '9') || *u == '.' || *u == '-' ||
              *u == '_'))
            return false;
    return true;
}

/* The answer to a planner: the login, shown once, to hand to the staff member in person. */
static json_t *login_json(const char *username, const char *pw, const uint8_t *totp)
{
    char *uri = pvs_totp_uri(username, totp, PVS_PHONE_TOTP_LEN);
    if (!uri)
        return NULL;
    const char *s = strstr(uri, "secret="), *e = s ? strchr(s, '&') : NULL;
    json_t *o = s && e ? json_pack("{s:s, s:s, s:s, s:s%}", "username", username, "password", pw,
                                   "otpauth_uri", uri, "totp_secret", s + 7, (size_t)(e - s - 7))
                       : NULL;
    char *svg = o ? pvs_qr_svg(uri) : NULL; /* the planner's hand-out page shows it */
    if (svg) {
        json_object_set_new(o, "qr_svg", json_string(svg));
        sodium_memzero(svg, strlen(svg));
        free(svg);
    }
    sodium_memzero(uri, strlen(uri));
    free(uri);
    return o;
}

/* POST /staff/{id}/phone-login {"username"}: makes or replaces the staff member's app login. */
void pvp_staff_phone_login(struct pvs_req *r)
{
    static const struct pvs_jfield fields[] = {{"username", PVS_J_STRING, PVS_JF_REQUIRED, 3, 64}};
    int64_t staff, provider = 0;
    if (!pvs_req_id(r, 0, &staff))
        return;
    int rc = pvs_phone_staff_provider(r->db, staff, &provider);
    if (rc != PVS_DB_OK && rc != PVS_DB_NOTFOUND) {
        pvs_problem_db(r, rc, "staff member");
        return;
    }
    if (rc == PVS_DB_NOTFOUND) {
        pvs_problem(r, 404, "not-found", "Not found", "staff member %lld does not exist.",
                    (long long)staff); /* the same answer as another tenant's staff member */
        return;
    }
    if (!pvs_scope_require(r, provider, "staff member", staff))
        return;
    json_t *b = pvs_body_json(r, PVS_JFIELDS(fields));
    if (!b)
        return;
    const char *user = pvs_jstr(b, "username", "");
    if (!username_ok(user)) {
        json_decref(b);
        pvd_invalid(r, "Användarnamnet får bara innehålla små bokstäver a–z, siffror, punkt, "
                              "bindestreck och understreck (3–64 tecken).");
        return;
    }
    char pw[32], hash[128];
    uint8_t totp[PVS_PHONE_TOTP_LEN];
    pvs_password_generate(pw);
    randombytes_buf(totp, sizeof totp);
    rc = pvs_password_hash(pw, hash) != 0 ? PVS_DB_ERROR : PVS_DB_OK;
    struct pvd_change c;
    json_t *d = json_pack("{s:s}", "username", user);
    if (rc != PVS_DB_OK) {
        pvs_problem_db(r, rc, "login");
    } else if (pvd_change_begin(r, &c, d, NULL)) {
        json_t *o = login_json(user, pw, totp); /* made first: nothing is stored without it */
        rc = o ? pvs_phone_login_make(r->db, &c.who, staff, provider, user, hash, totp, pvs_now(),
                                      c.details)
               : PVS_DB_ERROR;
        free(c.details);
        if (rc == PVS_DB_OK)
            pvs_reply_json(r, 201, o);
        else {
            json_decref(o);
            pvs_problem_db(r, rc, "Användarnamnet");
        }
    }
    json_decref(d);
    sodium_memzero(pw, sizeof pw);
    sodium_memzero(hash, sizeof hash);
    sodium_memzero(totp, sizeof totp);
    json_decref(b);
}

static void refuse_login(struct pvs_req *r)
{
    pvs_problem(r, 401, "phone-login-failed", "Inloggningen misslyckades",
                "Fel användarnamn, lösenord eller kod. Kontrollera och försök igen; efter fem "
                "fel får du vänta en kvart.");
}

/* Counts a failure against the address and, when known, the login (own transaction). */
static void login_failed(struct pvs_req *r, int64_t staff, int64_t now)
{
    (void)pvs_phone_login_failure(r->db, r->client_addr, staff, now); /* best effort */
}

/* Whether this address or login is resting after too many failures (problem sent). */
static bool resting(struct pvs_req *r, const pvs_phone_login *l, int64_t now)
{
    int64_t fails = 0;
    int rc = pvs_phone_failures_since(r->db, r->client_addr,
                                      now - (int64_t)r->srv->cfg.addr_window_s, &fails);
    if (rc != PVS_DB_OK) {
        pvs_problem_db(r, rc, "login");
        return true;
    }
    if (fails >= (int64_t)r->srv->cfg.addr_max_failures || (l && l->locked_until > now)) {
        pvs_problem(r, 429, "phone-login-resting", "Vänta en stund",
                    "För många felaktiga försök. Vänta en kvart och försök igen, eller be din "
                    "planerare om hjälp.");
        return true;
    }
    return false;
}

/* Opens a phone session for the staff member and answers with it (201). */
static void open_session(struct pvs_req *r, const pvs_phone_login *l, uint64_t step, int64_t now)
{
    uint8_t raw[32], h[32];
    char value[65];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(value, sizeof value, raw, sizeof raw);
    pvs_token_hash(value, h);
    json_t *o = json_pack("{s:s, s:I, s:s, s:I}", "session", value, "expires_at",
                          (json_int_t)(now + PVS_PHONE_SESSION_S), "display_name",
                          l->display_name, "staff_id", (json_int_t)l->staff_id);
    int rc = o ? pvs_phone_session_open(r->db, l->staff_id, (int64_t)step, h, now) : PVS_DB_ERROR;
    if (rc == PVS_DB_OK)
        pvs_reply_json(r, 201, o);
    else {
        json_decref(o);
        pvs_problem_db(r, rc, "session");
    }
    sodium_memzero(raw, sizeof raw);
    sodium_memzero(value, sizeof value);
}

/* POST /phone/login {"username", "password", "code"}: both factors at once. */
void pvp_login(struct pvs_req *r)
{
    static const struct pvs_jfield fields[] = {
        {"username", PVS_J_STRING, PVS_JF_REQUIRED, 1, 64},
        {"password", PVS_J_STRING, PVS_JF_REQUIRED | PVS_JF_SECRET, 1, 256},
        {"code", PVS_J_STRING, PVS_JF_REQUIRED | PVS_JF_SECRET, 6, 6},
    };
    json_t *b = pvs_body_json(r, PVS_JFIELDS(fields));
    if (!b)
        return;
    int64_t now = pvs_now();
    pvs_phone_login l;
    int rc = pvs_phone_login_load(r->db, pvs_jstr(b, "username", ""), &l);
    const char *pw = pvs_jstr(b, "password", "");
    uint64_t step = 0;
    if (rc != PVS_DB_OK && rc != PVS_DB_NOTFOUND) {
        pvs_problem_db(r, rc, "login");
    } else if (!resting(r, rc == PVS_DB_OK ? &l : NULL, now)) {
        bool ok = rc == PVS_DB_OK && l.staff_active;
        if (rc == PVS_DB_OK)
            ok = pvs_password_verify(l.pw_hash, pw) && ok;
        else
            pvs_password_dummy_verify(pw);
        ok = ok && pvs_totp_check(l.totp, sizeof l.totp, pvs_jstr(b, "code", ""), now, &step) &&
             (int64_t)step > l.totp_last_step;
        if (ok)
            open_session(r, &l, step, now);
        else {
            login_failed(r, rc == PVS_DB_OK ? l.staff_id : 0, now);
            refuse_login(r);
        }
    }
    sodium_memzero(&l, sizeof l);
    json_decref(b);
}

/* The phone session of the request: its staff member and provider; false with a 401 sent. */
static bool phone_session(struct pvs_req *r, int64_t *staff, int64_t *provider)
{
    const char *v = pvs_req_header(r, SESSION_HEADER);
    uint8_t h[32];
    bool wellformed = v && strlen(v) == 64 && strspn(v, "0123456789abcdef") == 64;
    int rc = PVS_DB_NOTFOUND;
    if (wellformed) {
        pvs_token_hash(v, h);
        rc = pvs_phone_session_load(r->db, h, pvs_now(), staff, provider);
    }
    if (rc == PVS_DB_OK)
        return true;
    if (rc != PVS_DB_NOTFOUND)
        pvs_problem_db(r, rc, "session");
    else
        pvs_problem(r, 401, "phone-session-expired", "Logga in igen",
                    "Inloggningen i appen har gått ut. Logga in igen med användarnamn, lösenord "
                    "och kod.");
    return false;
}

/* POST /phone/enrol {"public_key", "label"}: the phone's own key becomes the staff member's
 * phone bearer; the answer carries its number and the per-phone secret (shown once here,
 * and again only through /phone/secret after a fresh app login). */
void pvp_enrol(struct pvs_req *r)
{
    static const struct pvs_jfield fields[] = {
        {"public_key", PVS_J_HEX, PVS_JF_REQUIRED, PV_PK_SIZE, PV_PK_SIZE},
        {"label", PVS_J_STRING, 0, 1, 64},
    };
    int64_t staff, provider, bearer = 0;
    if (!phone_session(r, &staff, &provider))
        return;
    json_t *b = pvs_body_json(r, PVS_JFIELDS(fields));
    if (!b)
        return;
    uint8_t pk[PV_PK_SIZE], secret[PVS_PHONE_SECRET_LEN];
    int rc = pvs_jhex(b, "public_key", pk, sizeof pk) ? PVS_DB_OK : PVS_DB_CONSTRAINT;
    if (rc == PVS_DB_OK) {
        struct pvs_audit_actor who = {0, "phone app", "staff", r->client_addr, r->request_id};
        rc = pvs_phone_enrol_key(r->db, &who, staff, provider, pk, pvs_jstr(b, "label", "Telefon"),
                                 pvs_now(), &bearer, secret);
        json_t *o = rc == PVS_DB_OK ? json_pack("{s:I, s:o}", "bearer_id", (json_int_t)bearer,
                                                "phone_secret", pvs_json_hex(secret, sizeof secret))
                                    : NULL;
        if (rc == PVS_DB_UNIQUE)
            pvs_problem(r, 409, "phone-already-enrolled", "Redan registrerad",
                        "Den här telefonens nyckel är redan registrerad.");
        else if (o)
            pvs_reply_json(r, 201, o);
        else
            pvs_problem_db(r, rc == PVS_DB_OK ? PVS_DB_ERROR : rc, "phone");
    } else {
        pvd_invalid(r, "Telefonens nyckel är felaktig.");
    }
    sodium_memzero(secret, sizeof secret);
    json_decref(b);
}

/* POST /phone/secret {"bearer_id"}: the per-phone secret of the staff member's own,
 * unblocked phone. A lost or retired phone gets none: it cannot open its PIN vault again. */
void pvp_secret(struct pvs_req *r)
{
    static const struct pvs_jfield fields[] = {{"bearer_id", PVS_J_ID, PVS_JF_REQUIRED, 0, 0}};
    int64_t staff, provider;
    if (!phone_session(r, &staff, &provider))
        return;
    json_t *b = pvs_body_json(r, PVS_JFIELDS(fields));
    if (!b)
        return;
    uint8_t secret[PVS_PHONE_SECRET_LEN];
    enum pvs_phone_refusal why;
    int rc = pvs_phone_secret(r->db, staff, pvs_jint(b, "bearer_id", 0), secret, &why);
    if (rc != PVS_DB_OK)
        pvs_problem_db(r, rc, "phone");
    else if (why == PVS_PHONE_BLOCKED)
        pvs_problem(r, 403, "bearer-blocked", "Telefonen är spärrad",
                    "Den här telefonen är spärrad som nyckel. Kontakta din planerare.");
    else if (why != PVS_PHONE_OK)
        pvs_problem(r, 404, "phone-unknown", "Okänd telefon",
                    "Den här telefonen är inte registrerad som din nyckel. Registrera den igen.");
    else
        pvs_reply_json(r, 200, json_pack("{s:o}", "phone_secret", pvs_json_hex(secret, sizeof secret)));
    sodium_memzero(secret, sizeof secret);
    json_decref(b);
}

/* POST /phone/changes {"bearer_id"}: the bearer's change token, polled by the open app
 * (about once a second) so a new right, block list or alarm grant reaches it without a
 * manual sync: when the token changes, the app syncs. A blocked key is refused here too. */
void pvp_changes(struct pvs_req *r)
{
    static const struct pvs_jfield fields[] = {{"bearer_id", PVS_J_ID, PVS_JF_REQUIRED, 0, 0}};
    json_t *b = pvs_body_json(r, PVS_JFIELDS(fields));
    if (!b)
        return;
    char token[96];
    enum pvs_phone_refusal why;
    int rc = pvs_phone_change_token(r->db, pvs_jint(b, "bearer_id", 0), token, sizeof token, &why);
    if (rc != PVS_DB_OK)
        pvs_problem_db(r, rc, "key");
    else if (why == PVS_PHONE_BLOCKED)
        pvs_problem(r, 403, "bearer-blocked", "Nyckeln är spärrad",
                    "Den här nyckeln är spärrad. Kontakta din planerare.");
    else if (why != PVS_PHONE_OK)
        pvs_problem(r, 404, "phone-unknown", "Okänd nyckel", "Nyckeln är inte registrerad.");
    else
        pvs_reply_json(r, 200, json_pack("{s:s}", "token", token));
    json_decref(b);
}
