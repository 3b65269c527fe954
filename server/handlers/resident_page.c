/* The resident's page at /hemma/<link>: who opened their apartment door in the last 30 days,
 * in large plain Swedish, one server-rendered HTML page without scripts so it works on a
 * cheap phone and prints on paper; and the plain pages for a link that is no longer valid
 * or a client that has guessed too often. Every view is recorded (services/resident.c). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../services/resident.h"
#include "domain_handlers.h"
#include "portvakt/error.h"
#include "pvs/clock.h"

/* A growable HTML buffer with a ceiling (a month of visits is a few tens of kilobytes). */
struct html {
    char *p;
    size_t len, cap;
    bool failed;
};
#define HTML_MAX (512u * 1024u)
#define PUT(h, lit) put((h), (lit), sizeof(lit) - 1) /* a string literal */

static void put(struct html *h, const char *s, size_t n)
{
    if (h->failed || h->len + n + 1 > HTML_MAX) {
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

static void putf(struct html *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(struct html *h, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    put(h, buf, n < 0 ? 0 : (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

/* Text into HTML: the five special characters escaped. */
static void put_text(struct html *h, const char *s)
{
    for (; s && *s; s++) {
        const char *e = *s == '&' ? "&amp;" : *s == '<' ? "&lt;" : *s == '>' ? "&gt;"
                      : *s == '"' ? "&quot;" : *s == '\'' ? "&#39;" : NULL;
        if (e)
            put(h, e, strlen(e));
        else
            put(h, s, 1);
    }
}

static const char *const weekdays[] = {"söndag", "måndag", "tisdag", "onsdag",
                                       "torsdag", "fredag", "lördag"};
static const char *const months[] = {"januari", "februari", "mars", "april", "maj", "juni", "juli",
                                     "augusti", "september", "oktober", "november", "december"};

static void head(struct html *h, const char *title)
{
    PUT(h, "<!doctype html>\n<html lang=\"sv\"><head><meta charset=\"utf-8\">"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
           "<meta name=\"robots\" content=\"noindex\">"
           "<link rel=\"stylesheet\" href=\"/css/resident.css\"><title>");
    put_text(h, title);
    PUT(h, "</title></head><body><main>");
}

/* Why a door did not open, in words a resident uses. */
static const char *refusal_text(int reason)
{
    switch (reason) {
    case PV_E_REVOKED: return "nyckeln är spärrad";
    case PV_E_EXPIRED: return "nyckelns tid för besöket var slut";
    case PV_E_NOT_YET_VALID: return "nyckelns tid för besöket hade inte börjat";
    case PV_E_NO_RIGHT: case PV_E_WRONG_LOCK: case PV_E_SCOPE:
        return "nyckeln har ingen behörighet till din dörr";
    case PV_E_BACKOFF: return "för många försök i rad, låset väntade";
    case PV_E_NO_CREDENTIAL: return "nyckeln var inte laddad för dagen";
    default: return "låset godkände inte nyckeln";
    }
}

static void row(struct html *h, const struct pvs_resident_row *w)
{
    struct tm tm;
    time_t t = (time_t)w->time;
    localtime_r(&t, &tm);
    putf(h, "<li class=\"%s\"><span class=\"time\">kl. %02d.%02d</span> ",
         w->opened ? "opened" : "refused", tm.tm_hour, tm.tm_min);
    PUT(h, "<strong>");
    put_text(h, w->first_name[0] ? w->first_name : "Okänd person");
    PUT(h, "</strong>");
    if (w->provider[0]) {
        PUT(h, ", ");
        put_text(h, w->provider);
    }
    if (w->opened)
        PUT(h, " <span class=\"what\">öppnade</span>");
    else {
        PUT(h, " <span class=\"what\">kom inte in</span> – ");
        put_text(h, refusal_text(w->reason));
    }
    PUT(h, "<br><span class=\"detail\">");
    put_text(h, w->door[0] ? w->door : "Din dörr");
    if (w->key_label[0]) {
        PUT(h, " · nyckel ");
        put_text(h, w->key_label);
    }
    PUT(h, "</span></li>\n");
}

static void body_view(struct html *h, const struct pvs_resident_view *v, int64_t now)
{
    PUT(h, "<h1>Vem har öppnat din dörr?</h1>\n<p class=\"lead\">Här ser du varje gång någon från"
           " hemtjänsten har öppnat din dörr med sin digitala nyckel de senaste 30 dagarna. Du"
           " ser också försök där dörren inte öppnades.</p>\n");
    int last_day = -1;
    for (size_t i = 0; i < v->nrows; i++) {
        struct tm tm;
        time_t t = (time_t)v->rows[i].time;
        localtime_r(&t, &tm);
        int day = tm.tm_year * 400 + tm.tm_yday;
        if (day != last_day) {
            if (last_day != -1)
                PUT(h, "</ol>\n");
            putf(h, "<h2>%s %d %s</h2>\n<ol class=\"day\">\n", weekdays[tm.tm_wday], tm.tm_mday,
                 months[tm.tm_mon]);
            last_day = day;
        }
        row(h, &v->rows[i]);
    }
    if (last_day != -1)
        PUT(h, "</ol>\n");
    else
        PUT(h, "<p class=\"none\">Ingen har öppnat din dörr med en digital nyckel de senaste 30"
               " dagarna.</p>\n");
    struct tm tm;
    time_t t = (time_t)now;
    localtime_r(&t, &tm);
    putf(h, "<p class=\"foot\">Visad %d %s %d kl. %02d.%02d. Besök syns här när personalen har"
            " laddat sin nyckel på kontoret, oftast samma dag. Frågor? Ring trygghetsjouren.</p>\n",
         tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min);
}

static void finish(struct pvs_req *r, struct html *h, int status)
{
    PUT(h, "</main></body></html>\n");
    if (h->failed) {
        free(h->p);
        pvs_problem(r, 500, "internal", "Internal error", "The page could not be made.");
        return;
    }
    pvs_reply_raw(r, status, "text/html; charset=utf-8", h->p, h->len);
    free(h->p);
}

/* GET /hemma/{link} */
void pvd_resident_page(struct pvs_req *r)
{
    enum pvs_resident_lookup outcome;
    struct pvs_resident_view v;
    int64_t now = pvs_now();
    int rc = pvs_resident_lookup(r->db, r->nparams ? r->params[0] : "", r->client_addr, now,
                                 &outcome, &v);
    struct html h = {0};
    if (rc != PVS_DB_OK) {
        head(&h, "Försök igen senare");
        PUT(&h, "<h1>Sidan går inte att visa just nu</h1>\n<p class=\"lead\">Försök igen om en"
                " stund.</p>\n");
        finish(r, &h, rc == PVS_DB_BUSY ? 503 : 500);
        return;
    }
    if (outcome == PVS_RESIDENT_OK) {
        head(&h, "Vem har öppnat din dörr?");
        body_view(&h, &v, now);
        pvs_resident_view_free(&v);
        finish(r, &h, 200);
        return;
    }
    if (outcome == PVS_RESIDENT_LIMITED) {
        char secs[16];
        snprintf(secs, sizeof secs, "%d", PVS_RESIDENT_FAIL_WINDOW_S);
        pvs_reply_header(r, "Retry-After", secs);
        head(&h, "För många försök");
        PUT(&h, "<h1>För många försök</h1>\n<p class=\"lead\">Vänta en kvart och försök sedan"
                " igen.</p>\n");
        finish(r, &h, 429);
        return;
    }
    /* unknown and revoked look the same to the reader: nothing to learn from guessing */
    head(&h, "Länken gäller inte längre");
    PUT(&h, "<h1>Länken gäller inte längre</h1>\n<p class=\"lead\">Den här länken går inte att"
            " använda. Ring trygghetsjouren om du vill ha en ny.</p>\n");
    finish(r, &h, outcome == PVS_RESIDENT_REVOKED ? 410 : 404);
}
