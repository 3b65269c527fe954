/* A growable HTML buffer with a ceiling, for the pages the server makes itself (the resident's
 * page, the register extract): literal markup, formatted markup and escaped text. */
#ifndef PVD_HTML_H
#define PVD_HTML_H

#include <stdbool.h>
#include <stddef.h>

#include "pvs/http.h"

#define PVD_HTML_MAX (2u * 1024u * 1024u) /* a year of passages is well under this */

struct pvd_html {
    char *p;
    size_t len, cap;
    bool failed; /* out of memory or past the ceiling: the page is not sent */
};

void pvd_html_put(struct pvd_html *h, const char *s, size_t n);
#define PVD_PUT(h, lit) pvd_html_put((h), (lit), sizeof(lit) - 1) /* a string literal */
void pvd_html_putf(struct pvd_html *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Text into HTML: the five special characters escaped; NULL is nothing. */
void pvd_html_text(struct pvd_html *h, const char *s);
/* The standard head (Swedish, viewport, noindex, a stylesheet under /css/) and <main>. */
void pvd_html_head(struct pvd_html *h, const char *title, const char *css);
/* Close the page and send it with `status`, or a 500 problem when it failed; frees h. */
void pvd_html_send(struct pvs_req *r, struct pvd_html *h, int status);

#endif
