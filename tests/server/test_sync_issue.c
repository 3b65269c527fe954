/* Issuing through the real store: a provider change moves apartment and derived entrance
 * rights from the old provider's staff to the new one's on the effective date; credentials
 * verify and commit to the entries; serials increase; a lost key lands in the next signed
 * revocation list and leaves it once every credential it could hold has expired. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "../../server/rules/calendar.h"
#include "../../server/services/grants.h"
#include "../../server/services/issue.h"
#include "domain_fixture.h"

static int failures;
#define CHECK(c)                                                                    \
    do {                                                                            \
        if (!(c)) {                                                                 \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #c);   \
            failures++;                                                             \
        }                                                                           \
    } while (0)

static int64_t at(const char *date, unsigned minute)
{
    int32_t d = 0;
    if (pvs_date_parse(date, &d) != PV_OK)
        exit(2);
    return pvs_local_time(d, minute);
}

static int has_lock(const pvs_shift *s, int64_t lock, uint16_t flags)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->entries[i].lock_id == (uint32_t)lock && (s->entries[i].flags & flags))
            return 1;
    return 0;
}

static pvs_shift shift_for(dfx *f, int64_t bearer, int64_t now)
{
    pvs_bearer_row b;
    pvs_shift s;
    CHECK(pvs_bearer_load(f->db, (uint32_t)bearer, &b) == PVS_DB_OK);
    CHECK(pvs_shift_compute(f->db, &b, now, 12 * 3600, &s) == PV_OK);
    return s;
}

static void test_provider_change(void)
{
    dfx f;
    dfx_open(&f);
    dfx_begin(&f);
    int64_t pa = dfx_provider(&f, "Omsorg A"), pb = dfx_provider(&f, "Omsorg B");
    int64_t owner = dfx_owner(&f), house = dfx_building(&f, owner), other = dfx_building(&f, owner);
    int64_t apt = dfx_lock(&f, house, "apartment", NULL);
    int64_t door = dfx_lock(&f, house, "entrance", NULL);
    int64_t laundry = dfx_lock(&f, house, "common", NULL);
    int64_t elsewhere = dfx_lock(&f, other, "entrance", NULL);
    int64_t rec = dfx_recipient(&f, house, apt);
    dfx_period(&f, rec, pa, "2026-01-01", "2026-12-01");
    dfx_period(&f, rec, pb, "2026-12-01", NULL);
    int64_t sa = dfx_staff(&f, pa), sb = dfx_staff(&f, pb);
    int64_t ka = dfx_bearer(&f, sa, pa, NULL), kb = dfx_bearer(&f, sb, pb, NULL);
    dfx_right(&f, sa, rec, pa, "2026-01-01", NULL, 0x7F, 420, 1320);
    dfx_right(&f, sb, rec, pb, "2026-12-01", NULL, 0x7F, 420, 1320);
    dfx_commit(&f);

    /* the day before the change: A's key opens the apartment, entrance and laundry */
    pvs_shift s = shift_for(&f, ka, at("2026-11-30", 6 * 60 + 45));
    CHECK(s.n == 3 && has_lock(&s, apt, PV_ENTRY_F_APARTMENT) &&
          has_lock(&s, door, PV_ENTRY_F_ENTRANCE) && has_lock(&s, laundry, PV_ENTRY_F_COMMON));
    CHECK(!has_lock(&s, elsewhere, 0xF) && s.doors == 3);
    pvs_shift_free(&s);
    s = shift_for(&f, kb, at("2026-11-30", 6 * 60 + 45));
    CHECK(s.n == 0);
    pvs_shift_free(&s);
    /* on the date: A's key gets nothing, B's key everything, with no clean-up */
    s = shift_for(&f, ka, at("2026-12-01", 6 * 60 + 45));
    CHECK(s.n == 0);
    pvs_shift_free(&s);
    s = shift_for(&f, kb, at("2026-12-01", 6 * 60 + 45));
    CHECK(s.n == 3 && has_lock(&s, door, PV_ENTRY_F_ENTRANCE));
    /* an evening sync the day before: A's window ends at midnight */
    pvs_shift e = shift_for(&f, ka, at("2026-11-30", 20 * 60));
    CHECK(e.n == 3);
    for (size_t i = 0; i < e.n; i++)
        CHECK(e.not_before + e.entries[i].end_min * 60 == at("2026-11-30", 1320));
    pvs_shift_free(&e);

    /* the credential verifies, names the bearer's X25519 key and commits to the entries */
    pvs_bearer_row b;
    CHECK(pvs_bearer_load(f.db, (uint32_t)kb, &b) == PVS_DB_OK);
    uint64_t s1 = 0, s2 = 0;
    dfx_begin(&f);
    CHECK(pvs_issue_next_serial(f.db, 1, &s1) == PVS_DB_OK);
    CHECK(pvs_issue_next_serial(f.db, 1, &s2) == PVS_DB_OK);
    dfx_commit(&f);
    CHECK(s2 == s1 + 1);
    uint8_t cred[PV_CRED_SIZE];
    int64_t now = at("2026-12-01", 6 * 60 + 45);
    CHECK(pvs_issue_sign(&f.issuer, &b, &s, s2, now, cred) == PV_OK);
    CHECK(pv_cred_verify(cred, f.issuer.pk) == PV_OK);
    pv_cred c;
    uint8_t xpk[32], root[32];
    CHECK(pv_cred_decode(cred, sizeof cred, &c) == PV_OK);
    CHECK(pv_bearer_x_pk(b.public_key, xpk) == PV_OK && memcmp(xpk, c.bearer_pk, 32) == 0);
    CHECK(pv_merkle_root(s.encoded, (uint32_t)s.n, root) == PV_OK &&
          memcmp(root, c.root, 32) == 0 && c.entry_count == s.n && c.serial == s2);
    CHECK(c.not_after - c.not_before == 12 * 3600 && c.issued_at == (uint64_t)now);
    pvs_shift_free(&s);
    dfx_close(&f);
}

static void test_revocation(void)
{
    dfx f;
    dfx_open(&f);
    dfx_begin(&f);
    int64_t p = dfx_provider(&f, "Omsorg A"), st = dfx_staff(&f, p);
    int64_t k1 = dfx_bearer(&f, st, p, NULL), k2 = dfx_bearer(&f, st, p, NULL);
    (void)k2;
    uint8_t buf[PV_REVLIST_MAX_SIZE];
    size_t len = 0;
    uint64_t v0 = 0, v1 = 0;
    int64_t t0 = 1800000000;
    CHECK(pvs_revlist_current(f.db, &f.issuer, t0, buf, sizeof buf, &len, &v0) == PVS_DB_OK);
    CHECK(v0 == 1 && pv_revlist_verify(buf, len, f.issuer.pk) == PV_OK);
    CHECK(pvs_exec(f.db, "UPDATE bearers SET state = 'lost', revoked_at = ? WHERE id = ?",
                   PVS_ARGS(PVS_I64(t0 + 10), PVS_I64(k1))) == 1);
    CHECK(pvs_revlist_rebuild(f.db, &f.issuer, t0 + 10, &v1) == PVS_DB_OK && v1 == 2);
    CHECK(pvs_revlist_current(f.db, &f.issuer, t0 + 10, buf, sizeof buf, &len, &v1) == PVS_DB_OK);
    pv_revlist rl;
    CHECK(pv_revlist_verify(buf, len, f.issuer.pk) == PV_OK);
    CHECK(pv_revlist_decode(buf, len, &rl) == PV_OK && rl.count == 1 && rl.version == 2);
    CHECK(pv_revlist_check(&rl, (uint32_t)k1, (uint64_t)t0) == PV_E_REVOKED);
    CHECK(pv_revlist_check(&rl, (uint32_t)k2, (uint64_t)t0) == PV_OK);
    /* 48 h later every credential of k1 has expired: the next version drops it */
    uint64_t v2 = 0;
    CHECK(pvs_revlist_rebuild(f.db, &f.issuer, t0 + 10 + PV_CRED_MAX_LIFETIME_S, &v2) ==
          PVS_DB_OK && v2 == 3);
    CHECK(pvs_revlist_current(f.db, &f.issuer, 0, buf, sizeof buf, &len, &v2) == PVS_DB_OK);
    CHECK(pv_revlist_decode(buf, len, &rl) == PV_OK && rl.count == 0 && rl.version == 3);
    /* a rotated issuer key: the next read re-signs the list as a new version */
    struct pvs_issuer rotated = f.issuer;
    rotated.key_id = 2;
    crypto_sign_keypair(rotated.pk, rotated.sk);
    CHECK(pvs_revlist_current(f.db, &rotated, t0 + 20, buf, sizeof buf, &len, &v2) == PVS_DB_OK &&
          v2 == 4 && pv_revlist_verify(buf, len, rotated.pk) == PV_OK);
    dfx_commit(&f);
    dfx_close(&f);
}


/* The compiled grant set is reused only while nothing changed: after a change recorded with
 * pvs_grants_changed() the next issue rebuilds it from the store. */
static void test_grant_cache(void)
{
    dfx f;
    dfx_open(&f);
    dfx_begin(&f);
    int64_t p = dfx_provider(&f, "A"), house = dfx_building(&f, dfx_owner(&f));
    int64_t apt = dfx_lock(&f, house, "apartment", NULL), rec = dfx_recipient(&f, house, apt);
    dfx_period(&f, rec, p, "2026-01-01", NULL);
    int64_t st = dfx_staff(&f, p), key = dfx_bearer(&f, st, p, NULL);
    int64_t right = dfx_right(&f, st, rec, p, "2026-01-01", NULL, 0x7F, 420, 1320);
    dfx_commit(&f);
    int64_t now = at("2026-11-30", 6 * 60 + 45);
    pvs_bearer_row b;
    pvs_shift s;
    CHECK(pvs_bearer_load(f.db, (uint32_t)key, &b) == PVS_DB_OK);
    for (int i = 0; i < 2; i++) { /* first builds and stores, second reuses */
        dfx_begin(&f);
        CHECK(pvs_shift_compute(f.db, &b, now, 12 * 3600, &s) == PV_OK && s.n == 1 &&
              s.cached == i);
        pvs_shift_free(&s);
        dfx_commit(&f);
    }
    dfx_begin(&f);
    CHECK(pvs_exec(f.db, "DELETE FROM rights WHERE id = ?", PVS_ARGS(PVS_I64(right))) == 1);
    CHECK(pvs_grants_changed(f.db) == PVS_DB_OK);
    CHECK(pvs_shift_compute(f.db, &b, now, 12 * 3600, &s) == PV_OK && s.n == 0 && !s.cached);
    pvs_shift_free(&s);
    dfx_commit(&f);
    dfx_close(&f);
}

int main(void)
{
    setenv("TZ", "Europe/Stockholm", 1);
    tzset();
    test_provider_change();
    test_revocation();
    test_grant_cache();
    if (failures)
        fprintf(stderr, "%d check(s) failed\n", failures);
    else
        printf("test_sync_issue: all checks passed\n");
    return failures != 0;
}
