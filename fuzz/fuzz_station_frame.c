/* Fuzzes the station's local-link decoders (HELLO, SYNCED, STATUS, LOGS, bearer events, ENROL)
 * and the frame reader: the first byte picks the decoder, the rest is the payload. */
#include <stdint.h>
#include <string.h>

#include "link.h"

typedef struct mem {
    const uint8_t *p;
    size_t n, pos;
} mem;

static int mem_read(void *ctx, uint8_t *buf, size_t len)
{
    mem *m = ctx;
    if (m->n - m->pos < len)
        return PV_E_IO;
    memcpy(buf, m->p + m->pos, len);
    m->pos += len;
    return PV_OK;
}

static int mem_write(void *ctx, const uint8_t *buf, size_t len)
{
    return PV_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const uint8_t *p = data + 1;
    size_t n = size - 1;
    switch (data[0] % 7) {
    case 0: {
        pvst_hello h;
        volatile int r = pvst_hello_decode(p, n, &h);
        (void)r;
        break;
    }
    case 1: {
        pvst_synced s;
        if (pvst_synced_decode(p, n, &s) == PV_OK) {
            volatile uint8_t x = s.cred[PV_CRED_SIZE - 1] ^ s.beacon[PV_BEACON_SIZE - 1];
            if (s.entry_count)
                x ^= s.entries[(size_t)s.entry_count * PV_ENTRY_SIZE - 1];
            (void)x;
        }
        break;
    }
    case 2: {
        pvst_status st;
        if (pvst_status_decode(p, n, &st) == PV_OK && strlen(st.text) > PVST_STATUS_MAX)
            __builtin_trap();
        break;
    }
    case 3: {
        pvst_logs lg;
        if (pvst_logs_decode(p, n, &lg) == PV_OK)
            for (uint16_t i = 0; i < lg.nbatches; i++) {
                volatile uint8_t x = lg.batch[i][lg.batch_len[i] - 1];
                (void)x;
            }
        break;
    }
    case 4: {
        pvst_bev e;
        if (n >= PVST_BEV_SIZE) {
            volatile int r = pvst_bev_decode(p, &e);
            (void)r;
        }
        break;
    }
    case 6: {
        pvst_enrol e;
        if (pvst_enrol_decode(p, n, &e) == PV_OK && (n != PVST_ENROL_SIZE || e.kind > 1))
            __builtin_trap();
        break;
    }
    default: {
        static uint8_t buf[4096];
        mem m = {p, n, 0};
        pvst_link_ops ops = {&m, mem_read, mem_write};
        uint8_t type;
        size_t len;
        while (pvst_frame_recv(&ops, &type, buf, sizeof buf, &len) == PV_OK)
            ;
        break;
    }
    }
    return 0;
}
