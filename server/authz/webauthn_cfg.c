/* The webauthn-* settings of portvakt-server: relying party, origins, attestation policy and
 * the roles that must sign in with a hardware key. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "pvs/http.h"
#include "pvs/webauthn.h"

void pvs_webauthn_cfg_defaults(struct pvs_webauthn_cfg *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->rp_name, sizeof c->rp_name, "Portvakt");
}

/* Calls each(ctx, item) for every comma-separated item (spaces trimmed); -1 on the first error. */
static int each_item(const char *v, int (*each)(void *ctx, const char *item), void *ctx)
{
    char buf[1024];
    if (strlen(v) >= sizeof buf)
        return -1;
    snprintf(buf, sizeof buf, "%s", v);
    char *save = NULL;
    for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        while (*t == ' ')
            t++;
        size_t n = strlen(t);
        while (n && t[n - 1] == ' ')
            t[--n] = '\0';
        if (!n || each(ctx, t) != 0)
            return -1;
    }
    return 0;
}

static int add_origin(void *ctx, const char *o)
{
    struct pvs_webauthn_cfg *c = ctx;
    /* plain http only on this machine: localhost, *.localhost (always loopback), 127.0.0.1 */
    const char *host = o + 7, *end = o + strcspn(o + 7, ":/") + 7;
    size_t hl = (size_t)(end - host);
    bool local = strncmp(o, "http://", 7) == 0 &&
                 ((hl >= 9 && strncmp(end - 9, "localhost", 9) == 0 && (hl == 9 || end[-10] == '.')) ||
                  (hl == 9 && strncmp(host, "127.0.0.1", 9) == 0));
    bool scheme = strncmp(o, "https://", 8) == 0 || local;
    if (!scheme || strlen(o) >= sizeof c->origins[0] || o[strlen(o) - 1] == '/' ||
        c->norigins >= PVS_WA_MAX_ORIGINS)
        return -1;
    snprintf(c->origins[c->norigins++], sizeof c->origins[0], "%s", o);
    return 0;
}

/* "cb69481e-8ff7-4039-93ec-0a2729a154a8" (a YubiKey 5's AAGUID) */
static int add_aaguid(void *ctx, const char *s)
{
    struct pvs_webauthn_cfg *c = ctx;
    size_t len = 0;
    if (strlen(s) != 36 || c->naaguids >= PVS_WA_MAX_AAGUIDS ||
        sodium_hex2bin(c->aaguids[c->naaguids], 16, s, 36, "-", &len, NULL) != 0 || len != 16)
        return -1;
    c->naaguids++;
    return 0;
}

static int add_role(void *ctx, const char *name)
{
    struct pvs_webauthn_cfg *c = ctx;
    enum pvs_role role = pvs_role_parse(name);
    if (role == PVS_ROLE_NONE)
        return -1;
    c->required_roles |= 1u << role;
    return 0;
}

int pvs_webauthn_cfg_set(struct pvs_webauthn_cfg *c, const char *key, const char *v)
{
    if (strcmp(key, "rp-id") == 0) {
        bool ok = *v && strlen(v) < sizeof c->rp_id && !strpbrk(v, "/: ");
        return ok ? (snprintf(c->rp_id, sizeof c->rp_id, "%s", v), 0) : -1;
    }
    if (strcmp(key, "rp-name") == 0)
        return *v && strlen(v) < sizeof c->rp_name ? (snprintf(c->rp_name, sizeof c->rp_name, "%s", v), 0) : -1;
    if (strcmp(key, "origin") == 0) {
        c->norigins = 0;
        return each_item(v, add_origin, c);
    }
    if (strcmp(key, "attestation") == 0) {
        c->naaguids = 0;
        return strcmp(v, "any") == 0 ? 0 : each_item(v, add_aaguid, c);
    }
    if (strcmp(key, "required-roles") == 0) {
        c->required_roles = 0;
        return strcmp(v, "none") == 0 ? 0 : each_item(v, add_role, c);
    }
    return -1;
}
