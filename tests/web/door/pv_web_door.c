/* pv-web-door: the door step of the browser tests. A virtual key (the real key core on the
 * simulated platform) with the identity the planner registered installs the sync response
 * the server gave it, and presses the button at a virtual lock (the real lock core on
 * simulated flash and clock) commissioned with the server's issuer key. Prints whether the
 * door opened and the lock's signed log batches the key now carries, for the next sync. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "portvakt/sim.h"

#define MAX_HEX_BYTES 65536u /* a sync response for a handful of doors is far smaller */
#define MAX_RIGHTS 64u       /* the test grants two doors */

struct door_args {
    unsigned long issuer_id, lock_id;
    const char *issuer_pk, *lock_seed, *bearer_seed;
    const char *credential, *entries, *revlist, *beacon;
};

static void usage(void)
{
    fprintf(stderr, "usage: pv-web-door --issuer-id N --issuer-pk HEX --lock-id N --lock-seed HEX\n"
                    "         --bearer-seed HEX --credential HEX --entries HEX"
                    " [--revlist HEX] [--beacon HEX]\n"
                    "Seeds are the 32-byte Ed25519 seeds of the lock and the key, in hex.\n");
}

static int parse_args(int argc, char **argv, struct door_args *a)
{
    memset(a, 0, sizeof *a);
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *k = argv[i], *v = argv[i + 1];
        if (strcmp(k, "--issuer-id") == 0)
            a->issuer_id = strtoul(v, NULL, 10);
        else if (strcmp(k, "--lock-id") == 0)
            a->lock_id = strtoul(v, NULL, 10);
        else if (strcmp(k, "--issuer-pk") == 0)
            a->issuer_pk = v;
        else if (strcmp(k, "--lock-seed") == 0)
            a->lock_seed = v;
        else if (strcmp(k, "--bearer-seed") == 0)
            a->bearer_seed = v;
        else if (strcmp(k, "--credential") == 0)
            a->credential = v;
        else if (strcmp(k, "--entries") == 0)
            a->entries = v;
        else if (strcmp(k, "--revlist") == 0)
            a->revlist = v;
        else if (strcmp(k, "--beacon") == 0)
            a->beacon = v;
        else
            return -1;
    }
    if (argc % 2 == 0 || !a->issuer_id || !a->lock_id || a->lock_id > UINT32_MAX ||
        a->issuer_id > UINT32_MAX || !a->issuer_pk || !a->lock_seed || !a->bearer_seed ||
        !a->credential || !a->entries)
        return -1;
    return 0;
}

/* Hex to a new buffer of exactly the decoded length; NULL/0 for an empty or absent string. */
static int unhex(const char *hex, uint8_t **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    if (!hex || !*hex)
        return 0;
    size_t n = strlen(hex);
    if (n % 2 || n / 2 > MAX_HEX_BYTES || !(*out = malloc(n / 2)))
        return -1;
    if (sodium_hex2bin(*out, n / 2, hex, n, NULL, len, NULL) != 0 || *len != n / 2) {
        free(*out);
        *out = NULL;
        return -1;
    }
    return 0;
}

/* An Ed25519 secret key (seed || pk) from a 32-byte hex seed. */
static int sk_from_seed(const char *hex, uint8_t sk[PV_SIGN_SK_SIZE])
{
    uint8_t seed[32], pk[PV_PK_SIZE];
    size_t n = 0;
    if (strlen(hex) != 64 || sodium_hex2bin(seed, sizeof seed, hex, 64, NULL, &n, NULL) != 0 ||
        n != sizeof seed)
        return -1;
    int rc = crypto_sign_seed_keypair(pk, sk, seed);
    sodium_memzero(seed, sizeof seed);
    return rc;
}

static int commission(pv_sim_lock *l, const struct door_args *a, const uint8_t issuer_pk[32],
                      uint64_t now)
{
    pv_lock_setup su = {.lock_id = (uint32_t)a->lock_id, .time = now, .nissuers = 1};
    if (sk_from_seed(a->lock_seed, su.lock_sk) != 0)
        return PV_E_ARG;
    su.issuers[0].issuer_id = (uint32_t)a->issuer_id;
    memcpy(su.issuers[0].pk, issuer_pk, 32);
    su.issuers[0].nscopes = 1;
    su.issuers[0].scopes[0] = (pv_lock_scope){1, UINT32_MAX};
    pv_sim_lock_init(l, now, 0);
    int rc = pv_sim_lock_boot(l);
    if (rc == PV_OK)
        rc = pv_lock_commission(l->lock, &su);
    sodium_memzero(su.lock_sk, sizeof su.lock_sk);
    return rc;
}

/* The key installs the server's sync response exactly as a station would hand it over. */
static int install(pv_sim_key *k, const struct door_args *a)
{
    uint8_t *cred = NULL, *ent = NULL, *rev = NULL, *bea = NULL;
    size_t nc = 0, ne = 0, nr = 0, nb = 0;
    int rc = PV_E_ARG;
    if (unhex(a->credential, &cred, &nc) == 0 && unhex(a->entries, &ent, &ne) == 0 &&
        unhex(a->revlist, &rev, &nr) == 0 && unhex(a->beacon, &bea, &nb) == 0)
        rc = pv_key_install(k->key, cred, nc, ent, ne, rev, nr, bea, nb);
    free(cred);
    free(ent);
    free(rev);
    free(bea);
    return rc;
}

static void print_batches(const pv_key *k)
{
    for (uint32_t i = 0; i < pv_key_batch_count(k); i++) {
        const uint8_t *b;
        size_t len;
        if (pv_key_batch_get(k, i, &b, &len) != PV_OK)
            continue;
        printf("batch ");
        for (size_t j = 0; j < len; j++)
            printf("%02x", b[j]);
        printf("\n");
    }
}

int main(int argc, char **argv)
{
    struct door_args a;
    uint8_t issuer_pk[32], bearer_sk[PV_SIGN_SK_SIZE];
    size_t n = 0;
    if (sodium_init() < 0 || parse_args(argc, argv, &a) != 0 || strlen(a.issuer_pk) != 64 ||
        sodium_hex2bin(issuer_pk, 32, a.issuer_pk, 64, NULL, &n, NULL) != 0 || n != 32) {
        usage();
        return 2;
    }
    uint64_t now = (uint64_t)time(NULL);
    static pv_sim_lock lock;
    static pv_sim_key key;
    static _Alignas(16) uint8_t key_mem[1u << 16];
    int rc = commission(&lock, &a, issuer_pk, now);
    if (rc == PV_OK && pv_key_mem_size(MAX_RIGHTS) > sizeof key_mem)
        rc = PV_E_BUFSIZE;
    if (rc == PV_OK)
        rc = sk_from_seed(a.bearer_seed, bearer_sk) == 0
                 ? pv_sim_key_init(&key, key_mem, sizeof key_mem, MAX_RIGHTS, bearer_sk, now, 0)
                 : PV_E_ARG;
    sodium_memzero(bearer_sk, sizeof bearer_sk);
    if (rc == PV_OK)
        rc = pv_key_set_issuer(key.key, (uint32_t)a.issuer_id, issuer_pk);
    if (rc == PV_OK)
        rc = install(&key, &a);
    if (rc != PV_OK) {
        printf("setup: %s\n", pv_strerror(rc));
        return 1;
    }
    pv_sim_unlock_stats st;
    rc = pv_sim_unlock(&key, &lock, 200, &st);
    printf("door: lock %lu %s (motor %u)\n", a.lock_id, rc == PV_OK ? "opened" : pv_strerror(rc),
           (unsigned)lock.motor_opens);
    print_batches(key.key);
    pv_key_wipe(key.key);
    return rc == PV_OK ? 0 : 1;
}
