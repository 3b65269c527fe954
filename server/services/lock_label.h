/* A lock's label: the public key the lock was registered with, for printing its QR code
 * again (handlers/labels.c). */
#ifndef PVS_SERVICES_LOCK_LABEL_H
#define PVS_SERVICES_LOCK_LABEL_H

#include <stdbool.h>
#include <stdint.h>

#include "pvs/store.h"

/* The lock's registered public key and its label (empty when none) inside the caller's
 * transaction: PVS_DB_OK with *has_key telling whether it has one, PVS_DB_NOTFOUND for no
 * such lock, or the store's error. */
int pvs_lock_label_key(pvs_db *db, int64_t lock_id, uint8_t pk[32], bool *has_key,
                       char label[64]) PV_MUST_CHECK;

#endif
