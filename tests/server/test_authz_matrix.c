/* The authorization matrix, generated from the route tables: every user route × every role
 * × own/other tenant, over real HTTP. A role a route does not list gets 403 and changes
 * nothing; a provider's principal never reads or writes another provider's data (no 2xx,
 * no change in the database, and no byte of tenant B's data in any answer); the roles a
 * route lists succeed on their own tenant. Routes without a fixture fail the test. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "mx.h"
#include "pvs/store.h"

static const struct {
    const char *role;
    bool provider; /* belongs to tenant A */
    const char *name;
} who_def[MX_WHO_COUNT] = {
    {"central_admin", false, "admin"},
    {"installer", false, "mx-installer"},
    {"provider_admin", true, "mx-padmin"},
    {"planner", true, "mx-planner"},
    {"auditor", true, "mx-auditor"},
    {"auditor", false, "mx-auditor-central"},
};

/* Core tables whose rows change on any request; plus the domain's list. The webhook worker
 * updates outbox_deliveries on its own time (outbox_events still proves no event slipped in). */
static const char *const core_volatile[] = {"sessions", "login_failures", "sqlite_sequence",
                                            "webauthn_challenges", "outbox_deliveries", NULL};

static bool is_volatile(const char *table)
{
    for (int i = 0; core_volatile[i]; i++)
        if (strcmp(core_volatile[i], table) == 0)
            return true;
    for (int i = 0; mx_domain_volatile_tables[i]; i++)
        if (strcmp(mx_domain_volatile_tables[i], table) == 0)
            return true;
    return false;
}

/* The connection and table list the snapshots use, opened once: a new PostgreSQL connection
 * and catalog query per snapshot made this test take minutes there. */
static struct pvs_db *snap_db;
static char snap_tables[64][48];
static int snap_nt = -1;

static int snapshot_open(struct mx_world *w)
{
    if (snap_db)
        return 0;
    if (pvt_db_open(w->s, &snap_db, false) != 0)
        return -1;
    pvs_stmt st;
    bool pg = strcmp(pvs_db_ops_of(snap_db)->name, "postgresql") == 0;
    int rc = pvs_query(snap_db, &st,
                       pg ? "SELECT tablename FROM pg_tables"
                            " WHERE schemaname = 'public' ORDER BY tablename"
                          : "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
                       PVS_NOARGS);
    snap_nt = 0;
    while (rc == PVS_DB_OK && pvs_next(&st) == PVS_DB_ROW && snap_nt < 64)
        if (!is_volatile(pvs_col_text(&st, 0)))
            snprintf(snap_tables[snap_nt++], sizeof snap_tables[0], "%.47s", pvs_col_text(&st, 0));
    pvs_finalize(&st);
    return rc == PVS_DB_OK ? 0 : -1;
}

/* BLAKE2b over every row of every non-volatile table, in primary-key order. */
static int snapshot(struct mx_world *w, uint8_t out[32])
{
    if (snapshot_open(w) != 0)
        return -1;
    struct pvs_db *db = snap_db;
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, 32);
    char (*tables)[48] = snap_tables;
    int nt = snap_nt;
    pvs_stmt st;
    if (pvs_tx_begin(db, false) != PVS_DB_OK) /* one consistent view of all tables */
        fprintf(stderr, "snapshot: no read transaction\n");
    for (int t = 0; t < nt; t++) {
        char sql[160];
        snprintf(sql, sizeof sql, "SELECT * FROM \"%.47s\" ORDER BY 1", tables[t]);
        crypto_generichash_update(&h, (const uint8_t *)tables[t], strlen(tables[t]) + 1);
        if (pvs_query(db, &st, sql, PVS_NOARGS) != PVS_DB_OK)
            continue;
        int ncol = pvs_col_count(&st);
        while (pvs_next(&st) == PVS_DB_ROW)
            for (int c = 0; c < ncol; c++) {
                size_t len = 0;
                const void *p = pvs_col_blob(&st, c, &len);
                uint8_t tag[9] = {pvs_col_is_null(&st, c)};
                memcpy(tag + 1, &len, sizeof len < 8 ? sizeof len : 8);
                crypto_generichash_update(&h, tag, sizeof tag);
                if (p && len)
                    crypto_generichash_update(&h, p, len);
            }
        pvs_finalize(&st);
    }
    pvs_tx_rollback(db);
    crypto_generichash_final(&h, out, 32);
    return 0;
}

static int setup(struct mx_world *w)
{
    struct pvt_client *admin = &w->who[MX_CENTRAL_ADMIN];
    if (pvt_login_admin(w->s, admin) != 0)
        return -1;
    w->provider[MX_OWN] = pvt_create_provider(w->s, admin, "Matrix Own Omsorg AB");
    w->provider[MX_OTHER] = pvt_create_provider(w->s, admin, "Matrix zzotherzz Omsorg AB");
    mx_add_needle(w, "zzotherzz");
    for (int i = 1; i < MX_WHO_COUNT; i++)
        if (pvt_create_user(w->s, admin, who_def[i].name, who_def[i].role,
                            who_def[i].provider ? w->provider[MX_OWN] : 0, &w->who[i]) != 0)
            return -1;
    struct pvt_client tmp;
    for (int t = 0; t < 2; t++) {
        char name[64];
        snprintf(name, sizeof name, t ? "mx-planner-zzotherzz" : "mx-target-planner");
        if (pvt_create_user(w->s, admin, name, "planner", w->provider[t], &tmp) != 0)
            return -1;
        w->user_id[t] = tmp.user_id;
        struct pvt_resp r;
        if (pvt_reqf(w->s, admin, "POST", "/api/v1/tokens", &r,
                     "{\"name\":\"%s\",\"role\":\"planner\",\"provider_id\":%lld}",
                     t ? "token-zzotherzz" : "token-own", (long long)w->provider[t]) != 0 ||
            r.status != 201) {
            pvt_resp_free(&r);
            return -1;
        }
        w->token_id[t] = json_integer_value(json_object_get(json_object_get(r.json, "token"), "id"));
        pvt_resp_free(&r);
    }
    return mx_domain_setup(w);
}

static const struct mx_fixture *find_fixture(const struct pvs_route *rt)
{
    const struct mx_fixture *tabs[] = {mx_fixtures_core, mx_fixtures_domain, mx_fixtures_auth,
                                       mx_fixtures_phone, mx_fixtures_webhooks,
                                       mx_fixtures_import};
    size_t counts[] = {mx_fixtures_core_count, mx_fixtures_domain_count, mx_fixtures_auth_count,
                       mx_fixtures_phone_count, mx_fixtures_webhooks_count,
                       mx_fixtures_import_count};
    for (size_t t = 0; t < sizeof counts / sizeof counts[0]; t++)
        for (size_t i = 0; i < counts[t]; i++)
            if (tabs[t][i].method && strcmp(tabs[t][i].method, rt->method) == 0 &&
                strcmp(tabs[t][i].pattern, rt->pattern) == 0)
                return &tabs[t][i];
    return NULL;
}

struct tally {
    int requests, denied_role, denied_tenant, allowed;
};

/* One cell of the matrix: route × principal × target tenant. */
static void cell(struct mx_world *w, const struct pvs_route *rt, const struct mx_fixture *fx,
                 enum mx_who as, enum mx_tenant t, struct tally *tl)
{
    char path[512];
    char *body = NULL;
    int expect = fx->build(w, rt, as, t, path, sizeof path, &body);
    if (expect == MX_SKIP)
        return;
    CHECK(expect >= 0, "fixture for %s %s (%s, %s) failed to set up", rt->method, rt->pattern,
          who_def[as].name, t ? "other" : "own");
    if (expect < 0)
        return;
    enum pvs_role role = pvs_role_parse(who_def[as].role);
    bool allowed = (rt->roles & (1u << role)) != 0;
    bool cross = who_def[as].provider && t == MX_OTHER;
    uint8_t before[32], after[32];
    bool must_not_change = !allowed || cross;
    if (must_not_change && snapshot(w, before) != 0)
        CHECK(0, "snapshot");
    struct pvt_resp r;
    int rc = pvt_req(w->s, &w->who[as], rt->method, path, body, &r);
    tl->requests++;
    const char *cellname = who_def[as].name;
    CHECK(rc == 0 && r.status > 0 && r.status < 500, "%s %s as %s (%s): %ld %s", rt->method, path,
          cellname, t ? "other" : "own", r.status, r.body);
    if (!allowed) {
        CHECK(r.status == 403, "%s %s: role %s not listed -> 403, got %ld %s", rt->method, path,
              cellname, r.status, r.body);
        tl->denied_role++;
    } else if (cross) {
        CHECK(r.status >= 400 && r.status < 500, "%s %s as %s reached tenant B: %ld %s",
              rt->method, path, cellname, r.status, r.body);
        tl->denied_tenant++;
    } else {
        if (expect == MX_EXPECT_OK)
            CHECK(r.status >= 200 && r.status < 300, "%s %s as %s (%s) should succeed: %ld %s",
                  rt->method, path, cellname, t ? "other" : "own", r.status, r.body);
        tl->allowed++;
    }
    if (must_not_change && snapshot(w, after) == 0)
        CHECK(memcmp(before, after, 32) == 0, "%s %s as %s (%s) changed the database", rt->method,
              path, cellname, t ? "other" : "own");
    if (who_def[as].provider)
        for (int n = 0; n < w->nneedles; n++)
            CHECK(!r.body || !strstr(r.body, w->needles[n]),
                  "%s %s as %s leaked tenant B's \"%s\": %.300s", rt->method, path, cellname,
                  w->needles[n], r.body);
    pvt_resp_free(&r);
    free(body);
}

/* Fill every {param} of a pattern with "1": enough for requests the router must refuse
 * before any handler looks at the path. */
static void synthetic_path(const char *pattern, char *out, size_t cap)
{
    size_t o = 0;
    for (const char *p = pattern; *p && o + 2 < cap; p++) {
        if (*p == '{') {
            const char *end = strchr(p, '}');
            if (!end)
                break;
            out[o++] = '1';
            p = end;
        } else {
            out[o++] = *p;
        }
    }
    out[o] = '\0';
}

/* Without a fixture, still prove the role gate: every role a route does not list gets 403
 * and changes nothing. */
static void gate_only(struct mx_world *w, const struct pvs_route *rt, struct tally *tl)
{
    char path[512];
    synthetic_path(rt->pattern, path, sizeof path);
    for (int as = 0; as < MX_WHO_COUNT; as++) {
        if (rt->roles & (1u << pvs_role_parse(who_def[as].role)))
            continue;
        uint8_t before[32], after[32];
        struct pvt_resp r;
        int ok = snapshot(w, before);
        CHECK(pvt_req(w->s, &w->who[as], rt->method, path, "{}", &r) == 0 && r.status == 403,
              "%s %s: role %s not listed -> 403, got %ld", rt->method, path, who_def[as].name, r.status);
        CHECK(ok != 0 || (snapshot(w, after) == 0 && memcmp(before, after, 32) == 0),
              "%s %s as %s changed the database", rt->method, path, who_def[as].name);
        pvt_resp_free(&r);
        tl->requests++;
        tl->denied_role++;
    }
}

/* Routes that authenticate by signature (stations, bearers): a user's session is no
 * credential there; an empty or unsigned request never succeeds nor writes. */
static void custom_auth(struct mx_world *w, const struct pvs_route *rt, struct tally *tl)
{
    char path[512];
    synthetic_path(rt->pattern, path, sizeof path);
    for (int as = 0; as < MX_WHO_COUNT; as++) {
        uint8_t before[32], after[32];
        struct pvt_resp r;
        int ok = snapshot(w, before);
        CHECK(pvt_req(w->s, &w->who[as], rt->method, path, "{}", &r) == 0 && r.status >= 400 &&
                  r.status < 500, "%s %s with %s's session and no signature: %ld %s", rt->method,
              path, who_def[as].name, r.status, r.body);
        CHECK(ok != 0 || (snapshot(w, after) == 0 && memcmp(before, after, 32) == 0),
              "%s %s as %s changed the database", rt->method, path, who_def[as].name);
        pvt_resp_free(&r);
        tl->requests++;
    }
}

static void walk(struct mx_world *w, const struct pvs_route *routes, size_t n, struct tally *tl,
                 int *routes_covered)
{
    for (size_t i = 0; i < n; i++) {
        const struct pvs_route *rt = &routes[i];
        if (rt->auth == PVS_AUTH_CUSTOM)
            custom_auth(w, rt, tl);
        if (rt->auth != PVS_AUTH_USER)
            continue; /* public and login-flow routes: test_login, test_server_basics */
        const struct mx_fixture *fx = find_fixture(rt);
        CHECK(fx != NULL, "no authorization-matrix fixture for %s %s: add one to tests/server/mx_fixtures_*.c",
              rt->method, rt->pattern);
        if (!fx) {
            gate_only(w, rt, tl);
            continue;
        }
        (*routes_covered)++;
        for (int as = 0; as < MX_WHO_COUNT; as++)
            for (int t = 0; t < 2; t++)
                cell(w, rt, fx, (enum mx_who)as, (enum mx_tenant)t, tl);
    }
}

/* Second pass: every principal but the central administrator becomes an API token with
 * the same role and provider, so integrations are held to the same matrix. */
static int swap_to_tokens(struct mx_world *w)
{
    for (int i = 1; i < MX_WHO_COUNT; i++) {
        struct pvt_resp r;
        char prov[32];
        snprintf(prov, sizeof prov, who_def[i].provider ? "%lld" : "null",
                 (long long)w->provider[MX_OWN]);
        if (pvt_reqf(w->s, &w->who[MX_CENTRAL_ADMIN], "POST", "/api/v1/tokens", &r,
                     "{\"name\":\"matrix %s\",\"role\":\"%s\",\"provider_id\":%s}",
                     who_def[i].name, who_def[i].role, prov) != 0 || r.status != 201) {
            fprintf(stderr, "token for %s: %ld %s\n", who_def[i].name, r.status, r.body);
            pvt_resp_free(&r);
            return -1;
        }
        snprintf(w->who[i].token, sizeof w->who[i].token, "%s",
                 json_string_value(json_object_get(r.json, "secret")));
        pvt_resp_free(&r);
    }
    return 0;
}

static void run_pass(struct mx_world *w, const char *what)
{
    struct tally tl = {0};
    int covered = 0;
    for (size_t t = 0; t < pvs_route_tables_count; t++)
        walk(w, pvs_route_tables[t].routes, *pvs_route_tables[t].count, &tl, &covered);
    printf("authorization matrix (%s): %d routes x %d principals x own/other: %d requests,"
           " %d refused by role, %d refused across tenants, %d allowed\n",
           what, covered, MX_WHO_COUNT, tl.requests, tl.denied_role, tl.denied_tenant, tl.allowed);
    CHECK(tl.denied_tenant > 0 && tl.denied_role > 0, "the matrix exercised both refusals");
}

/* Third pass: the alarm system's API token (scope "alarm", central) reaches exactly the
 * routes flagged PVS_RF_ALARM_API; every other user route answers 403 token-scope and
 * changes nothing, whatever the route's roles. */
static void alarm_scope_pass(struct mx_world *w)
{
    struct pvt_resp r;
    struct pvt_client tok = {0};
    CHECK(pvt_reqf(w->s, &w->who[MX_CENTRAL_ADMIN], "POST", "/api/v1/alarm-tokens", &r,
                   "{\"name\":\"matrix alarm system\"}") == 0 && r.status == 201, "alarm token");
    snprintf(tok.token, sizeof tok.token, "%s", r.json ? json_string_value(json_object_get(r.json, "secret")) ?: "" : "");
    pvt_resp_free(&r);
    /* the token's first use stamps last_used_at: before any snapshot, not inside one */
    CHECK(pvt_req(w->s, &tok, "GET", "/api/v1/alarm-grants", NULL, &r) == 0 && r.status == 200,
          "the alarm token lists grants: %ld", r.status);
    pvt_resp_free(&r);
    int allowed = 0, refused = 0;
    for (size_t t = 0; t < pvs_route_tables_count; t++)
        for (size_t i = 0; i < *pvs_route_tables[t].count; i++) {
            const struct pvs_route *rt = &pvs_route_tables[t].routes[i];
            if (rt->auth != PVS_AUTH_USER)
                continue;
            char path[512];
            uint8_t before[32], after[32];
            synthetic_path(rt->pattern, path, sizeof path);
            bool in_scope = (rt->flags & PVS_RF_ALARM_API) != 0;
            int ok = in_scope ? -1 : snapshot(w, before);
            CHECK(pvt_req(w->s, &tok, rt->method, path, "{}", &r) == 0 && r.status < 500,
                  "alarm token %s %s: %ld", rt->method, path, r.status);
            if (in_scope) {
                CHECK(r.status != 401 && strcmp(pvt_problem_type(&r), "token-scope") != 0,
                      "alarm token may %s %s: %ld %s", rt->method, path, r.status, r.body);
                allowed++;
            } else {
                CHECK(r.status == 403 && strcmp(pvt_problem_type(&r), "token-scope") == 0,
                      "alarm token must not %s %s: %ld %s", rt->method, path, r.status, r.body);
                CHECK(ok != 0 || (snapshot(w, after) == 0 && memcmp(before, after, 32) == 0),
                      "alarm token %s %s changed the database", rt->method, path);
                refused++;
            }
            pvt_resp_free(&r);
        }
    printf("authorization matrix (alarm token): %d routes in scope, %d refused by scope\n",
           allowed, refused);
    CHECK(allowed == 4 && refused > 50, "the alarm scope is exactly the four alarm-grant routes");
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    struct pvt_server s;
    if (pvt_start(&s, argv[1], argv[2], NULL) != 0)
        return 1;
    static struct mx_world w;
    w.s = &s;
    CHECK(setup(&w) == 0, "matrix setup");
    if (pvt_failures == 0)
        run_pass(&w, "sessions");
    if (pvt_failures == 0) {
        CHECK(swap_to_tokens(&w) == 0, "API tokens for the principals");
        run_pass(&w, "API tokens");
    }
    if (pvt_failures == 0)
        alarm_scope_pass(&w);
    pvs_db_close(snap_db);
    CHECK(pvt_stop(&s) == 0, "stop");
    printf("test_authz_matrix: %d failure(s)\n", pvt_failures);
    return pvt_failures ? 1 : 0;
}
