/* Response helpers for handlers: JSON, raw bytes, extra headers and problem details. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvs/http.h"

static void set_body(struct pvs_req *r, int status, const char *type, char *body, size_t len)
{
    free(r->resp_body);
    r->status = status;
    r->resp_type = type;
    r->resp_body = body;
    r->resp_len = len;
}

void pvs_reply_json(struct pvs_req *r, int status, json_t *body)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    if (!text) {
        pvs_problem(r, 500, "internal", "Internal error", "The response could not be encoded.");
        return;
    }
    set_body(r, status, "application/json", text, strlen(text));
}

void pvs_reply_raw(struct pvs_req *r, int status, const char *type, const void *data,
                   size_t len)
{
    char *copy = malloc(len ? len : 1);
    if (!copy) {
        set_body(r, 500, "text/plain", NULL, 0);
        return;
    }
    if (len)
        memcpy(copy, data, len);
    set_body(r, status, type, copy, len);
}

void pvs_reply_empty(struct pvs_req *r)
{
    set_body(r, 204, NULL, NULL, 0);
}

void pvs_reply_clear_headers(struct pvs_req *r)
{
    for (int i = 0; i < r->nresp_headers; i++) {
        free(r->resp_headers[i].name);
        free(r->resp_headers[i].value);
    }
    r->nresp_headers = 0;
}

void pvs_reply_header(struct pvs_req *r, const char *name, const char *value)
{
    if (r->nresp_headers >= PVS_MAX_RESP_HEADERS)
        return;
    struct pvs_header *h = &r->resp_headers[r->nresp_headers];
    h->name = strdup(name);
    h->value = strdup(value);
    if (!h->name || !h->value) {
        free(h->name);
        free(h->value);
        return;
    }
    r->nresp_headers++;
}

/* Length of the valid UTF-8 sequence at s (1-4), or 0 when s does not start one. */
static size_t utf8_seq(const unsigned char *s)
{
    size_t n = s[0] < 0x80 ? 1 : s[0] >= 0xc2 && s[0] <= 0xdf ? 2 : s[0] >= 0xe0 && s[0] <= 0xef ? 3
             : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    if ((n == 3 && s[0] == 0xe0 && s[1] < 0xa0) || (n == 3 && s[0] == 0xed && s[1] > 0x9f) ||
        (n == 4 && s[0] == 0xf0 && s[1] < 0x90) || (n == 4 && s[0] == 0xf4 && s[1] > 0x8f))
        return 0; /* overlong, surrogate or past U+10FFFF */
    return n;
}

/* A detail may quote what the client sent (a path, a member name): every byte that is not
 * part of valid UTF-8 becomes '?', so the problem can always be encoded as JSON. */
static void utf8_clean(char *s)
{
    for (unsigned char *p = (unsigned char *)s; *p;) {
        size_t n = utf8_seq(p);
        if (n == 0)
            *p++ = '?';
        else
            p += n;
    }
}

static void problem_v(struct pvs_req *r, int status, const char *type, const char *title,
                      json_t *ext, const char *detail_fmt, va_list ap)
    __attribute__((format(printf, 6, 0)));

static void problem_v(struct pvs_req *r, int status, const char *type, const char *title,
                      json_t *ext, const char *detail_fmt, va_list ap)
{
    char detail[1024];
    vsnprintf(detail, sizeof detail, detail_fmt, ap);
    utf8_clean(detail);
    char uri[160];
    snprintf(uri, sizeof uri, PVS_PROBLEM_BASE "%s", type);
    json_t *o = json_pack("{s:s, s:s, s:i, s:s}", "type", uri, "title", title, "status", status,
                          "detail", detail);
    if (o && ext)
        json_object_update_missing(o, ext);
    json_decref(ext);
    char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (!text) {
        set_body(r, 500, "text/plain", NULL, 0);
        return;
    }
    set_body(r, status, "application/problem+json", text, strlen(text));
}

void pvs_problem(struct pvs_req *r, int status, const char *type, const char *title,
                 const char *detail_fmt, ...)
{
    va_list ap;
    va_start(ap, detail_fmt);
    problem_v(r, status, type, title, NULL, detail_fmt, ap);
    va_end(ap);
}

void pvs_problem_ext(struct pvs_req *r, int status, const char *type, const char *title,
                     json_t *ext, const char *detail_fmt, ...)
{
    va_list ap;
    va_start(ap, detail_fmt);
    problem_v(r, status, type, title, ext, detail_fmt, ap);
    va_end(ap);
}

void pvs_problem_db(struct pvs_req *r, int rc, const char *what)
{
    switch (rc) {
    case PVS_DB_UNIQUE:
        pvs_problem_ext(r, 409, "conflict", "Already exists", pvs_problem_object_params(what),
                        "%s already exists; choose another value.", what);
        break;
    case PVS_DB_FOREIGN:
        pvs_problem_ext(r, 409, "reference", "Referenced object missing or in use",
                        pvs_problem_object_params(what),
                        "%s refers to an object that does not exist, or is still referred to.",
                        what);
        break;
    case PVS_DB_CONSTRAINT:
        pvs_problem_ext(r, 400, "invalid-value", "Invalid value", pvs_problem_object_params(what),
                        "%s has a value the database refuses.", what);
        break;
    case PVS_DB_BUSY:
        pvs_reply_header(r, "Retry-After", "1");
        pvs_problem(r, 503, "busy", "Busy", "The database is busy; try again in a second.");
        break;
    case PVS_DB_UNAVAILABLE:
        /* nothing was committed; a station keeps its queue and retries */
        fprintf(stderr, "%s database unavailable in %s %s: %s\n", r->request_id,
                r->method ? r->method : "-", r->path ? r->path : "-",
                r->db ? pvs_db_errmsg(r->db) : "no connection");
        pvs_reply_header(r, "Retry-After", "5");
        pvs_problem(r, 503, "database-unavailable", "Database unavailable",
                    "The database cannot be reached right now; try again in a minute.");
        break;
    case PVS_DB_NOTFOUND:
        pvs_problem(r, 404, "not-found", "Not found", "%s does not exist.", what);
        break;
    default:
        /* the cause goes to the log with the request id, never to the client */
        fprintf(stderr, "%s database error (%s) in %s %s: %s\n", r->request_id,
                pvs_db_rcname(rc), r->method ? r->method : "-", r->path ? r->path : "-",
                r->db ? pvs_db_errmsg(r->db) : "no connection");
        pvs_problem(r, 500, "internal", "Internal error",
                    "A database error occurred; it has been logged (request %s).", r->request_id);
        break;
    }
}
