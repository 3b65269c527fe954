/* The lock core: decides at the door, offline, and keeps a power-safe signed event log.
 * Byte-level behaviour and rules: docs/lock.md. */
#ifndef PORTVAKT_LOCK_H
#define PORTVAKT_LOCK_H

#include <stddef.h>
#include <stdint.h>

#include "portvakt/error.h"
#include "portvakt/proto.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The lock core never allocates, never calls the OS and has no globals. Everything it
 * needs from the hardware comes through one pv_lock_ops table; port/sim implements it
 * for tests and the simulator, a Cortex-M port implements it for a real lock.
 *
 * Lifecycle: pv_lock_boot() (recovers config and event ring from flash) ->
 * pv_lock_commission() once in the lock's life -> pv_lock_handle()/pv_lock_poll() for
 * every radio frame, pv_lock_refresh() now and then (battery, challenge expiry).
 */

/* ------------------------------------------------------------------ limits and rules */

#define PV_LOCK_MAX_ISSUERS 4u  /* issuers a lock trusts (shared entrance doors) */
#define PV_LOCK_MAX_SCOPES 4u   /* lock-id ranges per issuer */
#define PV_LOCK_CHALLENGE_MS 1500u /* default challenge lifetime: a relay must beat this */
#define PV_LOCK_CLOCK_BACK_TOL_S 300u /* the back-step budget never holds more than this */
/* The budget grows by one second per this many seconds of the lock's clock since it was last
 * set forward: 200 ppm, twice a crystal's ±100 ppm over temperature and age, so a clock that
 * ran fast is pulled back while an old beacon (carried for hours) moves an accurate clock
 * back by at most 17 s a day. A beacon only proves the time is at least its own. */
#define PV_LOCK_CLOCK_BACK_PER_S 5000u
#define PV_LOCK_CLOCK_FUTURE_S (7u * 86400u) /* a beacon further ahead is a tamper sign */
#define PV_LOCK_BACKOFF_FREE 3u /* failures allowed before any delay */
#define PV_LOCK_BACKOFF_BASE_MS 1000u /* first delay, doubled per further failure */
#define PV_LOCK_BACKOFF_CAP_MS 30000u /* never longer than this: a valid key gets through */
#define PV_LOCK_LOW_BATTERY_MV 4400u
/* Credentials a lock remembers as verified (RAM, 80 B each, wiped by a reboot): an
 * apartment door sees 2-4 care staff and the resident in a shift; 8 covers a small entrance
 * door's shift too. A miss costs only the full first-unlock path again. */
#define PV_LOCK_REPEAT_BEARERS 8u
/* A signed log batch rides on an open only when it is worth a signature (about 0.4 of a
 * verify): the first open after boot, or >= 8 events pending, or the oldest pending
 * event 4 h old. Busy doors sign once per 8 events; quiet doors at most 6 times a day. */
#define PV_LOCK_BATCH_MIN_EVENTS 8u
/* Identical refusals in a row (same reason, same claimed bearer) are one ring record plus
 * one summary record (DENY with aux = how many more, time = the last one's): forged attempts
 * cannot recycle the event ring. A run still going is written out this often, so a power
 * cut loses at most this much of its count (docs/lock.md, "Coalesced refusals"). */
#define PV_LOCK_DENY_FLUSH_S 600u
/* Consecutive failures logged one record each before coalescing starts: the backoff delay
 * reaches its cap at the 9th, so the count a reboot resumes from the ring (which does not
 * hold a run's unwritten repeats) still gives the full delay. */
#define PV_LOCK_DENY_SINGLE 9u
#define PV_LOCK_BATCH_MAX_AGE_S (4u * 3600u) /* below this, RESULT sets PV_RESULT_F_LOW_BATTERY */

/* Flash layout the lock expects (NOR: erase to 0xFF, program 1 -> 0 only). */
#define PV_LOCK_FLASH_SECTOR 4096u
#define PV_LOCK_CONFIG_SECTORS 2u /* per A/B slot */
#define PV_LOCK_RING_SECTORS 20u
#define PV_LOCK_FLASH_SIZE ((2u * PV_LOCK_CONFIG_SECTORS + PV_LOCK_RING_SECTORS) * PV_LOCK_FLASH_SECTOR)
#define PV_LOCK_RECORD_SIZE 64u   /* event 16 + chain hash 32 + check 8 + magic 8 */
/* Events the ring always retains: all sectors but the one being recycled. */
#define PV_LOCK_EVENTS_MIN ((PV_LOCK_RING_SECTORS - 1u) * (PV_LOCK_FLASH_SECTOR / PV_LOCK_RECORD_SIZE))

/* Tamper sources (PV_EV_TAMPER aux). */
#define PV_TAMPER_FUTURE_BEACON 1u /* signed beacon more than 7 days ahead */
#define PV_TAMPER_BAD_UPDATE 2u    /* beacon or revocation list with a bad signature */
#define PV_TAMPER_CLOCK_BACK 3u    /* no longer logged: an old beacon is not tamper */
#define PV_TAMPER_SENSOR 4u        /* reported by the port (case opened ...) */
#define PV_TAMPER_FUTURE_LIST 5u   /* signed revocation list issued more than 7 days ahead */

/* ------------------------------------------------------------------ platform ops */

typedef struct pv_lock_ops {
    void *ctx; /* passed to every callback */
    /* Monotonic milliseconds since power-on; the lock's clock and all timeouts run on it. */
    uint64_t (*tick_ms)(void *ctx);
    /* Fill `out` with `len` cryptographically random bytes. PV_OK or PV_E_CRYPTO. */
    int (*random)(void *ctx, uint8_t *out, size_t len);
    /* Flash of PV_LOCK_FLASH_SIZE bytes in PV_LOCK_FLASH_SECTOR sectors. Each returns
     * PV_OK or PV_E_FLASH. program may only clear bits; erase sets a sector to 0xFF. */
    int (*flash_read)(void *ctx, uint32_t addr, uint8_t *out, size_t len);
    int (*flash_program)(void *ctx, uint32_t addr, const uint8_t *in, size_t len);
    int (*flash_erase)(void *ctx, uint32_t sector_addr);
    /* Drive the motor to unlock (the port relocks after its hold time). */
    void (*motor_open)(void *ctx);
    /* Battery voltage in millivolts. */
    uint16_t (*battery_mv)(void *ctx);
    /* Optional, used only by pv_lock_poll(): send one frame; receive one frame
     * (PV_E_TIMEOUT when none is waiting). */
    int (*radio_send)(void *ctx, const uint8_t *frame, size_t len);
    int (*radio_recv)(void *ctx, uint8_t *frame, size_t cap, size_t *len);
} pv_lock_ops;

/* ------------------------------------------------------------------ commissioning */

typedef struct pv_lock_scope {
    uint32_t lo, hi; /* inclusive lock-id range */
} pv_lock_scope;

typedef struct pv_lock_issuer {
    uint32_t issuer_id;
    uint8_t pk[PV_PK_SIZE]; /* Ed25519 public key that signs credentials, lists, beacons */
    uint8_t nscopes;        /* 1..PV_LOCK_MAX_SCOPES */
    pv_lock_scope scopes[PV_LOCK_MAX_SCOPES];
} pv_lock_issuer;

typedef struct pv_lock_setup {
    uint32_t lock_id;
    uint8_t lock_sk[PV_SIGN_SK_SIZE]; /* signs log batches; its pk is registered centrally */
    uint64_t time;                    /* initial clock, unix seconds */
    uint8_t nissuers;                 /* 1..PV_LOCK_MAX_ISSUERS */
    pv_lock_issuer issuers[PV_LOCK_MAX_ISSUERS];
} pv_lock_setup;

/* ------------------------------------------------------------------ state */

typedef enum pv_lock_state {
    PV_LOCK_UNCOMMISSIONED = 0, /* blank flash: only pv_lock_commission() works */
    PV_LOCK_IDLE,               /* waiting for a HELLO */
    PV_LOCK_CHALLENGED          /* CHALLENGE sent, waiting for PRESENT */
} pv_lock_state;

const char *pv_lock_state_name(pv_lock_state s);

/* Counters and settings a port, a test or a benchmark may read. */
typedef struct pv_lock_info {
    pv_lock_state state;
    uint32_t lock_id;
    uint64_t clock;            /* unix seconds, now */
    uint8_t clock_valid;       /* set by commissioning or a beacon since boot */
    uint32_t back_budget_s;    /* remaining back-step tolerance */
    uint32_t boot_count;
    uint32_t failures;         /* consecutive failed attempts */
    uint64_t backoff_until_ms; /* no new challenge before this tick */
    uint32_t next_seq;         /* seq the next event will get */
    uint32_t oldest_seq;       /* oldest event still in the ring */
    uint32_t cursor_seq;       /* next event to hand out in a log batch */
    uint32_t opens;            /* since boot */
    uint32_t denials;          /* since boot */
    uint32_t verifies;         /* Ed25519 verifies since boot (credential, list, beacon) */
    uint32_t x25519;           /* X25519 operations since boot */
    uint32_t log_errors;       /* events that could not be written (flash failure) */
    int last_decision;         /* PV_OK or the reason of the last RESULT */
} pv_lock_info;

typedef struct pv_lock pv_lock; /* opaque; lives in caller memory */

/* Bytes of caller memory a pv_lock needs (a few KiB: config, revocation lists, session). */
size_t pv_lock_ctx_size(void);

/* Recover the lock from flash into `mem` (size >= pv_lock_ctx_size(), 8-byte aligned).
 * Scans the event ring, keeps every acknowledged event, logs PV_EV_BOOT when
 * commissioned. `ops` must outlive the lock. Blank flash gives an uncommissioned lock
 * and PV_OK. Errors: PV_E_ARG, PV_E_FLASH, PV_E_CORRUPT (both config slots bad, e.g. a
 * power cut during commissioning: *out is then an uncommissioned lock that
 * pv_lock_commission() can set up again). A failed BOOT log write is not an error. */
int pv_lock_boot(void *mem, size_t size, const pv_lock_ops *ops, pv_lock **out) PV_MUST_CHECK;

/* Write the first config (once; the lock must be uncommissioned) and log
 * PV_EV_COMMISSION. Errors: PV_E_STATE, PV_E_ARG/PV_E_RANGE for a bad table, PV_E_FLASH. */
int pv_lock_commission(pv_lock *l, const pv_lock_setup *c) PV_MUST_CHECK;

/* Handle one radio frame (HELLO or PRESENT). When a reply must be sent it is written to
 * `out` (cap >= PV_MSG_MAX, not overlapping `in`: a PRESENT is opened into it before the
 * RESULT replaces it, and what is left past the reply is wiped) and *outlen > 0;
 * otherwise *outlen = 0.
 * Returns the lock's decision for a PRESENT (PV_OK = opened, or the refusal reason,
 * which is also sealed in the RESULT), PV_OK for a HELLO answered with a CHALLENGE,
 * PV_E_BACKOFF for a HELLO refused during backoff (no reply), PV_E_STATE for a frame
 * not expected now (no reply), or a decode error (no reply). */
int pv_lock_handle(pv_lock *l, const uint8_t *in, size_t len, uint8_t *out, size_t cap,
                   size_t *outlen) PV_MUST_CHECK;

/* Receive at most one frame through ops->radio_recv, handle it, send the reply through
 * ops->radio_send. PV_E_TIMEOUT when no frame was waiting, else as pv_lock_handle(). */
int pv_lock_poll(pv_lock *l) PV_MUST_CHECK;

/* Housekeeping: expire a stale challenge (counts as a failure), save the log cursor
 * once batches went out (so a reboot does not re-send them), log the battery when it
 * crossed PV_LOCK_LOW_BATTERY_MV. Call every few seconds. */
int pv_lock_refresh(pv_lock *l) PV_MUST_CHECK;

/* Log a tamper event reported by the port's sensors. */
int pv_lock_report_tamper(pv_lock *l, uint16_t source) PV_MUST_CHECK;
/* Log the current battery voltage (PV_EV_BATTERY). */
int pv_lock_report_battery(pv_lock *l) PV_MUST_CHECK;

/* Challenge lifetime in ms of the lock's tick (default PV_LOCK_CHALLENGE_MS). */
void pv_lock_set_challenge_ms(pv_lock *l, uint32_t ms);

void pv_lock_get_info(const pv_lock *l, pv_lock_info *info);

/* Read event `seq` from the ring with its chain value. PV_E_NOT_FOUND when it has been
 * recycled or not written yet. */
int pv_lock_event(const pv_lock *l, uint32_t seq, pv_event *ev,
                  uint8_t chain[PV_HASH_SIZE]) PV_MUST_CHECK;

/* Build a lock-signed batch of at most PV_LOG_BATCH_MAX events starting at the cursor
 * (see docs/lock.md, "Cursor rule") and advance the cursor. pv_lock_handle() calls this
 * for every successful open; exposed for service read-out. PV_E_NOT_FOUND when nothing
 * is pending. */
int pv_lock_log_batch(pv_lock *l, uint8_t *out, size_t cap, size_t *outlen) PV_MUST_CHECK;
/* Move the cursor back (never before the oldest retained event) so events are re-sent. */
void pv_lock_rewind_cursor(pv_lock *l, uint32_t seq);

/* Revocation version and last beacon time this lock holds for `issuer_id` (0 if none). */
int pv_lock_issuer_state(const pv_lock *l, uint32_t issuer_id, uint64_t *revlist_version,
                         uint64_t *beacon_time) PV_MUST_CHECK;

#ifdef __cplusplus
}
#endif
#endif
