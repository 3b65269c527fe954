/* Role tests and the tenant rule: a provider's users see only their provider's data,
 * central users see all. Refusals of another tenant's object look exactly like "missing". */
#include "pvs/authz.h"

bool pvs_is_central(const struct pvs_req *r)
{
    return r->who.role != PVS_ROLE_NONE && r->who.provider_id == 0;
}

bool pvs_has_role(const struct pvs_req *r, unsigned mask)
{
    return r->who.role != PVS_ROLE_NONE && (mask & (1u << r->who.role)) != 0;
}

int64_t pvs_scope_provider(const struct pvs_req *r)
{
    /* a caller without a role gets an impossible provider: fail closed */
    if (r->who.role == PVS_ROLE_NONE)
        return -1;
    return r->who.provider_id;
}

bool pvs_scope_allows(const struct pvs_req *r, int64_t provider_id)
{
    if (r->who.role == PVS_ROLE_NONE)
        return false;
    if (r->who.provider_id == 0)
        return true;
    return provider_id != 0 && provider_id == r->who.provider_id;
}

bool pvs_scope_require(struct pvs_req *r, int64_t provider_id, const char *what, int64_t id)
{
    if (pvs_scope_allows(r, provider_id))
        return true;
    pvs_problem(r, 404, "not-found", "Not found", "%s %lld does not exist.", what, (long long)id);
    return false;
}

bool pvs_scope_target(struct pvs_req *r, int64_t requested, bool allow_none,
                      int64_t *provider_id)
{
    *provider_id = 0;
    if (r->who.role == PVS_ROLE_NONE) {
        pvs_problem(r, 403, "forbidden", "Forbidden", "You are not signed in.");
        return false;
    }
    if (r->who.provider_id != 0) {
        if (requested != 0 && requested != r->who.provider_id) {
            pvs_problem(r, 403, "forbidden-provider", "Other provider",
                        "You can only manage data of your own provider (id %lld).",
                        (long long)r->who.provider_id);
            return false;
        }
        *provider_id = r->who.provider_id;
        return true;
    }
    if (requested == 0 && !allow_none) {
        pvs_problem(r, 400, "invalid-body", "Invalid request body",
                    "provider_id is required: say which provider this belongs to.");
        return false;
    }
    *provider_id = requested;
    return true;
}
