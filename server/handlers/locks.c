/* Route handlers for a lock's life: commissioning (only with the consent it needs), moving,
 * removing, and who can open it today and why (direct right or derived entrance). The SQL,
 * transactions and audit entries: services/locks.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../rules/calendar.h"
#include "../services/locks.h"
#include "../services/places.h"
#include "util.h"
#include "domain_handlers.h"

/* The problem for a refused lock change or read (every sentence as before the split). */
static void refusal(struct pvs_req *r, const struct pvs_lock_outcome *o, int64_t id)
{
    long long lid = (long long)id;
    switch (o->refused) {
    case PVS_LOCK_ALREADY_INSTALLED:
    case PVS_LOCK_NO_KEY:
        pvs_problem(r, 409, "lock-state", "Lock cannot be commissioned",
                    o->refused == PVS_LOCK_ALREADY_INSTALLED
                        ? "Lock %lld is already commissioned."
                        : "Lock %lld has no registered public key; send lock_public_key.",
                    lid);
        break;
    case PVS_LOCK_NOT_LINKED:
        pvs_problem(r, 409, "lock-not-linked", "Lock not linked to a care recipient",
                    "Apartment lock %lld is not linked to a care recipient's alarm code; "
                    "link it on the recipient first.", lid);
        break;
    case PVS_LOCK_NO_RECIPIENT_CONSENT:
        pvs_problem(r, 409, "consent-missing", "Consent missing",
                    "The care recipient (id %lld) has not consented to a lock on the apartment "
                    "door; register the recipient's consent before commissioning.",
                    (long long)o->recipient_id);
        break;
    case PVS_LOCK_NO_OWNER_CONSENT:
        pvs_problem(r, 409, "consent-missing", "Consent missing",
                    "The property owner of building %lld has not consented to an entrance unit "
                    "(neither for this property nor for the whole portfolio); register the "
                    "owner's consent before commissioning.", (long long)o->building_id);
        break;
    case PVS_LOCK_LINKED:
        pvs_problem(r, 409, "lock-linked", "Lock belongs to a care recipient",
                    "Apartment lock %lld is linked to recipient %lld; change the recipient's "
                    "address and lock instead of moving it.", lid, (long long)o->recipient_id);
        break;
    case PVS_LOCK_NOT_MINE:
        pvs_problem(r, 404, "not-found", "Not found",
                    "Lock %lld is not a door of any of your provider's care recipients.", lid);
        break;
    default: /* PVS_LOCK_MISSING */
        pvs_problem(r, 404, "not-found", "Not found", "Lock %lld does not exist.", lid);
        break;
    }
}

/* The answer to a lock change: the lock as it is now, the refusal, or the problem. */
static void change_reply(struct pvs_req *r, struct pvd_change *c, int rc,
                         const struct pvs_lock_outcome *o, int64_t id)
{
    if (rc == PVS_DB_OK && o->refused) {
        free(c->details);
        refusal(r, o, id);
        return;
    }
    pvd_change_end(r, c, rc, "lock", 200);
}

void pvd_locks_commission(struct pvs_req *r)
{
    static const struct pvs_jfield f[] = {
        {"lock_public_key", PVS_J_HEX, 0, 32, 32},
    };
    int64_t id;
    if (!pvs_req_id(r, 0, &id))
        return;
    json_t *b = r->body_len ? pvs_body_json(r, PVS_JFIELDS(f)) : json_object();
    struct pvd_change c;
    if (b && pvd_change_begin(r, &c, b, PVS_LOCK_SHAPE)) {
        uint8_t pk[32];
        bool has_pk = pvs_jhas(b, "lock_public_key") && pvs_jhex(b, "lock_public_key", pk, 32);
        struct pvs_lock_outcome o;
        int rc = pvs_lock_commission(r->db, &c.who, id, has_pk ? pk : NULL, c.details, &o,
                                     PVD_FIRST(&c.row));
        change_reply(r, &c, rc, &o, id);
    }
    json_decref(b);
}

void pvd_locks_move(struct pvs_req *r)
{
    static const struct pvs_jfield f[] = {
        {"building_id", PVS_J_ID, PVS_JF_REQUIRED, 0, 0},
    };
    int64_t id;
    if (!pvs_req_id(r, 0, &id))
        return;
    json_t *b = pvs_body_json(r, PVS_JFIELDS(f));
    struct pvd_change c;
    if (b && pvd_change_begin(r, &c, b, PVS_LOCK_SHAPE)) {
        struct pvs_lock_outcome o;
        int rc = pvs_lock_move(r->db, &c.who, id, pvs_jint(b, "building_id", 0), c.details, &o,
                               PVD_FIRST(&c.row));
        change_reply(r, &c, rc, &o, id);
    }
    json_decref(b);
}

void pvd_locks_remove(struct pvs_req *r)
{
    int64_t id;
    struct pvd_change c;
    if (!pvs_req_id(r, 0, &id) || !pvd_change_begin(r, &c, NULL, PVS_LOCK_SHAPE))
        return;
    struct pvs_lock_outcome o;
    int rc = pvs_lock_remove(r->db, &c.who, id, &o, PVD_FIRST(&c.row));
    change_reply(r, &c, rc, &o, id);
}

struct who_items {
    const char *kind; /* the lock's kind: the service fills it before the first row */
    json_t *arr;
};

static bool who_row(pvs_stmt *st, void *ctx)
{
    struct who_items *w = ctx;
    json_t *o = pvd_row(st, PVS_LOCK_WHO_SHAPE);
    bool apt = strcmp(w->kind, "apartment") == 0;
    json_object_set_new(o, "reason", json_string(apt ? "direct" : "derived-entrance"));
    json_array_append_new(w->arr, o);
    return true;
}

/* Who may open the lock today, and why. Provider callers see their own staff, and only for
 * the doors of their current recipients. */
void pvd_locks_who(struct pvs_req *r)
{
    int64_t id, scope = pvs_scope_provider(r);
    if (!pvs_req_id(r, 0, &id))
        return;
    char today[PVS_DATE_LEN], kind[16] = "";
    pvs_date_format(pvd_today(), today);
    struct pvs_lock_outcome o;
    struct who_items w = {kind, json_array()};
    int rc = pvs_lock_who(r->db, id, scope, today, kind, &o, &(struct pvs_rows_out){who_row, &w});
    if (rc != PVS_DB_OK || o.refused) {
        json_decref(w.arr);
        if (rc != PVS_DB_OK)
            pvs_problem_db(r, rc, "lock");
        else
            refusal(r, &o, id);
        return;
    }
    pvs_reply_json(r, 200, json_pack("{s:I,s:s,s:s,s:o}", "lock_id", (json_int_t)id, "kind",
                                     kind, "date", today, "items", w.arr));
}
