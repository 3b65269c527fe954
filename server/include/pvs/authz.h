/* Authorization helpers for route handlers: role tests and tenant scope. The router has
 * already checked the route's roles; handlers use these for the per-object tenant rule. */
#ifndef PVS_AUTHZ_H
#define PVS_AUTHZ_H

#include <stdbool.h>
#include <stdint.h>

#include "pvs/http.h"

/* True when the caller is central (no provider): central_admin, installer, central auditor. */
bool pvs_is_central(const struct pvs_req *r);
/* True when the caller's role is one of the PVS_R_* bits in `mask`. */
bool pvs_has_role(const struct pvs_req *r, unsigned mask);

/*
 * Provider filter for lists: 0 for a central caller (no filter), else the caller's
 * provider id. Use it as "WHERE (? = 0 OR provider_id = ?)" bound twice.
 */
int64_t pvs_scope_provider(const struct pvs_req *r);

/* True when the caller may see data owned by `provider_id`. Data owned by no provider
 * (provider_id 0) is visible only to central callers. */
bool pvs_scope_allows(const struct pvs_req *r, int64_t provider_id);

/*
 * As pvs_scope_allows(), but on refusal sends 404 "<what> <id> does not exist" (never
 * 403: another tenant's objects must not be distinguishable from missing ones) and
 * returns false.
 */
bool pvs_scope_require(struct pvs_req *r, int64_t provider_id, const char *what,
                       int64_t id) PV_MUST_CHECK;

/* The provider a write should belong to: a provider caller always gets its own (a
 * different requested id is refused with 403 and false); a central caller gets
 * `requested` (0 allowed only if allow_none). */
bool pvs_scope_target(struct pvs_req *r, int64_t requested, bool allow_none,
                      int64_t *provider_id) PV_MUST_CHECK;

#endif
