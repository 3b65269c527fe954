/* Outgoing events over HTTP: /api/v1/webhooks and /api/v1/webhook-dead-letters. The handler
 * checks the input and makes the webhook's secret (shown once); SQL, transactions and audit
 * entries are in services/webhooks.c, delivery in services/webhook_worker.c. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "../services/outbox.h"
#include "../services/webhooks.h"
#include "pvs/audit.h"
#include "pvs/clock.h"
#include "pvs/core.h"
#include "webhook_handlers.h"

#define URL_MAX 1024

static json_t *webhook_row(pvs_stmt *st, const void *ctx)
{
    (void)ctx;
    const char *ev = pvs_col_text(st, 2);
    json_t *events = json_array();
    char buf[512];
    snprintf(buf, sizeof buf, "%s", ev ? ev : "");
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
        json_array_append_new(events, json_string(t));
    return json_pack("{s:I, s:s, s:o, s:b, s:s, s:I, s:I, s:I}", "id",
                     (json_int_t)pvs_col_i64(st, 0), "url", pvs_col_text(st, 1), "events", events,
                     "active", (int)pvs_col_i64(st, 3), "created_by", pvs_col_text(st, 4),
                     "created_at", (json_int_t)pvs_col_i64(st, 5), "pending",
                     (json_int_t)pvs_col_i64(st, 6), "dead", (json_int_t)pvs_col_i64(st, 7));
}

void pvs_h_webhooks_list(struct pvs_req *r)
{
    struct pvs_page_rows pr = {.row = webhook_row};
    if (!pvs_page_begin(r, &pr.pg))
        return;
    struct pvs_range rg = {pr.pg.after, pr.pg.limit + 1};
    int rc = pvs_webhooks_list(r->db, &rg, &(struct pvs_rows_out){pvs_page_rows_add, &pr});
    pvs_page_rows_reply(r, &pr, rc, "webhooks");
}

/* https anywhere; plain http only to this machine (a receiver beside the server). Printable
 * ASCII without quotes, backslashes or spaces. */
static bool url_ok(const char *u)
{
    for (const char *p = u; *p; p++)
        if (*p <= ' ' || *p > '~' || *p == '"' || *p == '\\')
            return false;
    if (strncmp(u, "https://", 8) == 0)
        return strlen(u) > 8;
    static const char *const local[] = {"http://127.0.0.1:", "http://127.0.0.1/", "http://localhost:",
                                        "http://localhost/", "http://[::1]:", "http://[::1]/"};
    for (size_t i = 0; i < sizeof local / sizeof local[0]; i++)
        if (strncmp(u, local[i], strlen(local[i])) == 0)
            return true;
    return false;
}

/* The events array as ",a,b," (",*," for every kind); false for an unknown kind. */
static bool events_list(const json_t *arr, char *out, size_t cap)
{
    size_t i, n = 1;
    json_t *v;
    snprintf(out, cap, ",");
    json_array_foreach(arr, i, v) {
        const char *k = json_string_value(v);
        if (!k || (strcmp(k, "*") != 0 && !pvs_outbox_kind_known(k)))
            return false;
        int w = snprintf(out + n, cap - n, "%s,", k);
        if (w < 0 || (size_t)w >= cap - n)
            return false;
        n += (size_t)w;
    }
    return n > 1;
}

static void refuse_input(struct pvs_req *r, bool url)
{
    if (url)
        pvs_problem(r, 400, "webhook-url", "Adressen går inte att använda",
                    "Mottagarens adress måste börja med https:// (http:// bara till den här "
                    "datorn) och får inte innehålla mellanslag eller citattecken.");
    else
        pvs_problem(r, 400, "webhook-events", "Okänd händelse",
                    "Välj en eller flera händelser: key.reported_lost, alarm.opened, alarm.ended, "
                    "consent.withdrawn, lock.log_gap, lock.battery_low, lock.silent, eller * för alla.");
}

/* POST /webhooks {"url", "events": [...]}: 201 with the webhook and its secret (hex, shown
 * once; receivers hex-decode it into the HMAC-SHA256 key). */
void pvs_h_webhooks_create(struct pvs_req *r)
{
    static const struct pvs_jfield fields[] = {
        {"url", PVS_J_STRING, PVS_JF_REQUIRED, 9, URL_MAX},
        {"events", PVS_J_ARRAY, PVS_JF_REQUIRED, 1, 8},
    };
    json_t *b = pvs_body_json(r, PVS_JFIELDS(fields));
    if (!b)
        return;
    char events[256];
    const char *url = pvs_jstr(b, "url", "");
    if (!url_ok(url) || !events_list(json_object_get(b, "events"), events, sizeof events)) {
        refuse_input(r, !url_ok(url));
        json_decref(b);
        return;
    }
    uint8_t secret[PVS_WEBHOOK_SECRET_LEN];
    char hex[2 * PVS_WEBHOOK_SECRET_LEN + 1];
    randombytes_buf(secret, sizeof secret);
    struct pvs_audit_actor who = pvs_audit_actor_of(r);
    int64_t id = 0;
    int rc = pvs_webhook_create(r->db, &who, url, events, secret, &id);
    if (rc == PVS_DB_OK) {
        sodium_bin2hex(hex, sizeof hex, secret, sizeof secret);
        pvs_reply_json(r, 201, json_pack("{s:I, s:s, s:s}", "id", (json_int_t)id, "url", url,
                                         "secret", hex));
        sodium_memzero(hex, sizeof hex);
    } else {
        pvs_problem_db(r, rc, "That webhook");
    }
    sodium_memzero(secret, sizeof secret);
    json_decref(b);
}

void pvs_h_webhooks_disable(struct pvs_req *r)
{
    int64_t id;
    if (!pvs_req_id(r, 0, &id))
        return;
    struct pvs_audit_actor who = pvs_audit_actor_of(r);
    int rc = pvs_webhook_disable(r->db, &who, id);
    if (rc == PVS_DB_OK)
        pvs_reply_empty(r);
    else if (rc == PVS_DB_NOTFOUND)
        pvs_problem(r, 404, "not-found", "Finns inte",
                    "Det finns ingen aktiv mottagare av händelser med nummer %lld.", (long long)id);
    else
        pvs_problem_db(r, rc, "That webhook");
}

static json_t *dead_row(pvs_stmt *st, const void *ctx)
{
    (void)ctx;
    return json_pack("{s:I, s:I, s:s, s:s, s:s, s:I, s:I, s:I, s:o}", "id",
                     (json_int_t)pvs_col_i64(st, 0), "webhook_id", (json_int_t)pvs_col_i64(st, 1),
                     "url", pvs_col_text(st, 2), "event_id", pvs_col_text(st, 3), "type",
                     pvs_col_text(st, 4), "created_at", (json_int_t)pvs_col_i64(st, 5), "attempts",
                     (json_int_t)pvs_col_i64(st, 6), "last_status", (json_int_t)pvs_col_i64(st, 7),
                     "last_error", pvs_json_col_text_or_null(st, 8));
}

void pvs_h_dead_letters_list(struct pvs_req *r)
{
    struct pvs_page_rows pr = {.row = dead_row};
    if (!pvs_page_begin(r, &pr.pg))
        return;
    struct pvs_range rg = {pr.pg.after, pr.pg.limit + 1};
    int rc = pvs_dead_letters_list(r->db, &rg, &(struct pvs_rows_out){pvs_page_rows_add, &pr});
    pvs_page_rows_reply(r, &pr, rc, "dead letters");
}

void pvs_h_dead_letters_retry(struct pvs_req *r)
{
    int64_t id;
    if (!pvs_req_id(r, 0, &id))
        return;
    struct pvs_audit_actor who = pvs_audit_actor_of(r);
    int rc = pvs_dead_letter_retry(r->db, &who, id, pvs_now());
    if (rc == PVS_DB_OK)
        pvs_reply_empty(r);
    else if (rc == PVS_DB_NOTFOUND)
        pvs_problem(r, 404, "not-found", "Finns inte",
                    "Det finns ingen leverans som gett upp med nummer %lld.", (long long)id);
    else
        pvs_problem_db(r, rc, "That delivery");
}
