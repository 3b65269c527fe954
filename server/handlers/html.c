/* The HTML buffer of server-made pages (html.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"

void pvd_html_put(struct pvd_html *h, const char *s, size_t n)
{
    if (h->failed || h->len + n + 1 > PVD_HTML_MAX) {
        h->failed = true;
        return;
    }
    if (h->len + n + 1 > h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 8192;
        while (cap < h->len + n + 1)
            cap *= 2;
        char *g = realloc(h->p, cap);
        if (!g) {
            h->failed = true;
            return;
        }
        h->p = g, h->cap = cap;
    }
    memcpy(h->p + h->len, s, n);
    h->len += n;
    h->p[h->len] = '\0';
}

void pvd_html_putf(struct pvd_html *h, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    pvd_html_put(h, buf, n < 0 ? 0 : (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

void pvd_html_text(struct pvd_html *h, const char *s)
{
    for (; s && *s; s++) {
        const char *e = *s == '&' ? "&amp;" : *s == '<' ? "&lt;" : *s == '>' ? "&gt;"
                      : *s == '"' ? "&quot;" : *s == '\'' ? "&#39;" : NULL;
        if (e)
            pvd_html_put(h, e, strlen(e));
        else
            pvd_html_put(h, s, 1);
    }
}

void pvd_html_head(struct pvd_html *h, const char *title, const char *css)
{
    PVD_PUT(h, "<!doctype html>\n<html lang=\"sv\"><head><meta charset=\"utf-8\">"
               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
               "<meta name=\"robots\" content=\"noindex\"><link rel=\"stylesheet\" href=\"/css/");
    pvd_html_text(h, css);
    PVD_PUT(h, "\"><title>");
    pvd_html_text(h, title);
    PVD_PUT(h, "</title></head><body><main>");
}

void pvd_html_send(struct pvs_req *r, struct pvd_html *h, int status)
{
    PVD_PUT(h, "</main></body></html>\n");
    if (h->failed)
        pvs_problem(r, 500, "internal", "Internal error", "The page could not be made.");
    else
        pvs_reply_raw(r, status, "text/html; charset=utf-8", h->p, h->len);
    free(h->p);
    h->p = NULL;
}
