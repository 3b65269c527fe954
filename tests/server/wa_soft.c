/* The software authenticator of wa_soft.h: OpenSSL for the key and signatures, libcbor for
 * the CBOR structures. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cbor.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <sodium.h>

#include "wa_soft.h"

int wa_soft_init(struct wa_soft *k)
{
    memset(k, 0, sizeof *k);
    EVP_PKEY *p = EVP_EC_gen("P-256");
    BIGNUM *x = NULL, *y = NULL;
    if (!p || !EVP_PKEY_get_bn_param(p, OSSL_PKEY_PARAM_EC_PUB_X, &x) ||
        !EVP_PKEY_get_bn_param(p, OSSL_PKEY_PARAM_EC_PUB_Y, &y) ||
        BN_bn2binpad(x, k->x, 32) != 32 || BN_bn2binpad(y, k->y, 32) != 32) {
        EVP_PKEY_free(p);
        BN_free(x);
        BN_free(y);
        return -1;
    }
    BN_free(x);
    BN_free(y);
    k->pkey = p;
    randombytes_buf(k->cred_id, sizeof k->cred_id);
    memset(k->aaguid, 0x42, sizeof k->aaguid);
    return 0;
}

void wa_soft_free(struct wa_soft *k)
{
    EVP_PKEY_free(k->pkey);
    k->pkey = NULL;
}

size_t wa_soft_client_data(char *out, size_t cap, const char *type, const uint8_t ch[32],
                           const char *origin, bool cross_origin)
{
    char b64[64];
    sodium_bin2base64(b64, sizeof b64, ch, 32, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    int n = snprintf(out, cap, "{\"type\":\"%s\",\"challenge\":\"%s\",\"origin\":\"%s\",\"crossOrigin\":%s}",
                     type, b64, origin, cross_origin ? "true" : "false");
    return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

static int sign(struct wa_soft *k, const uint8_t *ad, size_t ad_len, const char *cdj,
                uint8_t *sig, size_t *sig_len)
{
    uint8_t msg[512];
    if (ad_len + 32 > sizeof msg)
        return -1;
    memcpy(msg, ad, ad_len);
    crypto_hash_sha256(msg + ad_len, (const uint8_t *)cdj, strlen(cdj));
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    int ok = m && EVP_DigestSignInit(m, NULL, EVP_sha256(), NULL, k->pkey) == 1 &&
             EVP_DigestSign(m, sig, sig_len, msg, ad_len + 32) == 1;
    EVP_MD_CTX_free(m);
    return ok ? 0 : -1;
}

static void put_head(uint8_t *ad, const char *rp_id, uint8_t flags, uint32_t counter)
{
    crypto_hash_sha256(ad, (const uint8_t *)rp_id, strlen(rp_id));
    ad[32] = flags;
    ad[33] = (uint8_t)(counter >> 24);
    ad[34] = (uint8_t)(counter >> 16);
    ad[35] = (uint8_t)(counter >> 8);
    ad[36] = (uint8_t)counter;
}

/* authData with the attested credential: head, AAGUID, id length, id, COSE key. */
static size_t reg_authdata(struct wa_soft *k, const char *rp_id, uint8_t flags, uint8_t *ad, size_t cap)
{
    cbor_item_t *cose = cbor_new_definite_map(5);
    (void)cbor_map_add(cose, (struct cbor_pair){cbor_move(cbor_build_uint8(1)), cbor_move(cbor_build_uint8(2))});
    (void)cbor_map_add(cose, (struct cbor_pair){cbor_move(cbor_build_uint8(3)), cbor_move(cbor_build_negint8(6))});
    (void)cbor_map_add(cose, (struct cbor_pair){cbor_move(cbor_build_negint8(0)), cbor_move(cbor_build_uint8(1))});
    (void)cbor_map_add(cose, (struct cbor_pair){cbor_move(cbor_build_negint8(1)), cbor_move(cbor_build_bytestring(k->x, 32))});
    (void)cbor_map_add(cose, (struct cbor_pair){cbor_move(cbor_build_negint8(2)), cbor_move(cbor_build_bytestring(k->y, 32))});
    size_t need = 37 + 16 + 2 + sizeof k->cred_id;
    size_t n = cap > need ? cbor_serialize(cose, ad + need, cap - need) : 0;
    cbor_decref(&cose);
    if (!n)
        return 0;
    put_head(ad, rp_id, flags, k->counter);
    memcpy(ad + 37, k->aaguid, 16);
    ad[53] = 0;
    ad[54] = sizeof k->cred_id;
    memcpy(ad + 55, k->cred_id, sizeof k->cred_id);
    return need + n;
}

static cbor_item_t *text(const char *s)
{
    return cbor_build_string(s);
}

size_t wa_soft_attest(struct wa_soft *k, const char *fmt, const char *rp_id, uint8_t flags,
                      const char *cdj, uint8_t *out, size_t cap)
{
    uint8_t ad[512], sig[80];
    size_t ad_len = reg_authdata(k, rp_id, flags, ad, sizeof ad), sig_len = sizeof sig;
    bool packed = strcmp(fmt, "packed") == 0;
    if (!ad_len || (packed && sign(k, ad, ad_len, cdj, sig, &sig_len) != 0))
        return 0;
    cbor_item_t *stmt = cbor_new_definite_map(packed ? 2 : 0);
    if (packed) {
        (void)cbor_map_add(stmt, (struct cbor_pair){cbor_move(text("alg")), cbor_move(cbor_build_negint8(6))});
        (void)cbor_map_add(stmt, (struct cbor_pair){cbor_move(text("sig")), cbor_move(cbor_build_bytestring(sig, sig_len))});
    }
    cbor_item_t *o = cbor_new_definite_map(3);
    (void)cbor_map_add(o, (struct cbor_pair){cbor_move(text("fmt")), cbor_move(text(fmt))});
    (void)cbor_map_add(o, (struct cbor_pair){cbor_move(text("attStmt")), cbor_move(stmt)});
    (void)cbor_map_add(o, (struct cbor_pair){cbor_move(text("authData")), cbor_move(cbor_build_bytestring(ad, ad_len))});
    size_t n = cbor_serialize(o, out, cap);
    cbor_decref(&o);
    return n;
}

int wa_soft_assert(struct wa_soft *k, const char *rp_id, uint8_t flags, uint32_t counter,
                   const char *cdj, uint8_t ad[37], uint8_t *sig, size_t *sig_len)
{
    put_head(ad, rp_id, flags, counter);
    return sign(k, ad, 37, cdj, sig, sig_len);
}

int wa_soft_raw_verify(struct wa_soft *k, const uint8_t *msg, size_t len, const uint8_t *sig,
                       size_t sig_len)
{
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    int ok = m && EVP_DigestVerifyInit(m, NULL, EVP_sha256(), NULL, k->pkey) == 1 &&
             EVP_DigestVerify(m, sig, sig_len, msg, len) == 1;
    EVP_MD_CTX_free(m);
    return ok ? 0 : -1;
}
