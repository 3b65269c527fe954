/* Route handlers for care: recipients (alarm code and address only — fields for names or
 * personal numbers are refused). The SQL, transactions and audit entries: services/care.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../services/care.h"
#include "util.h"
#include "domain_handlers.h"

/* Data minimisation: a recipient is an alarm code and an address. Members that would
 * carry a name or a personal identity number are refused by name, before anything else. */
static bool refuse_personal_data(struct pvs_req *r)
{
    static const char *const banned[] = {"name", "first_name", "last_name", "full_name",
                                         "given_name", "surname", "personal_number",
                                         "personnummer", "ssn", "national_id", "birth_date",
                                         "date_of_birth", "phone", "email", NULL};
    json_t *o = json_loadb(r->body ? r->body : "", r->body_len, JSON_REJECT_DUPLICATES, NULL);
    if (!o)
        return false; /* pvs_body_json explains malformed JSON */
    for (int i = 0; banned[i]; i++) {
        if (json_object_get(o, banned[i])) {
            json_decref(o);
            pvs_problem(r, 400, "personal-data-refused", "Personal data refused",
                        "A care recipient is known only by alarm code and address; remove "
                        "\"%s\" (names and personal numbers are never stored).", banned[i]);
            return true;
        }
    }
    json_decref(o);
    return false;
}

/* A whole recipient as JSON: the row, then "providers" and "entrance_lock_ids". */
struct recipient_json {
    struct pvd_rows_json periods;
    json_t *doors;
    struct pvs_rows_out sinks[3];
    struct pvs_recipient_out out;
};

static bool door_row(pvs_stmt *st, void *ctx)
{
    json_array_append_new(ctx, json_integer(pvs_col_i64(st, 0)));
    return true;
}

static void recipient_begin(struct recipient_json *j, struct pvd_rows_json *row)
{
    j->periods = (struct pvd_rows_json){PVS_PERIOD_SHAPE, json_array(), NULL};
    j->doors = json_array();
    j->sinks[0] = (struct pvs_rows_out){pvd_rows_first, row};
    j->sinks[1] = (struct pvs_rows_out){pvd_rows_append, &j->periods};
    j->sinks[2] = (struct pvs_rows_out){door_row, j->doors};
    j->out = (struct pvs_recipient_out){&j->sinks[0], &j->sinks[1], &j->sinks[2]};
}

/* The recipient's object (in row->obj) completed with its arrays, or them freed. */
static void recipient_end(struct recipient_json *j, struct pvd_rows_json *row, int rc)
{
    if (rc == PVS_DB_OK && row->obj) {
        json_object_set_new(row->obj, "providers", j->periods.arr);
        json_object_set_new(row->obj, "entrance_lock_ids", j->doors);
        return;
    }
    json_decref(j->periods.arr);
    json_decref(j->doors);
}

void pvd_recipients_list(struct pvs_req *r)
{
    struct pvd_page p;
    if (pvd_page_begin(r, &p, PVS_RECIPIENT_SHAPE))
        pvd_page_end(r, &p, pvs_recipients_list(r->db, pvs_scope_provider(r), &p.range, &p.out),
                     "list");
}

void pvd_recipients_get(struct pvs_req *r)
{
    int64_t id;
    if (!pvs_req_id(r, 0, &id))
        return;
    struct pvd_rows_json row = {PVS_RECIPIENT_SHAPE, NULL, NULL};
    struct recipient_json j;
    recipient_begin(&j, &row);
    int rc = pvs_recipient_get(r->db, id, pvs_scope_provider(r), &j.out);
    recipient_end(&j, &row, rc);
    pvd_get_reply(r, rc, &row, "Care recipient", id);
}

/* The answer to a recipient change: the recipient as it is now, the refusal or the problem
 * (what: the store error's subject). */
static void change_reply(struct pvs_req *r, struct pvd_change *c, struct recipient_json *j,
                         int rc, const struct pvs_care_outcome *o, const char *what, int status)
{
    recipient_end(j, &c->row, rc);
    if (rc == PVS_DB_OK && o->refused) {
        free(c->details);
        if (o->refused == PVS_CARE_MISSING)
            pvs_problem_db(r, PVS_DB_NOTFOUND, "Care recipient");
        else
            pvd_invalid(r, "lock_id %lld is not an apartment lock in building %lld.",
                        (long long)o->lock_id, (long long)o->building_id);
        return;
    }
    pvd_change_end(r, c, rc, what, status);
}

void pvd_recipients_create(struct pvs_req *r)
{
    static const struct pvs_jfield f[] = {
        {"alarm_code", PVS_J_STRING, PVS_JF_REQUIRED, 1, 32},
        {"building_id", PVS_J_ID, PVS_JF_REQUIRED, 0, 0},
        {"apartment", PVS_J_STRING, 0, 0, 40},
        {"lock_id", PVS_J_ID, PVS_JF_NULLABLE, 0, 0},
        {"provider_id", PVS_J_ID, PVS_JF_REQUIRED, 0, 0},
        {"valid_from", PVS_J_DATE, 0, 0, 0},
    };
    if (refuse_personal_data(r))
        return;
    json_t *b = pvs_body_json(r, PVS_JFIELDS(f));
    struct pvd_change c;
    if (b && pvd_change_begin(r, &c, b, PVS_RECIPIENT_SHAPE)) {
        struct pvs_recipient_new n = {
            pvs_jstr(b, "alarm_code", ""), pvs_jint(b, "building_id", 0),
            pvs_jstr(b, "apartment", ""),  pvs_jint(b, "lock_id", 0),
            pvs_jint(b, "provider_id", 0), pvs_jstr(b, "valid_from", NULL)};
        struct recipient_json j;
        struct pvs_care_outcome o;
        recipient_begin(&j, &c.row);
        int rc = pvs_recipient_create(r->db, &c.who, &n, c.details, &o, &j.out);
        change_reply(r, &c, &j, rc, &o,
                     "recipient with this alarm code, lock, building or provider", 201);
    }
    json_decref(b);
}

void pvd_recipients_patch(struct pvs_req *r)
{
    static const struct pvs_jfield f[] = {
        {"building_id", PVS_J_ID, 0, 0, 0},
        {"apartment", PVS_J_STRING, 0, 0, 40},
        {"lock_id", PVS_J_ID, PVS_JF_NULLABLE, 0, 0},
    };
    int64_t id;
    if (!pvs_req_id(r, 0, &id) || refuse_personal_data(r))
        return;
    json_t *b = pvs_body_json(r, PVS_JFIELDS(f));
    struct pvd_change c;
    if (b && pvd_change_begin(r, &c, b, PVS_RECIPIENT_SHAPE)) {
        struct pvs_recipient_change ch = {pvs_jint(b, "building_id", 0), pvs_jhas(b, "lock_id"),
                                          pvs_jint(b, "lock_id", 0),
                                          pvs_jstr(b, "apartment", NULL)};
        struct recipient_json j;
        struct pvs_care_outcome o;
        recipient_begin(&j, &c.row);
        int rc = pvs_recipient_update(r->db, &c.who, id, &ch, c.details, &o, &j.out);
        change_reply(r, &c, &j, rc, &o, "lock", 200);
    }
    json_decref(b);
}
