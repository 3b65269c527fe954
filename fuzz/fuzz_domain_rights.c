/* Fuzzes the rights computation with hostile stored data: a windows blob, validity days and
 * derived locks from the input, over a fixed credential window; also the date and HH:MM
 * parsers. Invariants: decoding refuses or yields well-formed windows; the entry list is
 * strictly sorted, every window non-empty and inside the credential. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "portvakt/wire.h"

#include "../server/rules/calendar.h"
#include "../server/rules/rights.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void parsers(const uint8_t *data, size_t size)
{
    char s[16];
    size_t n = size < sizeof s - 1 ? size : sizeof s - 1;
    memcpy(s, data, n);
    s[n] = '\0';
    int32_t d;
    uint16_t m;
    if (pvs_date_parse(s, &d) == PV_OK) {
        char back[PVS_DATE_LEN];
        pvs_date_format(d, back);
        if (strcmp(back, s) != 0)
            abort(); /* a parsed date formats back to itself */
    }
    if (pvs_hhmm_parse(s, &m) == PV_OK && m > 1440)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int tz;
    if (!tz) {
        setenv("TZ", "Europe/Stockholm", 1);
        tzset();
        tz = 1;
    }
    parsers(data, size);
    if (size < 12)
        return 0;
    int64_t base = 1772431200; /* 2026-03-02 07:00 Stockholm */
    int64_t nb = base + (int64_t)(pv_load32_le(data) % (400u * 86400u)) / 60 * 60;
    int64_t life = 60 + (int64_t)(pv_load32_le(data + 4) % PV_CRED_MAX_LIFETIME_S) / 60 * 60;
    pvs_rights r;
    if (pvs_rights_init(&r, nb, nb + life) != PV_OK)
        return 0;
    int32_t day0 = pvs_local_day(nb) - 3;
    const uint8_t *p = data + 8, *end = data + size;
    pvs_derived_lock derived[8];
    size_t nd = 0;
    while (end - p >= 4) {
        uint8_t nw = p[0] % (PVS_WINDOWS_MAX + 2), lock = p[1], building = p[2] % 4, span = p[3];
        p += 4;
        size_t wl = (size_t)nw * PVS_WINDOW_BLOB;
        if ((size_t)(end - p) < wl + 2)
            break;
        pvs_grant g;
        g.lock_id = 100u + lock;
        g.building_id = building;
        g.from_day = day0 + (int8_t)p[0] % 8;
        g.until_day = p[1] == 0xFF ? PVS_DAY_OPEN : g.from_day + p[1] % 10;
        p += 2;
        if (pvs_windows_decode(p, wl, g.windows, &g.nwindows) == PV_OK) {
            for (size_t i = 0; i < g.nwindows; i++)
                if (pvs_window_check(&g.windows[i]) != PV_OK)
                    abort();
            if (pvs_rights_add_grant(&r, &g) != PV_OK)
                break;
        }
        p += wl;
        if (nd < 8 && (span & 1))
            derived[nd++] = (pvs_derived_lock){building, 1000u + span, PV_ENTRY_F_ENTRANCE};
    }
    pv_entry *e = NULL;
    size_t n = 0;
    if (pvs_rights_derive(&r, derived, nd) == PV_OK && pvs_rights_finish(&r, &e, &n) == PV_OK) {
        for (size_t i = 0; i < n; i++) {
            if (e[i].start_min >= e[i].end_min || (int64_t)e[i].end_min * 60 > life)
                abort();
            if (i && pv_entry_cmp(&e[i - 1], &e[i]) >= 0)
                abort();
        }
    }
    free(e);
    pvs_rights_free(&r);
    return 0;
}
