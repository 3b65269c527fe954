/* Test and benchmark fixtures for the domain: a migrated SQLite store in a temporary
 * directory and helpers that insert providers, staff, bearers, buildings, locks,
 * recipients, provider periods and rights directly (the HTTP tests go through the API). */
#ifndef PVS_TEST_DOMAIN_FIXTURE_H
#define PVS_TEST_DOMAIN_FIXTURE_H

#include <stdint.h>

#include "pvs/server.h"
#include "pvs/store.h"

typedef struct dfx {
    char dir[256];
    char path[300];
    pvs_db *db;
    struct pvs_issuer issuer;
} dfx;

/* Creates a fresh migrated store and an issuer key; exits the process on failure. */
void dfx_open(dfx *f);
void dfx_close(dfx *f);

int64_t dfx_provider(dfx *f, const char *name);
int64_t dfx_staff(dfx *f, int64_t provider);
/* A bearer with a fresh Ed25519 key pair (sk written to sk_out, 64 bytes, if not NULL). */
int64_t dfx_bearer(dfx *f, int64_t staff, int64_t provider, uint8_t *sk_out);
int64_t dfx_owner(dfx *f);
int64_t dfx_building(dfx *f, int64_t owner);
/* An installed lock with a fresh key pair (sk to sk_out, 64 bytes, if not NULL). */
int64_t dfx_lock(dfx *f, int64_t building, const char *kind, uint8_t *sk_out);
int64_t dfx_recipient(dfx *f, int64_t building, int64_t lock);
/* A provider period [from, until) (until NULL = open). */
void dfx_period(dfx *f, int64_t recipient, int64_t provider, const char *from, const char *until);
/* A right with one weekly window (days mask, minutes). */
int64_t dfx_right(dfx *f, int64_t staff, int64_t recipient, int64_t provider, const char *from,
                  const char *until, uint8_t days, uint16_t from_min, uint16_t to_min);

/* Begin/commit a write transaction or exit. */
void dfx_begin(dfx *f);
void dfx_commit(dfx *f);

#endif
