/* Test kit for portvakt-server: start the real daemon on a random loopback port with a
 * simulated clock, talk real HTTP with libcurl, sign in with TOTP, make users and providers. */
#ifndef PVT_H
#define PVT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

/* Failure counting for plain-C tests: CHECK never aborts, the test returns pvt_failures. */
extern int pvt_failures;
#define CHECK(cond, ...)                                                                  \
    do {                                                                                  \
        if (!(cond)) {                                                                    \
            pvt_failures++;                                                               \
            fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);               \
            fprintf(stderr, __VA_ARGS__);                                                 \
            fputc('\n', stderr);                                                          \
        }                                                                                 \
    } while (0)

/* The simulated time every test server starts at: 2026-03-02 06:00:00 UTC (a Monday). */
#define PVT_T0 1772431200LL

struct pvt_server {
    pid_t pid;
    unsigned port;
    char exe[512];
    char dir[512];
    char db[640], key[640], portfile[640], log[640];
    char admin_user[64], admin_pw[64];
    int64_t now; /* the server's simulated clock, kept in step by pvt_clock_* */
    char cafile[640]; /* set when started with --tls-cert: requests use https and trust it */
    char source_addr[64]; /* when set, requests leave from this local address (proxy tests) */
};

/* One signed-in (or anonymous) client. */
struct pvt_client {
    char username[64];
    char password[64];
    char cookie[80];  /* __Host-pv_session value */
    char csrf[80];
    char token[80];   /* API token: sent as Authorization: Bearer when set (no cookie) */
    uint8_t totp_secret[32];
    size_t totp_len;
    int64_t user_id;
    int64_t provider_id;
    char role[32];
};

struct pvt_resp {
    long status;
    char *body;
    size_t len;
    json_t *json; /* parsed body, or NULL when not JSON */
    char content_type[128];
    char set_cookie[256]; /* last Set-Cookie header */
    char *headers;        /* all response headers, raw */
};

/*
 * Make `dir` (removed first), run `exe init`, then `exe serve` on 127.0.0.1:0 with
 * --sim-clock and `extra_args` (NULL-terminated list, may be NULL), wait for the port and
 * set the clock to PVT_T0. Returns 0 or -1 (message on stderr).
 */
int pvt_start(struct pvt_server *s, const char *exe, const char *dir, const char *const *extra_args);
/* A second daemon on the first one's database and issuer key (no init): the same store
 * served by several instances, as behind a load balancer. Its own scratch `dir` (port file,
 * log); its clock set to the first one's. Returns 0 or -1. */
int pvt_start_peer(struct pvt_server *peer, const struct pvt_server *first, const char *dir,
                   const char *const *extra_args);
/* Start the daemon again on the same directory and database (after pvt_stop), with the
 * clock where it was. Returns 0 or -1. */
int pvt_restart(struct pvt_server *s, const char *const *extra_args);
/* SIGTERM and wait; returns the daemon's exit status (0 = clean shutdown). */
int pvt_stop(struct pvt_server *s);

/* One request. `c` may be NULL (anonymous). JSON bodies get Content-Type: application/json;
 * with a session, state-changing methods send X-CSRF-Token. Returns 0 when an HTTP answer
 * came (any status), -1 on transport failure. Free with pvt_resp_free(). */
int pvt_req(struct pvt_server *s, struct pvt_client *c, const char *method, const char *path,
            const char *json_body, struct pvt_resp *out);
/* Full control: content type (NULL = none), raw body of `len` bytes, extra header lines
 * (NULL-terminated, "Name: value"), and whether to add the CSRF header automatically. */
int pvt_req_ex(struct pvt_server *s, struct pvt_client *c, const char *method, const char *path,
               const char *content_type, const void *body, size_t len,
               const char *const *headers, bool auto_csrf, struct pvt_resp *out);
/* printf-style JSON body. */
int pvt_reqf(struct pvt_server *s, struct pvt_client *c, const char *method, const char *path,
             struct pvt_resp *out, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
void pvt_resp_free(struct pvt_resp *r);
/* The problem type's last segment ("csrf") of a problem+json response, or "". */
const char *pvt_problem_type(const struct pvt_resp *r);

/* Simulated clock (PUT /api/v1/dev/clock). */
int pvt_clock_set(struct pvt_server *s, int64_t now);
int pvt_clock_advance(struct pvt_server *s, int64_t seconds);

/* Current TOTP code for a secret at the server's simulated time. */
void pvt_totp(const struct pvt_server *s, const uint8_t *secret, size_t len, char code[7]);

/* The TOTP secret of an otpauth:// URI (base32 decoded). Returns 0 or -1. */
int pvt_totp_secret_from_uri(const char *uri, uint8_t *out, size_t cap, size_t *len);

/*
 * Sign in c->username / c->password: login, then enrol (first time; the secret is kept in
 * c) or TOTP. Advances the simulated clock by one 30 s step first so every code is fresh.
 * Fills cookie, csrf, user_id, provider_id and role. Returns 0 or -1.
 */
int pvt_login(struct pvt_server *s, struct pvt_client *c);
/* Sign in as the administrator made by `init`. */
int pvt_login_admin(struct pvt_server *s, struct pvt_client *admin);
/* Create a provider as `admin`; returns its id or -1. */
int64_t pvt_create_provider(struct pvt_server *s, struct pvt_client *admin, const char *name);
/* Create a user as `creator` and sign them in into *out. provider_id 0 = central.
 * Returns 0 or -1. */
int pvt_create_user(struct pvt_server *s, struct pvt_client *creator, const char *username,
                    const char *role, int64_t provider_id, struct pvt_client *out);

/* A phone's sync without a station: challenge, the bearer's signature over it with its
 * Ed25519 secret key sk, then the sync. The answer's JSON (never NULL; caller decrefs) and
 * its HTTP status in *status (-1 when no answer or no challenge came). */
json_t *pvt_sync_phone(struct pvt_server *s, int64_t bearer, const uint8_t sk[64], long *status);

/* Open the server's database read-only (for snapshots and tamper tests). */
struct pvs_db;
int pvt_db_open(struct pvt_server *s, struct pvs_db **db, bool writable);

/* A whole file read into memory (NUL-terminated, malloc'd), or NULL. */
char *pvt_slurp(const char *path, size_t *len);
/* What an attacker copying the database gets: the SQLite file with its write-ahead log, or
 * a pg_dump of the PostgreSQL database (PVS_TEST_BACKEND=postgresql). Malloc'd, or NULL. */
char *pvt_db_copy(struct pvt_server *s, size_t *len);

#endif
