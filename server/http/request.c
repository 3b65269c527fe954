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
