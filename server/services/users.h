/* Admin users: list, read, create, change, password reset and unlock, each change with its
 * audit entry in the same transaction. Disabling a user, changing a role or resetting a
 * password ends the user's sessions at once. Role rules stay with the caller: services get
 * role names already checked. */
#ifndef PVS_SERVICES_USERS_H
#define PVS_SERVICES_USERS_H

#include <stdbool.h>

#include "pvs/audit_record.h"
#include "rows.h"

/* Rows handed out, in this column order:
 *   0 id, 1 username, 2 display_name, 3 role, 4 provider_id (NULL), 5 disabled (0/1),
 *   6 totp enrolled (0/1), 7 locked_until (wall-clock seconds), 8 created_at. */
int pvs_users_list(pvs_db *db, int64_t scope, const struct pvs_range *rg,
                   const struct pvs_rows_out *out) PV_MUST_CHECK;
int pvs_user_get(pvs_db *db, int64_t id, const struct pvs_rows_out *out) PV_MUST_CHECK;
/* The provider (0: central) and role name of user `id`; PVS_DB_NOTFOUND if none. */
int pvs_user_target(pvs_db *db, int64_t id, int64_t *provider, char role[32]) PV_MUST_CHECK;

struct pvs_user_new {
    const char *username, *display_name, *role;
    int64_t provider_id;
    const char *pw_hash; /* of the initial password the caller shows once */
    const char *details; /* audit details (canonical JSON text) */
};
/* PVS_DB_UNIQUE when the username is taken. */
int pvs_user_create(pvs_db *db, const struct pvs_audit_actor *who, const struct pvs_user_new *u,
                    int64_t *id) PV_MUST_CHECK;

struct pvs_user_change {
    const char *display_name; /* NULL: unchanged */
    const char *role;         /* NULL: unchanged */
    int disabled;             /* -1 unchanged, 0 enable, 1 disable */
    const char *details;
};
int pvs_user_update(pvs_db *db, const struct pvs_audit_actor *who, int64_t id, int64_t provider,
                    const struct pvs_user_change *c) PV_MUST_CHECK;
/* New password hash, second factor and sign-in throttle cleared, sessions ended. */
int pvs_user_reset_password(pvs_db *db, const struct pvs_audit_actor *who, int64_t id,
                            int64_t provider, const char *pw_hash) PV_MUST_CHECK;
/* Sign-in throttle and lockout cleared. */
int pvs_user_unlock(pvs_db *db, const struct pvs_audit_actor *who, int64_t id,
                    int64_t provider) PV_MUST_CHECK;

#endif
