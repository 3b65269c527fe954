/* Authorization matrix fixtures of the domain routes. Stub until the domain module lands:
 * add one entry per route in pvs_domain_routes. */
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
