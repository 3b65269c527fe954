/* The bearer core: a key fob's (or phone's) identity, rights, unlock role and logs.
 * Rules and memory budget: docs/key.md. */
#ifndef PORTVAKT_KEY_H
#define PORTVAKT_KEY_H

#include <stddef.h>
#include <stdint.h>

#include "portvakt/error.h"
#include "portvakt/proto.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * No malloc, no OS: the caller passes one buffer of pv_key_mem_size(max_rights) bytes
 * and a pv_key_ops table. Rights cost PV_ENTRY_SIZE bytes each plus a cache of the upper
 * Merkle levels (from level PV_KEY_CACHE_LEVEL up), about 11 bytes per right in total,
 * so a proof for any right costs at most ~130 hashes.
 *
 * Unlock: pv_key_confirm() (the user pressed the button or tapped) -> pv_key_unlock_start()
 * gives M1 -> pv_key_on_challenge(M2) gives M3 -> pv_key_on_result(M4) gives the outcome.
 * Every outcome is logged in the key's own passage log with a reason for the user.
 */

#define PV_KEY_CACHE_LEVEL 6u        /* cached Merkle levels start at 64-leaf subtrees */
#define PV_KEY_CONFIRM_MS 5000u      /* a button press is good for one unlock within 5 s */
#define PV_KEY_SESSION_MS 3000u      /* CHALLENGE or RESULT later than this after M1: refused */
#define PV_KEY_LOG_MAX 256u          /* own passage/refusal log entries kept */
#define PV_KEY_BATCH_MAX 16u         /* lock log batches kept for upload */

typedef struct pv_key_ops {
    void *ctx;
    uint64_t (*tick_ms)(void *ctx); /* monotonic ms */
    uint64_t (*now_s)(void *ctx);   /* the key's own clock, unix seconds */
    int (*random)(void *ctx, uint8_t *out, size_t len); /* PV_OK or PV_E_CRYPTO */
} pv_key_ops;

/* One line of the key's own log (uploaded as bearer_events, docs/sync.md). */
typedef struct pv_key_log_entry {
    uint32_t seq;
    uint64_t time;    /* key clock */
    uint32_t lock_id; /* 0 when the lock never said who it is */
    uint8_t opened;   /* 1 passage, 0 refusal */
    int reason;       /* PV_OK or the refusal reason (lock's or the key's own) */
} pv_key_log_entry;

/* What the user is told after an unlock attempt. */
typedef struct pv_key_outcome {
    int status;          /* PV_OK = door opened, else the reason */
    const char *message; /* pv_key_reason_text(status) */
    uint32_t lock_id;
    uint64_t lock_time;
    uint16_t battery_mv;
    uint8_t flags;       /* PV_RESULT_F_* from the lock */
    uint8_t delivered;   /* 1 if this key carried a newer list or beacon to the lock */
    uint8_t got_batch;   /* 1 if a lock log batch was stored for upload */
} pv_key_outcome;

typedef enum pv_key_state {
    PV_KEY_EMPTY = 0,  /* no credential installed */
    PV_KEY_READY,      /* credential installed, no unlock running */
    PV_KEY_HELLO_SENT, /* waiting for CHALLENGE */
    PV_KEY_PRESENTED   /* waiting for RESULT */
} pv_key_state;

const char *pv_key_state_name(pv_key_state s);

typedef struct pv_key pv_key; /* opaque; lives in the caller's buffer */

/* Bytes of caller memory for a key holding up to max_rights rights (0 if too many). */
size_t pv_key_mem_size(uint32_t max_rights);

/* Set up a key in `mem` (8-byte aligned) with its Ed25519 identity (copied; wipe yours).
 * Errors: PV_E_ARG, PV_E_BUFSIZE (mem smaller than pv_key_mem_size), PV_E_RANGE. */
int pv_key_init(void *mem, size_t size, uint32_t max_rights, const pv_key_ops *ops,
                const uint8_t sign_sk[PV_SIGN_SK_SIZE], pv_key **out) PV_MUST_CHECK;
/* Wipe every secret in the key's memory. */
void pv_key_wipe(pv_key *k);

/* The key's Ed25519 public key (registered at enrolment) and its X25519 form. */
void pv_key_identity(const pv_key *k, uint8_t sign_pk[PV_PK_SIZE], uint8_t x_pk[PV_PK_SIZE]);

/* Optionally pin the issuer key: pv_key_install() then verifies the credential, list and
 * beacon signatures too. */
int pv_key_set_issuer(pv_key *k, uint32_t issuer_id, const uint8_t pk[PV_PK_SIZE]) PV_MUST_CHECK;

/* Sign a sync challenge (docs/sync.md): "portvakt-sync-v1" || 0x00 || nonce || bearer_id. */
int pv_key_sync_sign(const pv_key *k, const uint8_t nonce[32], uint32_t bearer_id,
                     uint8_t sig[PV_SIG_SIZE]) PV_MUST_CHECK;

/* Install a sync response. entries: n * PV_ENTRY_SIZE bytes, strictly sorted. revlist and
 * beacon may be NULL/0. Refused (and nothing changed) when: the credential does not
 * decode (PV_E_*), names another bearer key (PV_E_POSSESSION), the recomputed Merkle root
 * differs (PV_E_PROOF), the count differs or exceeds max_rights (PV_E_RANGE/PV_E_FULL),
 * an entry is malformed or out of order, or a pinned issuer's signature fails. */
int pv_key_install(pv_key *k, const uint8_t *cred, size_t cred_len, const uint8_t *entries,
                   size_t entries_len, const uint8_t *revlist, size_t revlist_len,
                   const uint8_t *beacon, size_t beacon_len) PV_MUST_CHECK;

/* Carry a newer revocation list or beacon (e.g. from a station) without a new credential.
 * PV_E_STALE when not newer. */
int pv_key_update(pv_key *k, const uint8_t *revlist, size_t revlist_len,
                  const uint8_t *beacon, size_t beacon_len) PV_MUST_CHECK;

/* The explicit user action (button press or tap). Arms one unlock for PV_KEY_CONFIRM_MS. */
void pv_key_confirm(pv_key *k);

/* Start an unlock: M1 into m1. Errors: PV_E_NOT_CONFIRMED (no recent user action),
 * PV_E_NO_CREDENTIAL, PV_E_CRYPTO. Consumes the confirmation. */
int pv_key_unlock_start(pv_key *k, uint8_t m1[PV_HELLO_SIZE]) PV_MUST_CHECK;

/* Absorb M2 and build M3 (cap >= PV_MSG_MAX). Returns PV_OK with *m3_len > 0 when a right
 * is presented. When the key itself can tell the door will refuse (no right to this door,
 * expired, not yet valid, key blocked, lock clock out of range) it returns that reason
 * and logs it; if the lock is behind on the list or beacon it still builds an M3
 * (*m3_len > 0) so the lock takes the update, else *m3_len = 0 and the unlock ends. */
int pv_key_on_challenge(pv_key *k, const uint8_t *m2, size_t m2_len, uint8_t *m3, size_t cap,
                        size_t *m3_len) PV_MUST_CHECK;

/* Absorb M4, store its log batch, log the passage or refusal. Returns o->status, or a
 * decode/decrypt error (logged as a refusal). */
int pv_key_on_result(pv_key *k, const uint8_t *m4, size_t m4_len, pv_key_outcome *o)
    PV_MUST_CHECK;

/* End a running unlock that got no answer (logged as PV_E_TIMEOUT). */
void pv_key_abort(pv_key *k, int reason);

pv_key_state pv_key_get_state(const pv_key *k);

/* Text shown to the user for an outcome: "opened", "expired", "no right to this door",
 * "key blocked", "lock clock out of range", ... never NULL. */
const char *pv_key_reason_text(int status);

/* Own log: entries oldest first. */
uint32_t pv_key_log_count(const pv_key *k);
int pv_key_log_get(const pv_key *k, uint32_t i, pv_key_log_entry *e) PV_MUST_CHECK;
/* Drop entries with seq < upto (after an acknowledged upload). */
void pv_key_log_ack(pv_key *k, uint32_t upto);

/* Lock log batches collected for upload, oldest first (views into the key's memory). */
uint32_t pv_key_batch_count(const pv_key *k);
int pv_key_batch_get(const pv_key *k, uint32_t i, const uint8_t **batch, size_t *len)
    PV_MUST_CHECK;
/* Drop the n oldest batches (after an acknowledged upload). */
void pv_key_batch_ack(pv_key *k, uint32_t n);
/* Batches dropped because the store was full since the last ack. */
uint32_t pv_key_batch_dropped(const pv_key *k);

/* Installed credential (decoded) and rights, for display and tests. */
int pv_key_credential(const pv_key *k, pv_cred *c) PV_MUST_CHECK;
uint32_t pv_key_rights(const pv_key *k);
/* Inclusion proof of right `index` from the cache (<= PV_MERKLE_MAX_DEPTH siblings). */
int pv_key_prove(const pv_key *k, uint32_t index, uint8_t siblings[][PV_HASH_SIZE],
                 unsigned *nsiblings) PV_MUST_CHECK;

#ifdef __cplusplus
}
#endif
#endif
