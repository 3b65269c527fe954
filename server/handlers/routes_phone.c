/* Routes of the phone key and of alarm access. The phone app's own calls authenticate
 * themselves (the staff member's app login, then the phone session it opens); a planner
 * makes a staff member's app login; the alarm centre (central administration, or its alarm
 * system's API token of scope "alarm") opens and ends alarm grants. */
#include "phone_handlers.h"
#include "push_handlers.h"

#define CA PVS_R_CENTRAL_ADMIN
#define PA PVS_R_PROVIDER_ADMIN
#define PL PVS_R_PLANNER
#define AU PVS_R_AUDITOR
#define U PVS_AUTH_USER
#define C PVS_AUTH_CUSTOM
#define T PVS_SCOPE_TENANT
#define S PVS_SCOPE_SHARED
#define ALARM PVS_RF_ALARM_API
#define V1 "/api/v1"

const struct pvs_route pvs_phone_routes[] = {
    {"POST", V1 "/staff/{id}/phone-login", pvp_staff_phone_login, CA | PA | PL, U, T, 0},
    {"POST", V1 "/phone/login", pvp_login, 0, C, T, PVS_RF_NO_CSRF},
    {"POST", V1 "/phone/enrol", pvp_enrol, 0, C, T, PVS_RF_NO_CSRF},
    {"POST", V1 "/phone/secret", pvp_secret, 0, C, T, PVS_RF_NO_CSRF},
    {"POST", V1 "/phone/changes", pvp_changes, 0, C, T, PVS_RF_NO_CSRF},
    {"POST", V1 "/phone/wait", pvp_wait, 0, C, T, PVS_RF_NO_CSRF},

    {"GET", V1 "/alarm-grants", pvp_alarm_list, CA | AU, U, T, ALARM},
    {"POST", V1 "/alarm-grants", pvp_alarm_create, CA, U, S, ALARM},
    {"GET", V1 "/alarm-grants/{id}", pvp_alarm_get, CA | AU, U, T, ALARM},
    {"POST", V1 "/alarm-grants/{id}/end", pvp_alarm_end, CA, U, S, ALARM},
    {"POST", V1 "/alarm-tokens", pvp_alarm_token_create, CA, U, S, 0},
};
const size_t pvs_phone_routes_count = sizeof pvs_phone_routes / sizeof pvs_phone_routes[0];
