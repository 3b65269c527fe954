/* Strict command-line option and number parsing for the `portvakt` CLI. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cli_parse(int argc, char **argv, int first, cli_opt *opts, size_t nopts)
{
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];
        size_t j;
        for (j = 0; j < nopts; j++)
            if (strcmp(a, opts[j].name) == 0)
                break;
        if (j == nopts) {
            fprintf(stderr, "portvakt: unknown option '%s' (see 'portvakt help')\n", a);
            return -1;
        }
        if (opts[j].seen) {
            fprintf(stderr, "portvakt: option %s given twice\n", a);
            return -1;
        }
        opts[j].seen = 1;
        if (opts[j].has_value) {
            if (i + 1 >= argc || strncmp(argv[i + 1], "--", 2) == 0) {
                fprintf(stderr, "portvakt: option %s needs a value\n", a);
                return -1;
            }
            opts[j].value = argv[++i];
        }
    }
    return 0;
}

const char *cli_value(const cli_opt *opts, size_t nopts, const char *name)
{
    for (size_t j = 0; j < nopts; j++)
        if (strcmp(opts[j].name, name) == 0)
            return opts[j].value;
    return NULL;
}

int cli_flag(const cli_opt *opts, size_t nopts, const char *name)
{
    for (size_t j = 0; j < nopts; j++)
        if (strcmp(opts[j].name, name) == 0)
            return opts[j].seen;
    return 0;
}

int cli_u64(const char *s, const char *what, uint64_t *out)
{
    if (!s || !*s || strlen(s) > 20 || strspn(s, "0123456789") != strlen(s)) {
        fprintf(stderr, "portvakt: %s must be a whole number, got '%s'\n", what, s ? s : "");
        return -1;
    }
    errno = 0;
    unsigned long long v = strtoull(s, NULL, 10);
    if (errno == ERANGE) {
        fprintf(stderr, "portvakt: %s is too large: %s\n", what, s);
        return -1;
    }
    *out = (uint64_t)v;
    return 0;
}

int cli_u32(const char *s, const char *what, uint32_t min, uint32_t max, uint32_t *out)
{
    uint64_t v;
    if (cli_u64(s, what, &v) != 0)
        return -1;
    if (v < min || v > max) {
        fprintf(stderr, "portvakt: %s must be between %" PRIu32 " and %" PRIu32 ", got %s\n",
                what, min, max, s);
        return -1;
    }
    *out = (uint32_t)v;
    return 0;
}

int cli_dir_id(const cli_opt *opts, size_t nopts, const char *id_opt, const char *usage,
               const char **dir, uint32_t *id)
{
    *dir = cli_value(opts, nopts, "--dir");
    const char *v = cli_value(opts, nopts, id_opt);
    if (!*dir || !v) {
        fprintf(stderr, "portvakt: %s\n", usage);
        return -1;
    }
    return cli_u32(v, id_opt, 1, UINT32_MAX, id);
}

void cli_hex(const uint8_t *b, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[b[i] >> 4];
        out[2 * i + 1] = digits[b[i] & 15];
    }
    out[2 * n] = '\0';
}
