/* The care-planning import applied to the store: a decoded file (rules/care_import.h)
 * checked against what Portvakt knows (providers by name, buildings by address, recipients
 * by alarm code), then either shown (dry run) or applied — all lines or none, in one
 * transaction, one audit entry per change. A line that is already true changes nothing, so
 * the same file applied twice changes the store once. */
#ifndef PVS_SERVICES_CARE_IMPORT_H
#define PVS_SERVICES_CARE_IMPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "../rules/care_import.h"
#include "pvs/audit_record.h"

typedef enum pvs_imp_action {
    PVS_IMPA_NONE = 0,   /* the line was refused */
    PVS_IMPA_CREATE = 1, /* a new recipient */
    PVS_IMPA_CHANGE = 2, /* a provider change */
    PVS_IMPA_SAME = 3    /* already so: nothing to do */
} pvs_imp_action;

typedef struct pvs_imp_outcome {
    pvs_imp_action action;
    char from_provider[PVS_IMP_PROVIDER_MAX + 1]; /* CHANGE: the provider before the date */
} pvs_imp_outcome;

typedef struct pvs_imp_result {
    pvs_imp_outcome *outcome; /* one per file row (malloc'd; pvs_care_import_free()) */
    size_t created, changed, unchanged;
    bool applied; /* committed: apply asked and no line refused */
} pvs_imp_result;

/* Checks every row of `f` against the store in one write transaction, adding refusals to
 * f's errors; with `apply` and no refusal commits the changes (audited as `who`), else rolls
 * everything back. `today` decides which dates have passed. Returns PVS_DB_OK when every
 * line was judged (see res->applied and f->errors_total), or a store error (nothing
 * written). */
int pvs_care_import(pvs_db *db, const struct pvs_audit_actor *who, pvs_imp_file *f, bool apply,
                    int32_t today, pvs_imp_result *res) PV_MUST_CHECK;
void pvs_care_import_free(pvs_imp_result *res);

#endif
