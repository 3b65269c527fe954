/* The POSIX flash: a file as the lock's NOR flash, every program and erase written
 * through with fdatasync before it returns. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "portvakt/posix.h"

static int pread_all(int fd, uint8_t *p, size_t n, off_t at)
{
    while (n > 0) {
        ssize_t r = pread(fd, p, n, at);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return PV_E_FLASH;
        p += r;
        n -= (size_t)r;
        at += r;
    }
    return PV_OK;
}

static int pwrite_all(int fd, const uint8_t *p, size_t n, off_t at)
{
    while (n > 0) {
        ssize_t w = pwrite(fd, p, n, at);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return PV_E_FLASH;
        p += w;
        n -= (size_t)w;
        at += w;
    }
    return PV_OK;
}

/* On disk before the core goes on: that is what makes a program or erase "done". */
static int sync_data(int fd)
{
    return fdatasync(fd) == 0 ? PV_OK : PV_E_FLASH;
}

static int range_ok(const pv_posix_flash *f, uint32_t addr, size_t len)
{
    return f->fd >= 0 && len <= f->size && addr <= f->size - len;
}

static int make_erased(int fd, uint32_t size, uint32_t sector)
{
    uint8_t ff[PV_LOCK_FLASH_SECTOR];
    memset(ff, 0xFF, sizeof ff);
    for (uint32_t a = 0; a < size; a += sector) {
        if (pwrite_all(fd, ff, sector, (off_t)a) != PV_OK)
            return PV_E_IO;
    }
    return sync_data(fd) == PV_OK ? PV_OK : PV_E_IO;
}

int pv_posix_flash_open(pv_posix_flash *f, const char *path, int create)
{
    f->fd = -1;
    f->size = PV_LOCK_FLASH_SIZE;
    f->sector = PV_LOCK_FLASH_SECTOR;
    int fd = open(path, O_RDWR | O_CLOEXEC | (create ? O_CREAT | O_EXCL : 0), 0600);
    if (fd < 0)
        return errno == ENOENT ? PV_E_NOT_FOUND : PV_E_IO;
    int rc = PV_OK;
    struct stat st;
    if (create)
        rc = make_erased(fd, f->size, f->sector);
    else if (fstat(fd, &st) != 0)
        rc = PV_E_IO;
    else if (st.st_size != (off_t)f->size)
        rc = PV_E_LENGTH;
    if (rc != PV_OK) {
        close(fd);
        if (create)
            unlink(path);
        return rc;
    }
    f->fd = fd;
    return PV_OK;
}

void pv_posix_flash_close(pv_posix_flash *f)
{
    if (f->fd >= 0)
        close(f->fd);
    f->fd = -1;
}

int pv_posix_flash_read(pv_posix_flash *f, uint32_t addr, uint8_t *out, size_t len)
{
    if (!range_ok(f, addr, len))
        return PV_E_FLASH;
    return pread_all(f->fd, out, len, (off_t)addr);
}

int pv_posix_flash_program(pv_posix_flash *f, uint32_t addr, const uint8_t *in, size_t len)
{
    uint8_t cur[256]; /* programmed in chunks: the core writes at most a config stage */
    if (!range_ok(f, addr, len))
        return PV_E_FLASH;
    while (len > 0) {
        size_t n = len < sizeof cur ? len : sizeof cur;
        int rc = pread_all(f->fd, cur, n, (off_t)addr);
        for (size_t i = 0; rc == PV_OK && i < n; i++)
            cur[i] &= in[i]; /* NOR: programming can only clear bits */
        if (rc == PV_OK)
            rc = pwrite_all(f->fd, cur, n, (off_t)addr);
        if (rc != PV_OK)
            return rc;
        addr += (uint32_t)n;
        in += n;
        len -= n;
    }
    return sync_data(f->fd);
}

int pv_posix_flash_erase(pv_posix_flash *f, uint32_t sector_addr)
{
    if (!range_ok(f, sector_addr, f->sector) || sector_addr % f->sector != 0)
        return PV_E_FLASH;
    uint8_t ff[PV_LOCK_FLASH_SECTOR];
    memset(ff, 0xFF, sizeof ff);
    int rc = pwrite_all(f->fd, ff, f->sector, (off_t)sector_addr);
    return rc == PV_OK ? sync_data(f->fd) : rc;
}
