/* The register extract's sections (services/extract.h): one query per kind of record held
 * about a recipient — the recipient, the door lock, consents, provider periods, rights to their
 * doors, passages and refusals at the apartment door, the keys' own reports, alarm grants,
 * the resident's links and the audit records naming the recipient. */
#include <string.h>

#include "alarm_flag.h"
#include "extract.h"

#define APT "(SELECT lock_id FROM recipients WHERE id = ?)"

const struct pvs_extract_section pvs_extract_sections[] = {
    {"recipient", "Brukaren",
     "SELECT r.id, r.alarm_code, b.address, r.apartment, r.created_at FROM recipients r"
     " JOIN buildings b ON b.id = r.building_id WHERE r.id = ?",
     5, {"id", "alarm_code", "address", "apartment", "registered_at"},
     {"Nummer", "Larmkod", "Adress", "Lägenhet", "Registrerad"}},
    {"locks", "Lås på lägenhetsdörren",
     "SELECT id, label, state, installed_at FROM locks WHERE id = " APT,
     4, {"id", "label", "state", "installed_at"}, {"Lås", "Namn", "Läge", "Installerat"}},
    {"consents", "Samtycken",
     "SELECT id, given_on, reference, withdrawn_at FROM consents WHERE kind = 'recipient'"
     " AND recipient_id = ? ORDER BY id",
     4, {"id", "given_on", "reference", "withdrawn_at"},
     {"Nummer", "Givet", "Förvaras", "Återkallat"}},
    {"provider_periods", "Utförare",
     "SELECT p.name, rp.valid_from, rp.valid_until FROM recipient_providers rp"
     " JOIN providers p ON p.id = rp.provider_id WHERE rp.recipient_id = ? ORDER BY rp.valid_from",
     3, {"provider", "valid_from", "valid_until"}, {"Utförare", "Från", "Till"}},
    {"rights", "Behörigheter till dörrarna",
     "SELECT r.id, s.display_name, p.name, r.kind, r.valid_from, r.valid_until FROM rights r"
     " JOIN staff s ON s.id = r.staff_id JOIN providers p ON p.id = r.provider_id"
     " WHERE r.recipient_id = ? ORDER BY r.id",
     6, {"id", "staff_first_name", "provider", "kind", "valid_from", "valid_until"},
     {"Nummer", "Personal (förnamn)", "Utförare", "Slag", "Från", "Till"}},
    {"passages", "Passager och nekade försök vid lägenhetsdörren",
     "SELECT e.time, CASE e.kind WHEN 1 THEN 'opened' ELSE 'refused' END, e.reason, k.label,"
     " s.display_name, CASE WHEN " PVS_SQL_LOCK_ALARM("e") " = 1 THEN 'ja' ELSE 'nej' END"
     " FROM lock_events e LEFT JOIN bearers k ON k.id = e.subject"
     " LEFT JOIN staff s ON s.id = k.staff_id WHERE e.lock_id = " APT
     " AND e.kind IN (1, 2) ORDER BY e.time, e.seq",
     6, {"time", "result", "reason", "key_label", "staff_first_name", "alarm"},
     {"Tid", "Utfall", "Skäl", "Nyckel", "Personal (förnamn)", "Vid larm"}},
    {"key_reports", "Nycklarnas egna rapporter vid lägenhetsdörren",
     "SELECT v.time, v.kind, v.reason, k.label, s.display_name,"
     " CASE WHEN " PVS_SQL_KEY_ALARM("v") " = 1 THEN 'ja' ELSE 'nej' END FROM bearer_events v"
     " JOIN bearers k ON k.id = v.bearer_id LEFT JOIN staff s ON s.id = k.staff_id"
     " WHERE v.lock_id = " APT " ORDER BY v.time, v.bearer_id, v.seq",
     6, {"time", "result", "reason", "key_label", "staff_first_name", "alarm"},
     {"Tid", "Utfall", "Skäl", "Nyckel", "Personal (förnamn)", "Vid larm"}},
    {"alarm_grants", "Larmbehörigheter",
     "SELECT id, alarm_ref, starts_at, ends_at, ended_at FROM alarm_grants"
     " WHERE recipient_id = ? ORDER BY id",
     5, {"id", "alarm_ref", "starts_at", "ends_at", "ended_at"},
     {"Nummer", "Larm", "Från", "Till", "Avslutad"}},
    {"resident_links", "Brukarens egen vy (länkar)",
     "SELECT l.id, l.consent_given_on, l.consent_by, l.consent_reference, l.created_at,"
     " l.revoked_at, (SELECT COUNT(*) FROM resident_link_views v WHERE v.link_id = l.id)"
     " FROM resident_links l WHERE l.recipient_id = ? ORDER BY l.id",
     7, {"id", "consent_given_on", "consent_by", "consent_reference", "created_at", "revoked_at",
         "views"},
     {"Nummer", "Samtycke", "Givet av", "Förvaras", "Skapad", "Avstängd", "Visningar"}},
    {"audit", "Ändringar i granskningsloggen",
     "SELECT seq, at, actor_name, action FROM audit_log WHERE object_type = 'recipient'"
     " AND object_id = ? ORDER BY seq",
     4, {"seq", "at", "actor", "action"}, {"Nummer", "Tid", "Vem", "Åtgärd"}},
};
const size_t pvs_extract_nsections = sizeof pvs_extract_sections / sizeof pvs_extract_sections[0];

static int run_section(pvs_db *db, const struct pvs_extract_section *s, int64_t id,
                       pvs_extract_row_fn fn, void *ctx)
{
    struct pvs_param p[4];
    size_t n = 0;
    for (const char *c = s->sql; *c && n < 4; c++)
        if (*c == '?')
            p[n++] = PVS_I64(id);
    pvs_stmt st;
    int rc = pvs_query(db, &st, s->sql, p, n);
    if (rc != PVS_DB_OK)
        return rc;
    while ((rc = pvs_next(&st)) == PVS_DB_ROW) {
        const char *vals[PVS_EXTRACT_MAX_COLS];
        for (int i = 0; i < s->ncols; i++)
            vals[i] = pvs_col_is_null(&st, i) ? NULL : pvs_col_text(&st, i);
        if (fn(ctx, s, vals) != 0) {
            rc = PVS_DB_ERROR;
            break;
        }
    }
    pvs_finalize(&st);
    return rc == PVS_DB_DONE ? PVS_DB_OK : rc;
}

int pvs_extract_run(pvs_db *db, int64_t recipient_id, pvs_extract_row_fn fn, void *ctx)
{
    int64_t exists = 0;
    int rc = pvs_tx_begin(db, false);
    if (rc == PVS_DB_OK)
        rc = pvs_query_i64(db, "SELECT COUNT(*) FROM recipients WHERE id = ?",
                           PVS_ARGS(PVS_I64(recipient_id)), &exists);
    if (rc == PVS_DB_OK && !exists)
        rc = PVS_DB_NOTFOUND;
    for (size_t i = 0; rc == PVS_DB_OK && i < pvs_extract_nsections; i++)
        rc = run_section(db, &pvs_extract_sections[i], recipient_id, fn, ctx);
    pvs_tx_rollback(db); /* read only */
    return rc;
}
