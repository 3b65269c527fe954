/* Domain routes of portvakt-server: staff, bearers, stations, owners, buildings, locks,
 * consents, recipients, provider changes, rights, sync, ingest and the log views. Roles
 * follow the contract: central administration sees all; installers handle buildings and
 * locks; a provider administrator its staff, keys and stations; a planner its staff's
 * rights to its recipients; auditors read logs within their scope. */
#include "domain_handlers.h"
#include "planner_handlers.h"
#include "pvs/http.h"

#define CA PVS_R_CENTRAL_ADMIN
#define IN PVS_R_INSTALLER
#define PA PVS_R_PROVIDER_ADMIN
#define PL PVS_R_PLANNER
#define AU PVS_R_AUDITOR
#define U PVS_AUTH_USER
#define T PVS_SCOPE_TENANT
#define S PVS_SCOPE_SHARED
#define V1 "/api/v1"

const struct pvs_route pvs_domain_routes[] = {
    {"GET", V1 "/staff", pvd_staff_list, CA | PA | PL | AU, U, T, 0},
    /* planners register their own staff (issue 5: "staff and their keys (register, ...)") */
    {"POST", V1 "/staff", pvd_staff_create, CA | PA | PL, U, T, 0},
    {"GET", V1 "/staff/{id}", pvd_staff_get, CA | PA | PL | AU, U, T, 0},
    {"PATCH", V1 "/staff/{id}", pvd_staff_patch, CA | PA, U, T, 0},
    {"GET", V1 "/bearers", pvd_bearers_list, CA | PA | PL | AU, U, T, 0},
    {"POST", V1 "/bearers", pvd_bearers_create, CA | PA | PL, U, T, 0},
    {"GET", V1 "/bearers/{id}", pvd_bearers_get, CA | PA | PL | AU, U, T, 0},
    {"POST", V1 "/bearers/{id}/report-lost", pvd_bearers_report_lost, CA | PA | PL, U, T, 0},
    {"POST", V1 "/bearers/{id}/retire", pvd_bearers_retire, CA | PA | PL, U, T, 0},
    {"GET", V1 "/bearers/{id}/spread", pvd_bearers_spread, CA | PA | PL | AU, U, T, 0},
    /* keys enrolled by presenting them at a station (issue 9) */
    {"POST", V1 "/key-enrolments", pvd_enrolments_offer, 0, PVS_AUTH_CUSTOM, T, PVS_RF_NO_CSRF},
    {"GET", V1 "/key-enrolments", pvd_enrolments_list, CA | PA | PL, U, T, 0},
    {"POST", V1 "/key-enrolments/redeem", pvd_enrolments_redeem, CA | PA | PL, U, T, 0},
    {"GET", V1 "/stations", pvd_stations_list, CA | PA, U, T, 0},
    {"POST", V1 "/stations", pvd_stations_create, CA | PA, U, T, 0},
    {"GET", V1 "/stations/{id}", pvd_stations_get, CA | PA, U, T, 0},
    {"POST", V1 "/stations/{id}/retire", pvd_stations_retire, CA | PA, U, T, 0},

    {"GET", V1 "/owners", pvd_owners_list, CA | IN, U, S, 0},
    {"POST", V1 "/owners", pvd_owners_create, CA, U, S, 0},
    {"GET", V1 "/owners/{id}", pvd_owners_get, CA | IN, U, S, 0},
    {"GET", V1 "/buildings", pvd_buildings_list, CA | IN | PA | PL | AU, U, S, 0},
    {"POST", V1 "/buildings", pvd_buildings_create, CA | IN, U, S, 0},
    {"GET", V1 "/buildings/{id}", pvd_buildings_get, CA | IN | PA | PL | AU, U, S, 0},
    {"GET", V1 "/consents", pvd_consents_list, CA | IN, U, S, 0},
    {"POST", V1 "/consents", pvd_consents_create, CA, U, S, 0},
    {"GET", V1 "/consents/{id}", pvd_consents_get, CA | IN, U, S, 0},
    {"POST", V1 "/consents/{id}/withdraw", pvd_consents_withdraw, CA, U, S, 0},
    {"GET", V1 "/locks", pvd_locks_list, CA | IN | AU, U, S, 0},
    {"POST", V1 "/locks", pvd_locks_create, CA | IN, U, S, 0},
    {"GET", V1 "/locks/{id}", pvd_locks_get, CA | IN | AU, U, S, 0},
    {"POST", V1 "/locks/{id}/commission", pvd_locks_commission, CA | IN, U, S, 0},
    {"POST", V1 "/locks/{id}/move", pvd_locks_move, CA | IN, U, S, 0},
    {"POST", V1 "/locks/{id}/remove", pvd_locks_remove, CA | IN, U, S, 0},
    {"GET", V1 "/locks/{id}/who-can-open", pvd_locks_who, CA | PL | AU, U, T, 0},
    /* a lock's label (QR code with its public key and check digits), and reading one (issue 9) */
    {"GET", V1 "/locks/{id}/label", pvd_locks_label, CA | IN, U, S, 0},
    {"POST", V1 "/public-keys/read", pvd_public_keys_read, CA | IN | PA | PL, U, S, 0},

    {"GET", V1 "/recipients", pvd_recipients_list, CA | PA | PL | AU, U, T, 0},
    {"POST", V1 "/recipients", pvd_recipients_create, CA, U, T, 0},
    {"GET", V1 "/recipients/{id}", pvd_recipients_get, CA | PA | PL | AU, U, T, 0},
    {"PATCH", V1 "/recipients/{id}", pvd_recipients_patch, CA, U, T, 0},
    {"POST", V1 "/recipients/{id}/provider-changes", pvd_provider_change, CA, U, T, 0},
    {"GET", V1 "/rights", pvd_rights_list, CA | PA | PL | AU, U, T, 0},
    {"POST", V1 "/rights", pvd_rights_create, CA | PL, U, T, 0},
    {"GET", V1 "/rights/{id}", pvd_rights_get, CA | PA | PL | AU, U, T, 0},
    {"DELETE", V1 "/rights/{id}", pvd_rights_delete, CA | PL, U, T, 0},

    {"POST", V1 "/sync/challenge", pvd_sync_challenge, 0, PVS_AUTH_CUSTOM, T, PVS_RF_NO_CSRF},
    {"POST", V1 "/sync", pvd_sync, 0, PVS_AUTH_CUSTOM, T, PVS_RF_NO_CSRF},
    {"POST", V1 "/ingest", pvd_ingest, 0, PVS_AUTH_CUSTOM, T, PVS_RF_NO_CSRF},

    {"GET", V1 "/access-log", pvd_access_log, CA | PA | PL | AU, U, T, 0},
    {"GET", V1 "/overview", pvd_overview, CA | PA | PL, U, T, 0},
    {"GET", V1 "/device-health", pvd_device_health, CA | IN | PA | PL | AU, U, T, 0},
    {"GET", V1 "/revocation/status", pvd_revocation_status, CA | IN | PA | PL | AU, U, S, 0},

    /* the resident's own view (docs/privacy.md): links made and revoked by the alarm centre,
     * the page itself reached by the link's secret alone */
    {"GET", V1 "/recipients/{id}/resident-links", pvd_resident_links_list, CA, U, T, 0},
    {"POST", V1 "/recipients/{id}/resident-links", pvd_resident_links_create, CA, U, T, 0},
    {"GET", V1 "/resident-links/{id}/views", pvd_resident_links_views, CA, U, T, 0},
    {"POST", V1 "/resident-links/{id}/revoke", pvd_resident_links_revoke, CA, U, T, 0},
    {"GET", "/hemma/{link}", pvd_resident_page, 0, PVS_AUTH_PUBLIC, T, PVS_RF_NO_CSRF},
    /* the register extract (GDPR art. 15), for the recipient on request */
    {"GET", V1 "/recipients/{id}/extract", pvd_recipient_extract, CA, U, T, 0},
};
const size_t pvs_domain_routes_count = sizeof pvs_domain_routes / sizeof pvs_domain_routes[0];
