/* The route table: validation at startup (every route declares roles and scope) and
 * matching of a request path with {param} segments. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "pvs/http.h"

static const char *const role_names[PVS_ROLE_COUNT] = {
    NULL, "central_admin", "installer", "provider_admin", "planner", "auditor",
};

const char *pvs_role_name(enum pvs_role role)
{
    return role > 0 && role < PVS_ROLE_COUNT ? role_names[role] : NULL;
}

enum pvs_role pvs_role_parse(const char *name)
{
    if (!name)
        return PVS_ROLE_NONE;
    for (int i = 1; i < PVS_ROLE_COUNT; i++)
        if (strcmp(role_names[i], name) == 0)
            return (enum pvs_role)i;
    return PVS_ROLE_NONE;
}

bool pvs_role_needs_provider(enum pvs_role role)
{
    return role == PVS_ROLE_PROVIDER_ADMIN || role == PVS_ROLE_PLANNER;
}

bool pvs_role_forbids_provider(enum pvs_role role)
{
    return role == PVS_ROLE_CENTRAL_ADMIN || role == PVS_ROLE_INSTALLER;
}

static bool method_ok(const char *m)
{
    static const char *const ok[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (m && strcmp(m, ok[i]) == 0)
            return true;
    return false;
}

/* Pattern syntax: "/" then segments of [a-z0-9_.-] or "{name}". */
static bool pattern_ok(const char *p, int *nparams)
{
    *nparams = 0;
    if (!p || p[0] != '/' || strlen(p) >= PVS_MAX_PATH)
        return false;
    for (const char *s = p + 1; *s;) {
        const char *end = strchr(s, '/');
        size_t len = end ? (size_t)(end - s) : strlen(s);
        if (len == 0)
            return false;
        if (s[0] == '{') {
            if (len < 3 || s[len - 1] != '}')
                return false;
            (*nparams)++;
        } else {
            for (size_t i = 0; i < len; i++)
                if (!strchr("abcdefghijklmnopqrstuvwxyz0123456789_.-", s[i]))
                    return false;
        }
        s += len;
        if (*s == '/')
            s++;
    }
    return *nparams <= PVS_MAX_PATH_PARAMS;
}

int pvs_routes_validate(const struct pvs_route *routes, size_t n, char *errbuf, size_t errcap)
{
    for (size_t i = 0; i < n; i++) {
        const struct pvs_route *rt = &routes[i];
        int np;
        const char *pat = rt->pattern ? rt->pattern : "(null)";
        if (!method_ok(rt->method) || !pattern_ok(rt->pattern, &np) || !rt->handler) {
            snprintf(errbuf, errcap, "route %zu (%s): bad method, pattern or handler", i, pat);
            return -1;
        }
        if (rt->scope == PVS_SCOPE_UNSET || rt->scope > PVS_SCOPE_SELF) {
            snprintf(errbuf, errcap, "route %s %s declares no scope", rt->method, pat);
            return -1;
        }
        if (rt->auth == PVS_AUTH_USER && (rt->roles & PVS_R_ALL) == 0) {
            snprintf(errbuf, errcap, "route %s %s declares no roles", rt->method, pat);
            return -1;
        }
        if ((rt->roles & ~PVS_R_ALL) != 0 || rt->auth > PVS_AUTH_CUSTOM) {
            snprintf(errbuf, errcap, "route %s %s has unknown role or auth bits", rt->method, pat);
            return -1;
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(routes[j].method, rt->method) == 0 &&
                strcmp(routes[j].pattern, rt->pattern) == 0) {
                snprintf(errbuf, errcap, "route %s %s is registered twice", rt->method, pat);
                return -1;
            }
    }
    return 0;
}

/* Match one pattern; on success fills r->params. */
static bool match_one(struct pvs_req *r, const char *pat, const char *path)
{
    int np = 0;
    const char *p = pat, *s = path;
    while (*p && *s) {
        if (*p != '/' || *s != '/')
            return false;
        p++;
        s++;
        const char *pe = strchr(p, '/'), *se = strchr(s, '/');
        size_t plen = pe ? (size_t)(pe - p) : strlen(p);
        size_t slen = se ? (size_t)(se - s) : strlen(s);
        if (p[0] == '{') {
            if (slen == 0 || slen >= sizeof r->params[0] || np >= PVS_MAX_PATH_PARAMS)
                return false;
            memcpy(r->params[np], s, slen);
            r->params[np][slen] = '\0';
            np++;
        } else if (plen != slen || memcmp(p, s, plen) != 0) {
            return false;
        }
        p += plen;
        s += slen;
    }
    if (*p || *s)
        return false;
    r->nparams = np;
    return true;
}

/* Best match in one table for this method: fewest {params} wins, so "/users/me" beats
 * "/users/{id}" whatever the table order. */
static void match_table(struct pvs_req *r, const struct pvs_route *t, size_t n,
                        const char *method, const char *path, bool *path_known,
                        const struct pvs_route **best)
{
    for (size_t i = 0; i < n; i++) {
        if (!match_one(r, t[i].pattern, path))
            continue;
        if (strcmp(t[i].method, method) != 0 &&
            !(strcmp(method, "HEAD") == 0 && strcmp(t[i].method, "GET") == 0)) {
            *path_known = true;
            continue;
        }
        if (!*best) {
            *best = &t[i];
            continue;
        }
        int np_new = r->nparams;
        (void)match_one(r, (*best)->pattern, path);
        if (np_new < r->nparams)
            *best = &t[i];
    }
}

const struct pvs_route *pvs_route_match(struct pvs_req *r, const char *method, const char *path,
                                        bool *path_known)
{
    const struct pvs_route *best = NULL;
    *path_known = false;
    r->nparams = 0;
    for (size_t t = 0; t < pvs_route_tables_count; t++)
        match_table(r, pvs_route_tables[t].routes, *pvs_route_tables[t].count, method, path,
                    path_known, &best);
    r->nparams = 0;
    if (best)
        (void)match_one(r, best->pattern, path);
    return best;
}
