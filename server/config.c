/* portvakt-server configuration: defaults, a `key = value` file and the same keys as flags. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "portvakt/conf.h"
#include "pvs/server.h"

void pvs_config_defaults(struct pvs_config *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->db, sizeof c->db, "portvakt.db");
    snprintf(c->listen_host, sizeof c->listen_host, "127.0.0.1");
    c->listen_port = 8080;
    snprintf(c->issuer_key, sizeof c->issuer_key, "issuer.key");
    c->threads = 4;
    c->session_idle_s = 30 * 60;      /* half an hour without a request ends a session */
    c->session_abs_s = 12 * 3600;     /* a working day at most, then sign in again */
    c->login_max_failures = 10;       /* then the account locks for lockout_s */
    c->lockout_s = 15 * 60;
    c->addr_max_failures = 50;        /* one office behind NAT may share an address */
    c->addr_window_s = 15 * 60;
    /* retention defaults (docs/privacy.md): a passage answers "did the evening visit happen?"
     * and complaints for a year; a refusal may be evidence of an attempt for two; syncs are
     * operational only */
    c->retain_passages_days = 365;
    c->retain_refusals_days = 730;
    c->retain_syncs_days = 90;
    /* the audit trail outlives every record it speaks of (refusals: two years) many times
     * over, so each purge and erasure stays on record long after the data is gone */
    c->retain_audit_days = 3650;
    pvs_webauthn_cfg_defaults(&c->webauthn);
    pvs_oidc_cfg_defaults(&c->oidc);
}

static int parse_uint(const char *v, unsigned lo, unsigned hi, unsigned *out)
{
    if (!*v)
        return -1;
    char *end = NULL;
    errno = 0;
    unsigned long x = strtoul(v, &end, 10);
    if (errno || *end || v[0] == '-' || x < lo || x > hi)
        return -1;
    *out = (unsigned)x;
    return 0;
}

static int parse_listen(struct pvs_config *c, const char *v)
{
    const char *colon = strrchr(v, ':');
    if (!colon || colon == v)
        return -1;
    size_t hlen = (size_t)(colon - v);
    const char *host = v;
    if (v[0] == '[') { /* [::1]:8080 */
        if (hlen < 3 || v[hlen - 1] != ']')
            return -1;
        host = v + 1;
        hlen -= 2;
    }
    if (hlen >= sizeof c->listen_host)
        return -1;
    unsigned port;
    if (parse_uint(colon + 1, 0, 65535, &port) != 0)
        return -1;
    memcpy(c->listen_host, host, hlen);
    c->listen_host[hlen] = '\0';
    c->listen_port = port;
    return 0;
}

static bool is_ip(const char *v)
{
    unsigned char buf[sizeof(struct in6_addr)];
    return inet_pton(AF_INET, v, buf) == 1 || inet_pton(AF_INET6, v, buf) == 1;
}

static int set_path(char *dst, const char *v)
{
    if (strlen(v) >= PVS_PATH_MAX)
        return -1;
    memcpy(dst, v, strlen(v) + 1);
    return 0;
}

int pvs_config_set(struct pvs_config *c, const char *key, const char *v, char *errbuf,
                   size_t errcap)
{
    int rc = -1;
    if (strcmp(key, "db") == 0)
        rc = set_path(c->db, v);
    else if (strcmp(key, "listen") == 0)
        rc = parse_listen(c, v);
    else if (strcmp(key, "tls-cert") == 0)
        rc = set_path(c->tls_cert, v);
    else if (strcmp(key, "tls-key") == 0)
        rc = set_path(c->tls_key, v);
    else if (strcmp(key, "issuer-key") == 0)
        rc = set_path(c->issuer_key, v);
    else if (strcmp(key, "vault-key") == 0)
        rc = set_path(c->vault_key, v);
    else if (strcmp(key, "web-root") == 0)
        rc = set_path(c->web_root, v);
    else if (strcmp(key, "port-file") == 0)
        rc = set_path(c->port_file, v);
    else if (strcmp(key, "threads") == 0)
        rc = parse_uint(v, 1, 64, &c->threads);
    else if (strcmp(key, "sim-clock") == 0) {
        rc = strcmp(v, "true") == 0 || strcmp(v, "false") == 0 ? 0 : -1;
        c->sim_clock = strcmp(v, "true") == 0;
    } else if (strcmp(key, "session-idle") == 0)
        rc = parse_uint(v, 60, 86400, &c->session_idle_s);
    else if (strcmp(key, "session-absolute") == 0)
        rc = parse_uint(v, 300, 7 * 86400, &c->session_abs_s);
    else if (strcmp(key, "login-max-failures") == 0)
        rc = parse_uint(v, 3, 1000, &c->login_max_failures);
    else if (strcmp(key, "lockout-seconds") == 0)
        rc = parse_uint(v, 1, 86400 * 30, &c->lockout_s);
    else if (strcmp(key, "addr-max-failures") == 0)
        rc = parse_uint(v, 3, 100000, &c->addr_max_failures);
    else if (strcmp(key, "addr-window") == 0)
        rc = parse_uint(v, 1, 86400, &c->addr_window_s);
    else if (strcmp(key, "retain-passages-days") == 0)
        rc = parse_uint(v, 0, 36500, &c->retain_passages_days);
    else if (strcmp(key, "retain-refusals-days") == 0)
        rc = parse_uint(v, 0, 36500, &c->retain_refusals_days);
    else if (strcmp(key, "retain-syncs-days") == 0)
        rc = parse_uint(v, 0, 36500, &c->retain_syncs_days);
    else if (strcmp(key, "retain-audit-days") == 0)
        rc = parse_uint(v, 0, 36500, &c->retain_audit_days);
    else if (strcmp(key, "trusted-proxy") == 0)
        rc = is_ip(v) ? (snprintf(c->trusted_proxy, sizeof c->trusted_proxy, "%s", v), 0) : -1;
    else if (strncmp(key, "webauthn-", 9) == 0)
        rc = pvs_webauthn_cfg_set(&c->webauthn, key + 9, v);
    else if (strncmp(key, "oidc-", 5) == 0)
        rc = pvs_oidc_cfg_set(&c->oidc, key + 5, v);
    else {
        snprintf(errbuf, errcap, "unknown setting \"%.64s\"", key);
        return -1;
    }
    if (rc != 0)
        snprintf(errbuf, errcap, "bad value for %s: \"%.64s\"", key, v);
    return rc;
}

static int set_one(void *ctx, const char *key, const char *value, char *why, size_t whycap)
{
    return pvs_config_set(ctx, key, value, why, whycap);
}

int pvs_config_parse(struct pvs_config *c, const char *text, size_t len, char *errbuf,
                     size_t errcap)
{
    return pv_conf_parse(text, len, set_one, c, errbuf, errcap);
}

int pvs_config_load(struct pvs_config *c, const char *path, char *errbuf, size_t errcap)
{
    return pv_conf_load(path, set_one, c, errbuf, errcap);
}
