/* Authorization matrix fixtures of the domain routes. Stub until the domain module lands:
 * add one entry {method, pattern, build} per PVS_AUTH_USER route in pvs_domain_routes
 * (test_authz_matrix fails, naming each route without one; meanwhile it still checks the
 * role gate with synthetic ids). mx_domain_setup() creates the domain's objects in both
 * tenants (w->provider[MX_OWN] and [MX_OTHER]) through the API as
 * w->who[MX_CENTRAL_ADMIN] and adds needles for tenant B's unique strings; build
 * functions then aim a request at the own or other tenant's object. See mx.h and
 * mx_fixtures_core.c for examples (mx_fx_list covers plain list routes). */
#include "mx.h"

const struct mx_fixture mx_fixtures_domain[] = {
    {NULL, NULL, NULL},
};
const size_t mx_fixtures_domain_count = 0;

const char *const mx_domain_volatile_tables[] = {NULL};

int mx_domain_setup(struct mx_world *w)
{
    (void)w;
    return 0;
}
