/* GET /recipients/{id}/extract: the register extract (GDPR art. 15) for one recipient, as
 * JSON, or with ?format=html as a printable Swedish document (services/extract.c holds the
 * sections). Producing one is itself audited. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../services/extract.h"
#include "domain_handlers.h"
#include "html.h"
#include "util.h"

struct extract_out {
    json_t *json;          /* {section key: [rows]} */
    struct pvd_html *html; /* or the document, section by section */
    const struct pvs_extract_section *open; /* the section whose table is open */
};

/* Staff names are cut to the first name: the extract is the recipient's, not the staff's. */
static void cell(const struct pvs_extract_section *s, int i, const char *v, char *out, size_t cap)
{
    size_t n = v && strcmp(s->cols[i], "staff_first_name") == 0 ? strcspn(v, " ") : SIZE_MAX;
    snprintf(out, cap, "%.*s", (int)(n < cap ? n : cap - 1), v ? v : "");
}

static void html_section_start(struct pvd_html *h, const struct pvs_extract_section *s,
                               bool close)
{
    if (close)
        PVD_PUT(h, "</tbody></table>\n");
    PVD_PUT(h, "<h2>");
    pvd_html_text(h, s->title_sv);
    PVD_PUT(h, "</h2>\n<table><thead><tr>");
    for (int i = 0; i < s->ncols; i++) {
        PVD_PUT(h, "<th scope=\"col\">");
        pvd_html_text(h, s->cols_sv[i]);
        PVD_PUT(h, "</th>");
    }
    PVD_PUT(h, "</tr></thead><tbody>\n");
}

static int on_row(void *ctx, const struct pvs_extract_section *s, const char *const *vals)
{
    struct extract_out *o = ctx;
    char v[512];
    if (o->json) {
        json_t *arr = json_object_get(o->json, s->key), *row = json_object();
        for (int i = 0; i < s->ncols; i++) {
            cell(s, i, vals[i], v, sizeof v);
            json_object_set_new(row, s->cols[i], vals[i] ? json_string(v) : json_null());
        }
        return json_array_append_new(arr, row);
    }
    if (o->open != s) {
        html_section_start(o->html, s, o->open != NULL);
        o->open = s;
    }
    PVD_PUT(o->html, "<tr>");
    for (int i = 0; i < s->ncols; i++) {
        cell(s, i, vals[i], v, sizeof v);
        PVD_PUT(o->html, "<td>");
        pvd_html_text(o->html, v);
        PVD_PUT(o->html, "</td>");
    }
    PVD_PUT(o->html, "</tr>\n");
    return o->html->failed ? -1 : 0;
}

static void html_intro(struct pvd_html *h, int64_t id)
{
    char day[32];
    time_t now = (time_t)pvs_now();
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(day, sizeof day, "%Y-%m-%d", &tm);
    pvd_html_head(h, "Registerutdrag", "extract.css");
    pvd_html_putf(h, "<h1>Registerutdrag för brukare nummer %lld</h1>\n", (long long)id);
    pvd_html_putf(h, "<p class=\"lead\">Allt som Portvakt har sparat om brukaren, utskrivet %s "
                     "(dataskyddsförordningen artikel 15). Tider är unixsekunder; personal anges "
                     "med förnamn. Avsnitt utan uppgifter är utelämnade.</p>\n",
                  day);
}

static int audit_extract(struct pvs_req *r, int64_t id, const char *format)
{
    json_t *d = json_pack("{s:s}", "format", format);
    int rc = pvd_begin(r, true) ? pvs_audit_append(r, "recipient.extract", "recipient", id, d)
                                : PVS_DB_BUSY;
    json_decref(d);
    if (rc == PVS_DB_OK)
        return pvd_commit(r) ? PVS_DB_OK : PVS_DB_ERROR;
    if (pvs_tx_in_progress(r->db))
        pvd_fail(r, rc, "Register extract");
    return rc;
}

void pvd_recipient_extract(struct pvs_req *r)
{
    int64_t id = 0;
    if (!pvs_req_id(r, 0, &id))
        return;
    const char *format = pvs_req_query(r, "format");
    bool html = format && strcmp(format, "html") == 0;
    if (format && !html && strcmp(format, "json") != 0) {
        pvd_invalid(r, "format is \"json\" (the default) or \"html\".");
        return;
    }
    struct pvd_html h = {0};
    struct extract_out o = {NULL, &h, NULL};
    if (!html) {
        o.json = json_object();
        for (size_t i = 0; i < pvs_extract_nsections; i++)
            json_object_set_new(o.json, pvs_extract_sections[i].key, json_array());
    } else {
        html_intro(&h, id);
    }
    int rc = pvs_extract_run(r->db, id, on_row, &o);
    if (rc == PVS_DB_OK)
        rc = audit_extract(r, id, html ? "html" : "json");
    if (rc != PVS_DB_OK) {
        json_decref(o.json);
        free(h.p);
        if (r->status == 0)
            pvd_fail(r, rc, "Care recipient");
        return;
    }
    if (!html) {
        pvs_reply_json(r, 200, o.json);
        return;
    }
    if (o.open)
        PVD_PUT(&h, "</tbody></table>\n");
    pvd_html_send(r, &h, 200);
}
