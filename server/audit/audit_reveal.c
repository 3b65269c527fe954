/* Read time of the sealed audit values (pvs/audit_seal.h): open each sealed value under its
 * subject's key for a reader allowed to see the record, or mark it erased once the key is gone. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "pvs/audit_seal.h"
#include "pvs/vault.h"

#define KEY_LEN crypto_aead_xchacha20poly1305_ietf_KEYBYTES
#define NONCE_LEN crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG_LEN crypto_aead_xchacha20poly1305_ietf_ABYTES
#define SEALED_MAX (NONCE_LEN + 4096 + TAG_LEN)

/* The key of one subject, opened once per record. */
struct opener {
    bool ok;
    uint8_t key[KEY_LEN];
    char ad[96];
};

static void opener_init(struct opener *o, const struct pvs_audit_key *k, const char *type,
                        int64_t id)
{
    char ctx[48];
    size_t n = 0;
    snprintf(o->ad, sizeof o->ad, "pv-audit-seal-v1:%.40s:%" PRId64, type, id);
    pvs_vault_ctx_person(k ? k->row_id : 0, ctx);
    o->ok = k && k->row_id && k->sealed &&
            pvs_vault_open(ctx, k->sealed, k->len, o->key, KEY_LEN, &n) == 0 && n == KEY_LEN;
}

/* The clear text of base64 `b64` (malloc'd), or NULL when it does not open. */
static char *open_b64(const struct opener *o, const char *b64)
{
    uint8_t *bin = o->ok ? malloc(SEALED_MAX) : NULL;
    size_t blen = 0;
    char *out = NULL;
    if (bin && sodium_base642bin(bin, SEALED_MAX, b64, strlen(b64), NULL, &blen, NULL,
                                 sodium_base64_VARIANT_ORIGINAL) == 0 &&
        blen >= NONCE_LEN + TAG_LEN && (out = malloc(blen - NONCE_LEN - TAG_LEN + 1))) {
        unsigned long long mlen = 0;
        if (crypto_aead_xchacha20poly1305_ietf_decrypt(
                (uint8_t *)out, &mlen, NULL, bin + NONCE_LEN, blen - NONCE_LEN,
                (const uint8_t *)o->ad, strlen(o->ad), bin, o->key) == 0) {
            out[mlen] = '\0';
        } else {
            free(out);
            out = NULL;
        }
    }
    free(bin);
    return out;
}

/* {"sealed": "..."} (exactly) opened, or {"erased": true}; other values NULL (unchanged). */
static json_t *reveal_one(const struct opener *o, json_t *v)
{
    json_t *s = json_object_get(v, "sealed");
    if (!json_is_object(v) || json_object_size(v) != 1 || !json_is_string(s))
        return NULL;
    char *text = open_b64(o, json_string_value(s));
    json_t *r = text ? json_string(text) : NULL;
    if (text) {
        sodium_memzero(text, strlen(text));
        free(text);
    }
    return r ? r : json_pack("{s:b}", "erased", 1);
}

static void reveal_walk(const struct opener *o, json_t *v)
{
    if (json_is_object(v)) {
        const char *k;
        json_t *m, *r;
        void *tmp;
        json_object_foreach_safe(v, tmp, k, m) {
            if ((r = reveal_one(o, m)))
                json_object_set_new(v, k, r);
            else
                reveal_walk(o, m);
        }
    } else if (json_is_array(v)) {
        size_t i;
        json_t *m, *r;
        json_array_foreach(v, i, m) {
            if ((r = reveal_one(o, m)))
                json_array_set_new(v, i, r);
            else
                reveal_walk(o, m);
        }
    }
}

json_t *pvs_audit_reveal_details(const char *details, const struct pvs_audit_key *key,
                                 const char *object_type, int64_t object_id)
{
    json_error_t err;
    json_t *d = details ? json_loads(details, 0, &err) : NULL;
    if (!d)
        return NULL;
    struct opener o;
    opener_init(&o, key, object_type ? object_type : "", object_id);
    reveal_walk(&o, d);
    sodium_memzero(o.key, sizeof o.key);
    return d;
}

char *pvs_audit_reveal_addr(const char *stored, const struct pvs_audit_key *key, int64_t user_id)
{
    const char *s = stored ? stored : "";
    if (strncmp(s, "sealed:", 7) != 0)
        return strdup(s); /* written before sealing, or not a user's */
    struct opener o;
    opener_init(&o, key, "user", user_id);
    char *text = open_b64(&o, s + 7);
    sodium_memzero(o.key, sizeof o.key);
    return text ? text : strdup("");
}
