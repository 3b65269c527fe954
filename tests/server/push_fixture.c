/* Keys, rights and held long-poll requests for the push test and benchmark (push_fixture.h). */
#include "push_fixture.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sodium.h>

#include "domain_fixture.h"

static int64_t PROVIDER;

int pfx_keys(struct pvt_server *s, int n, pfx_key *keys)
{
    dfx f;
    memset(&f, 0, sizeof f);
    if (pvt_db_open(s, &f.db, true) != 0)
        return -1;
    dfx_begin(&f);
    PROVIDER = dfx_provider(&f, "Push Omsorg");
    for (int i = 0; i < n; i++) {
        keys[i].staff = dfx_staff(&f, PROVIDER);
        keys[i].bearer = dfx_bearer(&f, keys[i].staff, PROVIDER, keys[i].sk);
    }
    dfx_commit(&f);
    pvs_db_close(f.db);
    return 0;
}

int pfx_grant(struct pvt_server *s, const pfx_key *k)
{
    dfx f;
    memset(&f, 0, sizeof f);
    if (pvt_db_open(s, &f.db, true) != 0)
        return -1;
    dfx_begin(&f);
    int64_t house = dfx_building(&f, dfx_owner(&f));
    int64_t rec = dfx_recipient(&f, house, dfx_lock(&f, house, "apartment", NULL));
    dfx_period(&f, rec, PROVIDER, "2020-01-01", NULL);
    dfx_right(&f, k->staff, rec, PROVIDER, "2020-01-01", NULL, 0x7F, 0, 1440);
    int64_t ch = pvs_exec(f.db, "UPDATE rights_generation SET value = value + 1 WHERE id = 1",
                          PVS_NOARGS);
    dfx_commit(&f);
    pvs_db_close(f.db);
    return ch == 1 ? 0 : -1;
}

long pfx_wait(struct pvt_server *s, int64_t bearer, const char *token, char *out, char *type)
{
    char body[160];
    if (token)
        snprintf(body, sizeof body, "{\"bearer_id\":%lld,\"token\":\"%s\"}", (long long)bearer, token);
    else
        snprintf(body, sizeof body, "{\"bearer_id\":%lld}", (long long)bearer);
    struct pvt_resp r;
    if (pvt_req(s, NULL, "POST", "/api/v1/phone/wait", body, &r) != 0)
        return -1;
    const char *t = r.json ? json_string_value(json_object_get(r.json, "token")) : NULL;
    snprintf(out, 33, "%s", t ? t : "");
    snprintf(type, 64, "%s", pvt_problem_type(&r));
    long st = r.status;
    pvt_resp_free(&r);
    return st;
}

int pfx_hold(const struct pvt_server *s, const char *src, int64_t bearer, const char *token)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a = {.sin_family = AF_INET};
    int one = 1; /* the port is chosen at connect, per destination: thousands from one address */
    (void)setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    if (src && (inet_pton(AF_INET, src, &a.sin_addr) != 1 ||
                bind(fd, (struct sockaddr *)&a, sizeof a) != 0)) {
        close(fd);
        return -1;
    }
    a.sin_port = htons((uint16_t)s->port);
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    char body[160], req[512];
    int bl = snprintf(body, sizeof body, "{\"bearer_id\":%lld,\"token\":\"%s\"}", (long long)bearer,
                      token);
    int n = snprintf(req, sizeof req,
                     "POST /api/v1/phone/wait HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                     "application/json\r\nContent-Length: %d\r\n\r\n%s", bl, body);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0 || write(fd, req, (size_t)n) != n) {
        close(fd);
        return -1;
    }
    return fd;
}

long pfx_answer(int fd, int timeout_ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    char buf[2048];
    if (poll(&p, 1, timeout_ms) != 1)
        return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    long st = 0;
    return sscanf(buf, "HTTP/1.1 %ld", &st) == 1 ? st : 0;
}

int pfx_sync_doors(struct pvt_server *s, const pfx_key *k)
{
    char body[256];
    snprintf(body, sizeof body, "{\"bearer_id\":%lld}", (long long)k->bearer);
    struct pvt_resp r;
    if (pvt_req(s, NULL, "POST", "/api/v1/sync/challenge", body, &r) != 0 || r.status != 200) {
        pvt_resp_free(&r);
        return -1;
    }
    const char *nh = json_string_value(json_object_get(r.json, "nonce"));
    uint8_t nonce[32], m[53] = "portvakt-sync-v1", sig[64];
    size_t nl = 0;
    int ok = nh && sodium_hex2bin(nonce, 32, nh, strlen(nh), NULL, &nl, NULL) == 0 && nl == 32;
    char nhex[65];
    snprintf(nhex, sizeof nhex, "%s", ok ? nh : "");
    pvt_resp_free(&r);
    if (!ok)
        return -1;
    memcpy(m + 17, nonce, 32);
    for (int i = 0; i < 4; i++)
        m[49 + i] = (uint8_t)((uint64_t)k->bearer >> (8 * i));
    crypto_sign_detached(sig, NULL, m, sizeof m, k->sk);
    char sh[129];
    sodium_bin2hex(sh, sizeof sh, sig, 64);
    snprintf(body, sizeof body, "{\"bearer_id\":%lld,\"nonce\":\"%s\",\"signature\":\"%s\"}",
             (long long)k->bearer, nhex, sh);
    if (pvt_req(s, NULL, "POST", "/api/v1/sync", body, &r) != 0 || r.status != 200) {
        pvt_resp_free(&r);
        return -1;
    }
    int doors = json_integer_value(json_object_get(r.json, "doors")) > 0;
    pvt_resp_free(&r);
    return doors;
}
