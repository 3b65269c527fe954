/* GET /access-log?view=passages (issue 9): one row per passage, newest first (order=asc for
 * oldest first) — a lock's signed record and the key's own report of the same opening or
 * refusal (same door, key and outcome within PASSAGE_S) become one row whose `sources` lists
 * both, the signed record's time and sequence kept — with the door's kind and label; a
 * recipient's log also holds the building's entrance and common doors as used by the staff
 * who hold a right to that recipient. The plain event list stays the default view. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../services/passages.h"
#include "planner_handlers.h"
#include "util.h"
#include "portvakt/error.h"

#define PASSAGE_S 120 /* a key's clock and a lock's differ a little: one passage, two reports */
#define WINDOW 256    /* rows within PASSAGE_S of each other waiting for their twin */

typedef struct row {
    json_t *o;
    int64_t lock, bearer, time;
    char kind[8];
    int lock_src, key_src;
} row;

typedef struct merger {
    row w[WINDOW];
    size_t head, n;
    struct pvs_page *pg;
    int64_t pos, skip;
    bool full;
} merger;

static bool bool_query(struct pvs_req *r, const char *name, const char *yes)
{
    const char *v = pvs_req_query(r, name);
    return v && strcmp(v, yes) == 0;
}

bool pvd_passages_wanted(struct pvs_req *r)
{
    return bool_query(r, "view", "passages") || pvs_req_query(r, "order") != NULL;
}

/* The oldest waiting row leaves the window: counted, skipped or added to the page. */
static void emit_one(merger *m)
{
    row *x = &m->w[m->head];
    json_t *src = json_array();
    if (x->lock_src)
        json_array_append_new(src, json_string("lock"));
    if (x->key_src)
        json_array_append_new(src, json_string("key"));
    json_object_set_new(x->o, "sources", src);
    if (m->full || ++m->pos <= m->skip)
        json_decref(x->o);
    else if (!pvs_page_add(m->pg, m->pos, x->o))
        m->full = true;
    m->head = (m->head + 1) % WINDOW;
    m->n--;
}

static json_t *row_json(pvs_stmt *st)
{
    json_t *o = pvd_row(st, "source:s,lock_id:i,seq:i,time:i,kind:s,reason:s,bearer_id:n,"
                            "staff_id:n,provider_id:n,lock_kind:s,lock_label:s,alarm:b");
    const char *src = pvs_col_text(st, 0), *reason = pvs_col_text(st, 5);
    if (src && strcmp(src, "lock") == 0) /* locks report -pv_err as a number */
        json_object_set_new(o, "reason", reason && atoi(reason)
                                             ? json_string(pv_errname(-atoi(reason)))
                                             : json_null());
    return o;
}

/* The row's twin waiting in the window (same door, key and outcome, the other source, close
 * enough in time), or NULL. */
static row *twin(merger *m, const row *y)
{
    for (size_t i = 0; i < m->n; i++) {
        row *x = &m->w[(m->head + i) % WINDOW];
        if (x->lock == y->lock && x->bearer == y->bearer && strcmp(x->kind, y->kind) == 0 &&
            (y->lock_src ? !x->lock_src : !x->key_src) && llabs(x->time - y->time) <= PASSAGE_S)
            return x;
    }
    return NULL;
}

static void take(merger *m, pvs_stmt *st, bool merge)
{
    row y = {.lock = pvs_col_i64(st, 1), .time = pvs_col_i64(st, 3),
             .bearer = pvs_col_i64(st, 6)};
    const char *src = pvs_col_text(st, 0), *kind = pvs_col_text(st, 4);
    snprintf(y.kind, sizeof y.kind, "%s", kind ? kind : "");
    y.lock_src = src && strcmp(src, "lock") == 0;
    y.key_src = !y.lock_src;
    while (m->n && (!merge || llabs(m->w[m->head].time - y.time) > PASSAGE_S))
        emit_one(m);
    row *x = merge ? twin(m, &y) : NULL;
    if (x && y.lock_src) { /* the signed record is the one kept (with the key's alarm flag) */
        bool alarm = json_is_true(json_object_get(x->o, "alarm"));
        json_decref(x->o);
        x->o = row_json(st);
        if (alarm)
            json_object_set_new(x->o, "alarm", json_true());
        x->time = y.time;
        x->lock_src = 1;
        return;
    }
    if (x) {
        x->key_src = 1;
        if (pvs_col_i64(st, 11))
            json_object_set_new(x->o, "alarm", json_true());
        return;
    }
    if (m->n == WINDOW)
        emit_one(m);
    y.o = row_json(st);
    m->w[(m->head + m->n) % WINDOW] = y;
    m->n++;
}

typedef struct feed {
    merger *m;
    bool merge;
} feed;

static bool feed_row(pvs_stmt *st, void *ctx)
{
    feed *fd = ctx;
    take(fd->m, st, fd->merge);
    return !fd->m->full;
}

void pvd_passages(struct pvs_req *r)
{
    int64_t f[7]; /* provider, recipient, lock, staff, bearer, from, to */
    const char *order = pvs_req_query(r, "order");
    bool merge = bool_query(r, "view", "passages");
    if (order && strcmp(order, "asc") != 0 && strcmp(order, "desc") != 0) {
        pvs_problem_ext(r, 400, "invalid-query", "Invalid query parameter",
                        json_pack("{s:[{s:s,s:s}]}", "errors", "member", "order", "rule", "enum"),
                        "order must be asc or desc.");
        return;
    }
    bool desc = order ? strcmp(order, "desc") == 0 : merge;
    struct pvs_page pg;
    if (!pvd_log_filters(r, f) || !pvs_page_begin(r, &pg))
        return;
    if (pvs_scope_provider(r))
        f[0] = pvs_scope_provider(r); /* a provider caller sees its own keys' events only */
    merger *m = calloc(1, sizeof *m);
    int rc = m ? PVS_DB_OK : PVS_DB_ERROR;
    if (m) {
        m->pg = &pg;
        m->skip = pg.after;
        feed fd = {m, merge};
        struct pvs_rows_out out = {feed_row, &fd};
        /* raw rows enough for the page even if every passage came twice, plus the window */
        rc = pvs_passages_rows(r->db, f, desc, 2 * (pg.after + pg.limit + 1) + WINDOW, &out);
        while (m->n)
            emit_one(m);
    }
    free(m);
    if (rc != PVS_DB_OK) {
        pvs_page_free(&pg);
        pvs_problem_db(r, rc, "access log");
        return;
    }
    pvs_page_reply(r, &pg);
}
