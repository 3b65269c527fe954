/* The phone's WebAssembly surface: the key core (lib/key) and the PIN vault as flat C
 * functions that the phone app's JavaScript calls (server/web/phone/key.mjs). Every
 * buffer is in the module's memory; sizes are explicit; results are PV_OK or a PV_E_*. */
#ifndef PV_WASM_PHONE_H
#define PV_WASM_PHONE_H

#include <stddef.h>
#include <stdint.h>

#include "portvakt/key.h"

/* The phone holds one credential at a time; a shift's rights for one staff member are a
 * few hundred doors at most, 4,096 leaves room for an alarm team's district. */
#define PVW_MAX_RIGHTS 4096u
#define PVW_SEED_SIZE 32u

/* Outcome of an unlock as fixed little-endian bytes for JavaScript (no struct layout):
 * status i32 | lock_id u32 | lock_time u64 | battery_mv u16 | flags u8 | delivered u8 |
 * got_batch u8 | pad u8 = 24 bytes. */
#define PVW_OUTCOME_SIZE 24u

int pvw_init(void) PV_MUST_CHECK;
/* A fresh identity seed from libsodium's CSPRNG (the browser's getRandomValues). */
int pvw_seed_new(uint8_t seed[PVW_SEED_SIZE]) PV_MUST_CHECK;
/* The key's Ed25519 public key for a seed (what enrolment registers). */
int pvw_seed_public(const uint8_t seed[PVW_SEED_SIZE], uint8_t sign_pk[32]) PV_MUST_CHECK;

/* A key in heap memory, identity from seed (the caller wipes its copy). NULL on failure. */
pv_key *pvw_key_open(const uint8_t seed[PVW_SEED_SIZE]);
/* Wipe every secret and free. */
void pvw_key_close(pv_key *k);
int pvw_key_outcome(pv_key *k, const uint8_t *m4, size_t m4_len, uint8_t out[PVW_OUTCOME_SIZE]);
/* Moves the oldest lock log batch the key collected into out (cap >= PV_LOGBATCH_MAX_SIZE):
 * its length, 0 when there is none, or a negative PV_E_*. The app keeps taken batches in
 * its storage until an upload is answered, since the key itself is wiped when it locks. */
int pvw_key_batch_take(pv_key *k, uint8_t *out, size_t cap);

/* ------------------------------------------------------------------ PIN vault
 * The identity seed at rest: sealed with XChaCha20-Poly1305 under a key derived from the
 * PIN with Argon2id (libsodium's crypto_pwhash, 64 MiB, 3 passes: ~1 s on a phone, so a
 * copied vault costs an attacker that per PIN guess; the app's wrong-PIN counter wipes
 * the vault after PVW_PIN_TRIES). Vault bytes (little-endian):
 *   version u8 (1) | opslimit u32 | memlimit_kib u32 | salt[16] | nonce[24] | box[48]
 * with the header (version .. nonce) as associated data, so no parameter can be lowered
 * without the PIN. */
#define PVW_VAULT_VERSION 1u
#define PVW_VAULT_SIZE (1u + 4u + 4u + 16u + 24u + PVW_SEED_SIZE + 16u) /* 97 */
#define PVW_PIN_MIN 4u
#define PVW_PIN_MAX 64u
#define PVW_PIN_TRIES 5u
#define PVW_VAULT_OPS 3u
#define PVW_VAULT_MEM_KIB (64u * 1024u)

/* Seal seed under pin (PVW_PIN_MIN..PVW_PIN_MAX bytes). PV_E_RANGE for a bad PIN length,
 * PV_E_NOMEM when Argon2id cannot get its memory. */
int pvw_vault_seal(const uint8_t *pin, size_t pin_len, const uint8_t seed[PVW_SEED_SIZE],
                   uint8_t vault[PVW_VAULT_SIZE]) PV_MUST_CHECK;
/* Open a vault: PV_OK and the seed, PV_E_DECRYPT for a wrong PIN (or altered vault),
 * PV_E_VERSION / PV_E_RANGE for a vault this code does not write. seed is zero on error. */
int pvw_vault_open(const uint8_t *pin, size_t pin_len, const uint8_t *vault, size_t vault_len,
                   uint8_t seed[PVW_SEED_SIZE]) PV_MUST_CHECK;

#endif
