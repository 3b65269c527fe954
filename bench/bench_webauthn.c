/* webauthn.verify_us: the server's whole check of one security-key sign-in (client data, RP ID,
 * flags, ES256 signature through libfido2, counter), with the reference measured in the same
 * run: one raw ECDSA P-256 verify of the same bytes with OpenSSL. The assertions are made
 * beforehand by the software authenticator, so only verification is timed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <fido.h>
#include <sodium.h>

#include "pvs/webauthn.h"
#include "wa_soft.h"

#define N 2000
#define ORIGIN "https://portvakt.test"

struct sample {
    uint8_t ch[32], ad[37], sig[80], msg[37 + 32];
    size_t sig_len, cdj_len;
    char cdj[300];
};

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

int main(void)
{
    struct pvs_webauthn_cfg cfg;
    struct wa_soft k;
    struct pvs_wa_cred c;
    uint8_t ch[32] = {1}, att[1024];
    char cdj[300];
    if (sodium_init() < 0 || wa_soft_init(&k) != 0)
        return 1;
    fido_init(0);
    pvs_webauthn_cfg_defaults(&cfg);
    if (pvs_webauthn_cfg_set(&cfg, "rp-id", "portvakt.test") || pvs_webauthn_cfg_set(&cfg, "origin", ORIGIN))
        return 1;
    size_t cl = wa_soft_client_data(cdj, sizeof cdj, "webauthn.create", ch, ORIGIN, false);
    size_t al = wa_soft_attest(&k, "none", "portvakt.test", 0x41, cdj, att, sizeof att);
    if (pvs_wa_verify_registration(&cfg, ch, (uint8_t *)cdj, cl, att, al, false, &c) != PVS_WA_OK)
        return 1;
    struct sample *s = calloc(N, sizeof *s);
    for (int i = 0; s && i < N; i++) {
        randombytes_buf(s[i].ch, 32);
        s[i].cdj_len = wa_soft_client_data(s[i].cdj, sizeof s[i].cdj, "webauthn.get", s[i].ch, ORIGIN, false);
        s[i].sig_len = sizeof s[i].sig;
        if (wa_soft_assert(&k, "portvakt.test", 0x01, (uint32_t)i + 1, s[i].cdj, s[i].ad, s[i].sig, &s[i].sig_len))
            return 1;
        memcpy(s[i].msg, s[i].ad, 37);
        crypto_hash_sha256(s[i].msg + 37, (uint8_t *)s[i].cdj, s[i].cdj_len);
    }
    if (!s)
        return 1;
    int bad = 0;
    double t0 = now_us();
    for (int i = 0; i < N; i++) {
        uint32_t seen = 0;
        bad += pvs_wa_verify_assertion(&cfg, s[i].ch, (uint8_t *)s[i].cdj, s[i].cdj_len, s[i].ad, 37,
                                       s[i].sig, s[i].sig_len, c.pk, c.pk_len, c.alg, (uint32_t)i,
                                       false, &seen) != PVS_WA_OK;
    }
    double t1 = now_us();
    for (int i = 0; i < N; i++)
        bad += wa_soft_raw_verify(&k, s[i].msg, sizeof s[i].msg, s[i].sig, s[i].sig_len) != 0;
    double t2 = now_us();
    double v = (t1 - t0) / N, ref = (t2 - t1) / N;
    printf("{\"name\":\"webauthn.verify_us\",\"value\":%.1f,\"unit\":\"us\",\"reference\":%.1f,"
           "\"reference_name\":\"one ECDSA P-256 verify (OpenSSL)\",\"ratio\":%.2f,\"n\":%d,\"failed\":%d}\n",
           v, ref, v / ref, N, bad);
    free(s);
    wa_soft_free(&k);
    return bad ? 1 : 0;
}
