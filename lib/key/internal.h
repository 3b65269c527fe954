/* The bearer core's private state and the functions its files share (not a public API). */
#ifndef PV_KEY_INTERNAL_H
#define PV_KEY_INTERNAL_H

#include <stdint.h>

#include "portvakt/key.h"

#define KEY_BLOCK (1u << PV_KEY_CACHE_LEVEL) /* leaves per cached subtree */

struct pv_key {
    const pv_key_ops *ops;
    pv_key_state state;
    uint8_t sign_sk[PV_SIGN_SK_SIZE], sign_pk[PV_PK_SIZE];
    uint8_t x_sk[PV_X_SK_SIZE], x_pk[PV_PK_SIZE];
    uint32_t max_rights;

    uint8_t issuer_pinned;
    uint32_t issuer_id;
    uint8_t issuer_pk[PV_PK_SIZE];

    /* credential and rights */
    uint8_t cred[PV_CRED_SIZE];
    pv_cred c;
    uint32_t n;
    uint8_t *entries;              /* max_rights * PV_ENTRY_SIZE, in the caller's buffer */
    uint8_t (*cache)[PV_HASH_SIZE]; /* levels PV_KEY_CACHE_LEVEL.. up to the root */
    uint32_t level_off[PV_MERKLE_MAX_DEPTH + 1], level_n[PV_MERKLE_MAX_DEPTH + 1];
    unsigned nlevels;

    /* updates carried to locks */
    uint8_t revlist[PV_REVLIST_MAX_SIZE];
    uint16_t revlist_len;
    uint64_t revlist_version;
    uint32_t revlist_issuer; /* versions and times only compare within one issuer */
    uint8_t beacon[PV_BEACON_SIZE];
    uint64_t beacon_time; /* 0 = none */
    uint32_t beacon_issuer;

    /* unlock */
    uint8_t confirmed;
    uint64_t confirm_at;
    pv_session s;
    uint64_t started_at; /* tick of M1: answers later than PV_KEY_SESSION_MS are refused */
    uint32_t lock_id;
    int local_reason;
    uint8_t delivering;
    uint8_t scratch[PV_MSG_MAX];

    /* own log and collected lock batches */
    pv_key_log_entry log[PV_KEY_LOG_MAX];
    uint32_t log_head, log_count, log_seq;
    uint8_t batches[PV_KEY_BATCH_MAX][PV_LOGBATCH_MAX_SIZE];
    uint16_t batch_len[PV_KEY_BATCH_MAX];
    uint32_t batch_head, batch_count, batch_dropped;
};

/* rights.c */
size_t pv_key_cache_nodes(uint32_t max_rights);
void pv_key_build_cache(pv_key *k);
/* Index of the right for lock_id whose window covers time t (unix s), or -1; *any is set
 * when the key holds some right for that lock. */
int64_t pv_key_find_right(const pv_key *k, uint32_t lock_id, uint64_t t, int *any);
/* 1 if a right for lock_id starts after time t (and inside the credential), else 0. */
int pv_key_right_later(const pv_key *k, uint32_t lock_id, uint64_t t);

/* key.c */
void pv_key_log(pv_key *k, uint32_t lock_id, int opened, int reason);
void pv_key_store_batch(pv_key *k, const uint8_t *b, size_t len);

#endif
