/* `portvakt issuer-create` and `portvakt revoke`: the offline issuer's key and its
 * signed revocation list. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "cli.h"

int cmd_issuer_create(int argc, char **argv)
{
    cli_opt o[] = {{"--dir", 1, NULL, 0}, {"--issuer-id", 1, NULL, 0}};
    if (cli_parse(argc, argv, 2, o, 2) != 0)
        return 2;
    const char *dir = cli_value(o, 2, "--dir");
    uint32_t id = 1;
    if (!dir) {
        fprintf(stderr, "portvakt: issuer-create needs --dir DIR\n");
        return 2;
    }
    if (cli_value(o, 2, "--issuer-id") &&
        cli_u32(cli_value(o, 2, "--issuer-id"), "--issuer-id", 1, UINT32_MAX, &id) != 0)
        return 2;
    if (sd_mkdirs(dir) != 0)
        return 1;
    if (sd_exists(dir, "issuer.sk")) {
        fprintf(stderr, "portvakt: %s already has an issuer; refusing to overwrite its key\n",
                dir);
        return 1;
    }
    cli_issuer is = {.issuer_id = id};
    crypto_sign_keypair(is.pk, is.sk);
    char idtext[16];
    int n = snprintf(idtext, sizeof idtext, "%" PRIu32 "\n", id);
    int rc = sd_write(dir, "issuer.sk", is.sk, sizeof is.sk, 1) != 0 ||
             sd_write(dir, "issuer.id", idtext, (size_t)n, 0) != 0 ||
             sd_write(dir, "issuer.pk", is.pk, sizeof is.pk, 0) != 0;
    sodium_memzero(is.sk, sizeof is.sk);
    if (rc)
        return 1;
    char hex[2 * PV_PK_SIZE + 1];
    cli_hex(is.pk, sizeof is.pk, hex);
    printf("issuer %" PRIu32 " created in %s\npublic key %s\n", id, dir, hex);
    return 0;
}

int cmd_revoke(int argc, char **argv)
{
    cli_opt o[] = {{"--dir", 1, NULL, 0}, {"--bearer-id", 1, NULL, 0}};
    if (cli_parse(argc, argv, 2, o, 2) != 0)
        return 2;
    const char *dir;
    uint32_t b;
    if (cli_dir_id(o, 2, "--bearer-id", "revoke needs --dir DIR --bearer-id N", &dir, &b) != 0)
        return 2;
    cli_issuer is;
    if (sd_issuer_load(dir, &is) != 0)
        return 1;
    uint64_t version;
    int rc = sd_revoke(dir, &is, b, cli_now(), &version);
    sodium_memzero(is.sk, sizeof is.sk);
    if (rc != 0)
        return 1;
    printf("bearer %" PRIu32 " revoked: revocation list version %" PRIu64 " signed.\n"
           "Every key issued a credential from now on carries it to the locks it visits.\n",
           b, version);
    return 0;
}
