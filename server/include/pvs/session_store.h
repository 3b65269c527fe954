/* The stored sessions as services may change them: no cookies, no request (those are the
 * HTTP side's, pvs/core.h). */
#ifndef PVS_SESSION_STORE_H
#define PVS_SESSION_STORE_H

#include <stdint.h>

#include "pvs/store.h"

/* Delete every session of a user (disable, role change, password reset or change, key
 * recovery), inside the caller's write transaction. Returns a pvs_db_rc. */
int pvs_session_kill_user(pvs_db *db, int64_t user_id) PV_MUST_CHECK;

#endif
