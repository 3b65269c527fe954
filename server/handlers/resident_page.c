/* The resident's page at /hemma/<link>: who opened their apartment door in the last 30 days,
 * in large plain Swedish, one server-rendered HTML page without scripts so it works on a
 * cheap phone and prints on paper; and the plain pages for a link that is no longer valid
 * or a client that has guessed too often. Every view is recorded (services/resident.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../services/resident.h"
#include "domain_handlers.h"
#include "portvakt/error.h"
#include "pvs/clock.h"
#include "html.h"

static const char *const weekdays[] = {"söndag", "måndag", "tisdag", "onsdag",
                                       "torsdag", "fredag", "lördag"};
static const char *const months[] = {"januari", "februari", "mars", "april", "maj", "juni", "juli",
                                     "augusti", "september", "oktober", "november", "december"};

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

static void row(struct pvd_html *h, const struct pvs_resident_row *w)
{
    struct tm tm;
    time_t t = (time_t)w->time;
    localtime_r(&t, &tm);
    pvd_html_putf(h, "<li class=\"%s\"><span class=\"time\">kl. %02d.%02d</span> ",
         w->opened ? "opened" : "refused", tm.tm_hour, tm.tm_min);
    PVD_PUT(h, "<strong>");
    pvd_html_text(h, w->first_name[0] ? w->first_name : "Okänd person");
    PVD_PUT(h, "</strong>");
    if (w->provider[0]) {
        PVD_PUT(h, ", ");
        pvd_html_text(h, w->provider);
    }
    if (w->opened && w->alarm) /* the resident's own words for an alarm responder's visit */
        PVD_PUT(h, " <span class=\"what\">öppnade</span> <span class=\"alarm\">vid ett larm"
                   " från ditt trygghetslarm</span>");
    else if (w->opened)
        PVD_PUT(h, " <span class=\"what\">öppnade</span>");
    else {
        PVD_PUT(h, " <span class=\"what\">kom inte in</span> – ");
        pvd_html_text(h, refusal_text(w->reason));
    }
    PVD_PUT(h, "<br><span class=\"detail\">");
    pvd_html_text(h, w->door[0] ? w->door : "Din dörr");
    if (w->key_label[0]) {
        PVD_PUT(h, " · nyckel ");
        pvd_html_text(h, w->key_label);
    }
    PVD_PUT(h, "</span></li>\n");
}

static void body_view(struct pvd_html *h, const struct pvs_resident_view *v, int64_t now)
{
    PVD_PUT(h, "<h1>Vem har öppnat din dörr?</h1>\n<p class=\"lead\">Här ser du varje gång någon från"
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
                PVD_PUT(h, "</ol>\n");
            pvd_html_putf(h, "<h2>%s %d %s</h2>\n<ol class=\"day\">\n", weekdays[tm.tm_wday], tm.tm_mday,
                 months[tm.tm_mon]);
            last_day = day;
        }
        row(h, &v->rows[i]);
    }
    if (last_day != -1)
        PVD_PUT(h, "</ol>\n");
    else
        PVD_PUT(h, "<p class=\"none\">Ingen har öppnat din dörr med en digital nyckel de senaste 30"
               " dagarna.</p>\n");
    struct tm tm;
    time_t t = (time_t)now;
    localtime_r(&t, &tm);
    pvd_html_putf(h, "<p class=\"foot\">Visad %d %s %d kl. %02d.%02d. Besök syns här när personalen har"
            " laddat sin nyckel på kontoret, oftast samma dag. Frågor? Ring trygghetsjouren.</p>\n",
         tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min);
}

/* GET /hemma/{link} */
void pvd_resident_page(struct pvs_req *r)
{
    enum pvs_resident_lookup outcome;
    struct pvs_resident_view v;
    int64_t now = pvs_now();
    int rc = pvs_resident_lookup(r->db, r->nparams ? r->params[0] : "", r->client_addr, now,
                                 &outcome, &v);
    struct pvd_html h = {0};
    if (rc != PVS_DB_OK) {
        pvd_html_head(&h, "Försök igen senare", "resident.css");
        PVD_PUT(&h, "<h1>Sidan går inte att visa just nu</h1>\n<p class=\"lead\">Försök igen om en"
                " stund.</p>\n");
        pvd_html_send(r, &h, rc == PVS_DB_BUSY ? 503 : 500);
        return;
    }
    if (outcome == PVS_RESIDENT_OK) {
        pvd_html_head(&h, "Vem har öppnat din dörr?", "resident.css");
        body_view(&h, &v, now);
        pvs_resident_view_free(&v);
        pvd_html_send(r, &h, 200);
        return;
    }
    if (outcome == PVS_RESIDENT_LIMITED) {
        char secs[16];
        snprintf(secs, sizeof secs, "%d", PVS_RESIDENT_FAIL_WINDOW_S);
        pvs_reply_header(r, "Retry-After", secs);
        pvd_html_head(&h, "För många försök", "resident.css");
        PVD_PUT(&h, "<h1>För många försök</h1>\n<p class=\"lead\">Vänta en kvart och försök sedan"
                " igen.</p>\n");
        pvd_html_send(r, &h, 429);
        return;
    }
    /* unknown and revoked look the same to the reader: nothing to learn from guessing */
    pvd_html_head(&h, "Länken gäller inte längre", "resident.css");
    PVD_PUT(&h, "<h1>Länken gäller inte längre</h1>\n<p class=\"lead\">Den här länken går inte att"
            " använda. Ring trygghetsjouren om du vill ha en ny.</p>\n");
    pvd_html_send(r, &h, outcome == PVS_RESIDENT_REVOKED ? 410 : 404);
}
