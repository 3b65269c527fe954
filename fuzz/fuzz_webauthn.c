/* Fuzzes the security-key decoders (server/authz/webauthn_verify.c): the input as a WebAuthn
 * attestation object (CBOR, libcbor + libfido2) and as clientDataJSON of a sign-in. Every input
 * is refused or accepted with a credential whose sizes fit, never a crash. */
#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "pvs/webauthn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* the challenge is 32 zero bytes */
static const char cdj[] = "{\"type\":\"webauthn.create\",\"challenge\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\","
                          "\"origin\":\"https://portvakt.test\"}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct pvs_webauthn_cfg cfg;
    static int ready;
    if (!ready) {
        if (sodium_init() < 0)
            __builtin_trap();
        pvs_webauthn_cfg_defaults(&cfg);
        if (pvs_webauthn_cfg_set(&cfg, "rp-id", "portvakt.test") ||
            pvs_webauthn_cfg_set(&cfg, "origin", "https://portvakt.test"))
            __builtin_trap();
        ready = 1;
    }
    uint8_t ch[PVS_WA_CHALLENGE_LEN] = {0}, ad[37] = {0}, sig[72] = {0x30}, pk[64] = {0};
    struct pvs_wa_cred c;
    enum pvs_wa_rc rc = pvs_wa_verify_registration(&cfg, ch, (const uint8_t *)cdj, sizeof cdj - 1,
                                                   data, size, false, &c);
    if (rc == PVS_WA_OK && (c.id_len == 0 || c.id_len > sizeof c.id || c.pk_len == 0 ||
                            c.pk_len > sizeof c.pk))
        __builtin_trap();
    uint32_t seen = 0;
    crypto_hash_sha256(ad, (const uint8_t *)"portvakt.test", 13);
    ad[32] = 0x01;
    if (pvs_wa_verify_assertion(&cfg, ch, data, size, ad, sizeof ad, sig, sizeof sig, pk, sizeof pk,
                                -7, 0, false, &seen) == PVS_WA_OK)
        __builtin_trap(); /* no signature over zeros verifies under the zero key */
    return 0;
}
