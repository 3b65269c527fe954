/* The PostgreSQL backend of the store ops table (libpq): `?` placeholders rewritten to $n,
 * typed parameters, SQLSTATE error mapping, and write transactions serialised by an
 * advisory lock so they behave like SQLite's BEGIN IMMEDIATE. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "pvs/store.h"

/* Type oids from pg_type.h (server headers are not installed with libpq). */
#define OID_BOOL 16
#define OID_BYTEA 17
#define OID_INT8 20
#define OID_TEXT 25

/* One key for "the write lock": every write transaction takes it first. */
#define WRITE_LOCK_KEY 7420001
/* The protocol's own bound (a 16-bit count): multi-row INSERTs bind thousands; the
 * per-statement arrays are sized to each statement's count. */
#define MAX_PARAMS 65535
/* Server-side prepared statements kept per connection: enough for the statements that hot
 * loops rebind (ingestion has three, plus a variant when a parameter turns from NULL to a
 * value); a statement that finds no room simply runs unprepared. */
#define PREP_MAX 16

/* One statement prepared on the server: its SQL and the parameter types it was prepared
 * with (0 = a NULL then, type left to the server). */
struct pg_prep {
    char *sql;
    char name[16];
    Oid *types; /* nparams of them */
};

struct pg_conn {
    PGconn *c;
    int64_t changes;
    char err[256];
    struct pg_prep prep[PREP_MAX];
    int nprep;
    bool in_tx; /* between BEGIN and COMMIT/ROLLBACK: never reconnect inside (half a change) */
};

struct pg_stmt {
    struct pg_conn *pc;
    char *sql;       /* with $n placeholders */
    int nparams;
    Oid *types; /* these four: nparams each (at least one) */
    char **values;
    int *lengths;
    int *formats;
    PGresult *res;
    int row, nrows;
    bool ran;
    bool rerun; /* reset at least once: worth preparing on the server */
    unsigned char **blobs; /* unescaped bytea per column of the current row */
    size_t *blob_lens;
    int nblobs;
};

static int fail(struct pg_conn *pc, const PGresult *res, const char *what)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(pc->c);
    snprintf(pc->err, sizeof pc->err, "%s%s%s", what ? what : "", what ? ": " : "",
             msg && *msg ? msg : "unknown error");
    size_t n = strlen(pc->err);
    while (n && (pc->err[n - 1] == '\n' || pc->err[n - 1] == ' '))
        pc->err[--n] = '\0';
    /* connection lost, server shutting down or starting: class 08, 57P01..57P03 */
    if (PQstatus(pc->c) == CONNECTION_BAD ||
        (state && (strncmp(state, "08", 2) == 0 || strncmp(state, "57P0", 4) == 0) &&
         strcmp(state, "08P01") != 0))
        return PVS_DB_UNAVAILABLE;
    if (!state)
        return PVS_DB_ERROR;
    if (strcmp(state, "23505") == 0)
        return PVS_DB_UNIQUE;
    if (strcmp(state, "23503") == 0)
        return PVS_DB_FOREIGN;
    if (strncmp(state, "23", 2) == 0) /* not null, check, exclusion */
        return PVS_DB_CONSTRAINT;
    if (strcmp(state, "55P03") == 0 || strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0)
        return PVS_DB_BUSY; /* lock timeout, serialization failure, deadlock: try again */
    if (strcmp(state, "42P18") == 0 || strcmp(state, "08P01") == 0)
        return PVS_DB_MISUSE; /* indeterminate parameter type, protocol misuse */
    return PVS_DB_ERROR;
}

static int run(struct pg_conn *pc, const char *sql)
{
    PGresult *res = PQexec(pc->c, sql);
    ExecStatusType st = PQresultStatus(res);
    int rc = (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) ? PVS_DB_OK : fail(pc, res, NULL);
    PQclear(res);
    return rc;
}

static void prep_free(struct pg_prep *pp)
{
    free(pp->sql);
    free(pp->types);
    pp->sql = NULL;
    pp->types = NULL;
}

static int session_setup(struct pg_conn *pc)
{
    /* a waiting writer gives up after 5 s (BUSY), as SQLite's busy timeout does */
    return run(pc, "SET client_min_messages = warning; SET lock_timeout = '5s';"
                   " SET TIME ZONE 'UTC'");
}

/* A connection the database server dropped (restart, failover, network): one new attempt
 * at the start of the next transaction or statement. The server forgot this connection's
 * prepared statements, so they are forgotten here too. */
static bool idle_connection_alive(PGconn *c)
{
    /* an idle connection whose server went away (stopped, restarted, failed over) still
     * says OK until something is read from it. The server says nothing to an idle client
     * except on its way out (a termination notice, then end of stream), so whatever is
     * waiting is read now, without blocking, and the end of stream marks the connection bad */
    struct pollfd p = {.fd = PQsocket(c), .events = POLLIN};
    for (int i = 0; i < 8 && PQstatus(c) == CONNECTION_OK; i++) {
        if (poll(&p, 1, 0) <= 0)
            break;
        if (PQconsumeInput(c) != 1)
            return false;
    }
    return PQstatus(c) == CONNECTION_OK;
}

static int reconnect_if_lost(struct pg_conn *pc)
{
    if (idle_connection_alive(pc->c))
        return PVS_DB_OK;
    for (int i = 0; i < pc->nprep; i++)
        prep_free(&pc->prep[i]);
    pc->nprep = 0;
    PQreset(pc->c);
    if (PQstatus(pc->c) != CONNECTION_OK || session_setup(pc) != PVS_DB_OK) {
        snprintf(pc->err, sizeof pc->err, "database unreachable: %s", PQerrorMessage(pc->c));
        return PVS_DB_UNAVAILABLE;
    }
    return PVS_DB_OK;
}

static int pg_open(const char *dsn, void **be)
{
    struct pg_conn *pc = calloc(1, sizeof *pc);
    if (!pc)
        return PVS_DB_ERROR;
    *be = pc;
    pc->c = PQconnectdb(dsn);
    if (PQstatus(pc->c) != CONNECTION_OK) {
        snprintf(pc->err, sizeof pc->err, "%s", PQerrorMessage(pc->c));
        return PVS_DB_ERROR;
    }
    return session_setup(pc);
}

static void pg_close(void *be)
{
    struct pg_conn *pc = be;
    if (!pc)
        return;
    for (int i = 0; i < pc->nprep; i++)
        prep_free(&pc->prep[i]);
    PQfinish(pc->c);
    free(pc);
}

static int pg_begin(void *be, bool write)
{
    struct pg_conn *pc = be;
    int lost = reconnect_if_lost(pc);
    if (lost != PVS_DB_OK)
        return lost;
    const char *begin = write ? "BEGIN" : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
    int rc = run(pc, begin);
    /* the connection died unseen while idle: BEGIN has changed nothing, so one new
     * connection and one more try are safe */
    if (rc == PVS_DB_UNAVAILABLE && reconnect_if_lost(pc) == PVS_DB_OK)
        rc = run(pc, begin);
    if (!write || rc != PVS_DB_OK) {
        pc->in_tx = rc == PVS_DB_OK;
        return rc;
    }
    char sql[80];
    snprintf(sql, sizeof sql, "SELECT pg_advisory_xact_lock(%d)", WRITE_LOCK_KEY);
    rc = run(pc, sql);
    if (rc != PVS_DB_OK) {
        char keep[sizeof pc->err];
        memcpy(keep, pc->err, sizeof keep);
        (void)run(pc, "ROLLBACK");
        memcpy(pc->err, keep, sizeof keep);
    }
    pc->in_tx = rc == PVS_DB_OK;
    return rc;
}

static int pg_commit(void *be)
{
    struct pg_conn *pc = be;
    pc->in_tx = false;
    PGresult *res = PQexec(pc->c, "COMMIT");
    int rc = PVS_DB_OK;
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        rc = fail(pc, res, "commit");
    } else if (strcmp(PQcmdStatus(res), "ROLLBACK") == 0) {
        /* PostgreSQL answers COMMIT of a transaction that an earlier failed statement
         * aborted by rolling it back; the caller must not believe its writes are stored */
        snprintf(pc->err, sizeof pc->err,
                 "commit: rolled back instead, an earlier statement in the transaction failed");
        rc = PVS_DB_ERROR;
    }
    PQclear(res);
    return rc;
}

static int pg_rollback(void *be)
{
    struct pg_conn *pc = be;
    pc->in_tx = false;
    if (PQtransactionStatus(pc->c) == PQTRANS_IDLE)
        return PVS_DB_OK; /* already over: a refused COMMIT has rolled back by itself */
    return run(pc, "ROLLBACK");
}

static int pg_script(void *be, const char *sql)
{
    return run(be, sql);
}

/* Rewrite `?` to $1..$n outside quotes; refuse a second statement. */
static int rewrite(struct pg_conn *pc, const char *sql, char **out, int *nparams)
{
    size_t cap = strlen(sql) * 6 + 16, o = 0; /* "?" becomes at most "$65535" */
    char *s = malloc(cap);
    if (!s)
        return PVS_DB_ERROR;
    char quote = 0;
    int n = 0;
    for (const char *p = sql; *p; p++) {
        if (quote) {
            if (*p == quote)
                quote = 0;
        } else if (*p == '\'' || *p == '"') {
            quote = *p;
        } else if (*p == '?') {
            /* SQLite's rules: "?NNN" is parameter NNN, a bare "?" the largest so far + 1 */
            int idx = 0;
            while (p[1] >= '0' && p[1] <= '9' && idx <= MAX_PARAMS)
                idx = idx * 10 + (*++p - '0');
            if (idx == 0)
                idx = n + 1;
            if (idx > MAX_PARAMS) {
                n = MAX_PARAMS + 1;
                break;
            }
            if (idx > n)
                n = idx;
            o += (size_t)snprintf(s + o, cap - o, "$%d", idx);
            continue;
        } else if (*p == ';') {
            const char *q = p + 1;
            while (*q == ' ' || *q == '\n' || *q == '\t' || *q == ';')
                q++;
            if (*q) {
                free(s);
                snprintf(pc->err, sizeof pc->err, "more than one statement");
                return PVS_DB_MISUSE;
            }
            break;
        }
        s[o++] = *p;
    }
    s[o] = '\0';
    if (n > MAX_PARAMS) {
        free(s);
        snprintf(pc->err, sizeof pc->err, "more than %d parameters", MAX_PARAMS);
        return PVS_DB_MISUSE;
    }
    *out = s;
    *nparams = n;
    return PVS_DB_OK;
}

static void pg_finalize(void *bst);

static int pg_prepare(void *be, const char *sql, void **bst)
{
    struct pg_conn *pc = be;
    struct pg_stmt *st = calloc(1, sizeof *st);
    if (!st)
        return PVS_DB_ERROR;
    st->pc = pc;
    int rc = pc->in_tx ? PVS_DB_OK : reconnect_if_lost(pc);
    if (rc != PVS_DB_OK) {
        free(st);
        return rc;
    }
    rc = rewrite(pc, sql, &st->sql, &st->nparams);
    if (rc != PVS_DB_OK) {
        free(st);
        return rc;
    }
    size_t n = st->nparams ? (size_t)st->nparams : 1;
    st->types = calloc(n, sizeof *st->types);
    st->values = calloc(n, sizeof *st->values);
    st->lengths = calloc(n, sizeof *st->lengths);
    st->formats = calloc(n, sizeof *st->formats);
    if (!st->types || !st->values || !st->lengths || !st->formats) {
        pg_finalize(st);
        return PVS_DB_ERROR;
    }
    *bst = st;
    return PVS_DB_OK;
}

static int pg_bind(void *bst, int idx, const struct pvs_param *p)
{
    struct pg_stmt *st = bst;
    if (idx < 1 || idx > st->nparams) {
        snprintf(st->pc->err, sizeof st->pc->err, "parameter %d out of range", idx);
        return PVS_DB_MISUSE;
    }
    int i = idx - 1;
    free(st->values[i]);
    st->values[i] = NULL;
    st->lengths[i] = 0;
    st->formats[i] = 0;
    switch (p->type) {
    case PVS_PT_NULL:
        st->types[i] = 0; /* let the server infer it from the context */
        return PVS_DB_OK;
    case PVS_PT_I64:
        st->types[i] = OID_INT8;
        st->values[i] = malloc(24);
        if (st->values[i])
            snprintf(st->values[i], 24, "%lld", (long long)p->i);
        break;
    case PVS_PT_TEXT: {
        if (!p->p) {
            st->types[i] = 0;
            return PVS_DB_OK;
        }
        size_t len = p->len == SIZE_MAX ? strlen(p->p) : p->len;
        st->types[i] = OID_TEXT;
        st->values[i] = malloc(len + 1);
        if (st->values[i]) {
            memcpy(st->values[i], p->p, len);
            st->values[i][len] = '\0';
        }
        break;
    }
    case PVS_PT_BLOB:
        st->types[i] = OID_BYTEA;
        st->formats[i] = 1; /* binary: bytes as they are */
        st->lengths[i] = (int)p->len;
        st->values[i] = malloc(p->len ? p->len : 1);
        if (st->values[i] && p->len)
            memcpy(st->values[i], p->p, p->len);
        break;
    default:
        return PVS_DB_MISUSE;
    }
    return st->values[i] ? PVS_DB_OK : PVS_DB_ERROR;
}

/* The previous row's unescaped byteas go when the row changes (the col_blob contract). */
static void free_blobs(struct pg_stmt *st)
{
    for (int i = 0; i < st->nblobs; i++) {
        PQfreemem(st->blobs[i]);
        st->blobs[i] = NULL;
    }
}

/* changes() counts rows of INSERT, UPDATE and DELETE only, as SQLite's does: the command
 * tag of a SELECT carries a row count too, but must leave the last write's count alone. */
static void note_changes(struct pg_conn *pc, PGresult *res)
{
    const char *tag = PQcmdStatus(res);
    if (!tag || (strncmp(tag, "INSERT ", 7) != 0 && strncmp(tag, "UPDATE ", 7) != 0 &&
                 strncmp(tag, "DELETE ", 7) != 0 && strncmp(tag, "MERGE ", 6) != 0))
        return;
    const char *n = PQcmdTuples(res);
    pc->changes = n && *n ? strtoll(n, NULL, 10) : 0;
}

/* A prepared statement of this connection that runs st's SQL with st's parameters: same
 * text, and every parameter that has a value has the type it was prepared with. */
static const struct pg_prep *prep_find(const struct pg_stmt *st)
{
    const struct pg_conn *pc = st->pc;
    for (int k = 0; k < pc->nprep; k++) {
        const struct pg_prep *pp = &pc->prep[k];
        if (strcmp(pp->sql, st->sql) != 0)
            continue;
        int i = 0;
        while (i < st->nparams && (!st->values[i] || st->types[i] == pp->types[i]))
            i++;
        if (i == st->nparams)
            return pp;
    }
    return NULL;
}

/* Prepare st's SQL on the server for its next runs; NULL when there is no room or the
 * server refuses (the statement then runs unprepared and reports its own error). */
static const struct pg_prep *prep_add(struct pg_stmt *st)
{
    struct pg_conn *pc = st->pc;
    if (pc->nprep == PREP_MAX)
        return NULL;
    struct pg_prep *pp = &pc->prep[pc->nprep];
    pp->sql = strdup(st->sql);
    pp->types = calloc(st->nparams ? (size_t)st->nparams : 1, sizeof *pp->types);
    if (!pp->sql || !pp->types) {
        prep_free(pp);
        return NULL;
    }
    /* names are never reused: entries stay until the connection closes */
    snprintf(pp->name, sizeof pp->name, "pvs_%d", pc->nprep);
    for (int i = 0; i < st->nparams; i++)
        pp->types[i] = st->values[i] ? st->types[i] : 0;
    PGresult *res = PQprepare(pc->c, pp->name, st->sql, st->nparams, pp->types);
    bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    PQclear(res);
    if (!ok) {
        prep_free(pp);
        return NULL;
    }
    pc->nprep++;
    return pp;
}

/* One run: prepared on the server when the statement is being rebound (or an earlier one
 * with the same text was), otherwise parsed and planned for this run alone. */
static PGresult *execute(struct pg_stmt *st)
{
    const struct pg_prep *pp = prep_find(st);
    if (!pp && st->rerun)
        pp = prep_add(st);
    if (pp)
        return PQexecPrepared(st->pc->c, pp->name, st->nparams,
                              (const char *const *)st->values, st->lengths, st->formats, 0);
    return PQexecParams(st->pc->c, st->sql, st->nparams, st->types,
                        (const char *const *)st->values, st->lengths, st->formats, 0);
}

static int pg_step(void *bst)
{
    struct pg_stmt *st = bst;
    if (!st->ran) {
        st->ran = true;
        st->res = execute(st);
        ExecStatusType s = PQresultStatus(st->res);
        if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK) {
            int rc = fail(st->pc, st->res, NULL);
            PQclear(st->res);
            st->res = NULL;
            return rc;
        }
        note_changes(st->pc, st->res);
        st->nrows = s == PGRES_TUPLES_OK ? PQntuples(st->res) : 0;
        st->row = -1;
    }
    if (!st->res)
        return PVS_DB_MISUSE;
    free_blobs(st);
    if (st->row + 1 < st->nrows) {
        st->row++;
        return PVS_DB_ROW;
    }
    st->row = st->nrows;
    return PVS_DB_DONE;
}

static int pg_reset(void *bst)
{
    struct pg_stmt *st = bst;
    PQclear(st->res);
    st->res = NULL;
    free_blobs(st);
    st->ran = false;
    st->rerun = true;
    return PVS_DB_OK;
}

static bool in_row(const struct pg_stmt *st, int col)
{
    return st->res && st->row >= 0 && st->row < st->nrows && col >= 0 && col < PQnfields(st->res);
}

static int pg_col_count(void *bst)
{
    struct pg_stmt *st = bst;
    return st->res ? PQnfields(st->res) : 0;
}

static bool pg_col_is_null(void *bst, int col)
{
    struct pg_stmt *st = bst;
    return !in_row(st, col) || PQgetisnull(st->res, st->row, col);
}

static int64_t pg_col_i64(void *bst, int col)
{
    struct pg_stmt *st = bst;
    if (pg_col_is_null(bst, col))
        return 0;
    const char *v = PQgetvalue(st->res, st->row, col);
    if (PQftype(st->res, col) == OID_BOOL)
        return v[0] == 't';
    return strtoll(v, NULL, 10);
}

static const char *pg_col_text(void *bst, int col)
{
    struct pg_stmt *st = bst;
    if (pg_col_is_null(bst, col))
        return NULL;
    return PQgetvalue(st->res, st->row, col);
}

static const void *pg_col_blob(void *bst, int col, size_t *len)
{
    struct pg_stmt *st = bst;
    *len = 0;
    if (pg_col_is_null(bst, col))
        return NULL;
    const char *v = PQgetvalue(st->res, st->row, col);
    if (PQftype(st->res, col) != OID_BYTEA) {
        *len = (size_t)PQgetlength(st->res, st->row, col);
        return v;
    }
    if (col >= st->nblobs) {
        int n = PQnfields(st->res);
        unsigned char **b = calloc((size_t)n, sizeof *b);
        size_t *l = calloc((size_t)n, sizeof *l);
        if (!b || !l) {
            free(b);
            free(l);
            return NULL;
        }
        free_blobs(st);
        free(st->blobs);
        free(st->blob_lens);
        st->blobs = b;
        st->blob_lens = l;
        st->nblobs = n;
    }
    if (!st->blobs[col])
        st->blobs[col] = PQunescapeBytea((const unsigned char *)v, &st->blob_lens[col]);
    *len = st->blobs[col] ? st->blob_lens[col] : 0;
    return st->blobs[col];
}

static void pg_finalize(void *bst)
{
    struct pg_stmt *st = bst;
    if (!st)
        return;
    PQclear(st->res);
    free_blobs(st);
    free(st->blobs);
    free(st->blob_lens);
    for (int i = 0; st->values && i < st->nparams; i++)
        free(st->values[i]);
    free(st->values);
    free(st->types);
    free(st->lengths);
    free(st->formats);
    free(st->sql);
    free(st);
}

static int64_t pg_changes(void *be)
{
    return ((struct pg_conn *)be)->changes;
}

static const char *pg_errmsg(void *be)
{
    struct pg_conn *pc = be;
    return pc ? pc->err : "no connection";
}

const struct pvs_db_ops pvs_postgres_ops = {
    .name = "postgresql",
    .open = pg_open,
    .close = pg_close,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .exec_script = pg_script,
    .prepare = pg_prepare,
    .bind = pg_bind,
    .step = pg_step,
    .col_count = pg_col_count,
    .col_is_null = pg_col_is_null,
    .col_i64 = pg_col_i64,
    .col_text = pg_col_text,
    .col_blob = pg_col_blob,
    .finalize = pg_finalize,
    .reset = pg_reset,
    .changes = pg_changes,
    .errmsg = pg_errmsg,
    .pk_type = "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", /* ids never reused */
    .blob_type = "BYTEA",
};
