/* Domain routes of portvakt-server (staff, bearers, stations, buildings, locks, recipients,
 * consents, provider changes, rights, sync, ingest). Stub until the domain module lands. */
#include "pvs/http.h"
#include "pvs/server.h"

const struct pvs_route pvs_domain_routes[] = {
    {0},
};
const size_t pvs_domain_routes_count = 0;

int pvs_domain_init(struct pvs_server *s, pvs_db *db)
{
    (void)s;
    (void)db;
    return 0;
}

void pvs_domain_fini(struct pvs_server *s)
{
    (void)s;
}
