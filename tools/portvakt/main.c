/* `portvakt`: offline tools for the door — issuer, locks, bearers, credentials, unlocks
 * over the virtual radio, revocation and lock logs — dispatching to one file per area. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "cli.h"

static const struct {
    const char *name;
    int (*run)(int, char **);
    const char *usage;
} commands[] = {
    {"issuer-create", cmd_issuer_create, "--dir DIR [--issuer-id N]"},
    {"lock-commission", cmd_lock_commission, "--dir DIR --lock-id N [--scope LO-HI] [--lock-seed HEX]"},
    {"bearer-register", cmd_bearer_register, "--dir DIR --bearer-id N [--public-key HEX]"},
    {"credential-issue", cmd_credential_issue,
     "--dir DIR --bearer-id N --locks 3,7,10-20 [--hours H] [--from UNIX]"},
    {"unlock", cmd_unlock, "--dir DIR --bearer-id N (--lock-id N | --socket PATH)"},
    {"lock-serve", cmd_lock_serve,
     "--dir DIR --lock-id N (--socket PATH [--sessions N] | --serial DEVICE)"},
    {"revoke", cmd_revoke, "--dir DIR --bearer-id N"},
    {"lock-log", cmd_lock_log, "--dir DIR --lock-id N [--json]"},
    {"demo", cmd_demo, "[--dir DIR]"},
};

static void usage(FILE *f)
{
    fprintf(f, "portvakt — offline tools for Portvakt's keys and locks\n\nusage:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  portvakt %-17s %s\n", commands[i].name, commands[i].usage);
    fprintf(f, "\nState (issuer key, lock flash images, bearer keys) lives in DIR; secrets are "
               "written mode 0600.\n");
}

int main(int argc, char **argv)
{
    if (sodium_init() < 0) {
        fprintf(stderr, "portvakt: libsodium failed to initialise\n");
        return 1;
    }
    if (argc < 2 || strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc, argv);
    fprintf(stderr, "portvakt: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return 2;
}
