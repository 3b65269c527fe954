/* Credential issuing from the store (see issue.h). */
#include "issue.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "../domain/calendar.h"
#include "../domain/revlist.h"
#include "../domain/rights.h"

int pvs_bearer_load(pvs_db *db, uint32_t bearer_id, pvs_bearer_row *out)
{
    memset(out, 0, sizeof *out);
    pvs_stmt st;
    int rc = pvs_query(db, &st,
                       "SELECT b.staff_id, b.provider_id, b.public_key, b.state, b.label,"
                       " s.active FROM bearers b JOIN staff s ON s.id = b.staff_id"
                       " WHERE b.id = ?",
                       PVS_ARGS(PVS_I64(bearer_id)));
    if (rc != PVS_DB_OK)
        return rc;
    rc = pvs_next(&st);
    if (rc == PVS_DB_ROW) {
        size_t len = 0;
        const void *pk = pvs_col_blob(&st, 2, &len);
        const char *state = pvs_col_text(&st, 3), *label = pvs_col_text(&st, 4);
        out->bearer_id = bearer_id;
        out->staff_id = (uint32_t)pvs_col_i64(&st, 0);
        out->provider_id = (uint32_t)pvs_col_i64(&st, 1);
        if (pk && len == PV_PK_SIZE)
            memcpy(out->public_key, pk, PV_PK_SIZE);
        snprintf(out->state, sizeof out->state, "%s", state ? state : "retired");
        snprintf(out->label, sizeof out->label, "%s", label ? label : "");
        out->staff_active = (int)pvs_col_i64(&st, 5);
        rc = PVS_DB_OK;
    } else if (rc == PVS_DB_DONE) {
        rc = PVS_DB_NOTFOUND;
    }
    pvs_finalize(&st);
    return rc;
}

/* Day number of a stored date column, or `fallback` for NULL or a malformed value. */
static int32_t col_day(pvs_stmt *st, int col, int32_t fallback)
{
    const char *s = pvs_col_text(st, col);
    int32_t d;
    if (!s || pvs_date_parse(s, &d) != PV_OK)
        return fallback;
    return d;
}

/* The provider's recipient periods touching the credential's days, sorted by recipient. */
typedef struct period_row {
    uint32_t recipient_id;
    int32_t from_day, until_day;
} period_row;

static int load_periods(pvs_db *db, uint32_t provider_id, const char *lo, const char *hi,
                        period_row **out, size_t *n)
{
    pvs_stmt st;
    *out = NULL;
    *n = 0;
    int rc = pvs_query(db, &st,
                       "SELECT recipient_id, valid_from, valid_until FROM recipient_providers"
                       " WHERE provider_id = ? AND valid_from <= ? AND (valid_until IS NULL OR"
                       " valid_until > ?) ORDER BY recipient_id",
                       PVS_ARGS(PVS_I64(provider_id), PVS_TEXT(hi), PVS_TEXT(lo)));
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
        (*out)[*n] = (period_row){(uint32_t)pvs_col_i64(&st, 0), col_day(&st, 1, PVS_DAY_OPEN),
                                  col_day(&st, 2, PVS_DAY_OPEN)};
        (*n)++;
    }
    pvs_finalize(&st);
    return rc == PVS_DB_DONE ? PVS_DB_OK : rc;
}

/* Index of the first period of `recipient` in the sorted array (n if none). */
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

/* Adds one right once for each period in which the recipient's provider is the staff
 * member's provider: the right counts only on those days. */
static int add_right(pvs_rights *r, pvs_stmt *st, const period_row *per, size_t nper)
{
    pvs_grant g;
    uint32_t rec = (uint32_t)pvs_col_i64(st, 0);
    int32_t rf = col_day(st, 1, PVS_DAY_OPEN), ru = col_day(st, 2, PVS_DAY_OPEN - 1);
    g.lock_id = (uint32_t)pvs_col_i64(st, 3);
    g.building_id = (uint32_t)pvs_col_i64(st, 4);
    size_t len = 0;
    const uint8_t *w = pvs_col_blob(st, 5, &len);
    if (!w || pvs_windows_decode(w, len, g.windows, &g.nwindows) != PV_OK)
        return PV_OK; /* a corrupt row grants nothing */
    for (size_t i = first_period(per, nper, rec); i < nper && per[i].recipient_id == rec; i++) {
        g.from_day = rf > per[i].from_day ? rf : per[i].from_day;
        g.until_day = ru + 1 < per[i].until_day ? ru + 1 : per[i].until_day; /* ru inclusive */
        if (g.from_day >= g.until_day)
            continue;
        int rc = pvs_rights_add_grant(r, &g);
        if (rc != PV_OK)
            return rc;
    }
    return PV_OK;
}

/* Adds every grant of the staff member that counts on some day of the credential. Two
 * index scans joined in memory: the staff member's rights (covering index, with the
 * recipient's building and installed lock copied in) and the provider's periods. */
static int load_grants(pvs_db *db, const pvs_bearer_row *b, pvs_rights *r)
{
    char lo[PVS_DATE_LEN], hi[PVS_DATE_LEN];
    pvs_date_format(r->days.first_day, lo);
    pvs_date_format(r->days.first_day + (int32_t)r->days.n - 1, hi);
    period_row *per = NULL;
    size_t nper = 0;
    int rc = load_periods(db, b->provider_id, lo, hi, &per, &nper);
    if (rc != PVS_DB_OK || nper == 0) {
        free(per);
        return rc;
    }
    pvs_stmt st;
    rc = pvs_query(db, &st,
                   "SELECT recipient_id, valid_from, valid_until, lock_id, building_id, windows"
                   " FROM rights WHERE staff_id = ? AND valid_from <= ? AND"
                   " (valid_until IS NULL OR valid_until >= ?) AND lock_id IS NOT NULL",
                   PVS_ARGS(PVS_I64(b->staff_id), PVS_TEXT(hi), PVS_TEXT(lo)));
    if (rc == PVS_DB_OK) {
        while ((rc = pvs_next(&st)) == PVS_DB_ROW)
            if ((rc = add_right(r, &st, per, nper)) != PV_OK)
                break;
        pvs_finalize(&st);
    }
    free(per);
    return rc == PVS_DB_DONE ? PVS_DB_OK : rc;
}

int pvs_rights_refresh_recipient(pvs_db *db, int64_t recipient_id)
{
    int64_t ch = pvs_exec(db,
                          "UPDATE rights SET"
                          " building_id = (SELECT c.building_id FROM recipients c"
                          "   WHERE c.id = rights.recipient_id),"
                          " lock_id = (SELECT c.lock_id FROM recipients c JOIN locks l"
                          "   ON l.id = c.lock_id WHERE c.id = rights.recipient_id"
                          "   AND l.state = 'installed' AND l.kind = 'apartment')"
                          " WHERE recipient_id = ?",
                          PVS_ARGS(PVS_I64(recipient_id)));
    return ch < 0 ? (int)ch : PVS_DB_OK;
}

/* Entrance and common-space locks of every building where the staff member has a right. */
static int load_derived(pvs_db *db, const pvs_bearer_row *b, pvs_rights *r)
{
    pvs_stmt st;
    int rc = pvs_query(db, &st,
                       "SELECT l.building_id, l.id, l.kind FROM locks l"
                       " WHERE l.state = 'installed' AND l.kind IN ('entrance','common')"
                       " AND l.building_id IN (SELECT building_id FROM rights"
                       " WHERE staff_id = ? AND lock_id IS NOT NULL)",
                       PVS_ARGS(PVS_I64(b->staff_id)));
    if (rc != PVS_DB_OK)
        return rc;
    size_t n = 0, cap = 0;
    pvs_derived_lock *locks = NULL;
    while ((rc = pvs_next(&st)) == PVS_DB_ROW) {
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 64;
            pvs_derived_lock *p = realloc(locks, nc * sizeof *p);
            if (!p) {
                rc = PV_E_NOMEM;
                break;
            }
            locks = p;
            cap = nc;
        }
        const char *kind = pvs_col_text(&st, 2);
        locks[n].building_id = (uint32_t)pvs_col_i64(&st, 0);
        locks[n].lock_id = (uint32_t)pvs_col_i64(&st, 1);
        locks[n].flags = kind && strcmp(kind, "common") == 0 ? PV_ENTRY_F_COMMON
                                                              : PV_ENTRY_F_ENTRANCE;
        n++;
    }
    pvs_finalize(&st);
    if (rc == PVS_DB_DONE)
        rc = pvs_rights_derive(r, locks, n);
    free(locks);
    return rc;
}

int pvs_shift_compute(pvs_db *db, const pvs_bearer_row *b, int64_t now, unsigned shift_s,
                      pvs_shift *out)
{
    memset(out, 0, sizeof *out);
    if (shift_s == 0 || shift_s > PV_CRED_MAX_LIFETIME_S)
        shift_s = PV_CRED_MAX_LIFETIME_S;
    out->not_before = now - now % 60;
    out->not_after = out->not_before + shift_s;
    pvs_rights r;
    int rc = pvs_rights_init(&r, out->not_before, out->not_after);
    if (rc == PV_OK)
        rc = load_grants(db, b, &r);
    if (rc == PV_OK)
        rc = load_derived(db, b, &r);
    if (rc == PV_OK)
        rc = pvs_rights_finish(&r, &out->entries, &out->n);
    pvs_rights_free(&r);
    if (rc != PV_OK || out->n == 0)
        return rc;
    out->encoded = malloc(out->n * PV_ENTRY_SIZE);
    if (!out->encoded) {
        pvs_shift_free(out);
        return PV_E_NOMEM;
    }
    for (size_t i = 0; i < out->n; i++)
        pv_entry_encode(&out->entries[i], out->encoded + i * PV_ENTRY_SIZE);
    out->doors = pvs_entries_doors(out->entries, out->n);
    rc = pv_merkle_root(out->encoded, (uint32_t)out->n, out->root);
    if (rc != PV_OK)
        pvs_shift_free(out);
    return rc;
}

void pvs_shift_free(pvs_shift *s)
{
    free(s->entries);
    free(s->encoded);
    s->entries = NULL;
    s->encoded = NULL;
    s->n = 0;
}

int pvs_issue_next_serial(pvs_db *db, uint32_t issuer_id, uint64_t *serial)
{
    int64_t v = 0;
    int rc = pvs_query_i64(db,
                           "INSERT INTO issuer_serials (issuer_id, last_serial) VALUES (?, 1)"
                           " ON CONFLICT (issuer_id) DO UPDATE SET"
                           " last_serial = issuer_serials.last_serial + 1 RETURNING last_serial",
                           PVS_ARGS(PVS_I64(issuer_id)), &v);
    *serial = (uint64_t)v;
    return rc;
}

int pvs_issue_sign(const struct pvs_issuer *iss, const pvs_bearer_row *b, const pvs_shift *s,
                   uint64_t serial, int64_t now, uint8_t out[PV_CRED_SIZE])
{
    if (s->n == 0)
        return PV_E_RANGE;
    pv_cred c = {0};
    c.issuer_id = iss->issuer_id;
    c.serial = serial;
    c.bearer_id = b->bearer_id;
    c.entry_count = (uint32_t)s->n;
    c.issued_at = (uint64_t)now;
    c.not_before = (uint64_t)s->not_before;
    c.not_after = (uint64_t)s->not_after;
    memcpy(c.root, s->root, PV_HASH_SIZE);
    int rc = pv_bearer_x_pk(b->public_key, c.bearer_pk);
    if (rc != PV_OK)
        return rc;
    return pv_cred_sign(&c, iss->sk, out);
}
