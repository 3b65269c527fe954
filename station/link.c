/* Framing and payload codecs of the station's local key link (docs/station.md). */
#include "link.h"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <string.h>
#include <unistd.h>

#include "portvakt/wire.h"

static int fd_wait(int fd, short ev, int timeout_ms)
{
    struct pollfd p = {.fd = fd, .events = ev};
    int r;
    do {
        r = poll(&p, 1, timeout_ms);
    } while (r < 0 && errno == EINTR);
    if (r == 0)
        return PV_E_TIMEOUT;
    return r < 0 ? PV_E_IO : PV_OK;
}

static int fd_read(void *ctx, uint8_t *buf, size_t len)
{
    pvst_fd_link *fl = ctx;
    size_t got = 0;
    while (got < len) {
        int w = fd_wait(fl->fd, POLLIN, fl->timeout_ms);
        if (w != PV_OK)
            return w;
        ssize_t n = read(fl->fd, buf + got, len - got);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n <= 0)
            return PV_E_IO;
        got += (size_t)n;
    }
    return PV_OK;
}

static int fd_write(void *ctx, const uint8_t *buf, size_t len)
{
    pvst_fd_link *fl = ctx;
    size_t put = 0;
    while (put < len) {
        int w = fd_wait(fl->fd, POLLOUT, fl->timeout_ms);
        if (w != PV_OK)
            return w;
        ssize_t n = send(fl->fd, buf + put, len - put, MSG_NOSIGNAL);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n <= 0)
            return PV_E_IO;
        put += (size_t)n;
    }
    return PV_OK;
}

void pvst_fd_link_init(pvst_fd_link *fl, int fd, int timeout_ms, pvst_link_ops *ops)
{
    fl->fd = fd;
    fl->timeout_ms = timeout_ms;
    ops->ctx = fl;
    ops->read = fd_read;
    ops->write = fd_write;
}

int pvst_frame_send(const pvst_link_ops *l, uint8_t type, const uint8_t *payload, size_t len)
{
    if (len + 1 > PVST_FRAME_MAX || (len && !payload))
        return PV_E_ARG;
    uint8_t hdr[5];
    pv_store32_le(hdr, (uint32_t)(len + 1));
    hdr[4] = type;
    int r = l->write(l->ctx, hdr, sizeof hdr);
    if (r == PV_OK && len)
        r = l->write(l->ctx, payload, len);
    return r;
}

int pvst_frame_recv(const pvst_link_ops *l, uint8_t *type, uint8_t *buf, size_t cap,
                    size_t *len)
{
    uint8_t hdr[5];
    int r = l->read(l->ctx, hdr, sizeof hdr);
    if (r != PV_OK)
        return r;
    uint32_t n = pv_load32_le(hdr);
    if (n < 1 || n > PVST_FRAME_MAX || n - 1 > cap)
        return PV_E_LENGTH;
    *type = hdr[4];
    *len = n - 1;
    return n > 1 ? l->read(l->ctx, buf, n - 1) : PV_OK;
}

void pvst_hello_encode(const pvst_hello *h, uint8_t out[PVST_HELLO_SIZE])
{
    pv_store32_le(out, h->bearer_id);
    pv_store64_le(out + 4, h->have_until);
    out[12] = h->flags;
}

int pvst_hello_decode(const uint8_t *in, size_t len, pvst_hello *h)
{
    if (len != PVST_HELLO_SIZE)
        return len < PVST_HELLO_SIZE ? PV_E_TRUNCATED : PV_E_LENGTH;
    h->bearer_id = pv_load32_le(in);
    h->have_until = pv_load64_le(in + 4);
    h->flags = in[12];
    if (h->flags & ~PVST_HELLO_F_LOGS_ONLY)
        return PV_E_RESERVED;
    return h->bearer_id == 0 ? PV_E_RANGE : PV_OK;
}

void pvst_enrol_encode(const pvst_enrol *e, uint8_t out[PVST_ENROL_SIZE])
{
    out[0] = e->kind;
    memcpy(out + 1, e->pk, 32);
    memcpy(out + 33, e->sig, PV_SIG_SIZE);
}

int pvst_enrol_decode(const uint8_t *in, size_t len, pvst_enrol *e)
{
    if (len != PVST_ENROL_SIZE)
        return len < PVST_ENROL_SIZE ? PV_E_TRUNCATED : PV_E_LENGTH;
    if (in[0] > 1)
        return PV_E_RANGE;
    e->kind = in[0];
    memcpy(e->pk, in + 1, 32);
    memcpy(e->sig, in + 33, PV_SIG_SIZE);
    return PV_OK;
}

int pvst_synced_encode(const pvst_synced *s, uint8_t *out, size_t cap, size_t *outlen)
{
    size_t need = PVST_SYNCED_FIXED + s->revlist_len + (size_t)s->entry_count * PV_ENTRY_SIZE;
    if (need > cap || need + 1 > PVST_FRAME_MAX)
        return PV_E_BUFSIZE;
    uint8_t *p = out;
    pv_store64_le(p, s->valid_from);
    pv_store64_le(p + 8, s->valid_until);
    pv_store32_le(p + 16, s->doors);
    p += 20;
    memcpy(p, s->cred, PV_CRED_SIZE);
    p += PV_CRED_SIZE;
    memcpy(p, s->beacon, PV_BEACON_SIZE);
    p += PV_BEACON_SIZE;
    pv_store16_le(p, s->revlist_len);
    p += 2;
    if (s->revlist_len)
        memcpy(p, s->revlist, s->revlist_len);
    p += s->revlist_len;
    pv_store32_le(p, s->entry_count);
    p += 4;
    if (s->entry_count)
        memcpy(p, s->entries, (size_t)s->entry_count * PV_ENTRY_SIZE);
    *outlen = need;
    return PV_OK;
}

int pvst_synced_decode(const uint8_t *in, size_t len, pvst_synced *s)
{
    if (len < PVST_SYNCED_FIXED)
        return PV_E_TRUNCATED;
    s->valid_from = pv_load64_le(in);
    s->valid_until = pv_load64_le(in + 8);
    s->doors = pv_load32_le(in + 16);
    size_t pos = 20;
    s->cred = in + pos;
    pos += PV_CRED_SIZE;
    s->beacon = in + pos;
    pos += PV_BEACON_SIZE;
    s->revlist_len = pv_load16_le(in + pos);
    pos += 2;
    if (s->revlist_len > PV_REVLIST_MAX_SIZE)
        return PV_E_RANGE;
    if (len - pos < (size_t)s->revlist_len + 4)
        return PV_E_TRUNCATED;
    s->revlist = s->revlist_len ? in + pos : NULL;
    pos += s->revlist_len;
    s->entry_count = pv_load32_le(in + pos);
    pos += 4;
    if (s->entry_count > PV_MERKLE_MAX_LEAVES)
        return PV_E_RANGE;
    size_t elen = (size_t)s->entry_count * PV_ENTRY_SIZE;
    if (len - pos != elen)
        return len - pos < elen ? PV_E_TRUNCATED : PV_E_LENGTH;
    s->entries = in + pos;
    return s->valid_until > s->valid_from ? PV_OK : PV_E_RANGE;
}

int pvst_status_encode(const pvst_status *s, uint8_t *out, size_t cap, size_t *outlen)
{
    size_t n = strnlen(s->text, PVST_STATUS_MAX);
    if (cap < n + 1)
        return PV_E_BUFSIZE;
    out[0] = s->code;
    memcpy(out + 1, s->text, n);
    *outlen = n + 1;
    return PV_OK;
}

int pvst_status_decode(const uint8_t *in, size_t len, pvst_status *s)
{
    if (len < 1)
        return PV_E_TRUNCATED;
    if (len - 1 > PVST_STATUS_MAX)
        return PV_E_LENGTH;
    if (in[0] > PVST_ST_ENROL)
        return PV_E_RANGE;
    for (size_t i = 1; i < len; i++)
        if (in[i] == 0)
            return PV_E_RANGE; /* a display line, not a C string with hidden tails */
    s->code = in[0];
    memcpy(s->text, in + 1, len - 1);
    s->text[len - 1] = 0;
    return PV_OK;
}

void pvst_bev_encode(const pvst_bev *e, uint8_t out[PVST_BEV_SIZE])
{
    pv_store32_le(out, e->seq);
    pv_store64_le(out + 4, e->time);
    out[12] = e->kind;
    pv_store32_le(out + 13, e->lock_id);
    out[17] = e->reason;
}

int pvst_bev_decode(const uint8_t in[PVST_BEV_SIZE], pvst_bev *e)
{
    e->seq = pv_load32_le(in);
    e->time = pv_load64_le(in + 4);
    e->kind = in[12];
    e->lock_id = pv_load32_le(in + 13);
    e->reason = in[17];
    if (e->kind != PVST_BEV_OPEN && e->kind != PVST_BEV_REFUSED)
        return PV_E_RANGE;
    if ((e->kind == PVST_BEV_OPEN) != (e->reason == 0))
        return PV_E_RANGE; /* an open has no reason, a refusal always has one */
    return e->reason < (uint8_t)-PV_E__COUNT ? PV_OK : PV_E_RANGE;
}
