/* Keyset pagination for every list: ?limit= and an opaque ?cursor= over increasing ids. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvs/http.h"

/* Cursor text: "c" followed by the last id seen, in decimal. Opaque to clients; the prefix
 * lets a later format be told apart. */
static bool parse_i64(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
    if (!s || !*s || strlen(s) > 18)
        return false;
    int64_t v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
        v = v * 10 + (*p - '0');
    }
    if (v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

bool pvs_page_begin(struct pvs_req *r, struct pvs_page *pg)
{
    memset(pg, 0, sizeof *pg);
    pg->limit = PVS_PAGE_DEFAULT;
    const char *limit = pvs_req_query(r, "limit");
    const char *cursor = pvs_req_query(r, "cursor");
    if (limit && !parse_i64(limit, 1, PVS_PAGE_MAX, &pg->limit)) {
        pvs_problem(r, 400, "invalid-query", "Invalid query parameter",
                    "limit must be an integer from 1 to %d.", PVS_PAGE_MAX);
        return false;
    }
    if (cursor && *cursor && (cursor[0] != 'c' || !parse_i64(cursor + 1, 0, INT64_MAX / 2, &pg->after))) {
        pvs_problem(r, 400, "invalid-query", "Invalid query parameter",
                    "cursor is not one this server issued; use next_cursor from the previous page.");
        return false;
    }
    pg->items = json_array();
    if (!pg->items) {
        pvs_problem(r, 500, "internal", "Internal error", "Out of memory.");
        return false;
    }
    return true;
}

bool pvs_page_add(struct pvs_page *pg, int64_t id, json_t *item)
{
    if (pg->count >= pg->limit) {
        pg->more = true;
        json_decref(item);
        return false;
    }
    json_array_append_new(pg->items, item);
    pg->last_id = id;
    pg->count++;
    return true;
}

void pvs_page_reply(struct pvs_req *r, struct pvs_page *pg)
{
    json_t *next = json_null();
    if (pg->more) {
        char c[32];
        snprintf(c, sizeof c, "c%lld", (long long)pg->last_id);
        json_decref(next);
        next = json_string(c);
    }
    json_t *o = json_object();
    json_object_set_new(o, "items", pg->items);
    json_object_set_new(o, "next_cursor", next);
    pg->items = NULL;
    pvs_reply_json(r, 200, o);
}

void pvs_page_free(struct pvs_page *pg)
{
    json_decref(pg->items);
    pg->items = NULL;
}

void pvs_page_list(struct pvs_req *r, const char *sql, const struct pvs_param *p, size_t n,
                   pvs_row_fn row, const void *ctx, const char *what)
{
    struct pvs_page pg;
    if (!pvs_page_begin(r, &pg))
        return;
    struct pvs_param all[PVS_PAGE_MAX_PARAMS + 2];
    if (n > PVS_PAGE_MAX_PARAMS) {
        pvs_page_free(&pg);
        pvs_problem(r, 500, "internal", "Internal error", "Too many query parameters.");
        return;
    }
    if (n)
        memcpy(all, p, n * sizeof *p);
    all[n] = PVS_I64(pg.after);
    all[n + 1] = PVS_I64(pg.limit + 1);
    pvs_stmt st;
    int rc = pvs_query(r->db, &st, sql, all, n + 2);
    if (rc == PVS_DB_OK) {
        while ((rc = pvs_next(&st)) == PVS_DB_ROW)
            if (!pvs_page_add(&pg, pvs_col_i64(&st, 0), row(&st, ctx)))
                break; /* the extra row only proved there is a next page */
        pvs_finalize(&st);
    }
    if (rc != PVS_DB_ROW && rc != PVS_DB_DONE) {
        pvs_page_free(&pg);
        pvs_problem_db(r, rc, what);
        return;
    }
    pvs_page_reply(r, &pg);
}

bool pvs_page_rows_add(pvs_stmt *st, void *self)
{
    struct pvs_page_rows *pr = self;
    return pvs_page_add(&pr->pg, pvs_col_i64(st, 0), pr->row(st, pr->ctx));
}

void pvs_page_rows_reply(struct pvs_req *r, struct pvs_page_rows *pr, int rc, const char *what)
{
    if (rc != PVS_DB_OK) {
        pvs_page_free(&pr->pg);
        pvs_problem_db(r, rc, what);
        return;
    }
    pvs_page_reply(r, &pr->pg);
}
