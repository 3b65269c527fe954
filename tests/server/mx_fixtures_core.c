/* Authorization matrix fixtures of the core routes (me, users, providers, tokens, audit):
 * for each route, the request a principal makes at its own tenant's data and at tenant B's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mx.h"

static int seq; /* unique names across calls */

void mx_add_needle(struct mx_world *w, const char *needle)
{
    if (w->nneedles >= MX_MAX_NEEDLES || !needle || strlen(needle) < 6)
        return;
    snprintf(w->needle_store[w->nneedles], sizeof w->needle_store[0], "%s", needle);
    w->needles[w->nneedles] = w->needle_store[w->nneedles];
    w->nneedles++;
}

static int fixed(char *path, size_t cap, const char *p)
{
    snprintf(path, cap, "%s", p);
    return MX_EXPECT_OK;
}

static int me(struct mx_world *w, const struct pvs_route *rt, enum mx_who as, enum mx_tenant t,
              char *path, size_t cap, char **body)
{
    (void)w, (void)rt, (void)as, (void)body;
    if (t == MX_OTHER)
        return MX_SKIP; /* the caller's own identity: no other tenant to aim at */
    return fixed(path, cap, "/api/v1/me");
}

/* Each principal changes its own password; the kit keeps the new one for later sign-ins. */
static int me_password(struct mx_world *w, const struct pvs_route *rt, enum mx_who as,
                       enum mx_tenant t, char *path, size_t cap, char **body)
{
    (void)rt;
    if (t == MX_OTHER || w->who[as].token[0])
        return MX_SKIP; /* tokens have no password */
    char b[256], nw[64];
    snprintf(nw, sizeof nw, "matrix-password-%d-long-enough", seq++);
    snprintf(b, sizeof b, "{\"current_password\":\"%s\",\"new_password\":\"%s\"}",
             w->who[as].password, nw);
    snprintf(w->who[as].password, sizeof w->who[as].password, "%s", nw);
    *body = strdup(b);
    return fixed(path, cap, "/api/v1/me/password");
}

static int logout(struct mx_world *w, const struct pvs_route *rt, enum mx_who as, enum mx_tenant t,
                  char *path, size_t cap, char **body)
{
    (void)w, (void)rt, (void)as, (void)t, (void)path, (void)cap, (void)body;
    return MX_SKIP; /* would end the principal's session; covered by test_login */
}

/* Lists: one request (no target); the leak check proves tenant B stays invisible. */
int mx_fx_list(struct mx_world *w, const struct pvs_route *rt, enum mx_who as, enum mx_tenant t,
                char *path, size_t cap, char **body)
{
    (void)w, (void)as, (void)body;
    if (t == MX_OTHER)
        return MX_SKIP;
    return fixed(path, cap, strcmp(rt->pattern, "/api/v1/audit") == 0 ? "/api/v1/audit?limit=500"
                                                                      : rt->pattern);
}

static int users_create(struct mx_world *w, const struct pvs_route *rt, enum mx_who as,
                        enum mx_tenant t, char *path, size_t cap, char **body)
{
    (void)rt, (void)as;
    char b[256];
    snprintf(b, sizeof b,
             "{\"username\":\"mx-new-%d\",\"display_name\":\"Matrix\",\"role\":\"planner\",\"provider_id\":%lld}",
             seq++, (long long)w->provider[t]);
    *body = strdup(b);
    return fixed(path, cap, "/api/v1/users");
}

static int user_item(struct mx_world *w, const struct pvs_route *rt, enum mx_who as,
                     enum mx_tenant t, char *path, size_t cap, char **body)
{
    (void)as;
    const char *tail = strstr(rt->pattern, "{id}") + 4;
    snprintf(path, cap, "/api/v1/users/%lld%s", (long long)w->user_id[t], tail);
    if (strcmp(rt->method, "PATCH") == 0)
        *body = strdup("{\"display_name\":\"Renamed by the matrix\"}");
    return MX_EXPECT_OK;
}

static int providers_create(struct mx_world *w, const struct pvs_route *rt, enum mx_who as,
                            enum mx_tenant t, char *path, size_t cap, char **body)
{
    (void)w, (void)rt, (void)as;
    if (t == MX_OTHER)
        return MX_SKIP;
    char b[128];
    snprintf(b, sizeof b, "{\"name\":\"Matrix new provider %d\"}", seq++);
    *body = strdup(b);
    return fixed(path, cap, "/api/v1/providers");
}

static int provider_item(struct mx_world *w, const struct pvs_route *rt, enum mx_who as,
                         enum mx_tenant t, char *path, size_t cap, char **body)
{
    (void)as;
    snprintf(path, cap, "/api/v1/providers/%lld", (long long)w->provider[t]);
    if (strcmp(rt->method, "PATCH") == 0)
        *body = strdup("{\"org_number\":\"556677-8899\"}");
    return MX_EXPECT_OK;
}

static int tokens_create(struct mx_world *w, const struct pvs_route *rt, enum mx_who as,
                         enum mx_tenant t, char *path, size_t cap, char **body)
{
    (void)rt, (void)as;
    char b[160];
    snprintf(b, sizeof b, "{\"name\":\"matrix %d\",\"role\":\"auditor\",\"provider_id\":%lld}", seq++,
             (long long)w->provider[t]);
    *body = strdup(b);
    return fixed(path, cap, "/api/v1/tokens");
}

/* A fresh token per own-tenant call (revoking is final); tenant B's standing token for the
 * other, whose revocation the snapshot would show. */
static int tokens_revoke(struct mx_world *w, const struct pvs_route *rt, enum mx_who as,
                         enum mx_tenant t, char *path, size_t cap, char **body)
{
    (void)rt, (void)as, (void)body;
    int64_t id = w->token_id[t];
    if (t == MX_OWN) {
        struct pvt_resp r;
        if (pvt_reqf(w->s, &w->who[MX_CENTRAL_ADMIN], "POST", "/api/v1/tokens", &r,
                     "{\"name\":\"to revoke %d\",\"role\":\"planner\",\"provider_id\":%lld}", seq++,
                     (long long)w->provider[MX_OWN]) != 0 || r.status != 201) {
            pvt_resp_free(&r);
            return -1;
        }
        id = json_integer_value(json_object_get(json_object_get(r.json, "token"), "id"));
        pvt_resp_free(&r);
    }
    snprintf(path, cap, "/api/v1/tokens/%lld", (long long)id);
    return MX_EXPECT_OK;
}

static int audit_verify(struct mx_world *w, const struct pvs_route *rt, enum mx_who as,
                        enum mx_tenant t, char *path, size_t cap, char **body)
{
    (void)w, (void)rt, (void)body;
    if (t == MX_OTHER)
        return MX_SKIP;
    fixed(path, cap, "/api/v1/audit/verify");
    /* a provider's auditor holds the role but not the scope: refused in the handler */
    return as == MX_AUDITOR_PROVIDER ? MX_EXPECT_ANY : MX_EXPECT_OK;
}

const struct mx_fixture mx_fixtures_core[] = {
    {"POST", "/api/v1/auth/logout", logout},
    {"GET", "/api/v1/me", me},
    {"POST", "/api/v1/me/password", me_password},
    {"GET", "/api/v1/users", mx_fx_list},
    {"POST", "/api/v1/users", users_create},
    {"GET", "/api/v1/users/{id}", user_item},
    {"PATCH", "/api/v1/users/{id}", user_item},
    {"POST", "/api/v1/users/{id}/reset-password", user_item},
    {"POST", "/api/v1/users/{id}/unlock", user_item},
    {"GET", "/api/v1/providers", mx_fx_list},
    {"POST", "/api/v1/providers", providers_create},
    {"GET", "/api/v1/providers/{id}", provider_item},
    {"PATCH", "/api/v1/providers/{id}", provider_item},
    {"GET", "/api/v1/tokens", mx_fx_list},
    {"POST", "/api/v1/tokens", tokens_create},
    {"DELETE", "/api/v1/tokens/{id}", tokens_revoke},
    {"GET", "/api/v1/audit", mx_fx_list},
    {"GET", "/api/v1/audit/verify", audit_verify},
};
const size_t mx_fixtures_core_count = sizeof mx_fixtures_core / sizeof mx_fixtures_core[0];
