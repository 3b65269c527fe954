/* Tests of the Merkle tree (lib/proto/merkle.c) against a naive level-by-level reference
 * tree built here: roots for n = 1..300 and large n, proofs for every index of small
 * trees, and refusals of wrong index, count, siblings and entries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "portvakt/proto.h"

/* Reference: every level stored; an unpaired last node is copied up. */
typedef struct ref_tree {
    unsigned levels;
    uint32_t width[PV_MERKLE_MAX_DEPTH + 2];
    uint8_t (*node[PV_MERKLE_MAX_DEPTH + 2])[PV_HASH_SIZE];
} ref_tree;

static void ref_build(ref_tree *t, const uint8_t *entries, uint32_t n)
{
    memset(t, 0, sizeof *t);
    t->width[0] = n;
    t->node[0] = malloc((size_t)n * PV_HASH_SIZE);
    assert_non_null(t->node[0]);
    for (uint32_t i = 0; i < n; i++) {
        uint8_t buf[1 + PV_ENTRY_SIZE] = {0x00};
        memcpy(buf + 1, entries + (size_t)i * PV_ENTRY_SIZE, PV_ENTRY_SIZE);
        crypto_generichash(t->node[0][i], PV_HASH_SIZE, buf, sizeof buf, NULL, 0);
    }
    unsigned l = 0;
    while (t->width[l] > 1) {
        uint32_t m = t->width[l], up = (m + 1) / 2;
        t->node[l + 1] = malloc((size_t)up * PV_HASH_SIZE);
        assert_non_null(t->node[l + 1]);
        for (uint32_t j = 0; j < up; j++) {
            if (2 * j + 1 < m) {
                uint8_t buf[1 + 2 * PV_HASH_SIZE] = {0x01};
                memcpy(buf + 1, t->node[l][2 * j], PV_HASH_SIZE);
                memcpy(buf + 1 + PV_HASH_SIZE, t->node[l][2 * j + 1], PV_HASH_SIZE);
                crypto_generichash(t->node[l + 1][j], PV_HASH_SIZE, buf, sizeof buf, NULL, 0);
            } else {
                memcpy(t->node[l + 1][j], t->node[l][2 * j], PV_HASH_SIZE);
            }
        }
        t->width[++l] = up;
    }
    t->levels = l + 1;
}

static void ref_free(ref_tree *t)
{
    for (unsigned l = 0; l < t->levels; l++)
        free(t->node[l]);
}

static uint8_t *make_entries(uint32_t n)
{
    uint8_t *e = malloc((size_t)n * PV_ENTRY_SIZE);
    assert_non_null(e);
    for (uint32_t i = 0; i < n; i++) {
        pv_entry x = {.lock_id = 100000 + 3 * i, .start_min = (uint16_t)(i % 7),
                      .end_min = 1440, .flags = (uint16_t)(1u << (i % 4))};
        pv_entry_encode(&x, e + (size_t)i * PV_ENTRY_SIZE);
    }
    return e;
}

/* The path's shape: per level 2 bits (0 carried, 1 left, 2 right), plus the length. */
static uint64_t shape(uint32_t i, uint32_t n)
{
    uint64_t s = 0;
    unsigned l = 0;
    for (; n > 1; i >>= 1, n = (n + 1) >> 1, l++)
        s |= (uint64_t)((i & 1u) ? 2u : (i + 1 < n ? 1u : 0u)) << (2 * l);
    return s | (uint64_t)l << 56;
}

/* Proof of `index` equals the reference siblings, verifies, and every mutation fails. */
static void check_index(const uint8_t *entries, uint32_t n, uint32_t index, const ref_tree *t)
{
    uint8_t sib[PV_MERKLE_MAX_DEPTH][PV_HASH_SIZE];
    unsigned ns = 99;
    const uint8_t *root = t->node[t->levels - 1][0];
    const uint8_t *entry = entries + (size_t)index * PV_ENTRY_SIZE;
    assert_int_equal(pv_merkle_prove(entries, n, index, sib, &ns), PV_OK);
    assert_int_equal(ns, pv_merkle_proof_len(index, n));
    uint32_t i = index;
    unsigned k = 0;
    for (unsigned l = 0; l + 1 < t->levels; l++, i >>= 1)
        if ((i ^ 1u) < t->width[l])
            assert_memory_equal(sib[k++], t->node[l][i ^ 1u], PV_HASH_SIZE);
    assert_int_equal(k, ns);
    assert_int_equal(pv_merkle_verify(entry, index, n, (const uint8_t(*)[32])sib, ns, root), PV_OK);
    if (n > 1) {
        assert_int_not_equal(pv_merkle_verify(entry, (index + 1) % n, n,
                                              (const uint8_t(*)[32])sib, ns, root), PV_OK);
        /* the count is signed in the credential, so only a count that changes the path's
         * shape can change the outcome; that one must fail */
        if (shape(index, n + 1) != shape(index, n))
            assert_int_not_equal(pv_merkle_verify(entry, index, n + 1,
                                                  (const uint8_t(*)[32])sib, ns, root), PV_OK);
    }
    if (ns > 0) {
        assert_int_equal(pv_merkle_verify(entry, index, n, (const uint8_t(*)[32])sib, ns - 1,
                                          root), PV_E_PROOF);
        sib[ns - 1][5] ^= 1;
        assert_int_equal(pv_merkle_verify(entry, index, n, (const uint8_t(*)[32])sib, ns, root),
                         PV_E_PROOF);
        sib[ns - 1][5] ^= 1;
    }
    if (ns < PV_MERKLE_MAX_DEPTH)
        assert_int_equal(pv_merkle_verify(entry, index, n, (const uint8_t(*)[32])sib, ns + 1,
                                          root), PV_E_PROOF);
    uint8_t other[PV_ENTRY_SIZE];
    memcpy(other, entry, sizeof other);
    other[0] ^= 1;
    assert_int_equal(pv_merkle_verify(other, index, n, (const uint8_t(*)[32])sib, ns, root),
                     PV_E_PROOF);
}

static void check_tree(uint32_t n, int every_index)
{
    uint8_t *e = make_entries(n);
    ref_tree t;
    ref_build(&t, e, n);
    uint8_t root[PV_HASH_SIZE];
    assert_int_equal(pv_merkle_root(e, n, root), PV_OK);
    assert_memory_equal(root, t.node[t.levels - 1][0], PV_HASH_SIZE);
    if (every_index) {
        for (uint32_t i = 0; i < n; i++)
            check_index(e, n, i, &t);
    } else {
        const uint32_t picks[] = {0, 1, n / 3, n / 2, n - 2, n - 1};
        for (size_t k = 0; k < sizeof picks / sizeof picks[0]; k++)
            check_index(e, n, picks[k], &t);
    }
    ref_free(&t);
    free(e);
}

static void test_small_every_index(void **state)
{
    (void)state;
    for (uint32_t n = 1; n <= 70; n++)
        check_tree(n, 1);
}

static void test_to_300(void **state)
{
    (void)state;
    for (uint32_t n = 71; n <= 300; n++)
        check_tree(n, 0);
}

static void test_large(void **state)
{
    (void)state;
    check_tree(4000, 0);
    check_tree(65536, 0);
    check_tree(65537, 0); /* one leaf carried up through 16 levels */
}

static void test_single_leaf(void **state)
{
    (void)state;
    uint8_t *e = make_entries(1);
    uint8_t root[PV_HASH_SIZE], leaf[PV_HASH_SIZE];
    assert_int_equal(pv_merkle_root(e, 1, root), PV_OK);
    pv_merkle_leaf(e, leaf);
    assert_memory_equal(root, leaf, PV_HASH_SIZE);
    assert_int_equal(pv_merkle_proof_len(0, 1), 0);
    assert_int_equal(pv_merkle_verify(e, 0, 1, NULL, 0, root), PV_OK);
    free(e);
}

static void test_range_refusals(void **state)
{
    (void)state;
    uint8_t *e = make_entries(8);
    uint8_t root[PV_HASH_SIZE], sib[PV_MERKLE_MAX_DEPTH][PV_HASH_SIZE];
    unsigned ns;
    assert_int_equal(pv_merkle_root(e, 0, root), PV_E_RANGE);
    assert_int_equal(pv_merkle_root(e, PV_MERKLE_MAX_LEAVES + 1, root), PV_E_RANGE);
    assert_int_equal(pv_merkle_root(NULL, 1, root), PV_E_RANGE);
    assert_int_equal(pv_merkle_prove(e, 8, 8, sib, &ns), PV_E_RANGE);
    assert_int_equal(pv_merkle_prove(e, 0, 0, sib, &ns), PV_E_RANGE);
    assert_int_equal(pv_merkle_root(e, 8, root), PV_OK);
    assert_int_equal(pv_merkle_prove(e, 8, 3, sib, &ns), PV_OK);
    assert_int_equal(pv_merkle_verify(e + 30, 8, 8, (const uint8_t(*)[32])sib, ns, root),
                     PV_E_RANGE);
    assert_int_equal(pv_merkle_verify(e + 30, 3, 0, (const uint8_t(*)[32])sib, ns, root),
                     PV_E_RANGE);
    assert_int_equal(pv_merkle_verify(e + 30, 3, PV_MERKLE_MAX_LEAVES + 1,
                                      (const uint8_t(*)[32])sib, ns, root), PV_E_RANGE);
    assert_int_equal(pv_merkle_proof_len(8, 8), 0);
    assert_int_equal(pv_merkle_proof_len(0, 0), 0);
    assert_int_equal(pv_merkle_proof_len(0, PV_MERKLE_MAX_LEAVES), PV_MERKLE_MAX_DEPTH);
    assert_int_equal(pv_merkle_proof_len(PV_MERKLE_MAX_LEAVES - 1, PV_MERKLE_MAX_LEAVES),
                     PV_MERKLE_MAX_DEPTH);
    assert_int_equal(pv_merkle_proof_len(4096, 4097), 1); /* carried up to the top */
    assert_int_equal(pv_merkle_proof_len(4000, 4001), 6);
    assert_int_equal(pv_merkle_proof_len(0, 4000), 12);
    free(e);
}

/* A node hash is never a leaf hash of the same bytes (domain separation by prefix). */
static void test_domain_separation(void **state)
{
    (void)state;
    uint8_t a[PV_HASH_SIZE] = {0}, b[PV_HASH_SIZE] = {0}, n1[PV_HASH_SIZE], n2[PV_HASH_SIZE];
    pv_merkle_node(a, b, n1);
    b[31] = 1;
    pv_merkle_node(a, b, n2);
    assert_memory_not_equal(n1, n2, PV_HASH_SIZE);
    pv_merkle_node(b, a, n1);
    assert_memory_not_equal(n1, n2, PV_HASH_SIZE); /* order matters */
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small_every_index),
        cmocka_unit_test(test_to_300),
        cmocka_unit_test(test_large),
        cmocka_unit_test(test_single_leaf),
        cmocka_unit_test(test_range_refusals),
        cmocka_unit_test(test_domain_separation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
