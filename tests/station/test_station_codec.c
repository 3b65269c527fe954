/* Unit tests of the station's link codecs, queue files and display texts: round trips,
 * and every decoder refusing short, long, reserved and inconsistent input. */
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "queue.h"
#include "station.h"

static int failures;
#define CHECK(c)                                                                              \
    do {                                                                                      \
        if (!(c)) {                                                                           \
            fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c);                     \
            failures++;                                                                       \
        }                                                                                     \
    } while (0)

static void test_hello(void)
{
    uint8_t b[PVST_HELLO_SIZE + 1];
    pvst_hello h = {.bearer_id = 42, .have_until = 1700000000, .flags = 1}, d;
    pvst_hello_encode(&h, b);
    CHECK(pvst_hello_decode(b, PVST_HELLO_SIZE, &d) == PV_OK && d.bearer_id == 42 &&
          d.have_until == 1700000000 && d.flags == 1);
    CHECK(pvst_hello_decode(b, PVST_HELLO_SIZE - 1, &d) == PV_E_TRUNCATED);
    CHECK(pvst_hello_decode(b, PVST_HELLO_SIZE + 1, &d) == PV_E_LENGTH);
    b[12] = 0x80;
    CHECK(pvst_hello_decode(b, PVST_HELLO_SIZE, &d) == PV_E_RESERVED);
    memset(b, 0, sizeof b);
    CHECK(pvst_hello_decode(b, PVST_HELLO_SIZE, &d) == PV_E_RANGE); /* bearer 0 */
}

static void test_synced(void)
{
    uint8_t cred[PV_CRED_SIZE] = {1}, beacon[PV_BEACON_SIZE] = {2}, ent[3 * PV_ENTRY_SIZE] = {3};
    uint8_t out[1024];
    size_t n;
    pvst_synced s = {.valid_from = 10, .valid_until = 20, .doors = 3, .cred = cred,
                     .beacon = beacon, .entries = ent, .entry_count = 3}, d;
    CHECK(pvst_synced_encode(&s, out, sizeof out, &n) == PV_OK);
    CHECK(pvst_synced_decode(out, n, &d) == PV_OK && d.entry_count == 3 && d.doors == 3 &&
          d.revlist == NULL && memcmp(d.cred, cred, sizeof cred) == 0);
    CHECK(pvst_synced_decode(out, n - 1, &d) == PV_E_TRUNCATED);
    out[n] = 0;
    CHECK(pvst_synced_decode(out, n + 1, &d) == PV_E_LENGTH);
    s.valid_until = 10; /* empty window */
    CHECK(pvst_synced_encode(&s, out, sizeof out, &n) == PV_OK);
    CHECK(pvst_synced_decode(out, n, &d) == PV_E_RANGE);
    CHECK(pvst_synced_encode(&s, out, 100, &n) == PV_E_BUFSIZE);
}

static void test_status(void)
{
    pvst_status s = {.code = PVST_ST_OFFLINE}, d;
    uint8_t b[PVST_STATUS_MAX + 2];
    size_t n;
    snprintf(s.text, sizeof s.text, "no connection");
    CHECK(pvst_status_encode(&s, b, sizeof b, &n) == PV_OK);
    CHECK(pvst_status_decode(b, n, &d) == PV_OK && strcmp(d.text, "no connection") == 0);
    b[3] = 0; /* hidden NUL */
    CHECK(pvst_status_decode(b, n, &d) == PV_E_RANGE);
    b[0] = 9;
    CHECK(pvst_status_decode(b, n, &d) == PV_E_RANGE);
    memset(b, 'a', sizeof b);
    b[0] = 0;
    CHECK(pvst_status_decode(b, PVST_STATUS_MAX + 2, &d) == PV_E_LENGTH);
    CHECK(pvst_status_decode(b, 0, &d) == PV_E_TRUNCATED);
}

static size_t make_logs(uint8_t *out, size_t cap, uint32_t item)
{
    uint8_t ev[2 * PVST_BEV_SIZE], lpk[32], lsk[64], zero[32] = {0}, batch[512];
    pvst_bev a = {.seq = 1, .time = 5, .kind = PVST_BEV_OPEN, .lock_id = 9};
    pvst_bev r = {.seq = 2, .time = 6, .kind = PVST_BEV_REFUSED, .lock_id = 9,
                  .reason = (uint8_t)-PV_E_EXPIRED};
    pvst_bev_encode(&a, ev), pvst_bev_encode(&r, ev + PVST_BEV_SIZE);
    crypto_sign_keypair(lpk, lsk);
    pv_event e = {.seq = 0, .time = 5, .kind = PV_EV_OPEN, .subject = 7};
    size_t bl = 0, n = 0;
    if (pv_logbatch_sign(9, zero, &e, 1, lsk, batch, sizeof batch, &bl) != PV_OK)
        return 0;
    pvst_logs lg = {.item_id = item, .nevents = 2, .events = ev, .nbatches = 1};
    lg.batch[0] = batch, lg.batch_len[0] = (uint16_t)bl;
    return pvst_logs_encode(&lg, out, cap, &n) == PV_OK ? n : 0;
}

static void test_logs(void)
{
    uint8_t b[2048];
    size_t n = make_logs(b, sizeof b, 7);
    pvst_logs lg;
    CHECK(n > 0 && pvst_logs_decode(b, n, &lg) == PV_OK && lg.item_id == 7 && lg.nevents == 2 &&
          lg.nbatches == 1);
    CHECK(pvst_logs_decode(b, n - 1, &lg) != PV_OK);
    b[n] = 0;
    CHECK(pvst_logs_decode(b, n + 1, &lg) == PV_E_LENGTH);
    uint8_t c[2048];
    memcpy(c, b, n);
    c[6 + 12] = 7; /* first event: unknown kind */
    CHECK(pvst_logs_decode(c, n, &lg) == PV_E_RANGE);
    memcpy(c, b, n);
    c[6 + 17] = 3; /* an open with a reason */
    CHECK(pvst_logs_decode(c, n, &lg) == PV_E_RANGE);
    memcpy(c, b, n);
    c[6 + 2 * PVST_BEV_SIZE + 2 + 1] ^= 0xFF; /* batch header: wrong type byte */
    CHECK(pvst_logs_decode(c, n, &lg) != PV_OK);
    uint8_t empty[8] = {0};
    CHECK(pvst_logs_decode(empty, sizeof empty, &lg) == PV_E_RANGE); /* nothing in it */
}

static int count_dir(const char *d)
{
    char cmd[400];
    snprintf(cmd, sizeof cmd, "ls %s | grep -c pvq", d);
    FILE *p = popen(cmd, "r");
    int n = 0;
    if (p) {
        if (fscanf(p, "%d", &n) != 1)
            n = 0;
        pclose(p);
    }
    return n;
}

static void test_queue(void)
{
    char dir[] = "/tmp/pvst-q-XXXXXX", path[300];
    CHECK(mkdtemp(dir) != NULL);
    pvst_queue q;
    uint8_t b[2048], f[PVST_QITEM_MAX];
    size_t n = make_logs(b, sizeof b, 1), fl;
    CHECK(pvst_queue_open(&q, dir) == PV_OK);
    for (int i = 0; i < 3; i++)
        CHECK(pvst_queue_put(&q, 17, b, n) == PV_OK);
    snprintf(path, sizeof path, "%s/.tmp-00000000000000ff", dir); /* a crash's leftover */
    int fd = open(path, O_CREAT | O_WRONLY, 0600);
    CHECK(fd >= 0 && write(fd, "x", 1) == 1);
    close(fd);
    CHECK(pvst_queue_open(&q, dir) == PV_OK && access(path, F_OK) != 0 && q.next_seq == 4);
    uint64_t seqs[8];
    size_t k;
    CHECK(pvst_queue_list(&q, seqs, 2, &k) == PV_OK && k == 2 && seqs[0] == 1 && seqs[1] == 2);
    CHECK(pvst_queue_read(&q, 2, f, sizeof f, &fl) == PV_OK);
    uint32_t bearer;
    pvst_logs lg;
    CHECK(pvst_qitem_decode(f, fl, &bearer, &lg) == PV_OK && bearer == 17 && lg.nevents == 2);
    f[fl / 2] ^= 1;
    CHECK(pvst_qitem_decode(f, fl, &bearer, &lg) == PV_E_CORRUPT);
    CHECK(pvst_qitem_decode(f, fl - 1, &bearer, &lg) == PV_E_LENGTH);
    CHECK(pvst_qitem_decode(f, 10, &bearer, &lg) == PV_E_TRUNCATED);
    CHECK(pvst_queue_drop(&q, 1) == PV_OK && pvst_queue_count(&q) == 2);
    CHECK(pvst_queue_reject(&q, 2) == PV_OK && pvst_queue_count(&q) == 1);
    snprintf(path, sizeof path, "%s/rejected", dir);
    CHECK(count_dir(path) == 1);
    snprintf(path, sizeof path, "rm -rf %s", dir);
    CHECK(system(path) == 0);
}

static void test_texts(void)
{
    char m[PVST_STATUS_MAX];
    setenv("TZ", "UTC", 1);
    tzset();
    uint64_t now = 1700006400 + 7 * 3600; /* 07:00 UTC */
    pvst_msg_synced(m, sizeof m, 37, now + 8 * 3600 + 1800, now);
    CHECK(strcmp(m, "synced: 37 doors until 15:30") == 0);
    pvst_msg_offline(m, sizeof m, now + 24 * 3600, now);
    CHECK(strcmp(m, "no connection — your key keeps working until 07:00 tomorrow") == 0);
    pvst_msg_offline(m, sizeof m, now - 1, now);
    CHECK(strstr(m, "no valid rights") != NULL);
}

static void test_config(void)
{
    char path[] = "/tmp/pvst-cfg-XXXXXX", err[512];
    int fd = mkstemp(path);
    const char *text = "# station at the office\nserver = https://127.0.0.1:8443\n"
                       "station-id=4\n station-key = /k\nqueue-dir = /q\nkey-socket = /s\n";
    CHECK(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    close(fd);
    pvst_config c;
    char *argv[] = {"portvakt-station", "--config", path, "--fallback", "https://10.0.0.2:8443",
                    "--station-id", "7", NULL};
    CHECK(pvst_config_load(&c, 7, argv, err, sizeof err) == 0);
    CHECK(strcmp(c.server, "https://127.0.0.1:8443") == 0 && c.station_id == 7 &&
          strcmp(c.station_key, "/k") == 0 && strcmp(c.fallback, "https://10.0.0.2:8443") == 0);
    char *bad[] = {"portvakt-station", "--config", path, "--station-id", "x", NULL};
    CHECK(pvst_config_load(&c, 5, bad, err, sizeof err) != 0 && strstr(err, "station-id"));
    char *missing[] = {"portvakt-station", "--server", "https://a", NULL};
    CHECK(pvst_config_load(&c, 3, missing, err, sizeof err) != 0 && strstr(err, "--station-id"));
    char *unknown[] = {"portvakt-station", "--colour", "red", NULL};
    CHECK(pvst_config_load(&c, 3, unknown, err, sizeof err) != 0 && strstr(err, "colour"));
    /* the file goes through the shared reader (portvakt/conf.h): a refusal names the file
     * and the line, and values lose their trailing blanks */
    const char *text2 = "server = https://a  \nstation-id = 4\ncolour = red\n";
    fd = open(path, O_WRONLY | O_TRUNC);
    CHECK(fd >= 0 && write(fd, text2, strlen(text2)) == (ssize_t)strlen(text2));
    close(fd);
    char *only[] = {"portvakt-station", "--config", path, NULL};
    CHECK(pvst_config_load(&c, 3, only, err, sizeof err) != 0 && strstr(err, path) &&
          strstr(err, "line 3") && strstr(err, "colour"));
    CHECK(strcmp(c.server, "https://a") == 0);
    unlink(path);
    uint8_t sk[64];
    CHECK(pvst_load_station_key("/nonexistent/key", sk, err, sizeof err) != 0 &&
          strstr(err, "cannot read"));
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    test_hello();
    test_synced();
    test_status();
    test_logs();
    test_queue();
    test_texts();
    test_config();
    if (!failures)
        printf("station codec: all checks passed\n");
    return failures ? 1 : 0;
}
