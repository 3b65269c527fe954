/* Schema migrations of the phone key and alarm access (versions 120..129): staff members'
 * own phone logins (password + TOTP), their short phone sessions, the per-phone server
 * secret mixed into the phone's PIN key, alarm grants, and the scope of an API token. */
#include "pvs/store.h"

const char pvs_m120_phone[] =
    /* one login per staff member for the phone app; made by their planner */
    "CREATE TABLE staff_logins ("
    " staff_id BIGINT PRIMARY KEY REFERENCES staff(id),"
    " provider_id BIGINT NOT NULL REFERENCES providers(id),"
    " username TEXT NOT NULL UNIQUE,"
    " pw_hash TEXT NOT NULL,"
    " totp_secret @BLOB@ NOT NULL,"
    " totp_last_step BIGINT NOT NULL DEFAULT 0," /* each code is usable once */
    " failed_logins BIGINT NOT NULL DEFAULT 0,"
    " locked_until BIGINT NOT NULL DEFAULT 0,"
    " created_at BIGINT NOT NULL);"
    "CREATE TABLE phone_sessions ("
    " id_hash @BLOB@ PRIMARY KEY," /* BLAKE2b-256 of the session value */
    " staff_id BIGINT NOT NULL REFERENCES staff(id),"
    " expires_at BIGINT NOT NULL,"
    " created_at BIGINT NOT NULL);"
    "CREATE INDEX phone_sessions_staff ON phone_sessions(staff_id);"
    "CREATE TABLE phone_secrets ("
    " bearer_id BIGINT PRIMARY KEY REFERENCES bearers(id),"
    " secret @BLOB@ NOT NULL,"
    " created_at BIGINT NOT NULL);";

const char pvs_m121_alarm[] =
    "CREATE TABLE alarm_grants ("
    " id @PK@,"
    " alarm_ref TEXT NOT NULL,"
    " recipient_id BIGINT NOT NULL REFERENCES recipients(id),"
    " bearer_id BIGINT NOT NULL REFERENCES bearers(id),"
    " starts_at BIGINT NOT NULL,"
    " ends_at BIGINT NOT NULL," /* as granted */
    " ended_at BIGINT,"         /* ended early */
    " created_by TEXT NOT NULL,"
    " ended_by TEXT,"
    " created_at BIGINT NOT NULL,"
    " CHECK (ends_at > starts_at));"
    "CREATE INDEX alarm_grants_bearer ON alarm_grants(bearer_id, ends_at);"
    /* 'full': the token's role decides; 'alarm': only the alarm-grant routes */
    "ALTER TABLE api_tokens ADD COLUMN scope TEXT NOT NULL DEFAULT 'full';";
