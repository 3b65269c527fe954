/* Sign-in security over real HTTP: TOTP enrolment and single-use codes, session rotation
 * (no fixation), CSRF, growing delays and lockout, per-address throttling, idle expiry,
 * and that disabling a user ends its session at once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvt.h"

static long post_login(struct pvt_server *s, struct pvt_client *c, const char *pw, struct pvt_resp *r)
{
    if (pvt_reqf(s, c, "POST", "/api/v1/auth/login", r, "{\"username\":\"%s\",\"password\":\"%s\"}",
                 c->username, pw) != 0)
        return -1;
    return r->status;
}

static long get_me(struct pvt_server *s, struct pvt_client *c)
{
    struct pvt_resp r;
    long st = pvt_req(s, c, "GET", "/api/v1/me", NULL, &r) == 0 ? r.status : -1;
    pvt_resp_free(&r);
    return st;
}

/* Rotation: the pre-auth cookie differs from the full one and dies at the second step; a
 * cookie planted before sign-in never becomes a session. */
static void t_fixation(struct pvt_server *s, struct pvt_client *admin)
{
    struct pvt_client c = *admin, planted;
    struct pvt_resp r;
    snprintf(c.cookie, sizeof c.cookie, "%064d", 7); /* attacker-chosen value */
    planted = c;
    CHECK(post_login(s, &c, admin->password, &r) == 200, "login: %s", r.body);
    pvt_resp_free(&r);
    CHECK(strcmp(c.cookie, planted.cookie) != 0, "login sets a fresh session id");
    struct pvt_client preauth = c;
    CHECK(get_me(s, &preauth) == 401, "a pre-auth session is not signed in");
    char code[7];
    pvt_clock_advance(s, 30);
    pvt_totp(s, c.totp_secret, c.totp_len, code);
    CHECK(pvt_reqf(s, &c, "POST", "/api/v1/auth/totp", &r, "{\"code\":\"%s\"}", code) == 0 &&
              r.status == 200, "totp: %ld %s", r.status, r.body);
    snprintf(c.csrf, sizeof c.csrf, "%s", json_string_value(json_object_get(r.json, "csrf_token")));
    pvt_resp_free(&r);
    CHECK(strcmp(c.cookie, preauth.cookie) != 0, "TOTP step rotates the session id again");
    CHECK(get_me(s, &c) == 200, "new session works");
    CHECK(get_me(s, &preauth) == 401, "the pre-auth cookie is dead after the second step");
    CHECK(get_me(s, &planted) == 401, "a planted cookie never becomes a session");
    CHECK(pvt_req(s, &c, "POST", "/api/v1/auth/logout", NULL, &r) == 0 && r.status == 204, "logout");
    pvt_resp_free(&r);
    CHECK(get_me(s, &c) == 401, "logged-out session is dead");
}

static void t_totp_reuse(struct pvt_server *s, struct pvt_client *admin)
{
    struct pvt_client c = *admin;
    struct pvt_resp r;
    char code[7];
    c.cookie[0] = '\0'; /* a browser of its own: signing in replaces the session it brings */
    pvt_clock_advance(s, 30);
    pvt_totp(s, c.totp_secret, c.totp_len, code);
    CHECK(post_login(s, &c, admin->password, &r) == 200, "login 1");
    pvt_resp_free(&r);
    CHECK(pvt_reqf(s, &c, "POST", "/api/v1/auth/totp", &r, "{\"code\":\"%s\"}", code) == 0 &&
              r.status == 200, "first use of a code: %ld %s", r.status, r.body);
    pvt_resp_free(&r);
    struct pvt_client again = *admin;
    again.cookie[0] = '\0';
    CHECK(post_login(s, &again, admin->password, &r) == 200, "login 2");
    pvt_resp_free(&r);
    CHECK(pvt_reqf(s, &again, "POST", "/api/v1/auth/totp", &r, "{\"code\":\"%s\"}", code) == 0 &&
              r.status == 401 && strcmp(pvt_problem_type(&r), "totp-reused") == 0,
          "the same code is refused the second time: %ld %s", r.status, r.body);
    pvt_resp_free(&r);
    /* an older code (previous step, still inside the +-1 window) is refused too */
    pvt_clock_advance(s, 30);
    CHECK(pvt_reqf(s, &again, "POST", "/api/v1/auth/totp", &r, "{\"code\":\"%s\"}", code) == 0 &&
              r.status == 401, "an older step is refused: %ld", r.status);
    pvt_resp_free(&r);
    CHECK(pvt_reqf(s, &again, "POST", "/api/v1/auth/totp", &r, "{\"code\":\"12345x\"}") == 0 &&
              r.status == 401 && strcmp(pvt_problem_type(&r), "invalid-totp") == 0,
          "garbage code: %ld %s", r.status, r.body);
    pvt_resp_free(&r);
    pvt_totp(s, c.totp_secret, c.totp_len, code);
    CHECK(pvt_reqf(s, &again, "POST", "/api/v1/auth/totp", &r, "{\"code\":\"%s\"}", code) == 0 &&
              r.status == 200, "the next step's code works: %ld %s", r.status, r.body);
    pvt_resp_free(&r);
}

static void t_csrf(struct pvt_server *s, struct pvt_client *admin)
{
    struct pvt_resp r;
    const char *body = "{\"name\":\"Csrf Omsorg\"}";
    CHECK(pvt_req_ex(s, admin, "POST", "/api/v1/providers", "application/json", body, strlen(body),
                     NULL, false, &r) == 0 && r.status == 403 && strcmp(pvt_problem_type(&r), "csrf") == 0,
          "missing CSRF header -> 403: %ld %s", r.status, r.body);
    pvt_resp_free(&r);
    char bad[120];
    snprintf(bad, sizeof bad, "X-CSRF-Token: %.63s0", admin->csrf);
    if (admin->csrf[63] == '0')
        bad[strlen(bad) - 1] = '1';
    const char *hdr[] = {bad, NULL};
    CHECK(pvt_req_ex(s, admin, "POST", "/api/v1/providers", "application/json", body, strlen(body),
                     hdr, false, &r) == 0 && r.status == 403, "wrong CSRF token -> 403: %ld", r.status);
    pvt_resp_free(&r);
    const char *short_hdr[] = {"X-CSRF-Token: ab", NULL};
    CHECK(pvt_req_ex(s, admin, "POST", "/api/v1/providers", "application/json", body, strlen(body),
                     short_hdr, false, &r) == 0 && r.status == 403, "short CSRF token -> 403");
    pvt_resp_free(&r);
    int64_t n = -1;
    CHECK(pvt_req(s, admin, "GET", "/api/v1/providers", NULL, &r) == 0 && r.status == 200, "list");
    n = (int64_t)json_array_size(json_object_get(r.json, "items"));
    pvt_resp_free(&r);
    CHECK(n == 0, "refused requests wrote nothing (%lld providers)", (long long)n);
    CHECK(pvt_req(s, admin, "POST", "/api/v1/providers", body, &r) == 0 && r.status == 201,
          "right CSRF token -> 201: %ld %s", r.status, r.body);
    pvt_resp_free(&r);
}

static void t_lockout(struct pvt_server *s, struct pvt_client *admin)
{
    struct pvt_client u;
    struct pvt_resp r;
    CHECK(pvt_create_user(s, admin, "guessme", "installer", 0, &u) == 0, "user");
    int failures = 0;
    for (int i = 0; i < 10; i++) {
        long st = post_login(s, &u, "wrong-password", &r);
        pvt_resp_free(&r);
        CHECK(st == 401, "bad password %d -> 401 (%ld)", i, st);
        failures++;
        if (i == 3) { /* a delay is now in force: an immediate retry is refused unchecked */
            CHECK(post_login(s, &u, u.password, &r) == 429 &&
                      strcmp(pvt_problem_type(&r), "login-throttled") == 0 &&
                      strstr(r.headers, "Retry-After:") != NULL,
                  "growing delay after %d failures: %ld %s", failures, r.status, r.body);
            pvt_resp_free(&r);
        }
        pvt_clock_advance(s, 301); /* wait out the (capped) delay */
    }
    CHECK(pvt_login(s, admin) == 0, "admin signs in again after the long wait");
    CHECK(post_login(s, &u, u.password, &r) == 429 && strcmp(pvt_problem_type(&r), "account-locked") == 0,
          "locked after 10 failures even with the right password: %ld %s", r.status, r.body);
    pvt_resp_free(&r);
    char path[64];
    snprintf(path, sizeof path, "/api/v1/users/%lld/unlock", (long long)u.user_id);
    CHECK(pvt_req(s, admin, "POST", path, NULL, &r) == 0 && r.status == 200, "unlock: %ld %s",
          r.status, r.body);
    pvt_resp_free(&r);
    CHECK(pvt_login(s, &u) == 0, "signs in after an administrator's unlock");
}

static void t_disable_and_idle(struct pvt_server *s, struct pvt_client *admin)
{
    struct pvt_client u;
    struct pvt_resp r;
    CHECK(pvt_create_user(s, admin, "leaver", "installer", 0, &u) == 0, "user");
    CHECK(get_me(s, &u) == 200, "signed in");
    char path[64];
    snprintf(path, sizeof path, "/api/v1/users/%lld", (long long)u.user_id);
    CHECK(pvt_req(s, admin, "PATCH", path, "{\"disabled\":true}", &r) == 0 && r.status == 200,
          "disable: %ld %s", r.status, r.body);
    pvt_resp_free(&r);
    CHECK(get_me(s, &u) == 401, "a disabled user's session dies at once");
    CHECK(pvt_login(s, &u) != 0, "a disabled user cannot sign in");
    CHECK(pvt_req(s, admin, "PATCH", path, "{\"disabled\":false}", &r) == 0 && r.status == 200, "enable");
    pvt_resp_free(&r);
    CHECK(pvt_login(s, &u) == 0, "enabled again");
    pvt_clock_advance(s, 31 * 60);
    CHECK(pvt_req(s, &u, "GET", "/api/v1/me", NULL, &r) == 0 && r.status == 401 &&
              strcmp(pvt_problem_type(&r), "session-expired") == 0,
          "idle session expires: %ld %s", r.status, r.body);
    pvt_resp_free(&r);
}

/* A session kept busy still ends at the absolute limit (12 h by default). */
static void t_absolute_expiry(struct pvt_server *s, struct pvt_client *admin)
{
    struct pvt_client u;
    CHECK(pvt_create_user(s, admin, "long-day", "installer", 0, &u) == 0, "user");
    int alive = 0;
    for (int i = 0; i < 40; i++) { /* 40 x 20 min = 13 h 20 min of steady use */
        pvt_clock_advance(s, 20 * 60);
        if (get_me(s, &u) != 200)
            break;
        alive++;
    }
    CHECK(alive >= 34 && alive < 37, "busy session ends after 12 h (lived %d x 20 min)", alive);
}

static void t_change_password(struct pvt_server *s, struct pvt_client *admin)
{
    struct pvt_client u, other;
    struct pvt_resp r;
    CHECK(pvt_create_user(s, admin, "changer", "installer", 0, &u) == 0, "user");
    other = u;
    other.cookie[0] = '\0';
    CHECK(pvt_login(s, &other) == 0, "a second session of the same user");
    CHECK(pvt_reqf(s, &u, "POST", "/api/v1/me/password", &r,
                   "{\"current_password\":\"wrong\",\"new_password\":\"a long new passphrase\"}") == 0 &&
              r.status == 401, "the current password is required: %ld", r.status);
    pvt_resp_free(&r);
    CHECK(pvt_reqf(s, &u, "POST", "/api/v1/me/password", &r,
                   "{\"current_password\":\"%s\",\"new_password\":\"short\"}", u.password) == 0 &&
              r.status == 400 && strcmp(pvt_problem_type(&r), "weak-password") == 0,
          "too short: %ld %s", r.status, r.body);
    pvt_resp_free(&r);
    CHECK(pvt_reqf(s, &u, "POST", "/api/v1/me/password", &r,
                   "{\"current_password\":\"%s\",\"new_password\":\"a long new passphrase\"}",
                   u.password) == 0 && r.status == 204, "changed: %ld %s", r.status, r.body);
    pvt_resp_free(&r);
    CHECK(get_me(s, &u) == 200, "this session stays");
    CHECK(get_me(s, &other) == 401, "the user's other sessions end");
    CHECK(pvt_login(s, &other) != 0, "the old password is gone");
    snprintf(other.password, sizeof other.password, "a long new passphrase");
    CHECK(pvt_login(s, &other) == 0, "the new one works");
}

/* A second server with a small per-address budget. */
/* An unknown name is delayed and locked exactly like a real account (t_lockout), so the
 * answers do not tell which usernames exist: before, a real user's 4th wrong password got
 * 429 and an unknown name 401 for ever. */
static void t_unknown_like_known(struct pvt_server *s, struct pvt_client *admin)
{
    struct pvt_client u = {0};
    struct pvt_resp r;
    snprintf(u.username, sizeof u.username, "nosuchuser");
    for (int i = 0; i < 10; i++) {
        long st = post_login(s, &u, "wrong-password", &r);
        pvt_resp_free(&r);
        CHECK(st == 401, "unknown name, attempt %d -> 401 (%ld)", i, st);
        if (i == 3) {
            CHECK(post_login(s, &u, "another-guess", &r) == 429 &&
                      strcmp(pvt_problem_type(&r), "login-throttled") == 0 &&
                      strstr(r.headers, "Retry-After:") != NULL,
                  "unknown name delayed like an account: %ld %s", r.status, r.body);
            pvt_resp_free(&r);
        }
        pvt_clock_advance(s, 301);
    }
    CHECK(post_login(s, &u, "wrong-password", &r) == 429 &&
              strcmp(pvt_problem_type(&r), "account-locked") == 0,
          "unknown name 'locked' like an account after 10: %ld %s", r.status, r.body);
    pvt_resp_free(&r);
    CHECK(pvt_login(s, admin) == 0, "admin signs in again after the long wait");
}

static void t_address_throttle(const char *exe, const char *dir)
{
    struct pvt_server s;
    const char *extra[] = {"--addr-max-failures", "5", NULL};
    if (pvt_start(&s, exe, dir, extra) != 0) {
        CHECK(0, "second server");
        return;
    }
    struct pvt_client c = {0};
    struct pvt_resp r;
    for (int i = 0; i < 5; i++) {
        snprintf(c.username, sizeof c.username, "nobody%d", i); /* different users, one address */
        CHECK(post_login(&s, &c, "x", &r) == 401, "unknown user %d", i);
        pvt_resp_free(&r);
    }
    struct pvt_client admin = {0};
    snprintf(admin.username, sizeof admin.username, "%s", s.admin_user);
    CHECK(post_login(&s, &admin, s.admin_pw, &r) == 429 && strcmp(pvt_problem_type(&r), "login-throttled") == 0,
          "address throttled across usernames: %ld %s", r.status, r.body);
    pvt_resp_free(&r);
    pvt_clock_advance(&s, 16 * 60);
    snprintf(admin.password, sizeof admin.password, "%s", s.admin_pw);
    CHECK(pvt_login(&s, &admin) == 0, "the window passes");
    CHECK(pvt_stop(&s) == 0, "stop");
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    struct pvt_server s;
    if (pvt_start(&s, argv[1], argv[2], NULL) != 0)
        return 1;
    struct pvt_client admin;
    CHECK(pvt_login_admin(&s, &admin) == 0, "admin enrols and signs in");
    t_fixation(&s, &admin);
    t_totp_reuse(&s, &admin);
    t_csrf(&s, &admin);
    t_lockout(&s, &admin);
    t_unknown_like_known(&s, &admin);
    t_disable_and_idle(&s, &admin);
    CHECK(pvt_login(&s, &admin) == 0, "admin again after the idle test");
    t_change_password(&s, &admin);
    t_absolute_expiry(&s, &admin);
    CHECK(pvt_stop(&s) == 0, "stop");
    char dir2[600];
    snprintf(dir2, sizeof dir2, "%s-addr", argv[2]);
    t_address_throttle(argv[1], dir2);
    printf("test_login: %d failure(s)\n", pvt_failures);
    return pvt_failures ? 1 : 0;
}
