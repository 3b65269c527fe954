/* The issuer-signed time beacon that keys carry to locks to correct their clocks. */
#include <sodium.h>

#include "portvakt/proto.h"

#include "codec.h"

#define PV_BEACON_BODY_SIZE 16u

/* version | type | reserved u16 | issuer_id u32 | time u64 | signature */
int pv_beacon_sign(const pv_beacon *b, const uint8_t issuer_sk[PV_SIGN_SK_SIZE],
                   uint8_t out[PV_BEACON_SIZE])
{
    out[0] = PV_PROTO_VERSION;
    out[1] = PV_T_BEACON;
    pv_store16_le(out + 2, 0);
    pv_store32_le(out + 4, b->issuer_id);
    pv_store64_le(out + 8, b->time);
    if (crypto_sign_detached(out + PV_BEACON_BODY_SIZE, NULL, out, PV_BEACON_BODY_SIZE,
                             issuer_sk) != 0)
        return PV_E_CRYPTO;
    return PV_OK;
}

int pv_beacon_decode(const uint8_t *in, size_t len, pv_beacon *b)
{
    int rc = pv_check_vt(in, len, PV_T_BEACON);
    if (rc == PV_OK)
        rc = pv_check_len(len, PV_BEACON_SIZE);
    if (rc != PV_OK)
        return rc;
    if (pv_load16_le(in + 2) != 0)
        return PV_E_RESERVED;
    b->issuer_id = pv_load32_le(in + 4);
    b->time = pv_load64_le(in + 8);
    return PV_OK;
}

int pv_beacon_verify(const uint8_t in[PV_BEACON_SIZE], const uint8_t issuer_pk[PV_PK_SIZE])
{
    int rc = pv_check_vt(in, PV_BEACON_SIZE, PV_T_BEACON);
    if (rc != PV_OK)
        return rc;
    if (crypto_sign_verify_detached(in + PV_BEACON_BODY_SIZE, in, PV_BEACON_BODY_SIZE,
                                    issuer_pk) != 0)
        return PV_E_SIGNATURE;
    return PV_OK;
}
