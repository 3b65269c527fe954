/* The sync path's credentials (see sync.h): a station's request signature, checked
 * against its registered key, and the single-use challenges a key signs to sync. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "sync.h"

/* The request paths the HTTP layer accepts are at most 1,024 bytes (PVS_MAX_PATH). */
#define MAX_SIGNED_PATH 1024

/* The active station's provider and registered Ed25519 key. */
static bool station_key(pvs_db *db, int64_t id, int64_t *provider, uint8_t pk[32])
{
    pvs_stmt st;
    bool ok = false;
    if (pvs_query(db, &st,
                  "SELECT provider_id, public_key FROM stations WHERE id = ? AND state = 'active'",
                  PVS_ARGS(PVS_I64(id))) != PVS_DB_OK)
        return false;
    if (pvs_next(&st) == PVS_DB_ROW) {
        size_t len = 0;
        const void *k = pvs_col_blob(&st, 1, &len);
        *provider = pvs_col_i64(&st, 0);
        if (k && len == 32) {
            memcpy(pk, k, 32);
            ok = true;
        }
    }
    pvs_finalize(&st);
    return ok;
}

int pvs_station_verify(pvs_db *db, const pvs_station_proof *p, int64_t now,
                       pvs_station_auth *out)
{
    long long t = strtoll(p->date, NULL, 10);
    memset(out, 0, sizeof *out);
    if (t < now - PVS_STATION_SKEW_S || t > now + PVS_STATION_SKEW_S)
        return PVS_STATION_CLOCK;
    uint8_t pk[32] = {0}, h[32];
    int64_t provider = 0;
    bool known = station_key(db, p->station_id, &provider, pk);
    char hex[65];
    crypto_generichash(h, 32, (const uint8_t *)(p->body ? p->body : ""), p->body_len, NULL, 0);
    sodium_bin2hex(hex, sizeof hex, h, 32);
    char msg[MAX_SIGNED_PATH + 200];
    int n = snprintf(msg, sizeof msg, "portvakt-station-v1\n%s\n%s\n%s\n%s", p->method, p->path,
                     p->date, hex);
    if (!known || n < 0 || (size_t)n >= sizeof msg ||
        crypto_sign_verify_detached(p->signature, (const uint8_t *)msg, (size_t)n, pk) != 0)
        return PVS_STATION_UNKNOWN;
    out->id = p->station_id;
    out->provider_id = provider;
    return PVS_STATION_OK;
}

/* The challenge's tag: keyed BLAKE2b over the nonce's first half and the bearer id. */
void pvs_sync_nonce_tag(const uint8_t key[32], const uint8_t nonce[16], uint32_t bearer,
                        uint8_t tag[16])
{
    uint8_t msg[13 + 16 + 4] = "pv-sync-nonce";
    memcpy(msg + 13, nonce, 16);
    for (int i = 0; i < 4; i++)
        msg[29 + i] = (uint8_t)(bearer >> (8 * i));
    crypto_generichash(tag, 16, msg, sizeof msg, key, 32);
}

void pvs_sync_challenge(const uint8_t key[32], uint32_t bearer, int64_t now, uint8_t nonce[32],
                        int64_t *expires_at)
{
    int64_t exp = now + PVS_SYNC_NONCE_TTL_S;
    randombytes_buf(nonce, 8);
    for (int i = 0; i < 8; i++)
        nonce[8 + i] = (uint8_t)((uint64_t)exp >> (8 * i));
    pvs_sync_nonce_tag(key, nonce, bearer, nonce + 16);
    *expires_at = exp;
}

unsigned pvs_sync_shift_seconds(void)
{
    const char *h = getenv("PORTVAKT_SHIFT_HOURS");
    long v = h ? strtol(h, NULL, 10) : 24;
    if (v < 1 || v > (long)(PV_CRED_MAX_LIFETIME_S / 3600))
        v = 24;
    return (unsigned)v * 3600u;
}
