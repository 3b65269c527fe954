/* The POSIX radio: length-prefixed frames over a stream fd, Unix stream sockets and raw
 * serial lines to carry them. port/sim's socket radio and pv-radio-mitm use it too. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "portvakt/posix.h"
#include "portvakt/wire.h"

/* A second for the rest of a frame once its first byte arrived (see frame_read). */
#define FRAME_GRACE_MS 1000

/* send(MSG_NOSIGNAL) on sockets: a peer that hung up must give PV_E_IO, not a SIGPIPE
 * that kills the whole lock or key process; write() on anything else (a serial line). */
int pv_posix_write_all(int fd, const void *buf, size_t n)
{
    const uint8_t *p = buf;
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == ENOTSOCK)
            w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return PV_E_IO;
        p += w;
        n -= (size_t)w;
    }
    return PV_OK;
}

int pv_posix_wait_readable(int fd, int timeout_ms)
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
        int rc = pv_posix_wait_readable(fd, timeout_ms);
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

int pv_posix_frame_write(int fd, const uint8_t *frame, size_t len)
{
    if (len == 0 || len > PV_MSG_MAX)
        return PV_E_LENGTH;
    uint8_t hdr[2];
    pv_store16_le(hdr, (uint16_t)len);
    int rc = pv_posix_write_all(fd, hdr, 2);
    return rc != PV_OK ? rc : pv_posix_write_all(fd, frame, len);
}

int pv_posix_frame_read(int fd, uint8_t *frame, size_t cap, size_t *len, int timeout_ms)
{
    uint8_t hdr[2];
    /* only the first byte may time out quietly: once a frame has begun, the rest gets the
     * body's grace time, or a poll with timeout 0 would eat half a length prefix and read
     * every later frame out of step */
    int rc = read_all(fd, hdr, 1, timeout_ms);
    if (rc != PV_OK)
        return rc;
    int grace = timeout_ms < 0 ? -1 : FRAME_GRACE_MS;
    rc = read_all(fd, hdr + 1, 1, grace);
    if (rc != PV_OK)
        return rc == PV_E_TIMEOUT ? PV_E_TRUNCATED : rc;
    size_t n = pv_load16_le(hdr);
    if (n == 0 || n > PV_MSG_MAX || n > cap)
        return PV_E_LENGTH; /* hostile length: the stream cannot be trusted any more */
    rc = read_all(fd, frame, n, grace);
    if (rc != PV_OK)
        return rc == PV_E_TIMEOUT ? PV_E_TRUNCATED : rc;
    *len = n;
    return PV_OK;
}

static int sock_addr(const char *path, struct sockaddr_un *a)
{
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    if (strlen(path) >= sizeof a->sun_path)
        return PV_E_ARG;
    strcpy(a->sun_path, path);
    return PV_OK;
}

int pv_posix_sock_listen(const char *path, int *listen_fd)
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

int pv_posix_sock_accept(int listen_fd, int *fd, int timeout_ms)
{
    int rc = pv_posix_wait_readable(listen_fd, timeout_ms);
    if (rc != PV_OK)
        return rc;
    int c = accept(listen_fd, NULL, NULL);
    if (c < 0)
        return PV_E_IO;
    *fd = c;
    return PV_OK;
}

int pv_posix_sock_connect(const char *path, int *fd)
{
    struct sockaddr_un a;
    if (sock_addr(path, &a) != PV_OK)
        return PV_E_ARG;
    int c = socket(AF_UNIX, SOCK_STREAM, 0);
    if (c < 0)
        return PV_E_IO;
    if (connect(c, (struct sockaddr *)&a, sizeof a) != 0) {
        close(c);
        return PV_E_IO;
    }
    *fd = c;
    return PV_OK;
}

int pv_posix_serial_open(const char *device, int *fd)
{
    int s = open(device, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (s < 0)
        return PV_E_IO;
    struct termios t;
    if (tcgetattr(s, &t) != 0) {
        close(s);
        return PV_E_IO;
    }
    cfmakeraw(&t); /* 8 bits, no parity, no echo, no line editing: frames are binary */
    t.c_cflag |= CLOCAL | CREAD;
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    if (cfsetispeed(&t, B115200) != 0 || cfsetospeed(&t, B115200) != 0 ||
        tcsetattr(s, TCSANOW, &t) != 0) {
        close(s);
        return PV_E_IO;
    }
    *fd = s;
    return PV_OK;
}
