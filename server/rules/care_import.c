/* Decodes a care-planning import file (see care_import.h): CSV lines or JSON records into
 * checked rows; every refusal names its line. */
#include "care_import.h"

#include <stdlib.h>
#include <string.h>

#include "calendar.h"

#define FIELD_CAP 256 /* longer than any column allows: "too long", not truncated */

const char *const pvs_imp_field_names[PVS_IMP_NFIELDS] = {"record",    "alarm_code", "address",
                                                           "apartment", "provider",   "date"};
static const size_t field_max[PVS_IMP_NFIELDS] = {
    16, PVS_IMP_ALARM_MAX, PVS_IMP_ADDRESS_MAX, PVS_IMP_APARTMENT_MAX, PVS_IMP_PROVIDER_MAX, 10};

/* One decoded line: the fields as text (NUL terminated) and their lengths. */
typedef struct fields {
    char v[PVS_IMP_NFIELDS][FIELD_CAP];
    size_t len[PVS_IMP_NFIELDS];
} fields;

void pvs_imp_add_error(pvs_imp_file *f, uint32_t line, pvs_imp_err code, int field,
                       const pvs_imp_row *row)
{
    f->errors_total++;
    if (f->nerrors >= PVS_IMP_MAX_ERRORS)
        return;
    pvs_imp_error *e = &f->errors[f->nerrors++];
    memset(e, 0, sizeof *e);
    e->line = line;
    e->code = code;
    e->field = field;
    if (row) {
        memcpy(e->alarm_code, row->alarm_code, sizeof e->alarm_code);
        memcpy(e->address, row->address, sizeof e->address);
    }
}

/* Strict UTF-8: shortest forms only, no surrogates, nothing above U+10FFFF. */
static bool utf8_ok(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i], need, min;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF)
            need = 1, min = 0x80;
        else if (c >= 0xE0 && c <= 0xEF)
            need = 2, min = 0x800;
        else if (c >= 0xF0 && c <= 0xF4)
            need = 3, min = 0x10000;
        else
            return false;
        if (n - i <= need)
            return false;
        unsigned cp = c & (0x3Fu >> need);
        for (unsigned k = 1; k <= need; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
            cp = cp << 6 | (s[i + k] & 0x3Fu);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += need + 1;
    }
    return true;
}

static bool has_control(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < 0x20 || s[i] == 0x7F)
            return true;
    return false;
}

/* A spreadsheet reads a cell starting with one of these as a formula (=cmd|...). */
static bool formula_start(const char *s, size_t n)
{
    return n > 0 && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@');
}

/* Alarm codes are the alarm centre's references: letters, digits and a few separators,
 * nothing that needs escaping in a report, an audit entry or a spreadsheet. */
static bool alarm_chars_ok(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == ' ' || c == '-' || c == '_' || c == '.' || c == '/' || c == ':'))
            return false;
    }
    return true;
}

static void copy_field(char *dst, size_t cap, const fields *fl, int i)
{
    size_t n = fl->len[i] < cap - 1 ? fl->len[i] : cap - 1;
    memcpy(dst, fl->v[i], n);
    dst[n] = '\0';
}

/* Safe to repeat in a report or on a terminal: whole, valid UTF-8, no control bytes. */
static bool printable(const fields *fl, int i)
{
    const unsigned char *s = (const unsigned char *)fl->v[i];
    return fl->len[i] <= field_max[i] && utf8_ok(s, fl->len[i]) && !has_control(s, fl->len[i]);
}

/* The text checks every field passes; the row keeps what was readable for the report. */
static bool text_checks(pvs_imp_file *f, uint32_t line, const fields *fl, const pvs_imp_row *row)
{
    for (int i = 0; i < PVS_IMP_NFIELDS; i++) {
        const unsigned char *s = (const unsigned char *)fl->v[i];
        /* length first: a field cut at FIELD_CAP may end inside a character */
        pvs_imp_err code = fl->len[i] > field_max[i]              ? PVS_IMPE_LONG
                           : !utf8_ok(s, fl->len[i])              ? PVS_IMPE_UTF8
                           : has_control(s, fl->len[i])           ? PVS_IMPE_CONTROL
                           : formula_start(fl->v[i], fl->len[i]) ? PVS_IMPE_FORMULA
                                                                  : 0;
        if (code) {
            pvs_imp_add_error(f, line, code, i, row);
            return false;
        }
    }
    return true;
}

/* Checks one line's fields and appends the row; a refusal is recorded instead. */
static void take_fields(pvs_imp_file *f, uint32_t line, const fields *fl)
{
    pvs_imp_row row = {.line = line};
    if (printable(fl, PVS_IMP_F_ALARM))
        copy_field(row.alarm_code, sizeof row.alarm_code, fl, PVS_IMP_F_ALARM);
    if (printable(fl, PVS_IMP_F_ADDRESS))
        copy_field(row.address, sizeof row.address, fl, PVS_IMP_F_ADDRESS);
    if (!text_checks(f, line, fl, &row))
        return;
    if (!alarm_chars_ok(fl->v[PVS_IMP_F_ALARM], fl->len[PVS_IMP_F_ALARM])) {
        pvs_imp_add_error(f, line, PVS_IMPE_ALARM_CHARS, PVS_IMP_F_ALARM, &row);
        return;
    }
    const char *rec = fl->v[PVS_IMP_F_RECORD];
    if (strcmp(rec, "recipient") == 0)
        row.record = PVS_IMP_RECIPIENT;
    else if (strcmp(rec, "provider_change") == 0)
        row.record = PVS_IMP_PROVIDER_CHANGE;
    else {
        pvs_imp_add_error(f, line, PVS_IMPE_RECORD, PVS_IMP_F_RECORD, &row);
        return;
    }
    static const int required[] = {PVS_IMP_F_ALARM, PVS_IMP_F_PROVIDER};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
        if (fl->len[required[i]] == 0) {
            pvs_imp_add_error(f, line, PVS_IMPE_MISSING, required[i], &row);
            return;
        }
    if (row.record == PVS_IMP_RECIPIENT && fl->len[PVS_IMP_F_ADDRESS] == 0) {
        pvs_imp_add_error(f, line, PVS_IMPE_MISSING, PVS_IMP_F_ADDRESS, &row);
        return;
    }
    if (row.record == PVS_IMP_PROVIDER_CHANGE && fl->len[PVS_IMP_F_DATE] == 0) {
        pvs_imp_add_error(f, line, PVS_IMPE_MISSING, PVS_IMP_F_DATE, &row);
        return;
    }
    copy_field(row.apartment, sizeof row.apartment, fl, PVS_IMP_F_APARTMENT);
    copy_field(row.provider, sizeof row.provider, fl, PVS_IMP_F_PROVIDER);
    copy_field(row.date, sizeof row.date, fl, PVS_IMP_F_DATE);
    if (row.date[0] && (fl->len[PVS_IMP_F_DATE] != 10 || pvs_date_parse(row.date, &row.day) != PV_OK)) {
        pvs_imp_add_error(f, line, PVS_IMPE_DATE, PVS_IMP_F_DATE, &row);
        return;
    }
    f->rows[f->nrows++] = row;
}

/* ------------------------------------------------------------------ CSV */

/* Splits one line (no newline) into fields. Returns 0, or the error code. */
static pvs_imp_err split_line(const char *s, size_t n, char sep, fields *fl, size_t *count)
{
    size_t i = 0, k = 0;
    memset(fl->len, 0, sizeof fl->len);
    for (;;) {
        if (k >= PVS_IMP_NFIELDS)
            return PVS_IMPE_COLUMNS;
        char *out = fl->v[k];
        size_t w = 0;
        bool quoted = i < n && s[i] == '"';
        if (quoted) {
            for (i++;; i++) {
                if (i >= n)
                    return PVS_IMPE_QUOTE;
                if (s[i] == '"' && (i + 1 >= n || s[i + 1] != '"'))
                    break;
                if (s[i] == '"')
                    i++;
                if (w < FIELD_CAP - 1)
                    out[w] = s[i];
                w++;
            }
            i++;
            if (i < n && s[i] != sep)
                return PVS_IMPE_QUOTE;
        } else {
            for (; i < n && s[i] != sep; i++) {
                if (s[i] == '"')
                    return PVS_IMPE_QUOTE;
                if (w < FIELD_CAP - 1)
                    out[w] = s[i];
                w++;
            }
        }
        out[w < FIELD_CAP - 1 ? w : FIELD_CAP - 1] = '\0';
        fl->len[k++] = w < FIELD_CAP - 1 ? w : FIELD_CAP; /* FIELD_CAP: surely too long */
        if (i >= n)
            break;
        i++; /* the separator */
    }
    *count = k;
    return k == PVS_IMP_NFIELDS ? 0 : PVS_IMPE_COLUMNS;
}

/* The header names the columns exactly; its separator is the file's. */
static bool header_ok(const char *s, size_t n, char *sep)
{
    static const char want[] = "record;alarm_code;address;apartment;provider;date";
    if (n != sizeof want - 1)
        return false;
    *sep = s[6];
    if (*sep != ';' && *sep != ',')
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] != (want[i] == ';' ? *sep : want[i]))
            return false;
    return true;
}

void pvs_imp_parse_csv(const char *buf, size_t len, pvs_imp_file *f)
{
    fields *fl = f->scratch;
    size_t pos = 0;
    char sep = ';';
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        pos = 3; /* the byte-order mark a spreadsheet writes */
    for (uint32_t line = 1; pos < len; line++) {
        const char *nl = memchr(buf + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - buf) : len, n = end - pos;
        const char *s = buf + pos;
        pos = end + 1;
        if (n && s[n - 1] == '\r')
            n--;
        if (line == 1) {
            if (!header_ok(s, n, &sep)) {
                pvs_imp_add_error(f, 1, PVS_IMPE_HEADER, -1, NULL);
                return;
            }
            continue;
        }
        if (n == 0)
            continue; /* blank lines (a trailing one) carry nothing */
        if (f->nrows + f->errors_total >= PVS_IMP_MAX_ROWS) {
            pvs_imp_add_error(f, 0, PVS_IMPE_TOO_MANY, -1, NULL);
            return;
        }
        size_t count = 0;
        pvs_imp_err e = split_line(s, n, sep, fl, &count);
        if (e)
            pvs_imp_add_error(f, line, e, -1, NULL);
        else
            take_fields(f, line, fl);
    }
}

/* ------------------------------------------------------------------ records */

void pvs_imp_take_record(pvs_imp_file *f, uint32_t line, const char *const v[PVS_IMP_NFIELDS],
                         const size_t len[PVS_IMP_NFIELDS])
{
    fields *fl = f->scratch;
    for (int i = 0; i < PVS_IMP_NFIELDS; i++) {
        size_t n = v[i] ? len[i] : 0;
        size_t keep = n < FIELD_CAP - 1 ? n : FIELD_CAP - 1;
        if (keep)
            memcpy(fl->v[i], v[i], keep);
        fl->v[i][keep] = '\0';
        fl->len[i] = n < FIELD_CAP - 1 ? n : FIELD_CAP; /* FIELD_CAP: surely too long */
        if (v[i] && memchr(v[i], '\0', n)) { /* JSON's "\u0000" */
            pvs_imp_add_error(f, line, PVS_IMPE_CONTROL, i, NULL);
            return;
        }
    }
    take_fields(f, line, fl);
}

bool pvs_imp_begin(const char *buf, size_t len, pvs_imp_file *out)
{
    memset(out, 0, sizeof *out);
    if (len > PVS_IMP_MAX_BYTES) {
        pvs_imp_add_error(out, 0, PVS_IMPE_TOO_LARGE, -1, NULL);
        return false;
    }
    size_t first = 0;
    while (first < len && (buf[first] == ' ' || buf[first] == '\t' || buf[first] == '\r' ||
                           buf[first] == '\n'))
        first++;
    if (first == len) {
        pvs_imp_add_error(out, 0, PVS_IMPE_EMPTY, -1, NULL);
        return false;
    }
    /* every line but the header could be a row; JSON rows are objects: bounded the same way */
    size_t cap = 1;
    for (size_t i = 0; i < len && cap <= PVS_IMP_MAX_ROWS; i++)
        cap += buf[i] == '\n' || buf[i] == '{';
    out->scratch = malloc(sizeof(fields));
    out->rows = calloc(cap, sizeof *out->rows);
    if (!out->scratch || !out->rows) {
        pvs_imp_free(out);
        pvs_imp_add_error(out, 0, PVS_IMPE_TOO_LARGE, -1, NULL);
        return false;
    }
    out->json = buf[first] == '{';
    return true;
}

void pvs_imp_free(pvs_imp_file *f)
{
    free(f->rows);
    free(f->scratch);
    f->rows = NULL;
    f->scratch = NULL;
    f->nrows = 0;
}
