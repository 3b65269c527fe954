/* The in-process backend: a small issuer built on lib/proto stands in for portvakt-server
 * (credentials, revocation list, beacon, log intake), for quick runs and unit tests.
 * The report names the backend it ran on. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

typedef struct local_issuer {
    uint8_t sk[64];
    uint64_t serial;
    pv_revoked revoked[PV_REVLIST_MAX];
    uint16_t nrevoked;
    uint64_t version;
    uint8_t revlist[PV_REVLIST_MAX_SIZE];
    size_t revlist_len;
    uint8_t *entries;
} local_issuer;

static int cmp_entry(const void *a, const void *b)
{
    return pv_entry_cmp(a, b);
}

/* Rights follow the recipients of the staff member's provider: apartment door plus the
 * building's entrance (derived), for the whole shift. */
static uint32_t build_entries(sim *s, sim_staff *st, uint32_t minutes, uint8_t *out)
{
    pv_entry *e = calloc(2 * s->nrec, sizeof *e);
    uint32_t n = 0;
    for (size_t r = 0; e && r < s->nrec; r++) {
        sim_recipient *rc = &s->rec[r];
        if (rc->provider != st->provider)
            continue;
        int locks[2] = {rc->apt_lock, s->bld[rc->building].entrance_lock};
        for (int k = 0; k < 2; k++) {
            if (locks[k] < 0)
                continue;
            uint32_t id = s->locks[locks[k]].id;
            int dup = 0;
            for (uint32_t j = 0; j < n; j++)
                dup |= e[j].lock_id == id;
            if (!dup)
                e[n++] = (pv_entry){.lock_id = id, .start_min = 0, .end_min = (uint16_t)minutes,
                                    .flags = k ? PV_ENTRY_F_ENTRANCE : PV_ENTRY_F_APARTMENT};
        }
    }
    if (e)
        qsort(e, n, sizeof *e, cmp_entry);
    for (uint32_t j = 0; j < n; j++)
        pv_entry_encode(&e[j], out + (size_t)j * PV_ENTRY_SIZE);
    free(e);
    return n;
}

static void take_logs(sim *s, sim_staff *st)
{
    uint32_t nb = pv_key_batch_count(st->key.key);
    for (uint32_t i = 0; i < nb; i++) {
        const uint8_t *b;
        size_t len;
        pv_logbatch lb;
        if (pv_key_batch_get(st->key.key, i, &b, &len) != PV_OK ||
            pv_logbatch_decode(b, len, &lb) != PV_OK)
            continue;
        sim_lock *l = sim_lock_by_id(s, lb.lock_id);
        if (!l || pv_logbatch_verify(b, len, l->pk) != PV_OK)
            continue; /* forged batches never count */
        for (unsigned k = 0; k < lb.count; k++) {
            pv_event ev;
            if (pv_event_decode(lb.events + 16u * k, &ev) != PV_OK)
                continue;
            int r = sim_mark_stored(s, lb.lock_id, ev.seq);
            r == PV_OK ? s->m.events_stored++ : s->m.events_duplicate++;
        }
    }
    pv_key_batch_ack(st->key.key, nb);
    uint32_t nl = pv_key_log_count(st->key.key);
    pv_key_log_entry e;
    if (nl && pv_key_log_get(st->key.key, nl - 1, &e) == PV_OK) {
        s->m.bearer_events_sent += nl;
        pv_key_log_ack(st->key.key, e.seq + 1);
    }
}

static int local_sync(sim *s, sim_staff *st)
{
    local_issuer *li = s->be.ctx;
    uint64_t from, until;
    sim_shift(s, st, s->now, &from, &until);
    if (st->lost) {
        snprintf(st->last_status, sizeof st->last_status, "key blocked — see your planner");
        s->m.syncs_refused++;
        s->m.syncs_blocked++;
        return PV_E_REVOKED;
    }
    uint32_t minutes = (uint32_t)((until - s->now) / 60u);
    uint32_t n = build_entries(s, st, minutes, li->entries);
    pv_cred c = {.issuer_id = s->issuer_id, .serial = ++li->serial, .bearer_id = st->bearer_id,
                 .entry_count = n, .issued_at = s->now, .not_before = s->now,
                 .not_after = s->now + (uint64_t)minutes * 60u};
    uint8_t cred[PV_CRED_SIZE], beacon[PV_BEACON_SIZE];
    pv_beacon bc = {.issuer_id = s->issuer_id, .time = s->now};
    int rc = n ? PV_OK : PV_E_NO_RIGHT;
    if (!n) {
        snprintf(st->last_status, sizeof st->last_status, "no rights in this shift");
        return rc;
    }
    if (rc == PV_OK)
        rc = pv_bearer_x_pk(st->pk, c.bearer_pk);
    if (rc == PV_OK)
        rc = pv_merkle_root(li->entries, n, c.root);
    if (rc == PV_OK)
        rc = pv_cred_sign(&c, li->sk, cred);
    if (rc == PV_OK)
        rc = pv_beacon_sign(&bc, li->sk, beacon);
    if (rc == PV_OK)
        rc = pv_key_install(st->key.key, cred, sizeof cred, li->entries,
                            (size_t)n * PV_ENTRY_SIZE, li->revlist_len ? li->revlist : NULL,
                            li->revlist_len, beacon, sizeof beacon);
    if (rc == PV_OK) {
        s->m.syncs_ok++;
        snprintf(st->last_status, sizeof st->last_status, "synced: %u doors", n);
    }
    return rc;
}

static int local_visit_station(sim *s, sim_staff *st, int want_sync)
{
    take_logs(s, st);
    if (!want_sync) {
        snprintf(st->last_status, sizeof st->last_status, "end of shift: logs taken");
        return PV_OK;
    }
    s->m.syncs++;
    sim_note_sync_ms(s, 0.0);
    return local_sync(s, st);
}

static int local_report_lost(sim *s, sim_staff *st)
{
    local_issuer *li = s->be.ctx;
    if (li->nrevoked >= PV_REVLIST_MAX)
        return PV_E_FULL;
    li->revoked[li->nrevoked++] = (pv_revoked){.bearer_id = st->bearer_id, .revoked_at = s->now};
    st->lost = 1;
    li->version++;
    s->m.revlist_version = li->version;
    return pv_revlist_sign(s->issuer_id, li->version, s->now, li->revoked, li->nrevoked, li->sk,
                           li->revlist, sizeof li->revlist, &li->revlist_len);
}

static int local_new_key(sim *s, sim_staff *st)
{
    static uint32_t next_bearer = 1000;
    st->bearer_id = next_bearer++;
    return PV_OK;
}

static int local_provider_change(sim *s, sim_recipient *r, uint32_t provider, const char *date)
{
    s->m.provider_changes++; /* effective tomorrow: today's rights stay as they are */
    return PV_OK;
}

static int local_finish(sim *s)
{
    sim_count_logs(s);
    return PV_OK;
}

static int local_setup(sim *s)
{
    local_issuer *li = s->be.ctx;
    uint8_t pk[32];
    crypto_sign_keypair(pk, li->sk);
    s->issuer_id = 1;
    memcpy(s->issuer_pk, pk, 32);
    for (size_t i = 0; i < s->nlocks; i++)
        s->locks[i].id = (uint32_t)(100 + i);
    for (size_t i = 0; i < s->nstaff; i++)
        s->staff[i].bearer_id = (uint32_t)(i + 1);
    return PV_OK;
}

static void local_teardown(sim *s)
{
    local_issuer *li = s->be.ctx;
    if (!li)
        return;
    sodium_memzero(li->sk, sizeof li->sk);
    free(li->entries);
    free(li);
    s->be.ctx = NULL;
}

int sim_backend_local(sim *s)
{
    local_issuer *li = calloc(1, sizeof *li);
    if (!li || !(li->entries = malloc((size_t)SIM_MAX_RIGHTS * PV_ENTRY_SIZE))) {
        free(li);
        return PV_E_NOMEM;
    }
    s->be = (sim_backend){.name = "local",
                          .setup = local_setup,
                          .visit_station = local_visit_station,
                          .report_lost = local_report_lost,
                          .new_key = local_new_key,
                          .provider_change = local_provider_change,
                          .finish = local_finish,
                          .teardown = local_teardown,
                          .ctx = li};
    return PV_OK;
}
