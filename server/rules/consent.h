/* Consent rules: which consent a lock needs before it may be commissioned or moved to a
 * building (the store query that finds it: handlers/locks.c). Pure functions. */
#ifndef PVS_RULES_CONSENT_H
#define PVS_RULES_CONSENT_H

enum pvs_consent_need {
    PVS_CONSENT_RECIPIENT, /* apartment lock: the care recipient's own consent */
    PVS_CONSENT_OWNER      /* entrance or common lock: the property owner's */
};

/* The consent a lock of `kind` ("apartment", "entrance", "common") needs. */
enum pvs_consent_need pvs_consent_needed(const char *lock_kind);

#endif
