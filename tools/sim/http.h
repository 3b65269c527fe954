/* Internal state of the simulator's server backend (backend_http.c, http_setup.c). */
#ifndef PVSIM_HTTP_H
#define PVSIM_HTTP_H

#include <sys/types.h>

#include "api.h"
#include "relay.h"
#include "sim.h"

/* One portvakt-station: a provider's keys sync at their provider's station only. */
typedef struct http_station {
    long long id;
    uint8_t sk[64], pk[32];
    pid_t pid;
    char sock[320], queue[320], keyf[320];
} http_station;

typedef struct http_ctx {
    sim_api *api;
    sim_relay *relay;
    sim_http_opts o;
    char dir[256], clockf[320];
    char host[64], uplink[128], exe[600];
    int port;
    long long *provider, *owner; /* server ids by simulator index (1-based) */
    http_station *stn; /* stn[0]: the first provider's; the city has one per provider */
    size_t nstn;
    int made_dir;
    char token[256]; /* for the city's parallel registration clients */
} http_ctx;

/* Registers the district on the server (providers, staff and keys, owners and consents,
 * buildings, locks, recipients, rights, the station) and commissions the locks. */
int sim_http_register(sim *s, http_ctx *h);
/* The Stockholm-scale district (several clients at once; rights the day's plan uses). */
int sim_http_register_city(sim *s, http_ctx *h, const char *since);
/* Starts the uplink relay and portvakt-station for the registered station. */
int sim_http_start_station(sim *s, http_ctx *h);
/* Reads the issuer's current public key and id (GET /api/v1/issuer/keys, public). */
int sim_http_issuer(sim *s, http_ctx *h);
/* Registers a fresh station key pair for provider_id under name (POST /api/v1/stations)
 * as the next entry of h->stn. */
int sim_http_add_station(http_ctx *h, long long provider_id, const char *name);
void sim_date(uint64_t t, char out[11]);

#endif
