/* The key's side of a station session: sync through the station, hand over logs. */
#include <sodium.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "link.h"
#include "portvakt/wire.h"

int pvst_sync_sign(const uint8_t sk[PV_SIGN_SK_SIZE], const uint8_t nonce[32],
                   uint32_t bearer_id, uint8_t sig[PV_SIG_SIZE])
{
    static const char dom[] = "portvakt-sync-v1"; /* followed by its 0x00 terminator */
    uint8_t msg[sizeof dom + 32 + 4];
    memcpy(msg, dom, sizeof dom);
    memcpy(msg + sizeof dom, nonce, 32);
    pv_store32_le(msg + sizeof dom + 32, bearer_id);
    return crypto_sign_detached(sig, NULL, msg, sizeof msg, sk) == 0 ? PV_OK : PV_E_CRYPTO;
}

int pvst_enrol_make(const uint8_t sk[PV_SIGN_SK_SIZE], uint8_t kind, pvst_enrol *e)
{
    static const char dom[] = "portvakt-enrol-v1"; /* followed by its 0x00 terminator */
    uint8_t msg[sizeof dom + 32];
    e->kind = kind;
    memcpy(e->pk, sk + 32, 32); /* libsodium's secret key is seed || public key */
    memcpy(msg, dom, sizeof dom);
    memcpy(msg + sizeof dom, e->pk, 32);
    return crypto_sign_detached(e->sig, NULL, msg, sizeof msg, sk) == 0 ? PV_OK : PV_E_CRYPTO;
}

static int expect_status(const pvst_link_ops *l, pvst_status *st)
{
    uint8_t buf[PVST_STATUS_MAX + 1], type;
    size_t n;
    int r = pvst_frame_recv(l, &type, buf, sizeof buf, &n);
    if (r != PV_OK)
        return r;
    if (type != PVST_F_STATUS)
        return PV_E_TYPE;
    return pvst_status_decode(buf, n, st);
}

int pvst_key_sync(const pvst_link_ops *l, const pvst_hello *h, pvst_sign_fn sign, void *sctx,
                  uint8_t *syncbuf, size_t cap, pvst_synced *sync, int *got_sync,
                  pvst_status *st)
{
    uint8_t hb[PVST_HELLO_SIZE], type;
    size_t n;
    *got_sync = 0;
    pvst_hello_encode(h, hb);
    int r = pvst_frame_send(l, PVST_F_HELLO, hb, sizeof hb);
    if (r == PV_OK)
        r = pvst_frame_recv(l, &type, syncbuf, cap, &n);
    if (r != PV_OK)
        return r;
    if (type == PVST_F_STATUS)
        return pvst_status_decode(syncbuf, n, st);
    if (type != PVST_F_CHALLENGE || n != 32)
        return PV_E_TYPE;
    uint8_t nonce[32], sig[PV_SIG_SIZE];
    memcpy(nonce, syncbuf, 32);
    r = sign(sctx, nonce, h->bearer_id, sig);
    if (r == PV_OK)
        r = pvst_frame_send(l, PVST_F_SIGN, sig, sizeof sig);
    if (r == PV_OK)
        r = pvst_frame_recv(l, &type, syncbuf, cap, &n);
    if (r != PV_OK)
        return r;
    if (type == PVST_F_STATUS)
        return pvst_status_decode(syncbuf, n, st);
    if (type != PVST_F_SYNCED)
        return PV_E_TYPE;
    r = pvst_synced_decode(syncbuf, n, sync);
    if (r != PV_OK)
        return r;
    *got_sync = 1;
    return expect_status(l, st);
}

int pvst_key_enrol(const pvst_link_ops *l, const pvst_enrol *e, pvst_status *st)
{
    uint8_t b[PVST_ENROL_SIZE];
    pvst_enrol_encode(e, b);
    int r = pvst_frame_send(l, PVST_F_ENROL, b, sizeof b);
    return r == PV_OK ? expect_status(l, st) : r;
}

int pvst_key_send_logs(const pvst_link_ops *l, const pvst_logs *lg)
{
    size_t cap = 8 + PVST_LOGS_MAX_EVENTS * PVST_BEV_SIZE +
                 PVST_LOGS_MAX_BATCHES * (2 + PV_LOGBATCH_MAX_SIZE);
    uint8_t *buf = sodium_malloc(cap);
    if (!buf)
        return PV_E_NOMEM;
    size_t n;
    int r = pvst_logs_encode(lg, buf, cap, &n);
    if (r == PV_OK)
        r = pvst_frame_send(l, PVST_F_LOGS, buf, n);
    uint8_t type;
    if (r == PV_OK)
        r = pvst_frame_recv(l, &type, buf, cap, &n);
    if (r == PV_OK && type == PVST_F_STATUS) {
        pvst_status st;
        r = pvst_status_decode(buf, n, &st) == PV_OK ? PV_E_IO : PV_E_TYPE; /* not stored */
    } else if (r == PV_OK && (type != PVST_F_ACK || n != 4 || pv_load32_le(buf) != lg->item_id)) {
        r = PV_E_TYPE;
    }
    sodium_free(buf);
    return r;
}

int pvst_key_bye(const pvst_link_ops *l)
{
    return pvst_frame_send(l, PVST_F_BYE, NULL, 0);
}

int pvst_key_connect(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof sa.sun_path)
        return -1;
    memcpy(sa.sun_path, path, strlen(path) + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}
