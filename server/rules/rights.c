/* Computes a credential's access entries from grants (see rights.h for the rules). */
#include "rights.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int pvs_window_check(const pvs_window *w)
{
    if ((w->days & PVS_DAYS_ALL) == 0 || (w->days & ~PVS_DAYS_ALL) != 0)
        return PV_E_RANGE;
    if (w->from_min > 1439 || w->to_min < 1 || w->to_min > 1440 || w->from_min == w->to_min)
        return PV_E_RANGE;
    return PV_OK;
}

int pvs_hhmm_parse(const char *s, uint16_t *minutes)
{
    if (!s || strlen(s) != 5 || s[2] != ':')
        return PV_E_RANGE;
    for (int i = 0; i < 5; i++)
        if (i != 2 && (s[i] < '0' || s[i] > '9'))
            return PV_E_RANGE;
    unsigned h = (unsigned)(s[0] - '0') * 10 + (unsigned)(s[1] - '0');
    unsigned m = (unsigned)(s[3] - '0') * 10 + (unsigned)(s[4] - '0');
    if (m > 59 || h > 24 || (h == 24 && m != 0))
        return PV_E_RANGE;
    *minutes = (uint16_t)(h * 60 + m);
    return PV_OK;
}

void pvs_hhmm_format(uint16_t minutes, char out[6])
{
    unsigned h = (minutes / 60u) % 100u, m = minutes % 60u;
    out[0] = (char)('0' + h / 10);
    out[1] = (char)('0' + h % 10);
    out[2] = ':';
    out[3] = (char)('0' + m / 10);
    out[4] = (char)('0' + m % 10);
    out[5] = '\0';
}

int pvs_windows_encode(const pvs_window *w, size_t n, uint8_t *out, size_t cap, size_t *outlen)
{
    if (n > PVS_WINDOWS_MAX)
        return PV_E_LENGTH;
    if (cap < n * PVS_WINDOW_BLOB)
        return PV_E_BUFSIZE;
    for (size_t i = 0; i < n; i++) {
        if (pvs_window_check(&w[i]) != PV_OK)
            return PV_E_RANGE;
        uint8_t *p = out + i * PVS_WINDOW_BLOB;
        p[0] = w[i].days;
        p[1] = (uint8_t)(w[i].from_min & 0xFF);
        p[2] = (uint8_t)(w[i].from_min >> 8);
        p[3] = (uint8_t)(w[i].to_min & 0xFF);
        p[4] = (uint8_t)(w[i].to_min >> 8);
    }
    *outlen = n * PVS_WINDOW_BLOB;
    return PV_OK;
}

int pvs_windows_decode(const uint8_t *in, size_t len, pvs_window *w, size_t *n)
{
    if (len % PVS_WINDOW_BLOB != 0 || len / PVS_WINDOW_BLOB > PVS_WINDOWS_MAX)
        return PV_E_LENGTH;
    size_t k = len / PVS_WINDOW_BLOB;
    for (size_t i = 0; i < k; i++) {
        const uint8_t *p = in + i * PVS_WINDOW_BLOB;
        w[i].days = p[0];
        w[i].from_min = (uint16_t)(p[1] | (p[2] << 8));
        w[i].to_min = (uint16_t)(p[3] | (p[4] << 8));
        if (pvs_window_check(&w[i]) != PV_OK)
            return PV_E_RANGE;
    }
    *n = k;
    return PV_OK;
}

int pvs_rights_init(pvs_rights *r, int64_t not_before, int64_t not_after)
{
    memset(r, 0, sizeof *r);
    if (not_before < 0 || not_before % 60 != 0 || not_after <= not_before ||
        not_after - not_before > (int64_t)PV_CRED_MAX_LIFETIME_S)
        return PV_E_RANGE;
    r->not_before = not_before;
    r->not_after = not_after;
    r->max_entries = PV_MERKLE_MAX_LEAVES;
    return pvs_daytab_init(&r->days, not_before, not_after);
}

void pvs_rights_free(pvs_rights *r)
{
    free(r->spans);
    r->spans = NULL;
    r->n = r->cap = 0;
}

static int push_span(pvs_rights *r, const pvs_span *s)
{
    if (r->n == r->cap) {
        /* a bearer's spans are bounded by the Merkle leaf limit before merging, times
         * the windows a day can hold: refuse rather than grow without bound */
        if (r->cap >= (size_t)PV_MERKLE_MAX_LEAVES * 4)
            return PV_E_FULL;
        size_t cap = r->cap ? r->cap * 2 : 256;
        pvs_span *p = realloc(r->spans, cap * sizeof *p);
        if (!p)
            return PV_E_NOMEM;
        r->spans = p;
        r->cap = cap;
    }
    r->spans[r->n++] = *s;
    return PV_OK;
}

/* The unix interval in which a grant's days count, clipped to the credential. */
static void grant_bounds(const pvs_rights *r, const pvs_grant *g, int64_t *lo, int64_t *hi)
{
    *lo = r->not_before;
    *hi = r->not_after;
    int32_t last = r->days.first_day + (int32_t)r->days.n - 1;
    if (g->from_day > r->days.first_day) {
        int64_t t = pvs_daytab_time(&r->days, g->from_day, 0);
        if (t > *lo)
            *lo = t;
    }
    if (g->until_day != PVS_DAY_OPEN && g->until_day <= last) {
        int64_t t = pvs_daytab_time(&r->days, g->until_day, 0);
        if (t < *hi)
            *hi = t;
    }
}

int pvs_rights_add_grant(pvs_rights *r, const pvs_grant *g)
{
    if (g->nwindows > PVS_WINDOWS_MAX)
        return PV_E_RANGE;
    int64_t lo, hi;
    grant_bounds(r, g, &lo, &hi);
    if (lo >= hi)
        return PV_OK;
    int32_t d0 = g->from_day > r->days.first_day ? g->from_day : r->days.first_day;
    int32_t d1 = r->days.first_day + (int32_t)r->days.n - 1;
    if (g->until_day != PVS_DAY_OPEN && g->until_day - 1 < d1)
        d1 = g->until_day - 1;
    for (int32_t d = d0; d <= d1; d++) {
        unsigned bit = 1u << (pvs_weekday(d) - 1);
        for (size_t i = 0; i < g->nwindows; i++) {
            const pvs_window *w = &g->windows[i];
            if (!(w->days & bit))
                continue;
            unsigned to = w->to_min > w->from_min ? w->to_min : 1440u + w->to_min;
            pvs_span s = {g->lock_id, g->building_id, PV_ENTRY_F_APARTMENT,
                          pvs_daytab_time(&r->days, d, w->from_min),
                          pvs_daytab_time(&r->days, d, to)};
            if (s.start < lo)
                s.start = lo;
            if (s.end > hi)
                s.end = hi;
            if (s.start >= s.end)
                continue;
            int rc = push_span(r, &s);
            if (rc != PV_OK)
                return rc;
        }
    }
    return PV_OK;
}

int pvs_rights_add_span(pvs_rights *r, uint32_t lock_id, uint32_t building_id, uint16_t flags,
                        int64_t start, int64_t end)
{
    if (flags == 0 || (flags & ~PV_ENTRY_F_KNOWN))
        return PV_E_RESERVED;
    pvs_span s = {lock_id, building_id, flags, start < r->not_before ? r->not_before : start,
                  end > r->not_after ? r->not_after : end};
    return s.start < s.end ? push_span(r, &s) : PV_OK;
}

static int cmp_derived(const void *a, const void *b)
{
    const pvs_derived_lock *x = a, *y = b;
    if (x->building_id != y->building_id)
        return x->building_id < y->building_id ? -1 : 1;
    return x->lock_id < y->lock_id ? -1 : x->lock_id > y->lock_id;
}

/* Adds span s for derived lock k, or widens the span last added for k when the two overlap
 * or touch: several apartments of one building share one entrance, and folding their windows
 * here keeps the list to sort short. last[k] is that span's index (SIZE_MAX if none). */
static int push_derived(pvs_rights *r, size_t *last, size_t k, const pvs_span *s)
{
    if (last[k] != SIZE_MAX) {
        pvs_span *p = &r->spans[last[k]];
        if (s->start <= p->end && s->end >= p->start) {
            if (s->start < p->start)
                p->start = s->start;
            if (s->end > p->end)
                p->end = s->end;
            return PV_OK;
        }
    }
    last[k] = r->n;
    return push_span(r, s);
}

int pvs_rights_derive(pvs_rights *r, pvs_derived_lock *locks, size_t n)
{
    if (n == 0)
        return PV_OK;
    qsort(locks, n, sizeof *locks, cmp_derived);
    size_t *last = malloc(n * sizeof *last);
    if (!last)
        return PV_E_NOMEM;
    for (size_t k = 0; k < n; k++)
        last[k] = SIZE_MAX;
    size_t napt = r->n;
    int rc = PV_OK;
    for (size_t i = 0; i < napt && rc == PV_OK; i++) {
        if (!(r->spans[i].flags & PV_ENTRY_F_APARTMENT))
            continue;
        uint32_t b = r->spans[i].building_id;
        size_t lo = 0, hi = n; /* first lock of building b */
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (locks[mid].building_id < b)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (size_t k = lo; k < n && locks[k].building_id == b && rc == PV_OK; k++) {
            pvs_span s = r->spans[i];
            s.lock_id = locks[k].lock_id;
            s.flags = locks[k].flags;
            rc = push_derived(r, last, k, &s);
        }
    }
    free(last);
    return rc;
}

static int cmp_span(const void *a, const void *b)
{
    const pvs_span *x = a, *y = b;
    if (x->lock_id != y->lock_id)
        return x->lock_id < y->lock_id ? -1 : 1;
    return x->start < y->start ? -1 : x->start > y->start;
}

/* Sorts the spans by (lock_id, start): an LSD radix sort over 10-bit digits of the key
 * lock_id << 18 | (start - not_before) (a credential lasts at most 48 h < 2^18 s), stable,
 * linear in the number of spans. Falls back to qsort if memory is short. */
#define RADIX_BITS 10u
#define RADIX_PASSES 5u /* 50 key bits */
typedef struct span_key {
    uint64_t key;
    uint32_t idx;
} span_key;

static int sort_spans(pvs_rights *r)
{
    size_t n = r->n;
    span_key *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
    pvs_span *sorted = malloc(n * sizeof *sorted);
    if (!a || !b || !sorted || n > UINT32_MAX) {
        free(a);
        free(b);
        free(sorted);
        qsort(r->spans, r->n, sizeof *r->spans, cmp_span);
        return PV_OK;
    }
    for (size_t i = 0; i < n; i++)
        a[i] = (span_key){(uint64_t)r->spans[i].lock_id << 18 |
                              (uint64_t)(r->spans[i].start - r->not_before),
                          (uint32_t)i};
    for (unsigned pass = 0; pass < RADIX_PASSES; pass++) {
        size_t count[1u << RADIX_BITS] = {0};
        unsigned shift = pass * RADIX_BITS;
        for (size_t i = 0; i < n; i++)
            count[(a[i].key >> shift) & ((1u << RADIX_BITS) - 1)]++;
        size_t sum = 0;
        for (size_t d = 0; d < (1u << RADIX_BITS); d++) {
            size_t c = count[d];
            count[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            b[count[(a[i].key >> shift) & ((1u << RADIX_BITS) - 1)]++] = a[i];
        span_key *t = a;
        a = b;
        b = t;
    }
    for (size_t i = 0; i < n; i++)
        sorted[i] = r->spans[a[i].idx];
    free(a);
    free(b);
    free(r->spans);
    r->spans = sorted;
    r->cap = n;
    return PV_OK;
}

int pvs_rights_finish(pvs_rights *r, pv_entry **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (r->n == 0)
        return PV_OK;
    int rc = sort_spans(r);
    if (rc != PV_OK)
        return rc;
    size_t k = 0; /* merge in place */
    for (size_t i = 1; i < r->n; i++) {
        pvs_span *cur = &r->spans[k], *s = &r->spans[i];
        if (s->lock_id == cur->lock_id && s->start <= cur->end) {
            if (s->end > cur->end)
                cur->end = s->end;
            cur->flags |= s->flags;
        } else {
            r->spans[++k] = *s;
        }
    }
    size_t m = k + 1;
    if (m > r->max_entries)
        return PV_E_FULL;
    pv_entry *e = malloc(m * sizeof *e);
    if (!e)
        return PV_E_NOMEM;
    for (size_t i = 0; i < m; i++) {
        const pvs_span *s = &r->spans[i];
        /* round inwards: an entry never grants a second more than the right */
        e[i].lock_id = s->lock_id;
        e[i].start_min = (uint16_t)((s->start - r->not_before + 59) / 60);
        e[i].end_min = (uint16_t)((s->end - r->not_before) / 60);
        e[i].flags = s->flags;
    }
    /* inward rounding may empty a sub-minute span: squeeze those out */
    size_t w = 0;
    for (size_t i = 0; i < m; i++)
        if (e[i].start_min < e[i].end_min)
            e[w++] = e[i];
    if (w == 0) {
        free(e);
        return PV_OK;
    }
    *out = e;
    *n = w;
    return PV_OK;
}

size_t pvs_entries_doors(const pv_entry *e, size_t n)
{
    size_t d = 0;
    for (size_t i = 0; i < n; i++)
        if (i == 0 || e[i].lock_id != e[i - 1].lock_id)
            d++;
    return d;
}

int pvs_periods_overlap(const pvs_period *p, size_t n, uint32_t provider_id, int32_t from_day,
                        int32_t until_day)
{
    for (size_t i = 0; i < n; i++)
        if (p[i].provider_id == provider_id && p[i].from_day < until_day &&
            from_day < p[i].until_day)
            return 1;
    return 0;
}

uint32_t pvs_periods_provider_at(const pvs_period *p, size_t n, int32_t day)
{
    for (size_t i = 0; i < n; i++)
        if (p[i].from_day <= day && day < p[i].until_day)
            return p[i].provider_id;
    return 0;
}
