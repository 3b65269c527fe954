/* The care-planning import's refusals in plain Swedish, naming the line and the recipient
 * as people know them (alarm code, address), and the stable names the API and UI use. */
#include <stdio.h>

#include "care_import.h"

static const struct {
    const char *name;
    const char *sv;
} texts[] = {
    [PVS_IMPE_TOO_LARGE] = {"too-large", "filen är större än 1 MiB; dela upp den"},
    [PVS_IMPE_TOO_MANY] = {"too-many-rows", "filen har fler än 20 000 rader; dela upp den"},
    [PVS_IMPE_EMPTY] = {"empty", "filen är tom"},
    [PVS_IMPE_HEADER] = {"header", "första raden ska vara rubrikerna "
                                   "record;alarm_code;address;apartment;provider;date"},
    [PVS_IMPE_JSON] = {"json", "filen är inte giltig JSON med bara medlemmen \"records\" "
                               "(en lista)"},
    [PVS_IMPE_COLUMNS] = {"columns", "raden ska ha exakt sex fält"},
    [PVS_IMPE_QUOTE] = {"quote", "citattecknen på raden går inte ihop"},
    [PVS_IMPE_UTF8] = {"utf8", "fältet %s är inte giltig text (UTF-8); spara filen som UTF-8"},
    [PVS_IMPE_CONTROL] = {"control", "fältet %s innehåller osynliga styrtecken"},
    [PVS_IMPE_FORMULA] = {"formula", "fältet %s börjar med = + - eller @ och kan köras som en "
                                     "formel i ett kalkylprogram; ta bort tecknet"},
    [PVS_IMPE_RECORD] = {"record", "posttypen ska vara recipient eller provider_change"},
    [PVS_IMPE_MISSING] = {"missing", "fältet %s saknas"},
    [PVS_IMPE_LONG] = {"too-long", "fältet %s är för långt"},
    [PVS_IMPE_DATE] = {"date", "datumet ska skrivas ÅÅÅÅ-MM-DD och vara ett riktigt datum"},
    [PVS_IMPE_MEMBER] = {"member", "posten ska vara ett objekt med bara textfälten record, "
                                   "alarm_code, address, apartment, provider och date"},
    [PVS_IMPE_ALARM_CHARS] = {"alarm-code", "larmkoden får bara innehålla bokstäverna A–Z, "
                                            "siffror, mellanslag och - _ . / :"},
    [PVS_IMPE_NO_PROVIDER] = {"no-provider", "utföraren finns inte i Portvakt; stava namnet "
                                             "som på Utförare-sidan"},
    [PVS_IMPE_PROVIDER_INACTIVE] = {"provider-inactive", "utföraren är avaktiverad"},
    [PVS_IMPE_NO_ADDRESS] = {"no-address", "adressen finns inte i Portvakt; lägg till "
                                           "fastigheten först"},
    [PVS_IMPE_TWO_ADDRESSES] = {"two-addresses", "flera fastigheter har den adressen; "
                                                 "lägg in brukaren för hand"},
    [PVS_IMPE_NO_RECIPIENT] = {"no-recipient", "larmkoden finns inte i Portvakt eller "
                                               "tidigare i filen"},
    [PVS_IMPE_OTHER_ADDRESS] = {"other-address", "larmkoden finns redan på en annan adress; "
                                                 "en flytt görs i Portvakt"},
    [PVS_IMPE_PAST] = {"past", "datumet har passerat; ett byte av utförare gäller från i dag "
                               "eller senare"},
    [PVS_IMPE_HISTORY] = {"history", "brukarens utförarhistorik är för lång för en import"},
};

static const char *const fields_sv[PVS_IMP_NFIELDS] = {"posttyp", "larmkod", "adress",
                                                        "lägenhet", "utförare", "datum"};

const char *pvs_imp_err_name(pvs_imp_err code)
{
    if ((size_t)code < sizeof texts / sizeof texts[0] && texts[code].name)
        return texts[code].name;
    return "unknown";
}

const char *pvs_imp_field_sv(int field)
{
    return field >= 0 && field < PVS_IMP_NFIELDS ? fields_sv[field] : "";
}

const char *pvs_imp_record_name(pvs_imp_record r)
{
    return r == PVS_IMP_RECIPIENT ? "recipient" : "provider_change";
}

void pvs_imp_error_text(const pvs_imp_file *f, const pvs_imp_error *e, char *out, size_t cap)
{
    char why[256], who[300] = "";
    const char *fmt = (size_t)e->code < sizeof texts / sizeof texts[0] && texts[e->code].sv
                          ? texts[e->code].sv
                          : "raden kunde inte läsas";
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    snprintf(why, sizeof why, fmt, pvs_imp_field_sv(e->field));
#pragma GCC diagnostic pop
    if (e->alarm_code[0] && e->address[0])
        snprintf(who, sizeof who, " (larmkod %s, %s)", e->alarm_code, e->address);
    else if (e->alarm_code[0])
        snprintf(who, sizeof who, " (larmkod %s)", e->alarm_code);
    if (e->line == 0)
        snprintf(out, cap, "Filen: %s.", why);
    else
        snprintf(out, cap, "%s %u%s: %s.", f->json ? "Post" : "Rad", (unsigned)e->line, who, why);
}
