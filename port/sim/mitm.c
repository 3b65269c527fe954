/* pv-radio-mitm: sits between a key and a lock on the simulated Unix-socket radio to
 * record, replay, delay, drop or alter frames, the way a relay or replay attacker would.
 *
 *   pv-radio-mitm --listen KEY.sock --connect LOCK.sock [--record FILE] [--delay-ms N]
 *                 [--drop N] [--flip N:OFFSET] [--set N:OFFSET:BYTE]
 *                 [--drop-lock N] [--set-lock N:OFFSET:BYTE]
 *   pv-radio-mitm --replay FILE --connect LOCK.sock
 *
 * Key->lock frames are numbered from 1 (M1 = 1, M3 = 2 in one unlock), lock->key frames
 * too (M2 = 1, M4 = 2). --delay-ms holds every key->lock frame after the first; --drop,
 * --flip and --set (write BYTE at OFFSET, e.g. a downgraded version) act on key->lock
 * frame N, --drop-lock and --set-lock on lock->key frame N. Forward mode
 * serves one key connection and exits when the key hangs up. A record file holds
 * frames as: direction ('K' key->lock, 'L' lock->key), u16 little-endian length, bytes. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "portvakt/sim.h"
#include "portvakt/wire.h"

typedef struct opts {
    const char *listen, *connect, *record, *replay;
    long delay_ms, drop, flip_frame, flip_off;
    long set_frame, set_off, set_val;    /* key->lock */
    long ldrop, lset_frame, lset_off, lset_val; /* lock->key */
} opts;

static int usage(void)
{
    fprintf(stderr, "usage: pv-radio-mitm --listen KEY.sock --connect LOCK.sock [--record FILE]\n"
                    "                     [--delay-ms N] [--drop N] [--flip N:OFFSET]\n"
                    "                     [--set N:OFFSET:BYTE] [--drop-lock N]\n"
                    "                     [--set-lock N:OFFSET:BYTE]\n"
                    "       pv-radio-mitm --replay FILE --connect LOCK.sock\n");
    return 2;
}

static int parse(int argc, char **argv, opts *o)
{
    memset(o, 0, sizeof *o);
    for (int i = 1; i < argc; i += 2) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            return -1;
        if (!strcmp(a, "--listen"))
            o->listen = v;
        else if (!strcmp(a, "--connect"))
            o->connect = v;
        else if (!strcmp(a, "--record"))
            o->record = v;
        else if (!strcmp(a, "--replay"))
            o->replay = v;
        else if (!strcmp(a, "--delay-ms"))
            o->delay_ms = strtol(v, NULL, 10);
        else if (!strcmp(a, "--drop"))
            o->drop = strtol(v, NULL, 10);
        else if (!strcmp(a, "--flip")) {
            if (sscanf(v, "%ld:%ld", &o->flip_frame, &o->flip_off) != 2)
                return -1;
        } else if (!strcmp(a, "--set")) {
            if (sscanf(v, "%ld:%ld:%ld", &o->set_frame, &o->set_off, &o->set_val) != 3)
                return -1;
        } else if (!strcmp(a, "--set-lock")) {
            if (sscanf(v, "%ld:%ld:%ld", &o->lset_frame, &o->lset_off, &o->lset_val) != 3)
                return -1;
        } else if (!strcmp(a, "--drop-lock"))
            o->ldrop = strtol(v, NULL, 10);
        else
            return -1;
    }
    if (!o->connect || (!o->listen && !o->replay))
        return -1;
    return 0;
}

static void record(FILE *f, char dir, const uint8_t *b, size_t n)
{
    if (!f)
        return;
    uint8_t h[3] = {(uint8_t)dir};
    pv_store16_le(h + 1, (uint16_t)n);
    fwrite(h, 1, 3, f);
    fwrite(b, 1, n, f);
    fflush(f);
}

static void sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int replay(const opts *o)
{
    FILE *f = fopen(o->replay, "rb");
    if (!f) {
        fprintf(stderr, "pv-radio-mitm: cannot open %s\n", o->replay);
        return 1;
    }
    pv_sim_radio lock;
    if (pv_sim_sock_connect(o->connect, &lock) != PV_OK) {
        fprintf(stderr, "pv-radio-mitm: cannot connect to %s\n", o->connect);
        fclose(f);
        return 1;
    }
    uint8_t h[3], buf[PV_MSG_MAX];
    unsigned sent = 0;
    while (fread(h, 1, 3, f) == 3) {
        size_t n = pv_load16_le(h + 1);
        if (n == 0 || n > PV_MSG_MAX || fread(buf, 1, n, f) != n)
            break;
        if (h[0] != 'K')
            continue;
        if (pv_sim_radio_send(&lock, buf, n) != PV_OK)
            break;
        sent++;
        size_t rn = 0;
        int rc = pv_sim_radio_recv(&lock, buf, sizeof buf, &rn, 1000);
        printf("replayed frame %u: %s (%zu bytes back)\n", sent, rc == PV_OK ? "answered" : "no answer",
               rc == PV_OK ? rn : 0);
    }
    fclose(f);
    pv_sim_sock_close(&lock);
    return 0;
}

/* Pass one frame from the key to the lock, applying the attack options. */
static int key_to_lock(const opts *o, long nth, uint8_t *buf, size_t n, pv_sim_radio *lock,
                       FILE *rec)
{
    record(rec, 'K', buf, n);
    if (o->drop == nth) {
        printf("dropped frame %ld\n", nth);
        return PV_OK;
    }
    if (o->flip_frame == nth && o->flip_off >= 0 && (size_t)o->flip_off < n)
        buf[o->flip_off] ^= 0x01;
    if (o->set_frame == nth && o->set_off >= 0 && (size_t)o->set_off < n)
        buf[o->set_off] = (uint8_t)o->set_val;
    if (nth > 1 && o->delay_ms > 0)
        sleep_ms(o->delay_ms);
    return pv_sim_radio_send(lock, buf, n);
}

static int forward(const opts *o)
{
    int lfd;
    if (pv_sim_sock_listen(o->listen, &lfd) != PV_OK) {
        fprintf(stderr, "pv-radio-mitm: cannot listen on %s\n", o->listen);
        return 1;
    }
    pv_sim_radio key, lock;
    if (pv_sim_sock_accept(lfd, &key, 10000) != PV_OK ||
        pv_sim_sock_connect(o->connect, &lock) != PV_OK) {
        fprintf(stderr, "pv-radio-mitm: no key came, or the lock is not there\n");
        close(lfd);
        return 1;
    }
    FILE *rec = o->record ? fopen(o->record, "wb") : NULL;
    uint8_t buf[PV_MSG_MAX];
    long nth = 0, lth = 0;
    for (;;) {
        struct pollfd p[2] = {{.fd = key.fd, .events = POLLIN}, {.fd = lock.fd, .events = POLLIN}};
        if (poll(p, 2, 10000) <= 0)
            break;
        size_t n = 0;
        if (p[0].revents) {
            if (pv_sim_radio_recv(&key, buf, sizeof buf, &n, 1000) != PV_OK)
                break; /* the key hung up */
            if (key_to_lock(o, ++nth, buf, n, &lock, rec) != PV_OK)
                break;
        }
        if (p[1].revents) {
            if (pv_sim_radio_recv(&lock, buf, sizeof buf, &n, 1000) != PV_OK)
                break;
            record(rec, 'L', buf, n);
            ++lth;
            if (o->lset_frame == lth && o->lset_off >= 0 && (size_t)o->lset_off < n)
                buf[o->lset_off] = (uint8_t)o->lset_val;
            if (o->ldrop == lth)
                printf("dropped lock frame %ld\n", lth);
            else if (pv_sim_radio_send(&key, buf, n) != PV_OK)
                break;
        }
    }
    if (rec)
        fclose(rec);
    pv_sim_sock_close(&key);
    pv_sim_sock_close(&lock);
    close(lfd);
    unlink(o->listen);
    return 0;
}

int main(int argc, char **argv)
{
    opts o;
    if (parse(argc, argv, &o) != 0)
        return usage();
    setvbuf(stdout, NULL, _IOLBF, 0);
    return o.replay ? replay(&o) : forward(&o);
}
