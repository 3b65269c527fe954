/* POST /api/v1/care-planning/import: the care-planning system's file (CSV or JSON, see
 * docs/import.md) shown as a diff (dry run, the default) or applied with ?apply=1. A file
 * with any refused line changes nothing and is answered 422 with every line's reason. */
#include <stdlib.h>
#include <string.h>

#include "../services/care_import.h"
#include "import_handlers.h"
#include "pvs/audit.h"
#include "util.h"

static json_t *errors_json(const pvs_imp_file *f)
{
    json_t *arr = json_array();
    char text[600];
    for (size_t i = 0; i < f->nerrors; i++) {
        const pvs_imp_error *e = &f->errors[i];
        pvs_imp_error_text(f, e, text, sizeof text);
        json_array_append_new(
            arr, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "line", (json_int_t)e->line,
                           "problem", pvs_imp_err_name(e->code), "field",
                           e->field >= 0 ? pvs_imp_field_names[e->field] : "", "alarm_code", e->alarm_code, "address",
                           e->address, "message", text));
    }
    return arr;
}

/* The diff: each line that creates or changes something, as people know it. */
static json_t *changes_json(const pvs_imp_file *f, const pvs_imp_result *res)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < f->nrows; i++) {
        const pvs_imp_row *w = &f->rows[i];
        const pvs_imp_outcome *o = &res->outcome[i];
        if (o->action != PVS_IMPA_CREATE && o->action != PVS_IMPA_CHANGE)
            continue;
        json_array_append_new(
            arr, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "line", (json_int_t)w->line,
                           "action", o->action == PVS_IMPA_CREATE ? "create" : "change",
                           "alarm_code", w->alarm_code, "address", w->address, "apartment",
                           w->apartment, "provider", w->provider, "from_provider",
                           o->from_provider, "date", w->date));
    }
    return arr;
}

static bool content_type_ok(struct pvs_req *r)
{
    const char *ct = pvs_req_header(r, "Content-Type");
    if (ct && (strncmp(ct, "text/csv", 8) == 0 || strncmp(ct, "application/json", 16) == 0))
        return true;
    pvs_problem(r, 415, "unsupported-media-type", "Unsupported media type",
                "Send the file as text/csv or application/json.");
    return false;
}

void pvs_h_care_import(struct pvs_req *r)
{
    int64_t apply = 0;
    if (!pvs_req_query_int(r, "apply", 0, 1, 0, &apply) || !content_type_ok(r))
        return;
    pvs_imp_file *f = malloc(sizeof *f);
    if (!f) {
        pvs_problem_db(r, PVS_DB_ERROR, "import");
        return;
    }
    (void)pvs_imp_parse(r->body, r->body_len, f); /* refusals are reported below */
    struct pvs_audit_actor who = pvs_audit_actor_of(r);
    pvs_imp_result res;
    int rc = pvs_care_import(r->db, &who, f, apply != 0, pvd_today(), &res);
    if (rc != PVS_DB_OK) {
        pvs_problem_db(r, rc, "import");
    } else if (f->errors_total) {
        json_t *ext = json_pack("{s:o, s:I, s:I}", "lines", errors_json(f), "refused",
                                (json_int_t)f->errors_total, "rows", (json_int_t)f->nrows);
        pvs_problem_ext(r, 422, "import-refused", "Import refused", ext,
                        "%zu line(s) of the file were refused; nothing was changed.",
                        f->errors_total);
    } else {
        pvs_reply_json(r, 200,
                       json_pack("{s:b, s:b, s:I, s:I, s:I, s:o}", "dry_run", apply == 0,
                                 "applied", res.applied, "created", (json_int_t)res.created,
                                 "changed", (json_int_t)res.changed, "unchanged",
                                 (json_int_t)res.unchanged, "changes", changes_json(f, &res)));
    }
    pvs_care_import_free(&res);
    pvs_imp_free(f);
    free(f);
}
