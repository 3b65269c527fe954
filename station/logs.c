/* Codec of the LOGS payload: a key's own events plus the lock batches it collected
 * (decoded through portvakt/wire.h's read cursor). */
#include <string.h>

#include "link.h"
#include "portvakt/wire.h"

/* Each lock batch: u16 length, then the batch, which must decode. */
static int read_batches(pv_rd *r, pvst_logs *lg)
{
    for (uint16_t i = 0; i < lg->nbatches; i++) {
        uint16_t bl = pv_rd_u16(r);
        if (r->err != PV_OK)
            return PV_E_TRUNCATED;
        if (bl > PV_LOGBATCH_MAX_SIZE)
            return PV_E_RANGE;
        const uint8_t *b = pv_rd_bytes(r, bl);
        if (!b)
            return PV_E_TRUNCATED;
        pv_logbatch batch;
        int rc = pv_logbatch_decode(b, bl, &batch);
        if (rc != PV_OK)
            return rc;
        lg->batch[i] = b;
        lg->batch_len[i] = bl;
    }
    return PV_OK;
}

int pvst_logs_decode(const uint8_t *in, size_t len, pvst_logs *lg)
{
    if (len < 8)
        return PV_E_TRUNCATED;
    pv_rd r;
    pv_rd_init(&r, in, len);
    lg->item_id = pv_rd_u32(&r);
    lg->nevents = pv_rd_u16(&r);
    if (lg->nevents > PVST_LOGS_MAX_EVENTS)
        return PV_E_RANGE;
    size_t elen = (size_t)lg->nevents * PVST_BEV_SIZE;
    if (pv_rd_left(&r) < elen + 2)
        return PV_E_TRUNCATED;
    lg->events = pv_rd_bytes(&r, elen);
    for (uint16_t i = 0; i < lg->nevents; i++) {
        pvst_bev e;
        int rc = pvst_bev_decode(lg->events + (size_t)i * PVST_BEV_SIZE, &e);
        if (rc != PV_OK)
            return rc;
    }
    lg->nbatches = pv_rd_u16(&r);
    if (lg->nbatches > PVST_LOGS_MAX_BATCHES)
        return PV_E_RANGE;
    int rc = read_batches(&r, lg);
    if (rc != PV_OK)
        return rc;
    if (pv_rd_end(&r) != PV_OK)
        return PV_E_LENGTH;
    return lg->nevents || lg->nbatches ? PV_OK : PV_E_RANGE;
}

int pvst_logs_encode(const pvst_logs *lg, uint8_t *out, size_t cap, size_t *outlen)
{
    if (lg->nevents > PVST_LOGS_MAX_EVENTS || lg->nbatches > PVST_LOGS_MAX_BATCHES)
        return PV_E_RANGE;
    size_t need = 8 + (size_t)lg->nevents * PVST_BEV_SIZE;
    for (uint16_t i = 0; i < lg->nbatches; i++)
        need += 2u + lg->batch_len[i];
    if (need > cap)
        return PV_E_BUFSIZE;
    pv_store32_le(out, lg->item_id);
    pv_store16_le(out + 4, lg->nevents);
    size_t pos = 6;
    if (lg->nevents)
        memcpy(out + pos, lg->events, (size_t)lg->nevents * PVST_BEV_SIZE);
    pos += (size_t)lg->nevents * PVST_BEV_SIZE;
    pv_store16_le(out + pos, lg->nbatches);
    pos += 2;
    for (uint16_t i = 0; i < lg->nbatches; i++) {
        pv_store16_le(out + pos, lg->batch_len[i]);
        memcpy(out + pos + 2, lg->batch[i], lg->batch_len[i]);
        pos += 2u + lg->batch_len[i];
    }
    *outlen = pos;
    return PV_OK;
}
