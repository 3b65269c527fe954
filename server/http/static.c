/* Static web UI files from the configured web root: content types by extension, no hidden
 * files, no traversal out of the root (checked on the decoded path and on the real path). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pvs/core.h"

#define STATIC_MAX_FILE (8u << 20) /* the UI is small; a bigger file is a mistake */

static const struct {
    const char *ext;
    const char *type;
} types[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".txt", "text/plain; charset=utf-8"},
    {".woff2", "font/woff2"},
    {".webmanifest", "application/manifest+json"},
    {".wasm", "application/wasm"}, /* the phone key's core (web/phone/wasm/) */
};

static const char *content_type(const char *path)
{
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (!dot || (slash && dot < slash))
        return NULL;
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strcmp(dot, types[i].ext) == 0)
            return types[i].type;
    return NULL;
}

/* Segments may not be empty, start with a dot (no "..", no ".git"), or hold a backslash. */
static bool path_ok(const char *p)
{
    if (p[0] != '/')
        return false;
    for (const char *s = p + 1; *s;) {
        if (*s == '.')
            return false;
        const char *end = strchr(s, '/');
        size_t len = end ? (size_t)(end - s) : strlen(s);
        if (len == 0 && end)
            return false;
        for (size_t i = 0; i < len; i++)
            if (s[i] == '\\' || (unsigned char)s[i] < 0x20)
                return false;
        s += len;
        if (*s == '/')
            s++;
    }
    return true;
}

static void not_found(struct pvs_req *r)
{
    pvs_problem(r, 404, "not-found", "Not found", "There is no file %.200s.", r->path);
}

void pvs_static_serve(struct pvs_req *r)
{
    const char *root = r->srv->web_root_real;
    char rel[PVS_MAX_PATH + 16], full[PATH_MAX], real[PATH_MAX];
    if (!root[0] || !path_ok(r->path)) {
        not_found(r);
        return;
    }
    size_t plen = strlen(r->path);
    snprintf(rel, sizeof rel, "%s%s", r->path, r->path[plen - 1] == '/' ? "index.html" : "");
    if (snprintf(full, sizeof full, "%s%s", root, rel) >= (int)sizeof full ||
        !realpath(full, real)) {
        not_found(r);
        return;
    }
    size_t rootlen = strlen(root);
    /* the resolved file must still be inside the root (symlinks pointing out are refused) */
    if (strncmp(real, root, rootlen) != 0 || real[rootlen] != '/') {
        not_found(r);
        return;
    }
    const char *type = content_type(real);
    int fd = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct stat st;
    if (!type || fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
        (size_t)st.st_size > STATIC_MAX_FILE) {
        if (fd >= 0)
            close(fd);
        not_found(r);
        return;
    }
    size_t size = (size_t)st.st_size, got = 0;
    char *buf = malloc(size ? size : 1);
    while (buf && got < size) {
        ssize_t n = read(fd, buf + got, size - got);
        if (n <= 0 && errno != EINTR)
            break;
        if (n > 0)
            got += (size_t)n;
    }
    close(fd);
    if (!buf || got != size) {
        free(buf);
        pvs_problem(r, 500, "internal", "Internal error", "The file could not be read.");
        return;
    }
    pvs_reply_raw(r, 200, type, buf, size);
    free(buf);
}
