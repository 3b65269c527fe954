/* Error codes shared by every Portvakt library, and their human-readable names. */
#ifndef PORTVAKT_ERROR_H
#define PORTVAKT_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define PV_MUST_CHECK __attribute__((warn_unused_result))
#else
#define PV_MUST_CHECK
#endif

/* PV_ASSERT: for programmer errors only, never for input (input gets an error code). It
 * traps through a compiler builtin instead of <assert.h>, so the firmware cores still
 * import nothing from libc; NDEBUG builds (and compilers without the builtin) compile it
 * out. */
#if defined(NDEBUG)
#define PV_ASSERT(x) ((void)0)
#elif defined(__GNUC__) || defined(__clang__)
#define PV_ASSERT(x) ((x) ? (void)0 : __builtin_trap())
#else
#define PV_ASSERT(x) ((void)0)
#endif

/*
 * Every fallible function returns PV_OK (0) or one negative pv_err. Each
 * failure has its own code so that a lock, a key, a log line and a test can
 * all say exactly what went wrong. Codes are part of the wire protocol where
 * a lock reports a refusal reason (as the absolute value, one byte), so never
 * renumber an existing code; append new ones before PV_E__COUNT.
 */
typedef enum pv_err {
    PV_OK = 0,

    /* framing and decoding (deny by default) */
    PV_E_TRUNCATED = -1,        /* input shorter than its format requires */
    PV_E_LENGTH = -2,           /* input longer than, or not exactly, the expected length */
    PV_E_VERSION = -3,          /* unknown format version */
    PV_E_TYPE = -4,             /* wrong message or object type byte */
    PV_E_RESERVED = -5,         /* a reserved field or flag bit is not zero */
    PV_E_RANGE = -6,            /* a field is outside its allowed range */
    PV_E_ORDER = -7,            /* entries not strictly sorted as required */
    PV_E_BUFSIZE = -8,          /* caller's output buffer is too small */
    PV_E_ARG = -9,              /* invalid argument from the caller (programmer error) */
    PV_E_CHECKSUM = -10,        /* typed text's check digits do not match: a typo */

    /* authentication */
    PV_E_SIGNATURE = -20,       /* issuer or lock signature does not verify */
    PV_E_UNKNOWN_ISSUER = -21,  /* issuer id not trusted by this lock */
    PV_E_SCOPE = -22,           /* issuer is trusted, but not for this lock id */
    PV_E_PROOF = -23,           /* inclusion proof does not lead to the signed root */
    PV_E_POSSESSION = -24,      /* bearer failed to prove it holds its private key */
    PV_E_DECRYPT = -25,         /* AEAD authentication failed (tampered or wrong key) */
    PV_E_CRYPTO = -26,          /* a primitive failed (e.g. low-order X25519 point) */

    /* authorization decisions at the door */
    PV_E_WRONG_LOCK = -40,      /* the presented right is for another lock */
    PV_E_EXPIRED = -41,         /* credential or access window has ended */
    PV_E_NOT_YET_VALID = -42,   /* credential or access window has not started */
    PV_E_REVOKED = -43,         /* bearer is on the lock's revocation list */
    PV_E_CHALLENGE_EXPIRED = -44, /* answer arrived after the challenge's lifetime */
    PV_E_BACKOFF = -45,         /* too many failed attempts: wait before trying again */
    PV_E_STATE = -46,           /* message not expected in the current protocol state */
    PV_E_NO_RIGHT = -47,        /* the key holds no right for this lock */
    PV_E_NO_CREDENTIAL = -48,   /* the key holds no credential */
    PV_E_NOT_CONFIRMED = -49,   /* no explicit user action (button or tap) */
    PV_E_LOCK_CLOCK = -50,      /* the lock's clock is outside the credential window */

    /* revocation list and clock updates */
    PV_E_STALE = -60,           /* update is not newer than what is already held */
    PV_E_CLOCK_FUTURE = -61,    /* time beacon too far ahead of the lock's clock */
    PV_E_CLOCK_BACK = -62,      /* correction would move the clock back past tolerance */

    /* logs */
    PV_E_CHAIN = -70,           /* log hash chain does not link */
    PV_E_GAP = -71,             /* log sequence numbers skip */

    /* storage and platform */
    PV_E_FLASH = -80,           /* flash read/write/erase failed */
    PV_E_CORRUPT = -81,         /* stored state failed its integrity check */
    PV_E_FULL = -82,            /* a bounded table is full */
    PV_E_NOT_FOUND = -83,       /* no such object */
    PV_E_IO = -84,              /* radio, socket or file I/O failed */
    PV_E_TIMEOUT = -85,         /* peer did not answer in time */
    PV_E_NOMEM = -86,           /* allocation failed (hosted code only) */

    PV_E__COUNT = -87
} pv_err;

/* A short English description of `err`, never NULL (unknown codes get a generic text). */
const char *pv_strerror(int err);

/* The symbolic name of `err` ("PV_E_EXPIRED"), never NULL; for logs and JSON. */
const char *pv_errname(int err);

#ifdef __cplusplus
}
#endif
#endif
