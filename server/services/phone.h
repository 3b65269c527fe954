/* The phone as a key, server side: a staff member's own login for the phone app
 * (password + TOTP, made by their planner), the short phone session that login opens,
 * enrolment of the phone's own public key as a bearer of kind phone for that staff member,
 * and the per-phone server secret the app mixes into its PIN key. The functions at the end
 * (the handler's use cases) own their transaction and audit entry; the ones above them run
 * inside the caller's. */
#ifndef PVS_SERVICES_PHONE_H
#define PVS_SERVICES_PHONE_H

#include <stdbool.h>
#include <stdint.h>

#include "portvakt/proto.h"
#include "pvs/audit_record.h"
#include "pvs/store.h"

#define PVS_PHONE_SECRET_LEN 32u    /* per-phone server secret */
#define PVS_PHONE_TOTP_LEN 20u      /* 160-bit TOTP secret, as the admins' */
#define PVS_PHONE_SESSION_S 900     /* the app login is good for 15 min: enrol, fetch secret */
#define PVS_PHONE_MAX_FAILS 5       /* wrong passwords or codes before the login rests */
#define PVS_PHONE_LOCK_S 900        /* ... for 15 minutes */

/* One staff login as stored. */
typedef struct pvs_phone_login {
    int64_t staff_id;
    int64_t provider_id;
    char pw_hash[128];
    uint8_t totp[PVS_PHONE_TOTP_LEN];
    int64_t totp_last_step;
    int64_t failed;
    int64_t locked_until;
    bool staff_active;
    char display_name[128];
} pvs_phone_login;

/* Creates or replaces the staff member's login (a replaced one ends its sessions).
 * Needs a write transaction. PVS_DB_UNIQUE when another staff member has the username. */
int pvs_phone_login_set(pvs_db *db, int64_t staff_id, int64_t provider_id, const char *username,
                        const char *pw_hash, const uint8_t totp[PVS_PHONE_TOTP_LEN],
                        int64_t now) PV_MUST_CHECK;
/* Loads by username: PVS_DB_OK, PVS_DB_NOTFOUND or a store error. */
int pvs_phone_login_load(pvs_db *db, const char *username, pvs_phone_login *out) PV_MUST_CHECK;
/* Records a failed try (rests the login for PVS_PHONE_LOCK_S after PVS_PHONE_MAX_FAILS). */
int pvs_phone_login_failed(pvs_db *db, int64_t staff_id, int64_t now) PV_MUST_CHECK;
/* Records a successful login: clears the failures, burns the TOTP step. */
int pvs_phone_login_ok(pvs_db *db, int64_t staff_id, int64_t step) PV_MUST_CHECK;

/* Stores a session (hash of its value) for the staff member until `expires`. */
int pvs_phone_session_create(pvs_db *db, int64_t staff_id, const uint8_t hash[32], int64_t now,
                             int64_t expires) PV_MUST_CHECK;
/* The live session's staff member and provider: PVS_DB_NOTFOUND when unknown, expired, or
 * the staff member is no longer active. */
int pvs_phone_session_load(pvs_db *db, const uint8_t hash[32], int64_t now, int64_t *staff_id,
                           int64_t *provider_id) PV_MUST_CHECK;

/* Registers `pk` as an active phone bearer of the staff member with a fresh server secret
 * (written to `secret`). Needs a write transaction. PVS_DB_UNIQUE when the key is already
 * registered. */
int pvs_phone_enrol(pvs_db *db, int64_t staff_id, int64_t provider_id, const uint8_t pk[PV_PK_SIZE],
                    const char *label, int64_t now, int64_t *bearer_id,
                    uint8_t secret[PVS_PHONE_SECRET_LEN]) PV_MUST_CHECK;

/* Why a phone's secret is not released. */
enum pvs_phone_refusal { PVS_PHONE_OK = 0, PVS_PHONE_NOT_YOURS, PVS_PHONE_BLOCKED };
/* The secret of the staff member's own phone bearer; *why says why not (a bearer of another
 * staff member or not a phone: NOT_YOURS; reported lost or retired: BLOCKED). */
int pvs_phone_secret(pvs_db *db, int64_t staff_id, int64_t bearer_id,
                     uint8_t secret[PVS_PHONE_SECRET_LEN], enum pvs_phone_refusal *why) PV_MUST_CHECK;

/* The bearer's change token: it changes whenever what the bearer's next sync would carry
 * may have changed — any right or provider period (the rights generation), a new revocation
 * list, an alarm grant of this bearer opened or ended. "" with *why BLOCKED for a lost or
 * retired bearer, NOT_YOURS for an unknown one. out holds at least 96 bytes. */
int pvs_phone_change_token(pvs_db *db, int64_t bearer_id, char *out, size_t cap,
                           enum pvs_phone_refusal *why) PV_MUST_CHECK;

/* ---- use cases, each in its own transaction ---- */

/* The provider of staff member `staff`: PVS_DB_OK, PVS_DB_NOTFOUND or the store error. */
int pvs_phone_staff_provider(pvs_db *db, int64_t staff, int64_t *provider) PV_MUST_CHECK;
/* pvs_phone_login_set, recorded "staff.phone_login" for `provider` (details: canonical
 * audit text). PVS_DB_UNIQUE when another staff member has the username. */
int pvs_phone_login_make(pvs_db *db, const struct pvs_audit_actor *who, int64_t staff,
                         int64_t provider, const char *username, const char *pw_hash,
                         const uint8_t totp[PVS_PHONE_TOTP_LEN], int64_t now,
                         const char *details) PV_MUST_CHECK;
/* A failed app login counted against the address and, when known (staff != 0), the login.
 * Best effort: a store error is returned but changes nothing. */
int pvs_phone_login_failure(pvs_db *db, const char *client_addr, int64_t staff, int64_t now);
/* Failed logins (app and browser) from `client_addr` after `since`. */
int pvs_phone_failures_since(pvs_db *db, const char *client_addr, int64_t since,
                             int64_t *n) PV_MUST_CHECK;
/* A successful app login: the TOTP step burnt, failures cleared, a session (hash of its
 * value) until now + PVS_PHONE_SESSION_S. */
int pvs_phone_session_open(pvs_db *db, int64_t staff, int64_t step, const uint8_t hash[32],
                           int64_t now) PV_MUST_CHECK;
/* pvs_phone_enrol, recorded "bearer.enrol_phone" by `who` for `provider`. PVS_DB_UNIQUE
 * (nothing written) when the key is already registered. */
int pvs_phone_enrol_key(pvs_db *db, const struct pvs_audit_actor *who, int64_t staff,
                        int64_t provider, const uint8_t pk[PV_PK_SIZE], const char *label,
                        int64_t now, int64_t *bearer_id,
                        uint8_t secret[PVS_PHONE_SECRET_LEN]) PV_MUST_CHECK;

#endif
