/* The shared `key = value` config-file reader (portvakt/conf.h): host-side, so it lives
 * beside the POSIX port and not in the OS-free cores. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "portvakt/conf.h"

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

/* One line, already copied and NUL-terminated. */
static int conf_line(char *line, unsigned lineno, pv_conf_set_fn set, void *ctx, char *err,
                     size_t errcap)
{
    char *s = trim(line);
    if (*s == '\0' || *s == '#')
        return 0;
    char *eq = strchr(s, '=');
    if (!eq) {
        snprintf(err, errcap, "line %u: expected key = value", lineno);
        return -1;
    }
    *eq = '\0';
    char *key = trim(s), *val = trim(eq + 1);
    char why[200] = "";
    if (set(ctx, key, val, why, sizeof why) != 0) {
        snprintf(err, errcap, "line %u: %s", lineno, why);
        return -1;
    }
    return 0;
}

int pv_conf_parse(const char *text, size_t len, pv_conf_set_fn set, void *ctx, char *err,
                  size_t errcap)
{
    char line[PV_CONF_MAX_LINE];
    unsigned lineno = 0;
    size_t pos = 0;
    while (pos < len) {
        size_t end = pos;
        while (end < len && text[end] != '\n')
            end++;
        lineno++;
        size_t n = end - pos;
        if (n >= sizeof line || memchr(text + pos, '\0', n)) {
            snprintf(err, errcap, "line %u: too long or contains a NUL byte", lineno);
            return -1;
        }
        memcpy(line, text + pos, n);
        line[n] = '\0';
        pos = end + 1;
        if (conf_line(line, lineno, set, ctx, err, errcap) != 0)
            return -1;
    }
    return 0;
}

int pv_conf_load(const char *path, pv_conf_set_fn set, void *ctx, char *err, size_t errcap)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errcap, "cannot open config file %s: %s", path, strerror(errno));
        return -1;
    }
    char *buf = malloc(PV_CONF_MAX_FILE + 1);
    size_t n = buf ? fread(buf, 1, PV_CONF_MAX_FILE + 1, f) : 0;
    fclose(f);
    if (!buf || n > PV_CONF_MAX_FILE) {
        free(buf);
        snprintf(err, errcap, "config file %s is larger than %u bytes", path, PV_CONF_MAX_FILE);
        return -1;
    }
    char why[300];
    int rc = pv_conf_parse(buf, n, set, ctx, why, sizeof why);
    if (rc != 0)
        snprintf(err, errcap, "%s: %s", path, why);
    free(buf);
    return rc;
}
