/* The lock's persistent config in two A/B flash slots, so a power cut during a save
 * always leaves the previous config readable.
 *
 * Slot (PV_LOCK_CONFIG_SECTORS sectors): "PVC1" | seq u32 | body (CFG_BODY bytes, fixed
 * layout below) | check = BLAKE2b-256("PVC1" | seq | body). A save erases the older slot,
 * programs header and body, and programs the check last; load takes the valid slot with
 * the higher seq. Nothing is read into RAM before its check passed. */
#include <string.h>

#include <sodium.h>

#include "internal.h"

#define ISS_RL_OFF (4 + PV_PK_SIZE + 1 + PV_LOCK_MAX_SCOPES * 8 + 8 + 8 + 2)
#define ISS_BODY (ISS_RL_OFF + PV_REVLIST_MAX_SIZE)
#define CFG_FIXED (4 + PV_SIGN_SK_SIZE + 4 + 8 + 4 + 1)
#define CFG_BODY (CFG_FIXED + PV_LOCK_MAX_ISSUERS * ISS_BODY)
#define CFG_HDR 8u
#define CFG_TOTAL (CFG_HDR + CFG_BODY + PV_HASH_SIZE)
#define SLOT_SIZE (PV_LOCK_CONFIG_SECTORS * PV_LOCK_FLASH_SECTOR)

_Static_assert(CFG_TOTAL <= SLOT_SIZE, "config must fit its slot");

static const uint8_t cfg_magic[4] = {'P', 'V', 'C', '1'};

/* A streaming writer/reader over one slot: `put` programs through the stage buffer,
 * `get` reads; both feed the running hash. */
typedef struct cfg_io {
    pv_lock *l;
    uint32_t addr;
    uint32_t fill;
    int writing;
    int err;
    crypto_generichash_state h;
} cfg_io;

static void io_flush(cfg_io *io)
{
    if (io->fill == 0 || io->err)
        return;
    if (io->l->ops->flash_program(io->l->ops->ctx, io->addr, io->l->stage, io->fill) != PV_OK)
        io->err = PV_E_FLASH;
    io->addr += io->fill;
    io->fill = 0;
}

static void io_bytes(cfg_io *io, uint8_t *p, size_t n)
{
    while (n > 0 && !io->err) {
        if (io->writing) {
            size_t k = CFG_STAGE - io->fill < n ? CFG_STAGE - io->fill : n;
            memcpy(io->l->stage + io->fill, p, k);
            crypto_generichash_update(&io->h, p, k);
            io->fill += (uint32_t)k;
            if (io->fill == CFG_STAGE)
                io_flush(io);
            p += k;
            n -= k;
        } else {
            if (io->l->ops->flash_read(io->l->ops->ctx, io->addr, p, n) != PV_OK)
                io->err = PV_E_FLASH;
            crypto_generichash_update(&io->h, p, n);
            io->addr += (uint32_t)n;
            n = 0;
        }
    }
}

static void io_u8(cfg_io *io, uint8_t *v)
{
    io_bytes(io, v, 1);
}
static void io_u16(cfg_io *io, uint16_t *v)
{
    uint8_t b[2];
    pv_store16_le(b, *v);
    io_bytes(io, b, 2);
    *v = pv_load16_le(b);
}
static void io_u32(cfg_io *io, uint32_t *v)
{
    uint8_t b[4];
    pv_store32_le(b, *v);
    io_bytes(io, b, 4);
    *v = pv_load32_le(b);
}
static void io_u64(cfg_io *io, uint64_t *v)
{
    uint8_t b[8];
    pv_store64_le(b, *v);
    io_bytes(io, b, 8);
    *v = pv_load64_le(b);
}

/* Where issuer i's stored list starts in a slot. */
static uint32_t rl_addr(unsigned slot, unsigned i)
{
    return slot * SLOT_SIZE + CFG_HDR + CFG_FIXED + i * ISS_BODY + ISS_RL_OFF;
}

int pv_lock_revlist_read(const pv_lock *l, unsigned iss, size_t off, uint8_t *out, size_t n)
{
    if (iss >= PV_LOCK_MAX_ISSUERS || off + n > l->cfg.iss[iss].revlist_len)
        return PV_E_RANGE;
    return l->ops->flash_read(l->ops->ctx, rl_addr(l->cfg_slot, iss) + (uint32_t)off, out, n);
}

/* Issuer i's list field: loading skips it (it stays in flash); saving writes the list
 * just taken (rl_new), or copies the stored one from the current slot, then pads. */
static void io_revlist(cfg_io *io, unsigned i, const lock_issuer *is)
{
    if (!io->writing) {
        io->addr += PV_REVLIST_MAX_SIZE;
        return;
    }
    uint8_t chunk[64];
    for (size_t done = 0; done < PV_REVLIST_MAX_SIZE && !io->err;) {
        size_t k = PV_REVLIST_MAX_SIZE - done < sizeof chunk ? PV_REVLIST_MAX_SIZE - done
                                                             : sizeof chunk;
        size_t have = done < is->revlist_len ? is->revlist_len - done : 0;
        memset(chunk, 0, sizeof chunk);
        if (have > k)
            have = k;
        if (have > 0 && io->l->rl_new && io->l->rl_new_iss == i)
            memcpy(chunk, io->l->rl_new + done, have);
        else if (have > 0 && io->l->ops->flash_read(io->l->ops->ctx,
                                                    rl_addr(io->l->cfg_slot, i) + (uint32_t)done,
                                                    chunk, have) != PV_OK)
            io->err = PV_E_FLASH;
        io_bytes(io, chunk, k);
        done += k;
    }
}

/* The body layout, shared by save and load so they cannot drift apart. */
static void io_body(cfg_io *io, lock_config *c)
{
    io_u32(io, &c->lock_id);
    io_bytes(io, c->lock_sk, sizeof c->lock_sk);
    io_u32(io, &c->boot_count);
    io_u64(io, &c->clock);
    io_u32(io, &c->cursor);
    io_u8(io, &c->nissuers);
    for (unsigned i = 0; i < PV_LOCK_MAX_ISSUERS; i++) {
        lock_issuer *is = &c->iss[i];
        io_u32(io, &is->cfg.issuer_id);
        io_bytes(io, is->cfg.pk, PV_PK_SIZE);
        io_u8(io, &is->cfg.nscopes);
        for (unsigned j = 0; j < PV_LOCK_MAX_SCOPES; j++) {
            io_u32(io, &is->cfg.scopes[j].lo);
            io_u32(io, &is->cfg.scopes[j].hi);
        }
        io_u64(io, &is->revlist_version);
        io_u64(io, &is->beacon_time);
        io_u16(io, &is->revlist_len);
        io_revlist(io, i, is);
    }
}

static void io_begin(cfg_io *io, pv_lock *l, unsigned slot, int writing)
{
    memset(io, 0, sizeof *io);
    io->l = l;
    io->addr = slot * SLOT_SIZE;
    io->writing = writing;
    crypto_generichash_init(&io->h, NULL, 0, PV_HASH_SIZE);
}

/* Check a slot without keeping anything: PV_OK and its seq, or PV_E_CORRUPT. */
static int slot_probe(pv_lock *l, unsigned slot, uint32_t *seq)
{
    cfg_io io;
    io_begin(&io, l, slot, 0);
    uint8_t hdr[CFG_HDR], chunk[CFG_STAGE], check[PV_HASH_SIZE], want[PV_HASH_SIZE];
    io_bytes(&io, hdr, sizeof hdr);
    if (io.err)
        return io.err;
    if (memcmp(hdr, cfg_magic, 4) != 0)
        return PV_E_CORRUPT;
    for (uint32_t left = CFG_BODY; left > 0 && !io.err;) {
        uint32_t k = left < CFG_STAGE ? left : CFG_STAGE;
        io_bytes(&io, chunk, k);
        left -= k;
    }
    if (io.err)
        return io.err;
    crypto_generichash_final(&io.h, want, sizeof want);
    if (l->ops->flash_read(l->ops->ctx, io.addr, check, sizeof check) != PV_OK)
        return PV_E_FLASH;
    if (sodium_memcmp(check, want, sizeof want) != 0)
        return PV_E_CORRUPT;
    *seq = pv_load32_le(hdr + 4);
    return PV_OK;
}

int pv_lock_config_load(pv_lock *l)
{
    uint32_t seq[2] = {0, 0};
    int ok[2];
    int blank = 1;
    for (unsigned s = 0; s < 2; s++) {
        int rc = slot_probe(l, s, &seq[s]);
        if (rc == PV_E_FLASH)
            return rc;
        ok[s] = rc == PV_OK;
        uint8_t b[4];
        if (l->ops->flash_read(l->ops->ctx, s * SLOT_SIZE, b, 4) != PV_OK)
            return PV_E_FLASH;
        if (pv_load32_le(b) != 0xFFFFFFFFu)
            blank = 0;
    }
    if (!ok[0] && !ok[1])
        return blank ? PV_E_NOT_FOUND : PV_E_CORRUPT;
    unsigned slot = (ok[0] && ok[1]) ? (seq[1] > seq[0]) : (ok[1] ? 1u : 0u);
    cfg_io io;
    io_begin(&io, l, slot, 0);
    uint8_t hdr[CFG_HDR];
    io_bytes(&io, hdr, sizeof hdr);
    io_body(&io, &l->cfg);
    if (io.err)
        return io.err;
    l->cfg_slot = (uint8_t)slot;
    l->cfg_seq = seq[slot];
    if (l->cfg.nissuers == 0 || l->cfg.nissuers > PV_LOCK_MAX_ISSUERS)
        return PV_E_CORRUPT;
    return PV_OK;
}

int pv_lock_config_save(pv_lock *l)
{
    unsigned slot = l->cfg_seq == 0 && l->state == PV_LOCK_UNCOMMISSIONED ? 0u : 1u - l->cfg_slot;
    uint32_t seq = l->cfg_seq + 1;
    for (unsigned i = 0; i < PV_LOCK_CONFIG_SECTORS; i++)
        if (l->ops->flash_erase(l->ops->ctx, slot * SLOT_SIZE + i * PV_LOCK_FLASH_SECTOR) != PV_OK)
            return PV_E_FLASH;
    l->cfg.clock = pv_lock_now(l);
    l->cfg.cursor = l->cursor_seq;
    cfg_io io;
    io_begin(&io, l, slot, 1);
    uint8_t hdr[CFG_HDR];
    memcpy(hdr, cfg_magic, 4);
    pv_store32_le(hdr + 4, seq);
    io_bytes(&io, hdr, sizeof hdr);
    io_body(&io, &l->cfg);
    io_flush(&io);
    if (io.err)
        return io.err;
    uint8_t check[PV_HASH_SIZE];
    crypto_generichash_final(&io.h, check, sizeof check);
    if (l->ops->flash_program(l->ops->ctx, io.addr, check, sizeof check) != PV_OK)
        return PV_E_FLASH;
    l->cfg_slot = (uint8_t)slot;
    l->cfg_seq = seq;
    l->cursor_dirty = 0;
    return PV_OK;
}
