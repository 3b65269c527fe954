/* Request accessors for handlers and authentication: headers, query parameters and the
 * numeric ids of a route's {id} parameters. Kept apart from the daemon glue (http.c) so
 * that session.c, which http.c calls to authenticate, does not call back into http.c. */
#include <string.h>

#include <microhttpd.h>

#include "pvs/http.h"

const char *pvs_req_header(struct pvs_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *pvs_req_query(struct pvs_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

bool pvs_req_query_int(struct pvs_req *r, const char *name, int64_t lo, int64_t hi,
                       int64_t fallback, int64_t *out)
{
    const char *s = pvs_req_query(r, name);
    *out = fallback;
    if (!s)
        return true;
    int64_t v = 0;
    size_t n = strlen(s);
    bool ok = n >= 1 && n <= 16 && !(s[0] == '0' && n > 1);
    for (size_t i = 0; ok && i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            ok = false;
        else
            v = v * 10 + (s[i] - '0');
    }
    if (!ok || v < lo || v > hi) {
        pvs_problem_ext(r, 400, "invalid-query", "Invalid query parameter",
                        json_pack("{s:[{s:s, s:s, s:I, s:I}]}", "errors", "member", name, "rule",
                                  "range", "min", (json_int_t)lo, "max", (json_int_t)hi),
                        "%s must be a whole number from %lld to %lld.", name, (long long)lo,
                        (long long)hi);
        return false;
    }
    *out = v;
    return true;
}

bool pvs_req_id(struct pvs_req *r, int idx, int64_t *id)
{
    *id = 0;
    const char *s = idx < r->nparams ? r->params[idx] : "";
    int64_t v = 0;
    bool ok = *s && strlen(s) <= 16 && s[0] != '0';
    for (const char *p = s; ok && *p; p++) {
        if (*p < '0' || *p > '9')
            ok = false;
        else
            v = v * 10 + (*p - '0');
    }
    if (!ok || v < 1 || v > ((int64_t)1 << 53)) {
        pvs_problem(r, 404, "not-found", "Not found", "No object has the id \"%.20s\".", s);
        return false;
    }
    *id = v;
    return true;
}
