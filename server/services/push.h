/* Push to open phone apps by long poll: each key's own change token, and the held requests
 * waiting for it to move (a watcher thread looks at the store every PVS_PUSH_TICK_MS and
 * wakes only the phones whose token did move). Bounded: the caller's maximum in all,
 * PVS_PUSH_PER_ADDR from one address. The HTTP side (suspending, waking) is the handler's
 * (handlers/push.c); here a held request is an opaque pointer and a wake function.
 * docs/phone.md, "Push". */
#ifndef PVS_PUSH_H
#define PVS_PUSH_H

#include <stdint.h>

#include "phone.h"
#include "pvs/store.h"

#define PVS_PUSH_TOKEN_LEN 32 /* hex characters */
#define PVS_PUSH_HOLD_S 25    /* a held request answers after this long even without a change */
#define PVS_PUSH_PER_ADDR 64  /* held requests from one client address */
#define PVS_PUSH_TICK_MS 100  /* how often the watcher looks for a change */

/* The key's change token: a hash over what its next sync would carry that can change
 * without time passing — its staff member's grant set for today (so another person's new
 * right does not move it), the newest revocation list, this key's alarm grants opened or
 * ended, the staff member's state. *why: OK, BLOCKED (lost or retired key), NOT_YOURS (no
 * such key). out: "" unless OK. */
int pvs_push_key_token(pvs_db *db, int64_t bearer_id, int64_t now,
                       char out[PVS_PUSH_TOKEN_LEN + 1], enum pvs_phone_refusal *why) PV_MUST_CHECK;

/* One held request's place. */
struct pvs_push_wait;
enum pvs_push_admit { PVS_PUSH_ADMITTED = 0, PVS_PUSH_FULL, PVS_PUSH_ADDR_FULL, PVS_PUSH_NOMEM };
/* Reserves a place for a request from `addr` waiting on `token` of `bearer_id` (starts the
 * watcher on `store` at the first one). Refused when `max_total` are held already or `addr`
 * holds PVS_PUSH_PER_ADDR. */
enum pvs_push_admit pvs_push_reserve(pvs_store *store, unsigned max_total, const char *addr,
                                     int64_t bearer_id, const char *token,
                                     struct pvs_push_wait **out);
/* Hands the held request to the watcher, which calls wake(req) once: when the key's token
 * moved, PVS_PUSH_HOLD_S after arming, or at stop (pvs_push_stop). */
void pvs_push_arm(struct pvs_push_wait *w, void *req, void (*wake)(void *req));
/* Stops the watcher and wakes every held request (before the HTTP server stops). */
void pvs_push_stop(void);
int64_t pvs_push_bearer(const struct pvs_push_wait *w);
/* Gives the place back (after the woken request answered). */
void pvs_push_release(struct pvs_push_wait *w);
/* Requests held now (for metrics and tests). */
unsigned pvs_push_held(void);

#endif
