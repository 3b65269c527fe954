/* Writes the lib/proto known-answer vectors (tests/vectors/<name>.hex) into a directory,
 * or with --corpus the fuzz corpus seeds. Usage: gen_vectors DIR | gen_vectors --corpus DIR */
#include <stdio.h>
#include <string.h>

#include "vecgen.h"

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--corpus") == 0)
        return vec_corpus(argv[2]) == 0 ? 0 : 1;
    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR | %s --corpus DIR\n", argv[0], argv[0]);
        return 2;
    }
    for (const char *const *n = vec_names; *n; n++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s.hex", argv[1], *n);
        FILE *f = fopen(path, "w");
        if (!f) {
            perror(path);
            return 1;
        }
        int rc = vec_emit(*n, f);
        if (fclose(f) != 0 || rc != 0) {
            fprintf(stderr, "gen_vectors: %s failed\n", path);
            return 1;
        }
    }
    return 0;
}
