/* Authorization matrix fixtures of the phone key's and alarm access's routes
 * (server/handlers/routes_phone.c). An alarm grant is aimed at a tenant by its responder's
 * key: tenant A's key for the own tenant, tenant B's for the other. Ending consumes a grant,
 * so each cell ends a fresh one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mx.h"

#define FX_ARGS                                                                              \
    struct mx_world *w, const struct pvs_route *rt, enum mx_who as, enum mx_tenant t,       \
        char *path, size_t cap, char **body

static int seq;

/* A running alarm grant for tenant t's key at tenant t's recipient, made by the admin. */
static int64_t new_grant(struct mx_world *w, enum mx_tenant t)
{
    int64_t staff, bearer, recipient, id = -1;
    mx_dom_tenant(t, &staff, &bearer, &recipient);
    struct pvt_resp r;
    if (pvt_reqf(w->s, &w->who[MX_CENTRAL_ADMIN], "POST", "/api/v1/alarm-grants", &r,
                 "{\"alarm_ref\":\"MX-%d\",\"recipient_id\":%lld,\"bearer_id\":%lld}", seq++,
                 (long long)recipient, (long long)bearer) == 0 && r.status == 201)
        id = json_integer_value(json_object_get(r.json, "id"));
    else
        fprintf(stderr, "mx phone: alarm grant -> %ld %s\n", r.status, r.body ? r.body : "");
    pvt_resp_free(&r);
    return id;
}

static int with_id(const struct pvs_route *rt, int64_t id, char *path, size_t cap)
{
    const char *brace = strstr(rt->pattern, "{id}");
    if (!brace || id <= 0)
        return -1;
    snprintf(path, cap, "%.*s%lld%s", (int)(brace - rt->pattern), rt->pattern, (long long)id,
             brace + 4);
    return MX_EXPECT_OK;
}

static int body_of(char **body, const char *text)
{
    *body = strdup(text);
    return *body ? MX_EXPECT_OK : -1;
}

static int staff_login(FX_ARGS)
{
    (void)as;
    int64_t staff, bearer, recipient;
    mx_dom_tenant(t, &staff, &bearer, &recipient);
    char b[96];
    snprintf(b, sizeof b, "{\"username\":\"mx-staff-%d\"}", seq++);
    return with_id(rt, staff, path, cap) == MX_EXPECT_OK ? body_of(body, b) : -1;
}

static int grants_list(FX_ARGS)
{
    (void)w, (void)as, (void)body;
    if (t == MX_OTHER)
        return MX_SKIP;
    snprintf(path, cap, "%s", rt->pattern);
    return MX_EXPECT_OK;
}

static int grant_create(FX_ARGS)
{
    (void)w, (void)as;
    int64_t staff, bearer, recipient;
    mx_dom_tenant(t, &staff, &bearer, &recipient);
    char b[160];
    snprintf(b, sizeof b, "{\"alarm_ref\":\"MX-new-%d\",\"recipient_id\":%lld,\"bearer_id\":%lld}",
             seq++, (long long)recipient, (long long)bearer);
    snprintf(path, cap, "%s", rt->pattern);
    return body_of(body, b);
}

static int grant_item(FX_ARGS)
{
    (void)as;
    if (strcmp(rt->method, "POST") == 0 && body_of(body, "{}") < 0)
        return -1;
    return with_id(rt, new_grant(w, t), path, cap);
}

static int alarm_token(FX_ARGS)
{
    (void)w, (void)as;
    if (t == MX_OTHER)
        return MX_SKIP;
    snprintf(path, cap, "%s", rt->pattern);
    return body_of(body, "{\"name\":\"mx alarm\"}");
}

const struct mx_fixture mx_fixtures_phone[] = {
    {"POST", "/api/v1/staff/{id}/phone-login", staff_login},
    {"GET", "/api/v1/alarm-grants", grants_list},
    {"POST", "/api/v1/alarm-grants", grant_create},
    {"GET", "/api/v1/alarm-grants/{id}", grant_item},
    {"POST", "/api/v1/alarm-grants/{id}/end", grant_item},
    {"POST", "/api/v1/alarm-tokens", alarm_token},
};
const size_t mx_fixtures_phone_count = sizeof mx_fixtures_phone / sizeof mx_fixtures_phone[0];
