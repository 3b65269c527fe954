/* Behind a trusted reverse proxy: the client address comes from the proxy's
 * X-Forwarded-For (last entry) and lands in throttling and the audit trail; a request
 * relayed by a loopback proxy never counts as local (no /metrics, no simulation clock);
 * a request straight from elsewhere keeps its own address. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvs/store.h"
#include "pvt.h"

static long get(struct pvt_server *s, const char *method, const char *path, const char *xff)
{
    const char *h[] = {xff, NULL};
    struct pvt_resp r;
    long st = pvt_req_ex(s, NULL, method, path, method[0] == 'P' ? "application/json" : NULL,
                         method[0] == 'P' ? "{\"now\": 1772431200}" : NULL,
                         method[0] == 'P' ? 19 : 0, xff ? h : NULL, true, &r) == 0 ? r.status : -1;
    pvt_resp_free(&r);
    return st;
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    struct pvt_server s;
    /* the "proxy" is 127.0.0.2; the kit's own requests come from 127.0.0.1 directly */
    const char *extra[] = {"--trusted-proxy", "127.0.0.2", NULL};
    if (pvt_start(&s, argv[1], argv[2], extra) != 0)
        return 1;
    CHECK(get(&s, "GET", "/metrics", NULL) == 200, "direct loopback client reads /metrics");
    snprintf(s.source_addr, sizeof s.source_addr, "127.0.0.2");
    CHECK(get(&s, "GET", "/healthz", "X-Forwarded-For: 203.0.113.7") == 200, "relayed request works");
    CHECK(get(&s, "GET", "/metrics", "X-Forwarded-For: 203.0.113.7") == 403,
          "a relayed outside client is not local");
    CHECK(get(&s, "PUT", "/api/v1/dev/clock", "X-Forwarded-For: 203.0.113.7") == 403,
          "nor may it set the simulation clock");
    CHECK(get(&s, "GET", "/metrics", NULL) == 403, "a relayed request without the header fails closed");
    CHECK(get(&s, "GET", "/metrics", "X-Forwarded-For: 127.0.0.1, 198.51.100.9") == 403,
          "only the last (proxy-appended) entry counts");
    CHECK(get(&s, "GET", "/metrics", "X-Forwarded-For: 198.51.100.9, 127.0.0.1") == 200,
          "a client really on the proxy's host is local");
    /* a failed sign-in is throttled under the forwarded address */
    const char *h[] = {"X-Forwarded-For: 203.0.113.7", NULL};
    const char *body = "{\"username\":\"admin\",\"password\":\"wrong\"}";
    struct pvt_resp r;
    CHECK(pvt_req_ex(&s, NULL, "POST", "/api/v1/auth/login", "application/json", body, strlen(body),
                     h, true, &r) == 0 && r.status == 401, "failed sign-in: %ld", r.status);
    pvt_resp_free(&r);
    struct pvs_db *db = NULL;
    int64_t n = 0;
    if (pvt_db_open(&s, &db, false) == 0) {
        CHECK(pvs_query_i64(db, "SELECT COUNT(*) FROM login_failures WHERE client_addr = '203.0.113.7'",
                            PVS_NOARGS, &n) == PVS_DB_OK && n == 1,
              "the failure is counted for the real client (%lld)", (long long)n);
        pvs_db_close(db);
    }
    s.source_addr[0] = '\0';
    CHECK(pvt_stop(&s) == 0, "stop");
    printf("test_proxy: %d failure(s)\n", pvt_failures);
    return pvt_failures ? 1 : 0;
}
