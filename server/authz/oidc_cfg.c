/* The oidc-* settings of portvakt-server: the city's OpenID provider, this client, and the
 * rules that turn a group into a Portvakt role. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "pvs/http.h"
#include "pvs/oidc.h"

void pvs_oidc_cfg_defaults(struct pvs_oidc_cfg *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->scopes, sizeof c->scopes, "openid profile");
    snprintf(c->claim, sizeof c->claim, "groups");
    snprintf(c->name, sizeof c->name, "Stadens inloggning");
    c->skew_s = 60;
}

bool pvs_oidc_enabled(const struct pvs_oidc_cfg *c)
{
    return c->issuer[0] && c->client_id[0] && c->redirect_uri[0] && c->nmaps > 0;
}

/* https, or plain http to this machine only (tests, a provider on the same host) */
static bool url_ok(const char *v)
{
    if (strncmp(v, "https://", 8) == 0)
        return strlen(v) > 8;
    return strncmp(v, "http://127.0.0.1:", 17) == 0 || strncmp(v, "http://localhost:", 17) == 0;
}

static int copy(char *dst, size_t cap, const char *v)
{
    if (!*v || strlen(v) >= cap)
        return -1;
    memcpy(dst, v, strlen(v) + 1);
    return 0;
}

static int read_secret(struct pvs_oidc_cfg *c, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char buf[sizeof c->client_secret + 2];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        buf[--n] = '\0';
    int rc = n && n < sizeof c->client_secret ? copy(c->client_secret, sizeof c->client_secret, buf) : -1;
    sodium_memzero(buf, sizeof buf);
    return rc;
}

/* "pv-admins=central_admin; pv-planner-a=planner@3" */
static int parse_maps(struct pvs_oidc_cfg *c, const char *v)
{
    char buf[2048];
    if (strlen(v) >= sizeof buf)
        return -1;
    snprintf(buf, sizeof buf, "%s", v);
    c->nmaps = 0;
    char *save = NULL;
    for (char *t = strtok_r(buf, ";", &save); t; t = strtok_r(NULL, ";", &save)) {
        while (*t == ' ')
            t++;
        char *eq = strrchr(t, '='), *at = eq ? strchr(eq, '@') : NULL;
        if (!eq || eq == t || c->nmaps >= PVS_OIDC_MAX_MAPS || (size_t)(eq - t) >= sizeof c->maps[0].value)
            return -1;
        struct pvs_oidc_map *m = &c->maps[c->nmaps];
        memset(m, 0, sizeof *m);
        memcpy(m->value, t, (size_t)(eq - t));
        if (at)
            *at = '\0';
        char *role = eq + 1;
        size_t rl = strlen(role);
        while (rl && role[rl - 1] == ' ')
            role[--rl] = '\0';
        m->role = pvs_role_parse(role);
        if (at) {
            char *end = NULL;
            errno = 0;
            long long p = strtoll(at + 1, &end, 10);
            if (errno || *end || p <= 0)
                return -1;
            m->provider_id = p;
        }
        if (m->role == PVS_ROLE_NONE || (pvs_role_needs_provider(m->role) && !m->provider_id) ||
            (pvs_role_forbids_provider(m->role) && m->provider_id))
            return -1;
        c->nmaps++;
    }
    return c->nmaps ? 0 : -1;
}

int pvs_oidc_cfg_set(struct pvs_oidc_cfg *c, const char *key, const char *v)
{
    if (strcmp(key, "issuer") == 0)
        return url_ok(v) ? copy(c->issuer, sizeof c->issuer, v) : -1;
    if (strcmp(key, "client-id") == 0)
        return copy(c->client_id, sizeof c->client_id, v);
    if (strcmp(key, "client-secret-file") == 0)
        return read_secret(c, v);
    if (strcmp(key, "redirect-uri") == 0)
        return url_ok(v) ? copy(c->redirect_uri, sizeof c->redirect_uri, v) : -1;
    if (strcmp(key, "scopes") == 0)
        return strstr(v, "openid") ? copy(c->scopes, sizeof c->scopes, v) : -1;
    if (strcmp(key, "claim") == 0)
        return copy(c->claim, sizeof c->claim, v);
    if (strcmp(key, "name") == 0)
        return copy(c->name, sizeof c->name, v);
    if (strcmp(key, "clock-skew") == 0) {
        char *end = NULL;
        unsigned long s = strtoul(v, &end, 10);
        if (!*v || *end || s > 300)
            return -1;
        c->skew_s = (unsigned)s;
        return 0;
    }
    if (strcmp(key, "map") == 0)
        return parse_maps(c, v);
    return -1;
}
