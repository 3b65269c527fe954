/* Authorization matrix fixtures of the core routes (users, providers, tokens, audit). */
#include "mx.h"

const struct mx_fixture mx_fixtures_core[] = {
    {NULL, NULL, NULL},
};
const size_t mx_fixtures_core_count = 0;
