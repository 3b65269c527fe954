/* The table copier behind `portvakt-server migrate`: which tables a SQLite store holds and
 * their PostgreSQL twins, parents before children (foreign keys), every row copied in
 * multi-row INSERTs with its stored type checked, id sequences carried over, and an
 * order-free digest of each table computed on the way in and again on the way back. */
#include "store_copy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#define BATCH_PARAMS 16000 /* bound parameters per INSERT (PostgreSQL allows 65,535) */
#define BATCH_ROWS 500     /* rows per INSERT: few round trips, statements of bounded size */
#define FETCH_ROWS "5000"  /* rows per FETCH when reading a table back: bounded memory */

/* Identifiers come from the source file's catalogue: only [a-z0-9_] reaches SQL text. */
static bool plain_name(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n >= PVS_COPY_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return false;
    return true;
}

/* The column names a one-column query returns, into names[] (at most max). */
static int names_of(pvs_db *db, const char *sql, const char *arg, char (*names)[PVS_COPY_NAME_MAX],
                    int max, int *n)
{
    pvs_stmt st;
    int rc = arg ? pvs_query(db, &st, sql, PVS_ARGS(PVS_TEXT(arg)))
                 : pvs_query(db, &st, sql, PVS_NOARGS);
    *n = 0;
    while (rc == PVS_DB_OK && (rc = pvs_next(&st)) == PVS_DB_ROW) {
        const char *s = pvs_col_text(&st, 0);
        if (*n >= max || !plain_name(s)) {
            rc = PVS_DB_MISUSE;
            break;
        }
        snprintf(names[(*n)++], PVS_COPY_NAME_MAX, "%s", s);
        rc = PVS_DB_OK;
    }
    if (rc != PVS_DB_OK)
        pvs_finalize(&st);
    return rc == PVS_DB_DONE ? PVS_DB_OK : rc;
}

static int find_name(char (*names)[PVS_COPY_NAME_MAX], int n, const char *s)
{
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], s) == 0)
            return i;
    return -1;
}

/* Columns of one table: names from both sides, kinds from the target's types. */
static int plan_columns(pvs_db *src, pvs_db *dst, struct pvs_copy_table *t, char *err, size_t cap)
{
    static char scol[PVS_COPY_COLS_MAX][PVS_COPY_NAME_MAX], types[PVS_COPY_COLS_MAX][PVS_COPY_NAME_MAX];
    int ns = 0, nt = 0;
    int rc = names_of(src, "SELECT name FROM pragma_table_info(?) ORDER BY cid", t->name, scol,
                      PVS_COPY_COLS_MAX, &ns);
    if (rc == PVS_DB_OK)
        rc = names_of(dst, "SELECT column_name FROM information_schema.columns WHERE table_schema"
                           " = current_schema() AND table_name = ? ORDER BY ordinal_position",
                      t->name, t->col, PVS_COPY_COLS_MAX, &t->ncols);
    if (rc == PVS_DB_OK)
        rc = names_of(dst, "SELECT replace(data_type, ' ', '_') FROM information_schema.columns"
                           " WHERE table_schema = current_schema() AND table_name = ?"
                           " ORDER BY ordinal_position", t->name, types, PVS_COPY_COLS_MAX, &nt);
    if (rc != PVS_DB_OK || nt != t->ncols) {
        snprintf(err, cap, "cannot read the columns of table %s", t->name);
        return rc != PVS_DB_OK ? rc : PVS_DB_ERROR;
    }
    bool same = ns == t->ncols;
    for (int i = 0; same && i < ns; i++)
        same = find_name(t->col, t->ncols, scol[i]) >= 0;
    if (!same) {
        snprintf(err, cap, "table %s has other columns in the source than in the target", t->name);
        return PVS_DB_MISUSE;
    }
    for (int i = 0; i < nt; i++) {
        if (strcmp(types[i], "bigint") == 0 || strcmp(types[i], "integer") == 0 ||
            strcmp(types[i], "smallint") == 0)
            t->kind[i] = PVS_COPY_INT;
        else if (strcmp(types[i], "text") == 0 || strcmp(types[i], "character_varying") == 0)
            t->kind[i] = PVS_COPY_TEXT;
        else if (strcmp(types[i], "bytea") == 0)
            t->kind[i] = PVS_COPY_BLOB;
        else {
            snprintf(err, cap, "column %s.%s has a type the copier does not know (%s)", t->name,
                     t->col[i], types[i]);
            return PVS_DB_MISUSE;
        }
    }
    return PVS_DB_OK;
}

/* ORDER BY the primary key (ids ascending keep rows that point at earlier rows of the same
 * table behind them), or by rowid. */
static int plan_order(pvs_db *src, struct pvs_copy_table *t)
{
    char pk[PVS_COPY_COLS_MAX][PVS_COPY_NAME_MAX];
    int n = 0;
    int rc = names_of(src, "SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk",
                      t->name, pk, PVS_COPY_COLS_MAX, &n);
    if (rc != PVS_DB_OK)
        return rc;
    size_t used = (size_t)snprintf(t->order_by, sizeof t->order_by, "%s", n ? "" : "rowid");
    for (int i = 0; i < n; i++)
        used += (size_t)snprintf(t->order_by + used, sizeof t->order_by - used, "%s\"%s\"",
                                 i ? ", " : "", pk[i]);
    return PVS_DB_OK;
}

/* Kahn's order over the source's foreign keys (a table's references to itself ignored). */
static int plan_sort(pvs_db *src, struct pvs_copy_plan *p, char *err, size_t cap)
{
    static struct pvs_copy_table sorted[PVS_COPY_TABLES_MAX];
    static char deps[PVS_COPY_TABLES_MAX][PVS_COPY_COLS_MAX][PVS_COPY_NAME_MAX];
    int ndeps[PVS_COPY_TABLES_MAX], placed = 0;
    bool done[PVS_COPY_TABLES_MAX] = {false};
    for (int i = 0; i < p->n; i++)
        if (names_of(src, "SELECT DISTINCT \"table\" FROM pragma_foreign_key_list(?)", p->t[i].name,
                     deps[i], PVS_COPY_COLS_MAX, &ndeps[i]) != PVS_DB_OK) {
            snprintf(err, cap, "cannot read the foreign keys of table %s", p->t[i].name);
            return PVS_DB_ERROR;
        }
    for (bool moved = true; moved && placed < p->n;) {
        moved = false;
        for (int i = 0; i < p->n; i++) {
            bool ready = !done[i];
            for (int d = 0; ready && d < ndeps[i]; d++)
                for (int j = 0; j < p->n; j++)
                    if (j != i && !done[j] && strcmp(p->t[j].name, deps[i][d]) == 0)
                        ready = false;
            if (ready) {
                sorted[placed++] = p->t[i];
                done[i] = moved = true;
            }
        }
    }
    if (placed < p->n) {
        snprintf(err, cap, "the tables' foreign keys form a cycle; no order to copy them in");
        return PVS_DB_MISUSE;
    }
    memcpy(p->t, sorted, sizeof p->t[0] * (size_t)p->n);
    return PVS_DB_OK;
}

int pvs_copy_plan_make(pvs_db *src, pvs_db *dst, struct pvs_copy_plan *p, char *err, size_t cap)
{
    static char names[PVS_COPY_TABLES_MAX][PVS_COPY_NAME_MAX];
    int nd = 0;
    memset(p, 0, sizeof *p);
    int rc = names_of(dst, "SELECT table_name FROM information_schema.tables WHERE table_schema ="
                           " current_schema() AND table_type = 'BASE TABLE' AND table_name <>"
                           " 'schema_migrations'", NULL, names, PVS_COPY_TABLES_MAX, &nd);
    if (rc == PVS_DB_OK) {
        static char sn[PVS_COPY_TABLES_MAX][PVS_COPY_NAME_MAX];
        rc = names_of(src, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE"
                           " 'sqlite!_%' ESCAPE '!' AND name <> 'schema_migrations' ORDER BY name",
                      NULL, sn, PVS_COPY_TABLES_MAX, &p->n);
        for (int i = 0; rc == PVS_DB_OK && i < p->n; i++)
            memcpy(p->t[i].name, sn[i], sizeof p->t[i].name);
    }
    if (rc != PVS_DB_OK) {
        snprintf(err, cap, "cannot list the tables (%s)", pvs_db_rcname(rc));
        return rc;
    }
    for (int i = 0; i < p->n; i++)
        if (find_name(names, nd, p->t[i].name) < 0) {
            snprintf(err, cap, "table %s is in the source but not in the target", p->t[i].name);
            return PVS_DB_MISUSE;
        }
    if (nd != p->n) {
        snprintf(err, cap, "the target has %d tables, the source %d", nd, p->n);
        return PVS_DB_MISUSE;
    }
    for (int i = 0; i < p->n; i++) {
        if ((rc = plan_columns(src, dst, &p->t[i], err, cap)) != PVS_DB_OK)
            return rc;
        if ((rc = plan_order(src, &p->t[i])) != PVS_DB_OK) {
            snprintf(err, cap, "cannot read the primary key of table %s", p->t[i].name);
            return rc;
        }
    }
    return plan_sort(src, p, err, cap);
}

/* The single-row tables a fresh schema seeds (the audit chain's head, the rights
 * generation counter): their row is the migration's, not data, and is replaced. */
static bool seeded_table(const char *name)
{
    return strcmp(name, "audit_head") == 0 || strcmp(name, "rights_generation") == 0;
}

int pvs_copy_target_empty(pvs_db *dst, struct pvs_copy_plan *p, const char **table, int64_t *rows)
{
    for (int i = 0; i < p->n; i++) {
        char sql[160];
        int64_t n = 0;
        snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM \"%s\"", p->t[i].name);
        int rc = pvs_query_i64(dst, sql, PVS_NOARGS, &n);
        if (rc != PVS_DB_OK)
            return rc;
        p->t[i].seeded = seeded_table(p->t[i].name) && n <= 1;
        if (n > 0 && !p->t[i].seeded) {
            *table = p->t[i].name;
            *rows = n;
            return 1;
        }
    }
    return 0;
}

/* ------------------------------------------------------------------ digests */

/* One value into a row hash: a type tag, then the integer or the length and the bytes, so
 * no two different rows encode alike. */
static void hash_value(crypto_generichash_state *h, int tag, int64_t i, const void *p, size_t n)
{
    uint8_t head[9] = {(uint8_t)tag};
    uint64_t v = tag == PVS_COPY_INT ? (uint64_t)i : (uint64_t)n;
    for (int b = 0; b < 8; b++)
        head[1 + b] = (uint8_t)(v >> (8 * b));
    crypto_generichash_update(h, head, sizeof head);
    if (tag != PVS_COPY_INT && n)
        crypto_generichash_update(h, p, n);
}

/* The table digest is the sum of its row hashes (four 64-bit lanes): the same multiset of
 * rows gives the same digest whatever order either database returns them in. */
static void digest_add(uint8_t digest[32], crypto_generichash_state *h)
{
    uint8_t row[32];
    crypto_generichash_final(h, row, sizeof row);
    for (int lane = 0; lane < 4; lane++) {
        uint64_t a = 0, b = 0;
        for (int k = 0; k < 8; k++) {
            a |= (uint64_t)digest[lane * 8 + k] << (8 * k);
            b |= (uint64_t)row[lane * 8 + k] << (8 * k);
        }
        a += b;
        for (int k = 0; k < 8; k++)
            digest[lane * 8 + k] = (uint8_t)(a >> (8 * k));
    }
}

/* Column c of the current row into the row hash, read as its kind; 0 for SQL NULL (tag 3). */
static void hash_column(crypto_generichash_state *h, pvs_stmt *st, int c, enum pvs_copy_kind k)
{
    size_t n = 0;
    if (pvs_col_is_null(st, c))
        hash_value(h, 3, 0, NULL, 0);
    else if (k == PVS_COPY_INT)
        hash_value(h, k, pvs_col_i64(st, c), NULL, 0);
    else if (k == PVS_COPY_TEXT) {
        const char *s = pvs_col_text(st, c);
        hash_value(h, k, 0, s, strlen(s));
    } else {
        const void *b = pvs_col_blob(st, c, &n);
        hash_value(h, k, 0, b, n);
    }
}

int pvs_copy_readback(pvs_db *dst, const struct pvs_copy_table *t, int64_t *rows, uint8_t digest[32])
{
    char sql[PVS_COPY_COLS_MAX * (PVS_COPY_NAME_MAX + 4) + 200];
    size_t used = (size_t)snprintf(sql, sizeof sql, "DECLARE pvs_copy_back NO SCROLL CURSOR FOR SELECT ");
    for (int c = 0; c < t->ncols; c++)
        used += (size_t)snprintf(sql + used, sizeof sql - used, "%s\"%s\"", c ? ", " : "", t->col[c]);
    snprintf(sql + used, sizeof sql - used, " FROM \"%s\"", t->name);
    *rows = 0;
    memset(digest, 0, 32);
    int64_t got = pvs_exec(dst, sql, PVS_NOARGS);
    int rc = got < 0 ? (int)got : PVS_DB_OK;
    for (int64_t batch = 1; rc == PVS_DB_OK && batch > 0;) {
        pvs_stmt st;
        batch = 0;
        rc = pvs_query(dst, &st, "FETCH " FETCH_ROWS " FROM pvs_copy_back", PVS_NOARGS);
        while (rc == PVS_DB_OK && (rc = pvs_next(&st)) == PVS_DB_ROW) {
            crypto_generichash_state h;
            crypto_generichash_init(&h, NULL, 0, 32);
            for (int c = 0; c < t->ncols; c++)
                hash_column(&h, &st, c, t->kind[c]);
            digest_add(digest, &h);
            batch++;
            rc = PVS_DB_OK;
        }
        pvs_finalize(&st);
        rc = rc == PVS_DB_DONE ? PVS_DB_OK : rc;
        *rows += batch;
    }
    int64_t closed = pvs_exec(dst, "CLOSE pvs_copy_back", PVS_NOARGS);
    return rc != PVS_DB_OK ? rc : closed < 0 ? (int)closed : PVS_DB_OK;
}

/* ------------------------------------------------------------------ the copy */

/* Rows waiting for one multi-row INSERT: parameters whose text and bytes live in one arena
 * (offsets kept until the flush, as the arena may move when it grows). */
struct batch {
    struct pvs_param *p;
    size_t *off;
    size_t np, cap_p;
    char *arena;
    size_t used, cap;
    int rows;
};

static int batch_push(struct batch *b, struct pvs_param v)
{
    if (b->np == b->cap_p) {
        size_t cap = b->cap_p ? b->cap_p * 2 : 1024;
        struct pvs_param *p = realloc(b->p, cap * sizeof *p);
        size_t *off = p ? realloc(b->off, cap * sizeof *off) : NULL;
        if (p)
            b->p = p;
        if (!off)
            return PVS_DB_ERROR;
        b->off = off;
        b->cap_p = cap;
    }
    if (v.type == PVS_PT_TEXT || v.type == PVS_PT_BLOB) {
        if (b->used + v.len + 1 > b->cap) {
            size_t cap = (b->used + v.len + 1) * 2;
            char *a = realloc(b->arena, cap);
            if (!a)
                return PVS_DB_ERROR;
            b->arena = a;
            b->cap = cap;
        }
        if (v.len)
            memcpy(b->arena + b->used, v.p, v.len);
        b->off[b->np] = b->used;
        b->used += v.len;
    }
    b->p[b->np++] = v;
    return PVS_DB_OK;
}

static int batch_flush(pvs_db *dst, const struct pvs_copy_table *t, struct batch *b)
{
    if (b->rows == 0)
        return PVS_DB_OK;
    size_t row_len = (size_t)t->ncols * 2 + 4, cap = 200 + (size_t)b->rows * row_len +
                     (size_t)t->ncols * (PVS_COPY_NAME_MAX + 4);
    char *sql = malloc(cap);
    if (!sql)
        return PVS_DB_ERROR;
    size_t used = (size_t)snprintf(sql, cap, "INSERT INTO \"%s\" (", t->name);
    for (int c = 0; c < t->ncols; c++)
        used += (size_t)snprintf(sql + used, cap - used, "%s\"%s\"", c ? ", " : "", t->col[c]);
    used += (size_t)snprintf(sql + used, cap - used, ") VALUES ");
    for (int r = 0; r < b->rows; r++) {
        sql[used++] = r ? ',' : ' ';
        sql[used++] = '(';
        for (int c = 0; c < t->ncols; c++) {
            if (c)
                sql[used++] = ',';
            sql[used++] = '?';
        }
        sql[used++] = ')';
    }
    sql[used] = '\0';
    for (size_t i = 0; i < b->np; i++)
        if (b->p[i].type == PVS_PT_TEXT || b->p[i].type == PVS_PT_BLOB)
            b->p[i].p = b->arena + b->off[i];
    int64_t rc = pvs_exec(dst, sql, b->p, b->np);
    free(sql);
    b->np = b->used = 0;
    b->rows = 0;
    return rc < 0 ? (int)rc : PVS_DB_OK;
}

/* SQLite's storage class each kind must have: anything else is refused, not converted. */
static const char *const STORED_AS[] = {"integer", "text", "blob"};

/* Column c of the source row (value at 2c, its typeof at 2c+1) into the batch and hash. */
static int take_column(pvs_stmt *st, const struct pvs_copy_table *t, int c, struct batch *b,
                       crypto_generichash_state *h)
{
    const char *type = pvs_col_text(st, 2 * c + 1);
    if (type && strcmp(type, "null") == 0) {
        hash_value(h, 3, 0, NULL, 0);
        return batch_push(b, PVS_NULL);
    }
    if (!type || strcmp(type, STORED_AS[t->kind[c]]) != 0)
        return PVS_DB_CONSTRAINT;
    hash_column(h, st, 2 * c, t->kind[c]);
    size_t n = 0;
    if (t->kind[c] == PVS_COPY_INT)
        return batch_push(b, PVS_I64(pvs_col_i64(st, 2 * c)));
    if (t->kind[c] == PVS_COPY_TEXT) {
        const char *s = pvs_col_text(st, 2 * c);
        return batch_push(b, PVS_TEXTN(s, strlen(s)));
    }
    const void *blob = pvs_col_blob(st, 2 * c, &n);
    return batch_push(b, PVS_BLOB(blob, n));
}

/* Every id sequence of the target's table past the highest id the source ever gave out
 * (sqlite_sequence remembers ids of rows since deleted: ids are never reused). */
static int carry_sequences(pvs_db *src, pvs_db *dst, const struct pvs_copy_table *t)
{
    static char idcols[PVS_COPY_COLS_MAX][PVS_COPY_NAME_MAX];
    int n = 0;
    int rc = names_of(dst, "SELECT column_name FROM information_schema.columns WHERE table_schema"
                           " = current_schema() AND table_name = ? AND is_identity = 'YES'",
                      t->name, idcols, PVS_COPY_COLS_MAX, &n);
    for (int i = 0; rc == PVS_DB_OK && i < n; i++) {
        int64_t seq = 0, set = 0;
        rc = pvs_query_i64(src, "SELECT seq FROM sqlite_sequence WHERE name = ?",
                           PVS_ARGS(PVS_TEXT(t->name)), &seq);
        if (rc == PVS_DB_NOTFOUND)
            rc = PVS_DB_OK;
        char sql[800];
        snprintf(sql, sizeof sql, "SELECT setval(pg_get_serial_sequence('\"%.63s\"', '%.63s'),"
                                  " GREATEST(?, COALESCE(MAX(\"%.63s\"), 0), 1),"
                                  " GREATEST(?, COALESCE(MAX(\"%.63s\"), 0)) > 0) FROM \"%.63s\"",
                 t->name, idcols[i], idcols[i], idcols[i], t->name);
        if (rc == PVS_DB_OK)
            rc = pvs_query_i64(dst, sql, PVS_ARGS(PVS_I64(seq), PVS_I64(seq)), &set);
    }
    return rc;
}

static int copy_rows(pvs_db *src, pvs_db *dst, struct pvs_copy_table *t, struct batch *b,
                     int *bad_col)
{
    char sql[PVS_COPY_COLS_MAX * (2 * PVS_COPY_NAME_MAX + 20) + sizeof t->order_by + 100];
    size_t used = (size_t)snprintf(sql, sizeof sql, "SELECT ");
    for (int c = 0; c < t->ncols; c++)
        used += (size_t)snprintf(sql + used, sizeof sql - used, "%s\"%s\", typeof(\"%s\")",
                                 c ? ", " : "", t->col[c], t->col[c]);
    snprintf(sql + used, sizeof sql - used, " FROM \"%s\" ORDER BY %s", t->name, t->order_by);
    int per_batch = BATCH_PARAMS / t->ncols < BATCH_ROWS ? BATCH_PARAMS / t->ncols : BATCH_ROWS;
    pvs_stmt st;
    int rc = pvs_query(src, &st, sql, PVS_NOARGS);
    while (rc == PVS_DB_OK && (rc = pvs_next(&st)) == PVS_DB_ROW) {
        crypto_generichash_state h;
        crypto_generichash_init(&h, NULL, 0, 32);
        rc = PVS_DB_OK;
        for (int c = 0; rc == PVS_DB_OK && c < t->ncols; c++)
            if ((rc = take_column(&st, t, c, b, &h)) == PVS_DB_CONSTRAINT)
                *bad_col = c;
        digest_add(t->digest, &h);
        t->rows++;
        if (rc == PVS_DB_OK && ++b->rows >= per_batch)
            rc = batch_flush(dst, t, b);
    }
    if (rc != PVS_DB_OK)
        pvs_finalize(&st);
    return rc == PVS_DB_DONE ? batch_flush(dst, t, b) : rc;
}

int pvs_copy_table(pvs_db *src, pvs_db *dst, struct pvs_copy_table *t, char *err, size_t cap)
{
    char sql[120];
    int bad_col = -1;
    struct batch b = {0};
    t->rows = 0;
    memset(t->digest, 0, sizeof t->digest);
    snprintf(sql, sizeof sql, "DELETE FROM \"%s\"", t->name);
    int64_t del = t->seeded ? pvs_exec(dst, sql, PVS_NOARGS) : 0;
    int rc = del < 0 ? (int)del : copy_rows(src, dst, t, &b, &bad_col);
    if (rc == PVS_DB_OK)
        rc = carry_sequences(src, dst, t);
    free(b.p);
    free(b.off);
    free(b.arena);
    if (rc == PVS_DB_CONSTRAINT && bad_col >= 0)
        snprintf(err, cap, "table %.64s, row %lld: column %.64s holds a value of another type than"
                           " the column's; nothing was converted", t->name, (long long)t->rows,
                 t->col[bad_col]);
    else if (rc != PVS_DB_OK)
        snprintf(err, cap, "table %s, near row %lld (%s): %.200s / %.200s", t->name,
                 (long long)t->rows, pvs_db_rcname(rc), pvs_db_errmsg(src), pvs_db_errmsg(dst));
    return rc;
}
