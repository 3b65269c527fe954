/* The station's durable upload queue: one checksummed file per LOGS item, written with
 * temp file + fsync + rename, removed only after the server acknowledged it. */
#ifndef PVST_QUEUE_H
#define PVST_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "link.h"

#define PVST_QITEM_MAGIC "PVQ1"
#define PVST_QITEM_OVERHEAD (4u + 4u + 4u + 32u) /* magic, length, bearer id, BLAKE2b-256 */
#define PVST_QITEM_MAX (PVST_QITEM_OVERHEAD + 8u + PVST_LOGS_MAX_EVENTS * PVST_BEV_SIZE + \
                        PVST_LOGS_MAX_BATCHES * (2u + PV_LOGBATCH_MAX_SIZE))

typedef struct pvst_queue {
    char dir[512];
    uint64_t next_seq;
} pvst_queue;

/* Creates dir (and dir/rejected) if needed, removes temp files a crash left behind and
 * finds the next sequence number. PV_E_IO with errno set on failure. */
int pvst_queue_open(pvst_queue *q, const char *dir) PV_MUST_CHECK;
/* Stores one item durably: returns PV_OK only after the file and its directory entry
 * are on disk, so the caller may then acknowledge the item to the key. */
int pvst_queue_put(pvst_queue *q, uint32_t bearer_id, const uint8_t *logs,
                   size_t len) PV_MUST_CHECK;
/* Up to max queued sequence numbers, oldest first; *n receives the count. */
int pvst_queue_list(const pvst_queue *q, uint64_t *seqs, size_t max, size_t *n) PV_MUST_CHECK;
/* Reads the whole file of item seq into buf. */
int pvst_queue_read(const pvst_queue *q, uint64_t seq, uint8_t *buf, size_t cap,
                    size_t *len) PV_MUST_CHECK;
/* Deletes an item the server acknowledged (unlink, then fsync of the directory). */
int pvst_queue_drop(const pvst_queue *q, uint64_t seq) PV_MUST_CHECK;
/* Moves an item the server refused as malformed to dir/rejected/ for an operator. */
int pvst_queue_reject(const pvst_queue *q, uint64_t seq) PV_MUST_CHECK;
size_t pvst_queue_count(const pvst_queue *q);

/* File codec: magic "PVQ1" | u32le n | u32le bearer id | LOGS payload (n - 4 bytes) |
 * BLAKE2b-256 over everything before it. */
int pvst_qitem_encode(uint32_t bearer_id, const uint8_t *logs, size_t len, uint8_t *out,
                      size_t cap, size_t *outlen) PV_MUST_CHECK;
/* Checks magic, exact length, checksum and the LOGS payload; views point into `in`. */
int pvst_qitem_decode(const uint8_t *in, size_t len, uint32_t *bearer_id,
                      pvst_logs *lg) PV_MUST_CHECK;

#endif
