/* Codec of the LOGS payload: a key's own events plus the lock batches it collected. */
#include <string.h>

#include "link.h"
#include "portvakt/wire.h"

int pvst_logs_decode(const uint8_t *in, size_t len, pvst_logs *lg)
{
    if (len < 8)
        return PV_E_TRUNCATED;
    lg->item_id = pv_load32_le(in);
    lg->nevents = pv_load16_le(in + 4);
    if (lg->nevents > PVST_LOGS_MAX_EVENTS)
        return PV_E_RANGE;
    size_t pos = 6;
    size_t elen = (size_t)lg->nevents * PVST_BEV_SIZE;
    if (len - pos < elen + 2)
        return PV_E_TRUNCATED;
    lg->events = in + pos;
    for (uint16_t i = 0; i < lg->nevents; i++) {
        pvst_bev e;
        int r = pvst_bev_decode(in + pos + (size_t)i * PVST_BEV_SIZE, &e);
        if (r != PV_OK)
            return r;
    }
    pos += elen;
    lg->nbatches = pv_load16_le(in + pos);
    pos += 2;
    if (lg->nbatches > PVST_LOGS_MAX_BATCHES)
        return PV_E_RANGE;
    for (uint16_t i = 0; i < lg->nbatches; i++) {
        if (len - pos < 2)
            return PV_E_TRUNCATED;
        uint16_t bl = pv_load16_le(in + pos);
        pos += 2;
        if (bl > PV_LOGBATCH_MAX_SIZE)
            return PV_E_RANGE;
        if (len - pos < bl)
            return PV_E_TRUNCATED;
        pv_logbatch b;
        int r = pv_logbatch_decode(in + pos, bl, &b);
        if (r != PV_OK)
            return r;
        lg->batch[i] = in + pos;
        lg->batch_len[i] = bl;
        pos += bl;
    }
    if (pos != len)
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
