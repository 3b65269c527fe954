/* Known-answer vector generator for lib/proto: every object built from fixed seeds
 * (Ed25519 is deterministic, so signed objects reproduce byte for byte) and written as
 * "[record]" sections of "key = value" lines (hex bytes or decimal numbers). */
#include "vecgen.h"

#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <string.h>
#include <sys/stat.h>

#include "portvakt/proto.h"
#include "unlock_inner.h"

#define CHECK(x)                                                                  \
    do {                                                                          \
        if ((x) != 0) {                                                           \
            fprintf(stderr, "vecgen: %s failed at %s:%d\n", #x, __FILE__, __LINE__); \
            return -1;                                                            \
        }                                                                         \
    } while (0)

const char *const vec_names[] = {"keys",     "entry",   "merkle", "credential", "revlist",
                                 "beacon",   "logbatch", "unlock", NULL};

typedef struct vkeys {
    uint8_t issuer_seed[32], issuer_pk[32], issuer_sk[64];
    uint8_t bearer_seed[32], bearer_pk[32], bearer_sk[64], bearer_x_pk[32], bearer_x_sk[32];
    uint8_t lock_seed[32], lock_pk[32], lock_sk[64];
} vkeys;

static int keys_make(vkeys *k)
{
    CHECK(sodium_init() < 0);
    memset(k->issuer_seed, 0x11, 32);
    memset(k->bearer_seed, 0x22, 32);
    memset(k->lock_seed, 0x33, 32);
    CHECK(crypto_sign_seed_keypair(k->issuer_pk, k->issuer_sk, k->issuer_seed));
    CHECK(crypto_sign_seed_keypair(k->bearer_pk, k->bearer_sk, k->bearer_seed));
    CHECK(crypto_sign_seed_keypair(k->lock_pk, k->lock_sk, k->lock_seed));
    CHECK(pv_bearer_x_keys(k->bearer_sk, k->bearer_x_sk, k->bearer_x_pk));
    return 0;
}

static void hexline(FILE *f, const char *key, const uint8_t *b, size_t n)
{
    fprintf(f, "%s = ", key);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%02x", b[i]);
    fputc('\n', f);
}

static void numline(FILE *f, const char *key, uint64_t v)
{
    fprintf(f, "%s = %" PRIu64 "\n", key, v);
}

/* ---------------------------------------------------------------- fixed data */

#define CRED_N 13u
#define MAX_N 100u

static void make_entries(uint32_t n, uint8_t *out)
{
    for (uint32_t i = 0; i < n; i++) {
        uint16_t start = (uint16_t)((i % 3) * 60);
        pv_entry e = {.lock_id = 1000 + 7 * i, .start_min = start,
                      .end_min = (uint16_t)(start + 480), .flags = (uint16_t)(1u << (i % 4))};
        pv_entry_encode(&e, out + (size_t)i * PV_ENTRY_SIZE);
    }
}

static const pv_cred cred_fields = {
    .issuer_id = 7, .serial = 0x0102030405060708ull, .bearer_id = 17, .entry_count = CRED_N,
    .issued_at = 1767250800, .not_before = 1767254400, .not_after = 1767254400 + 10 * 3600};

static int cred_make(const vkeys *k, pv_cred *c, uint8_t entries[CRED_N * PV_ENTRY_SIZE],
                     uint8_t out[PV_CRED_SIZE])
{
    *c = cred_fields;
    make_entries(CRED_N, entries);
    memcpy(c->bearer_pk, k->bearer_x_pk, 32);
    CHECK(pv_merkle_root(entries, CRED_N, c->root));
    CHECK(pv_cred_sign(c, k->issuer_sk, out));
    return 0;
}

static const pv_revoked rev_entries[3] = {
    {.bearer_id = 3, .revoked_at = 1767000000},
    {.bearer_id = 17, .revoked_at = 1767200000},
    {.bearer_id = 4000000000u, .revoked_at = 1767250000}};

static int revlist_make(const vkeys *k, uint16_t count, uint8_t *out, size_t *len)
{
    CHECK(pv_revlist_sign(7, 12 + count, 1767250000, rev_entries, count, k->issuer_sk, out,
                          PV_REVLIST_MAX_SIZE, len));
    return 0;
}

static const pv_beacon beacon_fields = {.issuer_id = 7, .time = 1767250860};

static const pv_event events[4] = {
    {.seq = 41, .time = 1767254500, .kind = PV_EV_OPEN, .aux = 1, .subject = 17},
    {.seq = 42, .time = 1767254600, .kind = PV_EV_DENY, .reason = (uint8_t)-PV_E_REVOKED,
     .subject = 3},
    {.seq = 43, .time = 1767254700, .kind = PV_EV_BATTERY, .aux = 81, .subject = 2950},
    {.seq = 44, .time = 1767254800, .kind = PV_EV_CLOCK, .aux = 1, .subject = 1767254801}};

static int logbatch_make(const vkeys *k, uint8_t prev[32], uint8_t *out, size_t *len)
{
    memset(prev, 0xC3, 32);
    CHECK(pv_logbatch_sign(0x00BEEF01, prev, events, 4, k->lock_sk, out, PV_LOGBATCH_MAX_SIZE,
                           len));
    return 0;
}

/* ---------------------------------------------------------------- vector files */

static int emit_keys(FILE *f)
{
    vkeys k;
    CHECK(keys_make(&k));
    fprintf(f, "# Ed25519 key pairs from fixed seeds; bearer_x_pk is the X25519 form of\n"
               "# bearer_pk (u = (1 + y) / (1 - y)), the static key named in credentials.\n");
    fprintf(f, "[keys]\n");
    hexline(f, "issuer_seed", k.issuer_seed, 32);
    hexline(f, "issuer_pk", k.issuer_pk, 32);
    hexline(f, "bearer_seed", k.bearer_seed, 32);
    hexline(f, "bearer_pk", k.bearer_pk, 32);
    hexline(f, "bearer_x_pk", k.bearer_x_pk, 32);
    hexline(f, "lock_seed", k.lock_seed, 32);
    hexline(f, "lock_pk", k.lock_pk, 32);
    return 0;
}

static int emit_entry(FILE *f)
{
    static const pv_entry es[3] = {
        {.lock_id = 1000, .start_min = 0, .end_min = 480, .flags = PV_ENTRY_F_APARTMENT},
        {.lock_id = 0xFEDCBA98u, .start_min = 0x1234, .end_min = 0xFFFF,
         .flags = PV_ENTRY_F_ENTRANCE | PV_ENTRY_F_COMMON},
        {.lock_id = 77, .start_min = 1439, .end_min = 1440, .flags = PV_ENTRY_F_ALARM}};
    fprintf(f, "# access entries: lock_id u32 | start_min u16 | end_min u16 | flags u16, and\n"
               "# their Merkle leaf hashes H(0x00 || entry)\n");
    for (int i = 0; i < 3; i++) {
        uint8_t b[PV_ENTRY_SIZE], leaf[32];
        pv_entry_encode(&es[i], b);
        pv_merkle_leaf(b, leaf);
        fprintf(f, "[entry]\n");
        numline(f, "lock_id", es[i].lock_id);
        numline(f, "start_min", es[i].start_min);
        numline(f, "end_min", es[i].end_min);
        numline(f, "flags", es[i].flags);
        hexline(f, "bytes", b, sizeof b);
        hexline(f, "leaf", leaf, sizeof leaf);
    }
    return 0;
}

static int emit_proof(FILE *f, const uint8_t *entries, uint32_t n, uint32_t index,
                      const uint8_t root[32])
{
    uint8_t sib[PV_MERKLE_MAX_DEPTH][32];
    unsigned ns;
    CHECK(pv_merkle_prove(entries, n, index, sib, &ns));
    CHECK(pv_merkle_verify(entries + (size_t)index * PV_ENTRY_SIZE, index, n,
                           (const uint8_t(*)[32])sib, ns, root));
    fprintf(f, "[proof]\n");
    numline(f, "n", n);
    numline(f, "index", index);
    hexline(f, "entry", entries + (size_t)index * PV_ENTRY_SIZE, PV_ENTRY_SIZE);
    hexline(f, "siblings", &sib[0][0], (size_t)ns * 32);
    hexline(f, "root", root, 32);
    return 0;
}

static int emit_merkle(FILE *f)
{
    static const uint32_t ns[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 100};
    static uint8_t entries[MAX_N * PV_ENTRY_SIZE];
    fprintf(f, "# Merkle trees: leaf = H(0x00 || entry), node = H(0x01 || left || right),\n"
               "# an unpaired last node is carried up unchanged; proofs list siblings bottom up.\n");
    make_entries(MAX_N, entries);
    for (size_t t = 0; t < sizeof ns / sizeof ns[0]; t++) {
        uint32_t n = ns[t];
        uint8_t root[32];
        CHECK(pv_merkle_root(entries, n, root));
        fprintf(f, "[tree]\n");
        numline(f, "n", n);
        hexline(f, "entries", entries, (size_t)n * PV_ENTRY_SIZE);
        hexline(f, "root", root, 32);
        if (n <= 13) {
            for (uint32_t i = 0; i < n; i++)
                CHECK(emit_proof(f, entries, n, i, root));
        } else {
            CHECK(emit_proof(f, entries, n, 0, root));
            CHECK(emit_proof(f, entries, n, 37, root));
            CHECK(emit_proof(f, entries, n, 99, root));
        }
    }
    return 0;
}

static int emit_credential(FILE *f)
{
    vkeys k;
    pv_cred c;
    uint8_t entries[CRED_N * PV_ENTRY_SIZE], b[PV_CRED_SIZE];
    CHECK(keys_make(&k));
    CHECK(cred_make(&k, &c, entries, b));
    fprintf(f, "# credential signed by the issuer key of keys.hex over its first 112 bytes\n");
    fprintf(f, "[credential]\n");
    numline(f, "issuer_id", c.issuer_id);
    numline(f, "serial", c.serial);
    numline(f, "bearer_id", c.bearer_id);
    numline(f, "entry_count", c.entry_count);
    numline(f, "issued_at", c.issued_at);
    numline(f, "not_before", c.not_before);
    numline(f, "not_after", c.not_after);
    hexline(f, "bearer_pk", c.bearer_pk, 32);
    hexline(f, "entries", entries, sizeof entries);
    hexline(f, "root", c.root, 32);
    hexline(f, "bytes", b, sizeof b);
    return 0;
}

static void join_u64(FILE *f, const char *key, const pv_revoked *e, uint16_t n, int which)
{
    fprintf(f, "%s = ", key);
    for (uint16_t i = 0; i < n; i++)
        fprintf(f, "%s%" PRIu64, i ? "," : "",
                which ? e[i].revoked_at : (uint64_t)e[i].bearer_id);
    fputc('\n', f);
}

static int emit_revlist(FILE *f)
{
    vkeys k;
    CHECK(keys_make(&k));
    fprintf(f, "# revocation lists signed by the issuer key of keys.hex\n");
    for (uint16_t count = 0; count <= 3; count += 3) {
        uint8_t b[PV_REVLIST_MAX_SIZE];
        size_t len;
        CHECK(revlist_make(&k, count, b, &len));
        fprintf(f, "[revlist]\n");
        numline(f, "issuer_id", 7);
        numline(f, "version", 12u + count);
        numline(f, "issued_at", 1767250000);
        numline(f, "count", count);
        join_u64(f, "bearer_ids", rev_entries, count, 0);
        join_u64(f, "revoked_at", rev_entries, count, 1);
        hexline(f, "bytes", b, len);
    }
    return 0;
}

static int emit_beacon(FILE *f)
{
    vkeys k;
    uint8_t b[PV_BEACON_SIZE];
    CHECK(keys_make(&k));
    CHECK(pv_beacon_sign(&beacon_fields, k.issuer_sk, b));
    fprintf(f, "# time beacon signed by the issuer key of keys.hex over its first 16 bytes\n");
    fprintf(f, "[beacon]\n");
    numline(f, "issuer_id", beacon_fields.issuer_id);
    numline(f, "time", beacon_fields.time);
    hexline(f, "bytes", b, sizeof b);
    return 0;
}

static int emit_logbatch(FILE *f)
{
    vkeys k;
    uint8_t prev[32], b[PV_LOGBATCH_MAX_SIZE], chain[4 * 32], h[32];
    size_t len;
    CHECK(keys_make(&k));
    CHECK(logbatch_make(&k, prev, b, &len));
    fprintf(f, "# lock events and a batch signed by the lock key of keys.hex;\n"
               "# chain: h = H(0x02 || previous h || event bytes)\n");
    for (int i = 0; i < 4; i++) {
        uint8_t eb[PV_EVENT_SIZE];
        pv_event_encode(&events[i], eb);
        fprintf(f, "[event]\n");
        numline(f, "seq", events[i].seq);
        numline(f, "time", events[i].time);
        numline(f, "kind", events[i].kind);
        numline(f, "reason", events[i].reason);
        numline(f, "aux", events[i].aux);
        numline(f, "subject", events[i].subject);
        hexline(f, "bytes", eb, sizeof eb);
    }
    pv_logbatch lb;
    CHECK(pv_logbatch_decode(b, len, &lb));
    memcpy(h, prev, 32);
    for (int i = 0; i < 4; i++) {
        pv_log_chain_next(h, lb.events + 16 * i, h);
        memcpy(chain + 32 * i, h, 32);
    }
    pv_logbatch_chain_end(&lb, h);
    fprintf(f, "[logbatch]\n");
    numline(f, "lock_id", lb.lock_id);
    numline(f, "count", lb.count);
    hexline(f, "prev_hash", prev, 32);
    hexline(f, "chain", chain, sizeof chain);
    hexline(f, "chain_end", h, 32);
    hexline(f, "bytes", b, len);
    return 0;
}

/* One complete exchange from fixed randomness, with the intermediate transcript values. */
typedef struct vhs {
    uint8_t key_rand[32], lock_rand[32];
    pv_challenge ch;
    uint8_t m1[PV_HELLO_SIZE], m2[PV_CHALLENGE_SIZE], m3[PV_MSG_MAX], m4[PV_MSG_MAX];
    size_t m3_len, m4_len;
    uint8_t h1[32], h2[32], k1[32], h3[32], k2[32];
    uint8_t inner3[PV_MSG_MAX], inner4[PV_MSG_MAX];
    size_t inner3_len, inner4_len;
} vhs;

/* mode: HS_OK accepted, HS_REFUSED refused under k1, HS_STATIC accepted with the lock's
 * static X25519 key (the X25519 form of its Ed25519 key) in place of an ephemeral. */
enum { HS_OK, HS_REFUSED, HS_STATIC };

static int hs_run(const vkeys *k, int mode, vhs *v)
{
    int refuse = mode == HS_REFUSED;
    static uint8_t entries[CRED_N * PV_ENTRY_SIZE], cred[PV_CRED_SIZE], rl[PV_REVLIST_MAX_SIZE],
        bc[PV_BEACON_SIZE], batch[PV_LOGBATCH_MAX_SIZE], prev[32], scratch[PV_MSG_MAX];
    pv_cred c;
    size_t rl_len, batch_len;
    CHECK(cred_make(k, &c, entries, cred));
    CHECK(revlist_make(k, 3, rl, &rl_len));
    CHECK(pv_beacon_sign(&beacon_fields, k->issuer_sk, bc));
    CHECK(logbatch_make(k, prev, batch, &batch_len));
    memset(v, 0, sizeof *v);
    memset(v->key_rand, 0x5A, 32);
    memset(v->lock_rand, 0xA5, 32);
    v->ch = (pv_challenge){.lock_id = 1000 + 7 * 5, .lock_time = 1767255000,
                           .revlist_version = 14, .beacon_time = 1767100000};
    for (int i = 0; i < 16; i++)
        v->ch.nonce[i] = (uint8_t)(0xF0 + i);
    pv_session ks, ls;
    pv_hello hello;
    pv_challenge got_ch;
    CHECK(pv_key_hs_start(&ks, 7, v->key_rand, v->m1));
    memcpy(v->h1, ks.h, 32);
    CHECK(pv_lock_hs_hello(&ls, v->m1, sizeof v->m1, &hello));
    if (mode == HS_STATIC) {
        uint8_t lx_sk[32], lx_pk[32];
        CHECK(pv_bearer_x_keys(k->lock_sk, lx_sk, lx_pk));
        CHECK(pv_lock_hs_challenge_static(&ls, &v->ch, lx_sk, lx_pk, v->m2));
        sodium_memzero(lx_sk, sizeof lx_sk);
    } else {
        CHECK(pv_lock_hs_challenge(&ls, &v->ch, v->lock_rand, v->m2));
    }
    CHECK(pv_key_hs_challenge(&ks, v->m2, sizeof v->m2, &got_ch, k->bearer_x_sk));
    memcpy(v->h2, ks.h, 32);
    memcpy(v->k1, ks.k1, 32);
    uint8_t sib[PV_MERKLE_MAX_DEPTH][32];
    unsigned ns;
    CHECK(pv_merkle_prove(entries, CRED_N, 5, sib, &ns));
    pv_present p = {.cred = cred, .entry = entries + 5 * PV_ENTRY_SIZE, .leaf_index = 5,
                    .nsiblings = (uint8_t)ns, .siblings = &sib[0][0], .revlist = rl,
                    .revlist_len = (uint16_t)rl_len, .beacon = bc}, opened;
    CHECK(pv_present_inner_encode(&p, v->inner3, sizeof v->inner3, &v->inner3_len));
    CHECK(pv_key_hs_present(&ks, &p, v->m3, sizeof v->m3, &v->m3_len));
    memcpy(v->h3, ks.h, 32);
    memcpy(v->k2, ks.k2, 32);
    CHECK(pv_lock_hs_open(&ls, v->m3, v->m3_len, scratch, sizeof scratch, &opened));
    pv_result r = {.status = PV_OK, .lock_time = 1767255001, .battery_mv = 2950,
                   .flags = PV_RESULT_F_REVLIST_TAKEN, .batch = batch,
                   .batch_len = (uint16_t)batch_len};
    if (refuse) {
        r = (pv_result){.status = PV_E_EXPIRED, .lock_time = 1767255001, .battery_mv = 2950};
    } else {
        CHECK(pv_lock_hs_possession(&ls, v->m3, v->m3_len, c.bearer_pk));
    }
    CHECK(pv_result_inner_encode(&r, v->inner4, sizeof v->inner4, &v->inner4_len));
    CHECK(pv_lock_hs_result(&ls, &r, v->m4, sizeof v->m4, &v->m4_len));
    pv_result got;
    CHECK(pv_key_hs_result(&ks, v->m4, v->m4_len, scratch, sizeof scratch, &got));
    pv_session_wipe(&ks);
    pv_session_wipe(&ls);
    return 0;
}

static int emit_unlock(FILE *f)
{
    vkeys k;
    CHECK(keys_make(&k));
    fprintf(f, "# unlock exchanges between the bearer of keys.hex and lock 1035, carrying the\n"
               "# credential (proof for entry 5), the 3-entry revlist, the beacon and, in M4,\n"
               "# the log batch of the other files. unlock_refused: same M1..M3, possession\n"
               "# not checked, status PV_E_EXPIRED (-41) sealed under k1. unlock_static: the\n"
               "# lock uses the X25519 form of its Ed25519 key (keys.hex) instead of lock_rand.\n");
    static const char *const rec[] = {"[unlock]\n", "[unlock_refused]\n", "[unlock_static]\n"};
    for (int mode = HS_OK; mode <= HS_STATIC; mode++) {
        static vhs v;
        CHECK(hs_run(&k, mode, &v));
        fputs(rec[mode], f);
        numline(f, "issuer_id", 7);
        hexline(f, "key_rand", v.key_rand, 32);
        if (mode != HS_STATIC)
            hexline(f, "lock_rand", v.lock_rand, 32);
        numline(f, "lock_id", v.ch.lock_id);
        numline(f, "lock_time", v.ch.lock_time);
        numline(f, "revlist_version", v.ch.revlist_version);
        numline(f, "beacon_time", v.ch.beacon_time);
        hexline(f, "challenge_nonce", v.ch.nonce, 16);
        hexline(f, "m1", v.m1, sizeof v.m1);
        hexline(f, "h1", v.h1, 32);
        hexline(f, "m2", v.m2, sizeof v.m2);
        hexline(f, "h2", v.h2, 32);
        hexline(f, "k1", v.k1, 32);
        hexline(f, "present_inner", v.inner3, v.inner3_len);
        hexline(f, "m3", v.m3, v.m3_len);
        hexline(f, "h3", v.h3, 32);
        hexline(f, "k2", v.k2, 32);
        hexline(f, "result_inner", v.inner4, v.inner4_len);
        hexline(f, "m4", v.m4, v.m4_len);
    }
    return 0;
}

int vec_emit(const char *name, FILE *f)
{
    static const struct {
        const char *name;
        int (*fn)(FILE *);
    } table[] = {{"keys", emit_keys},       {"entry", emit_entry},
                 {"merkle", emit_merkle},   {"credential", emit_credential},
                 {"revlist", emit_revlist}, {"beacon", emit_beacon},
                 {"logbatch", emit_logbatch}, {"unlock", emit_unlock}};
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strcmp(table[i].name, name) == 0) {
            fprintf(f, "# Portvakt lib/proto known-answer vectors: %s (generated by "
                       "tests/vectors/gen_vectors; see README.md)\n", name);
            return table[i].fn(f);
        }
    return -1;
}

/* ---------------------------------------------------------------- fuzz corpus seeds */

static int write_file(const char *dir, const char *driver, const char *name, const uint8_t *b,
                      size_t n)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, driver);
    if (mkdir(path, 0755) != 0 && errno != EEXIST)
        return -1;
    snprintf(path, sizeof path, "%s/%s/%s", dir, driver, name);
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t w = fwrite(b, 1, n, f);
    return fclose(f) == 0 && w == n ? 0 : -1;
}

/* A valid seed plus a truncated and a bit-flipped variant. */
static int seed3(const char *dir, const char *driver, const char *name, const uint8_t *b,
                 size_t n)
{
    static uint8_t tmp[PV_MSG_MAX + 64];
    char fn[128];
    snprintf(fn, sizeof fn, "seed_%s", name);
    CHECK(write_file(dir, driver, fn, b, n));
    if (n == 0 || n > sizeof tmp)
        return 0;
    snprintf(fn, sizeof fn, "trunc_%s", name);
    CHECK(write_file(dir, driver, fn, b, n - 1));
    memcpy(tmp, b, n);
    tmp[n / 2] ^= 0x01;
    snprintf(fn, sizeof fn, "flip_%s", name);
    CHECK(write_file(dir, driver, fn, tmp, n));
    return 0;
}

static int corpus_objects(const char *dir, const vkeys *k)
{
    uint8_t entries[CRED_N * PV_ENTRY_SIZE], cred[PV_CRED_SIZE], b[PV_REVLIST_MAX_SIZE];
    pv_cred c;
    size_t len;
    CHECK(cred_make(k, &c, entries, cred));
    CHECK(seed3(dir, "cred", "cred", cred, sizeof cred));
    CHECK(seed3(dir, "entry", "entry", entries, PV_ENTRY_SIZE));
    for (uint16_t count = 0; count <= 3; count += 3) {
        CHECK(revlist_make(k, count, b, &len));
        CHECK(seed3(dir, "revlist", count ? "revlist3" : "revlist0", b, len));
    }
    CHECK(pv_beacon_sign(&beacon_fields, k->issuer_sk, b));
    CHECK(seed3(dir, "beacon", "beacon", b, PV_BEACON_SIZE));
    uint8_t prev[32], batch[PV_LOGBATCH_MAX_SIZE];
    CHECK(logbatch_make(k, prev, batch, &len));
    CHECK(seed3(dir, "logbatch", "logbatch", batch, len));
    for (int i = 0; i < 4; i++) {
        char name[16];
        uint8_t eb[PV_EVENT_SIZE];
        pv_event_encode(&events[i], eb);
        snprintf(name, sizeof name, "event%d", i);
        CHECK(seed3(dir, "event", name, eb, sizeof eb));
    }
    /* merkle_verify: n u32 | index u32 | nsiblings u8 | entry | root | siblings | entries */
    uint8_t sib[PV_MERKLE_MAX_DEPTH][32], mv[9 + 10 + 32 + 4 * 32 + sizeof entries];
    unsigned ns;
    CHECK(pv_merkle_prove(entries, CRED_N, 5, sib, &ns));
    for (int i = 0; i < 4; i++)
        mv[i] = (uint8_t)(CRED_N >> (8 * i));
    mv[4] = 5, mv[5] = mv[6] = mv[7] = 0, mv[8] = (uint8_t)ns;
    memcpy(mv + 9, entries + 5 * PV_ENTRY_SIZE, PV_ENTRY_SIZE);
    memcpy(mv + 19, c.root, 32);
    memcpy(mv + 51, sib, (size_t)ns * 32);
    memcpy(mv + 51 + ns * 32, entries, sizeof entries);
    CHECK(seed3(dir, "merkle_verify", "proof13", mv, 51 + ns * 32 + sizeof entries));
    return 0;
}

/* Seeds for the session drivers: a mode byte, then a payload (fuzz_lock_present.c and
 * fuzz_key_result.c describe the modes). */
static int corpus_sessions(const char *dir, const vhs *v, int refuse)
{
    static uint8_t b[PV_MSG_MAX + 32];
    if (!refuse) {
        b[0] = 0; /* inner to seal under k1, then a (wrong) tag */
        memcpy(b + 1, v->inner3, v->inner3_len);
        memset(b + 1 + v->inner3_len, 0xEE, PV_AEAD_TAG);
        CHECK(seed3(dir, "lock_present", "inner", b, 1 + v->inner3_len + PV_AEAD_TAG));
        b[0] = 1; /* raw M3 */
        memcpy(b + 1, v->m3, v->m3_len);
        CHECK(seed3(dir, "lock_present", "raw", b, 1 + v->m3_len));
    }
    b[0] = refuse ? 0 : 2; /* inner to seal under k1 / k2 */
    memcpy(b + 1, v->inner4, v->inner4_len);
    CHECK(seed3(dir, "key_result", refuse ? "k1" : "k2", b, 1 + v->inner4_len));
    b[0] = 1; /* raw M4 */
    memcpy(b + 1, v->m4, v->m4_len);
    CHECK(seed3(dir, "key_result", refuse ? "raw_refused" : "raw", b, 1 + v->m4_len));
    return 0;
}

int vec_corpus(const char *dir)
{
    vkeys k;
    static vhs v;
    CHECK(keys_make(&k));
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return -1;
    CHECK(corpus_objects(dir, &k));
    for (int refuse = 0; refuse <= 1; refuse++) {
        CHECK(hs_run(&k, refuse ? HS_REFUSED : HS_OK, &v));
        const char *tag = refuse ? "refused" : "ok";
        if (!refuse) {
            CHECK(seed3(dir, "hello", tag, v.m1, sizeof v.m1));
            CHECK(seed3(dir, "challenge", tag, v.m2, sizeof v.m2));
            CHECK(seed3(dir, "present_inner", tag, v.inner3, v.inner3_len));
        }
        CHECK(seed3(dir, "result_inner", tag, v.inner4, v.inner4_len));
        CHECK(corpus_sessions(dir, &v, refuse));
    }
    return 0;
}
