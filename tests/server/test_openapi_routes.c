/* docs/openapi.yaml and the route tables agree: every route is documented with its method,
 * and every documented operation has a route (a drifting document is a bug either way). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvs/http.h"

static int failures;

/* Does the YAML document the path `pattern` with operation `method` (lowercase)? Path keys
 * sit at indent 2 under "paths:", operations at indent 4 below them. */
static bool documented(const char *yaml, const char *pattern, const char *method)
{
    char key[PVS_MAX_PATH + 8], op[16];
    snprintf(key, sizeof key, "\n  %s:\n", pattern);
    size_t m = 0;
    for (; method[m] && m + 1 < sizeof op - 6; m++)
        op[m] = (char)tolower((unsigned char)method[m]);
    op[m] = '\0';
    const char *p = strstr(yaml, key);
    if (!p)
        return false;
    p += strlen(key) - 1;
    while (p && p[1] == ' ' && p[2] == ' ' && p[3] == ' ') { /* lines indented > 2 */
        if (p[4] == ' ' && p[5] != ' ' && strncmp(p + 5, op, m) == 0 && p[5 + m] == ':')
            return true;
        p = strchr(p + 1, '\n');
    }
    return false;
}

static bool routed(const char *path, const char *op)
{
    for (size_t t = 0; t < pvs_route_tables_count; t++)
        for (size_t i = 0; i < *pvs_route_tables[t].count; i++)
            if (strcmp(pvs_route_tables[t].routes[i].pattern, path) == 0 &&
                strcasecmp(pvs_route_tables[t].routes[i].method, op) == 0)
                return true;
    return false;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", argv[1]);
        return 1;
    }
    static char yaml[1 << 21];
    size_t len = fread(yaml, 1, sizeof yaml - 1, f);
    fclose(f);
    yaml[len] = '\0';
    int checked = 0;
    for (size_t t = 0; t < pvs_route_tables_count; t++)
        for (size_t i = 0; i < *pvs_route_tables[t].count; i++, checked++) {
            const struct pvs_route *rt = &pvs_route_tables[t].routes[i];
            if (!documented(yaml, rt->pattern, rt->method)) {
                fprintf(stderr, "FAIL: %s %s is not in docs/openapi.yaml\n", rt->method,
                        rt->pattern);
                failures++;
            }
        }
    /* the other way: every "  /path:" key and its operations (only in a full build: a
     * core-only build lacks the domain's routes by design) */
    const char *paths = pvs_domain_routes_count ? strstr(yaml, "\npaths:\n") : NULL;
    const char *end = paths ? strstr(paths, "\ncomponents:\n") : NULL;
    static const char *const ops[] = {"get", "put", "post", "delete", "patch"};
    for (const char *p = paths; p && p < end; p = strchr(p + 1, '\n')) {
        if (strncmp(p, "\n  /", 4) != 0)
            continue;
        char path[PVS_MAX_PATH];
        size_t k = strcspn(p + 3, ":\n");
        if (k >= sizeof path)
            continue;
        memcpy(path, p + 3, k);
        path[k] = '\0';
        for (size_t o = 0; o < sizeof ops / sizeof ops[0]; o++)
            if (documented(yaml, path, ops[o]) && !routed(path, ops[o])) {
                fprintf(stderr, "FAIL: docs/openapi.yaml documents %s %s, which no route serves\n",
                        ops[o], path);
                failures++;
            }
    }
    printf("test_openapi_routes: %d routes checked, %d failure(s)\n", checked, failures);
    return failures ? 1 : 0;
}
