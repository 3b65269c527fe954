/* How outgoing events are retried: the `webhook-*` settings of the config file and flags
 * (docs/server.md, "Outgoing events"), read by the delivery worker. */
#ifndef PVS_WEBHOOK_CFG_H
#define PVS_WEBHOOK_CFG_H

struct pvs_webhook_cfg {
    unsigned backoff_base_s; /* webhook-retry-first: the first retry after this many seconds */
    unsigned backoff_cap_s;  /* webhook-retry-max: doubling, never further apart than this */
    unsigned max_attempts;   /* webhook-attempts: a delivery is dead after this many tries */
    unsigned timeout_s;      /* webhook-timeout: a slower receiver counts as failed */
};

/* 10 s doubling to 1 h, dead after 15 tries (about 9 hours), 10 s timeout. */
void pvs_webhook_cfg_defaults(struct pvs_webhook_cfg *c);
/* One setting, `key` without the "webhook-" prefix. 0, or -1 for an unknown key or a value
 * out of range (retry-first 1..3600, retry-max 1..86400 and not below retry-first when
 * used, attempts 1..100, timeout 1..120). */
int pvs_webhook_cfg_set(struct pvs_webhook_cfg *c, const char *key, const char *value);

#endif
