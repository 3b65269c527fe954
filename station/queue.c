/* Durable on-disk queue of log items waiting for upload (see queue.h for the contract). */
#include "queue.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "portvakt/posix.h"
#include "portvakt/wire.h"

int pvst_qitem_encode(uint32_t bearer_id, const uint8_t *logs, size_t len, uint8_t *out,
                      size_t cap, size_t *outlen)
{
    size_t total = PVST_QITEM_OVERHEAD + len;
    if (total > cap || total > PVST_QITEM_MAX)
        return PV_E_BUFSIZE;
    memcpy(out, PVST_QITEM_MAGIC, 4);
    pv_store32_le(out + 4, (uint32_t)(len + 4));
    pv_store32_le(out + 8, bearer_id);
    memcpy(out + 12, logs, len);
    crypto_generichash(out + 12 + len, 32, out, 12 + len, NULL, 0);
    *outlen = total;
    return PV_OK;
}

int pvst_qitem_decode(const uint8_t *in, size_t len, uint32_t *bearer_id, pvst_logs *lg)
{
    if (len < PVST_QITEM_OVERHEAD)
        return PV_E_TRUNCATED;
    if (len > PVST_QITEM_MAX)
        return PV_E_LENGTH;
    if (memcmp(in, PVST_QITEM_MAGIC, 4) != 0)
        return PV_E_TYPE;
    uint32_t n = pv_load32_le(in + 4);
    if (n < 4 || (size_t)n + 8 + 32 != len)
        return PV_E_LENGTH;
    uint8_t h[32];
    crypto_generichash(h, 32, in, 8 + (size_t)n, NULL, 0);
    if (sodium_memcmp(h, in + 8 + n, 32) != 0)
        return PV_E_CORRUPT;
    *bearer_id = pv_load32_le(in + 8);
    if (*bearer_id == 0)
        return PV_E_RANGE;
    return pvst_logs_decode(in + 12, n - 4, lg);
}

static int fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return PV_E_IO;
    int r = fsync(fd) == 0 ? PV_OK : PV_E_IO;
    close(fd);
    return r;
}

static int parse_name(const char *name, uint64_t *seq)
{
    char *end;
    if (strlen(name) != 20 || strcmp(name + 16, ".pvq") != 0)
        return 0;
    errno = 0;
    unsigned long long v = strtoull(name, &end, 16);
    if (errno || end != name + 16)
        return 0;
    *seq = v;
    return 1;
}

int pvst_queue_open(pvst_queue *q, const char *dir)
{
    char sub[600];
    if (strlen(dir) >= sizeof q->dir)
        return PV_E_ARG;
    snprintf(q->dir, sizeof q->dir, "%s", dir);
    q->next_seq = 1;
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return PV_E_IO;
    snprintf(sub, sizeof sub, "%s/rejected", dir);
    if (mkdir(sub, 0700) != 0 && errno != EEXIST)
        return PV_E_IO;
    DIR *d = opendir(dir);
    if (!d)
        return PV_E_IO;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        uint64_t s;
        if (strncmp(de->d_name, ".tmp-", 5) == 0) {
            /* never renamed: the key was not acknowledged, so it still holds these logs */
            snprintf(sub, sizeof sub, "%s/%s", dir, de->d_name);
            (void)unlink(sub);
        } else if (parse_name(de->d_name, &s) && s >= q->next_seq) {
            q->next_seq = s + 1;
        }
    }
    closedir(d);
    return PV_OK;
}

int pvst_queue_put(pvst_queue *q, uint32_t bearer_id, const uint8_t *logs, size_t len)
{
    uint8_t *buf = malloc(PVST_QITEM_MAX);
    if (!buf)
        return PV_E_NOMEM;
    size_t n;
    int r = pvst_qitem_encode(bearer_id, logs, len, buf, PVST_QITEM_MAX, &n);
    char tmp[600], fin[600];
    uint64_t seq = q->next_seq;
    snprintf(tmp, sizeof tmp, "%s/.tmp-%016llx", q->dir, (unsigned long long)seq);
    snprintf(fin, sizeof fin, "%s/%016llx.pvq", q->dir, (unsigned long long)seq);
    int fd = r == PV_OK ? open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600) : -1;
    if (r == PV_OK && fd < 0)
        r = PV_E_IO;
    if (r == PV_OK)
        r = pv_posix_write_all(fd, buf, n);
    if (r == PV_OK && fsync(fd) != 0)
        r = PV_E_IO;
    if (fd >= 0 && close(fd) != 0 && r == PV_OK)
        r = PV_E_IO;
    if (r == PV_OK && rename(tmp, fin) != 0)
        r = PV_E_IO;
    if (r == PV_OK)
        r = fsync_dir(q->dir);
    if (r != PV_OK && fd >= 0)
        (void)unlink(tmp);
    if (r == PV_OK)
        q->next_seq = seq + 1;
    free(buf);
    return r;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Keeps the `max` smallest sequence numbers while scanning (the queue may be long). */
int pvst_queue_list(const pvst_queue *q, uint64_t *seqs, size_t max, size_t *n)
{
    DIR *d = opendir(q->dir);
    if (!d)
        return PV_E_IO;
    size_t k = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        uint64_t s;
        if (!parse_name(de->d_name, &s) || max == 0)
            continue;
        if (k < max) {
            seqs[k++] = s;
            continue;
        }
        size_t hi = 0;
        for (size_t i = 1; i < k; i++)
            if (seqs[i] > seqs[hi])
                hi = i;
        if (s < seqs[hi])
            seqs[hi] = s;
    }
    closedir(d);
    qsort(seqs, k, sizeof *seqs, cmp_u64);
    *n = k;
    return PV_OK;
}

int pvst_queue_read(const pvst_queue *q, uint64_t seq, uint8_t *buf, size_t cap, size_t *len)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%016llx.pvq", q->dir, (unsigned long long)seq);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? PV_E_NOT_FOUND : PV_E_IO;
    size_t got = 0;
    int r = PV_OK;
    for (;;) {
        if (got == cap) {
            uint8_t extra;
            r = read(fd, &extra, 1) == 0 ? PV_OK : PV_E_LENGTH;
            break;
        }
        ssize_t k = read(fd, buf + got, cap - got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            r = PV_E_IO;
            break;
        }
        if (k == 0)
            break;
        got += (size_t)k;
    }
    close(fd);
    *len = got;
    return r;
}

int pvst_queue_drop(const pvst_queue *q, uint64_t seq)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%016llx.pvq", q->dir, (unsigned long long)seq);
    if (unlink(path) != 0 && errno != ENOENT)
        return PV_E_IO;
    return fsync_dir(q->dir);
}

int pvst_queue_reject(const pvst_queue *q, uint64_t seq)
{
    char from[600], to[700];
    snprintf(from, sizeof from, "%s/%016llx.pvq", q->dir, (unsigned long long)seq);
    snprintf(to, sizeof to, "%s/rejected/%016llx.pvq", q->dir, (unsigned long long)seq);
    if (rename(from, to) != 0)
        return PV_E_IO;
    return fsync_dir(q->dir);
}

size_t pvst_queue_count(const pvst_queue *q)
{
    size_t n = 0;
    DIR *d = opendir(q->dir);
    if (!d)
        return 0;
    struct dirent *de;
    uint64_t s;
    while ((de = readdir(d)) != NULL)
        n += (size_t)parse_name(de->d_name, &s);
    closedir(d);
    return n;
}
