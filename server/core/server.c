/* Server lifecycle: open the store pool, migrate, load the issuer key, validate the route
 * tables, start HTTP; and the reverse at stop. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "pvs/clock.h"
#include "pvs/core.h"

static int check_routes(void)
{
    const struct pvs_route *tab[] = {pvs_core_routes, pvs_domain_routes, pvs_phone_routes};
    const size_t n[] = {pvs_core_routes_count, pvs_domain_routes_count, pvs_phone_routes_count};
    char err[300];
    for (size_t t = 0; t < 3; t++)
        if (pvs_routes_validate(tab[t], n[t], err, sizeof err) != 0) {
            fprintf(stderr, "portvakt-server: %s\n", err);
            return -1;
        }
    /* a pattern registered by two tables would make one of them dead code */
    for (size_t a = 0; a < 3; a++)
        for (size_t b = a + 1; b < 3; b++)
            for (size_t i = 0; i < n[a]; i++)
                for (size_t j = 0; j < n[b]; j++)
                    if (strcmp(tab[a][i].method, tab[b][j].method) == 0 &&
                        strcmp(tab[a][i].pattern, tab[b][j].pattern) == 0) {
                        fprintf(stderr, "portvakt-server: route %s %s is registered twice\n",
                                tab[a][i].method, tab[a][i].pattern);
                        return -1;
                    }
    return 0;
}

static int migrate(struct pvs_server *s)
{
    char err[400];
    int applied = 0;
    pvs_db *db = pvs_store_acquire(s->store);
    int rc = pvs_migrate(db, &applied, err, sizeof err);
    if (rc != PVS_DB_OK)
        fprintf(stderr, "portvakt-server: %s\n", err);
    else if (applied)
        fprintf(stderr, "portvakt-server: applied %d schema migration(s)\n", applied);
    if (rc == PVS_DB_OK && pvs_domain_init(s, db) != 0)
        rc = PVS_DB_ERROR;
    pvs_store_release(s->store, db);
    return rc == PVS_DB_OK ? 0 : -1;
}

int pvs_server_start(struct pvs_server *s, const struct pvs_config *cfg)
{
    memset(s, 0, sizeof *s);
    s->cfg = *cfg;
    char err[400];
    if (sodium_init() < 0 || check_routes() != 0)
        return -1;
    pvs_clock_enable_sim(cfg->sim_clock);
    if (cfg->web_root[0] && !realpath(cfg->web_root, s->web_root_real)) {
        fprintf(stderr, "portvakt-server: web root %s does not exist\n", cfg->web_root);
        return -1;
    }
    if (pvs_issuer_load(cfg->issuer_key, &s->issuer, err, sizeof err) != 0) {
        fprintf(stderr, "portvakt-server: %s\n", err);
        return -1;
    }
    if (pvs_store_open(pvs_db_ops_for(cfg->db), cfg->db, cfg->threads, &s->store, err, sizeof err) !=
        PVS_DB_OK) {
        fprintf(stderr, "portvakt-server: %s\n", err);
        pvs_server_stop(s);
        return -1;
    }
    if (migrate(s) != 0 || pvs_http_start(s) != 0) {
        pvs_server_stop(s);
        return -1;
    }
    return 0;
}

void pvs_server_stop(struct pvs_server *s)
{
    pvs_http_stop(s);
    if (s->store)
        pvs_domain_fini(s);
    pvs_store_close(s->store);
    s->store = NULL;
    sodium_memzero(&s->issuer, sizeof s->issuer);
}
