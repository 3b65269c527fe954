/* Virtual radio: in-process frame queues, or length-prefixed frames over a Unix socket so
 * a separate process (pv-radio-mitm) can record, replay, delay, drop or alter them.
 * PV_SIM_NO_SOCKETS (the Cortex-M4 test firmware, which has no OS) keeps only the queues. */
#include <string.h>

#include "portvakt/sim.h"

#ifndef PV_SIM_NO_SOCKETS
#include <unistd.h>

#include "portvakt/posix.h"
#endif

void pv_sim_radio_pair(pv_sim_radio *a, pv_sim_radio *b, pv_sim_queue *ab, pv_sim_queue *ba)
{
    memset(a, 0, sizeof *a);
    memset(b, 0, sizeof *b);
    memset(ab, 0, sizeof *ab);
    memset(ba, 0, sizeof *ba);
    a->fd = b->fd = -1;
    a->tx = ab;
    a->rx = ba;
    b->tx = ba;
    b->rx = ab;
}

#ifndef PV_SIM_NO_SOCKETS
/* The socket transport is the POSIX port's stream radio: one framing for both ports. */
int pv_sim_frame_write(int fd, const uint8_t *frame, size_t len)
{
    return pv_posix_frame_write(fd, frame, len);
}

int pv_sim_frame_read(int fd, uint8_t *frame, size_t cap, size_t *len, int timeout_ms)
{
    return pv_posix_frame_read(fd, frame, cap, len, timeout_ms);
}
#endif

int pv_sim_radio_send(pv_sim_radio *r, const uint8_t *frame, size_t len)
{
    if (len == 0 || len > PV_MSG_MAX)
        return PV_E_LENGTH;
#ifndef PV_SIM_NO_SOCKETS
    if (r->fd >= 0) {
        int rc = pv_sim_frame_write(r->fd, frame, len);
        if (rc != PV_OK)
            return rc;
    } else
#endif
    {
        pv_sim_queue *q = r->tx;
        if (q->count == PV_SIM_RADIO_QUEUE)
            return PV_E_FULL;
        unsigned slot = (q->head + q->count) % PV_SIM_RADIO_QUEUE;
        memcpy(q->frames[slot], frame, len);
        q->lens[slot] = (uint16_t)len;
        q->count++;
    }
    r->frames_sent++;
    r->bytes_sent += len;
    return PV_OK;
}

int pv_sim_radio_recv(pv_sim_radio *r, uint8_t *frame, size_t cap, size_t *len, int timeout_ms)
{
#ifndef PV_SIM_NO_SOCKETS
    if (r->fd >= 0) {
        int rc = pv_sim_frame_read(r->fd, frame, cap, len, timeout_ms);
        if (rc != PV_OK)
            return rc;
    } else
#endif
    {
        (void)timeout_ms;
        pv_sim_queue *q = r->rx;
        if (q->count == 0)
            return PV_E_TIMEOUT;
        size_t n = q->lens[q->head];
        const uint8_t *src = q->frames[q->head];
        /* a frame too big for the receiver is lost, like on air: left queued it would
         * block every later frame */
        q->head = (q->head + 1) % PV_SIM_RADIO_QUEUE;
        q->count--;
        if (n > cap)
            return PV_E_BUFSIZE;
        memcpy(frame, src, n);
        *len = n;
    }
    r->frames_received++;
    r->bytes_received += *len;
    return PV_OK;
}

#ifndef PV_SIM_NO_SOCKETS
int pv_sim_sock_listen(const char *path, int *listen_fd)
{
    return pv_posix_sock_listen(path, listen_fd);
}

/* The endpoint starts afresh (counters zero) on the new connection. */
static int sock_endpoint(pv_sim_radio *r, int rc, int fd)
{
    if (rc != PV_OK)
        return rc;
    memset(r, 0, sizeof *r);
    r->fd = fd;
    return PV_OK;
}

int pv_sim_sock_accept(int listen_fd, pv_sim_radio *r, int timeout_ms)
{
    int fd = -1;
    int rc = pv_posix_sock_accept(listen_fd, &fd, timeout_ms);
    return sock_endpoint(r, rc, fd);
}

int pv_sim_sock_connect(const char *path, pv_sim_radio *r)
{
    int fd = -1;
    int rc = pv_posix_sock_connect(path, &fd);
    return sock_endpoint(r, rc, fd);
}

void pv_sim_sock_close(pv_sim_radio *r)
{
    if (r->fd >= 0)
        close(r->fd);
    r->fd = -1;
}
#endif
