/* The phone's push by long poll, over HTTP against the real daemon (docs/phone.md, "Push"):
 * a key's wait with its current token is held; another person's new right does not wake it;
 * its own new right does, within the push bound, and its next sync carries the door; a key
 * blocked while waiting is told so; a held wait answers by itself after its time; past 64
 * held waits from one address the next is refused 429 in Swedish while another address is
 * still held; malformed waits get a 400; the server stops cleanly with waits still held. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "push_fixture.h"
#include "pvs/store.h"

static struct pvt_server S;

static double mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void token_of(const pfx_key *k, char tok[33])
{
    char type[64];
    CHECK(pfx_wait(&S, k->bearer, NULL, tok, type) == 200 && strlen(tok) == 32,
          "a wait without a token answers the key's token at once");
}

/* Held until its own change, not another's; then the sync carries the door. */
static void t_own_change(pfx_key *k)
{
    char ta[33], tb[33], t2[33], type[64];
    token_of(&k[0], ta);
    token_of(&k[1], tb);
    int fd = pfx_hold(&S, NULL, k[0].bearer, ta);
    CHECK(fd >= 0 && pfx_answer(fd, 700) == -1, "a wait with the current token is held");
    CHECK(pfx_grant(&S, &k[1]) == 0, "a right for someone else");
    CHECK(pfx_answer(fd, 1500) == -1, "another person's new right does not wake my key");
    CHECK(pfx_wait(&S, k[1].bearer, tb, t2, type) == 200 && strcmp(t2, tb) != 0,
          "but it moves theirs");
    double t0 = mono_ms();
    CHECK(pfx_grant(&S, &k[0]) == 0, "a right for me");
    long st = pfx_answer(fd, 15000);
    double ms = mono_ms() - t0;
    CHECK(st == 200, "my own new right wakes my held wait (%ld)", st);
    printf("# a right to a held wait: %.0f ms\n", ms);
    CHECK(ms < 10000, "woken promptly (%.0f ms)", ms);
    close(fd);
    CHECK(pfx_wait(&S, k[0].bearer, ta, t2, type) == 200 && strcmp(t2, ta) != 0,
          "the old token is answered at once with the new one");
    CHECK(pfx_sync_doors(&S, &k[0]) == 1, "and the sync after it carries the new door");
}

static void t_blocked(pfx_key *k)
{
    char t[33];
    token_of(k, t);
    int fd = pfx_hold(&S, NULL, k->bearer, t);
    CHECK(fd >= 0 && pfx_answer(fd, 500) == -1, "held");
    pvs_db *db = NULL;
    CHECK(pvt_db_open(&S, &db, true) == 0, "store");
    CHECK(pvs_exec(db, "UPDATE bearers SET state = 'lost' WHERE id = ?",
                   PVS_ARGS(PVS_I64(k->bearer))) == 1, "reported lost");
    pvs_db_close(db);
    CHECK(pfx_answer(fd, 15000) == 403, "a key blocked while waiting is told so at once");
    close(fd);
    char type[64];
    CHECK(pfx_wait(&S, k->bearer, t, t, type) == 403 && strcmp(type, "bearer-blocked") == 0,
          "and refused from then on");
}

/* 64 held from one address; the 65th is refused, another address is still held. */
static int t_per_address(pfx_key *k, int fds[66])
{
    char t[33];
    token_of(k, t);
    int n = 0;
    for (; n < 64; n++)
        if ((fds[n] = pfx_hold(&S, "127.0.0.5", k->bearer, t)) < 0)
            break;
    CHECK(n == 64 && pfx_answer(fds[63], 1000) == -1, "64 waits from one address are held");
    fds[n] = pfx_hold(&S, "127.0.0.5", k->bearer, t);
    CHECK(fds[n] >= 0 && pfx_answer(fds[n], 10000) == 429, "the 65th is refused: 429");
    fds[++n] = pfx_hold(&S, "127.0.0.6", k->bearer, t);
    CHECK(fds[n] >= 0 && pfx_answer(fds[n], 1000) == -1, "another address is still held");
    char type[64], out[33];
    struct pvt_resp r;
    CHECK(pfx_wait(&S, k->bearer, NULL, out, type) == 200, "and an immediate answer still comes");
    CHECK(pvt_req(&S, NULL, "POST", "/api/v1/phone/wait", "{\"bearer_id\":1,\"token\":"
                  "\"0123456789abcdef0123456789abcdef0\"}", &r) == 0 && r.status == 400,
          "a token longer than any token: 400");
    pvt_resp_free(&r);
    CHECK(pvt_req(&S, NULL, "POST", "/api/v1/phone/wait", "{\"bearer_id\":\"x\"}", &r) == 0 &&
              r.status == 400, "a bearer that is no number: 400");
    pvt_resp_free(&r);
    CHECK(pfx_wait(&S, 999999, NULL, out, type) == 404 && strcmp(type, "phone-unknown") == 0,
          "an unknown key: 404");
    return n + 1;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s portvakt-server scratch-dir\n", argv[0]);
        return 2;
    }
    if (sodium_init() < 0 || pvt_start(&S, argv[1], argv[2], NULL) != 0)
        return 2;
    pfx_key k[4];
    CHECK(pfx_keys(&S, 4, k) == 0, "keys");
    t_own_change(k);
    t_blocked(&k[2]);
    /* from here nothing any key's token depends on changes (a sync may issue a new
     * revocation list, which every key carries to its locks: that wakes every key) */
    char t3[33];
    token_of(&k[3], t3);
    int idle = pfx_hold(&S, NULL, k[3].bearer, t3);
    double t0 = mono_ms();
    int fds[66], n = t_per_address(&k[3], fds);
    long st = pfx_answer(idle, 40000);
    double held = mono_ms() - t0;
    CHECK(st == 200 && held > 20000, "an unchanged wait answers by itself after its time (%.0f ms)",
          held);
    close(idle);
    st = pvt_stop(&S);
    CHECK(st == 0, "clean shutdown with waits still held (%ld)", st);
    for (int i = 0; i < n; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    if (pvt_failures)
        fprintf(stderr, "%d check(s) failed\n", pvt_failures);
    else
        printf("test_push_http: all checks passed\n");
    return pvt_failures != 0;
}
