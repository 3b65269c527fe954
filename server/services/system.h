/* Operational reads: is the database answering, and the issuer's public keys. */
#ifndef PVS_SERVICES_SYSTEM_H
#define PVS_SERVICES_SYSTEM_H

#include "rows.h"

/* PVS_DB_OK when the database answers a trivial query, else the store error. */
int pvs_system_ping(pvs_db *db) PV_MUST_CHECK;
/* Every issuer key in key_id order; rows: 0 key_id, 1 issuer_id, 2 public_key (32 bytes),
 * 3 created_at, 4 retired_at (NULL while in use). */
int pvs_issuer_keys_list(pvs_db *db, const struct pvs_rows_out *out) PV_MUST_CHECK;

#endif
