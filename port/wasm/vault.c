/* The phone's PIN vault: the identity seed sealed with XChaCha20-Poly1305 under an
 * Argon2id key derived from the PIN (layout and reasons in phone.h). */
#include <string.h>

#include <sodium.h>

#include "phone.h"

#define HDR_SIZE (1u + 4u + 4u + 16u + 24u)

static void put32(uint8_t *p, uint32_t v)
{
    for (unsigned i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int derive(const uint8_t *pin, size_t pin_len, const uint8_t *hdr, uint8_t key[32])
{
    uint32_t ops = get32(hdr + 1), mem_kib = get32(hdr + 5);
    if (crypto_pwhash(key, 32, (const char *)pin, pin_len, hdr + 9, ops,
                      (size_t)mem_kib * 1024u, crypto_pwhash_ALG_ARGON2ID13) != 0)
        return PV_E_NOMEM;
    return PV_OK;
}

int pvw_vault_seal(const uint8_t *pin, size_t pin_len, const uint8_t seed[PVW_SEED_SIZE],
                   uint8_t vault[PVW_VAULT_SIZE])
{
    if (!pin || !seed || !vault)
        return PV_E_ARG;
    if (pin_len < PVW_PIN_MIN || pin_len > PVW_PIN_MAX)
        return PV_E_RANGE;
    vault[0] = PVW_VAULT_VERSION;
    put32(vault + 1, PVW_VAULT_OPS);
    put32(vault + 5, PVW_VAULT_MEM_KIB);
    randombytes_buf(vault + 9, 16 + 24); /* salt and nonce */
    uint8_t key[32];
    int rc = derive(pin, pin_len, vault, key);
    if (rc == PV_OK)
        crypto_aead_xchacha20poly1305_ietf_encrypt(vault + HDR_SIZE, NULL, seed, PVW_SEED_SIZE,
                                                   vault, HDR_SIZE, NULL, vault + 25, key);
    sodium_memzero(key, sizeof key);
    if (rc != PV_OK)
        sodium_memzero(vault, PVW_VAULT_SIZE);
    return rc;
}

int pvw_vault_open(const uint8_t *pin, size_t pin_len, const uint8_t *vault, size_t vault_len,
                   uint8_t seed[PVW_SEED_SIZE])
{
    if (!pin || !vault || !seed)
        return PV_E_ARG;
    memset(seed, 0, PVW_SEED_SIZE);
    if (vault_len != PVW_VAULT_SIZE)
        return PV_E_LENGTH;
    if (vault[0] != PVW_VAULT_VERSION)
        return PV_E_VERSION;
    /* only the parameters this code writes: a vault cannot be made cheaper to guess */
    if (get32(vault + 1) != PVW_VAULT_OPS || get32(vault + 5) != PVW_VAULT_MEM_KIB)
        return PV_E_RANGE;
    if (pin_len < PVW_PIN_MIN || pin_len > PVW_PIN_MAX)
        return PV_E_DECRYPT; /* a PIN that could never have sealed it: simply wrong */
    uint8_t key[32];
    int rc = derive(pin, pin_len, vault, key);
    if (rc == PV_OK &&
        crypto_aead_xchacha20poly1305_ietf_decrypt(seed, NULL, NULL, vault + HDR_SIZE,
                                                   PVW_SEED_SIZE + 16u, vault, HDR_SIZE,
                                                   vault + 25, key) != 0)
        rc = PV_E_DECRYPT;
    sodium_memzero(key, sizeof key);
    if (rc != PV_OK)
        sodium_memzero(seed, PVW_SEED_SIZE);
    return rc;
}
