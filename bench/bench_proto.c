/* Benchmarks of lib/proto's costly operations: one JSON object a line with the median
 * nanoseconds per operation over repeated timed batches (`make bench`). `design_ns` is the
 * DESIGN.md figure for a 2-vCPU Zen 3 with Debian's libsodium 1.0.18, for orientation only:
 * it is not measured in this run, so no ratio is given. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "portvakt/proto.h"

#define RUNS 15

typedef void (*bench_fn)(void);

static uint8_t g_pk[32], g_sk[64], g_cred[PV_CRED_SIZE], g_x_a[32], g_x_b[32], g_out[32];
static pv_cred g_c;
static uint8_t *g_entries; /* 65,536 entries */
static uint8_t g_root4000[32], g_root65536[32], g_sib[PV_MERKLE_MAX_DEPTH][32];
static unsigned g_ns;
static volatile int g_sink;

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median over RUNS batches of `iters` calls, in ns per call. */
static double median_ns(bench_fn fn, unsigned iters)
{
    double t[RUNS];
    fn(); /* warm up */
    for (int r = 0; r < RUNS; r++) {
        double t0 = now_ns();
        for (unsigned i = 0; i < iters; i++)
            fn();
        t[r] = (now_ns() - t0) / iters;
    }
    qsort(t, RUNS, sizeof t[0], cmp_double);
    return t[RUNS / 2];
}

static void b_verify(void) { g_sink += pv_cred_verify(g_cred, g_pk); }
static void b_x25519(void) { g_sink += crypto_scalarmult(g_out, g_x_a, g_x_b); }
static void b_sign(void) { g_sink += pv_cred_sign(&g_c, g_sk, g_cred); }
static void b_build(void) { g_sink += pv_merkle_root(g_entries, 4000, g_root4000); }

static void b_proof(void)
{
    g_sink += pv_merkle_verify(g_entries + 40000u * PV_ENTRY_SIZE, 40000, 65536,
                               (const uint8_t(*)[32])g_sib, g_ns, g_root65536);
}

static void report(const char *name, double ns, double design_ns)
{
    if (design_ns > 0)
        printf("{\"name\":\"%s\",\"value\":%.0f,\"unit\":\"ns\",\"design_ns\":%.0f}\n", name,
               ns, design_ns);
    else
        printf("{\"name\":\"%s\",\"value\":%.0f,\"unit\":\"ns\"}\n", name, ns);
}

static int setup(void)
{
    uint8_t seed[32];
    memset(seed, 0x11, sizeof seed);
    if (sodium_init() < 0 || crypto_sign_seed_keypair(g_pk, g_sk, seed) != 0)
        return -1;
    g_entries = malloc(65536u * PV_ENTRY_SIZE);
    if (!g_entries)
        return -1;
    for (uint32_t i = 0; i < 65536; i++) {
        pv_entry e = {.lock_id = 1000 + i, .start_min = 0, .end_min = 600, .flags = 1};
        pv_entry_encode(&e, g_entries + (size_t)i * PV_ENTRY_SIZE);
    }
    if (pv_merkle_root(g_entries, 65536, g_root65536) != PV_OK ||
        pv_merkle_prove(g_entries, 65536, 40000, g_sib, &g_ns) != PV_OK)
        return -1;
    g_c = (pv_cred){.issuer_id = 7, .serial = 1, .bearer_id = 17, .entry_count = 4000,
                    .issued_at = 1700000000, .not_before = 1700000000,
                    .not_after = 1700036000};
    memset(g_x_a, 0x5A, sizeof g_x_a);
    if (crypto_scalarmult_base(g_x_b, g_x_a) != 0 || pv_cred_sign(&g_c, g_sk, g_cred) != PV_OK)
        return -1;
    return 0;
}

int main(void)
{
    if (setup() != 0) {
        fprintf(stderr, "bench_proto: setup failed\n");
        return 1;
    }
    report("proto.ed25519_verify_ns", median_ns(b_verify, 200), 71000);
    report("proto.x25519_ns", median_ns(b_x25519, 200), 37000);
    report("proto.merkle_build_ns.r4000", median_ns(b_build, 5), 1700000);
    report("proto.merkle_proof_verify_ns.r65536", median_ns(b_proof, 2000), 0);
    report("proto.cred_sign_ns", median_ns(b_sign, 200), 24000);
    free(g_entries);
    return g_sink == 0x7FFFFFFF; /* keep the results alive */
}
