/* Authorization matrix fixture of the care-planning import: only the central administration
 * may run it (it moves recipients between providers); the request is a dry run of an empty
 * JSON file, so repeating it changes nothing. */
#include <stdio.h>
#include <string.h>

#include "mx.h"

static int import_dry_run(struct mx_world *w, const struct pvs_route *rt, enum mx_who as,
                          enum mx_tenant t, char *path, size_t cap, char **body)
{
    (void)w, (void)rt, (void)as;
    if (t == MX_OTHER)
        return MX_SKIP; /* the city's file: no provider's data to aim at */
    *body = strdup("{\"records\":[]}");
    snprintf(path, cap, "/api/v1/care-planning/import");
    return MX_EXPECT_OK;
}

const struct mx_fixture mx_fixtures_import[] = {
    {"POST", "/api/v1/care-planning/import", import_dry_run},
};
const size_t mx_fixtures_import_count = sizeof mx_fixtures_import / sizeof mx_fixtures_import[0];
