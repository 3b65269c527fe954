/* The portvakt-server process: configuration, issuer key, and the running daemon. */
#ifndef PVS_SERVER_H
#define PVS_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "portvakt/error.h"
#include "pvs/store.h"
#include "pvs/oidc.h"
#include "pvs/webauthn.h"

#define PVS_PATH_MAX 1024

/* Everything `serve` needs; filled from defaults, then the config file, then flags. */
struct pvs_config {
    char db[PVS_PATH_MAX];          /* SQLite file path */
    char listen_host[64];           /* "127.0.0.1" */
    unsigned listen_port;           /* 0 = pick a free port (tests) */
    char tls_cert[PVS_PATH_MAX];    /* PEM; empty = plain HTTP, loopback only */
    char tls_key[PVS_PATH_MAX];
    char issuer_key[PVS_PATH_MAX];  /* issuer key file written by `init` */
    char vault_key[PVS_PATH_MAX];   /* key sealing stored secrets; empty = pvs_vault_locate() */
    char web_root[PVS_PATH_MAX];    /* static UI files; empty = none */
    char port_file[PVS_PATH_MAX];   /* write the bound port here once listening (tests) */
    unsigned threads;               /* HTTP worker threads (and DB connections) */
    bool sim_clock;                 /* enable PUT /api/v1/dev/clock */
    unsigned session_idle_s;        /* idle expiry of a full session */
    unsigned session_abs_s;         /* absolute expiry of a full session */
    unsigned login_max_failures;    /* consecutive failures before the account locks */
    unsigned lockout_s;             /* how long a locked account stays locked */
    unsigned addr_max_failures;     /* failures per client address per window */
    unsigned addr_window_s;
    char trusted_proxy[64];         /* reverse proxy's address: trust its X-Forwarded-For */
    struct pvs_webauthn_cfg webauthn; /* webauthn-* keys (authz/webauthn_cfg.c) */
    struct pvs_oidc_cfg oidc;         /* oidc-* keys (authz/oidc_cfg.c) */
    /* retention (docs/privacy.md): days kept, 0 = for ever */
    unsigned retain_passages_days;  /* lock events other than refusals, keys' own reports */
    unsigned retain_refusals_days;  /* refused attempts at a door */
    unsigned retain_syncs_days;     /* key syncs, views of residents' links */
    unsigned retain_audit_days;     /* audit records (cut with a tombstone, audit_tombstone.h) */
};

void pvs_config_defaults(struct pvs_config *c);
/*
 * Read a `key = value` file (# comments, blank lines; keys as the long flags without
 * dashes: db, listen, tls-cert, tls-key, issuer-key, vault-key, web-root, threads, sim-clock,
 * session-idle, session-absolute, login-max-failures, lockout-seconds,
 * addr-max-failures, addr-window, trusted-proxy, webauthn-*, oidc-*, retain-passages-days,
 * retain-refusals-days, retain-syncs-days, retain-audit-days). Unknown keys and bad values are errors naming the
 * line. Returns 0 or -1 with errbuf set.
 */
int pvs_config_load(struct pvs_config *c, const char *path, char *errbuf,
                    size_t errcap) PV_MUST_CHECK;
/* Parse the same text from memory (fuzzed). */
int pvs_config_parse(struct pvs_config *c, const char *text, size_t len, char *errbuf,
                     size_t errcap) PV_MUST_CHECK;
/* Set one key (also used for flags). Returns 0 or -1 with errbuf set. */
int pvs_config_set(struct pvs_config *c, const char *key, const char *value, char *errbuf,
                   size_t errcap) PV_MUST_CHECK;

/* ------------------------------------------------------------------ issuer key */

/*
 * The issuer's current Ed25519 signing key, loaded from the key file (mode 0600):
 *   issuer_id = 1
 *   key_id = 3
 *   sealed_secret_key = <hex: the libsodium sk (seed || pk) sealed by the vault>
 * (files from before the vault have "secret_key = <128 hex>" in clear; they are still read,
 * and pvs_issuer_upgrade() rewrites them sealed). Public keys of every key id ever used are kept in the issuer_keys table, so locks can
 * trust old and new keys during a rotation.
 */
struct pvs_issuer {
    uint32_t issuer_id;
    uint32_t key_id;
    uint8_t sk[64];
    uint8_t pk[32];
};
int pvs_issuer_load(const char *path, struct pvs_issuer *out, char *errbuf,
                    size_t errcap) PV_MUST_CHECK;
/* Write a new key file atomically (temp file, fsync, rename), mode 0600; the secret key
 * sealed when the vault is loaded (pvs/vault.h), in clear otherwise. */
int pvs_issuer_save(const char *path, const struct pvs_issuer *k, char *errbuf,
                    size_t errcap) PV_MUST_CHECK;
/* Load the key file; when its secret is in clear or sealed under an older vault key and the
 * vault is loaded, rewrite it sealed under the current key. *rewritten says whether it did. */
int pvs_issuer_load_sealing(const char *path, struct pvs_issuer *out, bool *rewritten,
                            char *errbuf, size_t errcap) PV_MUST_CHECK;

/* ------------------------------------------------------------------ server */

struct pvs_server {
    struct pvs_config cfg;
    pvs_store *store;
    struct pvs_issuer issuer;
    void *mhd;          /* struct MHD_Daemon */
    void *deadline;     /* struct pvs_deadline: the header-read deadline (pvs/deadline.h) */
    unsigned port;      /* actually bound */
    char web_root_real[PVS_PATH_MAX];
    void *domain;       /* free for the domain module's process-wide state */
    void *purge;        /* the daily retention purge (server/core/purge.c) */
};

/* Open the store, migrate, load the issuer key, validate the routes and start listening.
 * Returns 0 or -1 with a message on stderr. */
int pvs_server_start(struct pvs_server *s, const struct pvs_config *cfg) PV_MUST_CHECK;
/* Stop accepting, finish running requests, close everything. */
void pvs_server_stop(struct pvs_server *s);

/*
 * Optional hooks for the domain module (server/services/state.c defines them; the
 * stub does nothing): called once after migrations with a connection, and once at stop.
 * Return non-zero from init to refuse to start (message on stderr).
 */
int pvs_domain_init(struct pvs_server *s, pvs_db *db);
void pvs_domain_fini(struct pvs_server *s);

/* What one purge deleted (server/services/purge.c; nothing without the domain module). */
struct pvs_purge_counts {
    int64_t passages, refusals, key_reports, syncs, link_views;
    int64_t audit_records; /* cut from the front of the audit chain (core/purge.c) */
};
/* Delete what is older than the configured retention, inside the caller's write transaction.
 * The newest event of each lock is kept whatever its age (the next batch links to it).
 * Returns a pvs_db_rc. */
int pvs_domain_purge(pvs_db *db, const struct pvs_config *cfg, int64_t now,
                     struct pvs_purge_counts *out) PV_MUST_CHECK;
/* The whole purge with its audit record, in one transaction (CLI and the daily run;
 * server/core/purge.c). `who` names the caller in the audit trail. Returns a pvs_db_rc. */
int pvs_purge(pvs_db *db, const struct pvs_config *cfg, int64_t now, const char *who,
              struct pvs_purge_counts *out) PV_MUST_CHECK;
/* The daily run inside `serve`: a thread that purges an hour after start, then once a day. */
struct pvs_server;
int pvs_purge_daily_start(struct pvs_server *s) PV_MUST_CHECK;
void pvs_purge_daily_stop(struct pvs_server *s);

#endif
