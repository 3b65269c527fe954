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
    char err[300];
    if (pvs_routes_validate(pvs_core_routes, pvs_core_routes_count, err, sizeof err) != 0 ||
        pvs_routes_validate(pvs_domain_routes, pvs_domain_routes_count, err, sizeof err) != 0) {
        fprintf(stderr, "portvakt-server: %s\n", err);
        return -1;
    }
    /* a pattern registered by both tables would make one of them dead code */
    for (size_t i = 0; i < pvs_domain_routes_count; i++)
        for (size_t j = 0; j < pvs_core_routes_count; j++)
            if (strcmp(pvs_domain_routes[i].method, pvs_core_routes[j].method) == 0 &&
                strcmp(pvs_domain_routes[i].pattern, pvs_core_routes[j].pattern) == 0) {
                fprintf(stderr, "portvakt-server: route %s %s is registered twice\n",
                        pvs_core_routes[j].method, pvs_core_routes[j].pattern);
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
    if (cfg->web_root[0]) { /* realpath into a buffer would need PATH_MAX bytes */
        char *real = realpath(cfg->web_root, NULL);
        size_t n = real ? strlen(real) : 0;
        if (n && n < sizeof s->web_root_real)
            memcpy(s->web_root_real, real, n + 1);
        free(real);
        if (!n || n >= sizeof s->web_root_real) {
            fprintf(stderr, "portvakt-server: web root %s does not exist\n", cfg->web_root);
            return -1;
        }
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
