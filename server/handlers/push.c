/* POST /api/v1/phone/wait: the phone's push by long poll (docs/phone.md, "Push"). The open app
 * sends its key's change token; when the server's differs it answers at once, otherwise it
 * holds the request (suspended, no thread and no database connection kept) until the key's
 * token moves or PVS_PUSH_HOLD_S pass, then answers with the token. The app syncs when the
 * token it gets differs from the one it synced at. Held requests are bounded in all and per
 * address; past either bound the phone is told, in Swedish, to wait and is asked to retry. */
#include <stdio.h>
#include <string.h>

#include "../services/push.h"
#include "push_handlers.h"
#include "pvs/clock.h"
#include "pvs/core.h"
#include "util.h"

/* The key's token now, or the refusal for a blocked or unknown key. True when answered. */
static bool answer_token(struct pvs_req *r, int64_t bearer_id, const char *have)
{
    char token[PVS_PUSH_TOKEN_LEN + 1];
    enum pvs_phone_refusal why;
    int rc = pvs_push_key_token(r->db, bearer_id, pvs_now(), token, &why);
    if (rc != PVS_DB_OK)
        pvs_problem_db(r, rc, "key");
    else if (why == PVS_PHONE_BLOCKED)
        pvs_problem(r, 403, "bearer-blocked", "Nyckeln är spärrad",
                    "Den här nyckeln är spärrad. Kontakta din planerare.");
    else if (why != PVS_PHONE_OK)
        pvs_problem(r, 404, "phone-unknown", "Okänd nyckel", "Nyckeln är inte registrerad.");
    else if (!have || strcmp(have, token) != 0)
        pvs_reply_json(r, 200, json_pack("{s:s}", "token", token));
    else
        return false;
    return true;
}

static void wake(void *req)
{
    pvs_req_wake(req);
}

static void arm(struct pvs_req *r)
{
    pvs_push_arm(r->hold, r, wake);
}

/* Woken: the token as it is now (moved, or the same after PVS_PUSH_HOLD_S). */
static void done(struct pvs_req *r)
{
    struct pvs_push_wait *w = r->hold;
    r->hold = NULL;
    if (!answer_token(r, pvs_push_bearer(w), NULL))
        pvs_problem(r, 500, "internal", "Internt fel", "Servern kunde inte svara.");
    pvs_push_release(w);
}

static void refuse_full(struct pvs_req *r, enum pvs_push_admit why)
{
    pvs_reply_header(r, "Retry-After", "5");
    if (why == PVS_PUSH_ADDR_FULL)
        pvs_problem(r, 429, "push-too-many", "För många väntande telefoner",
                    "Från din adress väntar redan %u telefoner på ändringar. Appen försöker igen "
                    "om fem sekunder; dörrarna fungerar som vanligt.", PVS_PUSH_PER_ADDR);
    else
        pvs_problem(r, 503, "push-full", "Servern är fullt upptagen",
                    "Servern håller redan så många telefoner som den kan vänta åt. Appen "
                    "försöker igen om fem sekunder; dörrarna fungerar som vanligt.");
}

void pvp_wait(struct pvs_req *r)
{
    static const struct pvs_jfield fields[] = {
        {"bearer_id", PVS_J_ID, PVS_JF_REQUIRED, 0, 0},
        {"token", PVS_J_STRING, 0, 0, PVS_PUSH_TOKEN_LEN},
    };
    json_t *b = pvs_body_json(r, PVS_JFIELDS(fields));
    if (!b)
        return;
    int64_t bearer_id = pvs_jint(b, "bearer_id", 0);
    char have[PVS_PUSH_TOKEN_LEN + 1];
    snprintf(have, sizeof have, "%s", pvs_jstr(b, "token", ""));
    json_decref(b);
    if (answer_token(r, bearer_id, have))
        return;
    struct pvs_push_wait *w = NULL;
    enum pvs_push_admit why = pvs_push_reserve(r->srv->store, PVS_HTTP_HELD_MAX, r->client_addr,
                                               bearer_id, have, &w);
    if (why != PVS_PUSH_ADMITTED) {
        refuse_full(r, why);
        return;
    }
    pvs_http_on_stop(pvs_push_stop); /* held requests are woken before the server stops */
    pvs_req_hold(r, w, arm, done);
}
