/* portvakt-server configuration: defaults, a `key = value` file and the same keys as flags. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvs/server.h"

#define CONFIG_MAX_FILE (64u * 1024u)
#define CONFIG_MAX_LINE 2048

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
    else if (strcmp(key, "trusted-proxy") == 0)
        rc = is_ip(v) ? (snprintf(c->trusted_proxy, sizeof c->trusted_proxy, "%s", v), 0) : -1;
    else {
        snprintf(errbuf, errcap, "unknown setting \"%.64s\"", key);
        return -1;
    }
    if (rc != 0)
        snprintf(errbuf, errcap, "bad value for %s: \"%.64s\"", key, v);
    return rc;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

int pvs_config_parse(struct pvs_config *c, const char *text, size_t len, char *errbuf,
                     size_t errcap)
{
    char line[CONFIG_MAX_LINE];
    unsigned lineno = 0;
    size_t pos = 0;
    while (pos < len) {
        size_t end = pos;
        while (end < len && text[end] != '\n')
            end++;
        lineno++;
        size_t n = end - pos;
        if (n >= sizeof line || memchr(text + pos, '\0', n)) {
            snprintf(errbuf, errcap, "line %u: too long or contains a NUL byte", lineno);
            return -1;
        }
        memcpy(line, text + pos, n);
        line[n] = '\0';
        pos = end + 1;
        char *s = trim(line);
        if (*s == '\0' || *s == '#')
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            snprintf(errbuf, errcap, "line %u: expected key = value", lineno);
            return -1;
        }
        *eq = '\0';
        char *key = trim(s), *val = trim(eq + 1);
        char why[200];
        if (pvs_config_set(c, key, val, why, sizeof why) != 0) {
            snprintf(errbuf, errcap, "line %u: %s", lineno, why);
            return -1;
        }
    }
    return 0;
}

int pvs_config_load(struct pvs_config *c, const char *path, char *errbuf, size_t errcap)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(errbuf, errcap, "cannot open config file %s: %s", path, strerror(errno));
        return -1;
    }
    char *buf = malloc(CONFIG_MAX_FILE + 1);
    size_t n = buf ? fread(buf, 1, CONFIG_MAX_FILE + 1, f) : 0;
    fclose(f);
    if (!buf || n > CONFIG_MAX_FILE) {
        free(buf);
        snprintf(errbuf, errcap, "config file %s is larger than %u bytes", path, CONFIG_MAX_FILE);
        return -1;
    }
    char why[300];
    int rc = pvs_config_parse(c, buf, n, why, sizeof why);
    if (rc != 0)
        snprintf(errbuf, errcap, "%s: %s", path, why);
    free(buf);
    return rc;
}
