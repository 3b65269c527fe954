/* The connection behind the opaque pvs_db, shared by the store's own files (store.c,
 * migrate.c) and nobody else: everything outside server/store/ goes through store.h. */
#ifndef PVS_STORE_INTERNAL_H
#define PVS_STORE_INTERNAL_H

#include "pvs/store.h"

struct pvs_db {
    const struct pvs_db_ops *ops;
    void *be;
    int tx;               /* 0 none, 1 read, 2 write */
    unsigned long errors; /* failed calls since open, for /metrics */
};

#endif
