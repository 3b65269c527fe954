/* A TCP relay between the station and the server that the simulator can switch off:
 * the "station loses its uplink for an hour" of the scenario (TLS passes through). */
#ifndef PVSIM_RELAY_H
#define PVSIM_RELAY_H

typedef struct sim_relay sim_relay;

/* Listens on 127.0.0.1 (an ephemeral port, see sim_relay_port) and forwards to
 * host:port. NULL on failure. */
sim_relay *sim_relay_start(const char *host, int port);
int sim_relay_port(const sim_relay *r);
/* up = 0: refuse new connections and cut open ones; up = 1: forward again. */
void sim_relay_set(sim_relay *r, int up);
void sim_relay_stop(sim_relay *r);

#endif
