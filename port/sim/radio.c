/* Virtual radio: in-process frame queues, or length-prefixed frames over a Unix socket so
 * a separate process (pv-radio-mitm) can record, replay, delay, drop or alter them.
 * PV_SIM_NO_SOCKETS (the Cortex-M4 test firmware, which has no OS) keeps only the queues. */
#include <string.h>

#include "portvakt/sim.h"

#ifndef PV_SIM_NO_SOCKETS
#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
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
/* send(MSG_NOSIGNAL), not write(): a peer that hung up must give PV_E_IO, not a SIGPIPE
 * that kills the whole simulated lock or key process. */
static int write_all(int fd, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return PV_E_IO;
        p += w;
        n -= (size_t)w;
    }
    return PV_OK;
}

static int wait_readable(int fd, int timeout_ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int r;
    do {
        r = poll(&p, 1, timeout_ms);
    } while (r < 0 && errno == EINTR);
    if (r < 0)
        return PV_E_IO;
    return r == 0 ? PV_E_TIMEOUT : PV_OK;
}

static int read_all(int fd, uint8_t *p, size_t n, int timeout_ms)
{
    while (n > 0) {
        int rc = wait_readable(fd, timeout_ms);
        if (rc != PV_OK)
            return rc;
        ssize_t r = read(fd, p, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return PV_E_IO; /* peer closed or failed */
        p += r;
        n -= (size_t)r;
    }
    return PV_OK;
}

int pv_sim_frame_write(int fd, const uint8_t *frame, size_t len)
{
    if (len == 0 || len > PV_MSG_MAX)
        return PV_E_LENGTH;
    uint8_t hdr[2] = {(uint8_t)(len & 0xFF), (uint8_t)(len >> 8)};
    int rc = write_all(fd, hdr, 2);
    return rc != PV_OK ? rc : write_all(fd, frame, len);
}

int pv_sim_frame_read(int fd, uint8_t *frame, size_t cap, size_t *len, int timeout_ms)
{
    uint8_t hdr[2];
    /* only the first byte may time out quietly: once a frame has begun, the rest gets the
     * body's grace time, or a poll with timeout 0 would eat half a length prefix and read
     * every later frame out of step */
    int rc = read_all(fd, hdr, 1, timeout_ms);
    if (rc != PV_OK)
        return rc;
    rc = read_all(fd, hdr + 1, 1, timeout_ms < 0 ? -1 : 1000);
    if (rc != PV_OK)
        return rc == PV_E_TIMEOUT ? PV_E_TRUNCATED : rc;
    size_t n = (size_t)hdr[0] | ((size_t)hdr[1] << 8);
    if (n == 0 || n > PV_MSG_MAX || n > cap)
        return PV_E_LENGTH; /* hostile length: the stream cannot be trusted any more */
    rc = read_all(fd, frame, n, timeout_ms < 0 ? -1 : 1000);
    if (rc != PV_OK)
        return rc == PV_E_TIMEOUT ? PV_E_TRUNCATED : rc;
    *len = n;
    return PV_OK;
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
static int sock_addr(const char *path, struct sockaddr_un *a)
{
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    if (strlen(path) >= sizeof a->sun_path)
        return PV_E_ARG;
    strcpy(a->sun_path, path);
    return PV_OK;
}

int pv_sim_sock_listen(const char *path, int *listen_fd)
{
    struct sockaddr_un a;
    if (sock_addr(path, &a) != PV_OK)
        return PV_E_ARG;
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0)
        return PV_E_IO;
    unlink(path);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 4) != 0) {
        close(fd);
        return PV_E_IO;
    }
    *listen_fd = fd;
    return PV_OK;
}

int pv_sim_sock_accept(int listen_fd, pv_sim_radio *r, int timeout_ms)
{
    int rc = wait_readable(listen_fd, timeout_ms);
    if (rc != PV_OK)
        return rc;
    int fd = accept(listen_fd, NULL, NULL);
    if (fd < 0)
        return PV_E_IO;
    memset(r, 0, sizeof *r);
    r->fd = fd;
    return PV_OK;
}

int pv_sim_sock_connect(const char *path, pv_sim_radio *r)
{
    struct sockaddr_un a;
    if (sock_addr(path, &a) != PV_OK)
        return PV_E_ARG;
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0)
        return PV_E_IO;
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return PV_E_IO;
    }
    memset(r, 0, sizeof *r);
    r->fd = fd;
    return PV_OK;
}

void pv_sim_sock_close(pv_sim_radio *r)
{
    if (r->fd >= 0)
        close(r->fd);
    r->fd = -1;
}
#endif
