/* Temporary CLI entry until cli.c lands. */
#include <stdio.h>
int pvs_cli_main(int argc, char **argv);
int pvs_cli_main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "not yet\n");
    return 2;
}
