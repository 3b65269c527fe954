/* Authorization matrix fixtures of outgoing events (webhooks and their dead letters): only
 * the central administration may reach them; they hold no provider's data, so there is no
 * "other tenant" request. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mx.h"

static int seq;

static int create(struct mx_world *w, const struct pvs_route *rt, enum mx_who as,
                  enum mx_tenant t, char *path, size_t cap, char **body)
{
    (void)w, (void)rt, (void)as;
    if (t == MX_OTHER)
        return MX_SKIP;
    char b[160];
    snprintf(b, sizeof b, "{\"url\":\"https://hooks.example.org/mx-%d\",\"events\":[\"*\"]}", seq++);
    *body = strdup(b);
    snprintf(path, cap, "/api/v1/webhooks");
    return MX_EXPECT_OK;
}

/* A fresh webhook each time, so every allowed disable has something to disable. */
static int disable(struct mx_world *w, const struct pvs_route *rt, enum mx_who as,
                   enum mx_tenant t, char *path, size_t cap, char **body)
{
    (void)rt, (void)as;
    if (t == MX_OTHER)
        return MX_SKIP;
    char b[160];
    snprintf(b, sizeof b, "{\"url\":\"https://hooks.example.org/mx-%d\",\"events\":[\"*\"]}", seq++);
    struct pvt_resp r;
    int64_t id = -1;
    if (pvt_req(w->s, &w->who[MX_CENTRAL_ADMIN], "POST", "/api/v1/webhooks", b, &r) == 0 &&
        r.status == 201)
        id = json_integer_value(json_object_get(r.json, "id"));
    pvt_resp_free(&r);
    if (id < 0)
        return -1;
    *body = strdup("{}");
    snprintf(path, cap, "/api/v1/webhooks/%lld/disable", (long long)id);
    return MX_EXPECT_OK;
}

/* No delivery has given up in the matrix's world: the administrator's answer is a 404. */
static int retry(struct mx_world *w, const struct pvs_route *rt, enum mx_who as,
                 enum mx_tenant t, char *path, size_t cap, char **body)
{
    (void)w, (void)rt, (void)as;
    if (t == MX_OTHER)
        return MX_SKIP;
    *body = strdup("{}");
    snprintf(path, cap, "/api/v1/webhook-dead-letters/1/retry");
    return MX_EXPECT_ANY;
}

const struct mx_fixture mx_fixtures_webhooks[] = {
    {"GET", "/api/v1/webhooks", mx_fx_list},
    {"POST", "/api/v1/webhooks", create},
    {"POST", "/api/v1/webhooks/{id}/disable", disable},
    {"GET", "/api/v1/webhook-dead-letters", mx_fx_list},
    {"POST", "/api/v1/webhook-dead-letters/{id}/retry", retry},
};
const size_t mx_fixtures_webhooks_count = sizeof mx_fixtures_webhooks / sizeof mx_fixtures_webhooks[0];
