/* The lock core's private state and the functions its files share (not a public API). */
#ifndef PV_LOCK_INTERNAL_H
#define PV_LOCK_INTERNAL_H

#include <stdint.h>

#include "portvakt/lock.h"
#include "portvakt/wire.h"

#define RING_BASE (2u * PV_LOCK_CONFIG_SECTORS * PV_LOCK_FLASH_SECTOR)
#define RING_SLOTS_PER_SECTOR (PV_LOCK_FLASH_SECTOR / PV_LOCK_RECORD_SIZE)
#define RING_SLOTS (PV_LOCK_RING_SECTORS * RING_SLOTS_PER_SECTOR)
#define SEQ_NONE 0xFFFFFFFFu
#define CFG_STAGE 256u /* flash programming chunk for the config slot */

/* Per trusted issuer: the commissioned table plus what the lock has learnt since. The
 * verified encoding of the highest revocation list stays in the config slot in flash
 * (pv_lock_revlist_read), not in RAM: four lists would be 6.5 KB of a small MCU's RAM. */
typedef struct lock_issuer {
    pv_lock_issuer cfg;
    uint64_t revlist_version; /* 0 = no list yet */
    uint64_t beacon_time;     /* 0 = no beacon yet */
    uint16_t revlist_len;     /* bytes of the stored list, 0 = none */
} lock_issuer;

/* Everything that survives power loss (written to the A/B config slots). */
typedef struct lock_config {
    uint32_t lock_id;
    uint8_t lock_sk[PV_SIGN_SK_SIZE];
    uint32_t boot_count;
    uint64_t clock; /* lock clock when last saved: a lower bound after a reboot */
    uint32_t cursor; /* log cursor when last saved: a reboot re-sends only from here */
    uint8_t nissuers;
    lock_issuer iss[PV_LOCK_MAX_ISSUERS];
} lock_config;

/* One bearer this lock has seen prove possession (RAM only: a reboot starts empty): the
 * hash of the credential it proved with, its static key and X25519(lock x_sk, that key).
 * The credential hash stands for a verified signature only until not_after; the key and
 * its Diffie-Hellman stay right for as long as the lock keeps its own key. */
typedef struct lock_repeat {
    uint8_t cred_hash[PV_HASH_SIZE];
    uint8_t bearer_pk[PV_PK_SIZE];
    uint8_t dh[32];
    uint64_t not_after; /* the credential's end: 0 = empty slot */
} lock_repeat;

/* A run of identical refusals (same reason, same claimed bearer) being coalesced: its first
 * refusal is in the ring, the ones after it are counted here until the run is written as
 * one summary record (deny.c). RAM only: a power cut loses at most PV_LOCK_DENY_FLUSH_S of
 * counts, never the first refusal. */
typedef struct lock_deny_run {
    uint8_t active;
    uint8_t reason;
    uint16_t repeats;   /* refusals since the run's last record */
    uint32_t subject;   /* the claimed bearer id (0 when none could be read) */
    uint32_t last_time; /* lock time of the latest of them */
    uint64_t since;     /* lock time of the run's last record */
} lock_deny_run;

struct pv_lock {
    const pv_lock_ops *ops;
    pv_lock_state state;
    lock_config cfg;
    uint32_t cfg_seq;  /* sequence of the newest valid config slot */
    uint8_t cfg_slot;  /* which slot holds it (0 = A, 1 = B) */
    uint8_t stage[CFG_STAGE];
    /* a verified list the next save writes for issuer rl_new_iss (else the stored one is
     * copied from the current slot); set only around that save */
    const uint8_t *rl_new;
    uint8_t rl_new_iss;

    /* clock: clock_base_s at tick clock_base_ms */
    uint64_t clock_base_s, clock_base_ms;
    uint8_t clock_valid;
    uint32_t back_budget_s;
    uint64_t back_since; /* lock time up to which the budget has grown */

    /* event ring */
    uint32_t ring_slot;  /* next slot to program */
    uint32_t next_seq, oldest_seq, cursor_seq;
    uint8_t chain[PV_HASH_SIZE]; /* chain value after event next_seq - 1 */
    uint32_t sec_first[PV_LOCK_RING_SECTORS], sec_last[PV_LOCK_RING_SECTORS];

    /* backoff */
    uint32_t failures;
    uint64_t backoff_until_ms;

    /* the lock's X25519 key pair for the unlock exchange, derived from lock_sk at boot
     * and commissioning (RAM only): saves one X25519 per unlock over an ephemeral */
    uint8_t x_sk[PV_X_SK_SIZE], x_pk[PV_PK_SIZE];

    /* session */
    pv_session s;
    pv_hello hello;
    uint64_t challenge_ms_at;
    uint32_t challenge_ms;
    uint8_t batch[PV_LOGBATCH_MAX_SIZE];
    uint8_t rx[PV_MSG_MAX], tx[PV_MSG_MAX]; /* pv_lock_poll's frames: RAM, not stack */
    uint8_t low_battery_logged;
    uint8_t batch_handed; /* a batch went out since boot */
    uint8_t cursor_dirty; /* cursor moved since the config was saved (saved when idle) */

    /* repeat unlocks (docs/lock.md, "Repeat unlocks") */
    lock_repeat repeat[PV_LOCK_REPEAT_BEARERS];
    uint8_t repeat_next; /* round robin: the oldest entry goes first */

    lock_deny_run deny; /* coalesced refusals (deny.c) */

    /* statistics */
    uint32_t opens, denials, verifies, x25519, log_errors;
    int last_decision;
};

/* clock.c */
uint64_t pv_lock_now(const pv_lock *l);
void pv_lock_set_clock(pv_lock *l, uint64_t t);
int pv_lock_apply_beacon(pv_lock *l, const uint8_t *b, size_t len, uint8_t *flags);
int pv_lock_apply_revlist(pv_lock *l, const uint8_t *rl, size_t len, uint8_t *flags);
lock_issuer *pv_lock_find_issuer(pv_lock *l, uint32_t issuer_id);
/* 1 if one of the issuer's lock-id ranges covers this lock. */
int pv_lock_issuer_in_scope(const pv_lock *l, const lock_issuer *is);
/* The signed issue time of the revocation list held for `is` (0: none): a lower bound of
 * the time, as the issuer drops an entry only once revoked_at + 48 h has passed. */
uint64_t pv_lock_list_time(const pv_lock *l, const lock_issuer *is);
void pv_lock_fail(pv_lock *l);
/* At boot: the failure count and its delay from the event ring (clock.c). */
void pv_lock_backoff_resume(pv_lock *l);

/* ring.c */
int pv_lock_ring_recover(pv_lock *l);
int pv_lock_ring_append(pv_lock *l, uint8_t kind, uint8_t reason, uint16_t aux, uint32_t subject)
    PV_MUST_CHECK;
/* The same with the event's lock time given (a coalesced run's last refusal). */
int pv_lock_ring_append_at(pv_lock *l, uint8_t kind, uint8_t reason, uint16_t aux,
                           uint32_t subject, uint32_t time) PV_MUST_CHECK;
/* Append and keep going: a door must not stay shut because its log flash failed; the
 * failure is counted (log_errors) and the ring skips the bad slot next time. */
void pv_lock_log(pv_lock *l, uint8_t kind, uint8_t reason, uint16_t aux, uint32_t subject);
int pv_lock_ring_read(const pv_lock *l, uint32_t seq, pv_event *ev, uint8_t chain[PV_HASH_SIZE])
    PV_MUST_CHECK;

/* deny.c: a refusal at the door, coalesced with identical ones before it; every other
 * event (pv_lock_log) and pv_lock_log_batch first write a pending run out. */
void pv_lock_log_deny(pv_lock *l, uint8_t reason, uint32_t subject);
/* Write the pending run's count out; `end` also ends the run. */
void pv_lock_deny_flush(pv_lock *l, int end);
/* Housekeeping: a run whose last record is PV_LOCK_DENY_FLUSH_S old is written out. */
void pv_lock_deny_refresh(pv_lock *l);

/* config.c */
int pv_lock_config_load(pv_lock *l) PV_MUST_CHECK; /* PV_E_NOT_FOUND when blank */
int pv_lock_config_save(pv_lock *l) PV_MUST_CHECK;
/* n bytes at offset off of issuer `iss`'s stored revocation list (current slot). */
int pv_lock_revlist_read(const pv_lock *l, unsigned iss, size_t off, uint8_t *out, size_t n)
    PV_MUST_CHECK;

#endif
