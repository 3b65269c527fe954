/* Power cuts at every flash write: the event ring never loses an acknowledged event and
 * always recovers with a verifying hash chain; the A/B config always boots. */
#include <inttypes.h>
#include <string.h>

#include <sodium.h>

#include "kit.h"

#define EVENTS 1400u /* more than the ring holds, so recycling is cut too */

static kit_issuer iss;
static uint16_t expect_aux[EVENTS + 64];

/* Check the ring after a reboot: every retained seq readable, chain links, acknowledged
 * events in the retention window present with the right content. */
static void verify_ring(pv_sim_lock *l, uint32_t first_acked, uint32_t acked, unsigned k)
{
    pv_lock_info i;
    pv_lock_get_info(l->lock, &i);
    uint8_t prev[PV_HASH_SIZE], chain[PV_HASH_SIZE], enc[PV_EVENT_SIZE], want[PV_HASH_SIZE];
    memset(prev, 0, sizeof prev);
    int bad = 0;
    for (uint32_t s = i.oldest_seq; s < i.next_seq && !bad; s++) {
        pv_event ev;
        if (pv_lock_event(l->lock, s, &ev, chain) != PV_OK || ev.seq != s) {
            bad = 1;
            break;
        }
        pv_event_encode(&ev, enc);
        if (s > i.oldest_seq || s == 0) {
            pv_log_chain_next(prev, enc, want);
            if (sodium_memcmp(want, chain, PV_HASH_SIZE) != 0)
                bad = 2;
        }
        memcpy(prev, chain, PV_HASH_SIZE);
        if (s >= first_acked && s < first_acked + acked &&
            (ev.kind != PV_EV_TAMPER || ev.aux != expect_aux[s - first_acked]))
            bad = 3;
    }
    uint32_t last_acked = first_acked + acked; /* one past */
    if (acked > 0 && i.next_seq < last_acked)
        bad = 4; /* an acknowledged event is missing at the head */
    if (acked > 0 && last_acked - i.oldest_seq < PV_LOCK_EVENTS_MIN &&
        i.oldest_seq > first_acked && i.next_seq - i.oldest_seq < PV_LOCK_EVENTS_MIN)
        bad = 5; /* recycled although the ring was not full */
    if (bad)
        fprintf(stderr,
                "ring check %d after cut at write %u (oldest %" PRIu32 " next %" PRIu32
                " acked %" PRIu32 "..%" PRIu32 ")\n",
                bad, k, i.oldest_seq, i.next_seq, first_acked, last_acked);
    CHECK(!bad);
}

static void test_cut_every_write(void)
{
    pv_sim_lock *l = kit_lock_new(1, &iss, 1, 10);
    unsigned trials = 0;
    for (unsigned k = 1;; k++) {
        pv_sim_lock_init(l, KIT_T0, 0);
        CHECK_EQ(pv_sim_lock_boot(l), PV_OK);
        pv_lock_setup c;
        memset(&c, 0, sizeof c);
        c.lock_id = 1;
        c.time = KIT_T0;
        c.nissuers = 1;
        c.issuers[0].issuer_id = iss.id;
        memcpy(c.issuers[0].pk, iss.pk, 32);
        c.issuers[0].nscopes = 1;
        c.issuers[0].scopes[0] = (pv_lock_scope){1, 10};
        CHECK_EQ(pv_lock_commission(l->lock, &c), PV_OK);
        pv_lock_info i;
        pv_lock_get_info(l->lock, &i);
        uint32_t first = i.next_seq, acked = 0;
        pv_sim_flash_cut_at(&l->flash, k);
        int cut = 0;
        for (uint32_t e = 0; e < EVENTS; e++) {
            uint16_t aux = (uint16_t)(e * 7 + 3);
            if (pv_lock_report_tamper(l->lock, aux) != PV_OK) {
                cut = 1;
                break;
            }
            expect_aux[acked++] = aux;
        }
        if (!cut)
            break; /* k is past the last write: every write has been cut once */
        CHECK(!l->flash.powered);
        CHECK_EQ(pv_sim_lock_boot(l), PV_OK);
        verify_ring(l, first, acked, k);
        /* the recovered ring takes new events and keeps the chain */
        pv_lock_get_info(l->lock, &i);
        uint32_t next = i.next_seq;
        CHECK_EQ(pv_lock_report_tamper(l->lock, 0xBEEF), PV_OK);
        pv_event ev;
        uint8_t ch[PV_HASH_SIZE], prev[PV_HASH_SIZE], enc[PV_EVENT_SIZE], want[PV_HASH_SIZE];
        CHECK_EQ(pv_lock_event(l->lock, next, &ev, ch), PV_OK);
        CHECK_EQ(ev.aux, 0xBEEF);
        CHECK_EQ(pv_lock_event(l->lock, next - 1, &ev, prev), PV_OK);
        CHECK_EQ(pv_lock_event(l->lock, next, &ev, ch), PV_OK);
        pv_event_encode(&ev, enc);
        pv_log_chain_next(prev, enc, want);
        CHECK(sodium_memcmp(want, ch, PV_HASH_SIZE) == 0);
        trials++;
        if (kit_failures > 20)
            break;
    }
    fprintf(stderr, "ring: power cut at each of %u writes, all recovered\n", trials);
    CHECK(trials > EVENTS);
    kit_lock_free(l);
}

/* Boots save the config (boot count); a cut at any write keeps the old or the new one. */
static void test_config_cuts(void)
{
    pv_sim_lock *l = kit_lock_new(77, &iss, 1, 100);
    unsigned trials = 0;
    for (unsigned k = 1;; k++) {
        pv_sim_lock_init(l, KIT_T0, 0);
        CHECK_EQ(pv_sim_lock_boot(l), PV_OK);
        pv_lock_setup c;
        memset(&c, 0, sizeof c);
        c.lock_id = 77;
        c.time = KIT_T0;
        c.nissuers = 1;
        c.issuers[0].issuer_id = iss.id;
        memcpy(c.issuers[0].pk, iss.pk, 32);
        c.issuers[0].nscopes = 1;
        c.issuers[0].scopes[0] = (pv_lock_scope){1, 100};
        CHECK_EQ(pv_lock_commission(l->lock, &c), PV_OK);
        pv_sim_flash_cut_at(&l->flash, k);
        uint32_t booted = 0;
        int cut = 0;
        for (int j = 0; j < 4; j++) {
            l->clock.tick_ms = 0;
            if (pv_lock_boot(l->mem, sizeof l->mem, &l->ops, &l->lock) != PV_OK) {
                cut = 1;
                break;
            }
            booted++;
        }
        if (!cut)
            break;
        CHECK_EQ(pv_sim_lock_boot(l), PV_OK);
        pv_lock_info i;
        pv_lock_get_info(l->lock, &i);
        CHECK_EQ(i.state, PV_LOCK_IDLE);
        CHECK_EQ(i.lock_id, 77);
        /* the acknowledged boots are counted; the cut one may or may not be */
        CHECK(i.boot_count == booted + 1 || i.boot_count == booted + 2);
        trials++;
    }
    fprintf(stderr, "config: power cut at each of %u writes, always booted\n", trials);
    CHECK(trials > 4 * 3);
    kit_lock_free(l);
}

/* A ring write that fails while booting (a worn sector) is counted, not fatal: the lock
 * boots and a genuine key opens, as for any other failed log write. */
static void test_boot_log_failure(void)
{
    uint32_t door = kit_lock_id(4);
    pv_sim_lock *l = kit_lock_new(door, &iss, 1, 1000000);
    kit_bearer b;
    CHECK_EQ(kit_bearer_new(&b, 50, 8, 0), PV_OK);
    CHECK_EQ(kit_issue(&b, &iss, 8, NULL, 0, NULL), PV_OK);
    uint64_t w0 = l->flash.writes;
    CHECK_EQ(pv_sim_lock_boot(l), PV_OK);
    uint64_t per_boot = l->flash.writes - w0; /* the last one programs the BOOT record */
    l->clock.tick_ms = 0;
    pv_sim_flash_cut_at(&l->flash, per_boot);
    CHECK_EQ(pv_lock_boot(l->mem, sizeof l->mem, &l->ops, &l->lock), PV_OK);
    pv_lock_info i;
    pv_lock_get_info(l->lock, &i);
    CHECK_EQ(i.state, PV_LOCK_IDLE);
    CHECK_EQ(i.log_errors, 1);
    l->flash.powered = 1; /* the sector failed, the lock did not lose power */
    l->flash.cut_at = 0;
    CHECK_EQ(pv_sim_unlock(&b.sim, l, 50, NULL), PV_OK);
    CHECK_EQ(l->motor_opens, 1);
    kit_bearer_free(&b);
    kit_lock_free(l);
}

/* The cursor can be moved back for a read-out, never ahead of the log: events logged
 * after a "rewind" to a future seq are still handed out. */
static void test_cursor_bounds(void)
{
    pv_sim_lock *l = kit_lock_new(kit_lock_id(1), &iss, 1, 1000000);
    pv_lock_info i;
    pv_lock_get_info(l->lock, &i);
    pv_lock_rewind_cursor(l->lock, i.next_seq + 100);
    pv_lock_get_info(l->lock, &i);
    CHECK(i.cursor_seq <= i.next_seq);
    for (int k = 0; k < 3; k++)
        CHECK_EQ(pv_lock_report_tamper(l->lock, PV_TAMPER_SENSOR), PV_OK);
    uint8_t batch[PV_LOGBATCH_MAX_SIZE];
    size_t n = 0;
    CHECK_EQ(pv_lock_log_batch(l->lock, batch, sizeof batch, &n), PV_OK);
    pv_logbatch lb;
    CHECK_EQ(pv_logbatch_decode(batch, n, &lb), PV_OK);
    CHECK(lb.count >= 3);
    pv_lock_rewind_cursor(l->lock, 0); /* a full read-out still works */
    CHECK_EQ(pv_lock_log_batch(l->lock, batch, sizeof batch, &n), PV_OK);
    kit_lock_free(l);
}

/* A lock whose config was wiped and that is commissioned again (moved to another door)
 * keeps its old events chained on, but never hands them out under the new identity: the
 * first batch of its new life starts at the COMMISSION event. */
static void test_recommission(void)
{
    pv_sim_lock *l = kit_lock_new(kit_lock_id(2), &iss, 1, 1000000);
    for (int k = 0; k < 5; k++)
        CHECK_EQ(pv_lock_report_tamper(l->lock, PV_TAMPER_SENSOR), PV_OK);
    for (uint32_t a = 0; a < 2u * PV_LOCK_CONFIG_SECTORS; a++) /* factory reset: config only */
        CHECK_EQ(pv_sim_flash_erase(&l->flash, a * PV_LOCK_FLASH_SECTOR), PV_OK);
    CHECK_EQ(pv_sim_lock_boot(l), PV_OK);
    pv_lock_info i;
    pv_lock_get_info(l->lock, &i);
    CHECK_EQ(i.state, PV_LOCK_UNCOMMISSIONED);
    pv_lock_setup c;
    memset(&c, 0, sizeof c);
    c.lock_id = kit_lock_id(9);
    uint8_t pk[PV_PK_SIZE];
    crypto_sign_keypair(pk, c.lock_sk);
    c.time = KIT_T0 + 60;
    c.nissuers = 1;
    c.issuers[0].issuer_id = iss.id;
    memcpy(c.issuers[0].pk, iss.pk, 32);
    c.issuers[0].nscopes = 1;
    c.issuers[0].scopes[0] = (pv_lock_scope){1, 1000000};
    CHECK_EQ(pv_lock_commission(l->lock, &c), PV_OK);
    pv_lock_get_info(l->lock, &i);
    CHECK(i.next_seq >= 7); /* the old life's events are still in the ring */
    uint8_t batch[PV_LOGBATCH_MAX_SIZE];
    size_t n = 0;
    CHECK_EQ(pv_lock_log_batch(l->lock, batch, sizeof batch, &n), PV_OK);
    pv_logbatch lb;
    CHECK_EQ(pv_logbatch_verify(batch, n, pk), PV_OK);
    CHECK_EQ(pv_logbatch_decode(batch, n, &lb), PV_OK);
    pv_event first;
    CHECK_EQ(pv_event_decode(lb.events, &first), PV_OK);
    CHECK_EQ(first.kind, PV_EV_COMMISSION);
    CHECK_EQ(first.subject, kit_lock_id(9));
    kit_lock_free(l);
}

/* Flash that cannot be read at boot stops the boot with PV_E_FLASH (the lock cannot know
 * its issuers or its log head); once reads work again it boots with everything kept. */
static void test_boot_read_error(void)
{
    pv_sim_lock *l = kit_lock_new(kit_lock_id(3), &iss, 1, 1000000);
    CHECK_EQ(pv_lock_report_tamper(l->lock, PV_TAMPER_SENSOR), PV_OK);
    pv_lock_info before, after;
    pv_lock_get_info(l->lock, &before);
    l->flash.powered = 0; /* every read fails */
    l->clock.tick_ms = 0;
    CHECK_EQ(pv_lock_boot(l->mem, sizeof l->mem, &l->ops, &l->lock), PV_E_FLASH);
    CHECK_EQ(pv_sim_lock_boot(l), PV_OK); /* powers the flash on */
    pv_lock_get_info(l->lock, &after);
    CHECK_EQ(after.state, PV_LOCK_IDLE);
    CHECK_EQ(after.lock_id, kit_lock_id(3));
    CHECK_EQ(after.next_seq, before.next_seq + 1); /* + BOOT */
    kit_lock_free(l);
}

/* A record corrupted in place (not torn: a bit flipped long after it was written) fails
 * its check; recovery keeps the linked run after it, drops what is older (the server sees
 * the gap), and the next batch still chains. */
static void test_corrupt_record(void)
{
    pv_sim_lock *l = kit_lock_new(kit_lock_id(4), &iss, 1, 1000000);
    for (int k = 0; k < 20; k++) /* seq 1..20 after COMMISSION (seq 0), slots 1..20 */
        CHECK_EQ(pv_lock_report_tamper(l->lock, (uint16_t)k), PV_OK);
    const uint32_t ring = 2u * PV_LOCK_CONFIG_SECTORS * PV_LOCK_FLASH_SECTOR;
    l->flash_mem[ring + 10u * PV_LOCK_RECORD_SIZE + 5] ^= 0x04; /* seq 10's time */
    CHECK_EQ(pv_sim_lock_boot(l), PV_OK);
    pv_lock_info i;
    pv_lock_get_info(l->lock, &i);
    CHECK_EQ(i.oldest_seq, 11);
    CHECK_EQ(i.next_seq, 22); /* 0..20, then BOOT */
    pv_event ev;
    uint8_t chain[PV_HASH_SIZE], prev[PV_HASH_SIZE];
    CHECK_EQ(pv_lock_event(l->lock, 10, &ev, chain), PV_E_NOT_FOUND);
    CHECK_EQ(pv_lock_event(l->lock, 11, &ev, prev), PV_OK);
    uint8_t batch[PV_LOGBATCH_MAX_SIZE], end[PV_HASH_SIZE];
    size_t n = 0;
    CHECK_EQ(pv_lock_log_batch(l->lock, batch, sizeof batch, &n), PV_OK);
    pv_logbatch lb;
    CHECK_EQ(pv_logbatch_decode(batch, n, &lb), PV_OK);
    CHECK(memcmp(lb.prev_hash, prev, PV_HASH_SIZE) == 0); /* anchored on seq 11 */
    pv_logbatch_chain_end(&lb, end);
    CHECK_EQ(pv_lock_event(l->lock, 21, &ev, chain), PV_OK);
    CHECK(memcmp(end, chain, PV_HASH_SIZE) == 0);
    kit_lock_free(l);
}

/* A power cut during commissioning itself: the lock boots uncommissioned (blank) or
 * reports PV_E_CORRUPT (half a config), and either way commissioning again works. */
static void test_commission_cuts(void)
{
    unsigned trials = 0;
    for (uint64_t k = 1; k < 200; k++) {
        pv_sim_lock *l = calloc(1, sizeof *l);
        CHECK(l != NULL);
        if (!l)
            return;
        pv_sim_lock_init(l, KIT_T0, 0);
        CHECK_EQ(pv_sim_lock_boot(l), PV_OK);
        pv_lock_setup c;
        memset(&c, 0, sizeof c);
        c.lock_id = 88;
        uint8_t pk[PV_PK_SIZE];
        crypto_sign_keypair(pk, c.lock_sk);
        c.time = KIT_T0;
        c.nissuers = 1;
        c.issuers[0].issuer_id = iss.id;
        memcpy(c.issuers[0].pk, iss.pk, 32);
        c.issuers[0].nscopes = 1;
        c.issuers[0].scopes[0] = (pv_lock_scope){1, 100};
        pv_sim_flash_cut_at(&l->flash, k);
        int rc = pv_lock_commission(l->lock, &c);
        if (l->flash.powered) { /* commissioning needed fewer than k writes */
            CHECK_EQ(rc, PV_OK);
            free(l);
            break;
        }
        int brc = pv_sim_lock_boot(l);
        CHECK(brc == PV_OK || brc == PV_E_CORRUPT);
        pv_lock_info i;
        pv_lock_get_info(l->lock, &i);
        if (i.state == PV_LOCK_UNCOMMISSIONED) {
            CHECK_EQ(pv_lock_commission(l->lock, &c), PV_OK);
            CHECK_EQ(pv_sim_lock_boot(l), PV_OK);
            pv_lock_get_info(l->lock, &i);
        }
        CHECK_EQ(i.state, PV_LOCK_IDLE);
        CHECK_EQ(i.lock_id, 88);
        trials++;
        free(l);
    }
    fprintf(stderr, "commission: power cut at each of %u writes, commissioned in the end\n",
            trials);
    CHECK(trials > 2);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    kit_issuer_new(&iss, 1);
    test_cut_every_write();
    test_config_cuts();
    test_boot_log_failure();
    test_cursor_bounds();
    test_recommission();
    test_boot_read_error();
    test_corrupt_record();
    test_commission_cuts();
    if (kit_failures)
        fprintf(stderr, "test_ring: %d failures\n", kit_failures);
    return kit_failures != 0;
}
