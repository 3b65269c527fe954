/* Lock log events, their hash chain, and the lock-signed log batch that keys carry from
 * locks to the authorization system. */
#include <sodium.h>

#include "portvakt/proto.h"

#include "codec.h"

/* seq u32 | time u32 | kind u8 | reason u8 | aux u16 | subject u32 */
void pv_event_encode(const pv_event *ev, uint8_t out[PV_EVENT_SIZE])
{
    pv_store32_le(out, ev->seq);
    pv_store32_le(out + 4, ev->time);
    out[8] = ev->kind;
    out[9] = ev->reason;
    pv_store16_le(out + 10, ev->aux);
    pv_store32_le(out + 12, ev->subject);
}

/* Only known kinds; a reason byte only on denials (it is -pv_err there). */
int pv_event_decode(const uint8_t in[PV_EVENT_SIZE], pv_event *ev)
{
    pv_event t;
    t.seq = pv_load32_le(in);
    t.time = pv_load32_le(in + 4);
    t.kind = in[8];
    t.reason = in[9];
    t.aux = pv_load16_le(in + 10);
    t.subject = pv_load32_le(in + 12);
    if (t.kind < PV_EV_OPEN || t.kind > PV_EV_BACKOFF)
        return PV_E_RANGE;
    if (t.kind != PV_EV_DENY && t.reason != 0)
        return PV_E_RESERVED;
    *ev = t;
    return PV_OK;
}

const char *pv_event_kind_name(unsigned kind)
{
    static const char *const names[] = {
        "unknown", "open", "deny", "battery", "tamper", "clock",
        "revlist", "boot", "commission", "backoff",
    };
    return kind < sizeof names / sizeof names[0] ? names[kind] : "unknown";
}

void pv_log_chain_next(const uint8_t prev[PV_HASH_SIZE], const uint8_t event[PV_EVENT_SIZE],
                       uint8_t out[PV_HASH_SIZE])
{
    uint8_t buf[1 + PV_HASH_SIZE + PV_EVENT_SIZE];
    buf[0] = 0x02;
    memcpy(buf + 1, prev, PV_HASH_SIZE);
    memcpy(buf + 1 + PV_HASH_SIZE, event, PV_EVENT_SIZE);
    crypto_generichash(out, PV_HASH_SIZE, buf, sizeof buf, NULL, 0);
}

/* Events decode and their seq numbers run consecutively without wrapping. */
static int events_check(const uint8_t *events, uint8_t count)
{
    pv_event first = {0};
    for (uint8_t i = 0; i < count; i++) {
        pv_event ev;
        int rc = pv_event_decode(events + (size_t)i * PV_EVENT_SIZE, &ev);
        if (rc != PV_OK)
            return rc;
        if (i == 0)
            first = ev;
        else if (first.seq > UINT32_MAX - i || ev.seq != first.seq + i)
            return PV_E_GAP;
    }
    return PV_OK;
}

/* version | type | count u8 | reserved u8 | lock_id u32 | prev_hash[32] |
 * count * event | signature by the lock over all preceding bytes */
int pv_logbatch_sign(uint32_t lock_id, const uint8_t prev_hash[PV_HASH_SIZE],
                     const pv_event *events, uint8_t count,
                     const uint8_t lock_sk[PV_SIGN_SK_SIZE], uint8_t *out, size_t cap,
                     size_t *outlen)
{
    if (count == 0 || count > PV_LOG_BATCH_MAX || events == NULL)
        return PV_E_RANGE;
    size_t body = PV_LOGBATCH_HDR_SIZE + (size_t)count * PV_EVENT_SIZE;
    if (cap < body + PV_SIG_SIZE)
        return PV_E_BUFSIZE;
    out[0] = PV_PROTO_VERSION;
    out[1] = PV_T_LOGBATCH;
    out[2] = count;
    out[3] = 0;
    pv_store32_le(out + 4, lock_id);
    memcpy(out + 8, prev_hash, PV_HASH_SIZE);
    for (uint8_t i = 0; i < count; i++)
        pv_event_encode(&events[i], out + PV_LOGBATCH_HDR_SIZE + (size_t)i * PV_EVENT_SIZE);
    /* refuse to sign what no decoder would accept */
    int rc = events_check(out + PV_LOGBATCH_HDR_SIZE, count);
    if (rc != PV_OK)
        return rc;
    if (crypto_sign_detached(out + body, NULL, out, body, lock_sk) != 0)
        return PV_E_CRYPTO;
    *outlen = body + PV_SIG_SIZE;
    return PV_OK;
}

int pv_logbatch_decode(const uint8_t *in, size_t len, pv_logbatch *b)
{
    int rc = pv_check_vt(in, len, PV_T_LOGBATCH);
    if (rc != PV_OK)
        return rc;
    pv_rd r;
    pv_rd_init(&r, in + 2, len - 2);
    pv_logbatch t;
    t.count = pv_rd_u8(&r);
    uint8_t reserved = pv_rd_u8(&r);
    t.lock_id = pv_rd_u32(&r);
    t.prev_hash = pv_rd_bytes(&r, PV_HASH_SIZE);
    if (r.err != PV_OK)
        return r.err;
    if (reserved != 0)
        return PV_E_RESERVED;
    if (t.count == 0 || t.count > PV_LOG_BATCH_MAX)
        return PV_E_RANGE;
    t.events = pv_rd_bytes(&r, (size_t)t.count * PV_EVENT_SIZE);
    (void)pv_rd_bytes(&r, PV_SIG_SIZE);
    rc = pv_rd_end(&r);
    if (rc == PV_OK)
        rc = events_check(t.events, t.count);
    if (rc != PV_OK)
        return rc;
    *b = t;
    return PV_OK;
}

int pv_logbatch_verify(const uint8_t *in, size_t len, const uint8_t lock_pk[PV_PK_SIZE])
{
    pv_logbatch b;
    int rc = pv_logbatch_decode(in, len, &b);
    if (rc != PV_OK)
        return rc;
    size_t body = len - PV_SIG_SIZE;
    if (crypto_sign_verify_detached(in + body, in, body, lock_pk) != 0)
        return PV_E_SIGNATURE;
    return PV_OK;
}

void pv_logbatch_chain_end(const pv_logbatch *b, uint8_t out[PV_HASH_SIZE])
{
    uint8_t h[PV_HASH_SIZE];
    memcpy(h, b->prev_hash, PV_HASH_SIZE);
    for (uint8_t i = 0; i < b->count; i++)
        pv_log_chain_next(h, b->events + (size_t)i * PV_EVENT_SIZE, h);
    memcpy(out, h, PV_HASH_SIZE);
}
