/* Temporary: core handlers not written yet answer 501. */
#include "core_handlers.h"

void pvs_h_login(struct pvs_req *r)
{
    pvs_problem(r, 501, "not-implemented", "Not implemented", "Not implemented yet.");
}

void pvs_h_enroll_get(struct pvs_req *r)
{
    pvs_problem(r, 501, "not-implemented", "Not implemented", "Not implemented yet.");
}

void pvs_h_enroll_post(struct pvs_req *r)
{
    pvs_problem(r, 501, "not-implemented", "Not implemented", "Not implemented yet.");
}

void pvs_h_totp(struct pvs_req *r)
{
    pvs_problem(r, 501, "not-implemented", "Not implemented", "Not implemented yet.");
}

void pvs_h_logout(struct pvs_req *r)
{
    pvs_problem(r, 501, "not-implemented", "Not implemented", "Not implemented yet.");
}

void pvs_h_me(struct pvs_req *r)
{
    pvs_problem(r, 501, "not-implemented", "Not implemented", "Not implemented yet.");
}

void pvs_h_users_list(struct pvs_req *r)
{
    pvs_problem(r, 501, "not-implemented", "Not implemented", "Not implemented yet.");
}

void pvs_h_users_create(struct pvs_req *r)
{
    pvs_problem(r, 501, "not-implemented", "Not implemented", "Not implemented yet.");
}

void pvs_h_users_get(struct pvs_req *r)
{
    pvs_problem(r, 501, "not-implemented", "Not implemented", "Not implemented yet.");
}

void pvs_h_users_patch(struct pvs_req *r)
{
    pvs_problem(r, 501, "not-implemented", "Not implemented", "Not implemented yet.");
}

void pvs_h_users_reset(struct pvs_req *r)
{
    pvs_problem(r, 501, "not-implemented", "Not implemented", "Not implemented yet.");
}

void pvs_h_users_unlock(struct pvs_req *r)
{
    pvs_problem(r, 501, "not-implemented", "Not implemented", "Not implemented yet.");
}

void pvs_h_providers_list(struct pvs_req *r)
{
    pvs_problem(r, 501, "not-implemented", "Not implemented", "Not implemented yet.");
}

void pvs_h_providers_create(struct pvs_req *r)
{
    pvs_problem(r, 501, "not-implemented", "Not implemented", "Not implemented yet.");
}

void pvs_h_providers_get(struct pvs_req *r)
{
    pvs_problem(r, 501, "not-implemented", "Not implemented", "Not implemented yet.");
}

void pvs_h_providers_patch(struct pvs_req *r)
{
    pvs_problem(r, 501, "not-implemented", "Not implemented", "Not implemented yet.");
}

void pvs_h_tokens_list(struct pvs_req *r)
{
    pvs_problem(r, 501, "not-implemented", "Not implemented", "Not implemented yet.");
}

void pvs_h_tokens_create(struct pvs_req *r)
{
    pvs_problem(r, 501, "not-implemented", "Not implemented", "Not implemented yet.");
}

void pvs_h_tokens_revoke(struct pvs_req *r)
{
    pvs_problem(r, 501, "not-implemented", "Not implemented", "Not implemented yet.");
}

void pvs_h_audit_list(struct pvs_req *r)
{
    pvs_problem(r, 501, "not-implemented", "Not implemented", "Not implemented yet.");
}

void pvs_h_audit_verify(struct pvs_req *r)
{
    pvs_problem(r, 501, "not-implemented", "Not implemented", "Not implemented yet.");
}

