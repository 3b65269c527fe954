/* The alarm centre's routes for residents' links (services/resident.h): create one with the
 * resident's consent recorded — the answer carries the link and its QR code once, for the
 * printed leaflet —, list a recipient's links with how often each was viewed, revoke one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qrencode.h>
#include <sodium.h>

#include "../services/resident.h"
#include "domain_handlers.h"
#include "pvs/core.h"
#include "util.h"

/* The link's origin as the alarm centre's browser reached the server (Host is checked to
 * hold only host-name characters, so nothing else can be planted in the leaflet). */
static void origin(struct pvs_req *r, char *out, size_t cap)
{
    const char *host = pvs_req_header(r, "Host");
    bool ok = host && host[0] && strlen(host) < 120;
    for (const char *p = host; ok && *p; p++)
        ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
             *p == '.' || *p == '-' || *p == ':' || *p == '[' || *p == ']';
    snprintf(out, cap, "%s://%s", r->srv->cfg.tls_cert[0] ? "https" : "http",
             ok ? host : "localhost");
}

/* The QR code's modules as rows of '1' (dark) and '0', for printing and for tests. */
static json_t *qr_rows(const char *text)
{
    QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!q)
        return NULL;
    json_t *rows = json_array();
    char line[200];
    for (int y = 0; y < q->width && q->width < (int)sizeof line; y++) {
        for (int x = 0; x < q->width; x++)
            line[x] = (q->data[y * q->width + x] & 1) ? '1' : '0';
        line[q->width] = '\0';
        json_array_append_new(rows, json_string(line));
    }
    QRcode_free(q);
    return rows;
}

static json_t *created_json(struct pvs_req *r, int64_t id, int64_t rec, const char *token,
                            const json_t *b)
{
    char url[300];
    origin(r, url, sizeof url);
    size_t o = strlen(url);
    snprintf(url + o, sizeof url - o, "/hemma/%s", token);
    char *svg = pvs_qr_svg(url);
    json_t *res = json_pack("{s:I, s:I, s:s, s:s?, s:o?, s:O?, s:O?, s:O?, s:I}", "id",
                            (json_int_t)id, "recipient_id", (json_int_t)rec, "url", url, "qr_svg",
                            svg, "qr_modules", qr_rows(url), "consent_given_on",
                            json_object_get(b, "consent_given_on"), "consent_by",
                            json_object_get(b, "consent_by"), "consent_reference",
                            json_object_get(b, "consent_reference"), "created_at",
                            (json_int_t)pvs_now());
    free(svg);
    sodium_memzero(url, sizeof url);
    return res;
}

/* POST /recipients/{id}/resident-links {consent_given_on, consent_by, consent_reference} */
void pvd_resident_links_create(struct pvs_req *r)
{
    static const struct pvs_jfield f[] = {
        {"consent_given_on", PVS_J_DATE, PVS_JF_REQUIRED, 0, 0},
        {"consent_by", PVS_J_STRING, PVS_JF_REQUIRED, 1, 20},
        {"consent_reference", PVS_J_STRING, 0, 0, 200},
    };
    int64_t rec = 0, id = 0;
    if (!pvs_req_id(r, 0, &rec))
        return;
    json_t *b = pvs_body_json(r, PVS_JFIELDS(f));
    if (!b)
        return;
    const char *by = pvs_jstr(b, "consent_by", "");
    if (strcmp(by, "resident") != 0 && strcmp(by, "representative") != 0) {
        json_decref(b);
        pvd_invalid(r, "consent_by is \"resident\" (the resident consented) or \"representative\""
                       " (a guardian or someone with power of attorney did).");
        return;
    }
    struct pvs_resident_new req = {rec, pvs_jstr(b, "consent_given_on", ""), by,
                                   pvs_jstr(b, "consent_reference", ""), r->who.user_id,
                                   pvs_now()};
    char token[PVS_RESIDENT_TOKEN_LEN + 1];
    if (!pvd_begin(r, true)) {
        json_decref(b);
        return;
    }
    int rc = pvs_resident_link_create(r->db, &req, &id, token);
    json_t *d = json_pack("{s:I, s:s, s:s}", "recipient_id", (json_int_t)rec, "consent_by", by,
                          "consent_given_on", req.consent_given_on);
    if (rc == PVS_DB_OK)
        rc = pvs_audit_append(r, "resident_link.create", "resident_link", id, d);
    json_decref(d);
    json_t *o = rc == PVS_DB_OK ? created_json(r, id, rec, token, b) : NULL;
    sodium_memzero(token, sizeof token);
    json_decref(b);
    pvd_commit_reply(r, o, rc, "Care recipient", 201);
}

/* GET /recipients/{id}/resident-links: every link, its consent, views and revocation. */
void pvd_resident_links_list(struct pvs_req *r)
{
    int64_t rec = 0;
    if (!pvs_req_id(r, 0, &rec))
        return;
    pvd_list(r, pvs_resident_links_sql, PVS_ARGS(PVS_I64(rec)),
             "id:i,recipient_id:i,consent_given_on:d,consent_by:s,consent_reference:s,"
             "created_at:i,created_by:n,revoked_at:n,revoked_by:n,views:i,last_viewed_at:n");
}

/* GET /resident-links/{id}/views: when the link was viewed, newest first. */
void pvd_resident_links_views(struct pvs_req *r)
{
    int64_t id = 0;
    if (!pvs_req_id(r, 0, &id))
        return;
    pvd_list(r, pvs_resident_views_sql, PVS_ARGS(PVS_I64(id)), "id:i,at:i");
}

/* POST /resident-links/{id}/revoke: the link stops working at once. */
void pvd_resident_links_revoke(struct pvs_req *r)
{
    int64_t id = 0, rec = 0;
    if (!pvs_req_id(r, 0, &id) || !pvd_begin(r, true))
        return;
    int rc = pvs_resident_link_revoke(r->db, id, r->who.user_id, pvs_now(), &rec);
    if (rc == PVS_DB_CONSTRAINT) {
        pvs_tx_rollback(r->db);
        pvs_problem(r, 409, "already-revoked", "Länken är redan återkallad",
                    "Den här länken är redan återkallad och fungerar inte längre.");
        return;
    }
    json_t *d = json_pack("{s:I}", "recipient_id", (json_int_t)rec);
    if (rc == PVS_DB_OK)
        rc = pvs_audit_append(r, "resident_link.revoke", "resident_link", id, d);
    json_decref(d);
    json_t *o = rc == PVS_DB_OK ? json_pack("{s:I, s:I, s:b}", "id", (json_int_t)id,
                                            "recipient_id", (json_int_t)rec, "revoked", 1)
                                : NULL;
    pvd_commit_reply(r, o, rc, "Resident link", 200);
}
