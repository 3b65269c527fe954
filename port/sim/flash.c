/* Emulated NOR flash with a power cut at any chosen write, for the lock's ring and config. */
#include <string.h>

#include "portvakt/sim.h"

void pv_sim_flash_init(pv_sim_flash *f, uint8_t *mem, uint32_t size, uint32_t sector)
{
    f->mem = mem;
    f->size = size;
    f->sector = sector;
    f->writes = 0;
    f->cut_at = 0;
    f->powered = 1;
    f->erases = 0;
    memset(mem, 0xFF, size);
}

void pv_sim_flash_cut_at(pv_sim_flash *f, uint64_t nth_write_from_now)
{
    f->cut_at = nth_write_from_now ? f->writes + nth_write_from_now : 0;
}

void pv_sim_flash_power_on(pv_sim_flash *f)
{
    f->powered = 1;
    f->cut_at = 0;
}

static int range_ok(const pv_sim_flash *f, uint32_t addr, size_t len)
{
    return f->powered && len <= f->size && addr <= f->size - len;
}

/* Count one write; returns 1 when this write is the torn one (power goes off). */
static int write_tears(pv_sim_flash *f)
{
    f->writes++;
    if (f->cut_at != 0 && f->writes == f->cut_at) {
        f->powered = 0;
        return 1;
    }
    return 0;
}

int pv_sim_flash_read(pv_sim_flash *f, uint32_t addr, uint8_t *out, size_t len)
{
    if (!range_ok(f, addr, len))
        return PV_E_FLASH;
    memcpy(out, f->mem + addr, len);
    return PV_OK;
}

int pv_sim_flash_program(pv_sim_flash *f, uint32_t addr, const uint8_t *in, size_t len)
{
    if (!range_ok(f, addr, len))
        return PV_E_FLASH;
    size_t n = write_tears(f) ? len / 2 : len;
    for (size_t i = 0; i < n; i++)
        f->mem[addr + i] &= in[i]; /* NOR: programming can only clear bits */
    return n == len ? PV_OK : PV_E_FLASH;
}

int pv_sim_flash_erase(pv_sim_flash *f, uint32_t sector_addr)
{
    if (!range_ok(f, sector_addr, f->sector) || sector_addr % f->sector != 0)
        return PV_E_FLASH;
    f->erases++;
    size_t n = write_tears(f) ? f->sector / 2 : f->sector;
    memset(f->mem + sector_addr, 0xFF, n);
    return n == f->sector ? PV_OK : PV_E_FLASH;
}
