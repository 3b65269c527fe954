/* Compiled grant sets: build from the store, cache per staff member, apply (grants.h).
 * Body layout, little-endian: u32 ngrants, u32 nderived; per grant u32 lock, u32 building,
 * i32 from_day, i32 until_day, u8 nwindows, nwindows * 5 window bytes; per derived lock
 * u32 building, u32 lock, u16 flags. */
#include "grants.h"

#include <stdlib.h>
#include <string.h>

#include "../rules/calendar.h"
#include "portvakt/wire.h"

#define GRANT_FIXED 17u
#define DERIVED_SIZE 10u

/* ------------------------------------------------------------------ body writer */

static int put(pvs_grantset *gs, const void *p, size_t n)
{
    if (gs->len + n > gs->cap) {
        size_t cap = gs->cap ? gs->cap * 2 : 4096;
        while (cap < gs->len + n)
            cap *= 2;
        uint8_t *q = realloc(gs->body, cap);
        if (!q)
            return PV_E_NOMEM;
        gs->body = q;
        gs->cap = cap;
    }
    memcpy(gs->body + gs->len, p, n);
    gs->len += n;
    return PV_OK;
}

void pvs_grantset_free(pvs_grantset *gs)
{
    free(gs->body);
    memset(gs, 0, sizeof *gs);
}

/* ------------------------------------------------------------------ building */

static int32_t col_day(pvs_stmt *st, int col, int32_t fallback)
{
    const char *s = pvs_col_text(st, col);
    int32_t d;
    if (!s || pvs_date_parse(s, &d) != PV_OK)
        return fallback;
    return d;
}

typedef struct period_row {
    uint32_t recipient_id;
    int32_t from_day, until_day;
} period_row;

/* The provider's recipient periods not ended before `lo`, sorted by recipient. */
static int load_periods(pvs_db *db, uint32_t provider_id, const char *lo, period_row **out,
                        size_t *n)
{
    pvs_stmt st;
    *out = NULL;
    *n = 0;
    int rc = pvs_query(db, &st,
                       "SELECT recipient_id, valid_from, valid_until FROM recipient_providers"
                       " WHERE provider_id = ? AND (valid_until IS NULL OR valid_until > ?)"
                       " ORDER BY recipient_id",
                       PVS_ARGS(PVS_I64(provider_id), PVS_TEXT(lo)));
    if (rc != PVS_DB_OK)
        return rc;
    size_t cap = 0;
    while ((rc = pvs_next(&st)) == PVS_DB_ROW) {
        if (*n == cap) {
            size_t nc = cap ? cap * 2 : 256;
            period_row *p = realloc(*out, nc * sizeof *p);
            if (!p) {
                rc = PV_E_NOMEM;
                break;
            }
            *out = p;
            cap = nc;
        }
        (*out)[(*n)++] = (period_row){(uint32_t)pvs_col_i64(&st, 0),
                                      col_day(&st, 1, PVS_DAY_OPEN), col_day(&st, 2, PVS_DAY_OPEN)};
    }
    pvs_finalize(&st);
    return rc == PVS_DB_DONE ? PVS_DB_OK : rc;
}

static size_t first_period(const period_row *p, size_t n, uint32_t recipient)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p[mid].recipient_id < recipient)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Writes one right once per period in which it counts; returns the number written. */
static int put_right(pvs_grantset *gs, pvs_stmt *st, const period_row *per, size_t nper,
                     uint32_t *count)
{
    uint32_t rec = (uint32_t)pvs_col_i64(st, 0);
    int32_t rf = col_day(st, 1, PVS_DAY_OPEN), ru = col_day(st, 2, PVS_DAY_OPEN - 1);
    size_t len = 0;
    const uint8_t *w = pvs_col_blob(st, 5, &len);
    pvs_window tmp[PVS_WINDOWS_MAX];
    size_t nw = 0;
    if (!w || pvs_windows_decode(w, len, tmp, &nw) != PV_OK || nw == 0)
        return PV_OK; /* a corrupt row grants nothing */
    for (size_t i = first_period(per, nper, rec); i < nper && per[i].recipient_id == rec; i++) {
        int32_t from = rf > per[i].from_day ? rf : per[i].from_day;
        int32_t until = ru + 1 < per[i].until_day ? ru + 1 : per[i].until_day; /* ru inclusive */
        if (from >= until)
            continue;
        uint8_t g[GRANT_FIXED];
        pv_store32_le(g, (uint32_t)pvs_col_i64(st, 3));
        pv_store32_le(g + 4, (uint32_t)pvs_col_i64(st, 4));
        pv_store32_le(g + 8, (uint32_t)from);
        pv_store32_le(g + 12, (uint32_t)until);
        g[16] = (uint8_t)nw;
        int rc = put(gs, g, sizeof g);
        if (rc == PV_OK)
            rc = put(gs, w, len);
        if (rc != PV_OK)
            return rc;
        (*count)++;
    }
    return PV_OK;
}

static int put_rights(pvs_db *db, uint32_t staff_id, const char *lo, const period_row *per,
                      size_t nper, pvs_grantset *gs, uint32_t *count)
{
    pvs_stmt st;
    int rc = pvs_query(db, &st,
                       "SELECT recipient_id, valid_from, valid_until, lock_id, building_id, windows"
                       " FROM rights WHERE staff_id = ? AND (valid_until IS NULL OR valid_until >= ?)"
                       " AND lock_id IS NOT NULL",
                       PVS_ARGS(PVS_I64(staff_id), PVS_TEXT(lo)));
    if (rc != PVS_DB_OK)
        return rc;
    while ((rc = pvs_next(&st)) == PVS_DB_ROW)
        if ((rc = put_right(gs, &st, per, nper, count)) != PV_OK)
            break;
    pvs_finalize(&st);
    return rc == PVS_DB_DONE ? PVS_DB_OK : rc;
}

/* Entrance and common locks of every building where the staff member has a right. */
static int put_derived(pvs_db *db, uint32_t staff_id, pvs_grantset *gs, uint32_t *count)
{
    pvs_stmt st;
    int rc = pvs_query(db, &st,
                       "SELECT l.building_id, l.id, l.kind FROM locks l"
                       " WHERE l.state = 'installed' AND l.kind IN ('entrance','common')"
                       " AND l.building_id IN (SELECT building_id FROM rights"
                       " WHERE staff_id = ? AND lock_id IS NOT NULL)",
                       PVS_ARGS(PVS_I64(staff_id)));
    if (rc != PVS_DB_OK)
        return rc;
    while ((rc = pvs_next(&st)) == PVS_DB_ROW) {
        uint8_t d[DERIVED_SIZE];
        const char *kind = pvs_col_text(&st, 2);
        uint16_t flags = kind && strcmp(kind, "common") == 0 ? PV_ENTRY_F_COMMON
                                                             : PV_ENTRY_F_ENTRANCE;
        pv_store32_le(d, (uint32_t)pvs_col_i64(&st, 0));
        pv_store32_le(d + 4, (uint32_t)pvs_col_i64(&st, 1));
        pv_store16_le(d + 8, flags);
        if ((rc = put(gs, d, sizeof d)) != PV_OK)
            break;
        (*count)++;
    }
    pvs_finalize(&st);
    return rc == PVS_DB_DONE ? PVS_DB_OK : rc;
}

int pvs_grants_build(pvs_db *db, uint32_t staff_id, uint32_t provider_id, int32_t from_day,
                     pvs_grantset *gs)
{
    char lo[PVS_DATE_LEN];
    pvs_date_format(from_day, lo);
    uint8_t hdr[8] = {0};
    uint32_t ng = 0, nd = 0;
    gs->len = 0;
    int rc = put(gs, hdr, sizeof hdr);
    period_row *per = NULL;
    size_t nper = 0;
    if (rc == PV_OK)
        rc = load_periods(db, provider_id, lo, &per, &nper);
    if (rc == PV_OK && nper > 0)
        rc = put_rights(db, staff_id, lo, per, nper, gs, &ng);
    free(per);
    if (rc == PV_OK && ng > 0)
        rc = put_derived(db, staff_id, gs, &nd);
    if (rc != PV_OK)
        return rc;
    pv_store32_le(gs->body, ng);
    pv_store32_le(gs->body + 4, nd);
    return PV_OK;
}

/* ------------------------------------------------------------------ applying */

int pvs_grants_apply(const pvs_grantset *gs, pvs_rights *r)
{
    const uint8_t *p = gs->body, *end = gs->body + gs->len;
    if (gs->len < 8)
        return PV_E_CORRUPT;
    uint32_t ng = pv_load32_le(p), nd = pv_load32_le(p + 4);
    p += 8;
    for (uint32_t i = 0; i < ng; i++) {
        if ((size_t)(end - p) < GRANT_FIXED)
            return PV_E_CORRUPT;
        pvs_grant g;
        g.lock_id = pv_load32_le(p);
        g.building_id = pv_load32_le(p + 4);
        g.from_day = (int32_t)pv_load32_le(p + 8);
        g.until_day = (int32_t)pv_load32_le(p + 12);
        size_t wl = (size_t)p[16] * PVS_WINDOW_BLOB;
        p += GRANT_FIXED;
        if ((size_t)(end - p) < wl || pvs_windows_decode(p, wl, g.windows, &g.nwindows) != PV_OK)
            return PV_E_CORRUPT;
        p += wl;
        int rc = pvs_rights_add_grant(r, &g);
        if (rc != PV_OK)
            return rc;
    }
    if ((size_t)(end - p) != (size_t)nd * DERIVED_SIZE)
        return PV_E_CORRUPT;
    if (nd == 0)
        return PV_OK;
    pvs_derived_lock *d = malloc((size_t)nd * sizeof *d);
    if (!d)
        return PV_E_NOMEM;
    for (uint32_t i = 0; i < nd; i++, p += DERIVED_SIZE)
        d[i] = (pvs_derived_lock){pv_load32_le(p), pv_load32_le(p + 4), pv_load16_le(p + 8)};
    int rc = pvs_rights_derive(r, d, nd);
    free(d);
    return rc;
}

/* ------------------------------------------------------------------ cache */

int pvs_grants_changed(pvs_db *db)
{
    int64_t ch = pvs_exec(db, "UPDATE rights_generation SET value = value + 1 WHERE id = 1",
                          PVS_NOARGS);
    return ch == 1 ? PVS_DB_OK : ch < 0 ? (int)ch : PVS_DB_ERROR;
}

int pvs_grants_load(pvs_db *db, uint32_t staff_id, uint32_t provider_id, int32_t from_day,
                    pvs_grantset *gs, int *cached)
{
    int64_t gen = 0;
    *cached = 0;
    int rc = pvs_query_i64(db, "SELECT value FROM rights_generation WHERE id = 1", PVS_NOARGS,
                           &gen);
    if (rc != PVS_DB_OK)
        return rc;
    pvs_stmt st;
    rc = pvs_query(db, &st,
                   "SELECT body FROM rights_cache WHERE staff_id = ? AND generation = ?"
                   " AND provider_id = ? AND from_day <= ?",
                   PVS_ARGS(PVS_I64(staff_id), PVS_I64(gen), PVS_I64(provider_id),
                            PVS_I64(from_day)));
    if (rc != PVS_DB_OK)
        return rc;
    rc = pvs_next(&st);
    if (rc == PVS_DB_ROW) {
        size_t len = 0;
        const void *b = pvs_col_blob(&st, 0, &len);
        gs->len = 0;
        rc = b ? put(gs, b, len) : PV_E_CORRUPT;
        *cached = rc == PV_OK;
    }
    pvs_finalize(&st);
    if (*cached)
        return PVS_DB_OK;
    if (rc != PVS_DB_DONE)
        return rc;
    rc = pvs_grants_build(db, staff_id, provider_id, from_day, gs);
    if (rc != PV_OK || !pvs_tx_is_write(db))
        return rc;
    int64_t ch = pvs_exec(db,
                          "INSERT INTO rights_cache (staff_id, provider_id, generation, from_day, body)"
                          " VALUES (?, ?, ?, ?, ?) ON CONFLICT (staff_id) DO UPDATE SET"
                          " provider_id = excluded.provider_id, generation = excluded.generation,"
                          " from_day = excluded.from_day, body = excluded.body",
                          PVS_ARGS(PVS_I64(staff_id), PVS_I64(provider_id), PVS_I64(gen),
                                   PVS_I64(from_day), PVS_BLOB(gs->body, gs->len)));
    return ch < 0 ? (int)ch : PVS_DB_OK;
}
