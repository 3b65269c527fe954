/* portvakt-server: command line front end (init, serve, audit-verify, rotate-issuer-key). */
#include <stdio.h>

#include "pvs/server.h"

int pvs_cli_main(int argc, char **argv);

int main(int argc, char **argv)
{
    return pvs_cli_main(argc, argv);
}
