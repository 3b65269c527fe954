/* The header-read deadline (slow-client defence): a connection must deliver a request's
 * complete headers within PVS_HEADER_DEADLINE_S of opening or of its previous request's
 * end, however it trickles them; otherwise it is shut down. libmicrohttpd's own timeout is
 * an idle timeout that every received byte renews, so a client sending one header line
 * every few seconds would hold its connection for ever (docs/server.md, "Request limits"). */
#ifndef PVS_DEADLINE_H
#define PVS_DEADLINE_H

#include <stdbool.h>

/* Long enough for any real client on a slow mobile link (headers are one packet or two),
 * short enough that 1,000 trickling connections free their slots within seconds. */
#define PVS_HEADER_DEADLINE_S 10.0

struct pvs_conn_watch; /* one per connection, owned by this module */
struct pvs_deadline;   /* the registry and its sweeper thread */

/* Start the registry and its sweeper (checks twice a second). NULL when out of memory or
 * the thread cannot start. deadline_s <= 0 takes PVS_HEADER_DEADLINE_S. */
struct pvs_deadline *pvs_deadline_start(double deadline_s);
/* Stop the sweeper and free the registry; call after the HTTP daemon stopped. */
void pvs_deadline_stop(struct pvs_deadline *d);

/* A connection opened on socket `fd` (from libmicrohttpd's connection notification). */
struct pvs_conn_watch *pvs_deadline_open(struct pvs_deadline *d, int fd);
/* Its headers are complete: no deadline while the request runs. */
void pvs_deadline_request(struct pvs_deadline *d, struct pvs_conn_watch *w);
/* Its request ended: the next request's headers are due within the deadline. */
void pvs_deadline_idle(struct pvs_deadline *d, struct pvs_conn_watch *w);
/* The connection closed (before its socket is closed): forget it. */
void pvs_deadline_close(struct pvs_deadline *d, struct pvs_conn_watch *w);

/* Connections shut down for missing the deadline since start. */
unsigned long pvs_deadline_expired(struct pvs_deadline *d);

#endif
