/* Secrets every server instance on one database must share (services/shared_secret.c). */
#ifndef PVS_SHARED_SECRET_H
#define PVS_SHARED_SECRET_H

#include <stdint.h>

#include "pvs/store.h"

/* The 32-byte secret kept under `name` in server_secrets, sealed under the vault key (which
 * every instance on one database shares, like the issuer key): made from the system's
 * random source by whichever instance asks first, read by the others, and made anew when
 * the stored one no longer opens (the vault key it was sealed under is gone). Several
 * portvakt-server processes behind a load balancer thus verify each other's sync
 * challenges. Needs a loaded vault. Returns PVS_DB_OK, or a store error with out wiped. */
int pvs_shared_secret(pvs_db *db, const char *name, uint8_t out[32]) PV_MUST_CHECK;

#endif
