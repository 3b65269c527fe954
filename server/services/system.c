/* Operational reads (see system.h). */
#include "system.h"

int pvs_system_ping(pvs_db *db)
{
    int64_t one = 0;
    int rc = pvs_query_i64(db, "SELECT 1", PVS_NOARGS, &one);
    return rc != PVS_DB_OK ? rc : one == 1 ? PVS_DB_OK : PVS_DB_ERROR;
}

int pvs_issuer_keys_list(pvs_db *db, const struct pvs_rows_out *out)
{
    return pvs_rows_all(db,
                        "SELECT key_id, issuer_id, public_key, created_at, retired_at"
                        " FROM issuer_keys ORDER BY key_id",
                        PVS_NOARGS, out);
}
