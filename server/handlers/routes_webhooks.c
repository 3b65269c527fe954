/* Routes of outgoing events (webhooks): only the central administration registers the
 * city's receivers and sees and re-sends the deliveries that gave up (the dead letters). */
#include "webhook_handlers.h"

#define CA PVS_R_CENTRAL_ADMIN
#define U PVS_AUTH_USER
#define S PVS_SCOPE_SHARED
#define V1 "/api/v1"

const struct pvs_route pvs_webhook_routes[] = {
    {"GET", V1 "/webhooks", pvs_h_webhooks_list, CA, U, S, 0},
    {"POST", V1 "/webhooks", pvs_h_webhooks_create, CA, U, S, 0},
    {"POST", V1 "/webhooks/{id}/disable", pvs_h_webhooks_disable, CA, U, S, 0},
    {"GET", V1 "/webhook-dead-letters", pvs_h_dead_letters_list, CA, U, S, 0},
    {"POST", V1 "/webhook-dead-letters/{id}/retry", pvs_h_dead_letters_retry, CA, U, S, 0},
};
const size_t pvs_webhook_routes_count = sizeof pvs_webhook_routes / sizeof pvs_webhook_routes[0];
