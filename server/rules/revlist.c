/* Revocation list assembly with the drop rule (see revlist.h). */
#include "revlist.h"

#include <stdlib.h>

int pvs_revoked_droppable(const pv_revoked *r, uint64_t now)
{
    return r->revoked_at + PV_CRED_MAX_LIFETIME_S <= now;
}

static int by_bearer_then_newest(const void *a, const void *b)
{
    const pv_revoked *x = a, *y = b;
    if (x->bearer_id != y->bearer_id)
        return x->bearer_id < y->bearer_id ? -1 : 1;
    return x->revoked_at > y->revoked_at ? -1 : x->revoked_at < y->revoked_at;
}

static int by_newest(const void *a, const void *b)
{
    const pv_revoked *x = a, *y = b;
    if (x->revoked_at != y->revoked_at)
        return x->revoked_at > y->revoked_at ? -1 : 1;
    return x->bearer_id < y->bearer_id ? -1 : x->bearer_id > y->bearer_id;
}

static int by_bearer(const void *a, const void *b)
{
    const pv_revoked *x = a, *y = b;
    return x->bearer_id < y->bearer_id ? -1 : x->bearer_id > y->bearer_id;
}

void pvs_revlist_assemble(pv_revoked *in, size_t n, uint64_t now, pv_revoked *out,
                          uint16_t *nout, int *truncated)
{
    *nout = 0;
    *truncated = 0;
    if (n == 0)
        return;
    qsort(in, n, sizeof *in, by_bearer_then_newest);
    size_t live = 0; /* compact: one (newest) entry per bearer, live ones only */
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && in[i].bearer_id == in[i - 1].bearer_id)
            continue;
        if (!pvs_revoked_droppable(&in[i], now))
            in[live++] = in[i];
    }
    if (live > PV_REVLIST_MAX) {
        qsort(in, live, sizeof *in, by_newest);
        live = PV_REVLIST_MAX;
        *truncated = 1;
    }
    for (size_t i = 0; i < live; i++)
        out[i] = in[i];
    qsort(out, live, sizeof *out, by_bearer);
    *nout = (uint16_t)live;
}
