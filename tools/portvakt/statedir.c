/* The `portvakt` CLI's state directory: issuer key, serials, revocation list, lock flash
 * images and bearer keys, each in its own file, written atomically. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "cli.h"

#define SD_MAX_REVOKED PV_REVLIST_MAX

uint64_t cli_now(void)
{
    return (uint64_t)time(NULL);
}

int sd_path(char *out, size_t cap, const char *dir, const char *name)
{
    int n = snprintf(out, cap, "%s/%s", dir, name);
    return (n < 0 || (size_t)n >= cap) ? -1 : 0;
}

int sd_mkdirs(const char *dir)
{
    char p[4096];
    const char *subs[] = {"", "/locks", "/bearers"};
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++) {
        if (snprintf(p, sizeof p, "%s%s", dir, subs[i]) >= (int)sizeof p)
            return -1;
        if (mkdir(p, 0700) != 0 && errno != EEXIST) {
            fprintf(stderr, "portvakt: cannot create %s: %s\n", p, strerror(errno));
            return -1;
        }
    }
    return 0;
}

int sd_write(const char *dir, const char *name, const void *buf, size_t len, int secret)
{
    char path[4096], tmp[4200];
    if (sd_path(path, sizeof path, dir, name) != 0)
        return -1;
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, secret ? 0600 : 0644);
    if (fd < 0) {
        fprintf(stderr, "portvakt: cannot write %s: %s\n", tmp, strerror(errno));
        return -1;
    }
    if (pv_posix_write_all(fd, buf, len) != PV_OK) {
        fprintf(stderr, "portvakt: write to %s failed: %s\n", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        return -1;
    }
    if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp, path) != 0) {
        fprintf(stderr, "portvakt: cannot store %s: %s\n", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

int sd_read(const char *dir, const char *name, void *buf, size_t cap, size_t *len)
{
    char path[4096];
    if (sd_path(path, sizeof path, dir, name) != 0)
        return -1;
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, cap, f);
    int extra = fgetc(f);
    fclose(f);
    if (extra != EOF) {
        fprintf(stderr, "portvakt: %s is larger than %zu bytes; refusing it\n", path, cap);
        return -1;
    }
    *len = n;
    return 0;
}

int sd_exists(const char *dir, const char *name)
{
    char path[4096];
    struct stat st;
    return sd_path(path, sizeof path, dir, name) == 0 && stat(path, &st) == 0;
}

/* Read a small text file holding one decimal number. */
static int sd_read_u64(const char *dir, const char *name, uint64_t *v)
{
    char buf[32];
    size_t n;
    if (sd_read(dir, name, buf, sizeof buf - 1, &n) != 0)
        return -1;
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
        n--;
    buf[n] = '\0';
    return cli_u64(buf, name, v);
}

static int sd_write_u64(const char *dir, const char *name, uint64_t v)
{
    char buf[32];
    int n = snprintf(buf, sizeof buf, "%" PRIu64 "\n", v);
    return sd_write(dir, name, buf, (size_t)n, 0);
}

int sd_issuer_load(const char *dir, cli_issuer *is)
{
    size_t n;
    uint64_t id;
    if (sd_read(dir, "issuer.sk", is->sk, sizeof is->sk, &n) != 0 || n != PV_SIGN_SK_SIZE ||
        sd_read_u64(dir, "issuer.id", &id) != 0 || id == 0 || id > UINT32_MAX) {
        fprintf(stderr, "portvakt: no issuer in %s. Create one first: portvakt issuer-create "
                        "--dir %s\n", dir, dir);
        return -1;
    }
    is->issuer_id = (uint32_t)id;
    crypto_sign_ed25519_sk_to_pk(is->pk, is->sk);
    return 0;
}

int sd_next_serial(const char *dir, uint64_t *serial)
{
    uint64_t s = 0;
    if (sd_exists(dir, "issuer.serial") && sd_read_u64(dir, "issuer.serial", &s) != 0)
        return -1;
    s++;
    if (sd_write_u64(dir, "issuer.serial", s) != 0)
        return -1;
    *serial = s;
    return 0;
}

int sd_beacon_make(const cli_issuer *is, uint64_t now, uint8_t out[PV_BEACON_SIZE])
{
    pv_beacon b = {.issuer_id = is->issuer_id, .time = now};
    return pv_beacon_sign(&b, is->sk, out) == PV_OK ? 0 : -1;
}

/* Parse revoked.txt ("bearer_id revoked_at" per line), keep entries still needed. */
static int sd_revoked_read(const char *dir, uint64_t now, pv_revoked *out, uint16_t *count)
{
    char buf[SD_MAX_REVOKED * 40];
    size_t n = 0;
    *count = 0;
    if (!sd_exists(dir, "revoked.txt"))
        return 0;
    if (sd_read(dir, "revoked.txt", buf, sizeof buf - 1, &n) != 0)
        return -1;
    buf[n] = '\0';
    char *save = NULL;
    for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        unsigned long long b, at;
        char tail;
        if (sscanf(line, "%llu %llu%c", &b, &at, &tail) != 2 || b == 0 || b > UINT32_MAX) {
            fprintf(stderr, "portvakt: %s/revoked.txt has a bad line: '%s'\n", dir, line);
            return -1;
        }
        /* the drop rule: every credential issued before the revocation has expired */
        if (at + PV_CRED_MAX_LIFETIME_S < now)
            continue;
        if (*count >= SD_MAX_REVOKED) {
            fprintf(stderr, "portvakt: more than %u live revocations\n", SD_MAX_REVOKED);
            return -1;
        }
        out[(*count)++] = (pv_revoked){.bearer_id = (uint32_t)b, .revoked_at = at};
    }
    return 0;
}

static int revoked_cmp(const void *a, const void *b)
{
    const pv_revoked *x = a, *y = b;
    return x->bearer_id < y->bearer_id ? -1 : x->bearer_id > y->bearer_id;
}

int sd_revlist_load(const char *dir, const cli_issuer *is, uint8_t *out, size_t cap, size_t *len)
{
    if (sd_exists(dir, "revlist.bin")) {
        pv_revlist rl;
        if (sd_read(dir, "revlist.bin", out, cap, len) != 0 ||
            pv_revlist_decode(out, *len, &rl) != PV_OK ||
            pv_revlist_verify(out, *len, is->pk) != PV_OK) {
            fprintf(stderr, "portvakt: %s/revlist.bin is damaged\n", dir);
            return -1;
        }
        return 0;
    }
    /* first use: sign an empty list, version 1 */
    size_t n;
    if (pv_revlist_sign(is->issuer_id, 1, cli_now(), NULL, 0, is->sk, out, cap, &n) != PV_OK)
        return -1;
    *len = n;
    return sd_write(dir, "revlist.bin", out, n, 0);
}

int sd_revoke(const char *dir, const cli_issuer *is, uint32_t bearer_id, uint64_t now,
              uint64_t *version_out)
{
    pv_revoked list[SD_MAX_REVOKED + 1];
    uint16_t count;
    if (sd_revoked_read(dir, now, list, &count) != 0)
        return -1;
    int found = 0;
    for (uint16_t i = 0; i < count; i++)
        if (list[i].bearer_id == bearer_id) {
            list[i].revoked_at = now;
            found = 1;
        }
    if (!found) {
        if (count >= SD_MAX_REVOKED) {
            fprintf(stderr, "portvakt: revocation list full (%u live entries)\n", SD_MAX_REVOKED);
            return -1;
        }
        list[count++] = (pv_revoked){.bearer_id = bearer_id, .revoked_at = now};
    }
    qsort(list, count, sizeof list[0], revoked_cmp);

    uint8_t old[PV_REVLIST_MAX_SIZE];
    size_t oldlen;
    pv_revlist rl;
    if (sd_revlist_load(dir, is, old, sizeof old, &oldlen) != 0 ||
        pv_revlist_decode(old, oldlen, &rl) != PV_OK)
        return -1;
    uint8_t out[PV_REVLIST_MAX_SIZE];
    size_t outlen;
    if (pv_revlist_sign(is->issuer_id, rl.version + 1, now, list, count, is->sk, out,
                        sizeof out, &outlen) != PV_OK)
        return -1;

    char text[SD_MAX_REVOKED * 40];
    size_t tl = 0;
    for (uint16_t i = 0; i < count; i++)
        tl += (size_t)snprintf(text + tl, sizeof text - tl, "%" PRIu32 " %" PRIu64 "\n",
                               list[i].bearer_id, list[i].revoked_at);
    if (sd_write(dir, "revoked.txt", text, tl, 0) != 0 ||
        sd_write(dir, "revlist.bin", out, outlen, 0) != 0)
        return -1;
    *version_out = rl.version + 1;
    return 0;
}

static void not_commissioned(const char *dir, uint32_t lock_id)
{
    fprintf(stderr, "portvakt: lock %" PRIu32 " is not commissioned in %s. Commission "
                    "it first: portvakt lock-commission --dir %s --lock-id %" PRIu32 "\n",
            lock_id, dir, dir, lock_id);
}

static void does_not_boot(uint32_t lock_id, int rc)
{
    fprintf(stderr, "portvakt: lock %" PRIu32 " does not boot: %s\n", lock_id, pv_strerror(rc));
}

int sd_lock_open(const char *dir, uint32_t lock_id, pv_sim_lock *sl)
{
    char name[64];
    size_t n;
    snprintf(name, sizeof name, "locks/%" PRIu32 ".flash", lock_id);
    pv_sim_lock_init(sl, cli_now(), 0);
    if (sd_read(dir, name, sl->flash_mem, sizeof sl->flash_mem, &n) != 0 ||
        n != sizeof sl->flash_mem) {
        not_commissioned(dir, lock_id);
        return -1;
    }
    int rc = pv_sim_lock_boot(sl);
    if (rc != PV_OK) {
        does_not_boot(lock_id, rc);
        return -1;
    }
    return 0;
}

int sd_lock_open_posix(const char *dir, uint32_t lock_id, pv_posix_lock *pl)
{
    char name[64], path[4096];
    snprintf(name, sizeof name, "locks/%" PRIu32 ".flash", lock_id);
    if (sd_path(path, sizeof path, dir, name) != 0) {
        fprintf(stderr, "portvakt: state directory path too long: %s\n", dir);
        return -1;
    }
    int rc = pv_posix_lock_open(pl, path, 0);
    if (rc == PV_E_NOT_FOUND || rc == PV_E_LENGTH)
        not_commissioned(dir, lock_id);
    else if (rc != PV_OK)
        does_not_boot(lock_id, rc);
    return rc == PV_OK ? 0 : -1;
}

int sd_lock_save(const char *dir, uint32_t lock_id, const pv_sim_lock *sl)
{
    char name[64];
    snprintf(name, sizeof name, "locks/%" PRIu32 ".flash", lock_id);
    /* the flash holds the lock's log-signing key: keep it private */
    return sd_write(dir, name, sl->flash_mem, sizeof sl->flash_mem, 1);
}

static int sd_key_read_part(const char *dir, uint32_t b, const char *ext, uint8_t *buf,
                            size_t cap, size_t *len, int required)
{
    char name[64];
    snprintf(name, sizeof name, "bearers/%" PRIu32 ".%s", b, ext);
    if (!sd_exists(dir, name)) {
        *len = 0;
        return required ? -1 : 0;
    }
    return sd_read(dir, name, buf, cap, len);
}

int sd_key_open(const char *dir, uint32_t bearer_id, cli_key *k)
{
    uint8_t sk[PV_SIGN_SK_SIZE];
    size_t n;
    memset(k, 0, sizeof *k);
    k->bearer_id = bearer_id;
    if (sd_key_read_part(dir, bearer_id, "sk", sk, sizeof sk, &n, 1) != 0 || n != sizeof sk) {
        fprintf(stderr, "portvakt: bearer %" PRIu32 " is not registered in %s. Register it: "
                        "portvakt bearer-register --dir %s --bearer-id %" PRIu32 "\n",
                bearer_id, dir, dir, bearer_id);
        return -1;
    }
    size_t size = pv_key_mem_size(CLI_MAX_LOCKS_PER_CRED);
    k->mem = aligned_alloc(16, (size + 15) & ~(size_t)15);
    if (!k->mem) {
        sodium_memzero(sk, sizeof sk);
        return -1;
    }
    int rc = pv_sim_key_init(&k->sk, k->mem, size, CLI_MAX_LOCKS_PER_CRED, sk, cli_now(), 0);
    sodium_memzero(sk, sizeof sk);
    if (rc != PV_OK) {
        fprintf(stderr, "portvakt: key setup failed: %s\n", pv_strerror(rc));
        sd_key_close(k);
        return -1;
    }
    static uint8_t entries[CLI_MAX_LOCKS_PER_CRED * PV_ENTRY_SIZE];
    uint8_t cred[PV_CRED_SIZE], rl[PV_REVLIST_MAX_SIZE], bc[PV_BEACON_SIZE];
    size_t cl, el, rll, bl;
    if (sd_key_read_part(dir, bearer_id, "cred", cred, sizeof cred, &cl, 0) != 0 ||
        sd_key_read_part(dir, bearer_id, "entries", entries, sizeof entries, &el, 0) != 0 ||
        sd_key_read_part(dir, bearer_id, "revlist", rl, sizeof rl, &rll, 0) != 0 ||
        sd_key_read_part(dir, bearer_id, "beacon", bc, sizeof bc, &bl, 0) != 0) {
        sd_key_close(k);
        return -1;
    }
    if (cl == 0)
        return 0; /* registered, no credential yet */
    rc = pv_key_install(k->sk.key, cred, cl, entries, el, rll ? rl : NULL, rll, bl ? bc : NULL,
                        bl);
    if (rc != PV_OK) {
        fprintf(stderr, "portvakt: bearer %" PRIu32 "'s stored credential is refused by its "
                        "key: %s\n", bearer_id, pv_strerror(rc));
        sd_key_close(k);
        return -1;
    }
    return 0;
}

void sd_key_close(cli_key *k)
{
    if (k->sk.key)
        pv_key_wipe(k->sk.key);
    free(k->mem);
    k->mem = NULL;
    k->sk.key = NULL;
}
