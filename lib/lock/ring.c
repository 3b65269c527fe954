/* The lock's power-loss-safe event ring in NOR flash: append, recover by scanning, read.
 *
 * Record (64 bytes): event (16) | chain value after it (32) | zero (8) | check (8), where
 * check = BLAKE2b-64("PVR1" || bytes 0..55). A record is programmed in one write; a torn
 * write leaves a record whose check fails, and that slot is skipped forever after. An
 * event is acknowledged once its program returned PV_OK. Recovery takes the valid record
 * with the highest seq as the head and walks backwards over consecutive seqs whose chain
 * values link; everything else is garbage from torn writes or recycled sectors. */
#include <string.h>

#include <sodium.h>

#include "internal.h"

static uint32_t slot_addr(uint32_t slot)
{
    return RING_BASE + slot * PV_LOCK_RECORD_SIZE;
}

static void record_check(const uint8_t rec[PV_LOCK_RECORD_SIZE], uint8_t out[8])
{
    static const uint8_t dom[4] = {'P', 'V', 'R', '1'};
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, 8);
    crypto_generichash_update(&st, dom, sizeof dom);
    crypto_generichash_update(&st, rec, PV_LOCK_RECORD_SIZE - 8);
    crypto_generichash_final(&st, out, 8);
}

static int is_blank(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != 0xFF)
            return 0;
    return 1;
}

/* Read slot; 1 if it holds a valid record (decoded into *ev and chain), 0 if not,
 * negative on a flash error. */
static int slot_read(const pv_lock *l, uint32_t slot, pv_event *ev, uint8_t chain[PV_HASH_SIZE])
{
    uint8_t rec[PV_LOCK_RECORD_SIZE], chk[8];
    int rc = l->ops->flash_read(l->ops->ctx, slot_addr(slot), rec, sizeof rec);
    if (rc != PV_OK)
        return PV_E_FLASH;
    if (is_blank(rec, sizeof rec))
        return 0;
    record_check(rec, chk);
    if (sodium_memcmp(chk, rec + 56, 8) != 0 || pv_event_decode(rec, ev) != PV_OK)
        return 0;
    for (int i = 48; i < 56; i++)
        if (rec[i] != 0)
            return 0;
    memcpy(chain, rec + 16, PV_HASH_SIZE);
    return 1;
}

static void ring_reset(pv_lock *l)
{
    l->ring_slot = 0;
    l->next_seq = l->oldest_seq = l->cursor_seq = 0;
    memset(l->chain, 0, sizeof l->chain);
    for (unsigned i = 0; i < PV_LOCK_RING_SECTORS; i++)
        l->sec_first[i] = l->sec_last[i] = SEQ_NONE;
}

static void sector_note(pv_lock *l, uint32_t slot, uint32_t seq)
{
    uint32_t s = slot / RING_SLOTS_PER_SECTOR;
    if (l->sec_first[s] == SEQ_NONE || seq < l->sec_first[s])
        l->sec_first[s] = seq;
    if (l->sec_last[s] == SEQ_NONE || seq > l->sec_last[s])
        l->sec_last[s] = seq;
}

/* Find the head: the valid record with the highest seq. */
static int find_head(const pv_lock *l, uint32_t *head_slot, pv_event *head, uint8_t chain[32])
{
    int found = 0;
    for (uint32_t slot = 0; slot < RING_SLOTS; slot++) {
        pv_event ev;
        uint8_t ch[PV_HASH_SIZE];
        int v = slot_read(l, slot, &ev, ch);
        if (v < 0)
            return v;
        if (v == 1 && (!found || ev.seq > head->seq)) {
            found = 1;
            *head = ev;
            *head_slot = slot;
            memcpy(chain, ch, PV_HASH_SIZE);
        }
    }
    return found;
}

int pv_lock_ring_recover(pv_lock *l)
{
    ring_reset(l);
    pv_event head;
    uint32_t head_slot = 0;
    uint8_t head_chain[PV_HASH_SIZE];
    int found = find_head(l, &head_slot, &head, head_chain);
    if (found < 0)
        return found;
    if (!found)
        return PV_OK; /* blank ring */
    l->next_seq = head.seq + 1;
    l->oldest_seq = head.seq;
    memcpy(l->chain, head_chain, PV_HASH_SIZE);
    sector_note(l, head_slot, head.seq);
    /* walk back over consecutive, linking records */
    uint8_t later_chain[PV_HASH_SIZE];
    uint8_t later_ev[PV_EVENT_SIZE];
    memcpy(later_chain, head_chain, PV_HASH_SIZE);
    pv_event_encode(&head, later_ev);
    for (uint32_t i = 1; i < RING_SLOTS && l->oldest_seq > 0; i++) {
        uint32_t slot = (head_slot + RING_SLOTS - i) % RING_SLOTS;
        pv_event ev;
        uint8_t ch[PV_HASH_SIZE], expect[PV_HASH_SIZE];
        int v = slot_read(l, slot, &ev, ch);
        if (v < 0)
            return v;
        if (v == 0)
            continue;
        if (ev.seq != l->oldest_seq - 1)
            break;
        pv_log_chain_next(ch, later_ev, expect);
        if (sodium_memcmp(expect, later_chain, PV_HASH_SIZE) != 0)
            break; /* does not link: older records are not trusted */
        l->oldest_seq = ev.seq;
        sector_note(l, slot, ev.seq);
        memcpy(later_chain, ch, PV_HASH_SIZE);
        pv_event_encode(&ev, later_ev);
    }
    l->cursor_seq = l->oldest_seq;
    l->ring_slot = (head_slot + 1) % RING_SLOTS;
    return PV_OK;
}

/* Make sure ring_slot points at a blank slot, erasing the next sector when entering it. */
static int ring_prepare(pv_lock *l)
{
    for (uint32_t tries = 0; tries <= RING_SLOTS; tries++) {
        uint32_t slot = l->ring_slot;
        if (slot % RING_SLOTS_PER_SECTOR == 0) {
            /* entering a sector: recycle it (it holds the oldest events, if any) */
            uint32_t s = slot / RING_SLOTS_PER_SECTOR;
            if (l->sec_last[s] != SEQ_NONE && l->sec_last[s] + 1 > l->oldest_seq)
                l->oldest_seq = l->sec_last[s] + 1;
            if (l->cursor_seq < l->oldest_seq)
                l->cursor_seq = l->oldest_seq;
            l->sec_first[s] = l->sec_last[s] = SEQ_NONE;
            if (l->ops->flash_erase(l->ops->ctx, slot_addr(slot)) != PV_OK)
                return PV_E_FLASH;
        }
        uint8_t rec[PV_LOCK_RECORD_SIZE];
        if (l->ops->flash_read(l->ops->ctx, slot_addr(slot), rec, sizeof rec) != PV_OK)
            return PV_E_FLASH;
        if (is_blank(rec, sizeof rec))
            return PV_OK;
        l->ring_slot = (slot + 1) % RING_SLOTS; /* garbage from a torn write: skip */
    }
    return PV_E_CORRUPT;
}

int pv_lock_ring_append(pv_lock *l, uint8_t kind, uint8_t reason, uint16_t aux, uint32_t subject)
{
    return pv_lock_ring_append_at(l, kind, reason, aux, subject, (uint32_t)pv_lock_now(l));
}

int pv_lock_ring_append_at(pv_lock *l, uint8_t kind, uint8_t reason, uint16_t aux,
                           uint32_t subject, uint32_t time)
{
    int rc = ring_prepare(l);
    if (rc != PV_OK)
        return rc;
    pv_event ev = {.seq = l->next_seq, .time = time, .kind = kind,
                   .reason = reason, .aux = aux, .subject = subject};
    uint8_t rec[PV_LOCK_RECORD_SIZE];
    memset(rec, 0, sizeof rec);
    pv_event_encode(&ev, rec);
    pv_log_chain_next(l->chain, rec, rec + 16);
    record_check(rec, rec + 56);
    uint32_t slot = l->ring_slot;
    l->ring_slot = (slot + 1) % RING_SLOTS; /* even a failed write leaves the slot dirty */
    if (l->ops->flash_program(l->ops->ctx, slot_addr(slot), rec, sizeof rec) != PV_OK)
        return PV_E_FLASH;
    memcpy(l->chain, rec + 16, PV_HASH_SIZE);
    sector_note(l, slot, ev.seq);
    l->next_seq++;
    return PV_OK;
}

void pv_lock_log(pv_lock *l, uint8_t kind, uint8_t reason, uint16_t aux, uint32_t subject)
{
    pv_lock_deny_flush(l, 1); /* a pending run of refusals comes before this event */
    if (pv_lock_ring_append(l, kind, reason, aux, subject) != PV_OK)
        l->log_errors++;
}

int pv_lock_ring_read(const pv_lock *l, uint32_t seq, pv_event *ev, uint8_t chain[PV_HASH_SIZE])
{
    if (seq < l->oldest_seq || seq >= l->next_seq)
        return PV_E_NOT_FOUND;
    for (uint32_t s = 0; s < PV_LOCK_RING_SECTORS; s++) {
        if (l->sec_first[s] == SEQ_NONE || seq < l->sec_first[s] || seq > l->sec_last[s])
            continue;
        /* records sit in order; only torn slots shift them, so look at the likely
         * slot first and then from there on */
        uint32_t guess = seq - l->sec_first[s];
        for (uint32_t k = 0; k <= RING_SLOTS_PER_SECTOR; k++) {
            uint32_t i = k == 0 ? guess : k - 1;
            if (i >= RING_SLOTS_PER_SECTOR || (k > 0 && i == guess))
                continue;
            int v = slot_read(l, s * RING_SLOTS_PER_SECTOR + i, ev, chain);
            if (v < 0)
                return v;
            if (v == 1 && ev->seq == seq)
                return PV_OK;
        }
    }
    return PV_E_NOT_FOUND;
}
