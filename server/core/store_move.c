/* `portvakt-server migrate --from sqlite:FILE --to CONNINFO`: moves a municipality's SQLite
 * store into an empty PostgreSQL database in one transaction (an interrupted run leaves the
 * target as it was, so it is simply run again), proves the copy table by table (row counts
 * and a digest of every row, read back from the target) and by the audit chain, and refuses
 * a target that already holds data or a source that changed while it was read. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "pvs/audit.h"
#include "pvs/core.h"
#include "store_copy.h"

int pvs_store_move(const char *from, const char *to);

/* An operator's message: Swedish first, then the same in English. */
static void say(const char *sv, const char *en, ...) __attribute__((format(printf, 2, 3)));
static void say(const char *sv, const char *en, ...)
{
    char buf[1200];
    va_list ap;
    va_start(ap, en);
    vsnprintf(buf, sizeof buf, en, ap);
    va_end(ap);
    fprintf(stderr, "portvakt-server migrate: %s\nportvakt-server migrate: %s\n", sv, buf);
}

static int check_versions(pvs_db *src, pvs_db *dst, const char *file)
{
    int vs = 0, vd = 0;
    if (pvs_schema_version(src, &vs) != PVS_DB_OK || pvs_schema_version(dst, &vd) != PVS_DB_OK) {
        say("Kan inte läsa databasernas schemaversion.", "Cannot read the schema versions.");
        return -1;
    }
    if (vs < vd) {
        say("Källan är av en äldre version. Kör först portvakt-server audit-verify --db på den"
            " med den här versionen (det uppdaterar den), sedan flytten igen.",
            "The source is from an older version (schema %d, this program %d). Run"
            " `portvakt-server audit-verify --db %s` with this version first (it brings the"
            " store up to date), then migrate again.", vs, vd, file);
        return -1;
    }
    if (vs > vd) {
        say("Källan är gjord av en nyare portvakt-server. Flytta med den versionen.",
            "The source was written by a newer portvakt-server (schema %d, this program %d);"
            " migrate with that version.", vs, vd);
        return -1;
    }
    return 0;
}

/* The source's own audit chain must hold before anything is copied from it. */
static int verify_chain(pvs_db *db, const char *which, struct pvs_audit_verify *v)
{
    int rc = pvs_audit_verify(db, v);
    if (rc != PVS_DB_OK || !v->ok) {
        say(rc != PVS_DB_OK ? "Kan inte läsa granskningsloggen." : "Granskningsloggen är bruten.",
            "The %s's audit trail %s%s.", which, rc != PVS_DB_OK ? "cannot be read" : "is BROKEN: ",
            rc != PVS_DB_OK ? "" : v->reason);
        return -1;
    }
    return 0;
}

static int open_both(const char *from, const char *to, pvs_db **src, pvs_db **dst)
{
    char err[400];
    int applied = 0;
    const char *file = from + strlen("sqlite:");
    if (access(file, R_OK) != 0) {
        say("Källfilen finns inte eller går inte att läsa.", "Cannot read the source file %s.", file);
        return -1;
    }
    if (pvs_db_open(&pvs_sqlite_ops, file, src, err, sizeof err) != PVS_DB_OK) {
        say("Källan går inte att öppna.", "Cannot open the source %s: %s", file, err);
        return -1;
    }
    if (pvs_db_open(&pvs_postgres_ops, to, dst, err, sizeof err) != PVS_DB_OK ||
        pvs_migrate(*dst, &applied, err, sizeof err) != PVS_DB_OK) {
        say("Måldatabasen går inte att nå eller förbereda.",
            "Cannot reach or prepare the target database: %s", err);
        return -1;
    }
    return 0;
}

static int refuse_non_empty(pvs_db *dst, struct pvs_copy_plan *p)
{
    const char *table = NULL;
    int64_t rows = 0;
    int rc = pvs_copy_target_empty(dst, p, &table, &rows);
    if (rc == 0)
        return 0;
    if (rc < 0)
        say("Kan inte läsa måldatabasen.", "Cannot read the target database (%s).",
            pvs_db_rcname(rc));
    else
        say("Måldatabasen är inte tom, så ingenting flyttades. Flytten görs bara till en tom"
            " databas: skapa en ny (createdb) och kör igen.",
            "The target database is not empty (table %s holds %lld rows), so nothing was moved."
            " migrate only moves into an empty database: create a new one (createdb) and run"
            " it again.", table, (long long)rows);
    return -1;
}

/* Copy every table and read each back; dst's transaction stays open for the caller. */
static int copy_all(pvs_db *src, pvs_db *dst, struct pvs_copy_plan *p, int64_t *total)
{
    char err[600];
    *total = 0;
    for (int i = 0; i < p->n; i++) {
        struct pvs_copy_table *t = &p->t[i];
        int64_t back = 0;
        uint8_t digest[32];
        if (pvs_copy_table(src, dst, t, err, sizeof err) != PVS_DB_OK) {
            say("Kopieringen avbröts; måldatabasen lämnas orörd.",
                "The copy stopped and the target is left as it was: %s", err);
            return -1;
        }
        if (pvs_copy_readback(dst, t, &back, digest) != PVS_DB_OK || back != t->rows ||
            sodium_memcmp(digest, t->digest, 32) != 0) {
            say("Kopian stämmer inte med källan; måldatabasen lämnas orörd.",
                "Table %s reads back differently from the source (%lld rows copied, %lld read"
                " back); the target is left as it was.", t->name, (long long)t->rows,
                (long long)back);
            return -1;
        }
        *total += t->rows;
    }
    return 0;
}

/* The snapshot copy: the source read in one read transaction, the target written in one
 * write transaction committed only if the source did not change meanwhile. */
static int move_snapshot(pvs_db *src, pvs_db *dst, struct pvs_copy_plan *p, int64_t *total)
{
    int64_t before = 0, after = 0;
    if (pvs_query_i64(src, "PRAGMA data_version", PVS_NOARGS, &before) != PVS_DB_OK ||
        pvs_tx_begin(src, false) != PVS_DB_OK || pvs_tx_begin(dst, true) != PVS_DB_OK) {
        say("Kan inte börja läsa källan eller skriva målet.",
            "Cannot start reading the source or writing the target.");
        return -1;
    }
    int rc = refuse_non_empty(dst, p) == 0 ? copy_all(src, dst, p, total) : -1;
    pvs_tx_rollback(src);
    if (rc == 0 && (pvs_query_i64(src, "PRAGMA data_version", PVS_NOARGS, &after) != PVS_DB_OK ||
                    after != before)) {
        say("Källan ändrades medan den lästes (körs portvakt-server fortfarande på den?)."
            " Ingenting flyttades: stoppa servern och kör igen.",
            "The source changed while it was read (is portvakt-server still running on it?)."
            " Nothing was moved: stop the server and run migrate again.");
        rc = -1;
    }
    if (rc == 0 && pvs_tx_commit(dst) != PVS_DB_OK) {
        say("Måldatabasen kunde inte spara kopian; den lämnas orörd.",
            "The target could not commit the copy and is left as it was: %s", pvs_db_errmsg(dst));
        rc = -1;
    }
    pvs_tx_rollback(dst);
    return rc;
}

static int move(const char *from, pvs_db *src, pvs_db *dst)
{
    static struct pvs_copy_plan plan;
    struct pvs_audit_verify vs, vd;
    char err[600];
    int64_t total = 0;
    if (check_versions(src, dst, from + strlen("sqlite:")) != 0 ||
        verify_chain(src, "source", &vs) != 0)
        return 1;
    if (pvs_copy_plan_make(src, dst, &plan, err, sizeof err) != PVS_DB_OK) {
        say("Källan och målet har inte samma tabeller.", "Source and target differ: %s", err);
        return 1;
    }
    if (move_snapshot(src, dst, &plan, &total) != 0)
        return 1;
    if (verify_chain(dst, "target", &vd) != 0 || vd.records < vs.records) {
        say("Kopian är sparad men granskningsloggen i målet håller inte: använd inte målet.",
            "The copy is stored but the target's audit trail does not verify: do not use it.");
        return 1;
    }
    char head[65];
    sodium_bin2hex(head, sizeof head, vd.head, 32);
    printf("flyttat / moved: %d tabeller, %lld rader, kontrollerade rad för rad; granskningsloggen"
           " hel / audit trail intact: %lld poster, head %s\n", plan.n, (long long)total,
           (long long)vd.records, head);
    printf("Starta portvakt-server med den nya --db och samma utfärdarnyckel och valvnyckel som"
           " förut. / Start portvakt-server with the new --db and the same issuer and vault"
           " keys.\n");
    return 0;
}

int pvs_store_move(const char *from, const char *to)
{
    if (!from || strncmp(from, "sqlite:", 7) != 0 || !from[7] || !to ||
        pvs_db_ops_for(to) != &pvs_postgres_ops) {
        say("Ange källan som --from sqlite:FIL och målet som --to med en PostgreSQL-anslutning.",
            "usage: portvakt-server migrate --from sqlite:FILE --to \"host=... dbname=...\""
            " (a PostgreSQL conninfo or postgresql:// URI)");
        return 2;
    }
    pvs_db *src = NULL, *dst = NULL;
    int rc = open_both(from, to, &src, &dst) == 0 ? move(from, src, dst) : 1;
    pvs_db_close(dst);
    pvs_db_close(src);
    return rc;
}
