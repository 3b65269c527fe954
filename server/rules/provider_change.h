/* The provider-change rule: a change to a new provider with effective date D closes the
 * period that covers D at D, drops periods planned to start on or after D, and opens the
 * new provider's period from D. Rights are never deleted: an old provider's rights
 * simply stop counting from D because issuing joins rights with these periods. */
#ifndef PVS_DOMAIN_PROVIDER_CHANGE_H
#define PVS_DOMAIN_PROVIDER_CHANGE_H

#include <stddef.h>

#include "rights.h"

typedef enum pvs_pc_kind {
    PVS_PC_CLOSE = 1,  /* set row's until_day to D */
    PVS_PC_DROP = 2,   /* delete a planned row that has not started */
    PVS_PC_OPEN = 3    /* insert (recipient, new provider, D, open) */
} pvs_pc_kind;

typedef struct pvs_pc_action {
    pvs_pc_kind kind;
    int64_t row_id; /* CLOSE, DROP */
} pvs_pc_action;

typedef enum pvs_pc_status {
    PVS_PC_OK = 0,
    PVS_PC_PAST = 1,         /* D is before today: rights already used cannot move */
    PVS_PC_SAME = 2,         /* the recipient already has this provider on D */
    PVS_PC_TOO_MANY = 3      /* more history rows than the caller's action array */
} pvs_pc_status;

/* Plans the change over the recipient's periods `p` (any order). Writes at most
 * n + 1 actions to `out` (cap must be >= n + 1). */
pvs_pc_status pvs_provider_change_plan(const pvs_period *p, size_t n, uint32_t new_provider,
                                       int32_t effective_day, int32_t today,
                                       pvs_pc_action *out, size_t cap, size_t *nout);
const char *pvs_pc_status_text(pvs_pc_status s);

#endif
