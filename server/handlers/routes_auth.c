/* The route table of the sign-in extensions: security keys (WebAuthn) as second factor and
 * as passwordless sign-in, a user's own keys, a central administrator's recovery, and single
 * sign-on with the city's OpenID provider. */
#include "auth_handlers.h"

const struct pvs_route pvs_auth_routes[] = {
    {"POST", "/api/v1/auth/passkey/options", pvs_h_passkey_options, 0, PVS_AUTH_PUBLIC,
     PVS_SCOPE_SELF, PVS_RF_NO_CSRF},
    {"POST", "/api/v1/auth/passkey", pvs_h_passkey, 0, PVS_AUTH_PUBLIC, PVS_SCOPE_SELF, PVS_RF_NO_CSRF},
    {"POST", "/api/v1/auth/webauthn/options", pvs_h_wa_login_options, 0, PVS_AUTH_PREAUTH,
     PVS_SCOPE_SELF, PVS_RF_NO_CSRF},
    {"POST", "/api/v1/auth/webauthn", pvs_h_wa_login, 0, PVS_AUTH_PREAUTH, PVS_SCOPE_SELF,
     PVS_RF_NO_CSRF},
    {"POST", "/api/v1/auth/webauthn/enroll/options", pvs_h_wa_enroll_options, 0, PVS_AUTH_PREAUTH,
     PVS_SCOPE_SELF, PVS_RF_NO_CSRF},
    {"POST", "/api/v1/auth/webauthn/enroll", pvs_h_wa_enroll, 0, PVS_AUTH_PREAUTH, PVS_SCOPE_SELF,
     PVS_RF_NO_CSRF},

    {"POST", "/api/v1/me/webauthn/options", pvs_h_me_wa_options, PVS_R_ALL, PVS_AUTH_USER,
     PVS_SCOPE_SELF, 0},
    {"POST", "/api/v1/me/webauthn", pvs_h_me_wa_add, PVS_R_ALL, PVS_AUTH_USER, PVS_SCOPE_SELF, 0},
    {"GET", "/api/v1/me/webauthn", pvs_h_me_wa_list, PVS_R_ALL, PVS_AUTH_USER, PVS_SCOPE_SELF, 0},
    {"DELETE", "/api/v1/me/webauthn/{id}", pvs_h_me_wa_delete, PVS_R_ALL, PVS_AUTH_USER,
     PVS_SCOPE_SELF, 0},

    {"GET", "/api/v1/auth/oidc", pvs_h_oidc_info, 0, PVS_AUTH_PUBLIC, PVS_SCOPE_SHARED, 0},
    {"GET", "/api/v1/auth/oidc/start", pvs_h_oidc_start, 0, PVS_AUTH_PUBLIC, PVS_SCOPE_SELF, 0},
    {"GET", "/api/v1/auth/oidc/callback", pvs_h_oidc_callback, 0, PVS_AUTH_PUBLIC, PVS_SCOPE_SELF, 0},

    {"GET", "/api/v1/users/{id}/webauthn", pvs_h_users_wa_list, PVS_R_CENTRAL_ADMIN, PVS_AUTH_USER,
     PVS_SCOPE_SHARED, 0},
    {"DELETE", "/api/v1/users/{id}/webauthn", pvs_h_users_wa_reset, PVS_R_CENTRAL_ADMIN,
     PVS_AUTH_USER, PVS_SCOPE_SHARED, 0},
};
const size_t pvs_auth_routes_count = sizeof pvs_auth_routes / sizeof pvs_auth_routes[0];
