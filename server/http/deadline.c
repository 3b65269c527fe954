/* The header-read deadline: a registry of open connections and a thread that shuts down
 * the ones whose headers are overdue (pvs/deadline.h). */
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "pvs/clock.h"
#include "pvs/deadline.h"
#include "pvs/metrics.h"

struct pvs_conn_watch {
    struct pvs_conn_watch *prev, *next;
    int fd;
    bool busy;    /* a request is running: its headers came in time */
    bool shut;    /* already shut down; libmicrohttpd will close it */
    double since; /* ms (monotonic) since when its headers are due */
};

struct pvs_deadline {
    pthread_mutex_t mu;
    pthread_cond_t wake;
    pthread_t thread;
    bool stopping;
    double deadline_ms;
    unsigned long expired;
    struct pvs_conn_watch head; /* circular list, head.next = oldest */
};

/* Shut down every connection past the deadline. Called with d->mu held: libmicrohttpd
 * reports a close (pvs_deadline_close, which takes d->mu) before it closes the socket,
 * so no socket here has been closed or reused for another connection. */
static void sweep(struct pvs_deadline *d, double now)
{
    for (struct pvs_conn_watch *w = d->head.next; w != &d->head; w = w->next) {
        if (w->busy || w->shut || now - w->since < d->deadline_ms)
            continue;
        shutdown(w->fd, SHUT_RDWR); /* libmicrohttpd sees the end and closes it */
        w->shut = true;
        d->expired++;
        pvs_metric_add("pvs_http_header_deadline_total", "", 1);
    }
}

static void *sweeper(void *arg)
{
    struct pvs_deadline *d = arg;
    pthread_mutex_lock(&d->mu);
    while (!d->stopping) {
        struct timespec at;
        clock_gettime(CLOCK_REALTIME, &at);
        at.tv_nsec += 500 * 1000 * 1000;
        if (at.tv_nsec >= 1000 * 1000 * 1000) {
            at.tv_sec++;
            at.tv_nsec -= 1000 * 1000 * 1000;
        }
        pthread_cond_timedwait(&d->wake, &d->mu, &at);
        if (!d->stopping)
            sweep(d, pvs_mono_ms());
    }
    pthread_mutex_unlock(&d->mu);
    return NULL;
}

struct pvs_deadline *pvs_deadline_start(double deadline_s)
{
    struct pvs_deadline *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->deadline_ms = 1000.0 * (deadline_s > 0 ? deadline_s : PVS_HEADER_DEADLINE_S);
    d->head.next = d->head.prev = &d->head;
    if (pthread_mutex_init(&d->mu, NULL) != 0) {
        free(d);
        return NULL;
    }
    if (pthread_cond_init(&d->wake, NULL) != 0 ||
        pthread_create(&d->thread, NULL, sweeper, d) != 0) {
        pthread_mutex_destroy(&d->mu);
        free(d);
        return NULL;
    }
    return d;
}

void pvs_deadline_stop(struct pvs_deadline *d)
{
    if (!d)
        return;
    pthread_mutex_lock(&d->mu);
    d->stopping = true;
    pthread_cond_signal(&d->wake);
    pthread_mutex_unlock(&d->mu);
    pthread_join(d->thread, NULL);
    while (d->head.next != &d->head)
        pvs_deadline_close(d, d->head.next);
    pthread_cond_destroy(&d->wake);
    pthread_mutex_destroy(&d->mu);
    free(d);
}

struct pvs_conn_watch *pvs_deadline_open(struct pvs_deadline *d, int fd)
{
    struct pvs_conn_watch *w = calloc(1, sizeof *w);
    if (!w)
        return NULL; /* this one connection goes without a deadline; the idle timeout stays */
    w->fd = fd;
    w->since = pvs_mono_ms();
    pthread_mutex_lock(&d->mu);
    w->prev = d->head.prev;
    w->next = &d->head;
    d->head.prev->next = w;
    d->head.prev = w;
    pthread_mutex_unlock(&d->mu);
    return w;
}

void pvs_deadline_request(struct pvs_deadline *d, struct pvs_conn_watch *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&d->mu);
    w->busy = true;
    pthread_mutex_unlock(&d->mu);
}

void pvs_deadline_idle(struct pvs_deadline *d, struct pvs_conn_watch *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&d->mu);
    w->busy = false;
    w->since = pvs_mono_ms();
    pthread_mutex_unlock(&d->mu);
}

void pvs_deadline_close(struct pvs_deadline *d, struct pvs_conn_watch *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&d->mu);
    w->prev->next = w->next;
    w->next->prev = w->prev;
    pthread_mutex_unlock(&d->mu);
    free(w);
}

unsigned long pvs_deadline_expired(struct pvs_deadline *d)
{
    pthread_mutex_lock(&d->mu);
    unsigned long n = d->expired;
    pthread_mutex_unlock(&d->mu);
    return n;
}
