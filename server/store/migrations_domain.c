/* Schema migrations of the domain module (versions 100..199): staff and their bearers,
 * stations, owners, buildings, locks, care recipients (alarm code and address only),
 * provider periods, consents, rights, sync state, revocation lists and the ingested logs.
 * Dates are ISO text (YYYY-MM-DD, sorts like the calendar), times unix seconds. */
#include "pvs/store.h"

static const char m100_people[] =
    "CREATE TABLE staff ("
    " id @PK@,"
    " provider_id BIGINT NOT NULL REFERENCES providers(id),"
    " display_name TEXT NOT NULL,"
    " employee_ref TEXT,"
    " active BIGINT NOT NULL DEFAULT 1,"
    " created_at BIGINT NOT NULL);"
    "CREATE INDEX staff_provider ON staff(provider_id);"
    "CREATE TABLE bearers ("
    " id @PK@,"
    " staff_id BIGINT NOT NULL REFERENCES staff(id),"
    " provider_id BIGINT NOT NULL REFERENCES providers(id),"
    " kind TEXT NOT NULL CHECK (kind IN ('fob','phone')),"
    " label TEXT NOT NULL,"
    " public_key @BLOB@ NOT NULL UNIQUE,"
    " state TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active','lost','retired')),"
    " revoked_at BIGINT,"
    " last_sync_at BIGINT,"
    " created_at BIGINT NOT NULL);"
    "CREATE INDEX bearers_staff ON bearers(staff_id);"
    "CREATE INDEX bearers_provider ON bearers(provider_id);"
    "CREATE TABLE stations ("
    " id @PK@,"
    " provider_id BIGINT NOT NULL REFERENCES providers(id),"
    " name TEXT NOT NULL,"
    " public_key @BLOB@ NOT NULL UNIQUE,"
    " state TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active','retired')),"
    " last_seen BIGINT,"
    " created_at BIGINT NOT NULL);";

static const char m101_places[] =
    "CREATE TABLE owners ("
    " id @PK@,"
    " name TEXT NOT NULL,"
    " org_number TEXT,"
    " created_at BIGINT NOT NULL);"
    "CREATE TABLE buildings ("
    " id @PK@,"
    " owner_id BIGINT NOT NULL REFERENCES owners(id),"
    " address TEXT NOT NULL,"
    " property_ref TEXT,"
    " created_at BIGINT NOT NULL);"
    "CREATE INDEX buildings_owner ON buildings(owner_id);"
    "CREATE TABLE locks ("
    " id @PK@,"
    " kind TEXT NOT NULL CHECK (kind IN ('apartment','entrance','common')),"
    " building_id BIGINT NOT NULL REFERENCES buildings(id),"
    " label TEXT NOT NULL DEFAULT '',"
    " lock_public_key @BLOB@,"
    " issuer_id BIGINT NOT NULL DEFAULT 1,"
    " state TEXT NOT NULL DEFAULT 'registered'"
    "   CHECK (state IN ('registered','installed','removed')),"
    " installed_at BIGINT,"
    " battery_mv BIGINT,"
    " battery_pct BIGINT,"
    " last_seen BIGINT,"
    " revlist_version BIGINT NOT NULL DEFAULT 0,"
    " log_next_seq BIGINT NOT NULL DEFAULT 0," /* one past the highest stored event */
    " log_gaps BIGINT NOT NULL DEFAULT 0,"     /* open ranges in lock_log_gaps */
    " created_at BIGINT NOT NULL);"
    "CREATE INDEX locks_building ON locks(building_id, kind, state);"
    "CREATE TABLE lock_history ("
    " id @PK@,"
    " lock_id BIGINT NOT NULL REFERENCES locks(id),"
    " action TEXT NOT NULL CHECK (action IN ('commission','move','remove')),"
    " building_id BIGINT REFERENCES buildings(id),"
    " at BIGINT NOT NULL,"
    " user_id BIGINT);"
    "CREATE INDEX lock_history_lock ON lock_history(lock_id);";

static const char m102_recipients[] =
    "CREATE TABLE recipients ("
    " id @PK@,"
    " alarm_code TEXT NOT NULL UNIQUE,"
    " building_id BIGINT NOT NULL REFERENCES buildings(id),"
    " apartment TEXT NOT NULL DEFAULT '',"
    " lock_id BIGINT UNIQUE REFERENCES locks(id),"
    " created_at BIGINT NOT NULL);"
    "CREATE INDEX recipients_building ON recipients(building_id);"
    "CREATE TABLE recipient_providers ("
    " id @PK@,"
    " recipient_id BIGINT NOT NULL REFERENCES recipients(id),"
    " provider_id BIGINT NOT NULL REFERENCES providers(id),"
    " valid_from TEXT NOT NULL,"
    " valid_until TEXT," /* exclusive; NULL while current */
    " created_at BIGINT NOT NULL);"
    "CREATE INDEX recipient_providers_r ON recipient_providers(recipient_id, valid_from);"
    "CREATE INDEX recipient_providers_p ON recipient_providers(provider_id, recipient_id,"
    " valid_from, valid_until);"
    "CREATE TABLE consents ("
    " id @PK@,"
    " kind TEXT NOT NULL CHECK (kind IN ('recipient','property','portfolio')),"
    " recipient_id BIGINT REFERENCES recipients(id),"
    " building_id BIGINT REFERENCES buildings(id),"
    " owner_id BIGINT REFERENCES owners(id),"
    " reference TEXT NOT NULL DEFAULT '',"
    " given_on TEXT NOT NULL,"
    " withdrawn_at BIGINT,"
    " created_at BIGINT NOT NULL,"
    " CHECK ((kind = 'recipient' AND recipient_id IS NOT NULL)"
    "     OR (kind = 'property' AND building_id IS NOT NULL)"
    "     OR (kind = 'portfolio' AND owner_id IS NOT NULL)));"
    "CREATE INDEX consents_recipient ON consents(recipient_id);"
    "CREATE INDEX consents_building ON consents(building_id);"
    "CREATE INDEX consents_owner ON consents(owner_id);";

static const char m103_rights[] =
    "CREATE TABLE rights ("
    " id @PK@,"
    " staff_id BIGINT NOT NULL REFERENCES staff(id),"
    " recipient_id BIGINT NOT NULL REFERENCES recipients(id),"
    " provider_id BIGINT NOT NULL REFERENCES providers(id),"
    " kind TEXT NOT NULL CHECK (kind IN ('standing','temporary')),"
    " valid_from TEXT NOT NULL,"
    " valid_until TEXT," /* inclusive; NULL = until further notice (standing only) */
    " windows @BLOB@ NOT NULL,"
    /* copies of the recipient's building and installed apartment lock, kept current by
     * pvs_rights_refresh_recipient() so issuing reads one covering index, no joins */
    " building_id BIGINT,"
    " lock_id BIGINT,"
    " created_by BIGINT,"
    " created_at BIGINT NOT NULL);"
    "CREATE INDEX rights_issue ON rights(staff_id, recipient_id, valid_from, valid_until,"
    " lock_id, building_id, windows);"
    "CREATE INDEX rights_recipient ON rights(recipient_id);";

static const char m104_sync[] =
    "CREATE TABLE sync_nonces ("
    " nonce @BLOB@ PRIMARY KEY,"
    " bearer_id BIGINT NOT NULL,"
    " expires_at BIGINT NOT NULL,"
    " used BIGINT NOT NULL DEFAULT 0);"
    "CREATE INDEX sync_nonces_exp ON sync_nonces(expires_at);"
    "CREATE TABLE issuer_serials ("
    " issuer_id INTEGER PRIMARY KEY,"
    " last_serial BIGINT NOT NULL);"
    "CREATE TABLE syncs ("
    " id @PK@,"
    " bearer_id BIGINT NOT NULL,"
    " provider_id BIGINT,"
    " station_id BIGINT,"
    " at BIGINT NOT NULL,"
    " result TEXT NOT NULL," /* ok | blocked | bad-signature | nonce-used | ... */
    " serial BIGINT,"
    " not_after BIGINT,"
    " entries BIGINT);"
    "CREATE INDEX syncs_at ON syncs(at);"
    "CREATE INDEX syncs_bearer ON syncs(bearer_id, at);"
    "CREATE TABLE revlists ("
    " issuer_id BIGINT NOT NULL,"
    " version BIGINT NOT NULL,"
    " issued_at BIGINT NOT NULL,"
    " entries BIGINT NOT NULL,"
    " truncated BIGINT NOT NULL DEFAULT 0,"
    " key_id BIGINT NOT NULL DEFAULT 0," /* the issuer key that signed it */
    " body @BLOB@ NOT NULL,"
    " PRIMARY KEY (issuer_id, version));";

static const char m105_logs[] =
    "CREATE TABLE lock_events ("
    " lock_id BIGINT NOT NULL,"
    " seq BIGINT NOT NULL,"
    " time BIGINT NOT NULL,"
    " kind BIGINT NOT NULL,"
    " reason BIGINT NOT NULL,"
    " aux BIGINT NOT NULL,"
    " subject BIGINT NOT NULL,"
    " raw @BLOB@ NOT NULL,"
    " chain @BLOB@," /* chain value after this event; kept for the last event of a batch */
    " received_at BIGINT NOT NULL,"
    " PRIMARY KEY (lock_id, seq));"
    "CREATE INDEX lock_events_time ON lock_events(time);"
    "CREATE TABLE lock_log_gaps ("
    " lock_id BIGINT NOT NULL,"
    " from_seq BIGINT NOT NULL,"
    " to_seq BIGINT NOT NULL,"
    " PRIMARY KEY (lock_id, from_seq));"
    "CREATE TABLE bearer_events ("
    " bearer_id BIGINT NOT NULL,"
    " seq BIGINT NOT NULL,"
    " time BIGINT NOT NULL,"
    " kind TEXT NOT NULL CHECK (kind IN ('open','refused')),"
    " lock_id BIGINT NOT NULL,"
    " reason TEXT,"
    " station_id BIGINT,"
    " received_at BIGINT NOT NULL,"
    " PRIMARY KEY (bearer_id, seq));"
    "CREATE INDEX bearer_events_time ON bearer_events(time);"
    "CREATE INDEX bearer_events_lock ON bearer_events(lock_id, time);";


/* Compiled grant sets per staff member (server/services/grants.c) and the generation that
 * invalidates them: every change that can alter what any key may open calls
 * pvs_grants_changed(), which bumps it in the same transaction. */
static const char m106_grant_cache[] =
    "CREATE TABLE rights_generation ("
    " id INTEGER PRIMARY KEY CHECK (id = 1),"
    " value BIGINT NOT NULL);"
    "INSERT INTO rights_generation (id, value) VALUES (1, 1);"
    "CREATE TABLE rights_cache ("
    " staff_id INTEGER PRIMARY KEY,"
    " provider_id BIGINT NOT NULL,"
    " generation BIGINT NOT NULL,"
    " from_day BIGINT NOT NULL,"
    " body @BLOB@ NOT NULL);";

/* Keys waiting to be enrolled (issue 9): a station (or the phone app) hands up a new key's
 * public key with the key's own signature and gets a short code to show; the planner types
 * the code (or picks the key from the station's list) instead of the public key. A row is
 * used once (bearer_id set) and forgotten by the list after expires_at. */
static const char m110_key_enrolments[] =
    "CREATE TABLE key_enrolments ("
    " id @PK@,"
    " provider_id BIGINT NOT NULL REFERENCES providers(id),"
    " station_id BIGINT REFERENCES stations(id),"
    " code TEXT NOT NULL UNIQUE,"
    " kind TEXT NOT NULL CHECK (kind IN ('fob','phone')),"
    " public_key @BLOB@ NOT NULL,"
    " created_at BIGINT NOT NULL,"
    " expires_at BIGINT NOT NULL,"
    " bearer_id BIGINT REFERENCES bearers(id));"
    "CREATE INDEX key_enrolments_provider ON key_enrolments(provider_id, expires_at);"
    "CREATE INDEX key_enrolments_key ON key_enrolments(public_key);";

/* When the battery level the lock list shows was measured (the time of the lock's own
 * signed battery event), so a planner can tell a fresh reading from an old one. */
static const char m111_battery_at[] = "ALTER TABLE locks ADD COLUMN battery_at BIGINT;";
/* The phone key and alarm access (server/store/migrations_phone.c). */
extern const char pvs_m120_phone[], pvs_m121_alarm[];
/* The resident's own view of who entered (server/services/resident.c): a capability link per
 * recipient, opt-in with the consent recorded, stored only as a keyed hash; every view and
 * every refused lookup (for the rate limit) recorded. */
static const char m150_resident_links[] =
    "CREATE TABLE resident_links ("
    " id @PK@,"
    " recipient_id BIGINT NOT NULL REFERENCES recipients(id),"
    " token_hash @BLOB@ NOT NULL UNIQUE," /* keyed BLAKE2b-256 under the sealed pepper */
    " consent_given_on TEXT NOT NULL,"
    " consent_by TEXT NOT NULL CHECK (consent_by IN ('resident','representative')),"
    " consent_reference TEXT NOT NULL DEFAULT '',"
    " created_by BIGINT,"
    " created_at BIGINT NOT NULL,"
    " revoked_at BIGINT,"
    " revoked_by BIGINT);"
    "CREATE INDEX resident_links_recipient ON resident_links(recipient_id, id);"
    "CREATE TABLE resident_link_views ("
    " id @PK@,"
    " link_id BIGINT NOT NULL REFERENCES resident_links(id),"
    " at BIGINT NOT NULL);"
    "CREATE INDEX resident_link_views_link ON resident_link_views(link_id, at);"
    "CREATE TABLE resident_link_failures ("
    " id @PK@,"
    " client_addr TEXT NOT NULL,"
    " at BIGINT NOT NULL);"
    "CREATE INDEX resident_link_failures_addr ON resident_link_failures(client_addr, at);";

const struct pvs_migration pvs_migrations_domain[] = {
    {100, "domain: staff, bearers, stations", m100_people},
    {101, "domain: owners, buildings, locks", m101_places},
    {102, "domain: recipients, provider periods, consents", m102_recipients},
    {103, "domain: rights", m103_rights},
    {104, "domain: sync nonces, serials, revocation lists", m104_sync},
    {105, "domain: lock and bearer logs", m105_logs},
    {106, "domain: compiled grant cache and its generation", m106_grant_cache},
    {110, "domain: keys waiting for enrolment by code", m110_key_enrolments},
    {111, "domain: when a lock's battery level was measured", m111_battery_at},
    {120, "phone: staff logins, phone sessions, per-phone secrets", pvs_m120_phone},
    {121, "alarm grants and API token scope", pvs_m121_alarm},
    {150, "domain: resident links, their views and refused lookups", m150_resident_links},
    /* the care-planning import finds a new recipient's building by its address */
    {170, "domain: buildings found by address", "CREATE INDEX buildings_address ON buildings(address);"},
};
const size_t pvs_migrations_domain_count =
    sizeof pvs_migrations_domain / sizeof pvs_migrations_domain[0];
