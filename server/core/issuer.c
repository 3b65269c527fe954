/* The issuer key file: issuer id, key id and the Ed25519 secret key, mode 0600, written
 * atomically; loading refuses files others can read and keys whose halves disagree. */
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

#define KEYFILE_MAX 4096
#define ISSUER_CTX "issuer-key"
#define SEALED_SK_LEN (64 + PVS_VAULT_OVERHEAD)

/* The sealed secret key: opened by the vault; *key_id receives the vault key that sealed it. */
static int parse_sealed(struct pvs_issuer *k, const char *val, uint32_t *key_id)
{
    uint8_t sealed[SEALED_SK_LEN];
    size_t got = 0, len = 0;
    if (strlen(val) != 2 * SEALED_SK_LEN ||
        sodium_hex2bin(sealed, sizeof sealed, val, strlen(val), NULL, &got, NULL) != 0 ||
        got != SEALED_SK_LEN || pvs_vault_open(ISSUER_CTX, sealed, got, k->sk, 64, &len) != 0 ||
        len != 64)
        return -1;
    *key_id = (uint32_t)sealed[4] | (uint32_t)sealed[5] << 8 | (uint32_t)sealed[6] << 16 |
              (uint32_t)sealed[7] << 24;
    return 0;
}

static int parse_line(struct pvs_issuer *k, char *line, unsigned *seen, uint32_t *sealed_by)
{
    char *eq = strchr(line, '=');
    if (!eq)
        return -1;
    *eq = '\0';
    char *key = line, *val = eq + 1;
    while (*key == ' ')
        key++;
    for (char *e = key + strlen(key); e > key && e[-1] == ' ';)
        *--e = '\0';
    while (*val == ' ')
        val++;
    for (char *e = val + strlen(val); e > val && (e[-1] == ' ' || e[-1] == '\r');)
        *--e = '\0';
    char *end = NULL;
    if (strcmp(key, "issuer_id") == 0 || strcmp(key, "key_id") == 0) {
        unsigned long v = strtoul(val, &end, 10);
        if (!*val || *end || v == 0 || v > UINT32_MAX)
            return -1;
        if (key[0] == 'i')
            k->issuer_id = (uint32_t)v, *seen |= 1;
        else
            k->key_id = (uint32_t)v, *seen |= 2;
        return 0;
    }
    if (strcmp(key, "secret_key") == 0) {
        size_t got = 0;
        if (strlen(val) != 128 || sodium_hex2bin(k->sk, 64, val, 128, NULL, &got, NULL) != 0 ||
            got != 64)
            return -1;
        *seen |= 4;
        return 0;
    }
    if (strcmp(key, "sealed_secret_key") == 0 && parse_sealed(k, val, sealed_by) == 0) {
        *seen |= 4;
        return 0;
    }
    return -1;
}

static int load_file(const char *path, struct pvs_issuer *out, uint32_t *sealed_by,
                     char *errbuf, size_t errcap)
{
    *sealed_by = 0;
    memset(out, 0, sizeof *out);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        snprintf(errbuf, errcap, "cannot open issuer key %s: %s (create one with"
                 " `portvakt-server init`)", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    if (st.st_mode & 077) {
        close(fd);
        snprintf(errbuf, errcap, "issuer key %s is readable by other users; run chmod 600 %s",
                 path, path);
        return -1;
    }
    char buf[KEYFILE_MAX + 1];
    ssize_t n = read(fd, buf, KEYFILE_MAX);
    close(fd);
    if (n <= 0) {
        snprintf(errbuf, errcap, "issuer key %s is empty or unreadable", path);
        return -1;
    }
    buf[n] = '\0';
    unsigned seen = 0;
    int rc = 0;
    for (char *save = NULL, *line = strtok_r(buf, "\n", &save); line && rc == 0;
         line = strtok_r(NULL, "\n", &save))
        if (line[0] != '#' && line[0] != '\0')
            rc = parse_line(out, line, &seen, sealed_by);
    sodium_memzero(buf, sizeof buf);
    uint8_t pk_check[32];
    if (rc != 0 || seen != 7 || crypto_sign_ed25519_sk_to_pk(pk_check, out->sk) != 0 ||
        sodium_memcmp(pk_check, out->sk + 32, 32) != 0) {
        sodium_memzero(out, sizeof *out);
        snprintf(errbuf, errcap, "issuer key %s is malformed or sealed under another vault key"
                 " (needs issuer_id, key_id, and secret_key or a sealed_secret_key this server's"
                 " vault key opens)", path);
        return -1;
    }
    memcpy(out->pk, pk_check, 32);
    return 0;
}

int pvs_issuer_load(const char *path, struct pvs_issuer *out, char *errbuf, size_t errcap)
{
    uint32_t sealed_by = 0;
    return load_file(path, out, &sealed_by, errbuf, errcap);
}

int pvs_issuer_load_sealing(const char *path, struct pvs_issuer *out, bool *rewritten,
                            char *errbuf, size_t errcap)
{
    uint32_t sealed_by = 0;
    *rewritten = false;
    if (load_file(path, out, &sealed_by, errbuf, errcap) != 0)
        return -1;
    if (!pvs_vault_ready() || sealed_by == pvs_vault_key_id())
        return 0;
    *rewritten = true;
    return pvs_issuer_save(path, out, errbuf, errcap);
}

/* The secret key line: sealed under the vault when one is loaded. */
static int secret_line(const struct pvs_issuer *k, char *out, size_t cap)
{
    if (!pvs_vault_ready()) {
        char hex[129];
        sodium_bin2hex(hex, sizeof hex, k->sk, 64);
        snprintf(out, cap, "secret_key = %s\n", hex);
        sodium_memzero(hex, sizeof hex);
        return 0;
    }
    uint8_t sealed[SEALED_SK_LEN];
    char hex[2 * SEALED_SK_LEN + 1];
    size_t len = 0;
    if (pvs_vault_seal(ISSUER_CTX, k->sk, 64, sealed, sizeof sealed, &len) != 0)
        return -1;
    sodium_bin2hex(hex, sizeof hex, sealed, len);
    snprintf(out, cap, "sealed_secret_key = %s\n", hex);
    return 0;
}

int pvs_issuer_save(const char *path, const struct pvs_issuer *k, char *errbuf, size_t errcap)
{
    char hex[2 * SEALED_SK_LEN + 40], text[600];
    if (secret_line(k, hex, sizeof hex) != 0) {
        snprintf(errbuf, errcap, "the vault cannot seal the issuer key");
        return -1;
    }
    int len = snprintf(text, sizeof text,
                       "# Portvakt issuer signing key. Secret: keep mode 0600, back it up offline.\n"
                       "# sealed_secret_key opens only with the vault key (docs/privacy.md).\n"
                       "issuer_id = %u\nkey_id = %u\n%s",
                       k->issuer_id, k->key_id, hex);
    sodium_memzero(hex, sizeof hex);
    int rc = pvs_secret_file_write(path, text, (size_t)len, "issuer key", errbuf, errcap);
    sodium_memzero(text, sizeof text);
    return rc;
}
