/* Secrets at rest (server/core/vault*.c): a copied database file (SQLite, with its
 * write-ahead log) or a pg_dump holds no TOTP secret, no capability-link pepper and no issuer
 * signing key, in any encoding; an older database with secrets in clear is sealed at start;
 * rotate-vault-key reseals everything and sign-in still works; a missing vault key stops the
 * server instead of making a new one. */
#define _GNU_SOURCE /* memmem */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <liboath/oath.h>
#include <sodium.h>

#include "pvs/server.h"
#include "pvs/store.h"
#include "pvs/vault.h"
#include "pvt.h"

static bool contains(const char *hay, size_t hlen, const void *needle, size_t nlen)
{
    return hay && nlen && memmem(hay, hlen, needle, nlen) != NULL;
}

/* The secret as raw bytes, lower and upper hex, base32 (TOTP apps) and base64. */
static int found_anywhere(const char *hay, size_t hlen, const uint8_t *sec, size_t len)
{
    char hex[300], b64[300], *b32 = NULL;
    size_t b32len = 0;
    int hits = contains(hay, hlen, sec, len);
    sodium_bin2hex(hex, sizeof hex, sec, len);
    hits += contains(hay, hlen, hex, strlen(hex));
    for (char *p = hex; *p; p++)
        *p = (char)(*p >= 'a' && *p <= 'f' ? *p - 32 : *p);
    hits += contains(hay, hlen, hex, strlen(hex));
    sodium_bin2base64(b64, sizeof b64, sec, len, sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
    hits += contains(hay, hlen, b64, strlen(b64));
    if (oath_base32_encode((const char *)sec, len, &b32, &b32len) == OATH_OK) {
        while (b32len && b32[b32len - 1] == '=')
            b32len--;
        hits += contains(hay, hlen, b32, b32len);
        free(b32);
    }
    return hits;
}

struct secrets {
    uint8_t totp[3][32];
    size_t totp_len[3];
    int ntotp;
    uint8_t pepper[32];
    uint8_t issuer_sk[64];
};

/* Load the secrets the way the server does (vault key from the scratch directory). */
static int read_secrets(struct pvt_server *s, struct secrets *sec)
{
    char path[700], err[600];
    bool cred = false;
    pvs_vault_locate("", s->key, path, sizeof path, &cred);
    if (pvs_vault_load(path, false, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    struct pvs_issuer k;
    if (pvs_issuer_load(s->key, &k, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    memcpy(sec->issuer_sk, k.sk, 64);
    pvs_db *db = NULL;
    if (pvt_db_open(s, &db, false) != 0)
        return -1;
    int rc = pvs_vault_pepper(db, sec->pepper);
    pvs_db_close(db);
    return rc == PVS_DB_OK ? 0 : -1;
}

/* Every copy of the database an attacker might take, searched for every secret. */
static void check_copies(struct pvt_server *s, const struct secrets *sec, const char *when)
{
    size_t len = 0;
    char *copy = pvt_db_copy(s, &len);
    CHECK(copy && len > 4096, "a database copy to search (%s)", when);
    for (int i = 0; i < sec->ntotp; i++)
        CHECK(found_anywhere(copy, len, sec->totp[i], sec->totp_len[i]) == 0,
              "TOTP secret %d is in the database copy (%s)", i, when);
    CHECK(found_anywhere(copy, len, sec->pepper, 32) == 0, "the pepper is in the copy (%s)", when);
    CHECK(found_anywhere(copy, len, sec->issuer_sk, 32) == 0, "the issuer key is in the copy (%s)",
          when);
    free(copy);
    char *keyfile = pvt_slurp(s->key, &len);
    CHECK(keyfile && found_anywhere(keyfile, len, sec->issuer_sk, 32) == 0 &&
              strstr(keyfile, "sealed_secret_key"),
          "the issuer key file holds the signing key sealed only (%s)", when);
    free(keyfile);
}

/* Write a user's TOTP secret into the database in clear, as servers before the vault did. */
static int plant_clear_secret(struct pvt_server *s, int64_t uid, const uint8_t *sec, size_t len)
{
    pvs_db *db = NULL;
    if (pvt_db_open(s, &db, true) != 0)
        return -1;
    int64_t n = pvs_exec(db, "UPDATE users SET totp_secret = ? WHERE id = ?",
                         PVS_ARGS(PVS_BLOB(sec, len), PVS_I64(uid)));
    pvs_db_close(db);
    return n == 1 ? 0 : -1;
}

static int run(const char *cmd)
{
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: test_vault PORTVAKT_SERVER SCRATCH_DIR\n");
        return 2;
    }
    const char *backend = getenv("PVS_TEST_BACKEND");
    if (backend && strcmp(backend, "postgresql") == 0 && !getenv("PVS_TEST_PG_DSN")) {
        fprintf(stderr, "test_vault: no PostgreSQL server here; the pg_dump half is skipped\n");
        return 77;
    }
    struct pvt_server s;
    struct pvt_client admin = {0}, planner = {0};
    struct secrets sec = {0};
    if (pvt_start(&s, argv[1], argv[2], NULL) != 0 || pvt_login_admin(&s, &admin) != 0)
        return 1;
    int64_t prov = pvt_create_provider(&s, &admin, "Hemtjänst Söder");
    CHECK(pvt_create_user(&s, &admin, "pia", "planner", prov, &planner) == 0, "planner made");
    memcpy(sec.totp[0], admin.totp_secret, admin.totp_len);
    sec.totp_len[0] = admin.totp_len;
    memcpy(sec.totp[1], planner.totp_secret, planner.totp_len);
    sec.totp_len[1] = planner.totp_len;
    sec.ntotp = 2;
    struct stat st;
    char vault[700];
    snprintf(vault, sizeof vault, "%s/vault.key", s.dir);
    CHECK(stat(vault, &st) == 0 && (st.st_mode & 0777) == 0600, "vault key made with mode 0600");
    CHECK(pvt_stop(&s) == 0, "clean stop");
    CHECK(read_secrets(&s, &sec) == 0, "secrets readable with the vault key");
    check_copies(&s, &sec, "after enrolment");

    /* a database from before the vault: the planner's secret in clear, then a restart */
    uint8_t clear[20];
    randombytes_buf(clear, sizeof clear);
    memcpy(sec.totp[2], clear, sizeof clear);
    sec.totp_len[2] = sizeof clear;
    sec.ntotp = 3;
    CHECK(plant_clear_secret(&s, planner.user_id, clear, sizeof clear) == 0, "clear secret planted");
    CHECK(pvt_restart(&s, NULL) == 0, "restart after planting");
    memcpy(planner.totp_secret, clear, sizeof clear);
    planner.totp_len = sizeof clear;
    CHECK(pvt_login(&s, &planner) == 0, "sign-in with the secret sealed at start");
    CHECK(pvt_stop(&s) == 0, "clean stop");
    check_copies(&s, &sec, "after sealing an old database");

    /* rotation: a new key id, everything resealed, sign-in and the audit chain intact */
    char cmd[2200];
    snprintf(cmd, sizeof cmd, "'%s' rotate-vault-key --db '%s' --issuer-key '%s' >/dev/null",
             s.exe, s.db, s.key);
    CHECK(run(cmd) == 0, "rotate-vault-key");
    pvs_vault_unload();
    CHECK(read_secrets(&s, &sec) == 0 && pvs_vault_key_id() == 2, "key 2 opens everything");
    snprintf(cmd, sizeof cmd, "'%s' audit-verify --db '%s' >/dev/null", s.exe, s.db);
    CHECK(run(cmd) == 0, "audit trail intact after rotation");
    check_copies(&s, &sec, "after rotation");
    CHECK(pvt_restart(&s, NULL) == 0, "restart after rotation");
    CHECK(pvt_login(&s, &planner) == 0 && pvt_login(&s, &admin) == 0, "sign-in after rotation");
    CHECK(pvt_stop(&s) == 0, "clean stop");

    /* without its vault key the server refuses to start rather than make a new one */
    char moved[720];
    snprintf(moved, sizeof moved, "%s.away", vault);
    CHECK(rename(vault, moved) == 0, "vault key moved away");
    CHECK(pvt_restart(&s, NULL) != 0, "no start without the vault key");
    CHECK(access(vault, F_OK) != 0, "no new vault key made over sealed secrets");
    CHECK(rename(moved, vault) == 0, "vault key back");
    chmod(vault, 0644);
    CHECK(pvt_restart(&s, NULL) != 0, "no start with a vault key others can read");
    pvs_vault_unload();
    fprintf(stderr, "test_vault: %d failure(s)\n", pvt_failures);
    return pvt_failures ? 1 : 0;
}
