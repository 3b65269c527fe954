/* One key session at the station: relay the bearer's sync to the server, then take the
 * key's logs into the durable queue and acknowledge each after it is on disk. */
#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "station.h"
#include "portvakt/wire.h"

#define PB_BLOCKED "bearer-blocked"

static void logline(pvst_station *st, uint32_t bearer, const char *what)
{
    if (st->log) {
        fprintf(st->log, "station: K-%04u: %s\n", bearer, what);
        fflush(st->log);
    }
}

/* A line cut at the display's size must not end in half a UTF-8 character. */
static void utf8_trim(char *t)
{
    size_t n = strlen(t), k = n;
    if (n < PVST_STATUS_MAX)
        return;
    while (k > 0 && ((uint8_t)t[k - 1] & 0xC0u) == 0x80u)
        k--; /* t[k - 1] is now the lead byte (or ASCII) of the last character */
    if (k > 0 && ((uint8_t)t[k - 1] & 0xC0u) == 0xC0u) {
        uint8_t lead = (uint8_t)t[k - 1];
        size_t need = (lead & 0xE0u) == 0xC0u ? 2 : (lead & 0xF0u) == 0xE0u ? 3 : 4;
        if (n - (k - 1) < need)
            t[k - 1] = 0;
    }
}

static int send_status(pvst_station *st, const pvst_link_ops *l, uint32_t bearer,
                       uint8_t code, const char *text)
{
    pvst_status s = {.code = code};
    uint8_t buf[PVST_STATUS_MAX + 1];
    size_t n;
    snprintf(s.text, sizeof s.text, "%s", text);
    utf8_trim(s.text);
    logline(st, bearer, s.text);
    int r = pvst_status_encode(&s, buf, sizeof buf, &n);
    return r == PV_OK ? pvst_frame_send(l, PVST_F_STATUS, buf, n) : r;
}

/* Turns a failed uplink call into the right words on the key's display. */
static int send_failure(pvst_station *st, const pvst_link_ops *l, const pvst_hello *h,
                        int rc, const pvst_http *r)
{
    char msg[PVST_STATUS_MAX + sizeof r->detail]; /* cut to the display's size when sent */
    if (rc != PV_OK || r->status >= 500) {
        st->stats.syncs_offline++;
        pvst_msg_offline(msg, sizeof msg, h->have_until, st->now(st->now_ctx));
        return send_status(st, l, h->bearer_id, PVST_ST_OFFLINE, msg);
    }
    const char *slash = strrchr(r->ptype, '/');
    if (slash && strcmp(slash + 1, PB_BLOCKED) == 0) {
        st->stats.syncs_blocked++;
        snprintf(msg, sizeof msg, "key blocked — see your planner (%s)", r->detail);
        return send_status(st, l, h->bearer_id, PVST_ST_BLOCKED, msg);
    }
    st->stats.syncs_refused++;
    snprintf(msg, sizeof msg, "sync refused — %s", r->detail[0] ? r->detail : "no reason given");
    return send_status(st, l, h->bearer_id, PVST_ST_REFUSED, msg);
}

/* Exact-length hex field of a JSON object; *out is malloc'd (NULL for an empty string). */
static int hex_field(json_t *o, const char *key, size_t exact, size_t max, uint8_t **out,
                     size_t *len)
{
    const char *s = json_string_value(json_object_get(o, key));
    *out = NULL;
    *len = 0;
    if (!s)
        return PV_E_TRUNCATED;
    size_t sl = strlen(s);
    if (sl % 2 || sl / 2 > max || (exact && sl / 2 != exact))
        return PV_E_LENGTH;
    if (sl == 0)
        return PV_OK;
    *out = malloc(sl / 2);
    if (!*out)
        return PV_E_NOMEM;
    if (sodium_hex2bin(*out, sl / 2, s, sl, NULL, len, NULL) != 0 || *len != sl / 2) {
        free(*out);
        *out = NULL;
        return PV_E_RANGE;
    }
    return PV_OK;
}

/* Converts the server's sync answer into a SYNCED frame and sends it. */
static int relay_synced(pvst_station *st, const pvst_link_ops *l, const pvst_hello *h,
                        const pvst_http *r)
{
    json_t *j = json_loadb(r->body, r->body_len, 0, NULL);
    if (j && json_is_null(json_object_get(j, "credential"))) {
        json_decref(j); /* the server found no door for this key in its current shift */
        st->stats.syncs_refused++;
        return send_status(st, l, h->bearer_id, PVST_ST_REFUSED,
                           "no doors for you in this shift — ask your planner");
    }
    uint8_t *cred = NULL, *ent = NULL, *rev = NULL, *bea = NULL, *out = NULL;
    size_t cl, el, rl, bl, ol;
    pvst_synced s = {0};
    int rc = j ? PV_OK : PV_E_RANGE;
    if (rc == PV_OK)
        rc = hex_field(j, "credential", PV_CRED_SIZE, PV_CRED_SIZE, &cred, &cl);
    if (rc == PV_OK)
        rc = hex_field(j, "entries", 0, (size_t)PV_MERKLE_MAX_LEAVES * PV_ENTRY_SIZE, &ent, &el);
    if (rc == PV_OK)
        rc = hex_field(j, "revlist", 0, PV_REVLIST_MAX_SIZE, &rev, &rl);
    if (rc == PV_OK)
        rc = hex_field(j, "beacon", PV_BEACON_SIZE, PV_BEACON_SIZE, &bea, &bl);
    if (rc == PV_OK && el % PV_ENTRY_SIZE)
        rc = PV_E_LENGTH;
    if (rc == PV_OK) {
        s.valid_from = (uint64_t)json_integer_value(json_object_get(j, "valid_from"));
        s.valid_until = (uint64_t)json_integer_value(json_object_get(j, "valid_until"));
        s.doors = (uint32_t)json_integer_value(json_object_get(j, "doors"));
        s.cred = cred, s.beacon = bea, s.revlist = rev, s.revlist_len = (uint16_t)rl;
        s.entries = ent, s.entry_count = (uint32_t)(el / PV_ENTRY_SIZE);
        size_t cap = PVST_SYNCED_FIXED + rl + el;
        out = malloc(cap);
        rc = out ? pvst_synced_encode(&s, out, cap, &ol) : PV_E_NOMEM;
    }
    if (rc == PV_OK)
        rc = pvst_frame_send(l, PVST_F_SYNCED, out, ol);
    if (rc == PV_OK) {
        char msg[PVST_STATUS_MAX];
        st->stats.syncs_ok++;
        pvst_msg_synced(msg, sizeof msg, s.doors, s.valid_until, st->now(st->now_ctx));
        rc = send_status(st, l, h->bearer_id, PVST_ST_SYNCED, msg);
    } else if (rc != PV_E_IO && rc != PV_E_TIMEOUT) {
        rc = send_status(st, l, h->bearer_id, PVST_ST_ERROR,
                         "the server's answer was malformed; your key is unchanged — "
                         "try again or call support");
    }
    free(cred), free(ent), free(rev), free(bea), free(out);
    json_decref(j);
    return rc;
}

static int post_json(pvst_station *st, const char *path, json_t *body, pvst_http *r)
{
    char *s = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    if (!s) {
        memset(r, 0, sizeof *r);
        return PV_E_NOMEM;
    }
    int rc = pvst_uplink_post(st->up, path, s, strlen(s), r);
    free(s);
    return rc;
}

/* Asks the server for a sync nonce; on failure the key has been told why (*told = 1). */
static int get_nonce(pvst_station *st, const pvst_link_ops *l, const pvst_hello *h,
                     char nonce_hex[65], int *told)
{
    pvst_http r;
    int rc = post_json(st, "/api/v1/sync/challenge",
                       json_pack("{s:I}", "bearer_id", (json_int_t)h->bearer_id), &r);
    uint8_t nonce[32];
    size_t nl = 0;
    *told = 0;
    if (rc == PV_OK && r.status == 200) {
        json_t *j = json_loadb(r.body, r.body_len, 0, NULL);
        const char *nh = json_string_value(json_object_get(j, "nonce"));
        if (nh && strlen(nh) == 64 && sodium_hex2bin(nonce, 32, nh, 64, NULL, &nl, NULL) == 0 &&
            nl == 32) {
            sodium_bin2hex(nonce_hex, 65, nonce, 32);
            json_decref(j);
            pvst_http_free(&r);
            return PV_OK;
        }
        json_decref(j);
        r.status = 502; /* a 200 without a usable nonce: a broken uplink */
    }
    *told = 1;
    rc = send_failure(st, l, h, rc, &r);
    pvst_http_free(&r);
    return rc;
}

/* HELLO received: challenge, SIGN, sync. Link errors end the session. */
static int relay_sync(pvst_station *st, const pvst_link_ops *l, const pvst_hello *h,
                      uint8_t *buf, size_t cap)
{
    char nonce_hex[65], sig_hex[2 * PV_SIG_SIZE + 1];
    int told;
    int rc = get_nonce(st, l, h, nonce_hex, &told);
    if (rc != PV_OK || told)
        return rc;
    uint8_t nonce[32], type;
    size_t n;
    if (sodium_hex2bin(nonce, 32, nonce_hex, 64, NULL, &n, NULL) != 0)
        return PV_E_RANGE;
    rc = pvst_frame_send(l, PVST_F_CHALLENGE, nonce, 32);
    if (rc == PV_OK)
        rc = pvst_frame_recv(l, &type, buf, cap, &n);
    if (rc != PV_OK)
        return rc;
    if (type != PVST_F_SIGN || n != PV_SIG_SIZE)
        return PV_E_STATE;
    sodium_bin2hex(sig_hex, sizeof sig_hex, buf, PV_SIG_SIZE);
    pvst_http r;
    /* logs travel through the durable queue and /ingest, never inside the sync call */
    rc = post_json(st, "/api/v1/sync",
                   json_pack("{s:I,s:s,s:s,s:[],s:[]}", "bearer_id", (json_int_t)h->bearer_id,
                             "nonce", nonce_hex, "signature", sig_hex, "bearer_events",
                             "lock_batches"),
                   &r);
    if (rc == PV_OK && r.status == 200)
        rc = relay_synced(st, l, h, &r);
    else
        rc = send_failure(st, l, h, rc, &r);
    pvst_http_free(&r);
    return rc;
}

/* ENROL received: hand the new key up (signed by the station) and show the code the server
 * answers — the planner types it instead of the key's public key (docs/enrolment.md). */
static int relay_enrol(pvst_station *st, const pvst_link_ops *l, const uint8_t *buf, size_t n)
{
    pvst_enrol e;
    char pk[65], sig[2 * PV_SIG_SIZE + 1], msg[PVST_STATUS_MAX + sizeof ((pvst_http *)0)->detail];
    if (pvst_enrol_decode(buf, n, &e) != PV_OK)
        return PV_E_STATE; /* not a key speaking our protocol: close without a word */
    sodium_bin2hex(pk, sizeof pk, e.pk, 32);
    sodium_bin2hex(sig, sizeof sig, e.sig, PV_SIG_SIZE);
    pvst_http r;
    int rc = post_json(st, "/api/v1/key-enrolments",
                       json_pack("{s:s,s:s,s:s}", "public_key", pk, "signature", sig, "kind",
                                 e.kind ? "phone" : "fob"),
                       &r);
    json_t *j = rc == PV_OK && r.status == 201 ? json_loadb(r.body, r.body_len, 0, NULL) : NULL;
    const char *code = json_string_value(json_object_get(j, "code"));
    uint8_t what = PVST_ST_ENROL;
    if (code && strlen(code) < 16)
        snprintf(msg, sizeof msg, "new key — code %s: give it to your planner", code);
    else if (rc != PV_OK || r.status >= 500)
        what = PVST_ST_OFFLINE, snprintf(msg, sizeof msg, "no connection — present the new key "
                                                          "again later");
    else
        what = PVST_ST_REFUSED, snprintf(msg, sizeof msg, "enrolment refused — %s",
                                         r.detail[0] ? r.detail : "no reason given");
    json_decref(j);
    pvst_http_free(&r);
    return send_status(st, l, 0, what, msg);
}

/* LOGS received: durable first, acknowledgement second. */
static int take_logs(pvst_station *st, const pvst_link_ops *l, const pvst_hello *h,
                     const uint8_t *buf, size_t n)
{
    pvst_logs lg;
    int rc = pvst_logs_decode(buf, n, &lg);
    if (rc != PV_OK) {
        logline(st, h->bearer_id, pv_strerror(rc));
        return send_status(st, l, h->bearer_id, PVST_ST_ERROR,
                           "the key sent a malformed log item; it was not stored");
    }
    rc = pvst_queue_put(&st->q, h->bearer_id, buf, n);
    if (rc != PV_OK)
        return send_status(st, l, h->bearer_id, PVST_ST_ERROR,
                           "the station could not store your logs (disk); your key keeps "
                           "them — call support");
    st->stats.items_queued++;
    uint8_t ack[4];
    pv_store32_le(ack, lg.item_id);
    return pvst_frame_send(l, PVST_F_ACK, ack, sizeof ack);
}

int pvst_session(pvst_station *st, const pvst_link_ops *l)
{
    size_t cap = PVST_QITEM_MAX, n;
    uint8_t *buf = malloc(cap), type;
    if (!buf)
        return PV_E_NOMEM;
    st->stats.sessions++;
    pvst_hello h;
    int rc = pvst_frame_recv(l, &type, buf, cap, &n);
    if (rc == PV_OK && type == PVST_F_ENROL) { /* a key not yet registered: nothing else */
        rc = relay_enrol(st, l, buf, n);
        free(buf);
        return rc;
    }
    if (rc == PV_OK && (type != PVST_F_HELLO || pvst_hello_decode(buf, n, &h) != PV_OK))
        rc = PV_E_STATE; /* not a key speaking our protocol: close without a word */
    if (rc == PV_OK && (h.flags & PVST_HELLO_F_LOGS_ONLY))
        rc = send_status(st, l, h.bearer_id, PVST_ST_LOGS, "end of shift: logs taken");
    else if (rc == PV_OK)
        rc = relay_sync(st, l, &h, buf, cap);
    while (rc == PV_OK) {
        rc = pvst_frame_recv(l, &type, buf, cap, &n);
        if (rc != PV_OK || type == PVST_F_BYE)
            break;
        if (type != PVST_F_LOGS) {
            rc = PV_E_STATE;
            break;
        }
        rc = take_logs(st, l, &h, buf, n);
    }
    free(buf);
    return rc;
}
