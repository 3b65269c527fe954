/* `portvakt bearer-register` and `credential-issue`: a bearer's own key pair and the
 * issuer-signed credential (Merkle root over its rights) it carries for one shift. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cli.h"

/* Store a bearer's public key; with `given` (a phone made its own key pair) only that. */
static int register_keys(const char *dir, uint32_t b, const uint8_t *given)
{
    char name[64];
    uint8_t pk[PV_PK_SIZE], sk[PV_SIGN_SK_SIZE], x[PV_PK_SIZE];
    int rc = 0;
    if (given) {
        memcpy(pk, given, sizeof pk);
        if (pv_bearer_x_pk(pk, x) != PV_OK) {
            fprintf(stderr, "portvakt: --public-key is not a valid Ed25519 public key\n");
            return 1;
        }
    } else {
        crypto_sign_keypair(pk, sk);
        snprintf(name, sizeof name, "bearers/%" PRIu32 ".sk", b);
        rc = sd_write(dir, name, sk, sizeof sk, 1);
        sodium_memzero(sk, sizeof sk);
    }
    snprintf(name, sizeof name, "bearers/%" PRIu32 ".pk", b);
    if (rc != 0 || sd_write(dir, name, pk, sizeof pk, 0) != 0)
        return 1;
    char hex[2 * PV_PK_SIZE + 1], label[PV_PKCODE_TEXT_SIZE];
    cli_hex(pk, sizeof pk, hex);
    if (pv_pkcode_format(pk, PV_PKCODE_KEY, label) != PV_OK)
        return 1;
    /* the label form (docs/enrolment.md) carries check digits, so a planner's typo is caught */
    printf("bearer %" PRIu32 " registered; its key pair never leaves the %s.\n"
           "public key %s\nlabel %s\n", b, given ? "phone" : "key", hex, label);
    return 0;
}

int cmd_bearer_register(int argc, char **argv)
{
    cli_opt o[] = {{"--dir", 1, NULL, 0}, {"--bearer-id", 1, NULL, 0},
                   {"--public-key", 1, NULL, 0}};
    if (cli_parse(argc, argv, 2, o, 3) != 0)
        return 2;
    const char *dir = cli_value(o, 3, "--dir"), *hex = cli_value(o, 3, "--public-key");
    uint32_t b;
    uint8_t given[PV_PK_SIZE];
    size_t glen = 0;
    if (!dir || !cli_value(o, 3, "--bearer-id")) {
        fprintf(stderr, "portvakt: bearer-register needs --dir DIR --bearer-id N "
                        "[--public-key HEX]\n");
        return 2;
    }
    if (cli_u32(cli_value(o, 3, "--bearer-id"), "--bearer-id", 1, UINT32_MAX, &b) != 0)
        return 2;
    if (hex && (strlen(hex) != 2 * PV_PK_SIZE ||
                sodium_hex2bin(given, sizeof given, hex, strlen(hex), NULL, &glen, NULL) != 0 ||
                glen != PV_PK_SIZE)) {
        fprintf(stderr, "portvakt: --public-key must be 64 hex digits (the key the phone shows)\n");
        return 2;
    }
    if (sd_mkdirs(dir) != 0)
        return 1;
    char name[64];
    snprintf(name, sizeof name, "bearers/%" PRIu32 ".pk", b);
    if (sd_exists(dir, name)) {
        fprintf(stderr, "portvakt: bearer %" PRIu32 " already exists in %s\n", b, dir);
        return 1;
    }
    return register_keys(dir, b, hex ? given : NULL);
}

static int u32_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* "3,7,10-20" -> sorted, de-duplicated lock ids (at most CLI_MAX_LOCKS_PER_CRED). */
static int parse_locks(const char *s, uint32_t *ids, uint32_t *n)
{
    char buf[4096];
    if (!s || strlen(s) >= sizeof buf) {
        fprintf(stderr, "portvakt: --locks must be a list like 3,7,10-20 (under 4 KiB)\n");
        return -1;
    }
    strcpy(buf, s);
    *n = 0;
    char *save = NULL;
    for (char *item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        char *dash = strchr(item, '-');
        uint32_t lo, hi;
        if (dash) {
            *dash = '\0';
            if (cli_u32(item, "--locks range start", 1, UINT32_MAX, &lo) != 0 ||
                cli_u32(dash + 1, "--locks range end", lo, UINT32_MAX, &hi) != 0)
                return -1;
        } else {
            if (cli_u32(item, "--locks entry", 1, UINT32_MAX, &lo) != 0)
                return -1;
            hi = lo;
        }
        if ((uint64_t)hi - lo + 1 + *n > CLI_MAX_LOCKS_PER_CRED) {
            fprintf(stderr, "portvakt: at most %u rights per credential\n",
                    CLI_MAX_LOCKS_PER_CRED);
            return -1;
        }
        for (uint64_t id = lo; id <= hi; id++)
            ids[(*n)++] = (uint32_t)id;
    }
    if (*n == 0) {
        fprintf(stderr, "portvakt: --locks names no lock\n");
        return -1;
    }
    qsort(ids, *n, sizeof ids[0], u32_cmp);
    uint32_t w = 1;
    for (uint32_t r = 1; r < *n; r++)
        if (ids[r] != ids[w - 1])
            ids[w++] = ids[r];
    *n = w;
    return 0;
}

static int bearer_is_revoked(const char *dir, uint32_t b)
{
    char buf[PV_REVLIST_MAX * 40];
    size_t n;
    if (!sd_exists(dir, "revoked.txt") || sd_read(dir, "revoked.txt", buf, sizeof buf - 1, &n))
        return 0;
    buf[n] = '\0';
    char *save = NULL;
    for (char *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
        if (strtoul(l, NULL, 10) == b)
            return 1;
    return 0;
}

/* Entries for every lock over the whole validity window, then root, sign and store. */
static int issue(const char *dir, const cli_issuer *is, uint32_t b, const uint32_t *ids,
                 uint32_t n, uint64_t from, uint32_t hours)
{
    static uint8_t entries[CLI_MAX_LOCKS_PER_CRED * PV_ENTRY_SIZE];
    uint16_t minutes = (uint16_t)(hours * 60u);
    for (uint32_t i = 0; i < n; i++) {
        pv_entry e = {.lock_id = ids[i], .start_min = 0, .end_min = minutes,
                      .flags = PV_ENTRY_F_APARTMENT};
        pv_entry_encode(&e, entries + (size_t)i * PV_ENTRY_SIZE);
    }
    char name[64];
    uint8_t sign_pk[PV_PK_SIZE];
    size_t len;
    snprintf(name, sizeof name, "bearers/%" PRIu32 ".pk", b);
    if (sd_read(dir, name, sign_pk, sizeof sign_pk, &len) != 0 || len != PV_PK_SIZE) {
        fprintf(stderr, "portvakt: bearer %" PRIu32 " is not registered in %s\n", b, dir);
        return -1;
    }
    pv_cred c = {.issuer_id = is->issuer_id, .bearer_id = b, .entry_count = n,
                 .issued_at = from, .not_before = from,
                 .not_after = from + (uint64_t)hours * 3600u};
    uint8_t cred[PV_CRED_SIZE], beacon[PV_BEACON_SIZE], rl[PV_REVLIST_MAX_SIZE];
    size_t rllen;
    if (sd_next_serial(dir, &c.serial) != 0 || pv_bearer_x_pk(sign_pk, c.bearer_pk) != PV_OK ||
        pv_merkle_root(entries, n, c.root) != PV_OK || pv_cred_sign(&c, is->sk, cred) != PV_OK ||
        sd_beacon_make(is, cli_now(), beacon) != 0 ||
        sd_revlist_load(dir, is, rl, sizeof rl, &rllen) != 0) {
        fprintf(stderr, "portvakt: issuing failed\n");
        return -1;
    }
    const struct { const char *ext; const void *p; size_t len; } parts[] = {
        {"cred", cred, sizeof cred}, {"entries", entries, (size_t)n * PV_ENTRY_SIZE},
        {"revlist", rl, rllen}, {"beacon", beacon, sizeof beacon}};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        snprintf(name, sizeof name, "bearers/%" PRIu32 ".%s", b, parts[i].ext);
        if (sd_write(dir, name, parts[i].p, parts[i].len, 0) != 0)
            return -1;
    }
    printf("credential serial %" PRIu64 " for bearer %" PRIu32 ": %" PRIu32 " right(s), valid "
           "%u h from %" PRIu64 "; %zu bytes signed header, proofs of <= %u hashes\n",
           c.serial, b, n, hours, from, sizeof cred, pv_merkle_proof_len(0, n));
    return 0;
}

int cmd_credential_issue(int argc, char **argv)
{
    cli_opt o[] = {{"--dir", 1, NULL, 0}, {"--bearer-id", 1, NULL, 0}, {"--locks", 1, NULL, 0},
                   {"--hours", 1, NULL, 0}, {"--from", 1, NULL, 0}};
    const size_t no = sizeof o / sizeof o[0];
    if (cli_parse(argc, argv, 2, o, no) != 0)
        return 2;
    const char *dir = cli_value(o, no, "--dir");
    uint32_t b, hours = 10, n;
    uint64_t from = cli_now();
    if (!dir || !cli_value(o, no, "--bearer-id") || !cli_value(o, no, "--locks")) {
        fprintf(stderr, "portvakt: credential-issue needs --dir DIR --bearer-id N --locks LIST "
                        "[--hours H] [--from UNIX]\n");
        return 2;
    }
    static uint32_t ids[CLI_MAX_LOCKS_PER_CRED];
    if (cli_u32(cli_value(o, no, "--bearer-id"), "--bearer-id", 1, UINT32_MAX, &b) != 0 ||
        (cli_value(o, no, "--hours") &&
         cli_u32(cli_value(o, no, "--hours"), "--hours", 1, PV_CRED_MAX_LIFETIME_S / 3600u,
                 &hours) != 0) ||
        (cli_value(o, no, "--from") && cli_u64(cli_value(o, no, "--from"), "--from", &from)) ||
        parse_locks(cli_value(o, no, "--locks"), ids, &n) != 0)
        return 2;
    cli_issuer is;
    if (sd_issuer_load(dir, &is) != 0)
        return 1;
    if (bearer_is_revoked(dir, b)) {
        fprintf(stderr, "portvakt: bearer %" PRIu32 " is reported lost; no credential issued. "
                        "Register a new key for the staff member.\n", b);
        sodium_memzero(is.sk, sizeof is.sk);
        return 1;
    }
    int rc = issue(dir, &is, b, ids, n, from, hours);
    sodium_memzero(is.sk, sizeof is.sk);
    return rc == 0 ? 0 : 1;
}
