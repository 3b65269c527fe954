/* The audit trail's expiry (server/audit/audit_tombstone.c): `purge --retain-audit-days`
 * removes exactly the records written before the cut-off from the front of the chain, leaves
 * a tombstone attested by an audit.truncate record, and `audit-verify` passes after it (and
 * after a second purge with nothing due); a deleted or altered tombstone, or one moved over
 * more records than the purge removed, is found. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "pvs/store.h"
#include "pvt.h"

static int run(const char *cmd)
{
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static int verify(struct pvt_server *s)
{
    char cmd[1600];
    snprintf(cmd, sizeof cmd, "'%s' audit-verify --db '%s' >/dev/null", s->exe, s->db);
    return run(cmd);
}

/* `purge` as of `now` with two days of audit kept (everything else for ever); its line. */
static int purge(struct pvt_server *s, int64_t now, char *out, size_t cap)
{
    char cmd[1600];
    snprintf(cmd, sizeof cmd, "'%s' purge --db '%s' --retain-audit-days 2 --retain-passages-days 0"
             " --retain-refusals-days 0 --retain-syncs-days 0 --sim-clock --now %lld", s->exe,
             s->db, (long long)now);
    FILE *p = popen(cmd, "r");
    size_t n = p ? fread(out, 1, cap - 1, p) : 0;
    out[n] = '\0';
    return p && pclose(p) == 0 ? 0 : -1;
}

static int64_t count(pvs_db *db, const char *sql, int64_t arg)
{
    int64_t n = -1;
    if (pvs_query_i64(db, sql, PVS_ARGS(PVS_I64(arg)), &n) != PVS_DB_OK)
        return -1;
    return n;
}

/* Each way of hiding a cut must fail verification; the first two are undone after. */
static void check_tamper(struct pvt_server *s, pvs_db *db, int64_t through)
{
    uint8_t hash[32], zero[32] = {0};
    size_t len = 0;
    pvs_stmt st;
    int64_t attest = 0;
    CHECK(pvs_query(db, &st, "SELECT through_hash, attest_seq FROM audit_tombstones",
                    PVS_NOARGS) == PVS_DB_OK && pvs_next(&st) == PVS_DB_ROW, "tombstone");
    const void *h = pvs_col_blob(&st, 0, &len);
    if (h && len == 32)
        memcpy(hash, h, 32);
    attest = pvs_col_i64(&st, 1);
    pvs_finalize(&st);
    CHECK(pvs_exec(db, "DELETE FROM audit_tombstones", PVS_NOARGS) == 1, "remove the tombstone");
    CHECK(verify(s) == 1, "a cut without its tombstone is found");
    CHECK(pvs_exec(db, "INSERT INTO audit_tombstones (through_seq, through_hash, attest_seq,"
                       " removed) VALUES (?, ?, ?, ?)",
                   PVS_ARGS(PVS_I64(through), PVS_BLOB(zero, 32), PVS_I64(attest),
                            PVS_I64(through))) == 1, "a tombstone with another hash");
    CHECK(verify(s) == 1, "a tombstone with the wrong hash is found");
    CHECK(pvs_exec(db, "UPDATE audit_tombstones SET through_hash = ?",
                   PVS_ARGS(PVS_BLOB(hash, 32))) == 1, "restored");
    CHECK(verify(s) == 0, "the restored tombstone verifies");
    /* one more record removed and the tombstone moved over it: not what the purge attested */
    CHECK(pvs_query(db, &st, "SELECT hash FROM audit_log WHERE seq = ?",
                    PVS_ARGS(PVS_I64(through + 1))) == PVS_DB_OK && pvs_next(&st) == PVS_DB_ROW,
          "next record");
    h = pvs_col_blob(&st, 0, &len);
    if (h && len == 32)
        memcpy(hash, h, 32);
    pvs_finalize(&st);
    CHECK(pvs_exec(db, "DELETE FROM audit_log WHERE seq = ?", PVS_ARGS(PVS_I64(through + 1))) == 1 &&
              pvs_exec(db, "UPDATE audit_tombstones SET through_seq = ?, through_hash = ?",
                       PVS_ARGS(PVS_I64(through + 1), PVS_BLOB(hash, 32))) == 1,
          "a longer cut");
    CHECK(verify(s) == 1, "a tombstone moved past what the purge removed is found");
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: test_audit_tombstone PORTVAKT_SERVER SCRATCH_DIR\n");
        return 2;
    }
    struct pvt_server s;
    struct pvt_client admin = {0};
    if (pvt_start(&s, argv[1], argv[2], NULL) != 0 || pvt_login_admin(&s, &admin) != 0)
        return 1;
    CHECK(pvt_create_provider(&s, &admin, "Gammal Omsorg") > 0, "an old change");
    /* the rest a year from now: kept by two days of retention as of the day after; the
     * records of `init` (today) and of the simulated start (months ago) not */
    int64_t later = (int64_t)time(NULL) + 365 * 86400LL;
    CHECK(pvt_clock_set(&s, later) == 0, "clock a year ahead");
    CHECK(pvt_login(&s, &admin) == 0, "sign in today"); /* the old session ended months ago */
    CHECK(pvt_create_provider(&s, &admin, "Ny Omsorg") > 0, "a new change");
    CHECK(pvt_create_provider(&s, &admin, "Nyare Omsorg") > 0, "and another");
    CHECK(pvt_stop(&s) == 0, "stopped");
    pvs_db *db = NULL;
    if (pvt_db_open(&s, &db, true) != 0)
        return 1;
    int64_t cutoff = later - 86400;
    int64_t old = count(db, "SELECT COUNT(*) FROM audit_log WHERE at < ?", cutoff);
    int64_t through = count(db, "SELECT MAX(seq) FROM audit_log WHERE at < ?", cutoff);
    int64_t total = count(db, "SELECT COUNT(*) FROM audit_log WHERE seq > ?", 0);
    CHECK(old >= 2 && old == through && total >= old + 2, "old %lld of %lld", (long long)old,
          (long long)total);
    char out[600], want[80];
    CHECK(purge(&s, later + 86400, out, sizeof out) == 0, "purge ran: %s", out);
    snprintf(want, sizeof want, "0 link views, %lld audit records", (long long)old);
    CHECK(strstr(out, want), "exactly the expired records went: %s", out);
    CHECK(count(db, "SELECT COUNT(*) FROM audit_log WHERE at < ?", cutoff) == 0 &&
              count(db, "SELECT MIN(seq) FROM audit_log WHERE seq > ?", 0) == through + 1,
          "the chain now starts after the cut");
    CHECK(count(db, "SELECT COUNT(*) FROM audit_log WHERE action = 'audit.truncate' AND seq > ?",
                through) == 1, "the cut is attested in the chain");
    CHECK(verify(&s) == 0, "audit-verify passes after the purge");
    CHECK(purge(&s, later + 86400, out, sizeof out) == 0 && strstr(out, "0 audit records"),
          "a second purge finds nothing due: %s", out);
    CHECK(verify(&s) == 0, "and the chain still verifies");
    check_tamper(&s, db, through);
    pvs_db_close(db);
    if (pvt_failures)
        fprintf(stderr, "test_audit_tombstone: %d failure(s)\n", pvt_failures);
    return pvt_failures ? 1 : 0;
}
