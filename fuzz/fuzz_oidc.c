/* Fuzzes the single sign-on decoders (server/authz/oidc_verify.c): the input as a JWKS document
 * and as an ID token checked against a fixed key set. Every input is refused or accepted without
 * a crash, and no unsigned input is ever accepted. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "pvs/oidc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A published P-256 key (its private half is nowhere: nothing can be signed for it). */
static const char jwks[] =
    "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"k1\","
    "\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\",\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}]}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct pvs_oidc_cfg cfg;
    static struct pvs_oidc_keys keys;
    static int ready;
    if (!ready) {
        if (sodium_init() < 0)
            __builtin_trap();
        pvs_oidc_cfg_defaults(&cfg);
        if (pvs_oidc_cfg_set(&cfg, "issuer", "https://login.stad.test") ||
            pvs_oidc_cfg_set(&cfg, "client-id", "portvakt") || pvs_oidc_cfg_set(&cfg, "map", "g=auditor") ||
            pvs_oidc_keys_parse(jwks, sizeof jwks - 1, &keys) != 0 || keys.n != 1)
            __builtin_trap();
        ready = 1;
    }
    struct pvs_oidc_keys k;
    if (pvs_oidc_keys_parse((const char *)data, size, &k) == 0) {
        if (k.n < 0 || k.n > 16)
            __builtin_trap();
        pvs_oidc_keys_free(&k);
    }
    char *jwt = malloc(size + 1);
    if (!jwt)
        return 0;
    memcpy(jwt, data, size);
    jwt[size] = '\0';
    struct pvs_oidc_claims c;
    if (pvs_oidc_check(&cfg, &keys, jwt, "n", 1800000000, &c) == PVS_OIDC_OK)
        __builtin_trap(); /* nobody holds the private key */
    free(jwt);
    return 0;
}
