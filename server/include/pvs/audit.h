/* The audit trail from the HTTP side and the CLI: the actor of a request, details from JSON,
 * and the append calls the handlers not yet split use. All end in pvs_audit_record()
 * (pvs/audit_record.h), the actor-based entry point services call. */
#ifndef PVS_AUDIT_H
#define PVS_AUDIT_H

#include <jansson.h>

#include "pvs/audit_record.h"
#include "pvs/http.h"

/* The actor of request `r`: its user or token, role and provider, client address and
 * request id. The strings point into `r`. */
struct pvs_audit_actor pvs_audit_actor_of(const struct pvs_req *r);

/* `details` as the canonical text pvs_audit_record() stores (malloc'd; free() it), "{}"
 * for NULL; NULL when out of memory or not encodable. */
char *pvs_audit_details(const json_t *details) __attribute__((warn_unused_result));

/* pvs_audit_record() with details as JSON (borrowed, NULL for none). */
int pvs_audit_append_raw(pvs_db *db, const struct pvs_audit_actor *who, int64_t provider_id,
                         const char *action, const char *object_type, int64_t object_id,
                         const json_t *details) PV_MUST_CHECK;
/* The change as made by the caller of `r`, visible to the caller's provider. */
int pvs_audit_append(struct pvs_req *r, const char *action, const char *object_type,
                     int64_t object_id, const json_t *details) PV_MUST_CHECK;
/* The same when a central caller changes `provider_id`'s data. */
int pvs_audit_append_tenant(struct pvs_req *r, int64_t provider_id, const char *action,
                            const char *object_type, int64_t object_id,
                            const json_t *details) PV_MUST_CHECK;

#endif
