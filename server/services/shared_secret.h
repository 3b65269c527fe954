/* Secrets every server instance on one database must share (services/shared_secret.c). */
#ifndef PVS_SHARED_SECRET_H
#define PVS_SHARED_SECRET_H

#include <stdint.h>

#include "pvs/store.h"

/* The 32-byte secret stored under `name` in server_secrets, made from the system's random
 * source by whichever instance asks first (the others read that one). Several
 * portvakt-server processes behind a load balancer thus verify each other's sync
 * challenges. Returns PVS_DB_OK, or a store error with out wiped. */
int pvs_shared_secret(pvs_db *db, const char *name, uint8_t out[32]) PV_MUST_CHECK;

#endif
