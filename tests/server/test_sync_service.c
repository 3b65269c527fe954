/* The sync service called directly, without HTTP: a signed challenge issues a verifying
 * credential, revocation list and beacon and records the sync; a challenge works once; a
 * forged or stale challenge, a wrong signature, another provider's station and a lost key
 * are refused and recorded; the events a key carries are stored with the sync. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "../../server/rules/calendar.h"
#include "../../server/services/sync.h"
#include "domain_fixture.h"

static int failures;
#define CHECK(c)                                                                    \
    do {                                                                            \
        if (!(c)) {                                                                 \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #c);   \
            failures++;                                                             \
        }                                                                           \
    } while (0)

static uint8_t nonce_key[32];

typedef struct world {
    dfx f;
    int64_t provider, other, bearer;
    uint8_t sk[64];
    int64_t now;
} world;

static void world_open(world *w)
{
    int32_t day = 0;
    if (pvs_date_parse("2026-11-24", &day) != PV_OK)
        exit(2);
    w->now = pvs_local_time(day, 8 * 60);
    dfx_open(&w->f);
    dfx_begin(&w->f);
    w->provider = dfx_provider(&w->f, "Omsorg A");
    w->other = dfx_provider(&w->f, "Omsorg B");
    int64_t staff = dfx_staff(&w->f, w->provider), house = dfx_building(&w->f, dfx_owner(&w->f));
    int64_t rec = dfx_recipient(&w->f, house, dfx_lock(&w->f, house, "apartment", NULL));
    (void)dfx_lock(&w->f, house, "entrance", NULL);
    dfx_period(&w->f, rec, w->provider, "2026-01-01", NULL);
    dfx_right(&w->f, staff, rec, w->provider, "2026-01-01", NULL, 0x7F, 420, 1320);
    w->bearer = dfx_bearer(&w->f, staff, w->provider, w->sk);
    dfx_commit(&w->f);
}

/* A request as a key would sign it for a fresh challenge. */
static pvs_sync_req signed_req(const world *w, const pvs_upload *u)
{
    pvs_sync_req q = {.bearer_id = (uint32_t)w->bearer, .upload = u, .now = w->now,
                      .shift_s = 12 * 3600, .nonce_key = nonce_key};
    int64_t exp = 0;
    pvs_sync_challenge(nonce_key, q.bearer_id, w->now, q.nonce, &exp);
    uint8_t msg[17 + 32 + 4] = "portvakt-sync-v1";
    memcpy(msg + 17, q.nonce, 32);
    for (int i = 0; i < 4; i++)
        msg[49 + i] = (uint8_t)(q.bearer_id >> (8 * i));
    crypto_sign_detached(q.signature, NULL, msg, sizeof msg, w->sk);
    return q;
}

static int run(world *w, const pvs_sync_req *q, pvs_sync_result *s)
{
    int rc = pvs_sync_run(w->f.db, &w->f.issuer, q, s);
    pvs_sync_result_free(s);
    return rc;
}

static int64_t count(world *w, const char *result)
{
    int64_t n = -1;
    if (pvs_query_i64(w->f.db, "SELECT COUNT(*) FROM syncs WHERE result = ?",
                      PVS_ARGS(PVS_TEXT(result)), &n) != PVS_DB_OK)
        return -1;
    return n;
}

static void test_issue_once(void)
{
    world w;
    world_open(&w);
    pvs_upload u;
    CHECK(pvs_upload_alloc(&u, 0, 1) == PV_OK);
    u.ev[0] = (pvs_bearer_event){(uint32_t)w.bearer, 1, w.now - 60, 1, 1, NULL};
    pvs_sync_req q = signed_req(&w, &u);
    pvs_sync_result s;
    CHECK(pvs_sync_run(w.f.db, &w.f.issuer, &q, &s) == PVS_SYNC_OK);
    CHECK(s.has_credential && pv_cred_verify(s.credential, w.f.issuer.pk) == PV_OK);
    CHECK(s.nentries == 2 && s.doors == 2 && s.valid_until - s.valid_from <= 12 * 3600);
    CHECK(pv_revlist_verify(s.revlist, s.revlist_len, w.f.issuer.pk) == PV_OK);
    CHECK(pv_beacon_verify(s.beacon, w.f.issuer.pk) == PV_OK);
    CHECK(s.ingest.stored == 1 && s.ingest.nrefused == 0);
    pvs_sync_result_free(&s);
    CHECK(count(&w, "ok") == 1);
    CHECK(run(&w, &q, &s) == PVS_SYNC_NONCE_USED && count(&w, "nonce-used") == 1);
    pvs_upload_free(&u);
    dfx_close(&w.f);
}

static void test_refusals(void)
{
    world w;
    world_open(&w);
    pvs_upload u;
    pvs_sync_result s;
    CHECK(pvs_upload_alloc(&u, 0, 0) == PV_OK);
    pvs_sync_req q = signed_req(&w, &u);
    q.nonce[20] ^= 1; /* forged tag */
    CHECK(run(&w, &q, &s) == PVS_SYNC_NONCE_EXPIRED);
    q = signed_req(&w, &u);
    q.now += PVS_SYNC_NONCE_TTL_S + 1; /* stale */
    /* refusals before the key proved itself write no sync row (anyone can send them) */
    CHECK(run(&w, &q, &s) == PVS_SYNC_NONCE_EXPIRED && count(&w, "nonce-expired") == 0);
    q = signed_req(&w, &u);
    q.signature[0] ^= 1;
    CHECK(run(&w, &q, &s) == PVS_SYNC_BAD_SIGNATURE && count(&w, "bad-signature") == 0);
    q.signature[0] ^= 1; /* the refused challenge was consumed */
    CHECK(run(&w, &q, &s) == PVS_SYNC_NONCE_USED);
    q = signed_req(&w, &u);
    q.station = (pvs_station_auth){1, w.other};
    CHECK(run(&w, &q, &s) == PVS_SYNC_WRONG_STATION);
    CHECK(pvs_exec(w.f.db, "UPDATE bearers SET state = 'lost' WHERE id = ?",
                   PVS_ARGS(PVS_I64(w.bearer))) == 1);
    q = signed_req(&w, &u);
    CHECK(pvs_sync_run(w.f.db, &w.f.issuer, &q, &s) == PVS_SYNC_BLOCKED &&
          strcmp(s.bearer.state, "lost") == 0);
    pvs_sync_result_free(&s);
    CHECK(count(&w, "bearer-blocked") == 1 && count(&w, "ok") == 0);
    CHECK(!pvs_tx_in_progress(w.f.db));
    pvs_upload_free(&u);
    dfx_close(&w.f);
}

int main(void)
{
    setenv("TZ", "Europe/Stockholm", 1);
    tzset();
    if (sodium_init() < 0)
        return 2;
    randombytes_buf(nonce_key, sizeof nonce_key);
    test_issue_once();
    test_refusals();
    if (failures)
        fprintf(stderr, "%d check(s) failed\n", failures);
    else
        printf("test_sync_service: all checks passed\n");
    return failures != 0;
}
