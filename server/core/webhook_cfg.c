/* The `webhook-*` settings (see pvs/webhook_cfg.h): strict decimal values in bounds. */
#include "pvs/webhook_cfg.h"

#include <stdlib.h>
#include <string.h>

void pvs_webhook_cfg_defaults(struct pvs_webhook_cfg *c)
{
    *c = (struct pvs_webhook_cfg){10, 3600, 15, 10};
}

static int parse(const char *v, unsigned lo, unsigned hi, unsigned *out)
{
    if (!v || !*v || strlen(v) > 6 || strspn(v, "0123456789") != strlen(v))
        return -1;
    unsigned long n = strtoul(v, NULL, 10);
    if (n < lo || n > hi)
        return -1;
    *out = (unsigned)n;
    return 0;
}

int pvs_webhook_cfg_set(struct pvs_webhook_cfg *c, const char *key, const char *value)
{
    if (strcmp(key, "retry-first") == 0)
        return parse(value, 1, 3600, &c->backoff_base_s);
    if (strcmp(key, "retry-max") == 0)
        return parse(value, 1, 86400, &c->backoff_cap_s);
    if (strcmp(key, "attempts") == 0)
        return parse(value, 1, 100, &c->max_attempts);
    if (strcmp(key, "timeout") == 0)
        return parse(value, 1, 120, &c->timeout_s);
    return -1;
}
