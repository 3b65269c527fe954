/* Internal state of the simulator's server backend (backend_http.c, http_setup.c). */
#ifndef PVSIM_HTTP_H
#define PVSIM_HTTP_H

#include <sys/types.h>

#include "api.h"
#include "relay.h"
#include "sim.h"

typedef struct http_ctx {
    sim_api *api;
    sim_relay *relay;
    pid_t station_pid;
    sim_http_opts o;
    char dir[256], sock[320], clockf[320], queue[320], keyf[320];
    char host[64], uplink[128], exe[600];
    int port;
    long long provider[4], owner[16], station_id;
    uint8_t station_sk[64], station_pk[32];
    int made_dir;
} http_ctx;

/* Registers the district on the server (providers, staff and keys, owners and consents,
 * buildings, locks, recipients, rights, the station) and commissions the locks. */
int sim_http_register(sim *s, http_ctx *h);
/* Starts the uplink relay and portvakt-station for the registered station. */
int sim_http_start_station(sim *s, http_ctx *h);
/* Reads the issuer's current public key and id (GET /api/v1/issuer/keys, public). */
int sim_http_issuer(sim *s, http_ctx *h);
/* Registers a fresh station key pair for provider_id under name (POST /api/v1/stations). */
int sim_http_add_station(http_ctx *h, long long provider_id, const char *name);
void sim_date(uint64_t t, char out[11]);

#endif
