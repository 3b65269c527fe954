/* The care-planning import's entry point: picks CSV (rules/care_import.c) or JSON by the
 * first non-blank byte and walks the JSON records here, because the rules layer holds no
 * JSON. {"records": [{"record": "...", "alarm_code": "...", ...}, ...]}; only string
 * members with the column names; nothing else at the top. */
#include <jansson.h>
#include <string.h>

#include "../rules/care_import.h"

static void take_json_record(pvs_imp_file *f, uint32_t no, json_t *o)
{
    const char *v[PVS_IMP_NFIELDS] = {0};
    size_t len[PVS_IMP_NFIELDS] = {0};
    const char *key;
    json_t *m;
    if (!json_is_object(o)) {
        pvs_imp_add_error(f, no, PVS_IMPE_MEMBER, -1, NULL);
        return;
    }
    json_object_foreach(o, key, m) {
        int i = 0;
        while (i < PVS_IMP_NFIELDS && strcmp(pvs_imp_field_names[i], key) != 0)
            i++;
        if (i == PVS_IMP_NFIELDS || !json_is_string(m)) {
            pvs_imp_add_error(f, no, PVS_IMPE_MEMBER, -1, NULL);
            return;
        }
        v[i] = json_string_value(m);
        len[i] = json_string_length(m);
    }
    pvs_imp_take_record(f, no, v, len);
}

static void parse_json(const char *buf, size_t len, pvs_imp_file *f)
{
    json_error_t jerr;
    json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
    json_t *recs = json_is_object(root) ? json_object_get(root, "records") : NULL;
    if (!json_is_array(recs) || json_object_size(root) != 1) {
        pvs_imp_add_error(f, 0, PVS_IMPE_JSON, -1, NULL);
    } else if (json_array_size(recs) > PVS_IMP_MAX_ROWS) {
        pvs_imp_add_error(f, 0, PVS_IMPE_TOO_MANY, -1, NULL);
    } else {
        size_t i;
        json_t *o;
        json_array_foreach(recs, i, o) take_json_record(f, (uint32_t)i + 1, o);
    }
    json_decref(root);
}

bool pvs_imp_parse(const char *buf, size_t len, pvs_imp_file *out)
{
    if (!pvs_imp_begin(buf, len, out))
        return false;
    if (out->json)
        parse_json(buf, len, out);
    else
        pvs_imp_parse_csv(buf, len, out);
    return out->errors_total == 0;
}
