/* Helpers shared by the domain route handlers (see util.h): rows to JSON, pages, replies. */
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../rules/calendar.h"
#include "../rules/rights.h"

static json_t *windows_json(const void *blob, size_t len)
{
    pvs_window w[PVS_WINDOWS_MAX];
    size_t n = 0;
    json_t *arr = json_array();
    if (!blob || pvs_windows_decode(blob, len, w, &n) != PV_OK)
        return arr;
    for (size_t i = 0; i < n; i++) {
        json_t *days = json_array();
        for (unsigned d = 0; d < 7; d++)
            if (w[i].days & (1u << d))
                json_array_append_new(days, json_integer(d + 1));
        char from[6], to[6];
        pvs_hhmm_format(w[i].from_min, from);
        pvs_hhmm_format(w[i].to_min, to);
        json_array_append_new(arr, json_pack("{s:o,s:s,s:s}", "days", days, "from", from, "to", to));
    }
    return arr;
}

json_t *pvd_row(pvs_stmt *st, const char *spec)
{
    json_t *o = json_object();
    char name[64];
    int col = 0;
    for (const char *p = spec; *p; col++) {
        const char *colon = strchr(p, ':');
        if (!colon || colon - p >= (long)sizeof name)
            break;
        memcpy(name, p, (size_t)(colon - p));
        name[colon - p] = '\0';
        char t = colon[1];
        p = colon + 2;
        if (*p == ',')
            p++;
        json_t *v = NULL;
        bool null = pvs_col_is_null(st, col);
        size_t len = 0;
        const void *blob;
        switch (t) {
        case 'i':
            v = json_integer(pvs_col_i64(st, col));
            break;
        case 'n':
            v = null ? json_null() : json_integer(pvs_col_i64(st, col));
            break;
        case 'b':
            v = json_boolean(pvs_col_i64(st, col) != 0);
            break;
        case 'h':
            blob = pvs_col_blob(st, col, &len);
            v = null || !blob ? json_null() : pvs_json_hex(blob, len);
            break;
        case 'w':
            blob = pvs_col_blob(st, col, &len);
            v = windows_json(blob, len);
            break;
        default: /* 's', 'd' */
            v = null ? json_null() : json_string(pvs_col_text(st, col));
            break;
        }
        json_object_set_new(o, name, v ? v : json_null());
    }
    return o;
}

bool pvd_rows_append(pvs_stmt *st, void *self)
{
    struct pvd_rows_json *j = self;
    json_array_append_new(j->arr, pvd_row(st, j->spec));
    return true;
}

bool pvd_rows_first(pvs_stmt *st, void *self)
{
    struct pvd_rows_json *j = self;
    j->obj = pvd_row(st, j->spec);
    return false;
}

static json_t *row_by_spec(pvs_stmt *st, const void *spec)
{
    return pvd_row(st, spec);
}

bool pvd_page_begin(struct pvs_req *r, struct pvd_page *p, const char *spec)
{
    p->rows = (struct pvs_page_rows){.row = row_by_spec, .ctx = spec};
    if (!pvs_page_begin(r, &p->rows.pg))
        return false;
    p->range = (struct pvs_range){p->rows.pg.after, p->rows.pg.limit + 1};
    p->out = (struct pvs_rows_out){pvs_page_rows_add, &p->rows};
    return true;
}

void pvd_page_end(struct pvs_req *r, struct pvd_page *p, int rc, const char *what)
{
    pvs_page_rows_reply(r, &p->rows, rc, what);
}

void pvd_get_reply(struct pvs_req *r, int rc, struct pvd_rows_json *j, const char *what, int64_t id)
{
    if (rc == PVS_DB_OK && j->obj) {
        pvs_reply_json(r, 200, j->obj);
        return;
    }
    json_decref(j->obj);
    if (rc == PVS_DB_NOTFOUND)
        pvs_problem(r, 404, "not-found", "Not found", "%s %lld does not exist.", what,
                    (long long)id);
    else
        pvs_problem_db(r, rc == PVS_DB_OK ? PVS_DB_ERROR : rc, what);
}

void pvd_change_reply(struct pvs_req *r, int rc, struct pvd_rows_json *j, const char *what,
                      int status)
{
    if (rc == PVS_DB_OK && j->obj) {
        pvs_reply_json(r, status, j->obj);
        return;
    }
    json_decref(j->obj);
    pvs_problem_db(r, rc == PVS_DB_OK ? PVS_DB_ERROR : rc, what);
}

bool pvd_change_begin(struct pvs_req *r, struct pvd_change *c, const json_t *body,
                      const char *spec)
{
    c->who = pvs_audit_actor_of(r);
    c->row = (struct pvd_rows_json){spec, NULL, NULL};
    c->details = NULL;
    if (body && !(c->details = pvs_audit_details(body))) {
        pvs_problem(r, 500, "internal", "Internal error", "Out of memory.");
        return false;
    }
    return true;
}

void pvd_change_end(struct pvs_req *r, struct pvd_change *c, int rc, const char *what, int status)
{
    free(c->details);
    c->details = NULL;
    pvd_change_reply(r, rc, &c->row, what, status);
}

void pvd_invalid(struct pvs_req *r, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    pvs_tx_rollback(r->db);
    pvs_problem_ext(r, 400, "invalid-value", "Invalid value", pvd_invalid_ext(fmt), "%s", buf);
}

int32_t pvd_today(void)
{
    return pvs_local_day(pvs_now());
}
