/* In-process counters and the request latency histogram, rendered as Prometheus text. */
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvs/metrics.h"

#define SERIES_MAX 512

struct series {
    const char *name;
    const char *labels;
    char own_labels[96]; /* request series build their label text here */
    uint64_t value;
};

/* Latency bucket bounds in milliseconds: fine below 50 ms, where the sync target lies. */
static const double bucket_ms[] = {1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500};
#define NBUCKETS (sizeof bucket_ms / sizeof bucket_ms[0])

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct series series[SERIES_MAX];
static size_t nseries;
static uint64_t dropped;
static uint64_t hist[NBUCKETS + 1];
static uint64_t hist_count;
static double hist_sum_ms;

/* Under mu: the series for (name, labels), created on first use; NULL when full. */
static struct series *find(const char *name, const char *labels)
{
    for (size_t i = 0; i < nseries; i++)
        if (strcmp(series[i].name, name) == 0 && strcmp(series[i].labels, labels) == 0)
            return &series[i];
    if (nseries == SERIES_MAX) {
        dropped++;
        return NULL;
    }
    struct series *s = &series[nseries++];
    s->name = name;
    s->labels = labels;
    return s;
}

void pvs_metric_add(const char *name, const char *labels, uint64_t v)
{
    pthread_mutex_lock(&mu);
    struct series *s = find(name, labels ? labels : "");
    if (s)
        s->value += v;
    pthread_mutex_unlock(&mu);
}

void pvs_metric_request(const char *method, const char *route, int status, double ms)
{
    char labels[96];
    snprintf(labels, sizeof labels, "method=\"%s\",route=\"%s\",status=\"%d\"", method, route,
             status);
    pthread_mutex_lock(&mu);
    struct series *s = NULL;
    for (size_t i = 0; i < nseries; i++)
        if (strcmp(series[i].name, "pvs_http_requests_total") == 0 &&
            strcmp(series[i].labels, labels) == 0) {
            s = &series[i];
            break;
        }
    if (!s) {
        if (nseries < SERIES_MAX) {
            s = &series[nseries++];
            s->name = "pvs_http_requests_total";
            memcpy(s->own_labels, labels, sizeof labels);
            s->labels = s->own_labels;
        } else {
            dropped++;
        }
    }
    if (s)
        s->value++;
    size_t b = 0;
    while (b < NBUCKETS && ms > bucket_ms[b])
        b++;
    hist[b]++;
    hist_count++;
    hist_sum_ms += ms;
    pthread_mutex_unlock(&mu);
}

struct out {
    char *buf;
    size_t len, cap;
};

static void emit(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void emit(struct out *o, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
        va_end(ap);
        if (n < 0)
            return;
        if ((size_t)n < o->cap - o->len) {
            o->len += (size_t)n;
            return;
        }
        size_t cap = (o->cap + (size_t)n) * 2;
        char *b = realloc(o->buf, cap);
        if (!b)
            return;
        o->buf = b;
        o->cap = cap;
    }
}

char *pvs_metrics_render(unsigned long db_errors, size_t *len)
{
    struct out o = {malloc(4096), 0, 4096};
    if (!o.buf)
        return NULL;
    o.buf[0] = '\0';
    pthread_mutex_lock(&mu);
    /* group series by name: one TYPE line per metric family, as the format requires */
    for (size_t i = 0; i < nseries; i++) {
        bool seen = false;
        for (size_t k = 0; k < i && !seen; k++)
            seen = strcmp(series[k].name, series[i].name) == 0;
        if (seen)
            continue;
        emit(&o, "# TYPE %s counter\n", series[i].name);
        for (size_t j = i; j < nseries; j++) {
            if (strcmp(series[j].name, series[i].name) != 0)
                continue;
            if (series[j].labels[0])
                emit(&o, "%s{%s} %llu\n", series[j].name, series[j].labels,
                     (unsigned long long)series[j].value);
            else
                emit(&o, "%s %llu\n", series[j].name, (unsigned long long)series[j].value);
        }
    }
    emit(&o, "# TYPE pvs_http_request_duration_seconds histogram\n");
    uint64_t cum = 0;
    for (size_t b = 0; b < NBUCKETS; b++) {
        cum += hist[b];
        emit(&o, "pvs_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
             bucket_ms[b] / 1000.0, (unsigned long long)cum);
    }
    emit(&o, "pvs_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
         (unsigned long long)hist_count);
    emit(&o, "pvs_http_request_duration_seconds_sum %.6f\n", hist_sum_ms / 1000.0);
    emit(&o, "pvs_http_request_duration_seconds_count %llu\n", (unsigned long long)hist_count);
    emit(&o, "# TYPE pvs_metrics_dropped_total counter\npvs_metrics_dropped_total %llu\n",
         (unsigned long long)dropped);
    pthread_mutex_unlock(&mu);
    emit(&o, "# TYPE pvs_db_errors_total counter\npvs_db_errors_total %lu\n", db_errors);
    *len = o.len;
    return o.buf;
}
