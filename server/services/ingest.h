/* Log ingestion: lock-signed event batches (verified with the lock's registered key,
 * chain-checked against what is stored, stored idempotently on (lock id, seq), gaps
 * tracked per lock) and bearer events (idempotent on (bearer id, seq)). */
#ifndef PVS_INGEST_H
#define PVS_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "../rules/gaps.h"
#include "portvakt/proto.h"
#include "pvs/store.h"

#define PVS_INGEST_REFUSED 1     /* input refused; res->type and res->detail say why */
#define PVS_INGEST_MAX_LOCKS 256 /* distinct locks per upload */
#define PVS_INGEST_MAX_GAPS 256  /* gap ranges reported per upload */

typedef struct pvs_gap_report {
    uint32_t lock_id;
    uint32_t from_seq, to_seq;
} pvs_gap_report;

enum { PVS_INGEST_ST_LOOKUP, PVS_INGEST_ST_EVENT, PVS_INGEST_ST_LOCK, PVS_INGEST_ST_COUNT };

/* Counts and refusal of one upload; also holds the upload's prepared statements, so
 * always end with pvs_ingest_done(). Zero-initialise before the first call. */
typedef struct pvs_ingest_result {
    int64_t stored;
    int64_t duplicates;
    uint32_t locks[PVS_INGEST_MAX_LOCKS]; /* touched, for the gap report */
    size_t nlocks;
    const char *type;  /* problem type on refusal ("bad-log-batch", ...) */
    char detail[256];  /* for the person at the station */
    pvs_stmt st[PVS_INGEST_ST_COUNT];
    unsigned char ready[PVS_INGEST_ST_COUNT];
} pvs_ingest_result;

/* Finalizes the upload's prepared statements (before commit or rollback is fine). */
void pvs_ingest_done(pvs_ingest_result *res);

/* Stores one encoded lock batch. Run inside a write transaction; on PVS_INGEST_REFUSED
 * or an error the caller rolls back, so an upload is stored entirely or not at all.
 * Returns PVS_DB_OK, PVS_INGEST_REFUSED or a negative store code. */
int pvs_ingest_lock_batch(pvs_db *db, const uint8_t *batch, size_t len, int64_t now,
                          pvs_ingest_result *res) PV_MUST_CHECK;

typedef struct pvs_bearer_event {
    uint32_t bearer_id;
    uint32_t seq;
    int64_t time;
    int open;          /* 1 open, 0 refused */
    uint32_t lock_id;
    const char *reason; /* NULL or a PV_E_* name */
} pvs_bearer_event;

/* Stores one bearer event; `provider_id` (non-zero) requires the bearer to belong to it.
 * Returns PVS_DB_OK, PVS_INGEST_REFUSED or a negative store code. */
int pvs_ingest_bearer_event(pvs_db *db, const pvs_bearer_event *e, int64_t provider_id,
                            int64_t station_id, int64_t now,
                            pvs_ingest_result *res) PV_MUST_CHECK;

/* The open gaps of the locks touched by this upload (at most cap), sorted. */
int pvs_ingest_gaps(pvs_db *db, const pvs_ingest_result *res, pvs_gap_report *out, size_t cap,
                    size_t *n) PV_MUST_CHECK;

#endif
