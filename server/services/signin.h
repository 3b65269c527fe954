/* The end every way of signing in shares (WebAuthn, single sign-on; password sign-in too
 * once it is split): may the user sign in now, the failure counters reset, the session the
 * browser presented ended, a full session opened, all in the caller's write transaction.
 * The session's cookie and CSRF token belong to HTTP: the caller opens it through
 * `struct pvs_session_opener`. */
#ifndef PVS_SERVICES_SIGNIN_H
#define PVS_SERVICES_SIGNIN_H

#include <stdint.h>

#include "pvs/store.h"

/* Opens a full session for `user_id` inside the open write transaction (the HTTP side sets
 * its cookie). Returns a pvs_db_rc. */
struct pvs_session_opener {
    int (*open)(void *ctx, int64_t user_id);
    void *ctx;
};

/* PVS_DB_OK when user `uid` may sign in at `now` (exists, not disabled, its provider
 * active, not locked out); PVS_DB_NOTFOUND when not; else the store error. */
int pvs_signin_allowed(pvs_db *db, int64_t uid, int64_t now) PV_MUST_CHECK;

/* Inside the open write transaction: ends the session whose id hashes to `drop_hash` (NULL:
 * none), resets the user's failure counters, opens the session and commits; on any failure
 * rolls back. Returns the final code. */
int pvs_signin_commit(pvs_db *db, int64_t uid, const uint8_t *drop_hash,
                      const struct pvs_session_opener *s) PV_MUST_CHECK;

#endif
