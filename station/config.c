/* Settings of portvakt-station from a config file and flags, with errors for people. */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "portvakt/conf.h"

typedef struct opt {
    const char *name;
    size_t off; /* offset of a char[256] field, or SIZE_MAX for numbers */
} opt;

static const opt opts[] = {
    {"server", offsetof(pvst_config, server)},
    {"fallback", offsetof(pvst_config, fallback)},
    {"ca-cert", offsetof(pvst_config, ca_cert)},
    {"station-key", offsetof(pvst_config, station_key)},
    {"queue-dir", offsetof(pvst_config, queue_dir)},
    {"key-socket", offsetof(pvst_config, key_socket)},
    {"clock-file", offsetof(pvst_config, clock_file)},
    {"station-id", SIZE_MAX},
    {"timeout-ms", SIZE_MAX},
};

static int set_opt(pvst_config *c, const char *name, const char *val, char *err, size_t cap)
{
    for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++) {
        if (strcmp(opts[i].name, name) != 0)
            continue;
        if (opts[i].off != SIZE_MAX) {
            if (strlen(val) >= 256) {
                snprintf(err, cap, "%s: value is too long (255 characters at most)", name);
                return -1;
            }
            snprintf((char *)c + opts[i].off, 256, "%s", val);
            return 0;
        }
        char *end;
        errno = 0;
        unsigned long long v = strtoull(val, &end, 10);
        if (errno || *end || end == val || v == 0 || v > UINT32_MAX) {
            snprintf(err, cap, "%s: expected a positive number, got \"%s\"", name, val);
            return -1;
        }
        if (strcmp(name, "station-id") == 0)
            c->station_id = (uint32_t)v;
        else
            c->timeout_ms = (long)v;
        return 0;
    }
    snprintf(err, cap, "unknown setting \"%s\" (see docs/station.md)", name);
    return -1;
}

static int set_from_file(void *ctx, const char *key, const char *value, char *why,
                         size_t whycap)
{
    return set_opt(ctx, key, value, why, whycap);
}

int pvst_config_load(pvst_config *c, int argc, char **argv, char *err, size_t cap)
{
    memset(c, 0, sizeof *c);
    c->timeout_ms = 10000;
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], "--config") == 0 &&
            pv_conf_load(argv[i + 1], set_from_file, c, err, cap) != 0)
            return -1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-v") == 0 || strcmp(argv[i], "--verbose") == 0) {
            c->verbose = 1;
            continue;
        }
        if (strncmp(argv[i], "--", 2) != 0 || i + 1 >= argc) {
            snprintf(err, cap, "unexpected argument \"%s\" (flags are --name value)", argv[i]);
            return -1;
        }
        if (strcmp(argv[i], "--config") != 0 && set_opt(c, argv[i] + 2, argv[i + 1], err, cap))
            return -1;
        i++;
    }
    const char *missing = !c->server[0]        ? "--server"
                          : !c->station_id     ? "--station-id"
                          : !c->station_key[0] ? "--station-key"
                          : !c->queue_dir[0]   ? "--queue-dir"
                          : !c->key_socket[0]  ? "--key-socket"
                                               : NULL;
    if (missing) {
        snprintf(err, cap, "missing setting %s (see portvakt-station --help)", missing);
        return -1;
    }
    return 0;
}

int pvst_load_station_key(const char *path, uint8_t sk[64], char *err, size_t cap)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, cap, "cannot read station key %s: %s", path, strerror(errno));
        return -1;
    }
    char hex[80] = {0};
    size_t n = fread(hex, 1, sizeof hex - 1, f);
    fclose(f);
    while (n && (hex[n - 1] == '\n' || hex[n - 1] == '\r'))
        hex[--n] = 0;
    uint8_t seed[32], pk[32];
    size_t got = 0;
    int rc = -1;
    if (n == 64 && sodium_hex2bin(seed, 32, hex, 64, NULL, &got, NULL) == 0 && got == 32)
        rc = crypto_sign_seed_keypair(pk, sk, seed) == 0 ? 0 : -1;
    if (rc != 0)
        snprintf(err, cap, "station key %s must hold 64 hex characters (make one with "
                           "`portvakt-station keygen --out FILE`)", path);
    sodium_memzero(seed, sizeof seed);
    sodium_memzero(hex, sizeof hex);
    return rc;
}
