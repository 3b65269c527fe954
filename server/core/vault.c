/* The secrets vault's key file (mode 0600, or a systemd credential) and sealing with
 * XChaCha20-Poly1305 under it: see pvs/vault.h. The keys live in process memory locked
 * against swapping and are wiped on unload. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "pvs/server.h"
#include "pvs/vault.h"

#define VAULT_MAX_KEYS 8   /* the current key and a few older ones during a rotation */
#define VAULT_FILE_MAX 2048
#define NONCE_LEN crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG_LEN crypto_aead_xchacha20poly1305_ietf_ABYTES

struct vault_key {
    uint32_t id;
    uint8_t key[32];
};

/* Written once at start (or by a CLI command) before any reader thread exists. */
static struct vault_key *keys;
static size_t nkeys;

static const uint8_t magic[4] = {'P', 'V', 'V', '1'};

void pvs_vault_locate(const char *configured, const char *issuer_key, char *out, size_t cap,
                      bool *from_credential)
{
    *from_credential = false;
    if (configured && configured[0]) {
        snprintf(out, cap, "%s", configured);
        return;
    }
    const char *cred = getenv("CREDENTIALS_DIRECTORY");
    if (cred && cred[0]) {
        snprintf(out, cap, "%s/%s", cred, PVS_VAULT_CREDENTIAL);
        if (access(out, R_OK) == 0) {
            *from_credential = true;
            return;
        }
    }
    const char *slash = strrchr(issuer_key, '/');
    if (!slash)
        snprintf(out, cap, "vault.key");
    else
        snprintf(out, cap, "%.*s/vault.key", (int)(slash - issuer_key), issuer_key);
}

void pvs_vault_unload(void)
{
    if (keys) {
        sodium_free(keys); /* wipes, unlocks and frees the guarded allocation */
        keys = NULL;
    }
    nkeys = 0;
}

bool pvs_vault_ready(void)
{
    return nkeys > 0;
}

uint32_t pvs_vault_key_id(void)
{
    return nkeys ? keys[0].id : 0;
}

int pvs_secret_file_write(const char *path, const char *text, size_t len, const char *what,
                          char *errbuf, size_t errcap)
{
    char tmp[PVS_PATH_MAX + 16];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
        snprintf(errbuf, errcap, "%s path too long: %s", what, path);
        return -1;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    bool ok = fd >= 0 && fchmod(fd, 0600) == 0 && write(fd, text, len) == (ssize_t)len &&
              fsync(fd) == 0;
    if (fd >= 0)
        close(fd);
    if (!ok || rename(tmp, path) != 0) {
        snprintf(errbuf, errcap, "cannot write %s %s: %s", what, path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

static int write_file(const char *path, const struct vault_key *k, size_t n, char *errbuf,
                      size_t errcap)
{
    char text[VAULT_FILE_MAX], hex[65];
    int len = snprintf(text, sizeof text,
                       "# Portvakt vault key: seals the secrets the database holds. Keep it mode"
                       " 0600,\n# apart from the database and its backups; without it they"
                       " cannot be read.\n");
    for (size_t i = 0; i < n; i++) {
        sodium_bin2hex(hex, sizeof hex, k[i].key, 32);
        len += snprintf(text + len, sizeof text - (size_t)len, "key = %u %s\n", k[i].id, hex);
    }
    sodium_memzero(hex, sizeof hex);
    int rc = pvs_secret_file_write(path, text, (size_t)len, "vault key", errbuf, errcap);
    sodium_memzero(text, sizeof text);
    return rc;
}

/* "key = <id> <64 hex>" into k; -1 for anything else. */
static int parse_key_line(char *line, struct vault_key *k)
{
    unsigned long id = 0;
    char hex[80];
    int end = 0;
    if (sscanf(line, " key = %lu %70s %n", &id, hex, &end) != 2 || line[end] != '\0' ||
        id == 0 || id > UINT32_MAX || strlen(hex) != 64) {
        sodium_memzero(hex, sizeof hex);
        return -1;
    }
    size_t got = 0;
    int rc = sodium_hex2bin(k->key, 32, hex, 64, NULL, &got, NULL);
    sodium_memzero(hex, sizeof hex);
    k->id = (uint32_t)id;
    return rc == 0 && got == 32 ? 0 : -1;
}

static int parse_file(char *buf, struct vault_key *out, size_t *n)
{
    *n = 0;
    char *save = NULL;
    for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        size_t l = strlen(line);
        if (l && line[l - 1] == '\r')
            line[l - 1] = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        if (*n == VAULT_MAX_KEYS || parse_key_line(line, &out[*n]) != 0)
            return -1;
        for (size_t i = 0; i < *n; i++)
            if (out[i].id == out[*n].id)
                return -1;
        (*n)++;
    }
    return *n ? 0 : -1;
}

static int read_file(const char *path, char *buf, size_t cap, char *errbuf, size_t errcap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        snprintf(errbuf, errcap, "cannot open vault key %s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    if (st.st_mode & 077) {
        close(fd);
        snprintf(errbuf, errcap, "vault key %s is readable by other users; run chmod 600 %s",
                 path, path);
        return -1;
    }
    ssize_t got = read(fd, buf, cap - 1);
    close(fd);
    if (got <= 0) {
        snprintf(errbuf, errcap, "vault key %s is empty or unreadable", path);
        return -1;
    }
    buf[got] = '\0';
    return 0;
}

static int install(const struct vault_key *k, size_t n)
{
    pvs_vault_unload();
    keys = sodium_malloc(VAULT_MAX_KEYS * sizeof *keys);
    if (!keys)
        return -1;
    memcpy(keys, k, n * sizeof *k);
    nkeys = n;
    return 0;
}

int pvs_vault_load(const char *path, bool create, char *errbuf, size_t errcap)
{
    if (sodium_init() < 0)
        return -1;
    struct vault_key k[1];
    if (create && access(path, F_OK) != 0 && errno == ENOENT) {
        k[0].id = 1;
        crypto_aead_xchacha20poly1305_ietf_keygen(k[0].key);
        int rc = write_file(path, k, 1, errbuf, errcap);
        if (rc == 0)
            rc = install(k, 1);
        sodium_memzero(k, sizeof k);
        return rc;
    }
    char buf[VAULT_FILE_MAX];
    if (read_file(path, buf, sizeof buf, errbuf, errcap) != 0)
        return -1;
    int rc = pvs_vault_load_text(buf, strlen(buf), errbuf, errcap);
    sodium_memzero(buf, sizeof buf);
    if (rc != 0 && strncmp(errbuf, "malformed", 9) == 0)
        snprintf(errbuf, errcap, "vault key %s is malformed (needs lines \"key = <id> <64 hex"
                 " digits>\")", path);
    return rc;
}

int pvs_vault_load_text(const char *text, size_t len, char *errbuf, size_t errcap)
{
    struct vault_key k[VAULT_MAX_KEYS];
    size_t n = 0;
    char buf[VAULT_FILE_MAX];
    if (sodium_init() < 0 || len >= sizeof buf || memchr(text, '\0', len)) {
        snprintf(errbuf, errcap, "malformed: too long or not text");
        return -1;
    }
    memcpy(buf, text, len);
    buf[len] = '\0';
    int rc = parse_file(buf, k, &n);
    sodium_memzero(buf, sizeof buf);
    if (rc != 0)
        snprintf(errbuf, errcap, "malformed");
    else if (install(k, n) != 0)
        rc = -1, snprintf(errbuf, errcap, "out of memory for the vault key");
    sodium_memzero(k, sizeof k);
    return rc;
}

int pvs_vault_rotate_file(const char *path, char *errbuf, size_t errcap)
{
    if (!nkeys || nkeys == VAULT_MAX_KEYS) {
        snprintf(errbuf, errcap, nkeys ? "vault key %s already holds %d keys; finish the last"
                 " rotation first" : "no vault key loaded from %s", path, VAULT_MAX_KEYS);
        return -1;
    }
    struct vault_key k[VAULT_MAX_KEYS];
    uint32_t max = 0;
    for (size_t i = 0; i < nkeys; i++)
        max = keys[i].id > max ? keys[i].id : max;
    k[0].id = max + 1;
    crypto_aead_xchacha20poly1305_ietf_keygen(k[0].key);
    memcpy(k + 1, keys, nkeys * sizeof *k);
    size_t n = nkeys + 1;
    int rc = write_file(path, k, n, errbuf, errcap);
    if (rc == 0)
        rc = install(k, n);
    sodium_memzero(k, sizeof k);
    return rc;
}

int pvs_vault_drop_old(const char *path, char *errbuf, size_t errcap)
{
    if (!nkeys)
        return -1;
    nkeys = 1;
    return write_file(path, keys, 1, errbuf, errcap);
}

bool pvs_vault_is_sealed(const uint8_t *in, size_t len)
{
    return in && len >= PVS_VAULT_OVERHEAD && memcmp(in, magic, 4) == 0;
}

int pvs_vault_seal(const char *ctx, const uint8_t *in, size_t len, uint8_t *out, size_t cap,
                   size_t *outlen)
{
    if (!nkeys || cap < len + PVS_VAULT_OVERHEAD || len > 1u << 20)
        return -1;
    memcpy(out, magic, 4);
    for (int i = 0; i < 4; i++)
        out[4 + i] = (uint8_t)(keys[0].id >> (8 * i));
    randombytes_buf(out + 8, NONCE_LEN);
    unsigned long long clen = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(out + 8 + NONCE_LEN, &clen, in, len,
                                               (const uint8_t *)ctx, strlen(ctx), NULL, out + 8,
                                               keys[0].key);
    *outlen = 8 + NONCE_LEN + (size_t)clen;
    return 0;
}

int pvs_vault_open(const char *ctx, const uint8_t *in, size_t len, uint8_t *out, size_t cap,
                   size_t *outlen)
{
    if (!pvs_vault_is_sealed(in, len) || cap < len - PVS_VAULT_OVERHEAD)
        return -1;
    uint32_t id = (uint32_t)in[4] | (uint32_t)in[5] << 8 | (uint32_t)in[6] << 16 |
                  (uint32_t)in[7] << 24;
    for (size_t i = 0; i < nkeys; i++) {
        if (keys[i].id != id)
            continue;
        unsigned long long mlen = 0;
        if (crypto_aead_xchacha20poly1305_ietf_decrypt(out, &mlen, NULL, in + 8 + NONCE_LEN,
                                                       len - 8 - NONCE_LEN, (const uint8_t *)ctx,
                                                       strlen(ctx), in + 8, keys[i].key) != 0)
            return -1;
        *outlen = (size_t)mlen;
        return 0;
    }
    return -1;
}

int pvs_vault_read(const char *ctx, const uint8_t *in, size_t len, uint8_t *out, size_t cap,
                   size_t *outlen)
{
    if (pvs_vault_is_sealed(in, len))
        return pvs_vault_open(ctx, in, len, out, cap, outlen);
    if (len > cap)
        return -1;
    memcpy(out, in, len);
    *outlen = len;
    return 0;
}

void pvs_vault_ctx_totp(int64_t user_id, char out[48])
{
    snprintf(out, 48, "totp:user=%lld", (long long)user_id);
}

void pvs_vault_ctx_staff_totp(int64_t staff_id, char out[48])
{
    snprintf(out, 48, "staff-totp:staff=%lld", (long long)staff_id);
}

void pvs_vault_ctx_phone(int64_t bearer_id, char out[48])
{
    snprintf(out, 48, "phone-secret:bearer=%lld", (long long)bearer_id);
}
