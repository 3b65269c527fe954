/* Names and human-readable descriptions of every pv_err code. */
#include <stddef.h>

#include "portvakt/error.h"

typedef struct pv_err_info {
    int code;
    const char *name;
    const char *text;
} pv_err_info;

static const pv_err_info pv_err_table[] = {
    {PV_OK, "PV_OK", "success"},
    {PV_E_TRUNCATED, "PV_E_TRUNCATED", "input is shorter than its format requires"},
    {PV_E_LENGTH, "PV_E_LENGTH", "input is longer than, or not exactly, the expected length"},
    {PV_E_VERSION, "PV_E_VERSION", "unknown format version"},
    {PV_E_TYPE, "PV_E_TYPE", "wrong message or object type"},
    {PV_E_RESERVED, "PV_E_RESERVED", "a reserved field or flag bit is not zero"},
    {PV_E_RANGE, "PV_E_RANGE", "a field is outside its allowed range"},
    {PV_E_ORDER, "PV_E_ORDER", "entries are not strictly sorted as required"},
    {PV_E_BUFSIZE, "PV_E_BUFSIZE", "the output buffer is too small"},
    {PV_E_ARG, "PV_E_ARG", "invalid argument (programming error)"},
    {PV_E_CHECKSUM, "PV_E_CHECKSUM", "check digits do not match (mistyped)"},
    {PV_E_SIGNATURE, "PV_E_SIGNATURE", "signature does not verify"},
    {PV_E_UNKNOWN_ISSUER, "PV_E_UNKNOWN_ISSUER", "issuer is not trusted by this lock"},
    {PV_E_SCOPE, "PV_E_SCOPE", "issuer is trusted, but not for this lock"},
    {PV_E_PROOF, "PV_E_PROOF", "inclusion proof does not lead to the signed root"},
    {PV_E_POSSESSION, "PV_E_POSSESSION", "the key could not prove it holds its private key"},
    {PV_E_DECRYPT, "PV_E_DECRYPT", "message failed authentication (tampered or wrong key)"},
    {PV_E_CRYPTO, "PV_E_CRYPTO", "a cryptographic operation failed (e.g. invalid public key)"},
    {PV_E_WRONG_LOCK, "PV_E_WRONG_LOCK", "the presented right is for another lock"},
    {PV_E_EXPIRED, "PV_E_EXPIRED", "credential or access window has ended"},
    {PV_E_NOT_YET_VALID, "PV_E_NOT_YET_VALID", "credential or access window has not started"},
    {PV_E_REVOKED, "PV_E_REVOKED", "the key is blocked (revoked)"},
    {PV_E_CHALLENGE_EXPIRED, "PV_E_CHALLENGE_EXPIRED", "the answer came too late; try again"},
    {PV_E_BACKOFF, "PV_E_BACKOFF", "too many failed attempts; wait before trying again"},
    {PV_E_STATE, "PV_E_STATE", "message not expected in the current protocol state"},
    {PV_E_NO_RIGHT, "PV_E_NO_RIGHT", "the key holds no right for this lock"},
    {PV_E_NO_CREDENTIAL, "PV_E_NO_CREDENTIAL", "the key holds no credential; sync it first"},
    {PV_E_NOT_CONFIRMED, "PV_E_NOT_CONFIRMED", "no explicit user action (button or tap)"},
    {PV_E_LOCK_CLOCK, "PV_E_LOCK_CLOCK", "the lock's clock is outside the credential's window"},
    {PV_E_STALE, "PV_E_STALE", "update is not newer than what is already held"},
    {PV_E_CLOCK_FUTURE, "PV_E_CLOCK_FUTURE", "time beacon is too far ahead of the lock's clock"},
    {PV_E_CLOCK_BACK, "PV_E_CLOCK_BACK", "correction would move the clock back past tolerance"},
    {PV_E_CHAIN, "PV_E_CHAIN", "log hash chain does not link"},
    {PV_E_GAP, "PV_E_GAP", "log sequence numbers skip"},
    {PV_E_FLASH, "PV_E_FLASH", "flash read, write or erase failed"},
    {PV_E_CORRUPT, "PV_E_CORRUPT", "stored state failed its integrity check"},
    {PV_E_FULL, "PV_E_FULL", "a bounded table is full"},
    {PV_E_NOT_FOUND, "PV_E_NOT_FOUND", "no such object"},
    {PV_E_IO, "PV_E_IO", "radio, socket or file I/O failed"},
    {PV_E_TIMEOUT, "PV_E_TIMEOUT", "the other side did not answer in time"},
    {PV_E_NOMEM, "PV_E_NOMEM", "out of memory"},
};

static const pv_err_info *pv_err_find(int err)
{
    for (size_t i = 0; i < sizeof pv_err_table / sizeof pv_err_table[0]; i++)
        if (pv_err_table[i].code == err)
            return &pv_err_table[i];
    return NULL;
}

const char *pv_strerror(int err)
{
    const pv_err_info *e = pv_err_find(err);
    return e ? e->text : "unknown error";
}

const char *pv_errname(int err)
{
    const pv_err_info *e = pv_err_find(err);
    return e ? e->name : "PV_E_UNKNOWN";
}
