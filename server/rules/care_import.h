/* The care-planning import file, decoded without trusting it: CSV (`;` or `,`, RFC 4180
 * quotes, one record per line) here, JSON records through pvs_imp_take_record() (the JSON
 * walk is server/core/care_import_json.c: rules hold no JSON), into recipient and
 * provider-change rows, every field checked exactly (length, UTF-8, no control characters,
 * no spreadsheet formula, strict dates, alarm-code characters). Pure: no store, no clock.
 * The format is documented in docs/import.md. */
#ifndef PVS_RULES_CARE_IMPORT_H
#define PVS_RULES_CARE_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PVS_IMP_MAX_BYTES (1u << 20) /* the API's body limit: ~12,000 typical rows */
#define PVS_IMP_MAX_ROWS 20000u      /* five years of a city's provider changes */
#define PVS_IMP_MAX_ERRORS 200u      /* errors kept for the report; the rest are counted */
#define PVS_IMP_ALARM_MAX 32u        /* as POST /recipients allows */
#define PVS_IMP_ADDRESS_MAX 200u
#define PVS_IMP_APARTMENT_MAX 40u
#define PVS_IMP_PROVIDER_MAX 120u

typedef enum pvs_imp_record {
    PVS_IMP_RECIPIENT = 1,       /* alarm code at an address, with its first provider */
    PVS_IMP_PROVIDER_CHANGE = 2  /* the recipient moves to a provider on a date */
} pvs_imp_record;

/* The columns, in file order; also the JSON members. */
enum { PVS_IMP_F_RECORD, PVS_IMP_F_ALARM, PVS_IMP_F_ADDRESS, PVS_IMP_F_APARTMENT,
       PVS_IMP_F_PROVIDER, PVS_IMP_F_DATE, PVS_IMP_NFIELDS };

typedef struct pvs_imp_row {
    uint32_t line; /* CSV line or JSON record number, from 1 */
    pvs_imp_record record;
    char alarm_code[PVS_IMP_ALARM_MAX + 1];
    char address[PVS_IMP_ADDRESS_MAX + 1];     /* "" when not given */
    char apartment[PVS_IMP_APARTMENT_MAX + 1]; /* "" when not given */
    char provider[PVS_IMP_PROVIDER_MAX + 1];
    char date[11];                             /* "" (recipient: today) or YYYY-MM-DD */
    int32_t day;                               /* the date as a day number, 0 if "" */
} pvs_imp_row;

/* Why a line was refused. The file-level codes carry line 0. */
typedef enum pvs_imp_err {
    PVS_IMPE_TOO_LARGE = 1, PVS_IMPE_TOO_MANY, PVS_IMPE_EMPTY, PVS_IMPE_HEADER, PVS_IMPE_JSON,
    PVS_IMPE_COLUMNS, PVS_IMPE_QUOTE, PVS_IMPE_UTF8, PVS_IMPE_CONTROL, PVS_IMPE_FORMULA,
    PVS_IMPE_RECORD, PVS_IMPE_MISSING, PVS_IMPE_LONG, PVS_IMPE_DATE, PVS_IMPE_MEMBER,
    PVS_IMPE_ALARM_CHARS,
    /* found against the store (services/care_import.c) */
    PVS_IMPE_NO_PROVIDER, PVS_IMPE_PROVIDER_INACTIVE, PVS_IMPE_NO_ADDRESS, PVS_IMPE_TWO_ADDRESSES,
    PVS_IMPE_NO_RECIPIENT, PVS_IMPE_OTHER_ADDRESS, PVS_IMPE_PAST, PVS_IMPE_HISTORY
} pvs_imp_err;

typedef struct pvs_imp_error {
    uint32_t line;
    pvs_imp_err code;
    int field; /* PVS_IMP_F_* for MISSING, LONG, FORMULA; -1 otherwise */
    /* the recipient as people know it, when the line got that far ("" otherwise) */
    char alarm_code[PVS_IMP_ALARM_MAX + 1];
    char address[PVS_IMP_ADDRESS_MAX + 1];
} pvs_imp_error;

typedef struct pvs_imp_file {
    bool json;           /* JSON records (reported as "post"), else CSV lines ("rad") */
    pvs_imp_row *rows;   /* nrows, in file order; owned, pvs_imp_free() */
    size_t nrows;
    pvs_imp_error errors[PVS_IMP_MAX_ERRORS];
    size_t nerrors;      /* kept in errors[] (at most PVS_IMP_MAX_ERRORS) */
    size_t errors_total; /* all refused lines */
    void *scratch;       /* one line's fields while decoding */
} pvs_imp_file;

/* The column names, in file order (also the JSON members). */
extern const char *const pvs_imp_field_names[PVS_IMP_NFIELDS];

/* Decodes `len` bytes (JSON when the first non-blank byte is '{', else CSV). Returns true
 * when every line is valid (the same as errors_total == 0); false with the errors, or when
 * out of memory (one PVS_IMPE_TOO_LARGE error). Always pvs_imp_free() the result.
 * Defined in server/core/care_import_json.c. */
bool pvs_imp_parse(const char *buf, size_t len, pvs_imp_file *out);
void pvs_imp_free(pvs_imp_file *f);

/* The steps of pvs_imp_parse(): begin (size limits, empty file, room for the rows; false
 * with the error recorded), then the CSV lines, or each JSON record's members (v[i] NULL
 * for a missing one; len[i] its length, embedded NULs refused). */
bool pvs_imp_begin(const char *buf, size_t len, pvs_imp_file *out);
void pvs_imp_parse_csv(const char *buf, size_t len, pvs_imp_file *f);
void pvs_imp_take_record(pvs_imp_file *f, uint32_t line, const char *const v[PVS_IMP_NFIELDS],
                         const size_t len[PVS_IMP_NFIELDS]);

/* Records an error (kept if room, always counted). `row` may be NULL. */
void pvs_imp_add_error(pvs_imp_file *f, uint32_t line, pvs_imp_err code, int field,
                       const pvs_imp_row *row);

/* One plain-Swedish sentence for a person: "Rad 12 (larmkod 4711, Storgatan 1): ...". */
void pvs_imp_error_text(const pvs_imp_file *f, const pvs_imp_error *e, char *out, size_t cap);
/* The error's stable name for the API and the UI's translations ("formula", ...). */
const char *pvs_imp_err_name(pvs_imp_err code);
/* The Swedish name of a column ("larmkod", "adress", ...). */
const char *pvs_imp_field_sv(int field);
/* The record's name in files ("recipient", "provider_change"). */
const char *pvs_imp_record_name(pvs_imp_record r);

#endif
