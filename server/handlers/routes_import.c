/* The care-planning import's route: only the central administration (the city, whose
 * care-planning system decides provider changes) may move recipients between providers. */
#include "import_handlers.h"

const struct pvs_route pvs_import_routes[] = {
    {"POST", "/api/v1/care-planning/import", pvs_h_care_import, PVS_R_CENTRAL_ADMIN,
     PVS_AUTH_USER, PVS_SCOPE_SHARED, 0},
};
const size_t pvs_import_routes_count = sizeof pvs_import_routes / sizeof pvs_import_routes[0];
