/* Prometheus counters and the request latency histogram behind /metrics. */
#ifndef PVS_METRICS_H
#define PVS_METRICS_H

#include <stddef.h>
#include <stdint.h>

/*
 * Add `v` to counter `name` with label set `labels` (Prometheus syntax without braces,
 * e.g. "result=\"ok\"", or "" for none). Names and labels must be static or outlive the
 * process' metrics (they are stored by pointer). Thread safe. At most 512 distinct series;
 * more are dropped (counted in pvs_metrics_dropped_total).
 * Examples: pvs_metric_add("pvs_sync_total", "result=\"ok\"", 1).
 */
void pvs_metric_add(const char *name, const char *labels, uint64_t v);
/* Record one finished request: route pattern (or "static"/"none"), status, duration. */
void pvs_metric_request(const char *method, const char *route, int status, double ms);
/* Prometheus text exposition; caller frees. extra_db_errors is appended as a gauge. */
char *pvs_metrics_render(unsigned long db_errors, size_t *len);

#endif
