/* The simulated platform: virtual clock, emulated NOR flash with power cuts, virtual
 * radio (in-process queues or a Unix socket), motor and battery, and one-call unlocks. */
#ifndef PORTVAKT_SIM_H
#define PORTVAKT_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "portvakt/error.h"
#include "portvakt/key.h"
#include "portvakt/lock.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ clock */

typedef struct pv_sim_clock {
    uint64_t tick_ms;  /* monotonic ms since "power-on" */
    uint64_t unix_ms;  /* true wall time in ms (what a perfect clock would say) */
    int32_t drift_ppm; /* the device's tick runs this much fast (+) or slow (-) */
    uint64_t frac;     /* drift remainder, internal */
} pv_sim_clock;

void pv_sim_clock_init(pv_sim_clock *c, uint64_t unix_s);
/* Let `ms` of true time pass; the tick advances by ms adjusted for drift. */
void pv_sim_clock_advance(pv_sim_clock *c, uint64_t ms);
uint64_t pv_sim_clock_unix(const pv_sim_clock *c); /* true unix seconds */

/* ------------------------------------------------------------------ flash */

/* Emulated NOR flash: erase sets a sector to 0xFF, program ANDs bits in (1 -> 0 only).
 * Every program and every erase is one "write". With cut_at = N > 0, write N is torn
 * (a program stores only its first half, an erase clears only the first half of the
 * sector) and the power is off: every later read/program/erase fails with PV_E_FLASH
 * until pv_sim_flash_power_on(). */
typedef struct pv_sim_flash {
    uint8_t *mem;      /* caller's buffer of `size` bytes */
    uint32_t size;
    uint32_t sector;
    uint64_t writes;   /* programs + erases so far */
    uint64_t cut_at;   /* 0 = never */
    uint8_t powered;
    uint64_t erases;   /* wear statistics */
} pv_sim_flash;

/* mem is erased to 0xFF here. */
void pv_sim_flash_init(pv_sim_flash *f, uint8_t *mem, uint32_t size, uint32_t sector);
void pv_sim_flash_cut_at(pv_sim_flash *f, uint64_t nth_write_from_now);
void pv_sim_flash_power_on(pv_sim_flash *f);
int pv_sim_flash_read(pv_sim_flash *f, uint32_t addr, uint8_t *out, size_t len) PV_MUST_CHECK;
int pv_sim_flash_program(pv_sim_flash *f, uint32_t addr, const uint8_t *in, size_t len)
    PV_MUST_CHECK;
int pv_sim_flash_erase(pv_sim_flash *f, uint32_t sector_addr) PV_MUST_CHECK;

/* ------------------------------------------------------------------ radio */

#define PV_SIM_RADIO_QUEUE 8u

/* One direction of the in-process radio: a bounded queue of frames. */
typedef struct pv_sim_queue {
    uint8_t frames[PV_SIM_RADIO_QUEUE][PV_MSG_MAX];
    uint16_t lens[PV_SIM_RADIO_QUEUE];
    unsigned head, count;
} pv_sim_queue;

/* An endpoint sends into `tx` and receives from `rx`, or, when fd >= 0, over a Unix
 * stream socket with frames prefixed by their length (u16 little-endian). */
typedef struct pv_sim_radio {
    pv_sim_queue *tx, *rx;
    int fd;
    uint64_t frames_sent, bytes_sent, frames_received, bytes_received;
} pv_sim_radio;

/* Connect two endpoints through the two queues (in-process). */
void pv_sim_radio_pair(pv_sim_radio *a, pv_sim_radio *b, pv_sim_queue *ab, pv_sim_queue *ba);
int pv_sim_radio_send(pv_sim_radio *r, const uint8_t *frame, size_t len) PV_MUST_CHECK;
/* PV_E_TIMEOUT when nothing is waiting (socket: waits up to timeout_ms). */
int pv_sim_radio_recv(pv_sim_radio *r, uint8_t *frame, size_t cap, size_t *len,
                      int timeout_ms) PV_MUST_CHECK;

/* Unix-socket transport. listen/accept/connect give an endpoint with fd set. */
int pv_sim_sock_listen(const char *path, int *listen_fd) PV_MUST_CHECK;
int pv_sim_sock_accept(int listen_fd, pv_sim_radio *r, int timeout_ms) PV_MUST_CHECK;
int pv_sim_sock_connect(const char *path, pv_sim_radio *r) PV_MUST_CHECK;
void pv_sim_sock_close(pv_sim_radio *r);
/* Raw framed I/O on a socket fd (used by pv-radio-mitm). */
int pv_sim_frame_write(int fd, const uint8_t *frame, size_t len) PV_MUST_CHECK;
int pv_sim_frame_read(int fd, uint8_t *frame, size_t cap, size_t *len, int timeout_ms)
    PV_MUST_CHECK;

/* ------------------------------------------------------------------ a simulated lock */

typedef struct pv_sim_lock {
    pv_sim_clock clock;
    pv_sim_flash flash;
    uint8_t flash_mem[PV_LOCK_FLASH_SIZE];
    pv_sim_radio radio;
    uint16_t battery_mv;
    uint32_t motor_opens;
    uint64_t rng_state; /* 0 = libsodium randombytes, else a deterministic stream */
    pv_lock_ops ops;
    _Alignas(16) uint8_t mem[20480]; /* pv_lock context (>= pv_lock_ctx_size(), checked at boot) */
    pv_lock *lock;
} pv_sim_lock;

/* Fresh hardware (blank flash) at true time unix_s; seed 0 for real randomness. */
void pv_sim_lock_init(pv_sim_lock *s, uint64_t unix_s, uint64_t seed);
/* Power-on: boot the core from the emulated flash (the clock's tick restarts at 0). */
int pv_sim_lock_boot(pv_sim_lock *s) PV_MUST_CHECK;

/* ------------------------------------------------------------------ a simulated key */

typedef struct pv_sim_key {
    pv_sim_clock clock;
    uint64_t rng_state;
    pv_key_ops ops;
    void *mem; /* caller's buffer of pv_key_mem_size(max_rights) */
    pv_key *key;
} pv_sim_key;

/* Set up a key with identity sign_sk in mem (size >= pv_key_mem_size(max_rights)). */
int pv_sim_key_init(pv_sim_key *s, void *mem, size_t size, uint32_t max_rights,
                    const uint8_t sign_sk[PV_SIGN_SK_SIZE], uint64_t unix_s, uint64_t seed)
    PV_MUST_CHECK;

/* ------------------------------------------------------------------ one unlock */

typedef struct pv_sim_unlock_stats {
    int lock_decision;    /* what pv_lock_handle() decided on M3 */
    int key_status;       /* what the key tells the user */
    size_t m1, m2, m3, m4; /* frame sizes (0 if not sent) */
    unsigned round_trips;
    uint64_t lock_ns;     /* CPU time inside pv_lock_handle() (both calls) */
} pv_sim_unlock_stats;

/* Press the key's button and run M1..M4 between a key and a lock in-process, with
 * `delay_ms` of true time between M2 and M3 (both clocks advance). Returns the key's
 * status (PV_OK = opened). */
int pv_sim_unlock(pv_sim_key *k, pv_sim_lock *l, uint32_t delay_ms, pv_sim_unlock_stats *st);

#ifdef __cplusplus
}
#endif
#endif
