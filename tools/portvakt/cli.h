/* Shared declarations of the `portvakt` CLI: option parsing, the state directory and
 * the subcommands. */
#ifndef PORTVAKT_CLI_H
#define PORTVAKT_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "portvakt/key.h"
#include "portvakt/lock.h"
#include "portvakt/posix.h"
#include "portvakt/proto.h"
#include "portvakt/sim.h"

/* ------------------------------------------------------------------ options */

typedef struct cli_opt {
    const char *name;  /* "--dir" */
    int has_value;     /* 1: takes a value, 0: a flag */
    const char *value; /* set by cli_parse */
    int seen;
} cli_opt;

/* Parse argv[first..] against opts; refuses unknown, repeated or value-less options
 * with a message on stderr. 0 on success, -1 on a usage error. */
int cli_parse(int argc, char **argv, int first, cli_opt *opts, size_t nopts);
const char *cli_value(const cli_opt *opts, size_t nopts, const char *name);
int cli_flag(const cli_opt *opts, size_t nopts, const char *name);
/* Strict decimal numbers: digits only, in range. 0 or -1 (message printed, naming `what`). */
int cli_u32(const char *s, const char *what, uint32_t min, uint32_t max, uint32_t *out);
int cli_u64(const char *s, const char *what, uint64_t *out);
/* The `--dir DIR --<id_opt> N` every state-directory command takes: both required, the id
 * in 1..UINT32_MAX. 0, or -1 after printing "portvakt: <usage>" or the number's fault. */
int cli_dir_id(const cli_opt *opts, size_t nopts, const char *id_opt, const char *usage,
               const char **dir, uint32_t *id);

/* ------------------------------------------------------------------ state directory */

#define CLI_MAX_LOCKS_PER_CRED 65536u

typedef struct cli_issuer {
    uint32_t issuer_id;
    uint8_t sk[PV_SIGN_SK_SIZE];
    uint8_t pk[PV_PK_SIZE];
} cli_issuer;

/* path = dir/name (name may contain one subdirectory). -1 if it does not fit. */
int sd_path(char *out, size_t cap, const char *dir, const char *name);
int sd_mkdirs(const char *dir);
/* Atomic write (temp file, fsync, rename); mode 0600 for secrets, else 0644. */
int sd_write(const char *dir, const char *name, const void *buf, size_t len, int secret);
/* Read a whole file of at most cap bytes into buf. -1 if missing, larger, or unreadable. */
int sd_read(const char *dir, const char *name, void *buf, size_t cap, size_t *len);
int sd_exists(const char *dir, const char *name);

int sd_issuer_load(const char *dir, cli_issuer *is);
int sd_next_serial(const char *dir, uint64_t *serial);
/* Load the current signed revocation list (empty list signed on first use). */
int sd_revlist_load(const char *dir, const cli_issuer *is, uint8_t *out, size_t cap, size_t *len);
/* `portvakt revoke`: add or refresh bearer_id, drop expired entries, sign the next
 * version and store it. */
int sd_revoke(const char *dir, const cli_issuer *is, uint32_t bearer_id, uint64_t now,
              uint64_t *version_out);
int sd_beacon_make(const cli_issuer *is, uint64_t now, uint8_t out[PV_BEACON_SIZE]);

/* Load a lock's emulated hardware from dir/locks/<id>.flash and boot its core. */
int sd_lock_open(const char *dir, uint32_t lock_id, pv_sim_lock *sl);
int sd_lock_save(const char *dir, uint32_t lock_id, const pv_sim_lock *sl);
/* The same lock on the POSIX port: its core runs on dir/locks/<id>.flash in place. */
int sd_lock_open_posix(const char *dir, uint32_t lock_id, pv_posix_lock *pl);

/* A bearer's key with its installed sync bundle, in caller memory from sd_key_open. */
typedef struct cli_key {
    pv_sim_key sk;
    void *mem;
    uint32_t bearer_id;
} cli_key;
int sd_key_open(const char *dir, uint32_t bearer_id, cli_key *k);
void sd_key_close(cli_key *k);

uint64_t cli_now(void);
void cli_hex(const uint8_t *b, size_t n, char *out); /* out: 2n+1 bytes */

/* ------------------------------------------------------------------ commands */

int cmd_issuer_create(int argc, char **argv);
int cmd_revoke(int argc, char **argv);
int cmd_lock_commission(int argc, char **argv);
int cmd_lock_log(int argc, char **argv);
int cmd_lock_serve(int argc, char **argv);
int cmd_bearer_register(int argc, char **argv);
int cmd_credential_issue(int argc, char **argv);
int cmd_unlock(int argc, char **argv);
int cmd_demo(int argc, char **argv);

#endif
