/* The vault at server start and in the CLI: find and load its key (made on first use of a
 * database that holds nothing sealed yet), seal what an older database holds in clear, seal
 * the issuer key file, and the rotate-vault-key command. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "pvs/audit.h"
#include "pvs/clock.h"
#include "pvs/vault.h"

int pvs_vault_start(const struct pvs_config *cfg, pvs_db *db, bool *from_credential,
                    char *errbuf, size_t errcap)
{
    char path[PVS_PATH_MAX + 64];
    bool sealed = false;
    pvs_vault_locate(cfg->vault_key, cfg->issuer_key, path, sizeof path, from_credential);
    if (pvs_vault_database_sealed(db, &sealed) != PVS_DB_OK) {
        snprintf(errbuf, errcap, "cannot read the sealed secrets: %s", pvs_db_errmsg(db));
        return -1;
    }
    /* a database with sealed secrets never gets a fresh key: it could not open them */
    if (pvs_vault_load(path, !*from_credential && !sealed, errbuf, errcap) != 0) {
        if (sealed)
            snprintf(errbuf + strlen(errbuf), errcap - strlen(errbuf),
                     "; the database holds secrets sealed under a vault key: give that key"
                     " with --vault-key FILE");
        return -1;
    }
    int n = 0, rc = pvs_vault_seal_database(db, &n);
    if (rc != PVS_DB_OK) {
        snprintf(errbuf, errcap, "cannot seal the database's secrets (%s): %s",
                 pvs_db_rcname(rc), pvs_db_errmsg(db));
        return -1;
    }
    if (n)
        fprintf(stderr, "portvakt-server: sealed %d secret(s) under the vault key %s\n", n, path);
    return 0;
}

int pvs_vault_start_issuer(const struct pvs_config *cfg, pvs_db *db, struct pvs_issuer *issuer,
                           char *errbuf, size_t errcap)
{
    bool cred = false, rewritten = false;
    if (pvs_vault_start(cfg, db, &cred, errbuf, errcap) != 0 ||
        pvs_issuer_load_sealing(cfg->issuer_key, issuer, &rewritten, errbuf, errcap) != 0)
        return -1;
    if (rewritten)
        fprintf(stderr, "portvakt-server: issuer key %s is now sealed under the vault key\n",
                cfg->issuer_key);
    return 0;
}

/* Reseal the database in one transaction with its audit record. */
static int reseal(pvs_db *db, uint32_t old_id, int *count)
{
    struct pvs_audit_actor who = {0, "portvakt-server rotate-vault-key", "cli", "local", "rotate"};
    int rc = pvs_tx_begin(db, true);
    if (rc == PVS_DB_OK)
        rc = pvs_vault_reseal_database(db, count);
    json_t *d = json_pack("{s:I, s:I, s:i}", "old_key_id", (json_int_t)old_id, "new_key_id",
                          (json_int_t)pvs_vault_key_id(), "resealed", *count);
    if (rc == PVS_DB_OK)
        rc = pvs_audit_append_raw(db, &who, 0, "vault.rotate", "vault_key",
                                  (int64_t)pvs_vault_key_id(), d);
    json_decref(d);
    if (rc == PVS_DB_OK)
        rc = pvs_tx_commit(db);
    if (rc != PVS_DB_OK)
        pvs_tx_rollback(db);
    return rc;
}

int pvs_vault_rotate(const struct pvs_config *cfg, pvs_db *db)
{
    char err[600], path[PVS_PATH_MAX + 64];
    bool cred = false;
    struct pvs_issuer k;
    if (pvs_vault_start_issuer(cfg, db, &k, err, sizeof err) != 0) {
        fprintf(stderr, "portvakt-server: %s\n", err);
        return 1;
    }
    pvs_vault_locate(cfg->vault_key, cfg->issuer_key, path, sizeof path, &cred);
    uint32_t old_id = pvs_vault_key_id();
    int count = 0, rc = 1;
    if (cred)
        fprintf(stderr, "portvakt-server: the vault key is a systemd credential; rotate the file"
                " it is made from: --vault-key FILE, then update the credential\n");
    else if (pvs_vault_rotate_file(path, err, sizeof err) != 0)
        fprintf(stderr, "portvakt-server: %s\n", err);
    else if (reseal(db, old_id, &count) != PVS_DB_OK)
        fprintf(stderr, "portvakt-server: resealing failed (%s); %s holds both keys, run the"
                " rotation again\n", pvs_db_errmsg(db), path);
    else if (pvs_issuer_save(cfg->issuer_key, &k, err, sizeof err) != 0 ||
             pvs_vault_drop_old(path, err, sizeof err) != 0)
        fprintf(stderr, "portvakt-server: %s\n", err);
    else
        rc = 0;
    if (rc == 0)
        printf("vault key %u replaces key %u: %d database secret(s) and the issuer key resealed;"
               " restart portvakt-server\n", pvs_vault_key_id(), old_id, count);
    sodium_memzero(&k, sizeof k);
    return rc;
}
