/* Capability links for the resident's view (services/resident.h): create and revoke them,
 * look a token up by its keyed hash under the rate limit, read the last 30 days at the
 * recipient's apartment door and record the view. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "portvakt/error.h"
#include "pvs/vault.h"
#include "alarm_flag.h"
#include "resident.h"

#define DAY_S 86400

const char pvs_resident_links_sql[] =
    "SELECT l.id, l.recipient_id, l.consent_given_on, l.consent_by, l.consent_reference,"
    " l.created_at, l.created_by, l.revoked_at, l.revoked_by,"
    " (SELECT COUNT(*) FROM resident_link_views v WHERE v.link_id = l.id),"
    " (SELECT MAX(at) FROM resident_link_views v WHERE v.link_id = l.id)"
    " FROM resident_links l WHERE l.recipient_id = ? AND l.id > ? ORDER BY l.id LIMIT ?";
const char pvs_resident_views_sql[] =
    "SELECT id, at FROM resident_link_views WHERE link_id = ? AND id > ? ORDER BY id LIMIT ?";

/* Keyed BLAKE2b-256 of the token under the sealed pepper: a copied database alone cannot
 * test guesses offline. */
static int token_hash(pvs_db *db, const char *token, size_t len, uint8_t out[32])
{
    uint8_t pepper[32];
    int rc = pvs_vault_pepper(db, pepper);
    if (rc == PVS_DB_OK)
        crypto_generichash(out, 32, (const uint8_t *)token, len, pepper, sizeof pepper);
    sodium_memzero(pepper, sizeof pepper);
    return rc;
}

int pvs_resident_link_create(pvs_db *db, const struct pvs_resident_new *req, int64_t *id,
                             char token[PVS_RESIDENT_TOKEN_LEN + 1])
{
    uint8_t secret[PVS_RESIDENT_SECRET_LEN], hash[32];
    int64_t exists = 0;
    int rc = pvs_query_i64(db, "SELECT COUNT(*) FROM recipients WHERE id = ?",
                           PVS_ARGS(PVS_I64(req->recipient_id)), &exists);
    if (rc == PVS_DB_OK && !exists)
        return PVS_DB_NOTFOUND;
    randombytes_buf(secret, sizeof secret);
    sodium_bin2base64(token, PVS_RESIDENT_TOKEN_LEN + 1, secret, sizeof secret,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(secret, sizeof secret);
    if (rc == PVS_DB_OK)
        rc = token_hash(db, token, PVS_RESIDENT_TOKEN_LEN, hash);
    if (rc == PVS_DB_OK) {
        int64_t n = pvs_exec(db, "UPDATE resident_links SET revoked_at = ?, revoked_by = ?"
                                 " WHERE recipient_id = ? AND revoked_at IS NULL",
                             PVS_ARGS(PVS_I64(req->now), PVS_ID_OR_NULL(req->user_id),
                                      PVS_I64(req->recipient_id)));
        rc = n < 0 ? (int)n : PVS_DB_OK;
    }
    if (rc == PVS_DB_OK)
        rc = pvs_query_i64(
            db,
            "INSERT INTO resident_links (recipient_id, token_hash, consent_given_on, consent_by,"
            " consent_reference, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            PVS_ARGS(PVS_I64(req->recipient_id), PVS_BLOB(hash, 32),
                     PVS_TEXT(req->consent_given_on), PVS_TEXT(req->consent_by),
                     PVS_TEXT(req->consent_reference ? req->consent_reference : ""),
                     PVS_ID_OR_NULL(req->user_id), PVS_I64(req->now)),
            id);
    if (rc != PVS_DB_OK)
        sodium_memzero(token, PVS_RESIDENT_TOKEN_LEN + 1);
    return rc;
}

int pvs_resident_link_revoke(pvs_db *db, int64_t link_id, int64_t user_id, int64_t now,
                             int64_t *recipient_id)
{
    int64_t revoked = 0;
    pvs_stmt st;
    int rc = pvs_query(db, &st, "SELECT recipient_id, revoked_at IS NOT NULL FROM resident_links"
                                " WHERE id = ?", PVS_ARGS(PVS_I64(link_id)));
    if (rc != PVS_DB_OK)
        return rc;
    rc = pvs_next(&st);
    if (rc == PVS_DB_ROW) {
        *recipient_id = pvs_col_i64(&st, 0);
        revoked = pvs_col_i64(&st, 1);
        rc = PVS_DB_OK;
    } else if (rc == PVS_DB_DONE) {
        rc = PVS_DB_NOTFOUND;
    }
    pvs_finalize(&st);
    if (rc != PVS_DB_OK)
        return rc;
    if (revoked)
        return PVS_DB_CONSTRAINT;
    int64_t n = pvs_exec(db, "UPDATE resident_links SET revoked_at = ?, revoked_by = ? WHERE id = ?",
                         PVS_ARGS(PVS_I64(now), PVS_ID_OR_NULL(user_id), PVS_I64(link_id)));
    return n == 1 ? PVS_DB_OK : n < 0 ? (int)n : PVS_DB_NOTFOUND;
}

/* Only the base64url alphabet, exactly the token's length. */
static bool token_shape_ok(const char *token)
{
    if (!token || strlen(token) != PVS_RESIDENT_TOKEN_LEN)
        return false;
    for (const char *p = token; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_'))
            return false;
    return true;
}

static int refuse(pvs_db *db, const char *addr, int64_t now)
{
    int64_t n = pvs_exec(db, "INSERT INTO resident_link_failures (client_addr, at) VALUES (?, ?)",
                         PVS_ARGS(PVS_TEXT(addr), PVS_I64(now)));
    if (n < 0)
        return (int)n;
    /* the table stays small: only the window matters */
    n = pvs_exec(db, "DELETE FROM resident_link_failures WHERE at < ?",
                 PVS_ARGS(PVS_I64(now - PVS_RESIDENT_FAIL_WINDOW_S)));
    return n < 0 ? (int)n : PVS_DB_OK;
}

/* The link's id, recipient and whether it is revoked; PVS_DB_NOTFOUND when no hash matches. */
static int find_link(pvs_db *db, const uint8_t hash[32], struct pvs_resident_view *v,
                     bool *revoked)
{
    pvs_stmt st;
    /* the hash is UNIQUE and looked up by index; the stored hash is compared again in
     * constant time so no early-exit comparison ever touches the secret's image */
    int rc = pvs_query(db, &st, "SELECT l.id, l.recipient_id, l.revoked_at IS NOT NULL,"
                                " l.token_hash FROM resident_links l WHERE l.token_hash = ?",
                       PVS_ARGS(PVS_BLOB(hash, 32)));
    if (rc != PVS_DB_OK)
        return rc;
    rc = pvs_next(&st);
    size_t hlen = 0;
    const void *stored = rc == PVS_DB_ROW ? pvs_col_blob(&st, 3, &hlen) : NULL;
    if (rc == PVS_DB_ROW && stored && hlen == 32 && sodium_memcmp(stored, hash, 32) == 0) {
        v->link_id = pvs_col_i64(&st, 0);
        v->recipient_id = pvs_col_i64(&st, 1);
        *revoked = pvs_col_i64(&st, 2) != 0;
        rc = PVS_DB_OK;
    } else if (rc == PVS_DB_ROW || rc == PVS_DB_DONE) {
        rc = PVS_DB_NOTFOUND;
    }
    pvs_finalize(&st);
    return rc;
}

/* The staff member's first name: the first word of the name they were registered with. */
static void first_word(const char *name, char *out, size_t cap)
{
    size_t n = name ? strcspn(name, " ") : 0;
    snprintf(out, cap, "%.*s", (int)(n < cap ? n : cap - 1), name ? name : "");
}

static int reason_code(const char *src, const char *reason)
{
    if (!reason || !reason[0])
        return 0;
    if (strcmp(src, "lock") == 0)
        return -atoi(reason);
    for (int e = -1; e > PV_E__COUNT; e--) /* keys report the name, e.g. "PV_E_EXPIRED" */
        if (strcmp(pv_errname(e), reason) == 0)
            return e;
    return 0;
}

static int read_rows(pvs_db *db, struct pvs_resident_view *v, int64_t now)
{
    pvs_stmt st;
    int rc = pvs_query(
        db, &st,
        "SELECT p.src, p.time, p.opened, p.reason, k.label, l.label, pr.name, s.display_name,"
        " p.alarm FROM ("
        " SELECT 'lock' AS src, e.time, e.kind = 1 AS opened, CAST(e.reason AS TEXT) AS reason,"
        "  e.subject AS bearer_id, e.lock_id, " PVS_SQL_LOCK_ALARM("e") " AS alarm"
        "  FROM lock_events e"
        "  WHERE e.lock_id = (SELECT lock_id FROM recipients WHERE id = ?) AND e.kind IN (1, 2)"
        "  AND e.time >= ?"
        " UNION ALL"
        " SELECT 'key', v.time, v.kind = 'open', v.reason, v.bearer_id, v.lock_id,"
        "  " PVS_SQL_KEY_ALARM("v") " FROM bearer_events v"
        "  WHERE v.lock_id = (SELECT lock_id FROM recipients WHERE id = ?) AND v.time >= ?"
        "  AND NOT EXISTS (SELECT 1 FROM lock_events e WHERE e.lock_id = v.lock_id"
        "   AND e.subject = v.bearer_id AND e.time BETWEEN v.time - 5 AND v.time + 5)) AS p"
        " LEFT JOIN bearers k ON k.id = p.bearer_id LEFT JOIN staff s ON s.id = k.staff_id"
        " LEFT JOIN providers pr ON pr.id = k.provider_id LEFT JOIN locks l ON l.id = p.lock_id"
        " ORDER BY p.time DESC, p.src LIMIT ?",
        PVS_ARGS(PVS_I64(v->recipient_id), PVS_I64(now - PVS_RESIDENT_DAYS * DAY_S),
                 PVS_I64(v->recipient_id), PVS_I64(now - PVS_RESIDENT_DAYS * DAY_S),
                 PVS_I64(PVS_RESIDENT_MAX_ROWS)));
    if (rc != PVS_DB_OK)
        return rc;
    v->rows = calloc(PVS_RESIDENT_MAX_ROWS, sizeof *v->rows);
    while (v->rows && (rc = pvs_next(&st)) == PVS_DB_ROW && v->nrows < PVS_RESIDENT_MAX_ROWS) {
        struct pvs_resident_row *w = &v->rows[v->nrows++];
        const char *src = pvs_col_text(&st, 0), *key = pvs_col_text(&st, 4),
                   *door = pvs_col_text(&st, 5), *prov = pvs_col_text(&st, 6);
        w->time = pvs_col_i64(&st, 1);
        w->opened = pvs_col_i64(&st, 2) != 0;
        w->key_reported = src && strcmp(src, "key") == 0;
        w->alarm = pvs_col_i64(&st, 8) != 0;
        w->reason = w->opened ? 0 : reason_code(src ? src : "", pvs_col_text(&st, 3));
        snprintf(w->key_label, sizeof w->key_label, "%s", key ? key : "");
        snprintf(w->door, sizeof w->door, "%s", door ? door : "");
        snprintf(w->provider, sizeof w->provider, "%s", prov ? prov : "");
        first_word(pvs_col_text(&st, 7), w->first_name, sizeof w->first_name);
    }
    pvs_finalize(&st);
    if (!v->rows)
        return PVS_DB_ERROR;
    return rc == PVS_DB_ROW || rc == PVS_DB_DONE ? PVS_DB_OK : rc;
}

static int lookup_tx(pvs_db *db, const char *token, const char *addr, int64_t now,
                     enum pvs_resident_lookup *outcome, struct pvs_resident_view *v)
{
    int64_t fails = 0;
    uint8_t hash[32];
    bool revoked = false;
    int rc = pvs_query_i64(db, "SELECT COUNT(*) FROM resident_link_failures WHERE client_addr = ?"
                               " AND at >= ?",
                           PVS_ARGS(PVS_TEXT(addr), PVS_I64(now - PVS_RESIDENT_FAIL_WINDOW_S)),
                           &fails);
    if (rc != PVS_DB_OK)
        return rc;
    if (fails >= PVS_RESIDENT_MAX_FAILURES) {
        *outcome = PVS_RESIDENT_LIMITED;
        return refuse(db, addr, now);
    }
    if (!token_shape_ok(token)) {
        *outcome = PVS_RESIDENT_UNKNOWN;
        return refuse(db, addr, now);
    }
    rc = token_hash(db, token, strlen(token), hash);
    if (rc == PVS_DB_OK)
        rc = find_link(db, hash, v, &revoked);
    if (rc == PVS_DB_NOTFOUND || (rc == PVS_DB_OK && revoked)) {
        *outcome = rc == PVS_DB_OK ? PVS_RESIDENT_REVOKED : PVS_RESIDENT_UNKNOWN;
        return refuse(db, addr, now);
    }
    if (rc == PVS_DB_OK)
        rc = read_rows(db, v, now);
    if (rc == PVS_DB_OK) {
        int64_t n = pvs_exec(db, "INSERT INTO resident_link_views (link_id, at) VALUES (?, ?)",
                             PVS_ARGS(PVS_I64(v->link_id), PVS_I64(now)));
        rc = n < 0 ? (int)n : PVS_DB_OK;
    }
    *outcome = PVS_RESIDENT_OK;
    return rc;
}

int pvs_resident_lookup(pvs_db *db, const char *token, const char *client_addr, int64_t now,
                        enum pvs_resident_lookup *outcome, struct pvs_resident_view *view)
{
    memset(view, 0, sizeof *view);
    *outcome = PVS_RESIDENT_UNKNOWN;
    int rc = pvs_tx_begin(db, true);
    if (rc == PVS_DB_OK)
        rc = lookup_tx(db, token, client_addr, now, outcome, view);
    if (rc == PVS_DB_OK)
        rc = pvs_tx_commit(db);
    if (rc != PVS_DB_OK) {
        pvs_tx_rollback(db);
        pvs_resident_view_free(view);
    }
    return rc;
}

void pvs_resident_view_free(struct pvs_resident_view *v)
{
    free(v->rows);
    v->rows = NULL;
    v->nrows = 0;
}
