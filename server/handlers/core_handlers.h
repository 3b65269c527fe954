/* Handlers of the core routes (declared here so routes_core.c can list them). */
#ifndef PVS_CORE_HANDLERS_H
#define PVS_CORE_HANDLERS_H

#include "pvs/http.h"

void pvs_h_healthz(struct pvs_req *r);
void pvs_h_metrics(struct pvs_req *r);
void pvs_h_dev_clock(struct pvs_req *r);
void pvs_h_issuer_keys(struct pvs_req *r);

void pvs_h_login(struct pvs_req *r);
void pvs_h_enroll_get(struct pvs_req *r);
void pvs_h_enroll_post(struct pvs_req *r);
void pvs_h_totp(struct pvs_req *r);
void pvs_h_logout(struct pvs_req *r);
void pvs_h_me(struct pvs_req *r);
void pvs_h_me_password(struct pvs_req *r);

void pvs_h_users_list(struct pvs_req *r);
void pvs_h_users_create(struct pvs_req *r);
void pvs_h_users_get(struct pvs_req *r);
void pvs_h_users_patch(struct pvs_req *r);
void pvs_h_users_reset(struct pvs_req *r);
void pvs_h_users_unlock(struct pvs_req *r);

void pvs_h_providers_list(struct pvs_req *r);
void pvs_h_providers_create(struct pvs_req *r);
void pvs_h_providers_get(struct pvs_req *r);
void pvs_h_providers_patch(struct pvs_req *r);

void pvs_h_tokens_list(struct pvs_req *r);
void pvs_h_tokens_create(struct pvs_req *r);
void pvs_h_tokens_revoke(struct pvs_req *r);

void pvs_h_audit_list(struct pvs_req *r);
void pvs_h_audit_verify(struct pvs_req *r);

/* The JSON form of user `id` ({id, username, display_name, role, provider_id, disabled,
 * totp_enrolled, locked, created_at}), or NULL when there is no such user. */
json_t *pvs_user_json(pvs_db *db, int64_t id);

/* Role rules shared by users and API tokens (users.c): may the caller give `role`; does
 * `provider_id` fit `role` (400 otherwise); does the provider exist and is it active. */
bool pvs_may_grant(const struct pvs_req *r, enum pvs_role role);
bool pvs_role_provider_ok(struct pvs_req *r, enum pvs_role role, int64_t provider_id);
bool pvs_check_provider_active(struct pvs_req *r, int64_t provider_id);

#endif
