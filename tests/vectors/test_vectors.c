/* Checks that lib/proto reproduces every committed known-answer vector byte for byte:
 * each tests/vectors/<name>.hex is regenerated in memory and compared with the file.
 * Usage: test_vectors VECTOR_DIR */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vecgen.h"

static char *read_all(FILE *f, size_t *len)
{
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap);
    while (b) {
        size_t r = fread(b + n, 1, cap - n, f);
        n += r;
        if (r == 0)
            break;
        if (n == cap) {
            char *nb = realloc(b, cap * 2);
            if (!nb) {
                free(b);
                return NULL;
            }
            b = nb;
            cap *= 2;
        }
    }
    *len = n;
    return b;
}

/* Report the first differing line so a format change is easy to see. */
static void first_diff(const char *name, const char *a, size_t alen, const char *b, size_t blen)
{
    size_t line = 1, i = 0;
    while (i < alen && i < blen && a[i] == b[i])
        line += a[i++] == '\n';
    fprintf(stderr, "%s.hex: line %zu differs from what the library produces now\n", name,
            line);
    (void)b;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s VECTOR_DIR\n", argv[0]);
        return 2;
    }
    int failed = 0;
    for (const char *const *n = vec_names; *n; n++) {
        char path[1024], *now = NULL;
        size_t now_len = 0, file_len = 0;
        snprintf(path, sizeof path, "%s/%s.hex", argv[1], *n);
        FILE *f = fopen(path, "rb");
        if (!f) {
            fprintf(stderr, "missing vector file %s\n", path);
            failed++;
            continue;
        }
        char *file = read_all(f, &file_len);
        fclose(f);
        FILE *m = open_memstream(&now, &now_len);
        int rc = m ? vec_emit(*n, m) : -1;
        if (m)
            fclose(m);
        if (rc != 0 || !file || !now || now_len != file_len || memcmp(now, file, now_len) != 0) {
            if (file && now)
                first_diff(*n, file, file_len, now, now_len);
            failed++;
        } else {
            printf("%s.hex: %zu bytes reproduced\n", *n, file_len);
        }
        free(file);
        free(now);
    }
    return failed ? 1 : 0;
}
