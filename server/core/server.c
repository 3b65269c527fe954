/* Server lifecycle: open the store pool, migrate, load the vault and issuer keys, validate
 * the route tables, start HTTP; and the reverse at stop. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "pvs/clock.h"
#include "pvs/core.h"
#include "pvs/vault.h"
#include "../services/webhook_worker.h"

/* True when (method, pattern) of route `a` is also in table t (one would be dead code). */
static bool registered_in(const struct pvs_route *a, const struct pvs_route *t, size_t n)
{
    for (size_t j = 0; j < n; j++)
        if (strcmp(a->method, t[j].method) == 0 && strcmp(a->pattern, t[j].pattern) == 0)
            return true;
    return false;
}

static int check_routes(void)
{
    const struct pvs_route_table *tab = pvs_route_tables;
    char err[300];
    for (size_t t = 0; t < pvs_route_tables_count; t++)
        if (pvs_routes_validate(tab[t].routes, *tab[t].count, err, sizeof err) != 0) {
            fprintf(stderr, "portvakt-server: %s routes: %s\n", tab[t].name, err);
            return -1;
        }
    /* a pattern registered by two tables would make one of them dead code */
    for (size_t a = 0; a < pvs_route_tables_count; a++)
        for (size_t b = a + 1; b < pvs_route_tables_count; b++)
            for (size_t i = 0; i < *tab[a].count; i++)
                if (registered_in(&tab[a].routes[i], tab[b].routes, *tab[b].count)) {
                    fprintf(stderr, "portvakt-server: route %s %s is registered twice\n",
                            tab[a].routes[i].method, tab[a].routes[i].pattern);
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
    /* the vault key first: the issuer key file may be sealed under it */
    if (rc == PVS_DB_OK && pvs_vault_start_issuer(&s->cfg, db, &s->issuer, err, sizeof err) != 0) {
        fprintf(stderr, "portvakt-server: %s\n", err);
        rc = PVS_DB_ERROR;
    }
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
    if (pvs_store_open(pvs_db_ops_for(cfg->db), cfg->db, cfg->threads, &s->store, err, sizeof err) !=
        PVS_DB_OK) {
        fprintf(stderr, "portvakt-server: %s\n", err);
        pvs_server_stop(s);
        return -1;
    }
    pvs_webhook_worker_configure(&s->cfg.webhook);
    if (migrate(s) != 0 || pvs_purge_daily_start(s) != 0 || pvs_webhook_worker_start(s->store) != 0 ||
        pvs_http_start(s) != 0) {
        pvs_server_stop(s);
        return -1;
    }
    return 0;
}

void pvs_server_stop(struct pvs_server *s)
{
    pvs_purge_daily_stop(s);
    pvs_http_stop(s);
    pvs_webhook_worker_stop(); /* before the store it borrows connections from */
    if (s->store)
        pvs_domain_fini(s);
    pvs_store_close(s->store);
    s->store = NULL;
    sodium_memzero(&s->issuer, sizeof s->issuer);
    pvs_vault_unload();
}
