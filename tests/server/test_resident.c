/* The resident's view over HTTP (services/resident.c, handlers/resident_*.c): a link made with
 * consent shows that recipient's passages of the last 30 days — first names, provider, key
 * label, refusals in words — and nothing of another recipient; every view is counted for the
 * alarm centre; revoking takes effect at once; 1,000 guessed links get nothing and the
 * guesser is rate-limited while the resident, elsewhere, still gets in; only the central
 * administration manages links; the register extract holds every kind of record of one
 * recipient and nothing of another; `purge` deletes exactly what expired, audited, and the
 * audit chain stays intact. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "portvakt/error.h"
#include "pvs/store.h"
#include "pvt.h"

static struct pvt_server S;
static struct pvt_client ADMIN;

static json_t *call(struct pvt_client *c, const char *method, const char *path, long status,
                    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static json_t *call(struct pvt_client *c, const char *method, const char *path, long status,
                    const char *fmt, ...)
{
    char body[2048] = "";
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(body, sizeof body, fmt, ap);
        va_end(ap);
    }
    struct pvt_resp r;
    json_t *out = NULL;
    int rc = pvt_req(&S, c, method, path, fmt ? body : NULL, &r);
    CHECK(rc == 0 && r.status == status, "%s %s -> %ld, want %ld: %s", method, path, r.status,
          status, r.body ? r.body : "");
    if (r.json)
        out = json_incref(r.json);
    pvt_resp_free(&r);
    return out ? out : json_object();
}

static int64_t id_of(json_t *o)
{
    int64_t id = json_integer_value(json_object_get(o, "id"));
    json_decref(o);
    return id;
}

static void pk_hex(char out[65])
{
    uint8_t pk[32], sk[64];
    crypto_sign_keypair(pk, sk);
    sodium_bin2hex(out, 65, pk, 32);
}

struct home {
    int64_t lock, recipient, staff, bearer;
};

/* A recipient with a commissioned apartment lock, a staff member and their key. */
static void make_home(int64_t building, int64_t provider, const char *code, const char *staff,
                      const char *key, struct home *h)
{
    char pk[65], path[128];
    pk_hex(pk);
    h->lock = id_of(call(&ADMIN, "POST", "/api/v1/locks", 201,
                         "{\"kind\":\"apartment\",\"building_id\":%lld,\"lock_public_key\":\"%s\"}",
                         (long long)building, pk));
    h->recipient = id_of(call(&ADMIN, "POST", "/api/v1/recipients", 201,
                              "{\"alarm_code\":\"%s\",\"building_id\":%lld,\"provider_id\":%lld,"
                              "\"lock_id\":%lld,\"apartment\":\"1203\"}",
                              code, (long long)building, (long long)provider, (long long)h->lock));
    json_decref(call(&ADMIN, "POST", "/api/v1/consents", 201,
                     "{\"kind\":\"recipient\",\"recipient_id\":%lld,\"given_on\":\"2026-03-01\"}",
                     (long long)h->recipient));
    snprintf(path, sizeof path, "/api/v1/locks/%lld/commission", (long long)h->lock);
    json_decref(call(&ADMIN, "POST", path, 200, "{}"));
    h->staff = id_of(call(&ADMIN, "POST", "/api/v1/staff", 201,
                          "{\"display_name\":\"%s\",\"provider_id\":%lld}", staff,
                          (long long)provider));
    pk_hex(pk);
    h->bearer = id_of(call(&ADMIN, "POST", "/api/v1/bearers", 201,
                           "{\"staff_id\":%lld,\"kind\":\"fob\",\"label\":\"%s\",\"public_key\":\"%s\"}",
                           (long long)h->staff, key, pk));
}

/* Passages as the ingestion stores them (the lock-signed log; tested in test_sync_http). */
static void add_event(pvs_db *db, const struct home *h, int64_t seq, int64_t t, int kind,
                      int reason)
{
    uint8_t raw[32] = {0};
    int64_t n = pvs_exec(db, "INSERT INTO lock_events (lock_id, seq, time, kind, reason, aux,"
                             " subject, raw, received_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?)",
                         PVS_ARGS(PVS_I64(h->lock), PVS_I64(seq), PVS_I64(t), PVS_I64(kind),
                                  PVS_I64(-reason), PVS_I64(h->bearer), PVS_BLOB(raw, 32),
                                  PVS_I64(t)));
    CHECK(n == 1, "event stored");
}

static struct pvt_resp get_page(const char *path)
{
    struct pvt_resp r;
    memset(&r, 0, sizeof r);
    CHECK(pvt_req(&S, NULL, "GET", path, NULL, &r) == 0, "GET %s answered", path);
    return r;
}

static const char *path_of(const char *url)
{
    const char *p = url ? strstr(url, "/hemma/") : NULL;
    return p ? p : "/hemma/x";
}

static void check_view(const char *path, const struct home *a)
{
    struct pvt_resp r = get_page(path);
    CHECK(r.status == 200 && strstr(r.content_type, "text/html"), "view -> %ld", r.status);
    const char *b = r.body ? r.body : "";
    CHECK(strstr(b, "Vem har öppnat din dörr?"), "Swedish title");
    CHECK(strstr(b, "<strong>Anna</strong>, Hemtjänst Söder"), "first name and provider");
    CHECK(!strstr(b, "Lindqvist"), "no surname");
    CHECK(strstr(b, "nyckel Bricka 12"), "key label");
    CHECK(strstr(b, "kom inte in</span> – nyckeln är spärrad"), "a refusal in words");
    CHECK(strstr(b, "kl. 08.15"), "local time of the visit (07:15 UTC)");
    CHECK(!strstr(b, "Bertil") && !strstr(b, "Hemtjänst Norr") && !strstr(b, "Bricka 99"),
          "nothing of the other recipient");
    CHECK(!strstr(b, "kl. 09.00"), "nothing older than 30 days");
    CHECK(!strstr(b, "<script"), "no scripts");
    CHECK(r.headers && strstr(r.headers, "no-store"), "never cached");
    (void)a;
    pvt_resp_free(&r);
}

/* The register extract has every kind of record recipient A has, and nothing of B. */
static void check_extract(const struct home *a)
{
    char path[128];
    snprintf(path, sizeof path, "/api/v1/recipients/%lld/extract", (long long)a->recipient);
    json_t *x = call(&ADMIN, "GET", path, 200, NULL);
    const char *kinds[] = {"recipient", "locks", "consents", "provider_periods", "rights",
                           "passages", "resident_links", "audit"};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        CHECK(json_array_size(json_object_get(x, kinds[i])) > 0, "extract has %s", kinds[i]);
    CHECK(json_array_size(json_object_get(x, "passages")) == 3, "all three passages, old too");
    char *dump = json_dumps(x, 0);
    CHECK(dump && strstr(dump, "LA-1001") && strstr(dump, "Anna") && !strstr(dump, "Lindqvist"),
          "A's alarm code, first names only");
    CHECK(dump && !strstr(dump, "LA-1002") && !strstr(dump, "Bertil") && !strstr(dump, "Bricka 99")
              && !strstr(dump, "Hemtjänst Norr"), "nothing of recipient B");
    free(dump);
    json_decref(x);
    char hp[160];
    snprintf(hp, sizeof hp, "%s?format=html", path);
    struct pvt_resp r;
    CHECK(pvt_req(&S, &ADMIN, "GET", hp, NULL, &r) == 0 && r.status == 200 && r.body &&
              strstr(r.body, "<h1>Registerutdrag") && strstr(r.body, "Passager och nekade") &&
              strstr(r.body, "Samtycken") && !strstr(r.body, "LA-1002"),
          "printable Swedish extract: %ld", r.status);
    pvt_resp_free(&r);
    json_decref(call(&ADMIN, "GET", "/api/v1/recipients/999/extract", 404, NULL));
}

static void guesses(const char *real_path)
{
    int counts[600] = {0};
    for (int i = 0; i < 1000; i++) {
        uint8_t g[32];
        char tok[64], path[96];
        randombytes_buf(g, sizeof g);
        sodium_bin2base64(tok, sizeof tok, g, sizeof g, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
        snprintf(path, sizeof path, "/hemma/%s", tok);
        struct pvt_resp r = get_page(path);
        if (r.status >= 0 && r.status < 600)
            counts[r.status]++;
        CHECK(r.status != 200 && (!r.body || !strstr(r.body, "Anna")), "a guess got nothing");
        pvt_resp_free(&r);
    }
    CHECK(counts[404] == 20 && counts[429] == 980, "20 refused, then limited: 404=%d 429=%d",
          counts[404], counts[429]);
    struct pvt_resp r = get_page(real_path);
    CHECK(r.status == 429, "the guesser's address is limited even for a real link");
    pvt_resp_free(&r);
    snprintf(S.source_addr, sizeof S.source_addr, "127.0.0.2"); /* the resident, elsewhere */
    r = get_page(real_path);
    CHECK(r.status == 200, "the resident still gets in: %ld", r.status);
    pvt_resp_free(&r);
    S.source_addr[0] = '\0';
}

static int64_t count_events(void)
{
    pvs_db *db = NULL;
    int64_t n = -1;
    if (pvt_db_open(&S, &db, false) == 0) {
        if (pvs_query_i64(db, "SELECT COUNT(*) FROM lock_events", PVS_NOARGS, &n) != PVS_DB_OK)
            n = -1;
        pvs_db_close(db);
    }
    return n;
}

/* Retention: `purge` (by the wall clock, months after these events) deletes exactly the
 * passages past 30 days except each lock's newest, keeps refusals and views kept for ever,
 * and audits itself. */
static void check_purge(const struct home *a)
{
    pvs_db *db = NULL;
    CHECK(pvt_db_open(&S, &db, true) == 0, "db");
    add_event(db, a, 4, PVT_T0 + 3600 + 2100, 1, 0); /* A's newest: kept whatever its age */
    pvs_db_close(db);
    CHECK(count_events() == 5, "five events before the purge");
    char cmd[1600], out[512] = "";
    snprintf(cmd, sizeof cmd, "'%s' purge --db '%s' --retain-passages-days 30"
             " --retain-refusals-days 0 --retain-syncs-days 0", S.exe, S.db);
    FILE *p = popen(cmd, "r");
    size_t n = p ? fread(out, 1, sizeof out - 1, p) : 0;
    out[n] = '\0';
    CHECK(p && pclose(p) == 0, "purge ran: %s", out);
    CHECK(strstr(out, "purged: 2 passages, 0 refusals, 0 key reports, 0 syncs, 0 link views"),
          "exactly the expired passages: %s", out);
    CHECK(count_events() == 3, "A's refusal and newest event and B's only event remain");
    CHECK(pvt_db_open(&S, &db, false) == 0, "db");
    int64_t audited = 0;
    CHECK(pvs_query_i64(db, "SELECT COUNT(*) FROM audit_log WHERE action = 'system.purge'",
                        PVS_NOARGS, &audited) == PVS_DB_OK && audited == 1, "the purge is audited");
    pvs_db_close(db);
}

int main(int argc, char **argv)
{
    if (argc < 3 || sodium_init() < 0)
        return 2;
    if (pvt_start(&S, argv[1], argv[2], NULL) != 0 || pvt_login_admin(&S, &ADMIN) != 0)
        return 1;
    int64_t south = pvt_create_provider(&S, &ADMIN, "Hemtjänst Söder");
    int64_t north = pvt_create_provider(&S, &ADMIN, "Hemtjänst Norr");
    int64_t owner = id_of(call(&ADMIN, "POST", "/api/v1/owners", 201, "{\"name\":\"Bostäder AB\"}"));
    int64_t building = id_of(call(&ADMIN, "POST", "/api/v1/buildings", 201,
                                  "{\"owner_id\":%lld,\"address\":\"Årstavägen 1\"}", (long long)owner));
    struct home a, b;
    make_home(building, south, "LA-1001", "Anna Lindqvist", "Bricka 12", &a);
    make_home(building, north, "LA-1002", "Bertil Ek", "Bricka 99", &b);
    pvs_db *db = NULL;
    CHECK(pvt_db_open(&S, &db, true) == 0, "db");
    int64_t t = PVT_T0 + 3600 + 900; /* 07:15 UTC = 08:15 in Stockholm */
    add_event(db, &a, 1, t, 1, 0);
    add_event(db, &a, 2, t + 600, 2, PV_E_REVOKED);
    add_event(db, &a, 3, PVT_T0 - 40 * 86400 + 3 * 3600, 1, 0); /* 09:00, 40 days ago */
    add_event(db, &b, 1, t + 60, 1, 0);
    pvs_db_close(db);
    CHECK(pvt_clock_set(&S, PVT_T0 + 86400) == 0 && pvt_login(&S, &ADMIN) == 0,
          "a day later, signed in again");

    char path[128];
    snprintf(path, sizeof path, "/api/v1/recipients/%lld/resident-links", (long long)a.recipient);
    json_decref(call(&ADMIN, "POST", path, 400, "{\"consent_given_on\":\"2026-03-01\"}"));
    json_decref(call(&ADMIN, "POST", path, 400,
                     "{\"consent_given_on\":\"2026-03-01\",\"consent_by\":\"neighbour\"}"));
    json_t *link = call(&ADMIN, "POST", path, 201,
                        "{\"consent_given_on\":\"2026-03-01\",\"consent_by\":\"resident\","
                        "\"consent_reference\":\"Blankett i pärm 3\"}");
    char first[200];
    snprintf(first, sizeof first, "%s", path_of(json_string_value(json_object_get(link, "url"))));
    CHECK(strlen(first) == 7 + 43, "a 256-bit secret in the link: %s", first);
    CHECK(json_array_size(json_object_get(link, "qr_modules")) >= 21, "QR modules");
    int64_t link_id = id_of(link);
    check_view(first, &a);
    check_view(first, &a);
    json_t *list = call(&ADMIN, "GET", path, 200, NULL);
    json_t *it = json_array_get(json_object_get(list, "items"), 0);
    CHECK(json_integer_value(json_object_get(it, "views")) == 2, "two views counted");
    CHECK(strcmp(json_string_value(json_object_get(it, "consent_by")) ?: "", "resident") == 0,
          "consent recorded");
    json_decref(list);

    /* only the central administration sees or manages links */
    struct pvt_client planner = {0};
    CHECK(pvt_create_user(&S, &ADMIN, "pia", "planner", south, &planner) == 0, "planner");
    json_decref(call(&planner, "GET", path, 403, NULL));

    /* revoking takes effect at once; the page says so plainly */
    char rev[128];
    snprintf(rev, sizeof rev, "/api/v1/resident-links/%lld/revoke", (long long)link_id);
    json_decref(call(&ADMIN, "POST", rev, 200, "{}"));
    json_decref(call(&ADMIN, "POST", rev, 409, "{}"));
    struct pvt_resp r = get_page(first);
    CHECK(r.status == 410 && r.body && strstr(r.body, "Länken gäller inte längre") &&
              !strstr(r.body, "Anna"), "revoked link -> %ld", r.status);
    pvt_resp_free(&r);

    link = call(&ADMIN, "POST", path, 201,
                "{\"consent_given_on\":\"2026-03-02\",\"consent_by\":\"representative\"}");
    char second[200];
    snprintf(second, sizeof second, "%s", path_of(json_string_value(json_object_get(link, "url"))));
    json_decref(link);
    json_decref(call(&ADMIN, "POST", "/api/v1/rights", 201,
                     "{\"staff_id\":%lld,\"recipient_id\":%lld,\"valid_from\":\"2026-03-02\","
                     "\"kind\":\"standing\",\"windows\":[{\"days\":[1,2,3,4,5,6,7],"
                     "\"from\":\"07:00\",\"to\":\"22:00\"}]}",
                     (long long)a.staff, (long long)a.recipient));
    check_extract(&a);
    CHECK(pvt_clock_advance(&S, 901) == 0, "the revoked view's refusal leaves the window");
    guesses(second);

    char cmd[1400];
    pvt_stop(&S);
    check_purge(&a);
    snprintf(cmd, sizeof cmd, "'%s' audit-verify --db '%s' >/dev/null", S.exe, S.db);
    CHECK(system(cmd) == 0, "audit chain intact after the purge");
    fprintf(stderr, "test_resident: %d failure(s)\n", pvt_failures);
    return pvt_failures ? 1 : 0;
}
