/* Matrix fixtures when portvakt-server is built without its domain module
 * (PVS_WITH_DOMAIN=OFF): no domain routes, nothing to set up. */
#include "mx.h"

const struct mx_fixture mx_fixtures_domain[] = {{NULL, NULL, NULL}};
const size_t mx_fixtures_domain_count = 0;
const char *const mx_domain_volatile_tables[] = {NULL};
const struct mx_fixture mx_fixtures_phone[] = {{NULL, NULL, NULL}};
const size_t mx_fixtures_phone_count = 0;
const struct mx_fixture mx_fixtures_import[] = {{NULL, NULL, NULL}};
const size_t mx_fixtures_import_count = 0;

int mx_domain_setup(struct mx_world *w)
{
    (void)w;
    return 0;
}
