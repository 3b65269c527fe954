/* The sync path as services (docs/sync.md), free of HTTP and JSON: a station's request
 * signature, single-use sync challenges, a key's sync (nonce claim, the sync row, issuing,
 * the revocation list and the logs the key carried) and a station's log upload. Handlers
 * (server/handlers/sync.c) parse into the request structs and word the result codes. */
#ifndef PVS_SERVICES_SYNC_H
#define PVS_SERVICES_SYNC_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ingest.h"
#include "issue.h"
#include "portvakt/proto.h"
#include "pvs/server.h"
#include "pvs/store.h"

#define PVS_SYNC_NONCE_TTL_S 60    /* a challenge is good for one minute */
#define PVS_STATION_SKEW_S 300     /* a station's clock may be 5 minutes off */
#define PVS_UPLOAD_MAX_BATCHES 256 /* lock batches per request */
#define PVS_UPLOAD_MAX_EVENTS 4096 /* bearer events per request */

/* ------------------------------------------------------------ stations */

/* What a station signed: its id, its date header verbatim, the signature, and the request
 * line and body it covers. */
typedef struct pvs_station_proof {
    int64_t station_id;
    const char *date; /* decimal Unix time as sent */
    uint8_t signature[64];
    const char *method, *path;
    const void *body;
    size_t body_len;
} pvs_station_proof;

/* The authenticated station (id 0: a phone syncing without a station). */
typedef struct pvs_station_auth {
    int64_t id;
    int64_t provider_id;
} pvs_station_auth;

enum pvs_station_rc { PVS_STATION_OK = 0, PVS_STATION_CLOCK = 1, PVS_STATION_UNKNOWN = 2 };

/* Checks the date against `now` (PVS_STATION_CLOCK when more than PVS_STATION_SKEW_S off)
 * and the signature against the active station's registered key (PVS_STATION_UNKNOWN for
 * an unknown or retired station or a wrong signature). Fills *out on PVS_STATION_OK. */
int pvs_station_verify(pvs_db *db, const pvs_station_proof *p, int64_t now,
                       pvs_station_auth *out) PV_MUST_CHECK;

/* ------------------------------------------------------------ uploads */

/* Logs a key or station carries: encoded lock batches and the key's own events. */
typedef struct pvs_upload {
    size_t nb;
    uint8_t (*batch)[PV_LOGBATCH_MAX_SIZE];
    size_t *len;
    size_t ne;
    pvs_bearer_event *ev;
} pvs_upload;

/* Room for nb batches and ne events (counts set). PV_OK or PV_E_NOMEM (nothing to free). */
int pvs_upload_alloc(pvs_upload *u, size_t nb, size_t ne) PV_MUST_CHECK;
void pvs_upload_free(pvs_upload *u);

/* One item of an upload refused on its own (the rest stored). */
typedef struct pvs_upload_refusal {
    bool event;   /* false: lock_batches[index]; true: bearer_events[index] */
    size_t index;
    const char *type;
    char detail[256];
} pvs_upload_refusal;

/* What an upload stored. */
typedef struct pvs_upload_summary {
    int64_t stored, duplicates;
    pvs_gap_report gaps[PVS_INGEST_MAX_GAPS]; /* open gaps of the locks touched */
    size_t ngaps;
    pvs_upload_refusal *refused; /* malloc'ed; only in a sync, where items fail alone */
    size_t nrefused;
    const char *type;            /* on PVS_INGEST_REFUSED: why ("bad-log-batch", ...) */
    char detail[256];
} pvs_upload_summary;

void pvs_upload_summary_free(pvs_upload_summary *s);

/* A station's queued logs (POST /ingest). write_lock (may be NULL) serialises the write
 * transactions of the sync path in this process. */
typedef struct pvs_ingest_req {
    const pvs_station_auth *station;
    const pvs_upload *upload;
    int64_t now;
    pthread_mutex_t *write_lock;
} pvs_ingest_req;

/* Stores the upload entirely or not at all in one transaction and marks the station seen.
 * Returns PVS_DB_OK, PVS_INGEST_REFUSED (out->type, out->detail; nothing stored) or a
 * negative store code (rolled back). Free *out with pvs_upload_summary_free(). */
int pvs_ingest_run(pvs_db *db, const pvs_ingest_req *req, pvs_upload_summary *out) PV_MUST_CHECK;

/* ------------------------------------------------------------ sync */

/* A fresh challenge for `bearer`, verifiable later without having been stored: 8 random
 * bytes, the expiry (u64 LE) and a 16-byte keyed BLAKE2b tag over both and the bearer id. */
void pvs_sync_challenge(const uint8_t key[32], uint32_t bearer, int64_t now, uint8_t nonce[32],
                        int64_t *expires_at);

/* Credential lifetime for sync (seconds), from PORTVAKT_SHIFT_HOURS (default 24). */
unsigned pvs_sync_shift_seconds(void);

typedef struct pvs_sync_req {
    uint32_t bearer_id;
    uint8_t nonce[32];
    uint8_t signature[64];   /* the key's over "portvakt-sync-v1\0" || nonce || bearer id LE */
    pvs_station_auth station; /* id 0 when no station relays */
    const pvs_upload *upload; /* the logs the key carried (its own events only) */
    int64_t now;
    unsigned shift_s;
    const uint8_t *nonce_key; /* 32 bytes: the key pvs_sync_challenge() was given */
    pthread_mutex_t *write_lock; /* may be NULL (single-threaded callers) */
} pvs_sync_req;

/* Why a sync was refused; each is recorded as a sync row with pvs_sync_refusal_name(). */
enum pvs_sync_refusal {
    PVS_SYNC_OK = 0,
    PVS_SYNC_NONCE_EXPIRED, /* unknown or stale challenge */
    PVS_SYNC_BAD_SIGNATURE, /* the key's signature does not match its registered key */
    PVS_SYNC_WRONG_STATION, /* the station belongs to another provider */
    PVS_SYNC_BLOCKED,       /* key lost or retired, or its staff member inactive */
    PVS_SYNC_NONCE_USED,    /* the challenge was presented before */
    PVS_SYNC_TOO_MANY_RIGHTS /* more entries than one credential holds */
};

/* The problem type and stored result of a refusal ("nonce-expired", ...). */
const char *pvs_sync_refusal_name(enum pvs_sync_refusal r);

typedef struct pvs_sync_result {
    pvs_bearer_row bearer;     /* as loaded (label and state word a PVS_SYNC_BLOCKED) */
    const char *what;          /* on a store error: the object that failed ("key", ...) */
    bool has_credential;       /* false when the key has no right this shift */
    uint8_t credential[PV_CRED_SIZE];
    uint64_t serial;
    uint8_t *entries;          /* nentries * PV_ENTRY_SIZE bytes, malloc'ed */
    size_t nentries, doors;
    int64_t valid_from, valid_until;
    uint8_t revlist[PV_REVLIST_MAX_SIZE];
    size_t revlist_len;
    uint64_t revlist_version;
    uint8_t beacon[PV_BEACON_SIZE];
    pvs_upload_summary ingest; /* the carried logs; refused items listed */
} pvs_sync_result;

/*
 * One key's sync. Checks the challenge, the key's signature, the station's provider and the
 * key's state before taking the write lock; then in one write transaction claims the nonce
 * (once), re-checks the key, stores the carried logs (each refused item alone), issues the
 * credential, the newest revocation list and a time beacon, and records the sync row.
 * Returns PVS_SYNC_OK, a pvs_sync_refusal (> 0; recorded and committed, the nonce consumed
 * — except PVS_SYNC_TOO_MANY_RIGHTS, which rolls everything back) or a negative store or
 * PV_E_* code (rolled back; out->what names what failed). Always
 * free *out with pvs_sync_result_free().
 */
int pvs_sync_run(pvs_db *db, const struct pvs_issuer *issuer, const pvs_sync_req *req,
                 pvs_sync_result *out) PV_MUST_CHECK;
void pvs_sync_result_free(pvs_sync_result *out);

/* Internal to the sync services (upload.c), shared by sync.c: stores an upload inside the
 * caller's write transaction. all_or_nothing: the first refusal returns PVS_INGEST_REFUSED
 * (the caller rolls back); otherwise each refused item is rolled back alone and listed. */
int pvs_upload_store(pvs_db *db, const pvs_upload *u, int64_t provider, int64_t station,
                     int64_t now, bool all_or_nothing, pvs_upload_summary *out) PV_MUST_CHECK;

/* Internal (station.c, shared by sync.c): the challenge's 16-byte tag. */
void pvs_sync_nonce_tag(const uint8_t key[32], const uint8_t nonce[16], uint32_t bearer,
                        uint8_t tag[16]);

#endif
