/* The stored sessions as services change them (see pvs/session_store.h). */
#include "pvs/session_store.h"

int pvs_session_kill_user(pvs_db *db, int64_t user_id)
{
    int64_t rc = pvs_exec(db, "DELETE FROM sessions WHERE user_id = ?", PVS_ARGS(PVS_I64(user_id)));
    return rc < 0 ? (int)rc : PVS_DB_OK;
}
