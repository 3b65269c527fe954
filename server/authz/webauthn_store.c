/* WebAuthn credentials and single-use challenges in the store (SQLite and PostgreSQL). */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "pvs/webauthn_store.h"

static int rc_of(int64_t n)
{
    return n < 0 ? (int)n : PVS_DB_OK;
}

int pvs_wa_challenge_put(pvs_db *db, const uint8_t binding_hash[32],
                         const struct pvs_wa_challenge *c, int64_t now)
{
    int64_t n = pvs_exec(db, "DELETE FROM webauthn_challenges WHERE binding_hash = ? OR expires_at <= ?",
                         PVS_ARGS(PVS_BLOB(binding_hash, 32), PVS_I64(now)));
    if (n < 0)
        return (int)n;
    n = pvs_exec(db,
                 "INSERT INTO webauthn_challenges (binding_hash, challenge, purpose, user_id,"
                 " session_hash, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
                 PVS_ARGS(PVS_BLOB(binding_hash, 32), PVS_BLOB(c->challenge, PVS_WA_CHALLENGE_LEN),
                          PVS_TEXT(c->purpose), PVS_ID_OR_NULL(c->user_id),
                          c->has_session ? PVS_BLOB(c->session_hash, 32) : PVS_NULL,
                          PVS_I64(now + PVS_WA_CHALLENGE_TTL_S)));
    return rc_of(n);
}

int pvs_wa_challenge_take(pvs_db *db, const uint8_t binding_hash[32], int64_t now,
                          struct pvs_wa_challenge *out)
{
    pvs_stmt st;
    memset(out, 0, sizeof *out);
    int rc = pvs_query(db, &st,
                       "SELECT challenge, purpose, user_id, session_hash, expires_at"
                       " FROM webauthn_challenges WHERE binding_hash = ?",
                       PVS_ARGS(PVS_BLOB(binding_hash, 32)));
    if (rc != PVS_DB_OK)
        return rc;
    rc = pvs_next(&st);
    if (rc == PVS_DB_ROW) {
        size_t cl = 0, sl = 0;
        const void *ch = pvs_col_blob(&st, 0, &cl), *sh = pvs_col_blob(&st, 3, &sl);
        bool ok = ch && cl == PVS_WA_CHALLENGE_LEN && pvs_col_i64(&st, 4) > now;
        if (ok) {
            memcpy(out->challenge, ch, cl);
            snprintf(out->purpose, sizeof out->purpose, "%s", pvs_col_text(&st, 1));
            out->user_id = pvs_col_i64(&st, 2);
            out->has_session = sh && sl == 32;
            if (out->has_session)
                memcpy(out->session_hash, sh, 32);
        }
        rc = ok ? PVS_DB_OK : PVS_DB_NOTFOUND;
    } else if (rc == PVS_DB_DONE) {
        rc = PVS_DB_NOTFOUND;
    }
    pvs_finalize(&st);
    int64_t n = pvs_exec(db, "DELETE FROM webauthn_challenges WHERE binding_hash = ?",
                         PVS_ARGS(PVS_BLOB(binding_hash, 32)));
    if (n < 0)
        return (int)n;
    return rc == PVS_DB_OK && n != 1 ? PVS_DB_NOTFOUND : rc;
}

int pvs_wa_cred_add(pvs_db *db, int64_t user_id, const struct pvs_wa_cred *c, const char *name,
                    int64_t now, int64_t *id)
{
    int64_t n = pvs_exec(db,
                         "INSERT INTO webauthn_credentials (user_id, cred_id, public_key, cose_alg,"
                         " sign_count, aaguid, fmt, name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         PVS_ARGS(PVS_I64(user_id), PVS_BLOB(c->id, c->id_len),
                                  PVS_BLOB(c->pk, c->pk_len), PVS_I64(c->alg),
                                  PVS_I64(c->sign_count), PVS_BLOB(c->aaguid, 16),
                                  PVS_TEXT(c->fmt), PVS_TEXT(name), PVS_I64(now)));
    if (n < 0)
        return (int)n;
    return pvs_query_i64(db, "SELECT id FROM webauthn_credentials WHERE cred_id = ?",
                         PVS_ARGS(PVS_BLOB(c->id, c->id_len)), id);
}

int pvs_wa_cred_find(pvs_db *db, const uint8_t *cred_id, size_t len, struct pvs_wa_stored *out)
{
    pvs_stmt st;
    memset(out, 0, sizeof *out);
    int rc = pvs_query(db, &st,
                       "SELECT id, user_id, public_key, cose_alg, sign_count FROM webauthn_credentials"
                       " WHERE cred_id = ?",
                       PVS_ARGS(PVS_BLOB(cred_id, len)));
    if (rc != PVS_DB_OK)
        return rc;
    rc = pvs_next(&st);
    if (rc == PVS_DB_ROW) {
        size_t pl = 0;
        const void *pk = pvs_col_blob(&st, 2, &pl);
        out->id = pvs_col_i64(&st, 0);
        out->user_id = pvs_col_i64(&st, 1);
        out->alg = (int)pvs_col_i64(&st, 3);
        out->sign_count = (uint32_t)pvs_col_i64(&st, 4);
        rc = pk && pl <= sizeof out->pk ? PVS_DB_OK : PVS_DB_ERROR;
        if (rc == PVS_DB_OK) {
            memcpy(out->pk, pk, pl);
            out->pk_len = pl;
        }
    } else if (rc == PVS_DB_DONE) {
        rc = PVS_DB_NOTFOUND;
    }
    pvs_finalize(&st);
    return rc;
}

int pvs_wa_cred_used(pvs_db *db, int64_t id, uint32_t new_count, int64_t now)
{
    int64_t n = pvs_exec(db,
                         "UPDATE webauthn_credentials SET sign_count = ?, last_used_at = ?"
                         " WHERE id = ? AND (sign_count < ? OR (sign_count = 0 AND ? = 0))",
                         PVS_ARGS(PVS_I64(new_count), PVS_I64(now), PVS_I64(id),
                                  PVS_I64(new_count), PVS_I64(new_count)));
    if (n < 0)
        return (int)n;
    return n == 1 ? PVS_DB_OK : PVS_DB_NOTFOUND;
}

int pvs_wa_cred_count(pvs_db *db, int64_t user_id, int64_t *n)
{
    return pvs_query_i64(db, "SELECT COUNT(*) FROM webauthn_credentials WHERE user_id = ?",
                         PVS_ARGS(PVS_I64(user_id)), n);
}

static json_t *row_json(pvs_stmt *st)
{
    size_t al = 0;
    const uint8_t *a = pvs_col_blob(st, 4, &al);
    char aaguid[40] = "";
    if (a && al == 16)
        snprintf(aaguid, sizeof aaguid,
                 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", a[0], a[1],
                 a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14],
                 a[15]);
    return json_pack("{s:I, s:s, s:I, s:o, s:s, s:s}", "id", (json_int_t)pvs_col_i64(st, 0),
                     "name", pvs_col_text(st, 1), "created_at", (json_int_t)pvs_col_i64(st, 2),
                     "last_used_at", pvs_col_is_null(st, 3) ? json_null()
                                                            : json_integer(pvs_col_i64(st, 3)),
                     "aaguid", aaguid, "attestation", pvs_col_text(st, 5));
}

int pvs_wa_cred_list(pvs_db *db, int64_t user_id, json_t **out)
{
    pvs_stmt st;
    *out = NULL;
    int rc = pvs_query(db, &st,
                       "SELECT id, name, created_at, last_used_at, aaguid, fmt"
                       " FROM webauthn_credentials WHERE user_id = ? ORDER BY id",
                       PVS_ARGS(PVS_I64(user_id)));
    if (rc != PVS_DB_OK)
        return rc;
    json_t *arr = json_array();
    while ((rc = pvs_next(&st)) == PVS_DB_ROW)
        json_array_append_new(arr, row_json(&st));
    pvs_finalize(&st);
    if (rc != PVS_DB_DONE) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return PVS_DB_OK;
}

int pvs_wa_cred_ids(pvs_db *db, int64_t user_id, json_t **out)
{
    pvs_stmt st;
    *out = NULL;
    int rc = pvs_query(db, &st, "SELECT cred_id FROM webauthn_credentials WHERE user_id = ? ORDER BY id",
                       PVS_ARGS(PVS_I64(user_id)));
    if (rc != PVS_DB_OK)
        return rc;
    json_t *arr = json_array();
    while ((rc = pvs_next(&st)) == PVS_DB_ROW) {
        size_t len = 0;
        const uint8_t *id = pvs_col_blob(&st, 0, &len);
        char b64[PVS_WA_MAX_CRED_ID * 2];
        pvs_b64url_encode(id, id ? len : 0, b64, sizeof b64);
        json_array_append_new(arr, json_pack("{s:s, s:s}", "type", "public-key", "id", b64));
    }
    pvs_finalize(&st);
    if (rc != PVS_DB_DONE) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return PVS_DB_OK;
}

int pvs_wa_cred_delete(pvs_db *db, int64_t user_id, int64_t id, int64_t *removed)
{
    int64_t n = id ? pvs_exec(db, "DELETE FROM webauthn_credentials WHERE user_id = ? AND id = ?",
                              PVS_ARGS(PVS_I64(user_id), PVS_I64(id)))
                   : pvs_exec(db, "DELETE FROM webauthn_credentials WHERE user_id = ?",
                              PVS_ARGS(PVS_I64(user_id)));
    if (n < 0)
        return (int)n;
    *removed = n;
    return id && n == 0 ? PVS_DB_NOTFOUND : PVS_DB_OK;
}

int pvs_wa_user_count(pvs_db *db, int64_t id, int64_t *n)
{
    return pvs_query_i64(db, "SELECT COUNT(*) FROM users WHERE id = ?", PVS_ARGS(PVS_I64(id)), n);
}
