/* The portvakt-server command line: init (database, vault and issuer keys, first
 * administrator), serve, audit-verify, rotate-issuer-key, rotate-vault-key, purge, erase,
 * import and migrate (server/core/store_move.c). */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "pvs/audit.h"
#include "pvs/clock.h"
#include "pvs/core.h"
#include "pvs/vault.h"

int pvs_cli_main(int argc, char **argv);
int pvs_cli_import(int argc, char **argv); /* cli_import.c */
int pvs_store_move(const char *from, const char *to);

static const char usage[] =
    "usage: portvakt-server <command> [options]\n"
    "  init --db FILE --issuer-key FILE --admin USER [--issuer-id N] [--vault-key FILE]\n"
    "        create the database, the vault key and the issuer key (mode 0600) and the\n"
    "        first central administrator; prints the administrator's one-time password\n"
    "  serve [--config FILE] [--db FILE] [--listen HOST:PORT] [--tls-cert FILE --tls-key FILE]\n"
    "        [--issuer-key FILE] [--web-root DIR] [--threads N] [--sim-clock] [--port-file FILE]\n"
    "  audit-verify --db FILE       walk the audit hash chain; exit 0 if intact\n"
    "  rotate-issuer-key --db FILE --issuer-key FILE\n"
    "        new signing key with a new key id; old public keys stay trusted\n"
    "  rotate-vault-key --db FILE --issuer-key FILE [--vault-key FILE]\n"
    "        new vault key; every sealed secret and the issuer key resealed under it\n"
    "  purge --db FILE [--retain-passages-days N] [--retain-refusals-days N]\n"
    "        [--retain-syncs-days N] [--retain-audit-days N] [--sim-clock --now UNIX-TIME]\n"
    "        delete what is older than kept (serve runs it daily; --now: as of a simulated time)\n"
    "  import (--db FILE | --config FILE) [--apply] FILE\n"
    "        the care-planning system's CSV or JSON file (docs/import.md): the changes it\n"
    "        would make; with --apply, made (all lines or none). FILE - reads stdin\n"
    "  erase --db FILE (--user N | --staff N | --recipient N)\n"
    "        erase a departed person: name and codes overwritten, their sealed audit values\n"
    "        made unreadable (their keys deleted); the audit chain still verifies\n"
    "  migrate --from sqlite:FILE --to CONNINFO\n"
    "        move the SQLite store into an empty PostgreSQL database, verified row by row\n"
    "        and by the audit chain (docs/operations.md)\n"
    "The vault key (sealing the stored secrets) is --vault-key, else the systemd credential\n"
    "portvakt-vault-key, else vault.key beside the issuer key (docs/privacy.md).\n"
    "Every option can also be given in the config file as `key = value`.\n";

struct cli {
    struct pvs_config cfg;
    char admin[65];
    unsigned issuer_id;
    int64_t now;            /* purge --sim-clock --now: run as of this time (simulations) */
    const char *erase_kind; /* erase: --user, --staff or --recipient */
    int64_t erase_id;
    const char *from, *to; /* migrate */
};

/* Flags: --config first, then every other flag over the file's values. */
static int parse_flags(struct cli *c, int argc, char **argv)
{
    char err[400];
    pvs_config_defaults(&c->cfg);
    c->issuer_id = 1;
    for (int i = 2; i < argc; i++)
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc &&
            pvs_config_load(&c->cfg, argv[++i], err, sizeof err) != 0) {
            fprintf(stderr, "portvakt-server: %s\n", err);
            return -1;
        }
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) != 0) {
            fprintf(stderr, "portvakt-server: unexpected argument \"%s\"\n%s", a, usage);
            return -1;
        }
        a += 2;
        if (strcmp(a, "sim-clock") == 0) {
            c->cfg.sim_clock = true;
            continue;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "portvakt-server: --%s needs a value\n", a);
            return -1;
        }
        const char *v = argv[++i];
        if (strcmp(a, "config") == 0)
            continue;
        if (strcmp(a, "admin") == 0) {
            snprintf(c->admin, sizeof c->admin, "%s", v);
            continue;
        }
        if (strcmp(a, "user") == 0 || strcmp(a, "staff") == 0 || strcmp(a, "recipient") == 0) {
            c->erase_kind = a;
            c->erase_id = strtoll(v, NULL, 10);
            continue;
        }
        if (strcmp(a, "now") == 0) {
            c->now = strtoll(v, NULL, 10);
            continue;
        }
        if (strcmp(a, "from") == 0 || strcmp(a, "to") == 0) {
            *(a[0] == 'f' ? &c->from : &c->to) = v;
            continue;
        }
        if (strcmp(a, "issuer-id") == 0) {
            c->issuer_id = (unsigned)strtoul(v, NULL, 10);
            continue;
        }
        if (pvs_config_set(&c->cfg, a, v, err, sizeof err) != 0) {
            fprintf(stderr, "portvakt-server: --%s\n", err);
            return -1;
        }
    }
    return 0;
}

static pvs_db *open_migrated(const char *path)
{
    char err[400];
    int applied = 0;
    pvs_db *db = NULL;
    if (pvs_db_open(pvs_db_ops_for(path), path, &db, err, sizeof err) != PVS_DB_OK ||
        pvs_migrate(db, &applied, err, sizeof err) != PVS_DB_OK) {
        fprintf(stderr, "portvakt-server: %s\n", err);
        pvs_db_close(db);
        return NULL;
    }
    return db;
}

static int new_key(struct pvs_issuer *k, uint32_t issuer_id, uint32_t key_id)
{
    k->issuer_id = issuer_id;
    k->key_id = key_id;
    return crypto_sign_ed25519_keypair(k->pk, k->sk);
}

static int insert_key(pvs_db *db, const struct pvs_issuer *k)
{
    return (int)pvs_exec(db, "INSERT INTO issuer_keys (key_id, issuer_id, public_key, created_at)"
                             " VALUES (?, ?, ?, ?)",
                         PVS_ARGS(PVS_I64(k->key_id), PVS_I64(k->issuer_id), PVS_BLOB(k->pk, 32),
                                  PVS_I64(pvs_now())));
}

static int create_admin(pvs_db *db, const char *user, const char *pw, int64_t *id)
{
    char hash[128];
    if (pvs_password_hash(pw, hash) != 0)
        return PVS_DB_ERROR;
    int64_t now = pvs_now();
    return pvs_query_i64(db, "INSERT INTO users (username, display_name, role, pw_hash,"
                             " created_at, updated_at) VALUES (?, ?, 'central_admin', ?, ?, ?)"
                             " RETURNING id",
                         PVS_ARGS(PVS_TEXT(user), PVS_TEXT(user), PVS_TEXT(hash), PVS_I64(now),
                                  PVS_I64(now)), id);
}

/* The end of a key change: its audit entry (takes d), the key file written last but before
 * the commit (a failed write leaves the database unchanged), then the commit. */
static int audit_save_commit(pvs_db *db, int rc, const struct pvs_audit_actor *who,
                             const char *action, const char *type, int64_t id, json_t *d,
                             const char *key_path, const struct pvs_issuer *k)
{
    char err[400];
    if (rc == PVS_DB_OK)
        rc = pvs_audit_append_raw(db, who, 0, action, type, id, d);
    json_decref(d);
    if (rc == PVS_DB_OK && pvs_issuer_save(key_path, k, err, sizeof err) != 0) {
        fprintf(stderr, "portvakt-server: %s\n", err);
        rc = PVS_DB_ERROR;
    }
    if (rc == PVS_DB_OK)
        rc = pvs_tx_commit(db);
    return rc;
}

static int cmd_init(struct cli *c)
{
    if (!c->admin[0] || c->issuer_id == 0) {
        fprintf(stderr, "portvakt-server: init needs --admin USER (and --issuer-id >= 1)\n");
        return 2;
    }
    if (access(c->cfg.issuer_key, F_OK) == 0) {
        fprintf(stderr, "portvakt-server: %s already exists; init never overwrites an issuer key\n",
                c->cfg.issuer_key);
        return 1;
    }
    pvs_db *db = open_migrated(c->cfg.db);
    if (!db)
        return 1;
    int64_t users = 0, uid = 0;
    struct pvs_issuer k;
    char pw[32], err[400];
    int rc = pvs_query_i64(db, "SELECT COUNT(*) FROM users", PVS_NOARGS, &users);
    if (rc == PVS_DB_OK && users > 0) {
        fprintf(stderr, "portvakt-server: %s already has users; init runs once\n", c->cfg.db);
        pvs_db_close(db);
        return 1;
    }
    bool cred = false;
    if (rc == PVS_DB_OK && pvs_vault_start(&c->cfg, db, &cred, err, sizeof err) != 0) {
        fprintf(stderr, "portvakt-server: %s\n", err);
        pvs_db_close(db);
        return 1;
    }
    pvs_password_generate(pw);
    rc = new_key(&k, c->issuer_id, 1) == 0 ? pvs_tx_begin(db, true) : PVS_DB_ERROR;
    if (rc == PVS_DB_OK)
        rc = insert_key(db, &k) < 0 ? PVS_DB_ERROR : create_admin(db, c->admin, pw, &uid);
    struct pvs_audit_actor who = {0, "portvakt-server init", "cli", "local", "init"};
    json_t *d = json_pack("{s:s, s:I}", "admin", c->admin, "issuer_id", (json_int_t)k.issuer_id);
    rc = audit_save_commit(db, rc, &who, "system.init", "user", uid, d, c->cfg.issuer_key, &k);
    if (rc != PVS_DB_OK) {
        fprintf(stderr, "portvakt-server: init failed: %s\n", pvs_db_errmsg(db));
        pvs_tx_rollback(db);
        unlink(c->cfg.issuer_key);
    } else {
        printf("database %s ready; issuer %u key 1 written to %s (mode 0600)\n", c->cfg.db,
               k.issuer_id, c->cfg.issuer_key);
        printf("central administrator \"%s\" created. Initial password (shown once): %s\n",
               c->admin, pw);
        printf("Sign in and enrol an authenticator app at the first login.\n");
    }
    sodium_memzero(pw, sizeof pw);
    sodium_memzero(&k, sizeof k);
    pvs_db_close(db);
    return rc == PVS_DB_OK ? 0 : 1;
}

static int cmd_rotate(struct cli *c)
{
    char err[400];
    struct pvs_issuer old, k;
    pvs_db *db = open_migrated(c->cfg.db);
    if (!db)
        return 1;
    if (pvs_vault_start_issuer(&c->cfg, db, &old, err, sizeof err) != 0) {
        fprintf(stderr, "portvakt-server: %s\n", err);
        pvs_db_close(db);
        return 1;
    }
    int64_t max_id = 0;
    int rc = pvs_tx_begin(db, true);
    if (rc == PVS_DB_OK)
        rc = pvs_query_i64(db, "SELECT COALESCE(MAX(key_id), 0) FROM issuer_keys", PVS_NOARGS, &max_id);
    if (rc == PVS_DB_OK && new_key(&k, old.issuer_id, (uint32_t)max_id + 1) != 0)
        rc = PVS_DB_ERROR;
    if (rc == PVS_DB_OK && insert_key(db, &k) < 0)
        rc = PVS_DB_ERROR;
    struct pvs_audit_actor who = {0, "portvakt-server rotate-issuer-key", "cli", "local", "rotate"};
    json_t *d = json_pack("{s:I, s:I}", "old_key_id", (json_int_t)old.key_id, "new_key_id",
                          (json_int_t)k.key_id);
    rc = audit_save_commit(db, rc, &who, "issuer.rotate", "issuer_key", k.key_id, d,
                           c->cfg.issuer_key, &k);
    if (rc == PVS_DB_OK)
        printf("issuer %u: key %u replaces key %u; restart portvakt-server to sign with it."
               " Locks keep trusting key %u until they learn the new one.\n",
               k.issuer_id, k.key_id, old.key_id, old.key_id);
    else
        fprintf(stderr, "portvakt-server: rotation failed: %s\n", pvs_db_errmsg(db));
    sodium_memzero(&old, sizeof old);
    sodium_memzero(&k, sizeof k);
    pvs_db_close(db);
    return rc == PVS_DB_OK ? 0 : 1;
}

static int cmd_rotate_vault(struct cli *c)
{
    pvs_db *db = open_migrated(c->cfg.db);
    if (!db)
        return 1;
    int rc = pvs_vault_rotate(&c->cfg, db);
    pvs_db_close(db);
    return rc;
}

static int cmd_purge(struct cli *c)
{
    pvs_db *db = open_migrated(c->cfg.db);
    if (!db)
        return 1;
    struct pvs_purge_counts n;
    pvs_clock_enable_sim(c->cfg.sim_clock);
    if (c->now && (!c->cfg.sim_clock || pvs_clock_set(c->now) != 0)) {
        fprintf(stderr, "portvakt-server: --now is for simulations: give --sim-clock too\n");
        pvs_db_close(db);
        return 2;
    }
    int rc = pvs_purge(db, &c->cfg, pvs_now(), "portvakt-server purge", &n);
    if (rc == PVS_DB_OK)
        printf("purged: %lld passages, %lld refusals, %lld key reports, %lld syncs, %lld link"
               " views, %lld audit records (kept: passages %u days, refusals %u, syncs %u,"
               " audit %u; 0 = for ever)\n",
               (long long)n.passages, (long long)n.refusals, (long long)n.key_reports,
               (long long)n.syncs, (long long)n.link_views, (long long)n.audit_records,
               c->cfg.retain_passages_days, c->cfg.retain_refusals_days,
               c->cfg.retain_syncs_days, c->cfg.retain_audit_days);
    else
        fprintf(stderr, "portvakt-server: purge failed (%s): %s\n", pvs_db_rcname(rc),
                pvs_db_errmsg(db));
    pvs_db_close(db);
    return rc == PVS_DB_OK ? 0 : 1;
}

int pvs_cli_erase(pvs_db *db, const char *kind, int64_t id); /* server/core/erase.c */

static int cmd_erase(struct cli *c)
{
    if (!c->erase_kind || c->erase_id <= 0) {
        fprintf(stderr, "portvakt-server: erase needs --user, --staff or --recipient with the"
                        " person's number\n");
        return 2;
    }
    pvs_db *db = open_migrated(c->cfg.db);
    if (!db)
        return 1;
    int status = pvs_cli_erase(db, c->erase_kind, c->erase_id);
    pvs_db_close(db);
    return status;
}

static int cmd_audit_verify(struct cli *c)
{
    pvs_db *db = open_migrated(c->cfg.db);
    if (!db)
        return 1;
    struct pvs_audit_verify v;
    int rc = pvs_audit_verify(db, &v);
    pvs_db_close(db);
    if (rc != PVS_DB_OK) {
        fprintf(stderr, "portvakt-server: cannot read the audit trail (%s)\n", pvs_db_rcname(rc));
        return 2;
    }
    char head[65];
    sodium_bin2hex(head, sizeof head, v.head, 32);
    if (!v.ok) {
        printf("audit trail BROKEN after %lld records: %s\n", (long long)v.records, v.reason);
        return 1;
    }
    printf("audit trail intact: %lld records, head %s\n", (long long)v.records, head);
    return 0;
}

static int write_port_file(const char *path, unsigned port)
{
    char tmp[PVS_PATH_MAX + 8];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return -1;
    fprintf(f, "%u\n", port);
    if (fclose(f) != 0)
        return -1;
    return rename(tmp, path);
}

static int cmd_serve(struct cli *c)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    /* block before the worker threads start so only sigwait() below sees the signals */
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    struct pvs_server *s = calloc(1, sizeof *s);
    if (!s || pvs_server_start(s, &c->cfg) != 0) {
        free(s);
        return 1;
    }
    fprintf(stderr, "portvakt-server: listening on %s:%u (%s)%s\n", c->cfg.listen_host, s->port,
            c->cfg.tls_cert[0] ? "https" : "http, loopback only",
            c->cfg.sim_clock ? ", simulation clock enabled" : "");
    if (c->cfg.port_file[0] && write_port_file(c->cfg.port_file, s->port) != 0)
        fprintf(stderr, "portvakt-server: cannot write %s: %s\n", c->cfg.port_file, strerror(errno));
    int sig = 0;
    sigwait(&set, &sig);
    fprintf(stderr, "portvakt-server: %s received, finishing running requests\n",
            sig == SIGTERM ? "SIGTERM" : "SIGINT");
    pvs_server_stop(s);
    free(s);
    fprintf(stderr, "portvakt-server: stopped\n");
    return 0;
}

int pvs_cli_main(int argc, char **argv)
{
    if (sodium_init() < 0) {
        fprintf(stderr, "portvakt-server: libsodium failed to initialise\n");
        return 1;
    }
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "import") == 0) /* takes a file name, not only --flags */
        return pvs_cli_import(argc, argv);
    struct cli c;
    memset(&c, 0, sizeof c);
    if (parse_flags(&c, argc, argv) != 0)
        return 2;
    umask(077); /* the database and key files hold secrets */
    if (strcmp(argv[1], "init") == 0)
        return cmd_init(&c);
    if (strcmp(argv[1], "serve") == 0)
        return cmd_serve(&c);
    if (strcmp(argv[1], "audit-verify") == 0)
        return cmd_audit_verify(&c);
    if (strcmp(argv[1], "rotate-issuer-key") == 0)
        return cmd_rotate(&c);
    if (strcmp(argv[1], "rotate-vault-key") == 0)
        return cmd_rotate_vault(&c);
    if (strcmp(argv[1], "purge") == 0)
        return cmd_purge(&c);
    if (strcmp(argv[1], "erase") == 0)
        return cmd_erase(&c);
    if (strcmp(argv[1], "migrate") == 0)
        return pvs_store_move(c.from, c.to);
    fprintf(stderr, "portvakt-server: unknown command \"%s\"\n%s", argv[1], usage);
    return 2;
}
