/* Declarations shared between the server core's own files (HTTP glue, authentication,
 * static files, CLI). Domain modules use http.h, authz.h, audit.h and store.h instead. */
#ifndef PVS_CORE_H
#define PVS_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pvs/http.h"
#include "pvs/server.h"
#include "pvs/session_store.h"

#define PVS_SESSION_COOKIE "__Host-pv_session"

/* Start/stop the libmicrohttpd daemon for s (s->cfg, s->store ready). */
int pvs_http_start(struct pvs_server *s) PV_MUST_CHECK;
void pvs_http_stop(struct pvs_server *s);

/* Serve a GET/HEAD for a path outside /api from s->web_root_real. */
void pvs_static_serve(struct pvs_req *r);

/*
 * Authenticate the request for a route that needs `need` (PVS_AUTH_USER or
 * PVS_AUTH_PREAUTH) from the session cookie or an Authorization: Bearer token. Fills
 * r->who. On failure sends a 401 problem and returns false.
 */
bool pvs_auth_request(struct pvs_req *r, enum pvs_route_auth need) PV_MUST_CHECK;

/* Sessions (server/authz/session.c). */
enum pvs_session_stage { PVS_STAGE_TOTP, PVS_STAGE_ENROLL, PVS_STAGE_FULL };
/* Create a session inside the caller's write transaction, set its cookie on the response
 * and fill r->who.csrf. Returns a pvs_db_rc. */
int pvs_session_create(struct pvs_req *r, int64_t user_id, enum pvs_session_stage stage)
    PV_MUST_CHECK;
/* Delete the session that authenticated r (if any). */
int pvs_session_delete_current(struct pvs_req *r) PV_MUST_CHECK;
/* Delete every session of a user: pvs_session_kill_user() in pvs/session_store.h. */
/* Expire the browser cookie. */
void pvs_session_clear_cookie(struct pvs_req *r);

/* Passwords and TOTP (server/authz/password.c, totp.c). */
#define PVS_TOTP_SECRET_LEN 20 /* 160 bits, RFC 4226's recommendation */
int pvs_password_hash(const char *pw, char out[128]) PV_MUST_CHECK;
bool pvs_password_verify(const char *hash, const char *pw);
/* Burn the same time as a real verify (unknown usernames). */
void pvs_password_dummy_verify(const char *pw);
/* Sign-in throttle state of a username that does not exist (authz/ghosts.c): zeros when
 * untracked. The login handler throttles and locks unknown names with it exactly as it does
 * accounts, so a 429 does not reveal that a name exists. */
void pvs_ghost_get(const char *username, int64_t *failed, int64_t *next_at, int64_t *locked_until);
void pvs_ghost_put(const char *username, int64_t failed, int64_t next_at, int64_t locked_until,
                   int64_t now);
/* A readable random password (24 chars base32-ish) for new users. */
void pvs_password_generate(char out[32]);
/* Validate a 6-digit code at `now` within +-1 step; on success *step is the matched time
 * step (the caller refuses steps <= the last one used). */
bool pvs_totp_check(const uint8_t *secret, size_t len, const char *code, int64_t now,
                    uint64_t *step);
/* otpauth://totp/Portvakt:<user>?secret=...&issuer=Portvakt&... ; caller frees. */
char *pvs_totp_uri(const char *username, const uint8_t *secret, size_t len);
/* QR code of text as a standalone SVG document; caller frees. */
char *pvs_qr_svg(const char *text);

/* BLAKE2b-256 of a token string (sessions and API tokens are stored only hashed). */
void pvs_token_hash(const char *token, uint8_t out[32]);

#endif
