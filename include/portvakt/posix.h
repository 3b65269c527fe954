/* The POSIX port: pv_lock_ops and pv_key_ops over the host's real clocks, getrandom(),
 * a flash image file written through with fsync, and a radio over a stream (Unix socket
 * or serial line) carrying length-prefixed frames. */
#ifndef PORTVAKT_POSIX_H
#define PORTVAKT_POSIX_H

#include <stddef.h>
#include <stdint.h>

#include "portvakt/error.h"
#include "portvakt/key.h"
#include "portvakt/lock.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * One ops struct, several implementations: port/sim drives the cores from a virtual
 * clock, emulated flash and in-process queues (tests, simulator, benchmarks); this port
 * drives them from the machine they run on, so a lock can live in its own process on a
 * Linux board or a developer's laptop (`portvakt lock-serve`), and a Cortex-M port is the
 * same table again over its own peripherals.
 */

/* ------------------------------------------------------------------ clock and randomness */

/* CLOCK_MONOTONIC in milliseconds (never goes back; the lock's tick). */
uint64_t pv_posix_mono_ms(void);
/* CLOCK_REALTIME in unix seconds (the key's own clock). */
uint64_t pv_posix_wall_s(void);
/* len bytes from getrandom() (blocks only until the kernel's pool is first seeded).
 * PV_OK or PV_E_CRYPTO. */
int pv_posix_random(uint8_t *out, size_t len) PV_MUST_CHECK;

/* ------------------------------------------------------------------ flash image file */

/* A regular file of exactly PV_LOCK_FLASH_SIZE bytes behaves as the lock's NOR flash:
 * erase writes 0xFF over a sector, program ANDs the new bits into the old (1 -> 0 only),
 * and both are on disk (fdatasync) before they return, so the core's power-safe ring
 * and A/B config slots stay power-safe on a real machine. */
typedef struct pv_posix_flash {
    int fd; /* -1 when closed */
    uint32_t size, sector;
} pv_posix_flash;

/* Open an existing image (PV_E_NOT_FOUND if missing, PV_E_LENGTH if its size is not
 * PV_LOCK_FLASH_SIZE), or with create=1 make a new erased one, mode 0600 (the flash holds
 * the lock's signing key). PV_E_IO for any other failure. */
int pv_posix_flash_open(pv_posix_flash *f, const char *path, int create) PV_MUST_CHECK;
void pv_posix_flash_close(pv_posix_flash *f);
int pv_posix_flash_read(pv_posix_flash *f, uint32_t addr, uint8_t *out, size_t len)
    PV_MUST_CHECK;
int pv_posix_flash_program(pv_posix_flash *f, uint32_t addr, const uint8_t *in, size_t len)
    PV_MUST_CHECK;
int pv_posix_flash_erase(pv_posix_flash *f, uint32_t sector_addr) PV_MUST_CHECK;

/* ------------------------------------------------------------------ radio over a stream */

/* Frames on a stream fd are prefixed by their length (u16 little-endian, 1..PV_MSG_MAX),
 * the same framing as port/sim's socket radio, so a simulated key, pv-radio-mitm and a
 * POSIX lock talk to each other. Writes never raise SIGPIPE (PV_E_IO instead). */
int pv_posix_frame_write(int fd, const uint8_t *frame, size_t len) PV_MUST_CHECK;
/* Waits up to timeout_ms (-1: forever) for the first byte; PV_E_TIMEOUT if none came.
 * Once a frame has begun the rest gets a second; PV_E_TRUNCATED if it stops short,
 * PV_E_LENGTH for a length the stream cannot be trusted after, PV_E_IO on hang-up. */
int pv_posix_frame_read(int fd, uint8_t *frame, size_t cap, size_t *len, int timeout_ms)
    PV_MUST_CHECK;
/* Write all n bytes to a socket, pipe, serial line or file, retrying short writes and
 * EINTR; a socket whose peer hung up gives PV_E_IO (errno kept), never SIGPIPE. */
int pv_posix_write_all(int fd, const void *buf, size_t n) PV_MUST_CHECK;
/* PV_OK when fd is readable within timeout_ms, else PV_E_TIMEOUT or PV_E_IO. */
int pv_posix_wait_readable(int fd, int timeout_ms) PV_MUST_CHECK;

/* Unix stream sockets. listen unlinks a stale socket file first; accept waits up to
 * timeout_ms. PV_E_ARG for a path longer than sun_path, PV_E_IO otherwise. */
int pv_posix_sock_listen(const char *path, int *listen_fd) PV_MUST_CHECK;
int pv_posix_sock_accept(int listen_fd, int *fd, int timeout_ms) PV_MUST_CHECK;
int pv_posix_sock_connect(const char *path, int *fd) PV_MUST_CHECK;
/* A serial line (or a pseudo-terminal) in raw 8N1 mode at 115200 baud. */
int pv_posix_serial_open(const char *device, int *fd) PV_MUST_CHECK;

/* ------------------------------------------------------------------ a POSIX lock */

typedef struct pv_posix_lock {
    pv_posix_flash flash;
    int radio_fd;        /* connected stream for pv_lock_poll(), -1 when none */
    int recv_timeout_ms; /* how long radio_recv waits for a frame (default 0) */
    uint64_t boot_ms;    /* pv_posix_mono_ms() at boot: the tick starts at 0 there */
    uint16_t battery_mv; /* the host has no battery: reported as set (default 5600) */
    uint32_t motor_opens;
    pv_lock_ops ops;
    _Alignas(16) uint8_t mem[20480]; /* pv_lock context (>= pv_lock_ctx_size()) */
    pv_lock *lock;
} pv_posix_lock;

/* Open (or with create=1 make) the flash image and boot the core from it. Errors as
 * pv_posix_flash_open() and pv_lock_boot(). */
int pv_posix_lock_open(pv_posix_lock *p, const char *flash_path, int create) PV_MUST_CHECK;
/* Close the radio stream, if any, and the flash image (everything is already on disk). */
void pv_posix_lock_close(pv_posix_lock *p);

/* ------------------------------------------------------------------ a POSIX key */

typedef struct pv_posix_key {
    uint64_t boot_ms;
    pv_key_ops ops;
    pv_key *key;
} pv_posix_key;

/* Set up a key with identity sign_sk in mem (size >= pv_key_mem_size(max_rights)) on the
 * host's clocks and randomness. Errors as pv_key_init(). */
int pv_posix_key_init(pv_posix_key *p, void *mem, size_t size, uint32_t max_rights,
                      const uint8_t sign_sk[PV_SIGN_SK_SIZE]) PV_MUST_CHECK;

#ifdef __cplusplus
}
#endif
#endif
