/* Fuzzes the care-planning import decoder (CSV and JSON). Invariants: no crash, a file is
 * either all rows (no error) or refused with at least one error; every kept row satisfies
 * the column limits, and every error's report text is written within its buffer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../server/rules/care_import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static pvs_imp_file f;
    bool ok = pvs_imp_parse((const char *)data, size, &f);
    if (ok != (f.errors_total == 0) || f.nerrors > PVS_IMP_MAX_ERRORS ||
        f.nrows > PVS_IMP_MAX_ROWS || (!ok && f.nerrors == 0))
        abort();
    for (size_t i = 0; i < f.nrows; i++) {
        const pvs_imp_row *r = &f.rows[i];
        if (!r->alarm_code[0] || !r->provider[0] || r->line == 0)
            abort();
        if (r->record == PVS_IMP_PROVIDER_CHANGE && (!r->date[0] || r->day == 0))
            abort();
        if (strchr("=+-@", r->alarm_code[0]) || strchr("=+-@", r->provider[0]))
            abort(); /* a spreadsheet formula never gets through */
    }
    char text[600];
    for (size_t i = 0; i < f.nerrors; i++) {
        pvs_imp_error_text(&f, &f.errors[i], text, sizeof text);
        if (strlen(text) >= sizeof text)
            abort();
    }
    pvs_imp_free(&f);
    return 0;
}
