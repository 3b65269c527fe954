/* Sealing personal values before they enter the audit chain, and opening them at read time
 * (see pvs/audit_seal.h): one XChaCha20-Poly1305 key per subject in person_keys, itself
 * sealed under the vault key. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "pvs/audit_seal.h"
#include "pvs/clock.h"
#include "pvs/vault.h"

#define KEY_LEN crypto_aead_xchacha20poly1305_ietf_KEYBYTES
#define NONCE_LEN crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG_LEN crypto_aead_xchacha20poly1305_ietf_ABYTES
#define VALUE_MAX 4096 /* a sealed string longer than this is withheld instead */
#define DEPTH_MAX 8    /* request bodies are flat; deeper structure is withheld */

/* Members whose string values are never personal: enumerations and calendar dates. Every
 * other string is sealed (deny by default: free text typed anywhere ends up sealed). */
static const char *const plain_keys[] = {
    "kind",       "role",          "state",          "consent_by", "consent_given_on",
    "given_on",   "effective_date", "valid_from",    "valid_until", "format",
    "action",     "subject",        "lock_public_key", "through_hash",
};

static bool is_plain(const char *key)
{
    for (size_t i = 0; key && i < sizeof plain_keys / sizeof plain_keys[0]; i++)
        if (strcmp(key, plain_keys[i]) == 0)
            return true;
    return false;
}

void pvs_vault_ctx_person(int64_t id, char out[48])
{
    snprintf(out, 48, "person-key:%" PRId64, id);
}

/* The associated data binding a sealed value to its subject. */
static void subject_ad(const char *type, int64_t id, char out[96])
{
    snprintf(out, 96, "pv-audit-seal-v1:%.40s:%" PRId64, type, id);
}

/* The open key of a person_keys row; 0 or -1 (not sealed as expected). */
static int open_key(int64_t row_id, const void *sealed, size_t len, uint8_t key[KEY_LEN])
{
    char ctx[48];
    size_t n = 0;
    pvs_vault_ctx_person(row_id, ctx);
    if (pvs_vault_open(ctx, sealed, len, key, KEY_LEN, &n) != 0 || n != KEY_LEN) {
        sodium_memzero(key, KEY_LEN);
        return -1;
    }
    return 0;
}

/* The subject's key, made on first use (inside the caller's write transaction). */
static int subject_key(pvs_db *db, const char *type, int64_t id, uint8_t key[KEY_LEN])
{
    pvs_stmt st;
    int rc = pvs_query(db, &st, "SELECT id, sealed_key FROM person_keys"
                                " WHERE subject_type = ? AND subject_id = ?",
                       PVS_ARGS(PVS_TEXT(type), PVS_I64(id)));
    if (rc != PVS_DB_OK)
        return rc;
    rc = pvs_next(&st);
    if (rc == PVS_DB_ROW) {
        size_t len = 0;
        const void *s = pvs_col_blob(&st, 1, &len);
        rc = open_key(pvs_col_i64(&st, 0), s, len, key) == 0 ? PVS_DB_OK : PVS_DB_ERROR;
    }
    pvs_finalize(&st);
    if (rc != PVS_DB_DONE)
        return rc;
    /* the key is sealed under a context naming its own row id, known only once the row
     * exists: insert with a one-byte stand-in, then store the sealed key (same transaction) */
    int64_t row = 0;
    uint8_t placeholder = 0, sealed[KEY_LEN + PVS_VAULT_OVERHEAD];
    size_t slen = 0;
    char ctx[48];
    rc = pvs_query_i64(db, "INSERT INTO person_keys (subject_type, subject_id, sealed_key,"
                           " created_at) VALUES (?, ?, ?, ?) RETURNING id",
                       PVS_ARGS(PVS_TEXT(type), PVS_I64(id), PVS_BLOB(&placeholder, 1),
                                PVS_I64(pvs_now())), &row);
    crypto_aead_xchacha20poly1305_ietf_keygen(key);
    pvs_vault_ctx_person(row, ctx);
    if (rc == PVS_DB_OK && pvs_vault_seal(ctx, key, KEY_LEN, sealed, sizeof sealed, &slen) != 0)
        rc = PVS_DB_ERROR;
    if (rc == PVS_DB_OK) {
        int64_t n = pvs_exec(db, "UPDATE person_keys SET sealed_key = ? WHERE id = ?",
                             PVS_ARGS(PVS_BLOB(sealed, slen), PVS_I64(row)));
        rc = n == 1 ? PVS_DB_OK : n < 0 ? (int)n : PVS_DB_ERROR;
    }
    if (rc != PVS_DB_OK)
        sodium_memzero(key, KEY_LEN);
    return rc;
}

/* One subject's sealing state: the key is fetched or made at the first string. */
struct sealer {
    pvs_db *db;
    const char *type;
    int64_t id;
    bool have_key, withhold;
    int rc;
    uint8_t key[KEY_LEN];
};

/* base64(nonce || ciphertext) of `text`, malloc'd; NULL on failure. */
static char *seal_text(struct sealer *s, const char *text)
{
    size_t len = strlen(text);
    if (s->withhold || len > VALUE_MAX)
        return NULL;
    if (!s->have_key) {
        int rc = subject_key(s->db, s->type, s->id, s->key);
        if (rc != PVS_DB_OK) {
            s->rc = rc;
            return NULL;
        }
        s->have_key = true;
    }
    uint8_t buf[NONCE_LEN + VALUE_MAX + TAG_LEN];
    unsigned long long clen = 0;
    char ad[96];
    subject_ad(s->type, s->id, ad);
    randombytes_buf(buf, NONCE_LEN);
    crypto_aead_xchacha20poly1305_ietf_encrypt(buf + NONCE_LEN, &clen, (const uint8_t *)text, len,
                                               (const uint8_t *)ad, strlen(ad), NULL, buf, s->key);
    size_t blen = NONCE_LEN + (size_t)clen;
    size_t cap = sodium_base64_ENCODED_LEN(blen, sodium_base64_VARIANT_ORIGINAL);
    char *out = malloc(cap);
    if (out)
        sodium_bin2base64(out, cap, buf, blen, sodium_base64_VARIANT_ORIGINAL);
    return out;
}

/* The stored stand-in of one personal string. */
static json_t *sealed_value(struct sealer *s, const char *text)
{
    char *b64 = seal_text(s, text);
    json_t *v = b64 ? json_pack("{s:s}", "sealed", b64) : json_pack("{s:b}", "withheld", 1);
    free(b64);
    return v;
}

/* Seal every personal string below `v` in place; `key` is the member name holding it. */
static void seal_walk(struct sealer *s, json_t *v, const char *key, int depth)
{
    if (json_is_object(v)) {
        const char *k;
        json_t *m;
        void *tmp;
        json_object_foreach_safe(v, tmp, k, m) {
            if (json_is_string(m) && !is_plain(k))
                json_object_set_new(v, k, sealed_value(s, json_string_value(m)));
            else if (depth >= DEPTH_MAX && (json_is_object(m) || json_is_array(m)))
                json_object_set_new(v, k, json_pack("{s:b}", "withheld", 1));
            else
                seal_walk(s, m, k, depth + 1);
        }
    } else if (json_is_array(v)) {
        size_t i;
        json_t *m;
        json_array_foreach(v, i, m) {
            if (json_is_string(m) && !is_plain(key))
                json_array_set_new(v, i, sealed_value(s, json_string_value(m)));
            else if (depth >= DEPTH_MAX && (json_is_object(m) || json_is_array(m)))
                json_array_set_new(v, i, json_pack("{s:b}", "withheld", 1));
            else
                seal_walk(s, m, key, depth + 1);
        }
    }
}

/* The actor's client address sealed under the user's key ("sealed:" + base64). */
static char *seal_addr(pvs_db *db, const struct pvs_audit_actor *who, int *rc)
{
    if (!who->user_id)
        return strdup(who->client_addr);
    struct sealer s = {.db = db, .type = "user", .id = who->user_id, .rc = PVS_DB_OK,
                       .withhold = !pvs_vault_ready()};
    char *b64 = seal_text(&s, who->client_addr);
    sodium_memzero(s.key, sizeof s.key);
    *rc = s.rc;
    size_t n = b64 ? strlen(b64) + 8 : 0;
    char *out = b64 ? malloc(n) : strdup("withheld");
    if (b64 && out)
        snprintf(out, n, "sealed:%s", b64);
    free(b64);
    return out;
}

int pvs_audit_seal(pvs_db *db, const struct pvs_audit_actor *who, const char *object_type,
                   int64_t object_id, const char *details, struct pvs_audit_sealed *out)
{
    memset(out, 0, sizeof out[0]);
    json_error_t err;
    json_t *d = json_loads(details ? details : "{}", JSON_REJECT_DUPLICATES, &err);
    if (!d)
        return PVS_DB_MISUSE; /* the callers hand canonical JSON; anything else is a bug */
    struct sealer s = {.db = db, .type = object_type, .id = object_id, .rc = PVS_DB_OK,
                       .withhold = object_id == 0 || !pvs_vault_ready()};
    seal_walk(&s, d, NULL, 0);
    sodium_memzero(s.key, sizeof s.key);
    int rc = s.rc;
    out->details = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
    json_decref(d);
    if (rc == PVS_DB_OK)
        out->client_addr = seal_addr(db, who, &rc);
    if (who->user_id)
        snprintf(out->actor_name, sizeof out->actor_name, "user:%" PRId64, who->user_id);
    if (rc == PVS_DB_OK && (!out->details || !out->client_addr))
        rc = PVS_DB_ERROR;
    return rc;
}

void pvs_audit_sealed_free(struct pvs_audit_sealed *s)
{
    free(s->details);
    free(s->client_addr);
    s->details = s->client_addr = NULL;
}
