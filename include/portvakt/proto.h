/* The Portvakt wire formats: credential, Merkle proofs, revocation list, time beacon,
 * lock log batch and the unlock exchange. Byte-exact description: docs/protocol.md. */
#ifndef PORTVAKT_PROTO_H
#define PORTVAKT_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "portvakt/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Conventions (see docs/protocol.md for the byte tables):
 *  - every integer on the wire is little-endian, read and written with explicit
 *    load/store helpers, never by casting bytes to structs;
 *  - every encoded object starts with a version byte (PV_PROTO_VERSION) and a type byte;
 *    the type byte also separates the signature domains of the signed objects;
 *  - reserved fields must be zero and are refused otherwise;
 *  - decoders check exact lengths: a buffer longer than the object is an error too;
 *  - nothing here allocates, reads a clock or draws random numbers: callers pass
 *    time and randomness in, so the same code runs on a lock, a key and the server.
 *  - hash H() is BLAKE2b-256 (crypto_generichash, 32-byte output).
 */

#define PV_PROTO_VERSION 1u

/* type bytes */
#define PV_T_CREDENTIAL 0x01u
#define PV_T_REVLIST 0x02u
#define PV_T_BEACON 0x03u
#define PV_T_LOGBATCH 0x05u
#define PV_T_HELLO 0x10u
#define PV_T_CHALLENGE 0x11u
#define PV_T_PRESENT 0x12u
#define PV_T_RESULT 0x13u

#define PV_HASH_SIZE 32u
#define PV_SIG_SIZE 64u
#define PV_PK_SIZE 32u      /* Ed25519 or X25519 public key */
#define PV_SIGN_SK_SIZE 64u /* libsodium Ed25519 secret key (seed || pk) */
#define PV_X_SK_SIZE 32u    /* X25519 secret scalar */

/* ---------------------------------------------------------------- access entries */

/*
 * One right inside a credential: lock id, a time window in whole minutes counted
 * from the credential's not_before (end exclusive), and flags. A bearer with
 * several windows at one lock has several entries. Entries are sorted strictly
 * by (lock_id, start_min).
 */
#define PV_ENTRY_SIZE 10u
#define PV_ENTRY_F_APARTMENT 0x0001u /* apartment door of a care recipient */
#define PV_ENTRY_F_ENTRANCE 0x0002u  /* building entrance, derived from an apartment right */
#define PV_ENTRY_F_COMMON 0x0004u    /* common space (laundry room ...), derived */
#define PV_ENTRY_F_ALARM 0x0008u     /* emergency right bound to an alarm */
#define PV_ENTRY_F_KNOWN 0x000Fu     /* every other bit is reserved and must be zero */

typedef struct pv_entry {
    uint32_t lock_id;
    uint16_t start_min; /* inclusive, minutes after not_before */
    uint16_t end_min;   /* exclusive; start_min < end_min */
    uint16_t flags;
} pv_entry;

void pv_entry_encode(const pv_entry *e, uint8_t out[PV_ENTRY_SIZE]);
/* Errors: PV_E_RANGE (start >= end), PV_E_RESERVED (unknown flag bits). */
int pv_entry_decode(const uint8_t in[PV_ENTRY_SIZE], pv_entry *e) PV_MUST_CHECK;
/* <0, 0, >0 as a sorts before, equal to, after b by (lock_id, start_min). */
int pv_entry_cmp(const pv_entry *a, const pv_entry *b);

/* ---------------------------------------------------------------- Merkle tree */

/*
 * leaf = H(0x00 || entry bytes); node = H(0x01 || left || right).
 * A level of m nodes becomes ceil(m/2) nodes; an unpaired last node is carried up
 * unchanged. The root of one leaf is that leaf's hash. The proof for leaf i lists,
 * bottom up, the sibling at each level where one exists; its length follows from
 * (i, n), so the verifier recomputes it and refuses any other count.
 */
#define PV_MERKLE_MAX_LEAVES (1u << 20)
#define PV_MERKLE_MAX_DEPTH 20u

void pv_merkle_leaf(const uint8_t entry[PV_ENTRY_SIZE], uint8_t out[PV_HASH_SIZE]);
void pv_merkle_node(const uint8_t left[PV_HASH_SIZE], const uint8_t right[PV_HASH_SIZE],
                    uint8_t out[PV_HASH_SIZE]);
/* Number of siblings in the proof of leaf `index` in a tree of `n` leaves (0 if out of range). */
unsigned pv_merkle_proof_len(uint32_t index, uint32_t n);
/* Root over n encoded entries (n * PV_ENTRY_SIZE bytes). Streaming, O(log n) stack, no heap.
 * Errors: PV_E_RANGE (n == 0 or n > PV_MERKLE_MAX_LEAVES). */
int pv_merkle_root(const uint8_t *entries, uint32_t n, uint8_t root[PV_HASH_SIZE]) PV_MUST_CHECK;
/* Proof of leaf `index` (O(n) hashing, no heap). Writes pv_merkle_proof_len() siblings. */
int pv_merkle_prove(const uint8_t *entries, uint32_t n, uint32_t index,
                    uint8_t siblings[][PV_HASH_SIZE], unsigned *nsiblings) PV_MUST_CHECK;
/* PV_OK if the entry at `index` of an n-leaf tree leads to `root`; else PV_E_PROOF/PV_E_RANGE. */
int pv_merkle_verify(const uint8_t entry[PV_ENTRY_SIZE], uint32_t index, uint32_t n,
                     const uint8_t siblings[][PV_HASH_SIZE], unsigned nsiblings,
                     const uint8_t root[PV_HASH_SIZE]) PV_MUST_CHECK;

/* ---------------------------------------------------------------- credential */

/* 112 signed bytes + Ed25519 signature by the issuer. */
#define PV_CRED_BODY_SIZE 112u
#define PV_CRED_SIZE (PV_CRED_BODY_SIZE + PV_SIG_SIZE) /* 176 */
#define PV_CRED_MAX_LIFETIME_S (48u * 3600u) /* a shift plus an offline night, with margin */

typedef struct pv_cred {
    uint32_t issuer_id;
    uint64_t serial;
    uint32_t bearer_id;
    uint32_t entry_count; /* leaves in the Merkle tree, 1..PV_MERKLE_MAX_LEAVES */
    uint64_t issued_at;   /* unix seconds; not_after - issued_at <= PV_CRED_MAX_LIFETIME_S */
    uint64_t not_before;
    uint64_t not_after;   /* exclusive */
    uint8_t bearer_pk[PV_PK_SIZE]; /* bearer's static X25519 public key */
    uint8_t root[PV_HASH_SIZE];
} pv_cred;

/* Encode and sign. Errors: PV_E_RANGE for an invalid window, count or lifetime. */
int pv_cred_sign(const pv_cred *c, const uint8_t issuer_sk[PV_SIGN_SK_SIZE],
                 uint8_t out[PV_CRED_SIZE]) PV_MUST_CHECK;
/* Structural decode (no signature check). len must equal PV_CRED_SIZE. */
int pv_cred_decode(const uint8_t *in, size_t len, pv_cred *c) PV_MUST_CHECK;
/* Signature check of an encoded credential: PV_OK or PV_E_SIGNATURE. */
int pv_cred_verify(const uint8_t in[PV_CRED_SIZE],
                   const uint8_t issuer_pk[PV_PK_SIZE]) PV_MUST_CHECK;

/* ---------------------------------------------------------------- revocation list */

/*
 * Issuer-signed, versioned. Entry: bearer_id and revoked_at; a credential of that
 * bearer issued at or before revoked_at is refused. An entry may be dropped once
 * revoked_at + PV_CRED_MAX_LIFETIME_S has passed (every such credential expired).
 * Entries sorted strictly by bearer_id.
 */
#define PV_REVLIST_HDR_SIZE 24u
#define PV_REVLIST_ENTRY_SIZE 12u
#define PV_REVLIST_MAX 128u
#define PV_REVLIST_MAX_SIZE (PV_REVLIST_HDR_SIZE + PV_REVLIST_MAX * PV_REVLIST_ENTRY_SIZE + PV_SIG_SIZE)

typedef struct pv_revoked {
    uint32_t bearer_id;
    uint64_t revoked_at;
} pv_revoked;

typedef struct pv_revlist {
    uint32_t issuer_id;
    uint64_t version; /* strictly increasing per issuer */
    uint64_t issued_at;
    uint16_t count;
    const uint8_t *entries; /* view into the decoded buffer: count * 12 bytes */
} pv_revlist;

int pv_revlist_sign(uint32_t issuer_id, uint64_t version, uint64_t issued_at,
                    const pv_revoked *entries, uint16_t count,
                    const uint8_t issuer_sk[PV_SIGN_SK_SIZE], uint8_t *out, size_t cap,
                    size_t *outlen) PV_MUST_CHECK;
/* Structural decode; checks exact length and strict ordering. The view points into `in`. */
int pv_revlist_decode(const uint8_t *in, size_t len, pv_revlist *rl) PV_MUST_CHECK;
int pv_revlist_verify(const uint8_t *in, size_t len,
                      const uint8_t issuer_pk[PV_PK_SIZE]) PV_MUST_CHECK;
void pv_revlist_get(const pv_revlist *rl, uint16_t i, pv_revoked *out);
/* PV_E_REVOKED if a credential of bearer_id issued at cred_issued_at is revoked, else PV_OK. */
int pv_revlist_check(const pv_revlist *rl, uint32_t bearer_id, uint64_t cred_issued_at) PV_MUST_CHECK;

/* ---------------------------------------------------------------- time beacon */

#define PV_BEACON_SIZE 80u

typedef struct pv_beacon {
    uint32_t issuer_id;
    uint64_t time; /* unix seconds when the issuer signed it */
} pv_beacon;

int pv_beacon_sign(const pv_beacon *b, const uint8_t issuer_sk[PV_SIGN_SK_SIZE],
                   uint8_t out[PV_BEACON_SIZE]) PV_MUST_CHECK;
int pv_beacon_decode(const uint8_t *in, size_t len, pv_beacon *b) PV_MUST_CHECK;
int pv_beacon_verify(const uint8_t in[PV_BEACON_SIZE],
                     const uint8_t issuer_pk[PV_PK_SIZE]) PV_MUST_CHECK;

/* ---------------------------------------------------------------- lock log */

#define PV_EVENT_SIZE 16u
#define PV_LOG_BATCH_MAX 40u /* keeps the lock's answer under 1 KiB */
#define PV_LOGBATCH_HDR_SIZE 40u
#define PV_LOGBATCH_MAX_SIZE (PV_LOGBATCH_HDR_SIZE + PV_LOG_BATCH_MAX * PV_EVENT_SIZE + PV_SIG_SIZE)

typedef enum pv_event_kind {
    PV_EV_OPEN = 1,       /* subject = bearer id, aux = entry flags */
    PV_EV_DENY = 2,       /* subject = bearer id (0 if unknown), reason = -pv_err */
    PV_EV_BATTERY = 3,    /* subject = millivolts, aux = percent */
    PV_EV_TAMPER = 4,     /* aux = tamper source */
    PV_EV_CLOCK = 5,      /* subject = new time (low 32 bits), aux = 1 forward / 2 back /
                           * 3 up to a verified credential's issue time / 4 up to a taken
                           * revocation list's issue time */
    PV_EV_REVLIST = 6,    /* subject = new list version (low 32 bits), aux = entries */
    PV_EV_BOOT = 7,       /* subject = boot count */
    PV_EV_COMMISSION = 8, /* subject = lock id */
    PV_EV_BACKOFF = 9     /* subject = failed attempts so far */
} pv_event_kind;

typedef struct pv_event {
    uint32_t seq;  /* consecutive from 0 for each lock */
    uint32_t time; /* lock clock, unix seconds */
    uint8_t kind;  /* pv_event_kind */
    uint8_t reason; /* -pv_err for denials, else 0 */
    uint16_t aux;
    uint32_t subject;
} pv_event;

void pv_event_encode(const pv_event *ev, uint8_t out[PV_EVENT_SIZE]);
int pv_event_decode(const uint8_t in[PV_EVENT_SIZE], pv_event *ev) PV_MUST_CHECK;
const char *pv_event_kind_name(unsigned kind);
/* chain: h_seq = H(0x02 || h_(seq-1) || event bytes); the value before seq 0 is 32 zero bytes. */
void pv_log_chain_next(const uint8_t prev[PV_HASH_SIZE], const uint8_t event[PV_EVENT_SIZE],
                       uint8_t out[PV_HASH_SIZE]);

typedef struct pv_logbatch {
    uint32_t lock_id;
    uint8_t count;
    const uint8_t *prev_hash; /* view: 32 bytes */
    const uint8_t *events;    /* view: count * 16 bytes, consecutive seq */
} pv_logbatch;

int pv_logbatch_sign(uint32_t lock_id, const uint8_t prev_hash[PV_HASH_SIZE],
                     const pv_event *events, uint8_t count,
                     const uint8_t lock_sk[PV_SIGN_SK_SIZE], uint8_t *out, size_t cap,
                     size_t *outlen) PV_MUST_CHECK;
/* Structural decode: exact length, 1..PV_LOG_BATCH_MAX events, consecutive seq numbers. */
int pv_logbatch_decode(const uint8_t *in, size_t len, pv_logbatch *b) PV_MUST_CHECK;
int pv_logbatch_verify(const uint8_t *in, size_t len,
                       const uint8_t lock_pk[PV_PK_SIZE]) PV_MUST_CHECK;
/* The chain value after the batch's last event (recomputed from prev_hash and the events). */
void pv_logbatch_chain_end(const pv_logbatch *b, uint8_t out[PV_HASH_SIZE]);

/* ---------------------------------------------------------------- unlock exchange */

/*
 * Two round trips, key (K) initiates, lock (L) answers:
 *   M1 HELLO      K->L  issuer id, key's ephemeral X25519 public key eK
 *   M2 CHALLENGE  L->K  lock id, lock clock, lock's revocation version and last beacon time
 *                       for that issuer, 16 random challenge bytes, lock's ephemeral eL
 *   M3 PRESENT    K->L  AEAD(k1) { credential, proof, optional revlist, optional beacon }
 *                       + 16-byte possession tag under k2
 *   M4 RESULT     L->K  AEAD(k2, or k1 when refused before possession was proven)
 *                       { status, lock clock, battery, optional signed log batch }
 * Transcript: h0 = H("portvakt-unlock-v1"), h1 = H(h0||M1), h2 = H(h1||M2),
 * k1 = H_key=X25519(eL,eK)("PV1k1"||h2), h3 = H(h2||M3 header||sealed inner),
 * k2 = H_key=X25519(eL,SK)("PV1k2"||k1||h3) where SK is the bearer's static key named in
 * the credential: only the holder of its private key can produce the tag.
 * Nonces: 24 zero bytes with the last byte 0 (M3 inner), 1 (tag), 2 (M4); every key is
 * fresh per session, so no (key, nonce) pair repeats.
 */
#define PV_HELLO_SIZE 40u
#define PV_CHALLENGE_SIZE 80u
#define PV_CHALLENGE_RAND 16u
#define PV_AEAD_TAG 16u
#define PV_MSG_MAX 3072u

typedef struct pv_hello {
    uint32_t issuer_id;
    uint8_t e_pk[PV_PK_SIZE];
} pv_hello;

typedef struct pv_challenge {
    uint32_t lock_id;
    uint64_t lock_time;
    uint64_t revlist_version; /* highest list the lock holds from that issuer, 0 if none */
    uint64_t beacon_time;     /* last accepted beacon time from that issuer, 0 if none */
    uint8_t nonce[PV_CHALLENGE_RAND];
    uint8_t e_pk[PV_PK_SIZE];
} pv_challenge;

/* What the key presents inside M3 (views point into the caller's or decoder's buffer). */
typedef struct pv_present {
    const uint8_t *cred;  /* PV_CRED_SIZE bytes */
    const uint8_t *entry; /* PV_ENTRY_SIZE bytes */
    uint32_t leaf_index;
    uint8_t nsiblings;
    const uint8_t *siblings; /* nsiblings * 32 bytes */
    const uint8_t *revlist;  /* NULL or an encoded revocation list */
    uint16_t revlist_len;
    const uint8_t *beacon;   /* NULL or PV_BEACON_SIZE bytes */
} pv_present;

typedef struct pv_result {
    int8_t status;       /* PV_OK or a negative pv_err: the lock's decision */
    uint64_t lock_time;
    uint16_t battery_mv;
    uint8_t flags;       /* PV_RESULT_F_* */
    const uint8_t *batch; /* NULL or an encoded, lock-signed log batch */
    uint16_t batch_len;
} pv_result;
#define PV_RESULT_F_REVLIST_TAKEN 0x01u
#define PV_RESULT_F_CLOCK_SET 0x02u
#define PV_RESULT_F_LOW_BATTERY 0x04u

/* Session state shared by both roles; wipe with pv_session_wipe() on every exit. */
typedef struct pv_session {
    uint8_t h[PV_HASH_SIZE]; /* running transcript hash */
    uint8_t k1[32];
    uint8_t k2[32];
    uint8_t e_sk[PV_X_SK_SIZE];
    uint8_t e_pk[PV_PK_SIZE];
    uint8_t peer_e_pk[PV_PK_SIZE];
    uint8_t dh_static[32]; /* key side: X25519(bearer, eL) kept from M2 until k2 is made */
    uint8_t have_k1, have_k2;
    uint8_t state; /* internal step counter: refuses out-of-order calls (nonce reuse) */
} pv_session;

void pv_session_wipe(pv_session *s);

int pv_hello_encode(const pv_hello *m, uint8_t out[PV_HELLO_SIZE]);
int pv_hello_decode(const uint8_t *in, size_t len, pv_hello *m) PV_MUST_CHECK;
int pv_challenge_encode(const pv_challenge *m, uint8_t out[PV_CHALLENGE_SIZE]);
int pv_challenge_decode(const uint8_t *in, size_t len, pv_challenge *m) PV_MUST_CHECK;

/* Key side. `rand32` is 32 fresh random bytes for the ephemeral secret. */
int pv_key_hs_start(pv_session *s, uint32_t issuer_id, const uint8_t rand32[32],
                    uint8_t m1[PV_HELLO_SIZE]) PV_MUST_CHECK;
/* Absorb M2 (decoded into *ch), derive k1 and k2 with the bearer's static X25519 secret. */
int pv_key_hs_challenge(pv_session *s, const uint8_t *m2, size_t m2_len, pv_challenge *ch,
                        const uint8_t bearer_x_sk[PV_X_SK_SIZE]) PV_MUST_CHECK;
/* Build M3 from *p. */
int pv_key_hs_present(pv_session *s, const pv_present *p, uint8_t *m3, size_t cap,
                      size_t *m3_len) PV_MUST_CHECK;
/* Open M4 into *r; the plaintext lands in `scratch` (views in *r point into it).
 * A RESULT sealed under k1 that claims PV_OK or carries a log batch is refused with
 * PV_E_STATE: only a lock that checked the possession tag (and so holds k2) can report an
 * open or hand over its log. */
int pv_key_hs_result(pv_session *s, const uint8_t *m4, size_t m4_len, uint8_t *scratch,
                     size_t scratch_cap, pv_result *r) PV_MUST_CHECK;

/* Lock side. Absorb M1, build M2 from *ch (nonce and lock fields filled by the caller;
 * e_pk is filled here from rand32). */
int pv_lock_hs_hello(pv_session *s, const uint8_t *m1, size_t m1_len, pv_hello *hello)
    PV_MUST_CHECK;
int pv_lock_hs_challenge(pv_session *s, pv_challenge *ch, const uint8_t rand32[32],
                         uint8_t m2[PV_CHALLENGE_SIZE]) PV_MUST_CHECK;
/* The same with the lock's static X25519 key pair (derived once at boot from its
 * identity key) in place of a per-session ephemeral: the lock then spends two X25519
 * operations per unlock instead of three. Freshness comes from the 16 random challenge
 * bytes bound into the transcript, so no (key, nonce) pair repeats. The lock core uses
 * this one; see docs/protocol.md, "Lock key". */
int pv_lock_hs_challenge_static(pv_session *s, pv_challenge *ch,
                                const uint8_t x_sk[PV_X_SK_SIZE],
                                const uint8_t x_pk[PV_PK_SIZE], uint8_t m2[PV_CHALLENGE_SIZE])
    PV_MUST_CHECK;
/* Open M3's sealed inner part under k1 into `scratch` and decode it into *p (views into
 * scratch). Does not check the possession tag: call pv_lock_hs_possession() once the
 * credential (and so the bearer's public key) has been checked. */
int pv_lock_hs_open(pv_session *s, const uint8_t *m3, size_t m3_len, uint8_t *scratch,
                    size_t scratch_cap, pv_present *p) PV_MUST_CHECK;
/* Derive k2 from the lock's ephemeral secret and bearer_pk, then check M3's tag
 * (constant time). PV_OK or PV_E_POSSESSION. */
int pv_lock_hs_possession(pv_session *s, const uint8_t *m3, size_t m3_len,
                          const uint8_t bearer_pk[PV_PK_SIZE]) PV_MUST_CHECK;
/* The same with the static Diffie-Hellman X25519(lock x_sk, bearer_pk) given instead of
 * computed: the lock's repeat cache keeps it per bearer key (docs/lock.md, "Repeat
 * unlocks"). Only for sessions from pv_lock_hs_challenge_static(). */
int pv_lock_hs_possession_dh(pv_session *s, const uint8_t *m3, size_t m3_len,
                             const uint8_t dh[32]) PV_MUST_CHECK;
/* Seal M4 under k2 when possession was proven, else under k1. Refuses (PV_E_STATE) to
 * seal status PV_OK or a log batch without proven possession, and a second RESULT in one
 * session.
 * Every handshake call out of order returns PV_E_STATE. */
int pv_lock_hs_result(pv_session *s, const pv_result *r, uint8_t *m4, size_t cap,
                      size_t *m4_len) PV_MUST_CHECK;

/* ---------------------------------------------------------------- helpers */

/* Bearer identity: one Ed25519 key pair (used to sign at sync) whose X25519 form is the
 * static key named in credentials. */
int pv_bearer_x_keys(const uint8_t sign_sk[PV_SIGN_SK_SIZE], uint8_t x_sk[PV_X_SK_SIZE],
                     uint8_t x_pk[PV_PK_SIZE]) PV_MUST_CHECK;
int pv_bearer_x_pk(const uint8_t sign_pk[PV_PK_SIZE], uint8_t x_pk[PV_PK_SIZE]) PV_MUST_CHECK;


/* ------------------------------------------------------------------ typed public keys */

/*
 * A public key as people type or scan it: 64 hex digits and 6 check digits,
 * "<64 hex>-<6 hex>", and on a label's QR code the same behind "portvakt:<kind>:"
 * (kind lock, key or station). The check digits are the first 3 bytes of a BLAKE2b hash of
 * the key, so a mistyped, dropped-and-added or swapped digit is caught before the key is
 * used (all but one in 16.7 million typos). Text only, nothing secret.
 */
typedef enum pv_pkcode_kind {
    PV_PKCODE_ANY = 0, /* no "portvakt:<kind>:" prefix */
    PV_PKCODE_LOCK = 1,
    PV_PKCODE_KEY = 2,
    PV_PKCODE_STATION = 3,
} pv_pkcode_kind;

#define PV_PKCODE_CHECK_DIGITS 6
#define PV_PKCODE_TEXT_SIZE 96 /* "portvakt:station:" (17) + 64 + 1 + 6 + NUL, rounded up */
#define PV_PKCODE_MAX_INPUT 256 /* longer input is refused unread (PV_E_LENGTH) */

/* Writes `pk` as "<hex>-<check>", behind "portvakt:<kind>:" unless kind is PV_PKCODE_ANY.
 * PV_E_ARG for an unknown kind. */
int pv_pkcode_format(const uint8_t pk[PV_PK_SIZE], pv_pkcode_kind kind,
                     char out[PV_PKCODE_TEXT_SIZE]) PV_MUST_CHECK;

/*
 * Reads what a person typed or a scanner sent: case, spaces, tabs, hyphens and colons
 * between digits do not matter. On PV_OK, pk holds the key and *kind the label's kind
 * (PV_PKCODE_ANY without a prefix). Errors, nothing written to pk: PV_E_TRUNCATED exactly 64
 * digits (no check digits: typed without them), PV_E_CHECKSUM check digits do not match
 * (a typo), PV_E_LENGTH any other number of digits or input over PV_PKCODE_MAX_INPUT,
 * PV_E_RANGE a character that is not a hex digit or separator, PV_E_TYPE an unknown kind.
 * Whether the key is a valid Ed25519 point is the caller's check.
 */
int pv_pkcode_parse(const char *in, size_t len, uint8_t pk[PV_PK_SIZE],
                    pv_pkcode_kind *kind) PV_MUST_CHECK;

#ifdef __cplusplus
}
#endif
#endif
