/* Consent rules (see consent.h). */
#include "consent.h"

#include <string.h>

enum pvs_consent_need pvs_consent_needed(const char *lock_kind)
{
    return strcmp(lock_kind, "apartment") == 0 ? PVS_CONSENT_RECIPIENT : PVS_CONSENT_OWNER;
}
