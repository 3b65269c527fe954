/* Bearer identity: the X25519 form of a bearer's Ed25519 key pair, the static key that
 * credentials name and the unlock exchange proves possession of. */
#include <sodium.h>

#include "portvakt/proto.h"

int pv_bearer_x_keys(const uint8_t sign_sk[PV_SIGN_SK_SIZE], uint8_t x_sk[PV_X_SK_SIZE],
                     uint8_t x_pk[PV_PK_SIZE])
{
    if (crypto_sign_ed25519_sk_to_curve25519(x_sk, sign_sk) != 0)
        return PV_E_CRYPTO;
    if (crypto_scalarmult_base(x_pk, x_sk) != 0) {
        sodium_memzero(x_sk, PV_X_SK_SIZE);
        return PV_E_CRYPTO;
    }
    return PV_OK;
}

int pv_bearer_x_pk(const uint8_t sign_pk[PV_PK_SIZE], uint8_t x_pk[PV_PK_SIZE])
{
    if (crypto_sign_ed25519_pk_to_curve25519(x_pk, sign_pk) != 0)
        return PV_E_CRYPTO;
    return PV_OK;
}
