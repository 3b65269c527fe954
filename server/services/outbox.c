/* Writing outgoing events into the outbox inside the caller's transaction (outbox.h). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outbox.h"

#define KEY_MAX 120 /* event keys are short, made by the server: a longer one is a bug */

static const char *const kinds[] = {
    PVS_EV_KEY_LOST, PVS_EV_ALARM_OPENED, PVS_EV_ALARM_ENDED, PVS_EV_CONSENT_WITHDRAWN,
    PVS_EV_LOG_GAP,  PVS_EV_BATTERY_LOW,  PVS_EV_LOCK_SILENT,
};

bool pvs_outbox_kind_known(const char *kind)
{
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(kind, kinds[i]) == 0)
            return true;
    return false;
}

/* Keys and kinds are made by the server from this alphabet, so they need no JSON escaping. */
static bool plain(const char *s)
{
    for (; *s; s++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._/-", *s))
            return false;
    return true;
}

/* The body that is signed and sent, fixed at the time of the change (sorted keys, compact;
 * `data` is already canonical JSON). */
static char *event_body(const char *kind, const char *key, const char *data, int64_t now)
{
    if (!plain(kind) || !plain(key))
        return NULL;
    const char *d = data ? data : "{}";
    size_t cap = strlen(kind) + strlen(key) + strlen(d) + 80;
    char *txt = malloc(cap);
    if (txt)
        snprintf(txt, cap, "{\"created_at\":%lld,\"data\":%s,\"id\":\"%s\",\"type\":\"%s\"}",
                 (long long)now, d, key, kind);
    return txt;
}

int pvs_outbox_add(pvs_db *db, const char *kind, const char *event_key, const char *data,
                   int64_t now)
{
    if (!pvs_tx_is_write(db) || strlen(event_key) > KEY_MAX)
        return PVS_DB_MISUSE; /* the event must commit or vanish with the change */
    char *body = event_body(kind, event_key, data, now);
    if (!body)
        return PVS_DB_MISUSE;
    int64_t id = 0;
    int rc = pvs_query_i64(db,
                           "INSERT INTO outbox_events (event_key, kind, body, created_at)"
                           " VALUES (?,?,?,?) ON CONFLICT (event_key) DO NOTHING RETURNING id",
                           PVS_ARGS(PVS_TEXT(event_key), PVS_TEXT(kind), PVS_TEXT(body), PVS_I64(now)),
                           &id);
    free(body);
    if (rc == PVS_DB_NOTFOUND)
        return PVS_DB_OK; /* already recorded: the same event again changes nothing */
    if (rc != PVS_DB_OK)
        return rc;
    char pattern[80];
    snprintf(pattern, sizeof pattern, "%%,%s,%%", kind);
    int64_t n = pvs_exec(db,
                         "INSERT INTO outbox_deliveries (event_id, webhook_id, next_at)"
                         " SELECT ?, id, ? FROM webhooks WHERE active = 1"
                         " AND (events LIKE ? OR events = ',*,')",
                         PVS_ARGS(PVS_I64(id), PVS_I64(now), PVS_TEXT(pattern)));
    return n < 0 ? (int)n : PVS_DB_OK;
}

/* Audit actions that are outgoing events. */
static const struct {
    const char *action, *kind;
} from_audit[] = {
    {"bearer.report_lost", PVS_EV_KEY_LOST},
    {"alarm.grant", PVS_EV_ALARM_OPENED},
    {"alarm.end", PVS_EV_ALARM_ENDED},
    {"consent.withdraw", PVS_EV_CONSENT_WITHDRAWN},
};

int pvs_outbox_from_audit(pvs_db *db, int64_t seq, const char *action, const char *object_type,
                          int64_t object_id, int64_t provider_id, const char *details,
                          int64_t at)
{
    const char *kind = NULL;
    for (size_t i = 0; i < sizeof from_audit / sizeof from_audit[0] && !kind; i++)
        if (strcmp(action, from_audit[i].action) == 0)
            kind = from_audit[i].kind;
    if (!kind)
        return PVS_DB_OK;
    const char *det = details ? details : "{}";
    size_t cap = strlen(object_type) + strlen(det) + 120;
    char *txt = plain(object_type) ? malloc(cap) : NULL;
    if (!txt)
        return PVS_DB_MISUSE;
    snprintf(txt, cap, "{\"details\":%s,\"object_id\":%lld,\"object_type\":\"%s\",\"provider_id\":%lld}",
             det, (long long)object_id, object_type, (long long)provider_id);
    char key[KEY_MAX + 1];
    snprintf(key, sizeof key, "%s/audit-%lld", kind, (long long)seq);
    int rc = pvs_outbox_add(db, kind, key, txt, at);
    free(txt);
    return rc;
}
