/* The station's local link to keys: length-prefixed frames over a byte stream (a Unix
 * socket standing in for USB/NFC), their payload codecs, and the key side of a session. */
#ifndef PVST_LINK_H
#define PVST_LINK_H

#include <stddef.h>
#include <stdint.h>

#include "portvakt/error.h"
#include "portvakt/proto.h"

/*
 * Frame: u32le n, then n bytes = type byte + payload. n is 1..PVST_FRAME_MAX.
 * Byte tables and the session order: docs/station.md.
 */
#define PVST_FRAME_MAX (1u << 20) /* a sync answer with ~100 k access entries */
#define PVST_STATUS_MAX 512u      /* one human-readable line for the key's display */
#define PVST_LOGS_MAX_EVENTS 256u
#define PVST_LOGS_MAX_BATCHES 64u
#define PVST_BEV_SIZE 18u /* one bearer event on the link */

typedef enum pvst_ftype {
    PVST_F_HELLO = 1,     /* key -> station: bearer id, current credential's end */
    PVST_F_CHALLENGE = 2, /* station -> key: server nonce to sign */
    PVST_F_SIGN = 3,      /* key -> station: bearer's sync signature */
    PVST_F_SYNCED = 4,    /* station -> key: the server's sync answer */
    PVST_F_STATUS = 5,    /* station -> key: outcome code + message for the display */
    PVST_F_LOGS = 6,      /* key -> station: bearer events + collected lock batches */
    PVST_F_ACK = 7,       /* station -> key: the LOGS item is on disk (after fsync) */
    PVST_F_BYE = 8,       /* key -> station: session over */
    PVST_F_ENROL = 9      /* key -> station, first frame of a key not yet registered: kind,
                           * public key and its proof; the station answers STATUS ENROL */
} pvst_ftype;

typedef enum pvst_status_code {
    PVST_ST_SYNCED = 0,  /* new credential delivered */
    PVST_ST_BLOCKED = 1, /* key reported lost or retired */
    PVST_ST_OFFLINE = 2, /* no uplink: the key keeps what it has */
    PVST_ST_REFUSED = 3, /* server refused for another reason (detail says why) */
    PVST_ST_ERROR = 4,   /* station-side failure */
    PVST_ST_LOGS = 5,    /* logs-only session: ready for LOGS */
    PVST_ST_ENROL = 6    /* a new key: the text carries the code the planner types */
} pvst_status_code;

/* Byte stream under the frames; both calls move exactly len bytes or fail with
 * PV_E_IO (closed or broken) / PV_E_TIMEOUT. Tests and the simulator supply their own. */
typedef struct pvst_link_ops {
    void *ctx;
    int (*read)(void *ctx, uint8_t *buf, size_t len);
    int (*write)(void *ctx, const uint8_t *buf, size_t len);
} pvst_link_ops;

/* Unix-socket implementation: ctx is a pointer to pvst_fd_link. */
typedef struct pvst_fd_link {
    int fd;
    int timeout_ms; /* per read/write wait */
} pvst_fd_link;
void pvst_fd_link_init(pvst_fd_link *fl, int fd, int timeout_ms, pvst_link_ops *ops);

int pvst_frame_send(const pvst_link_ops *l, uint8_t type, const uint8_t *payload,
                    size_t len) PV_MUST_CHECK;
/* Reads one frame into buf (payload only). PV_E_LENGTH if it is empty or bigger than cap
 * or PVST_FRAME_MAX (the stream is then out of step: close it). */
int pvst_frame_recv(const pvst_link_ops *l, uint8_t *type, uint8_t *buf, size_t cap,
                    size_t *len) PV_MUST_CHECK;

/* ---- payloads. Decoders check exact lengths; views point into the caller's buffer. */

typedef struct pvst_hello {
    uint32_t bearer_id;
    uint64_t have_until; /* not_after of the credential the key holds, 0 if none */
    uint8_t flags;       /* PVST_HELLO_F_* */
} pvst_hello;
#define PVST_HELLO_SIZE 13u
#define PVST_HELLO_F_LOGS_ONLY 0x01u /* end of shift: hand over logs, no new credential */
void pvst_hello_encode(const pvst_hello *h, uint8_t out[PVST_HELLO_SIZE]);
int pvst_hello_decode(const uint8_t *in, size_t len, pvst_hello *h) PV_MUST_CHECK;

/* ENROL: u8 kind (0 fob, 1 phone) | public key (32) | Ed25519 signature (64) by that key
 * over "portvakt-enrol-v1" || 0x00 || public key — the key proves it holds the private half. */
typedef struct pvst_enrol {
    uint8_t kind;
    uint8_t pk[32];
    uint8_t sig[PV_SIG_SIZE];
} pvst_enrol;
#define PVST_ENROL_SIZE (1u + 32u + PV_SIG_SIZE)
void pvst_enrol_encode(const pvst_enrol *e, uint8_t out[PVST_ENROL_SIZE]);
int pvst_enrol_decode(const uint8_t *in, size_t len, pvst_enrol *e) PV_MUST_CHECK;

typedef struct pvst_synced {
    uint64_t valid_from, valid_until;
    uint32_t doors;
    const uint8_t *cred;    /* PV_CRED_SIZE */
    const uint8_t *beacon;  /* PV_BEACON_SIZE */
    const uint8_t *revlist; /* revlist_len bytes, may be 0 */
    uint16_t revlist_len;
    const uint8_t *entries; /* entry_count * PV_ENTRY_SIZE */
    uint32_t entry_count;
} pvst_synced;
#define PVST_SYNCED_FIXED (8u + 8u + 4u + PV_CRED_SIZE + PV_BEACON_SIZE + 2u + 4u)
int pvst_synced_encode(const pvst_synced *s, uint8_t *out, size_t cap,
                       size_t *outlen) PV_MUST_CHECK;
int pvst_synced_decode(const uint8_t *in, size_t len, pvst_synced *s) PV_MUST_CHECK;

typedef struct pvst_status {
    uint8_t code; /* pvst_status_code */
    char text[PVST_STATUS_MAX + 1];
} pvst_status;
int pvst_status_encode(const pvst_status *s, uint8_t *out, size_t cap,
                       size_t *outlen) PV_MUST_CHECK;
int pvst_status_decode(const uint8_t *in, size_t len, pvst_status *s) PV_MUST_CHECK;

typedef struct pvst_bev {
    uint32_t seq;
    uint64_t time;
    uint8_t kind; /* 1 open, 2 refused */
    uint32_t lock_id;
    uint8_t reason; /* -pv_err of a refusal, 0 otherwise */
} pvst_bev;
#define PVST_BEV_OPEN 1u
#define PVST_BEV_REFUSED 2u

typedef struct pvst_logs {
    uint32_t item_id; /* the key's own counter, echoed in the ACK */
    uint16_t nevents;
    const uint8_t *events; /* nevents * PVST_BEV_SIZE */
    uint16_t nbatches;
    const uint8_t *batch[PVST_LOGS_MAX_BATCHES];
    uint16_t batch_len[PVST_LOGS_MAX_BATCHES];
} pvst_logs;
/* Every batch is checked with pv_logbatch_decode (structure only: the server verifies
 * the lock's signature, the station cannot). */
int pvst_logs_decode(const uint8_t *in, size_t len, pvst_logs *lg) PV_MUST_CHECK;
int pvst_logs_encode(const pvst_logs *lg, uint8_t *out, size_t cap,
                     size_t *outlen) PV_MUST_CHECK;
void pvst_bev_encode(const pvst_bev *e, uint8_t out[PVST_BEV_SIZE]);
int pvst_bev_decode(const uint8_t in[PVST_BEV_SIZE], pvst_bev *e) PV_MUST_CHECK;

/* ---- key side of a session (used by tests and portvakt-sim). */

/* Signs the sync challenge for bearer_id: out = bearer's Ed25519 signature over
 * "portvakt-sync-v1" || 0x00 || nonce || bearer_id (u32le). */
typedef int (*pvst_sign_fn)(void *ctx, const uint8_t nonce[32], uint32_t bearer_id,
                            uint8_t sig[PV_SIG_SIZE]);
/* Helper: the message above, built and signed with a libsodium secret key. */
int pvst_sync_sign(const uint8_t sk[PV_SIGN_SK_SIZE], const uint8_t nonce[32],
                   uint32_t bearer_id, uint8_t sig[PV_SIG_SIZE]) PV_MUST_CHECK;

/* HELLO, then (if challenged) SIGN. With PVST_HELLO_F_LOGS_ONLY the station answers a
 * STATUS at once. On a new credential *got_sync is 1 and `syncbuf`
 * holds the SYNCED payload decoded into *sync. *st always receives the station's status.
 * Returns PV_OK when the exchange ran (whatever the outcome), else a link error. */
int pvst_key_sync(const pvst_link_ops *l, const pvst_hello *h, pvst_sign_fn sign, void *sctx,
                  uint8_t *syncbuf, size_t cap, pvst_synced *sync, int *got_sync,
                  pvst_status *st) PV_MUST_CHECK;
/* Sends one LOGS item and waits for its ACK: PV_OK means the station holds it durably. */
int pvst_key_send_logs(const pvst_link_ops *l, const pvst_logs *lg) PV_MUST_CHECK;
int pvst_key_bye(const pvst_link_ops *l) PV_MUST_CHECK;
/* A new key's ENROL frame for the Ed25519 key pair sk (pk is its second half), kind 0 fob
 * or 1 phone. */
int pvst_enrol_make(const uint8_t sk[PV_SIGN_SK_SIZE], uint8_t kind, pvst_enrol *e) PV_MUST_CHECK;
/* Sends ENROL and receives the station's STATUS into *st (PVST_ST_ENROL with the code in its
 * text, or why not). Returns PV_OK when the exchange ran, else a link error. */
int pvst_key_enrol(const pvst_link_ops *l, const pvst_enrol *e, pvst_status *st) PV_MUST_CHECK;
/* Connects to the station's key socket; returns the fd or -1. */
int pvst_key_connect(const char *path);

#endif
