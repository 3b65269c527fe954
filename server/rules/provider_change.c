/* Plans a recipient's provider change on an effective date (see provider_change.h). */
#include "provider_change.h"

pvs_pc_status pvs_provider_change_plan(const pvs_period *p, size_t n, uint32_t new_provider,
                                       int32_t effective_day, int32_t today,
                                       pvs_pc_action *out, size_t cap, size_t *nout)
{
    *nout = 0;
    if (cap < n + 1)
        return PVS_PC_TOO_MANY;
    if (effective_day < today)
        return PVS_PC_PAST;
    /* the provider that would remain just before D decides whether this is a change */
    const pvs_period *covering = NULL;
    for (size_t i = 0; i < n; i++)
        if (p[i].from_day < effective_day && effective_day < p[i].until_day)
            covering = &p[i];
    uint32_t before = pvs_periods_provider_at(p, n, effective_day - 1);
    if (before == new_provider && covering)
        return PVS_PC_SAME;
    for (size_t i = 0; i < n; i++) {
        if (p[i].from_day >= effective_day)
            out[(*nout)++] = (pvs_pc_action){PVS_PC_DROP, p[i].row_id};
    }
    if (covering)
        out[(*nout)++] = (pvs_pc_action){PVS_PC_CLOSE, covering->row_id};
    out[(*nout)++] = (pvs_pc_action){PVS_PC_OPEN, 0};
    return PVS_PC_OK;
}

const char *pvs_pc_status_text(pvs_pc_status s)
{
    switch (s) {
    case PVS_PC_OK:
        return "ok";
    case PVS_PC_PAST:
        return "the effective date is in the past; a provider change takes effect today or later";
    case PVS_PC_SAME:
        return "the recipient already has this provider on that date";
    case PVS_PC_TOO_MANY:
        return "the recipient's provider history is too long to change here";
    }
    return "unknown";
}
