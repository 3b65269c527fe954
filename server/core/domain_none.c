/* The domain module's hooks when portvakt-server is built without it (PVS_WITH_DOMAIN=OFF):
 * no routes, no migrations, nothing to start or stop. */
#include <stdio.h>

#include "pvs/http.h"
#include "pvs/erase.h"
#include "pvs/server.h"

const struct pvs_route pvs_domain_routes[] = {{0}};
const size_t pvs_domain_routes_count = 0;
const struct pvs_route pvs_phone_routes[] = {{0}};
const size_t pvs_phone_routes_count = 0;
const struct pvs_route pvs_import_routes[] = {{0}};
const size_t pvs_import_routes_count = 0;
const struct pvs_migration pvs_migrations_domain[] = {{0, NULL, NULL}};
const size_t pvs_migrations_domain_count = 0;

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

int pvs_domain_purge(pvs_db *db, const struct pvs_config *cfg, int64_t now,
                     struct pvs_purge_counts *out)
{
    (void)db, (void)cfg, (void)now;
    *out = (struct pvs_purge_counts){0};
    return PVS_DB_OK;
}

bool pvs_token_scope_allows(struct pvs_req *r, const struct pvs_route *rt)
{
    (void)r;
    (void)rt;
    return true;
}

int pvs_cli_import(int argc, char **argv)
{
    (void)argc, (void)argv;
    fputs("portvakt-server: built without the domain module; nothing to import into\n", stderr);
    return 2;
}

int pvs_domain_erase(pvs_db *db, const char *kind, int64_t id, int64_t now,
                     struct pvs_erase_counts *out)
{
    (void)db, (void)kind, (void)id, (void)now;
    out->result = PVS_ERASE_UNKNOWN_KIND;
    return PVS_DB_OK;
}
