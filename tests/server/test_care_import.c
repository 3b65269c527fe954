/* The care-planning import: the decoder refuses each hostile file with the line named, and
 * through the real store (SQLite, and PostgreSQL with PVS_TEST_BACKEND) a dry run changes
 * nothing, an apply changes everything with one audit entry per change, the same file
 * again changes nothing (also 4,000 provider changes), and one bad line stops the file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../server/rules/calendar.h"
#include "../../server/services/care_import.h"
#include "domain_fixture.h"

static int failures;
#define CHECK(c)                                                                    \
    do {                                                                            \
        if (!(c)) {                                                                 \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #c);   \
            failures++;                                                             \
        }                                                                           \
    } while (0)

#define HEADER "record;alarm_code;address;apartment;provider;date\n"
static pvs_imp_file F; /* large: kept out of the stack */

/* Parses `text`; true when the first error is `code` on `line` and its report says `says`. */
static bool refused(const char *text, size_t len, pvs_imp_err code, uint32_t line, const char *says)
{
    bool ok = pvs_imp_parse(text, len, &F);
    char msg[600] = "";
    if (F.nerrors)
        pvs_imp_error_text(&F, &F.errors[0], msg, sizeof msg);
    bool match = !ok && F.nerrors && F.errors[0].code == code && F.errors[0].line == line &&
                 strstr(msg, says);
    if (!match)
        fprintf(stderr, "  expected %s on line %u with \"%s\"; got: %s\n", pvs_imp_err_name(code),
                line, says, msg);
    pvs_imp_free(&F);
    return match;
}
#define REFUSED(t, code, line, says) refused((t), sizeof(t) - 1, (code), (line), (says))

static void test_decoder(void)
{
    static const char good[] = "\xEF\xBB\xBFrecord,alarm_code,address,apartment,provider,date\r\n"
                               "recipient,LA-1,\"Storgatan 1, uppg B\",1102,\"Omsorg \"\"Syd\"\"\",\r\n"
                               "\r\nprovider_change,LA-1,,,Omsorg Nord,2027-02-01\r\n";
    CHECK(pvs_imp_parse(good, sizeof good - 1, &F) && F.nrows == 2 && !F.json);
    CHECK(strcmp(F.rows[0].address, "Storgatan 1, uppg B") == 0);
    CHECK(strcmp(F.rows[0].provider, "Omsorg \"Syd\"") == 0 && F.rows[0].day == 0);
    CHECK(F.rows[1].line == 4 && F.rows[1].record == PVS_IMP_PROVIDER_CHANGE &&
          F.rows[1].day == pvs_days_from_civil(2027, 2, 1));
    pvs_imp_free(&F);
    static const char json[] = "{\"records\":[{\"record\":\"recipient\",\"alarm_code\":\"LA-9\","
                               "\"address\":\"Storgatan 1\",\"provider\":\"Omsorg Syd\"}]}";
    CHECK(pvs_imp_parse(json, sizeof json - 1, &F) && F.nrows == 1 && F.json);
    pvs_imp_free(&F);

    CHECK(REFUSED("alarm;address\nLA-1;x\n", PVS_IMPE_HEADER, 1, "Rad 1: första raden"));
    CHECK(REFUSED(HEADER "recipient;LA-1;Storgatan 1\n", PVS_IMPE_COLUMNS, 2, "Rad 2: raden ska ha exakt sex"));
    CHECK(REFUSED(HEADER "recipient;LA-1;Storgatan 1;;P;;x\n", PVS_IMPE_COLUMNS, 2, "sex fält"));
    CHECK(REFUSED(HEADER "recipient;\"LA-1;x;;P;\n", PVS_IMPE_QUOTE, 2, "citattecknen"));
    CHECK(REFUSED(HEADER "recipient;LA-1;Storgatan 1;;=cmd|' /C calc'!A0;\n", PVS_IMPE_FORMULA, 2,
                  "Rad 2 (larmkod LA-1, Storgatan 1): fältet utförare börjar med ="));
    CHECK(REFUSED(HEADER "recipient;@SUM(A1);Storgatan 1;;P;\n", PVS_IMPE_FORMULA, 2, "larmkod"));
    CHECK(REFUSED(HEADER "provider_change;LA-2;;;P;2027-02-01\nrecipient;LA-3;Storgatan \xC3\x28;;P;\n",
                  PVS_IMPE_UTF8, 3, "Rad 3 (larmkod LA-3): fältet adress är inte giltig text"));
    CHECK(REFUSED(HEADER "recipient;LA-3;Storgatan \xED\xA0\x80;;P;\n", PVS_IMPE_UTF8, 2, "UTF-8"));
    CHECK(REFUSED(HEADER "recipient;LA-3;Storgatan\x1b[2J;;P;\n", PVS_IMPE_CONTROL, 2, "styrtecken"));
    CHECK(REFUSED(HEADER "provider_change;LA-4;;;P;2027-02-30\n", PVS_IMPE_DATE, 2, "ÅÅÅÅ-MM-DD"));
    CHECK(REFUSED(HEADER "provider_change;LA-4;;;P;\n", PVS_IMPE_MISSING, 2, "fältet datum saknas"));
    CHECK(REFUSED(HEADER "visit;LA-4;;;P;2027-02-01\n", PVS_IMPE_RECORD, 2, "posttypen"));
    CHECK(REFUSED("{\"records\":[{\"record\":\"recipient\",\"alarm_code\":1}]}", PVS_IMPE_MEMBER, 1,
                  "Post 1: posten ska vara"));
    CHECK(REFUSED("{\"records\":[],\"x\":1}", PVS_IMPE_JSON, 0, "Filen: filen är inte giltig JSON"));
    CHECK(REFUSED(" \n", PVS_IMPE_EMPTY, 0, "tom"));
    CHECK(REFUSED("{\"records\":[{\"record\":\"recipient\",\"alarm_code\":\"LA\\\"1\","
                  "\"address\":\"a\",\"provider\":\"P\"}]}", PVS_IMPE_ALARM_CHARS, 1, "larmkoden får bara"));
    /* more than the limit: refused before anything is read (the API answers 413 earlier) */
    char *big = malloc(PVS_IMP_MAX_BYTES + 1);
    memset(big, 'a', PVS_IMP_MAX_BYTES + 1);
    CHECK(refused(big, PVS_IMP_MAX_BYTES + 1, PVS_IMPE_TOO_LARGE, 0, "större än 1 MiB"));
    /* every line bad: at most PVS_IMP_MAX_ERRORS kept, all counted */
    size_t n = sizeof HEADER - 1;
    memcpy(big, HEADER, n);
    for (int i = 0; i < 1000; i++)
        n += (size_t)sprintf(big + n, "recipient;=x%d;a;;P;\n", i);
    CHECK(!pvs_imp_parse(big, n, &F) && F.nerrors == PVS_IMP_MAX_ERRORS && F.errors_total == 1000);
    pvs_imp_free(&F);
    free(big);
}

static int64_t count(dfx *f, const char *sql)
{
    int64_t n = -1;
    if (pvs_query_i64(f->db, sql, NULL, 0, &n) != PVS_DB_OK)
        return -1;
    return n;
}

static const struct pvs_audit_actor WHO = {0, "test", "cli", "local", "t"};

/* Parses and runs `text`; returns the store code. */
static int run(dfx *f, const char *text, bool apply, int32_t today, pvs_imp_result *res)
{
    (void)pvs_imp_parse(text, strlen(text), &F);
    int rc = pvs_care_import(f->db, &WHO, &F, apply, today, res);
    return rc;
}

static void test_store(dfx *f, int32_t today)
{
    dfx_begin(f);
    dfx_provider(f, "Omsorg Syd");
    dfx_provider(f, "Omsorg Nord");
    int64_t owner = dfx_owner(f);
    dfx_building(f, owner); /* Storgatan 1 */
    dfx_commit(f);
    static const char file[] = HEADER "recipient;LA-100;Storgatan 1;1101;Omsorg Syd;2026-12-01\n"
                                      "recipient;LA-101;Storgatan 1;1102;Omsorg Syd;\n"
                                      "provider_change;LA-100;;;Omsorg Nord;2027-02-01\n";
    int64_t audit0 = count(f, "SELECT COUNT(*) FROM audit_log");
    pvs_imp_result res;
    CHECK(run(f, file, false, today, &res) == PVS_DB_OK && F.errors_total == 0);
    CHECK(res.created == 2 && res.changed == 1 && !res.applied);
    CHECK(strcmp(res.outcome[2].from_provider, "Omsorg Syd") == 0);
    CHECK(count(f, "SELECT COUNT(*) FROM recipients") == 0); /* the dry run left nothing */
    CHECK(count(f, "SELECT COUNT(*) FROM audit_log") == audit0);
    pvs_care_import_free(&res);
    pvs_imp_free(&F);

    CHECK(run(f, file, true, today, &res) == PVS_DB_OK && res.applied && res.changed == 1);
    CHECK(count(f, "SELECT COUNT(*) FROM recipients") == 2);
    CHECK(count(f, "SELECT COUNT(*) FROM recipient_providers") == 3);
    CHECK(count(f, "SELECT COUNT(*) FROM audit_log") == audit0 + 3);
    CHECK(count(f, "SELECT COUNT(*) FROM audit_log WHERE action = 'recipient.provider_change'") == 1);
    pvs_care_import_free(&res);
    pvs_imp_free(&F);

    /* the same file again: every line already true */
    CHECK(run(f, file, true, today, &res) == PVS_DB_OK && res.applied);
    CHECK(res.created == 0 && res.changed == 0 && res.unchanged == 3);
    CHECK(count(f, "SELECT COUNT(*) FROM recipient_providers") == 3);
    CHECK(count(f, "SELECT COUNT(*) FROM audit_log") == audit0 + 3);
    pvs_care_import_free(&res);
    pvs_imp_free(&F);

    /* one good line among bad ones: nothing of it stays, each bad line named */
    static const char bad[] = HEADER "recipient;LA-200;Storgatan 1;;Omsorg Syd;\n"
                                     "recipient;LA-201;Okänd väg 9;;Omsorg Syd;\n"
                                     "provider_change;LA-101;;;Omsorg Väst;2027-03-01\n"
                                     "provider_change;LA-101;;;Omsorg Nord;2026-12-01\n"
                                     "provider_change;LA-999;;;Omsorg Nord;2027-03-01\n"
                                     "recipient;LA-100;Lillgatan 2;;Omsorg Syd;\n";
    CHECK(run(f, bad, true, today, &res) == PVS_DB_OK && !res.applied && F.errors_total == 5);
    static const pvs_imp_err want[] = {PVS_IMPE_NO_ADDRESS, PVS_IMPE_NO_PROVIDER, PVS_IMPE_PAST,
                                       PVS_IMPE_NO_RECIPIENT, PVS_IMPE_OTHER_ADDRESS};
    for (size_t i = 0; i < 5 && i < F.nerrors; i++)
        CHECK(F.errors[i].code == want[i] && F.errors[i].line == i + 3);
    char msg[600];
    pvs_imp_error_text(&F, &F.errors[0], msg, sizeof msg);
    CHECK(strcmp(msg, "Rad 3 (larmkod LA-201, Okänd väg 9): adressen finns inte i Portvakt;"
                      " lägg till fastigheten först.") == 0);
    CHECK(count(f, "SELECT COUNT(*) FROM recipients") == 2);
    CHECK(count(f, "SELECT COUNT(*) FROM audit_log") == audit0 + 3);
    struct pvs_audit_verify v;
    CHECK(pvs_audit_verify(f->db, &v) == PVS_DB_OK && v.ok);
    pvs_care_import_free(&res);
    pvs_imp_free(&F);
}

/* 4,000 provider changes (a city's year) twice: one set of changes. */
static void test_city_year(dfx *f, int32_t today)
{
    dfx_begin(f);
    int64_t syd = 0, nord = 0;
    CHECK(pvs_query_i64(f->db, "SELECT id FROM providers WHERE name = 'Omsorg Syd'", NULL, 0, &syd) == 0);
    CHECK(pvs_query_i64(f->db, "SELECT id FROM providers WHERE name = 'Omsorg Nord'", NULL, 0, &nord) == 0);
    int64_t b = dfx_building(f, dfx_owner(f));
    char *file = malloc(4000 * 64 + 64), code[32];
    size_t n = (size_t)sprintf(file, HEADER);
    for (int i = 0; i < 4000; i++) {
        int64_t r = 0;
        snprintf(code, sizeof code, "LA-%05d", i);
        CHECK(pvs_query_i64(f->db, "INSERT INTO recipients (alarm_code, building_id, created_at)"
                                   " VALUES (?, ?, 0) RETURNING id",
                            PVS_ARGS(PVS_TEXT(code), PVS_I64(b)), &r) == 0);
        dfx_period(f, r, syd, "2026-06-01", NULL);
        n += (size_t)sprintf(file + n, "provider_change;%s;;;Omsorg Nord;2027-%02d-%02d\n", code,
                             2 + i % 10, 1 + i % 28);
    }
    dfx_commit(f);
    int64_t periods = count(f, "SELECT COUNT(*) FROM recipient_providers");
    pvs_imp_result res;
    CHECK(run(f, file, true, today, &res) == PVS_DB_OK && res.applied && res.changed == 4000);
    pvs_care_import_free(&res);
    pvs_imp_free(&F);
    CHECK(count(f, "SELECT COUNT(*) FROM recipient_providers") == periods + 4000);
    int64_t audit = count(f, "SELECT COUNT(*) FROM audit_log");
    CHECK(run(f, file, true, today, &res) == PVS_DB_OK && res.changed == 0 && res.unchanged == 4000);
    CHECK(count(f, "SELECT COUNT(*) FROM recipient_providers") == periods + 4000);
    CHECK(count(f, "SELECT COUNT(*) FROM audit_log") == audit);
    pvs_care_import_free(&res);
    pvs_imp_free(&F);
    free(file);
}

int main(void)
{
    test_decoder();
    dfx f;
    dfx_open(&f);
    int32_t today = pvs_days_from_civil(2027, 1, 1);
    test_store(&f, today);
    test_city_year(&f, today);
    dfx_close(&f);
    printf("%s\n", failures ? "FAILED" : "ok");
    return failures ? 1 : 0;
}
