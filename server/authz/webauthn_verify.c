/* WebAuthn ceremony checks with libfido2: client data, the attestation object at
 * registration, the assertion at sign-in, the signature counter. No store, no HTTP. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cbor.h>
#include <fido.h>
#include <fido/eddsa.h>
#include <fido/es256.h>
#include <fido/rs256.h>
#include <jansson.h>
#include <sodium.h>

#include "pvs/webauthn.h"

#define FLAG_UP 0x01 /* user present (touched the key) */
#define FLAG_UV 0x04 /* user verified (PIN or biometric on the key) */
#define AUTHDATA_MIN 37 /* rpIdHash(32) + flags(1) + signCount(4) */

const char *pvs_wa_rc_name(enum pvs_wa_rc rc)
{
    static const char *const names[] = {
        "ok", "malformed", "wrong-type", "wrong-challenge", "wrong-origin", "wrong-rp-id",
        "no-presence", "bad-signature", "attestation-refused", "counter-regression",
        "unsupported",
    };
    return (unsigned)rc < sizeof names / sizeof names[0] ? names[rc] : "unknown";
}

int pvs_b64url_decode(const char *s, uint8_t *out, size_t cap)
{
    size_t len = 0;
    if (!s || sodium_base642bin(out, cap, s, strlen(s), NULL, &len, NULL,
                                sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
        return -1;
    return (int)len;
}

void pvs_b64url_encode(const uint8_t *in, size_t len, char *out, size_t cap)
{
    if (cap < sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_URLSAFE_NO_PADDING)) {
        if (cap)
            out[0] = '\0';
        return;
    }
    sodium_bin2base64(out, cap, in, len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static bool origin_allowed(const struct pvs_webauthn_cfg *cfg, const char *origin)
{
    for (int i = 0; i < cfg->norigins; i++)
        if (strcmp(cfg->origins[i], origin) == 0)
            return true;
    return false;
}

/* clientDataJSON: type, challenge (constant-time), origin, not cross-origin; its SHA-256. */
static enum pvs_wa_rc check_client_data(const struct pvs_webauthn_cfg *cfg, const char *type,
                                        const uint8_t challenge[PVS_WA_CHALLENGE_LEN],
                                        const uint8_t *cdj, size_t len, uint8_t cdh[32])
{
    if (!cdj || len == 0 || len > PVS_WA_MAX_CLIENT_DATA)
        return PVS_WA_MALFORMED;
    json_t *o = json_loadb((const char *)cdj, len, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(o)) {
        json_decref(o);
        return PVS_WA_MALFORMED;
    }
    const char *t = json_string_value(json_object_get(o, "type"));
    const char *ch = json_string_value(json_object_get(o, "challenge"));
    const char *origin = json_string_value(json_object_get(o, "origin"));
    json_t *cross = json_object_get(o, "crossOrigin");
    uint8_t got[PVS_WA_CHALLENGE_LEN + 1];
    enum pvs_wa_rc rc = PVS_WA_OK;
    if (!t || !ch || !origin || (cross && !json_is_boolean(cross)))
        rc = PVS_WA_MALFORMED;
    else if (strcmp(t, type) != 0)
        rc = PVS_WA_WRONG_TYPE;
    else if (pvs_b64url_decode(ch, got, sizeof got) != PVS_WA_CHALLENGE_LEN ||
             sodium_memcmp(got, challenge, PVS_WA_CHALLENGE_LEN) != 0)
        rc = PVS_WA_WRONG_CHALLENGE;
    else if (!origin_allowed(cfg, origin) || json_is_true(cross))
        rc = PVS_WA_WRONG_ORIGIN;
    json_decref(o);
    crypto_hash_sha256(cdh, cdj, len);
    return rc;
}

/* The RP ID hash and the flags at the front of authenticator data. */
static enum pvs_wa_rc check_authdata_head(const struct pvs_webauthn_cfg *cfg, const uint8_t *ad,
                                          size_t len, bool need_uv)
{
    uint8_t want[32];
    if (!ad || len < AUTHDATA_MIN)
        return PVS_WA_MALFORMED;
    crypto_hash_sha256(want, (const uint8_t *)cfg->rp_id, strlen(cfg->rp_id));
    if (sodium_memcmp(want, ad, 32) != 0)
        return PVS_WA_WRONG_RP;
    if (!(ad[32] & FLAG_UP) || (need_uv && !(ad[32] & FLAG_UV)))
        return PVS_WA_NO_PRESENCE;
    return PVS_WA_OK;
}

/* The three members of an attestation object; pointers into `root`. */
struct att_parts {
    char fmt[16];
    const uint8_t *authdata;
    size_t authdata_len;
    unsigned char *attstmt; /* re-encoded CBOR of attStmt (cbor_serialize_alloc) */
    size_t attstmt_len;
};

static bool key_is(const cbor_item_t *k, const char *name)
{
    return cbor_isa_string(k) && cbor_string_is_definite(k) &&
           cbor_string_length(k) == strlen(name) &&
           memcmp(cbor_string_handle(k), name, strlen(name)) == 0;
}

static bool take_part(const struct cbor_pair *p, struct att_parts *o)
{
    if (key_is(p->key, "fmt") && cbor_isa_string(p->value) && cbor_string_is_definite(p->value) &&
        cbor_string_length(p->value) < sizeof o->fmt && !o->fmt[0]) {
        memcpy(o->fmt, cbor_string_handle(p->value), cbor_string_length(p->value));
        return o->fmt[0] != '\0';
    }
    if (key_is(p->key, "authData") && cbor_isa_bytestring(p->value) &&
        cbor_bytestring_is_definite(p->value) && !o->authdata) {
        o->authdata = cbor_bytestring_handle(p->value);
        o->authdata_len = cbor_bytestring_length(p->value);
        return true;
    }
    if (key_is(p->key, "attStmt") && cbor_isa_map(p->value) && !o->attstmt) {
        size_t cap = 0;
        o->attstmt_len = cbor_serialize_alloc(p->value, &o->attstmt, &cap);
        return o->attstmt_len > 0;
    }
    return false;
}

/* Before libcbor builds the tree: libcbor 0.8 allocates what an array or map header declares,
 * so a 30-byte input claiming 3 billion items would ask for gigabytes. Walk the items with
 * libcbor's streaming decoder first and refuse any count larger than the bytes left. */
struct precheck {
    size_t left;
    bool bad;
};

static void pre_array(void *ctx, size_t n)
{
    struct precheck *p = ctx;
    p->bad |= n > p->left;
}

static void pre_map(void *ctx, size_t n)
{
    struct precheck *p = ctx;
    p->bad |= n > p->left / 2;
}

static bool counts_fit(const uint8_t *att, size_t len)
{
    struct cbor_callbacks cb = cbor_empty_callbacks;
    cb.array_start = pre_array;
    cb.map_start = pre_map;
    struct precheck p = {len, false};
    for (size_t off = 0; off < len && !p.bad;) {
        p.left = len - off;
        struct cbor_decoder_result r = cbor_stream_decode(att + off, len - off, &cb, &p);
        if (r.status != CBOR_DECODER_FINISHED || r.read == 0)
            return false;
        off += r.read;
    }
    return !p.bad;
}

/* The CBOR that libfido2 decodes inside authenticator data (the credential's COSE key and the
 * extensions) gets the same check: after the 37-byte head, and for a registration after the
 * AAGUID, the id length and the id. */
static bool tail_fits(const uint8_t *ad, size_t len, bool attested)
{
    size_t off = AUTHDATA_MIN;
    if (attested) {
        if (len < AUTHDATA_MIN + 18)
            return false;
        off += 18 + ((size_t)ad[AUTHDATA_MIN + 16] << 8 | ad[AUTHDATA_MIN + 17]);
    }
    return off <= len && (off == len || counts_fit(ad + off, len - off));
}

/* Decode {fmt, attStmt, authData}: exactly these three, definite lengths, nothing after. */
static enum pvs_wa_rc split_attestation(const uint8_t *att, size_t len, cbor_item_t **root,
                                        struct att_parts *o)
{
    struct cbor_load_result res;
    memset(o, 0, sizeof *o);
    if (!att || len == 0 || len > PVS_WA_MAX_ATTESTATION || !counts_fit(att, len))
        return PVS_WA_MALFORMED;
    *root = cbor_load(att, len, &res);
    if (!*root || res.error.code != CBOR_ERR_NONE || res.read != len || !cbor_isa_map(*root) ||
        !cbor_map_is_definite(*root) || cbor_map_size(*root) != 3)
        return PVS_WA_MALFORMED;
    struct cbor_pair *pairs = cbor_map_handle(*root);
    for (size_t i = 0; i < 3; i++)
        if (!take_part(&pairs[i], o))
            return PVS_WA_MALFORMED;
    return o->fmt[0] && o->authdata && o->attstmt ? PVS_WA_OK : PVS_WA_MALFORMED;
}

/* The attested credential inside authData, with the first COSE type libfido2 accepts. */
static enum pvs_wa_rc load_cred(fido_cred_t *c, const struct att_parts *p,
                                const struct pvs_webauthn_cfg *cfg, const uint8_t cdh[32])
{
    static const int algs[] = {COSE_ES256, COSE_EDDSA, COSE_RS256};
    bool loaded = false;
    for (size_t i = 0; i < sizeof algs / sizeof algs[0] && !loaded; i++)
        loaded = fido_cred_set_type(c, algs[i]) == FIDO_OK &&
                 fido_cred_set_authdata_raw(c, p->authdata, p->authdata_len) == FIDO_OK;
    if (!loaded)
        return PVS_WA_UNSUPPORTED;
    if (fido_cred_set_clientdata_hash(c, cdh, 32) != FIDO_OK ||
        fido_cred_set_rp(c, cfg->rp_id, cfg->rp_name[0] ? cfg->rp_name : NULL) != FIDO_OK)
        return PVS_WA_MALFORMED;
    if (fido_cred_set_fmt(c, p->fmt) != FIDO_OK)
        return PVS_WA_UNSUPPORTED;
    if (strcmp(p->fmt, "none") != 0 && fido_cred_set_attstmt(c, p->attstmt, p->attstmt_len) != FIDO_OK)
        return PVS_WA_MALFORMED;
    return PVS_WA_OK;
}

/* The attestation signature: with a certificate (basic) or by the new key itself (self);
 * "none" carries nothing to verify and is accepted only by the "any" policy. */
static enum pvs_wa_rc check_attestation(const struct pvs_webauthn_cfg *cfg, fido_cred_t *c,
                                        const char *fmt)
{
    bool none = strcmp(fmt, "none") == 0;
    if (!none) {
        int v = fido_cred_x5c_len(c) > 0 ? fido_cred_verify(c) : fido_cred_verify_self(c);
        if (v != FIDO_OK)
            return v == FIDO_ERR_INVALID_SIG ? PVS_WA_BAD_SIGNATURE : PVS_WA_ATTESTATION;
    }
    if (cfg->naaguids == 0)
        return PVS_WA_OK;
    if (none || fido_cred_x5c_len(c) == 0 || fido_cred_aaguid_len(c) != 16)
        return PVS_WA_ATTESTATION; /* a listed model must show its maker's certificate */
    for (int i = 0; i < cfg->naaguids; i++)
        if (memcmp(cfg->aaguids[i], fido_cred_aaguid_ptr(c), 16) == 0)
            return PVS_WA_OK;
    return PVS_WA_ATTESTATION;
}

static enum pvs_wa_rc copy_cred(const fido_cred_t *c, const char *fmt, struct pvs_wa_cred *out)
{
    memset(out, 0, sizeof *out);
    size_t idl = fido_cred_id_len(c), pkl = fido_cred_pubkey_len(c);
    if (idl == 0 || idl > sizeof out->id || pkl == 0 || pkl > sizeof out->pk)
        return PVS_WA_MALFORMED;
    memcpy(out->id, fido_cred_id_ptr(c), idl);
    memcpy(out->pk, fido_cred_pubkey_ptr(c), pkl);
    out->id_len = idl;
    out->pk_len = pkl;
    out->alg = fido_cred_type(c);
    if (fido_cred_aaguid_len(c) == 16)
        memcpy(out->aaguid, fido_cred_aaguid_ptr(c), 16);
    out->sign_count = fido_cred_sigcount(c);
    snprintf(out->fmt, sizeof out->fmt, "%s", fmt);
    return PVS_WA_OK;
}

enum pvs_wa_rc pvs_wa_verify_registration(const struct pvs_webauthn_cfg *cfg,
                                          const uint8_t challenge[PVS_WA_CHALLENGE_LEN],
                                          const uint8_t *cdj, size_t cdj_len,
                                          const uint8_t *att, size_t att_len, bool need_uv,
                                          struct pvs_wa_cred *out)
{
    uint8_t cdh[32];
    cbor_item_t *root = NULL;
    struct att_parts p;
    fido_cred_t *c = NULL;
    enum pvs_wa_rc rc = check_client_data(cfg, "webauthn.create", challenge, cdj, cdj_len, cdh);
    if (rc == PVS_WA_OK)
        rc = split_attestation(att, att_len, &root, &p);
    else
        memset(&p, 0, sizeof p);
    if (rc == PVS_WA_OK)
        rc = check_authdata_head(cfg, p.authdata, p.authdata_len, need_uv);
    if (rc == PVS_WA_OK && !tail_fits(p.authdata, p.authdata_len, true))
        rc = PVS_WA_MALFORMED;
    if (rc == PVS_WA_OK && !(c = fido_cred_new()))
        rc = PVS_WA_MALFORMED;
    if (rc == PVS_WA_OK)
        rc = load_cred(c, &p, cfg, cdh);
    if (rc == PVS_WA_OK)
        rc = check_attestation(cfg, c, p.fmt);
    if (rc == PVS_WA_OK)
        rc = copy_cred(c, p.fmt, out);
    fido_cred_free(&c);
    free(p.attstmt);
    if (root)
        cbor_decref(&root);
    return rc;
}

/* libfido2 public key object of the stored raw key; NULL for an unknown algorithm. */
static void *load_pk(int alg, const uint8_t *pk, size_t len)
{
    void *k = NULL;
    int ok = -1;
    if (alg == COSE_ES256 && (k = es256_pk_new()))
        ok = es256_pk_from_ptr(k, pk, len);
    else if (alg == COSE_EDDSA && (k = eddsa_pk_new()))
        ok = eddsa_pk_from_ptr(k, pk, len);
    else if (alg == COSE_RS256 && (k = rs256_pk_new()))
        ok = rs256_pk_from_ptr(k, pk, len);
    if (ok == FIDO_OK)
        return k;
    if (alg == COSE_ES256)
        es256_pk_free((es256_pk_t **)&k);
    else if (alg == COSE_EDDSA)
        eddsa_pk_free((eddsa_pk_t **)&k);
    else if (alg == COSE_RS256)
        rs256_pk_free((rs256_pk_t **)&k);
    return NULL;
}

static void free_pk(int alg, void *k)
{
    if (alg == COSE_ES256)
        es256_pk_free((es256_pk_t **)&k);
    else if (alg == COSE_EDDSA)
        eddsa_pk_free((eddsa_pk_t **)&k);
    else if (alg == COSE_RS256)
        rs256_pk_free((rs256_pk_t **)&k);
}

static enum pvs_wa_rc assert_signature(const struct pvs_webauthn_cfg *cfg, const uint8_t cdh[32],
                                       const uint8_t *ad, size_t ad_len, const uint8_t *sig,
                                       size_t sig_len, const uint8_t *pk, size_t pk_len, int alg,
                                       uint32_t *count)
{
    if (!sig || sig_len == 0 || sig_len > 512)
        return PVS_WA_MALFORMED;
    void *key = load_pk(alg, pk, pk_len);
    fido_assert_t *a = key ? fido_assert_new() : NULL;
    enum pvs_wa_rc rc = key ? PVS_WA_OK : PVS_WA_UNSUPPORTED;
    if (rc == PVS_WA_OK &&
        (!a || fido_assert_set_count(a, 1) != FIDO_OK ||
         fido_assert_set_rp(a, cfg->rp_id) != FIDO_OK ||
         fido_assert_set_clientdata_hash(a, cdh, 32) != FIDO_OK ||
         fido_assert_set_authdata_raw(a, 0, ad, ad_len) != FIDO_OK ||
         fido_assert_set_sig(a, 0, sig, sig_len) != FIDO_OK ||
         fido_assert_set_up(a, FIDO_OPT_TRUE) != FIDO_OK))
        rc = PVS_WA_MALFORMED;
    if (rc == PVS_WA_OK && fido_assert_verify(a, 0, alg, key) != FIDO_OK)
        rc = PVS_WA_BAD_SIGNATURE;
    if (rc == PVS_WA_OK)
        *count = fido_assert_sigcount(a, 0);
    fido_assert_free(&a);
    if (key)
        free_pk(alg, key);
    return rc;
}

enum pvs_wa_rc pvs_wa_verify_assertion(const struct pvs_webauthn_cfg *cfg,
                                       const uint8_t challenge[PVS_WA_CHALLENGE_LEN],
                                       const uint8_t *cdj, size_t cdj_len, const uint8_t *ad,
                                       size_t ad_len, const uint8_t *sig, size_t sig_len,
                                       const uint8_t *pk, size_t pk_len, int alg,
                                       uint32_t stored_count, bool need_uv, uint32_t *new_count)
{
    uint8_t cdh[32];
    uint32_t count = 0;
    enum pvs_wa_rc rc = check_client_data(cfg, "webauthn.get", challenge, cdj, cdj_len, cdh);
    if (rc == PVS_WA_OK)
        rc = ad_len > 1024 ? PVS_WA_MALFORMED : check_authdata_head(cfg, ad, ad_len, need_uv);
    if (rc == PVS_WA_OK && !tail_fits(ad, ad_len, false))
        rc = PVS_WA_MALFORMED;
    if (rc == PVS_WA_OK)
        rc = assert_signature(cfg, cdh, ad, ad_len, sig, sig_len, pk, pk_len, alg, &count);
    if (rc != PVS_WA_OK)
        return rc;
    *new_count = count;
    /* both zero: an authenticator without a counter (allowed by the spec); otherwise a
     * counter that did not grow means two devices hold the same key */
    if ((count != 0 || stored_count != 0) && count <= stored_count)
        return PVS_WA_COUNTER;
    return PVS_WA_OK;
}
