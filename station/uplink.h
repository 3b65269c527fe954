/* The station's uplink to portvakt-server: HTTPS with libcurl (peer and host checked
 * against a CA file), station-signed requests, a primary and a fallback address. */
#ifndef PVST_UPLINK_H
#define PVST_UPLINK_H

#include <stddef.h>
#include <stdint.h>

#include "portvakt/proto.h"

typedef uint64_t (*pvst_now_fn)(void *ctx);

typedef struct pvst_uplink_cfg {
    const char *url[2];  /* primary, fallback (NULL if none); e.g. "https://127.0.0.1:8443" */
    const char *ca_file; /* PEM bundle that must have signed the server's certificate */
    uint32_t station_id;
    uint8_t sk[PV_SIGN_SK_SIZE]; /* station's Ed25519 secret key (copied, wiped on free) */
    long timeout_ms;
    pvst_now_fn now;
    void *now_ctx;
} pvst_uplink_cfg;

typedef struct pvst_http {
    long status;   /* HTTP status, 0 if no uplink answered */
    int via;       /* 0 primary, 1 fallback, -1 none */
    char *body;    /* NUL-terminated response body (owned; pvst_http_free) */
    size_t body_len;
    char ptype[160];  /* problem+json "type" (empty if none) */
    char detail[512]; /* problem+json "detail", or a transport error for people */
} pvst_http;

typedef struct pvst_uplink pvst_uplink;

/* NULL on allocation failure. cfg->sk is copied; the caller may wipe its own. */
pvst_uplink *pvst_uplink_new(const pvst_uplink_cfg *cfg);
void pvst_uplink_free(pvst_uplink *u);
/* POST body (JSON) to path ("/api/v1/ingest") with the station's signature headers.
 * Tries the last address that worked, then the other one, when an address cannot be
 * reached or answers 5xx. PV_OK when some server answered (see r->status), PV_E_IO when
 * none did (r->detail says why). */
int pvst_uplink_post(pvst_uplink *u, const char *path, const char *body, size_t len,
                     pvst_http *r) PV_MUST_CHECK;
void pvst_http_free(pvst_http *r);

/* The signed string of docs/sync.md, written to out (NUL-terminated). */
int pvst_sign_headers(const uint8_t sk[PV_SIGN_SK_SIZE], const char *method, const char *path,
                      uint64_t date, const uint8_t *body, size_t len,
                      char sig_hex[2 * PV_SIG_SIZE + 1]) PV_MUST_CHECK;

#endif
