/* The key core on a phone: the pv_key_ops table backed by the browser (monotonic and wall
 * clocks through emscripten's libc, randomness from libsodium, which draws on
 * crypto.getRandomValues) and a heap-held key for the app's JavaScript. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "phone.h"

#ifdef PVW_TEST_HOOKS
/* Tests only (never in the app's build): a fixed random stream, so the known-answer
 * vectors' ephemeral keys can be reproduced through the real key core. */
static uint8_t test_rand[64];
static size_t test_rand_len;

void pvw_test_set_random(const uint8_t *r, size_t len);
void pvw_test_set_random(const uint8_t *r, size_t len)
{
    test_rand_len = len <= sizeof test_rand ? len : 0;
    if (test_rand_len)
        memcpy(test_rand, r, len);
}

static uint32_t test_now_s; /* u32: JavaScript passes no 64-bit integers here */
void pvw_test_set_now(uint32_t now_s);
void pvw_test_set_now(uint32_t now_s)
{
    test_now_s = now_s;
}
#endif

static uint64_t tick_ms(void *ctx)
{
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static uint64_t now_s(void *ctx)
{
    (void)ctx;
#ifdef PVW_TEST_HOOKS
    if (test_now_s)
        return test_now_s;
#endif
    return (uint64_t)time(NULL);
}

static int rnd(void *ctx, uint8_t *out, size_t len)
{
    (void)ctx;
#ifdef PVW_TEST_HOOKS
    if (test_rand_len == len) {
        memcpy(out, test_rand, len);
        test_rand_len = 0; /* one use */
        return PV_OK;
    }
#endif
    randombytes_buf(out, len);
    return PV_OK;
}

static const pv_key_ops phone_ops = {.ctx = NULL, .tick_ms = tick_ms, .now_s = now_s,
                                     .random = rnd};

int pvw_init(void)
{
    return sodium_init() < 0 ? PV_E_CRYPTO : PV_OK;
}

int pvw_seed_new(uint8_t seed[PVW_SEED_SIZE])
{
    if (!seed)
        return PV_E_ARG;
    randombytes_buf(seed, PVW_SEED_SIZE);
    return PV_OK;
}

int pvw_seed_public(const uint8_t seed[PVW_SEED_SIZE], uint8_t sign_pk[32])
{
    uint8_t sk[PV_SIGN_SK_SIZE];
    if (!seed || !sign_pk)
        return PV_E_ARG;
    int rc = crypto_sign_seed_keypair(sign_pk, sk, seed) == 0 ? PV_OK : PV_E_CRYPTO;
    sodium_memzero(sk, sizeof sk);
    return rc;
}

/* The key's memory and its size sit in front of it so close() can wipe all of it. */
typedef struct pvw_box {
    size_t size;
    _Alignas(8) uint8_t mem[];
} pvw_box;

pv_key *pvw_key_open(const uint8_t seed[PVW_SEED_SIZE])
{
    size_t size = pv_key_mem_size(PVW_MAX_RIGHTS);
    if (!seed || size == 0)
        return NULL;
    pvw_box *b = calloc(1, sizeof *b + size);
    if (!b)
        return NULL;
    b->size = size;
    uint8_t pk[PV_PK_SIZE], sk[PV_SIGN_SK_SIZE];
    pv_key *k = NULL;
    int rc = crypto_sign_seed_keypair(pk, sk, seed) == 0
                 ? pv_key_init(b->mem, size, PVW_MAX_RIGHTS, &phone_ops, sk, &k)
                 : PV_E_CRYPTO;
    sodium_memzero(sk, sizeof sk);
    if (rc != PV_OK) {
        sodium_memzero(b->mem, size);
        free(b);
        return NULL;
    }
    return k;
}

void pvw_key_close(pv_key *k)
{
    if (!k)
        return;
    pvw_box *b = (pvw_box *)((uint8_t *)k - offsetof(pvw_box, mem));
    pv_key_wipe(k);
    sodium_memzero(b->mem, b->size);
    free(b);
}

static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

int pvw_key_outcome(pv_key *k, const uint8_t *m4, size_t m4_len, uint8_t out[PVW_OUTCOME_SIZE])
{
    pv_key_outcome o;
    if (!out)
        return PV_E_ARG;
    memset(out, 0, PVW_OUTCOME_SIZE);
    int rc = pv_key_on_result(k, m4, m4_len, &o);
    put_le(out, (uint32_t)(int32_t)rc, 4); /* o.status, or why there was none */
    put_le(out + 4, o.lock_id, 4);
    put_le(out + 8, o.lock_time, 8);
    put_le(out + 16, o.battery_mv, 2);
    out[18] = o.flags;
    out[19] = o.delivered;
    out[20] = o.got_batch;
    return rc;
}

int pvw_key_batch_take(pv_key *k, uint8_t *out, size_t cap)
{
    const uint8_t *b = NULL;
    size_t len = 0;
    if (!k || !out)
        return PV_E_ARG;
    if (pv_key_batch_count(k) == 0)
        return 0;
    int rc = pv_key_batch_get(k, 0, &b, &len);
    if (rc != PV_OK)
        return rc;
    if (len > cap || len > INT32_MAX)
        return PV_E_LENGTH;
    memcpy(out, b, len);
    pv_key_batch_ack(k, 1);
    return (int)len;
}
