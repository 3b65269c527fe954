/* Door benchmark: CPU the lock spends per unlock (against one Ed25519 verify measured in
 * the same run), round trips, radio bytes each way and bearer memory per right, for
 * bearers holding 4,000 and 65,536 rights. Prints one JSON object a line.
 *
 *   bench_unlock                 all lines (CPU time, sizes, memory)
 *   bench_unlock --callgrind-lock N   N warm unlocks, for valgrind --toggle-collect=pv_lock_handle
 *   bench_unlock --callgrind-verify N N verifies, for --toggle-collect=crypto_sign_verify_detached
 *   bench_unlock --key-side N         median wall ms the key core spends in N unlocks of a
 *                                     2-right key (the reference of phone.unlock_wasm_ms)
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "door_kit.h"

#define BENCH_RUNS 201u

static uint64_t cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static uint64_t median(uint64_t *v, size_t n)
{
    qsort(v, n, sizeof v[0], u64_cmp);
    return v[n / 2];
}

static void emit(const char *name, double value, const char *unit)
{
    printf("{\"name\":\"%s\",\"value\":%.6g,\"unit\":\"%s\"}\n", name, value, unit);
}

static void emit_ref(const char *name, double value, const char *unit, double ref)
{
    printf("{\"name\":\"%s\",\"value\":%.6g,\"unit\":\"%s\",\"reference\":%.6g,\"ratio\":%.4f}\n",
           name, value, unit, ref, value / ref);
}

static uint64_t verify_ns(door *d)
{
    uint8_t msg[112] = {0}, sig[64];
    crypto_sign_detached(sig, NULL, msg, sizeof msg, d->issuer_sk);
    uint64_t t[BENCH_RUNS * 5];
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        uint64_t t0 = cpu_ns();
        if (crypto_sign_verify_detached(sig, msg, sizeof msg, d->issuer_pk) != 0)
            door_die("verify", PV_E_SIGNATURE);
        t[i] = cpu_ns() - t0;
    }
    return median(t, sizeof t / sizeof t[0]);
}

static void bench_rights(uint32_t rights, int with_cpu)
{
    static door d;
    door_setup(&d, rights);
    char name[96];
    const char *sfx = rights == 4000 ? "r4000" : "r65536";
    pv_sim_unlock_stats st;
    door_unlock(&d, &st); /* first visit: the lock takes the list and the beacon */
    snprintf(name, sizeof name, "unlock.bytes_to_lock_first_visit.%s", sfx);
    emit(name, (double)(st.m1 + st.m3), "bytes");

    uint64_t ns[BENCH_RUNS];
    for (unsigned i = 0; i < BENCH_RUNS; i++) {
        door_unlock(&d, &st);
        ns[i] = st.lock_ns;
    }
    snprintf(name, sizeof name, "unlock.round_trips.%s", sfx);
    emit(name, st.round_trips, "round_trips");
    snprintf(name, sizeof name, "unlock.bytes_to_lock.%s", sfx);
    emit(name, (double)(st.m1 + st.m3), "bytes");
    snprintf(name, sizeof name, "unlock.bytes_from_lock.%s", sfx);
    emit(name, (double)(st.m2 + st.m4), "bytes");
    if (with_cpu) {
        uint64_t lock = median(ns, BENCH_RUNS);
        uint64_t ref = verify_ns(&d);
        emit_ref("unlock.lock_cpu_ns", (double)lock, "ns", (double)ref);
    }
    snprintf(name, sizeof name, "key.bytes_per_right.%s", sfx);
    emit(name, (double)pv_key_mem_size(rights) / rights, "bytes");
    if (rights == 65536)
        emit("key.bytes_per_right", (double)pv_key_mem_size(rights) / rights, "bytes");
    free(d.key_mem);
    free(d.entries);
}

static double wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int dbl_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The key's side of one unlock, stepped by hand so only the key core's calls are timed
 * (as the phone app times its WebAssembly calls): confirm .. M1, M2 -> M3, M4 -> outcome. */
static double key_side_ms(door *d)
{
    uint8_t m1[PV_HELLO_SIZE], m2[PV_MSG_MAX], m3[PV_MSG_MAX], m4[PV_MSG_MAX];
    size_t m2n = 0, m3n = 0, m4n = 0;
    pv_key_outcome o;
    pv_sim_clock_advance(&d->key.clock, 1000);
    pv_sim_clock_advance(&d->lock.clock, 1000);
    double t0 = wall_ms();
    pv_key_confirm(d->key.key);
    int rc = pv_key_unlock_start(d->key.key, m1);
    double spent = wall_ms() - t0;
    if (rc != PV_OK)
        door_die("key M1", rc);
    if ((rc = pv_lock_handle(d->lock.lock, m1, sizeof m1, m2, sizeof m2, &m2n)) != PV_OK)
        door_die("lock M2", rc);
    t0 = wall_ms();
    rc = pv_key_on_challenge(d->key.key, m2, m2n, m3, sizeof m3, &m3n);
    spent += wall_ms() - t0;
    if (rc != PV_OK)
        door_die("key M3", rc);
    if ((rc = pv_lock_handle(d->lock.lock, m3, m3n, m4, sizeof m4, &m4n)) != PV_OK)
        door_die("lock M4", rc);
    t0 = wall_ms();
    rc = pv_key_on_result(d->key.key, m4, m4n, &o);
    spent += wall_ms() - t0;
    if (rc != PV_OK)
        door_die("key outcome", rc);
    return spent;
}

static int key_side(int n)
{
    static door d;
    static double ms[1001];
    if (n < 1 || n > 1001)
        return 2;
    door_setup(&d, 2);
    for (int i = 0; i < n; i++)
        ms[i] = key_side_ms(&d);
    qsort(ms, (size_t)n, sizeof ms[0], dbl_cmp);
    printf("%.4f\n", ms[n / 2]);
    free(d.key_mem);
    free(d.entries);
    return 0;
}

int main(int argc, char **argv)
{
    if (sodium_init() < 0)
        return 1;
    if (argc == 3 && strcmp(argv[1], "--callgrind-lock") == 0) {
        static door d;
        pv_sim_unlock_stats st;
        door_setup(&d, 4000);
        door_unlock(&d, &st);
        for (int i = 0, n = atoi(argv[2]); i < n; i++)
            door_unlock(&d, &st);
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "--callgrind-verify") == 0) {
        static door d;
        door_setup(&d, 1);
        uint8_t msg[112] = {0}, sig[64];
        crypto_sign_detached(sig, NULL, msg, sizeof msg, d.issuer_sk);
        for (int i = 0, n = atoi(argv[2]); i < n; i++)
            if (crypto_sign_verify_detached(sig, msg, sizeof msg, d.issuer_pk) != 0)
                return 1;
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "--key-side") == 0)
        return key_side(atoi(argv[2]));
    if (argc != 1) {
        fprintf(stderr, "usage: bench_unlock [--callgrind-lock N | --callgrind-verify N | "
                        "--key-side N]\n");
        return 2;
    }
    bench_rights(4000, 1);
    bench_rights(65536, 0);
    return 0;
}
