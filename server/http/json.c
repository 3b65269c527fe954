/* Strict JSON request decoding: one object, declared members only, types and ranges checked,
 * every offending member named in one 400 problem. Plus small accessors and encoders. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "pvs/http.h"
#include "../rules/pnr.h"

#define ID_MAX ((int64_t)1 << 53) /* exact in a JavaScript number */

static void append(char *errs, size_t cap, const char *where, const char *name,
                   const char *what)
{
    size_t used = strlen(errs);
    if (used + 4 >= cap)
        return;
    snprintf(errs + used, cap - used, "%s%s%s%s %s", used ? "; " : "", where ? where : "",
             where && *where ? "." : "", name, what);
}

static bool is_date(const char *s)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return false;
    int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
    if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return !(m == 2 && d == 29 && !leap);
}

static bool has_control(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return true;
    return false;
}

static bool is_lower_hex(const char *s)
{
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
            return false;
    return true;
}

/* Does the value have the member's JSON shape? */
static bool shape_ok(const json_t *v, enum pvs_jtype type)
{
    switch (type) {
    case PVS_J_STRING:
    case PVS_J_DATE:
    case PVS_J_HEX:
        return json_is_string(v);
    case PVS_J_INT:
    case PVS_J_ID:
        return json_is_integer(v);
    case PVS_J_BOOL:
        return json_is_boolean(v);
    case PVS_J_ARRAY:
        return json_is_array(v);
    case PVS_J_OBJECT:
        return json_is_object(v);
    case PVS_J_ANY:
        return true;
    }
    return false;
}

/* A string member's length, control characters and personal identity numbers (refused in
 * every free-text member: Portvakt never stores one). Sets *rule to the rule broken. */
static void string_problem(const json_t *v, const struct pvs_jfield *f, char *msg, size_t cap,
                           const char **rule)
{
    int64_t lo = f->min, hi = f->max;
    hi = lo == 0 && hi == 0 ? 1024 : hi;
    int64_t len = (int64_t)json_string_length(v);
    if (len < lo || len > hi) {
        snprintf(msg, cap, "must be %lld to %lld bytes long", (long long)lo, (long long)hi);
        *rule = "length";
    } else if (has_control(json_string_value(v))) {
        snprintf(msg, cap, "must not contain control characters");
        *rule = "control";
    } else if (!(f->flags & PVS_JF_SECRET) && pvs_pnr_found(json_string_value(v), (size_t)len)) {
        snprintf(msg, cap, "must not contain a personal identity number");
        *rule = "personal-identity-number";
    }
}

/* Range and content of a value of the right shape: "" when fine, else why not in msg and the
 * rule's name in *rule. */
static void content_problem(const json_t *v, const struct pvs_jfield *f, char *msg, size_t cap,
                            const char **rule)
{
    int64_t lo = f->min, hi = f->max;
    msg[0] = '\0';
    *rule = "";
    if (f->type == PVS_J_STRING) {
        string_problem(v, f, msg, cap, rule);
        return;
    } else if (f->type == PVS_J_INT || f->type == PVS_J_ID) {
        if (f->type == PVS_J_ID)
            lo = 1, hi = ID_MAX;
        else if (lo == 0 && hi == 0)
            lo = INT64_MIN, hi = INT64_MAX;
        if (json_integer_value(v) < lo || json_integer_value(v) > hi) {
            snprintf(msg, cap, "must be between %lld and %lld", (long long)lo, (long long)hi);
            *rule = "range";
        }
    } else if (f->type == PVS_J_DATE) {
        if (!is_date(json_string_value(v))) {
            snprintf(msg, cap, "must be a date YYYY-MM-DD");
            *rule = "date";
        }
    } else if (f->type == PVS_J_HEX) {
        int64_t len = (int64_t)json_string_length(v);
        if (len % 2 || !is_lower_hex(json_string_value(v)) || len / 2 < lo || (hi && len / 2 > hi)) {
            *rule = "hex";
            if (lo == hi)
                snprintf(msg, cap, "must be %lld bytes as lowercase hex (%lld characters)",
                         (long long)lo, (long long)lo * 2);
            else
                snprintf(msg, cap, "must be lowercase hex of %lld to %lld bytes", (long long)lo,
                         (long long)hi);
        }
    } else if (f->type == PVS_J_ARRAY) {
        hi = lo == 0 && hi == 0 ? 10000 : hi;
        int64_t n = (int64_t)json_array_size(v);
        if (n < lo || n > hi) {
            snprintf(msg, cap, "must have %lld to %lld elements", (long long)lo, (long long)hi);
            *rule = "count";
        }
    }
}

/* One entry of a problem's "errors": which member broke which rule, with the limits a
 * person needs to put it right (the web interface words it; docs/openapi.yaml lists rules). */
static void add_issue(json_t *issues, const char *where, const char *name, const char *rule,
                      const struct pvs_jfield *f)
{
    if (!issues)
        return;
    char member[160];
    snprintf(member, sizeof member, "%s%s%s", where ? where : "", where && *where ? "." : "", name);
    json_t *e = json_pack("{s:s, s:s}", "member", member, "rule", rule);
    if (e && f && (strcmp(rule, "length") == 0 || strcmp(rule, "range") == 0 ||
                   strcmp(rule, "count") == 0)) {
        int64_t lo = f->min, hi = f->max;
        if (lo == 0 && hi == 0)
            hi = f->type == PVS_J_STRING ? 1024 : 10000;
        json_object_set_new(e, "min", json_integer(lo));
        json_object_set_new(e, "max", json_integer(hi));
    }
    if (e)
        json_array_append_new(issues, e);
}

/* Check one present member; returns false with a message appended. */
static bool check_value(const json_t *v, const struct pvs_jfield *f, const char *where,
                        char *errs, size_t cap, json_t *issues)
{
    static const char *const tname[] = {"", "a string", "an integer", "a positive integer id",
                                        "true or false", "a date string YYYY-MM-DD",
                                        "a hex string", "an array", "an object", "a value"};
    char msg[128];
    const char *rule = "type";
    if (!shape_ok(v, f->type))
        snprintf(msg, sizeof msg, "must be %s", tname[f->type]);
    else
        content_problem(v, f, msg, sizeof msg, &rule);
    if (msg[0]) {
        append(errs, cap, where, f->name, msg);
        add_issue(issues, where, f->name, rule, f);
    }
    return msg[0] == '\0';
}

/* Members the table does not declare: each named (control bytes masked) in errs. */
static bool unknown_members(const json_t *obj, const struct pvs_jfield *fields, size_t n,
                            const char *where, char *errs, size_t errcap, json_t *issues)
{
    bool ok = true;
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)obj, key, val) {
        size_t i;
        for (i = 0; i < n; i++)
            if (strcmp(fields[i].name, key) == 0)
                break;
        if (i == n) {
            char shown[72];
            snprintf(shown, sizeof shown, "\"%.64s\"", key);
            for (char *c = shown; *c; c++) /* never echo control bytes into a message */
                if ((unsigned char)*c < 0x20)
                    *c = '?';
            append(errs, errcap, where, shown, "is not a known member");
            add_issue(issues, where, shown, "unknown", NULL);
            ok = false;
        }
    }
    return ok;
}

static bool json_check(const json_t *obj, const struct pvs_jfield *fields, size_t n,
                       const char *where, char *errs, size_t errcap, json_t *issues)
{
    if (!json_is_object(obj)) {
        append(errs, errcap, NULL, where && *where ? where : "body", "must be a JSON object");
        add_issue(issues, NULL, where && *where ? where : "body", "type", NULL);
        return false;
    }
    bool ok = unknown_members(obj, fields, n, where, errs, errcap, issues);
    for (size_t i = 0; i < n; i++) {
        const json_t *v = json_object_get(obj, fields[i].name);
        const char *broken = NULL;
        if (!v && (fields[i].flags & PVS_JF_REQUIRED))
            broken = "required";
        else if (v && json_is_null(v) && !(fields[i].flags & PVS_JF_NULLABLE))
            broken = "null";
        if (broken) {
            append(errs, errcap, where, fields[i].name,
                   broken[0] == 'r' ? "is required" : "must not be null");
            add_issue(issues, where, fields[i].name, broken, NULL);
            ok = false;
        } else if (v && !json_is_null(v) &&
                   !check_value(v, &fields[i], where, errs, errcap, issues)) {
            ok = false;
        }
    }
    return ok;
}

bool pvs_json_check(const json_t *obj, const struct pvs_jfield *fields, size_t n,
                    const char *where, char *errs, size_t errcap)
{
    return json_check(obj, fields, n, where, errs, errcap, NULL);
}

/* The rule an issue list names, if any issue breaks it. */
static bool issues_have(const json_t *issues, const char *rule)
{
    size_t i;
    json_t *e;
    json_array_foreach(issues, i, e) {
        if (strcmp(json_string_value(json_object_get(e, "rule")), rule) == 0)
            return true;
    }
    return false;
}

json_t *pvs_body_json(struct pvs_req *r, const struct pvs_jfield *fields, size_t n)
{
    const char *ct = pvs_req_header(r, "Content-Type");
    if (!ct || strncasecmp(ct, "application/json", 16) != 0 ||
        (ct[16] != '\0' && ct[16] != ';' && ct[16] != ' ')) {
        pvs_problem(r, 415, "unsupported-media-type", "Unsupported media type",
                    "Send the body as Content-Type: application/json.");
        return NULL;
    }
    json_error_t jerr;
    json_t *obj = json_loadb(r->body ? r->body : "", r->body_len, JSON_REJECT_DUPLICATES, &jerr);
    if (!obj) {
        pvs_problem(r, 400, "malformed-json", "Malformed JSON",
                    "The body is not valid JSON: %s (line %d, column %d).", jerr.text, jerr.line,
                    jerr.column);
        return NULL;
    }
    char errs[900] = "";
    json_t *issues = json_array();
    if (!json_check(obj, fields, n, "", errs, sizeof errs, issues)) {
        json_decref(obj);
        /* a personal identity number gets its own type: the person is told why, not "invalid" */
        bool pnr = issues && issues_have(issues, "personal-identity-number");
        pvs_problem_ext(r, 400, pnr ? "personal-identity-number" : "invalid-body",
                        pnr ? "Personal identity number refused" : "Invalid request body",
                        issues ? json_pack("{s:o}", "errors", issues) : NULL, "%s.", errs);
        return NULL;
    }
    json_decref(issues);
    return obj;
}

const char *pvs_jstr(const json_t *o, const char *name, const char *fallback)
{
    const json_t *v = json_object_get(o, name);
    return json_is_string(v) ? json_string_value(v) : fallback;
}

int64_t pvs_jint(const json_t *o, const char *name, int64_t fallback)
{
    const json_t *v = json_object_get(o, name);
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : fallback;
}

bool pvs_jbool(const json_t *o, const char *name, bool fallback)
{
    const json_t *v = json_object_get(o, name);
    return json_is_boolean(v) ? json_is_true(v) : fallback;
}

bool pvs_jhas(const json_t *o, const char *name)
{
    return json_object_get(o, name) != NULL;
}

bool pvs_jhex(const json_t *o, const char *name, uint8_t *out, size_t len)
{
    const char *s = pvs_jstr(o, name, NULL);
    size_t got = 0;
    if (!s || strlen(s) != len * 2)
        return false;
    return sodium_hex2bin(out, len, s, len * 2, NULL, &got, NULL) == 0 && got == len;
}

json_t *pvs_json_hex(const void *data, size_t len)
{
    char *hex = malloc(len * 2 + 1);
    if (!hex)
        return NULL;
    sodium_bin2hex(hex, len * 2 + 1, data, len);
    json_t *s = json_string(hex);
    free(hex);
    return s;
}

json_t *pvs_json_id_or_null(int64_t v)
{
    return v ? json_integer(v) : json_null();
}

json_t *pvs_json_col_i64_or_null(pvs_stmt *st, int col)
{
    return pvs_col_is_null(st, col) ? json_null() : json_integer(pvs_col_i64(st, col));
}

json_t *pvs_json_col_text_or_null(pvs_stmt *st, int col)
{
    const char *t = pvs_col_text(st, col);
    return t ? json_string(t) : json_null();
}
