/* The secrets vault: one 256-bit key kept outside the database (a mode-0600 key file or a
 * systemd credential) that seals every secret the server stores — TOTP secrets, the pepper of
 * capability-link hashes, the issuer signing key in its file — so a copied database file or
 * dump alone reveals none of them. docs/privacy.md ("Secrets at rest"). */
#ifndef PVS_VAULT_H
#define PVS_VAULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "portvakt/error.h"
#include "pvs/server.h"
#include "pvs/store.h"

/*
 * A sealed value: "PVV1" || key id (u32 LE) || 24-byte nonce || XChaCha20-Poly1305 of the
 * value with a context string as associated data (so a sealed value moved to another row or
 * column does not open). 48 bytes longer than the value.
 */
#define PVS_VAULT_OVERHEAD 48u
/* The systemd credential name read from $CREDENTIALS_DIRECTORY (LoadCredential=). */
#define PVS_VAULT_CREDENTIAL "portvakt-vault-key"

/*
 * Where the vault key is: `configured` when non-empty; else $CREDENTIALS_DIRECTORY/
 * portvakt-vault-key when that file exists; else vault.key beside the issuer key file.
 * *from_credential is set for the second case (read only: never created or rotated there).
 */
void pvs_vault_locate(const char *configured, const char *issuer_key, char *out, size_t cap,
                      bool *from_credential);

/*
 * Load the key file at path (mode 0600 required; lines "key = <id> <64 hex>", the first the
 * current key, later ones older keys still accepted for opening). With create and no file,
 * a new key (id 1) is written first. Returns 0, or -1 with a sentence in errbuf.
 * The loaded keys are process-wide and read-only afterwards (thread-safe to use).
 */
int pvs_vault_load(const char *path, bool create, char *errbuf, size_t errcap) PV_MUST_CHECK;
/* The same from the key file's text (fuzzed): errbuf starts "malformed" for a bad text. */
int pvs_vault_load_text(const char *text, size_t len, char *errbuf, size_t errcap) PV_MUST_CHECK;
/* True once a key is loaded. */
bool pvs_vault_ready(void);
/* Forget (wipe) the loaded keys. */
void pvs_vault_unload(void);
/* Writes a secret file atomically: PATH.tmp made mode 0600 (never following a link),
 * written, fsync'd, renamed over PATH. WHAT names the file in the error. 0, or -1 with errbuf. */
int pvs_secret_file_write(const char *path, const char *text, size_t len, const char *what,
                          char *errbuf, size_t errcap) PV_MUST_CHECK;
/* Id of the current key (0 when none). */
uint32_t pvs_vault_key_id(void);

/* Seal len bytes under the current key for `ctx`; out needs len + PVS_VAULT_OVERHEAD bytes.
 * Returns 0, or -1 when no key is loaded or out is too small. */
int pvs_vault_seal(const char *ctx, const uint8_t *in, size_t len, uint8_t *out, size_t cap,
                   size_t *outlen) PV_MUST_CHECK;
/* Open a sealed value made for the same ctx under any loaded key. Returns 0, or -1 when it
 * is not sealed, the key is unknown, it was altered or moved, or out is too small. */
int pvs_vault_open(const char *ctx, const uint8_t *in, size_t len, uint8_t *out, size_t cap,
                   size_t *outlen) PV_MUST_CHECK;
/* True when in starts like a sealed value (magic and minimum length). */
bool pvs_vault_is_sealed(const uint8_t *in, size_t len);

/*
 * Read a stored value that may be sealed or (from before the vault) in clear: sealed values
 * are opened, clear ones copied. Returns 0 or -1 (a sealed value that does not open).
 */
int pvs_vault_read(const char *ctx, const uint8_t *in, size_t len, uint8_t *out, size_t cap,
                   size_t *outlen) PV_MUST_CHECK;

/* Context of a user's TOTP secret (pending or confirmed: the same, since enrolment moves
 * the pending value into the confirmed column). */
void pvs_vault_ctx_totp(int64_t user_id, char out[48]);
/* Contexts of a staff member's phone-login TOTP secret and of a phone's per-phone secret. */
void pvs_vault_ctx_staff_totp(int64_t staff_id, char out[48]);
void pvs_vault_ctx_phone(int64_t bearer_id, char out[48]);

/*
 * In one write transaction: seal every secret still in clear (TOTP secrets of users and
 * staff logins, per-phone secrets) and make the
 * capability-link pepper when there is none. *sealed receives how many values were
 * sealed. Returns a pvs_db_rc.
 */
int pvs_vault_seal_database(pvs_db *db, int *sealed) PV_MUST_CHECK;
/* After values were sealed or deleted in place: on SQLite, checkpoint and truncate the
 * write-ahead log so no earlier page image stays in it. Returns a pvs_db_rc. */
int pvs_vault_scrub(pvs_db *db) PV_MUST_CHECK;
/* True when the database holds sealed values (its pepper exists): a missing key file is then
 * an error, never a reason to make a new key. */
int pvs_vault_database_sealed(pvs_db *db, bool *sealed) PV_MUST_CHECK;
/* Re-seal every sealed value under the current key (rotation), inside the caller's write
 * transaction; *count receives how many. Returns a pvs_db_rc. */
int pvs_vault_reseal_database(pvs_db *db, int *count) PV_MUST_CHECK;

/* The 32-byte pepper of capability-link hashes (made by pvs_vault_seal_database). */
int pvs_vault_pepper(pvs_db *db, uint8_t out[32]) PV_MUST_CHECK;

/*
 * Rotation of the key file: write path with a new current key (id + 1) followed by every
 * loaded key, then load it. After the database and the issuer key are resealed, call
 * pvs_vault_drop_old(path) to keep only the new key. Returns 0 or -1 with errbuf.
 */
int pvs_vault_rotate_file(const char *path, char *errbuf, size_t errcap) PV_MUST_CHECK;
int pvs_vault_drop_old(const char *path, char *errbuf, size_t errcap) PV_MUST_CHECK;

/*
 * At start (server/core/vault_start.c): locate and load the vault key — made when missing,
 * unless it comes from a credential or the database already holds sealed values — then seal
 * what the database holds in clear. Returns 0, or -1 with a sentence in errbuf.
 */
int pvs_vault_start(const struct pvs_config *cfg, pvs_db *db, bool *from_credential,
                    char *errbuf, size_t errcap) PV_MUST_CHECK;
/* pvs_vault_start, then load the issuer key, sealing its file when it is still in clear. */
int pvs_vault_start_issuer(const struct pvs_config *cfg, pvs_db *db, struct pvs_issuer *issuer,
                           char *errbuf, size_t errcap) PV_MUST_CHECK;
/* `portvakt-server rotate-vault-key`: a new vault key; every sealed value and the issuer key
 * resealed under it, audited. Returns the exit status. */
int pvs_vault_rotate(const struct pvs_config *cfg, pvs_db *db);

#endif
