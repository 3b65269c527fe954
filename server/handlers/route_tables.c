/* Every route table the server serves, in matching order: the one list the router, the
 * start-up check and the tests walk. A new module adds its table here and nowhere else. */
#include "pvs/http.h"

const struct pvs_route_table pvs_route_tables[] = {
    {"core", pvs_core_routes, &pvs_core_routes_count},
    {"domain", pvs_domain_routes, &pvs_domain_routes_count},
    {"auth", pvs_auth_routes, &pvs_auth_routes_count},
    {"phone", pvs_phone_routes, &pvs_phone_routes_count},
    {"webhooks", pvs_webhook_routes, &pvs_webhook_routes_count},
    {"import", pvs_import_routes, &pvs_import_routes_count},
};
const size_t pvs_route_tables_count = sizeof pvs_route_tables / sizeof pvs_route_tables[0];
