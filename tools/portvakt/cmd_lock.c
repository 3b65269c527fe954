/* `portvakt lock-commission`, `lock-log` and `lock-serve`: a lock's flash kept as an
 * image file in the state directory (emulated by port/sim, or served by port/posix). */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "cli.h"

/* "LO-HI" -> scope; both inclusive, LO <= HI. */
static int parse_scope(const char *s, pv_lock_scope *sc)
{
    char lo[16], hi[16];
    const char *dash = s ? strchr(s, '-') : NULL;
    if (!dash || (size_t)(dash - s) >= sizeof lo || strlen(dash + 1) >= sizeof hi) {
        fprintf(stderr, "portvakt: --scope must look like LO-HI (lock ids), got '%s'\n",
                s ? s : "");
        return -1;
    }
    memcpy(lo, s, (size_t)(dash - s));
    lo[dash - s] = '\0';
    strcpy(hi, dash + 1);
    if (cli_u32(lo, "--scope low end", 1, UINT32_MAX, &sc->lo) != 0 ||
        cli_u32(hi, "--scope high end", sc->lo, UINT32_MAX, &sc->hi) != 0)
        return -1;
    return 0;
}

int cmd_lock_commission(int argc, char **argv)
{
    cli_opt o[] = {{"--dir", 1, NULL, 0}, {"--lock-id", 1, NULL, 0}, {"--scope", 1, NULL, 0},
                   {"--lock-seed", 1, NULL, 0}};
    if (cli_parse(argc, argv, 2, o, 4) != 0)
        return 2;
    const char *dir;
    uint32_t lock_id;
    if (cli_dir_id(o, 4, "--lock-id",
                   "lock-commission needs --dir DIR --lock-id N [--scope LO-HI] [--lock-seed HEX]",
                   &dir, &lock_id) != 0)
        return 2;
    pv_lock_scope scope = {1, UINT32_MAX};
    if (cli_value(o, 4, "--scope") && parse_scope(cli_value(o, 4, "--scope"), &scope) != 0)
        return 2;
    /* a lock key registered elsewhere (a server's lock, made from this Ed25519 seed), so the
     * server can verify the log batches this lock signs */
    const char *seed_hex = cli_value(o, 4, "--lock-seed");
    uint8_t seed[32];
    size_t slen = 0;
    if (seed_hex && (strlen(seed_hex) != 64 ||
                     sodium_hex2bin(seed, sizeof seed, seed_hex, 64, NULL, &slen, NULL) != 0 ||
                     slen != 32)) {
        fprintf(stderr, "portvakt: --lock-seed must be 64 hex digits (an Ed25519 seed)\n");
        return 2;
    }
    cli_issuer is;
    if (sd_issuer_load(dir, &is) != 0) {
        sodium_memzero(seed, sizeof seed);
        return 1;
    }
    char name[64];
    snprintf(name, sizeof name, "locks/%" PRIu32 ".flash", lock_id);
    if (sd_exists(dir, name)) {
        fprintf(stderr, "portvakt: lock %" PRIu32 " is already commissioned in %s\n", lock_id,
                dir);
        sodium_memzero(is.sk, sizeof is.sk);
        sodium_memzero(seed, sizeof seed);
        return 1;
    }

    static pv_sim_lock sl;
    pv_sim_lock_init(&sl, cli_now(), 0);
    pv_lock_setup setup = {.lock_id = lock_id, .time = cli_now(), .nissuers = 1};
    uint8_t lock_pk[PV_PK_SIZE];
    if (seed_hex)
        crypto_sign_seed_keypair(lock_pk, setup.lock_sk, seed);
    else
        crypto_sign_keypair(lock_pk, setup.lock_sk);
    sodium_memzero(seed, sizeof seed);
    setup.issuers[0].issuer_id = is.issuer_id;
    memcpy(setup.issuers[0].pk, is.pk, PV_PK_SIZE);
    setup.issuers[0].nscopes = 1;
    setup.issuers[0].scopes[0] = scope;
    sodium_memzero(is.sk, sizeof is.sk);

    int rc = pv_sim_lock_boot(&sl);
    if (rc == PV_OK)
        rc = pv_lock_commission(sl.lock, &setup);
    sodium_memzero(setup.lock_sk, sizeof setup.lock_sk);
    if (rc != PV_OK) {
        fprintf(stderr, "portvakt: commissioning lock %" PRIu32 " failed: %s\n", lock_id,
                pv_strerror(rc));
        return 1;
    }
    snprintf(name, sizeof name, "locks/%" PRIu32 ".pk", lock_id);
    if (sd_lock_save(dir, lock_id, &sl) != 0 || sd_write(dir, name, lock_pk, PV_PK_SIZE, 0) != 0)
        return 1;
    char hex[2 * PV_PK_SIZE + 1], label[PV_PKCODE_TEXT_SIZE];
    cli_hex(lock_pk, sizeof lock_pk, hex);
    if (pv_pkcode_format(lock_pk, PV_PKCODE_LOCK, label) != PV_OK)
        return 1;
    /* what the lock's label carries as a QR code (`qrencode "$label"`), read by the installer's
     * scanner on the locks page: the key and its check digits (docs/enrolment.md) */
    printf("lock %" PRIu32 " commissioned: trusts issuer %" PRIu32 " for lock ids %" PRIu32
           "-%" PRIu32 "\nlog-signing public key %s\nlabel %s\n",
           lock_id, setup.issuers[0].issuer_id, scope.lo, scope.hi, hex, label);
    return 0;
}

static void print_event(const pv_event *ev, int ok_chain, int json)
{
    char when[32];
    time_t t = (time_t)ev->time;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    const char *reason = ev->reason ? pv_errname(-(int)ev->reason) : "";
    if (json) {
        printf("{\"seq\":%" PRIu32 ",\"time\":\"%s\",\"kind\":\"%s\",\"reason\":%s%s%s,"
               "\"aux\":%u,\"subject\":%" PRIu32 ",\"chain_ok\":%s}\n",
               ev->seq, when, pv_event_kind_name(ev->kind), ev->reason ? "\"" : "",
               ev->reason ? reason : "null", ev->reason ? "\"" : "", ev->aux, ev->subject,
               ok_chain ? "true" : "false");
        return;
    }
    printf("%6" PRIu32 "  %s  %-10s %-22s subject=%-10" PRIu32 " aux=%-5u %s\n", ev->seq, when,
           pv_event_kind_name(ev->kind), reason, ev->subject, ev->aux,
           ok_chain ? "" : "CHAIN BROKEN");
}

int cmd_lock_log(int argc, char **argv)
{
    cli_opt o[] = {{"--dir", 1, NULL, 0}, {"--lock-id", 1, NULL, 0}, {"--json", 0, NULL, 0}};
    if (cli_parse(argc, argv, 2, o, 3) != 0)
        return 2;
    const char *dir;
    uint32_t lock_id;
    if (cli_dir_id(o, 3, "--lock-id", "lock-log needs --dir DIR --lock-id N [--json]", &dir,
                   &lock_id) != 0)
        return 2;
    static pv_sim_lock sl;
    if (sd_lock_open(dir, lock_id, &sl) != 0)
        return 1;
    pv_lock_info info;
    pv_lock_get_info(sl.lock, &info);
    int json = cli_flag(o, 3, "--json");
    if (!json)
        printf("lock %" PRIu32 ": events %" PRIu32 "..%" PRIu32 " (read-out boots the lock, "
               "which is logged too)\n", lock_id, info.oldest_seq,
               info.next_seq ? info.next_seq - 1 : 0);
    uint8_t prev[PV_HASH_SIZE];
    int have_prev = 0, broken = 0;
    for (uint32_t seq = info.oldest_seq; seq < info.next_seq; seq++) {
        pv_event ev;
        uint8_t chain[PV_HASH_SIZE], enc[PV_EVENT_SIZE], expect[PV_HASH_SIZE];
        if (pv_lock_event(sl.lock, seq, &ev, chain) != PV_OK) {
            fprintf(stderr, "portvakt: event %" PRIu32 " unreadable\n", seq);
            return 1;
        }
        int ok = 1;
        if (have_prev) {
            pv_event_encode(&ev, enc);
            pv_log_chain_next(prev, enc, expect);
            ok = sodium_memcmp(expect, chain, PV_HASH_SIZE) == 0;
        }
        broken |= !ok;
        memcpy(prev, chain, PV_HASH_SIZE);
        have_prev = 1;
        print_event(&ev, ok, json);
    }
    if (sd_lock_save(dir, lock_id, &sl) != 0)
        return 1;
    if (broken) {
        fprintf(stderr, "portvakt: the hash chain of lock %" PRIu32 "'s log is broken\n", lock_id);
        return 1;
    }
    return 0;
}

static volatile sig_atomic_t serve_stop;
static void on_signal(int sig)
{
    (void)sig;
    serve_stop = 1;
}

/* One key's visit: frames until the key hangs up or stays silent for 5 s. The lock runs
 * on the POSIX port, so its tick is the real monotonic clock and every flash write is on
 * disk before the answer goes out. */
static void serve_visit(pv_posix_lock *pl, uint32_t lock_id)
{
    while (!serve_stop) {
        uint8_t in[PV_MSG_MAX], out[PV_MSG_MAX];
        size_t inlen, outlen = 0;
        if (pv_posix_frame_read(pl->radio_fd, in, sizeof in, &inlen, 5000) != PV_OK)
            return;
        int rc = pv_lock_handle(pl->lock, in, inlen, out, sizeof out, &outlen);
        if (outlen > 0 && pv_posix_frame_write(pl->radio_fd, out, outlen) != PV_OK)
            return;
        if (inlen >= 2 && in[1] == PV_T_PRESENT) {
            printf("lock %" PRIu32 ": %s\n", lock_id, rc == PV_OK ? "opened" : pv_strerror(rc));
            fflush(stdout);
        }
    }
}

/* The lock's housekeeping between visits: a challenge a departed key left behind expires
 * (so it cannot hold up the next key's HELLO for longer than its lifetime), the log cursor
 * and battery are saved. */
static void serve_refresh(pv_posix_lock *pl, uint32_t lock_id)
{
    int rc = pv_lock_refresh(pl->lock);
    if (rc != PV_OK) {
        fprintf(stderr, "portvakt: lock %" PRIu32 " housekeeping: %s\n", lock_id, pv_strerror(rc));
    }
}

/* Keys connect to a Unix socket, one visit per connection, until `sessions` visits. */
static int serve_socket(pv_posix_lock *pl, uint32_t lock_id, const char *path, uint32_t sessions)
{
    int lfd;
    if (pv_posix_sock_listen(path, &lfd) != PV_OK) {
        fprintf(stderr, "portvakt: cannot listen on %s\n", path);
        return 1;
    }
    printf("lock %" PRIu32 " listening on %s\n", lock_id, path);
    fflush(stdout);
    for (uint32_t done = 0; !serve_stop && done < sessions;) {
        if (pv_posix_sock_accept(lfd, &pl->radio_fd, 500) != PV_OK) {
            serve_refresh(pl, lock_id);
            continue;
        }
        serve_visit(pl, lock_id);
        close(pl->radio_fd);
        pl->radio_fd = -1;
        serve_refresh(pl, lock_id);
        done++;
    }
    close(lfd);
    unlink(path);
    return 0;
}

/* A serial line is one long visit after another: served until a signal. */
static int serve_serial(pv_posix_lock *pl, uint32_t lock_id, const char *device)
{
    if (pv_posix_serial_open(device, &pl->radio_fd) != PV_OK) {
        fprintf(stderr, "portvakt: cannot open serial line %s\n", device);
        return 1;
    }
    printf("lock %" PRIu32 " listening on %s\n", lock_id, device);
    fflush(stdout);
    while (!serve_stop) {
        serve_visit(pl, lock_id);
        serve_refresh(pl, lock_id);
    }
    return 0;
}

int cmd_lock_serve(int argc, char **argv)
{
    cli_opt o[] = {{"--dir", 1, NULL, 0}, {"--lock-id", 1, NULL, 0}, {"--socket", 1, NULL, 0},
                   {"--sessions", 1, NULL, 0}, {"--serial", 1, NULL, 0}};
    if (cli_parse(argc, argv, 2, o, 5) != 0)
        return 2;
    const char *dir = cli_value(o, 5, "--dir"), *path = cli_value(o, 5, "--socket");
    const char *serial = cli_value(o, 5, "--serial");
    uint32_t lock_id, sessions = UINT32_MAX;
    if (!dir || !path == !serial || !cli_value(o, 5, "--lock-id")) {
        fprintf(stderr, "portvakt: lock-serve needs --dir DIR --lock-id N and either "
                        "--socket PATH [--sessions N] or --serial DEVICE\n");
        return 2;
    }
    if (cli_u32(cli_value(o, 5, "--lock-id"), "--lock-id", 1, UINT32_MAX, &lock_id) != 0 ||
        (cli_value(o, 5, "--sessions") &&
         cli_u32(cli_value(o, 5, "--sessions"), "--sessions", 1, 1000000, &sessions) != 0))
        return 2;
    static pv_posix_lock pl;
    if (sd_lock_open_posix(dir, lock_id, &pl) != 0)
        return 1;
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    int rc = path ? serve_socket(&pl, lock_id, path, sessions)
                  : serve_serial(&pl, lock_id, serial);
    pv_posix_lock_close(&pl);
    return rc;
}
