/* The core route table: health, metrics, login, users, providers, API tokens, audit. */
#include "core_handlers.h"

#define ADMINS (PVS_R_CENTRAL_ADMIN | PVS_R_PROVIDER_ADMIN)

const struct pvs_route pvs_core_routes[] = {
    {"GET", "/healthz", pvs_h_healthz, 0, PVS_AUTH_PUBLIC, PVS_SCOPE_SHARED, 0},
    {"GET", "/metrics", pvs_h_metrics, 0, PVS_AUTH_PUBLIC, PVS_SCOPE_SHARED, PVS_RF_LOOPBACK},
    {"PUT", "/api/v1/dev/clock", pvs_h_dev_clock, 0, PVS_AUTH_PUBLIC, PVS_SCOPE_SHARED,
     PVS_RF_LOOPBACK | PVS_RF_NO_CSRF},
    {"GET", "/api/v1/issuer/keys", pvs_h_issuer_keys, 0, PVS_AUTH_PUBLIC, PVS_SCOPE_SHARED, 0},

    {"POST", "/api/v1/auth/login", pvs_h_login, 0, PVS_AUTH_PUBLIC, PVS_SCOPE_SELF, PVS_RF_NO_CSRF},
    {"GET", "/api/v1/auth/enroll", pvs_h_enroll_get, 0, PVS_AUTH_PREAUTH, PVS_SCOPE_SELF, 0},
    {"POST", "/api/v1/auth/enroll", pvs_h_enroll_post, 0, PVS_AUTH_PREAUTH, PVS_SCOPE_SELF,
     PVS_RF_NO_CSRF},
    {"POST", "/api/v1/auth/totp", pvs_h_totp, 0, PVS_AUTH_PREAUTH, PVS_SCOPE_SELF, PVS_RF_NO_CSRF},
    {"POST", "/api/v1/auth/logout", pvs_h_logout, PVS_R_ALL, PVS_AUTH_USER, PVS_SCOPE_SELF, 0},
    {"GET", "/api/v1/me", pvs_h_me, PVS_R_ALL, PVS_AUTH_USER, PVS_SCOPE_SELF, 0},
    {"POST", "/api/v1/me/password", pvs_h_me_password, PVS_R_ALL, PVS_AUTH_USER, PVS_SCOPE_SELF, 0},

    {"GET", "/api/v1/users", pvs_h_users_list, ADMINS, PVS_AUTH_USER, PVS_SCOPE_TENANT, 0},
    {"POST", "/api/v1/users", pvs_h_users_create, ADMINS, PVS_AUTH_USER, PVS_SCOPE_TENANT, 0},
    {"GET", "/api/v1/users/{id}", pvs_h_users_get, ADMINS, PVS_AUTH_USER, PVS_SCOPE_TENANT, 0},
    {"PATCH", "/api/v1/users/{id}", pvs_h_users_patch, ADMINS, PVS_AUTH_USER, PVS_SCOPE_TENANT, 0},
    {"POST", "/api/v1/users/{id}/reset-password", pvs_h_users_reset, ADMINS, PVS_AUTH_USER,
     PVS_SCOPE_TENANT, 0},
    {"POST", "/api/v1/users/{id}/unlock", pvs_h_users_unlock, ADMINS, PVS_AUTH_USER,
     PVS_SCOPE_TENANT, 0},

    {"GET", "/api/v1/providers", pvs_h_providers_list, PVS_R_ALL, PVS_AUTH_USER, PVS_SCOPE_TENANT, 0},
    {"POST", "/api/v1/providers", pvs_h_providers_create, PVS_R_CENTRAL_ADMIN, PVS_AUTH_USER,
     PVS_SCOPE_TENANT, 0},
    {"GET", "/api/v1/providers/{id}", pvs_h_providers_get, PVS_R_ALL, PVS_AUTH_USER,
     PVS_SCOPE_TENANT, 0},
    {"PATCH", "/api/v1/providers/{id}", pvs_h_providers_patch, PVS_R_CENTRAL_ADMIN, PVS_AUTH_USER,
     PVS_SCOPE_TENANT, 0},

    {"GET", "/api/v1/tokens", pvs_h_tokens_list, ADMINS, PVS_AUTH_USER, PVS_SCOPE_TENANT, 0},
    {"POST", "/api/v1/tokens", pvs_h_tokens_create, ADMINS, PVS_AUTH_USER, PVS_SCOPE_TENANT, 0},
    {"DELETE", "/api/v1/tokens/{id}", pvs_h_tokens_revoke, ADMINS, PVS_AUTH_USER,
     PVS_SCOPE_TENANT, 0},

    {"GET", "/api/v1/audit", pvs_h_audit_list, PVS_R_CENTRAL_ADMIN | PVS_R_PROVIDER_ADMIN | PVS_R_AUDITOR,
     PVS_AUTH_USER, PVS_SCOPE_TENANT, 0},
    {"GET", "/api/v1/audit/verify", pvs_h_audit_verify, PVS_R_CENTRAL_ADMIN | PVS_R_AUDITOR,
     PVS_AUTH_USER, PVS_SCOPE_SHARED, 0},
};
const size_t pvs_core_routes_count = sizeof pvs_core_routes / sizeof pvs_core_routes[0];
