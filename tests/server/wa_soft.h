/* A software FIDO2 authenticator for tests and benches: an ES256 key made with OpenSSL,
 * attestation objects ("none" or "packed" self attestation) built with libcbor, assertions
 * signed with OpenSSL's ECDSA. It plays the key's side only; the server side under test is
 * server/authz/webauthn_verify.c (libfido2). */
#ifndef PVT_WA_SOFT_H
#define PVT_WA_SOFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wa_soft {
    void *pkey; /* EVP_PKEY */
    uint8_t x[32], y[32];
    uint8_t cred_id[32];
    uint8_t aaguid[16];
    uint32_t counter;
};

int wa_soft_init(struct wa_soft *k);
void wa_soft_free(struct wa_soft *k);

/* clientDataJSON for `type` ("webauthn.create"/"webauthn.get"), a 32-byte challenge, origin. */
size_t wa_soft_client_data(char *out, size_t cap, const char *type, const uint8_t ch[32],
                           const char *origin, bool cross_origin);

/* Attestation object for registration at rp_id; fmt "none" or "packed" (self). Returns the
 * length written to out (0 on error). */
size_t wa_soft_attest(struct wa_soft *k, const char *fmt, const char *rp_id, uint8_t flags,
                      const char *cdj, uint8_t *out, size_t cap);

/* Assertion: authenticator data (37 bytes) and a DER signature over it and the client data
 * hash; counter is the one put in the data (the caller decides: k->counter + 1 normally). */
int wa_soft_assert(struct wa_soft *k, const char *rp_id, uint8_t flags, uint32_t counter,
                   const char *cdj, uint8_t ad[37], uint8_t *sig, size_t *sig_len);

/* Raw signature check of the same data with OpenSSL (the bench's reference). */
int wa_soft_raw_verify(struct wa_soft *k, const uint8_t *msg, size_t len, const uint8_t *sig,
                       size_t sig_len);

#endif
