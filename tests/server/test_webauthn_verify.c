/* The WebAuthn checks (server/authz/webauthn_verify.c) against a software authenticator:
 * registration with "none" and "packed" self attestation, the AAGUID policy, sign-in, and a
 * refusal for each way an answer can be wrong (origin, RP ID, challenge, type, presence,
 * signature, counter going backwards, malformed CBOR). No server. */
#include <stdio.h>
#include <string.h>

#include <fido.h>
#include <sodium.h>

#include "pvs/http.h"
#include "pvs/webauthn.h"
#include "pvt.h"
#include "wa_soft.h"

#define RP "portvakt.test"
#define ORIGIN "https://portvakt.test"
#define UP 0x01
#define UV 0x04
#define AT 0x40

static struct pvs_webauthn_cfg cfg;

static enum pvs_wa_rc reg(struct wa_soft *k, const char *fmt, const char *rp, const char *origin,
                          uint8_t flags, struct pvs_wa_cred *out)
{
    uint8_t ch[32], att[1024];
    char cdj[300];
    randombytes_buf(ch, sizeof ch);
    size_t cl = wa_soft_client_data(cdj, sizeof cdj, "webauthn.create", ch, origin, false);
    size_t al = wa_soft_attest(k, fmt, rp, flags, cdj, att, sizeof att);
    return pvs_wa_verify_registration(&cfg, ch, (uint8_t *)cdj, cl, att, al, false, out);
}

/* One sign-in; `how` bends one thing: 0 none, 1 origin, 2 rp, 3 challenge, 4 type, 5 sig,
 * 6 cross-origin. */
static enum pvs_wa_rc sign_in(struct wa_soft *k, const struct pvs_wa_cred *c, uint32_t stored,
                              uint32_t counter, uint8_t flags, bool need_uv, int how, uint32_t *seen)
{
    uint8_t ch[32], other[32], ad[37], sig[80];
    size_t sl = sizeof sig;
    char cdj[300];
    randombytes_buf(ch, sizeof ch);
    randombytes_buf(other, sizeof other);
    size_t cl = wa_soft_client_data(cdj, sizeof cdj, how == 4 ? "webauthn.create" : "webauthn.get",
                                    how == 3 ? other : ch, how == 1 ? "https://evil.test" : ORIGIN,
                                    how == 6);
    if (wa_soft_assert(k, how == 2 ? "evil.test" : RP, flags, counter, cdj, ad, sig, &sl) != 0)
        return PVS_WA_MALFORMED;
    if (how == 5)
        sig[sl / 2] ^= 1;
    return pvs_wa_verify_assertion(&cfg, ch, (uint8_t *)cdj, cl, ad, sizeof ad, sig, sl, c->pk,
                                   c->pk_len, c->alg, stored, need_uv, seen);
}

static void test_registration(struct wa_soft *k)
{
    struct pvs_wa_cred c;
    CHECK(reg(k, "none", RP, ORIGIN, UP | AT, &c) == PVS_WA_OK, "none attestation accepted under 'any'");
    CHECK(c.alg == COSE_ES256 && c.id_len == 32 && memcmp(c.id, k->cred_id, 32) == 0,
          "credential id and ES256 key taken from authData");
    CHECK(reg(k, "packed", RP, ORIGIN, UP | AT, &c) == PVS_WA_OK, "packed self attestation verified");
    CHECK(reg(k, "packed", "evil.test", ORIGIN, UP | AT, &c) == PVS_WA_WRONG_RP, "registration for another RP ID refused");
    CHECK(reg(k, "none", RP, "https://evil.test", UP | AT, &c) == PVS_WA_WRONG_ORIGIN, "registration from another origin refused");
    CHECK(reg(k, "none", RP, ORIGIN, AT, &c) == PVS_WA_NO_PRESENCE, "registration without a touch refused");
    CHECK(reg(k, "tpm-ish", RP, ORIGIN, UP | AT, &c) == PVS_WA_UNSUPPORTED, "unknown attestation format refused");
    /* policy: listed AAGUIDs need a maker's certificate; self and none attestation are refused */
    CHECK(pvs_webauthn_cfg_set(&cfg, "attestation", "42424242-4242-4242-4242-424242424242") == 0, "aaguid list parsed");
    CHECK(reg(k, "packed", RP, ORIGIN, UP | AT, &c) == PVS_WA_ATTESTATION, "self attestation refused by an AAGUID list");
    CHECK(reg(k, "none", RP, ORIGIN, UP | AT, &c) == PVS_WA_ATTESTATION, "none attestation refused by an AAGUID list");
    CHECK(pvs_webauthn_cfg_set(&cfg, "attestation", "any") == 0, "back to any");
    CHECK(pvs_webauthn_cfg_set(&cfg, "attestation", "not-a-uuid") == -1, "bad AAGUID refused");
}

static void test_sign_in(struct wa_soft *k)
{
    struct pvs_wa_cred c;
    uint32_t seen = 0;
    CHECK(reg(k, "none", RP, ORIGIN, UP | AT, &c) == PVS_WA_OK, "registered");
    CHECK(sign_in(k, &c, 0, 1, UP, false, 0, &seen) == PVS_WA_OK && seen == 1, "sign-in accepted, counter 1");
    CHECK(sign_in(k, &c, 1, 1, UP, false, 0, &seen) == PVS_WA_COUNTER, "same counter again: clone refused");
    CHECK(sign_in(k, &c, 5, 2, UP, false, 0, &seen) == PVS_WA_COUNTER && seen == 2, "counter backwards: clone refused");
    CHECK(sign_in(k, &c, 0, 0, UP, false, 0, &seen) == PVS_WA_OK, "a key without a counter (0 and 0) accepted");
    CHECK(sign_in(k, &c, 1, 2, UP, false, 1, &seen) == PVS_WA_WRONG_ORIGIN, "wrong origin refused");
    CHECK(sign_in(k, &c, 1, 2, UP, false, 6, &seen) == PVS_WA_WRONG_ORIGIN, "cross-origin refused");
    CHECK(sign_in(k, &c, 1, 2, UP, false, 2, &seen) == PVS_WA_WRONG_RP, "wrong RP ID refused");
    CHECK(sign_in(k, &c, 1, 2, UP, false, 3, &seen) == PVS_WA_WRONG_CHALLENGE, "other challenge refused");
    CHECK(sign_in(k, &c, 1, 2, UP, false, 4, &seen) == PVS_WA_WRONG_TYPE, "create answer used as get refused");
    CHECK(sign_in(k, &c, 1, 2, UP, false, 5, &seen) == PVS_WA_BAD_SIGNATURE, "altered signature refused");
    CHECK(sign_in(k, &c, 1, 2, 0, false, 0, &seen) == PVS_WA_NO_PRESENCE, "no touch refused");
    CHECK(sign_in(k, &c, 1, 2, UP, true, 0, &seen) == PVS_WA_NO_PRESENCE, "passwordless without verification refused");
    CHECK(sign_in(k, &c, 1, 2, UP | UV, true, 0, &seen) == PVS_WA_OK, "passwordless with verification accepted");
    struct wa_soft other;
    CHECK(wa_soft_init(&other) == 0, "second key");
    CHECK(sign_in(&other, &c, 1, 2, UP, false, 0, &seen) == PVS_WA_BAD_SIGNATURE, "another key's signature refused");
    wa_soft_free(&other);
}

static void test_malformed(struct wa_soft *k)
{
    uint8_t ch[32] = {0}, att[1024];
    char cdj[300];
    struct pvs_wa_cred c;
    size_t cl = wa_soft_client_data(cdj, sizeof cdj, "webauthn.create", ch, ORIGIN, false);
    size_t al = wa_soft_attest(k, "none", RP, UP | AT, cdj, att, sizeof att);
    for (size_t cut = 0; cut < al; cut += 7) /* every truncation: a refusal, never a crash */
        CHECK(pvs_wa_verify_registration(&cfg, ch, (uint8_t *)cdj, cl, att, cut, false, &c) != PVS_WA_OK,
              "truncated attestation (%zu bytes) refused", cut);
    att[al] = 0;
    CHECK(pvs_wa_verify_registration(&cfg, ch, (uint8_t *)cdj, cl, att, al + 1, false, &c) == PVS_WA_MALFORMED,
          "trailing byte refused");
    CHECK(pvs_wa_verify_registration(&cfg, ch, (uint8_t *)"{}", 2, att, al, false, &c) == PVS_WA_MALFORMED,
          "empty client data refused");
    CHECK(pvs_wa_verify_registration(&cfg, ch, (uint8_t *)"[1", 2, att, al, false, &c) == PVS_WA_MALFORMED,
          "broken JSON refused");
    uint8_t b[8];
    CHECK(pvs_b64url_decode("AAAA====", b, sizeof b) == -1, "padded base64 refused");
    CHECK(pvs_b64url_decode("AAECAwQFBgcICQ", b, sizeof b) == -1, "too long for the buffer refused");
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    fido_init(0);
    pvs_webauthn_cfg_defaults(&cfg);
    CHECK(pvs_webauthn_cfg_set(&cfg, "rp-id", RP) == 0 && pvs_webauthn_cfg_set(&cfg, "origin", ORIGIN) == 0,
          "config");
    CHECK(pvs_webauthn_cfg_set(&cfg, "origin", "http://evil.test") == -1, "plain-http origin refused");
    CHECK(pvs_webauthn_cfg_set(&cfg, "origin", ORIGIN) == 0, "origin again");
    CHECK(pvs_webauthn_cfg_set(&cfg, "required-roles", "central_admin, installer") == 0 &&
              cfg.required_roles == (PVS_R_CENTRAL_ADMIN | PVS_R_INSTALLER), "required roles");
    CHECK(pvs_webauthn_cfg_set(&cfg, "required-roles", "janitor") == -1, "unknown role refused");
    struct wa_soft k;
    CHECK(wa_soft_init(&k) == 0, "soft authenticator");
    test_registration(&k);
    test_sign_in(&k);
    test_malformed(&k);
    wa_soft_free(&k);
    printf("test_webauthn_verify: %d failure(s)\n", pvt_failures);
    return pvt_failures ? 1 : 0;
}
