/* Schema migrations of the server core (versions 1..99): providers, admin users, sessions,
 * API tokens, login throttling, the audit trail and issuer public keys. */
#include "pvs/store.h"

/* Portable SQL only: INTEGER/BIGINT/TEXT plus the @PK@/@BLOB@ tokens, CHECK constraints,
 * no backend-specific functions. Times are unix seconds (BIGINT). */
const struct pvs_migration pvs_migrations_core[] = {
    {1, "providers and admin users",
     "CREATE TABLE providers ("
     " id @PK@,"
     " name TEXT NOT NULL UNIQUE,"
     " org_number TEXT,"
     " active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),"
     " created_at BIGINT NOT NULL,"
     " updated_at BIGINT NOT NULL);"
     "CREATE TABLE users ("
     " id @PK@,"
     " username TEXT NOT NULL UNIQUE,"
     " display_name TEXT NOT NULL,"
     " role TEXT NOT NULL CHECK (role IN ('central_admin', 'installer', 'provider_admin',"
     "   'planner', 'auditor')),"
     " provider_id BIGINT REFERENCES providers(id),"
     " pw_hash TEXT NOT NULL,"
     " totp_secret @BLOB@,"       /* NULL until enrolled */
     " totp_pending @BLOB@,"      /* secret shown during enrolment, not yet confirmed */
     " totp_last_step BIGINT NOT NULL DEFAULT 0," /* each code is usable once */
     " disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),"
     " failed_logins INTEGER NOT NULL DEFAULT 0,"
     " next_login_at BIGINT NOT NULL DEFAULT 0,"
     " locked_until BIGINT NOT NULL DEFAULT 0,"
     " created_at BIGINT NOT NULL,"
     " updated_at BIGINT NOT NULL);"
     "CREATE INDEX users_provider ON users (provider_id, id);"},
    {2, "sessions, api tokens, login throttling",
     "CREATE TABLE sessions ("
     " id_hash @BLOB@ PRIMARY KEY," /* BLAKE2b-256 of the cookie value */
     " user_id BIGINT NOT NULL REFERENCES users(id),"
     " stage TEXT NOT NULL CHECK (stage IN ('totp', 'enroll', 'full')),"
     " csrf TEXT NOT NULL,"
     " created_at BIGINT NOT NULL,"
     " last_seen BIGINT NOT NULL,"
     " expires_at BIGINT NOT NULL,"
     " client_addr TEXT NOT NULL);"
     "CREATE INDEX sessions_user ON sessions (user_id);"
     "CREATE TABLE api_tokens ("
     " id @PK@,"
     " name TEXT NOT NULL,"
     " token_hash @BLOB@ NOT NULL UNIQUE,"
     " role TEXT NOT NULL CHECK (role IN ('central_admin', 'installer', 'provider_admin',"
     "   'planner', 'auditor')),"
     " provider_id BIGINT REFERENCES providers(id),"
     " created_by BIGINT REFERENCES users(id),"
     " created_at BIGINT NOT NULL,"
     " revoked_at BIGINT,"
     " last_used_at BIGINT);"
     "CREATE INDEX api_tokens_provider ON api_tokens (provider_id, id);"
     "CREATE TABLE login_failures ("
     " id @PK@,"
     " client_addr TEXT NOT NULL,"
     " at BIGINT NOT NULL);"
     "CREATE INDEX login_failures_addr ON login_failures (client_addr, at);"},
    {3, "audit trail and issuer keys",
     "CREATE TABLE audit_log ("
     " seq BIGINT PRIMARY KEY,"
     " at BIGINT NOT NULL,"
     " actor_user_id BIGINT,"
     " actor_name TEXT NOT NULL,"
     " actor_role TEXT NOT NULL,"
     " provider_id BIGINT," /* tenant that may read the record; NULL = central only */
     " client_addr TEXT NOT NULL,"
     " request_id TEXT NOT NULL,"
     " action TEXT NOT NULL,"
     " object_type TEXT NOT NULL,"
     " object_id BIGINT,"
     " details TEXT NOT NULL,"
     " prev_hash @BLOB@ NOT NULL,"
     " hash @BLOB@ NOT NULL);"
     "CREATE INDEX audit_log_provider ON audit_log (provider_id, seq);"
     "CREATE TABLE audit_head ("
     " id INTEGER PRIMARY KEY CHECK (id = 1),"
     " seq BIGINT NOT NULL,"
     " hash @BLOB@);"
     "INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, NULL);"
     "CREATE TABLE issuer_keys ("
     " key_id BIGINT PRIMARY KEY,"
     " issuer_id BIGINT NOT NULL,"
     " public_key @BLOB@ NOT NULL,"
     " created_at BIGINT NOT NULL,"
     " retired_at BIGINT);"},
    {10, "webauthn credentials and single-use challenges",
     "CREATE TABLE webauthn_credentials ("
     " id @PK@,"
     " user_id BIGINT NOT NULL REFERENCES users(id),"
     " cred_id @BLOB@ NOT NULL UNIQUE,"    /* the authenticator's credential id */
     " public_key @BLOB@ NOT NULL,"        /* raw key as libfido2 gives it */
     " cose_alg INTEGER NOT NULL,"
     " sign_count BIGINT NOT NULL DEFAULT 0," /* must grow at every sign-in */
     " aaguid @BLOB@ NOT NULL,"
     " fmt TEXT NOT NULL,"
     " name TEXT NOT NULL,"
     " created_at BIGINT NOT NULL,"
     " last_used_at BIGINT);"
     "CREATE INDEX webauthn_credentials_user ON webauthn_credentials (user_id, id);"
     "CREATE TABLE webauthn_challenges ("
     " binding_hash @BLOB@ PRIMARY KEY,"   /* BLAKE2b-256 of the ceremony cookie */
     " challenge @BLOB@ NOT NULL,"
     " purpose TEXT NOT NULL CHECK (purpose IN ('register', 'login', 'passkey')),"
     " user_id BIGINT,"                    /* NULL for a passwordless sign-in */
     " session_hash @BLOB@,"               /* the session it belongs to, if any */
     " expires_at BIGINT NOT NULL);"},
    {11, "single sign-on: pending sign-ins and the provider's identities",
     "CREATE TABLE oidc_states ("
     " state_hash @BLOB@ PRIMARY KEY,"     /* BLAKE2b-256 of the state sent to the provider */
     " binding_hash @BLOB@ NOT NULL,"      /* of the browser's __Host-pv_oidc cookie */
     " nonce TEXT NOT NULL,"
     " verifier TEXT NOT NULL,"            /* PKCE code verifier */
     " expires_at BIGINT NOT NULL);"
     "CREATE TABLE oidc_identities ("
     " id @PK@,"
     " issuer TEXT NOT NULL,"
     " subject TEXT NOT NULL,"
     " user_id BIGINT NOT NULL REFERENCES users(id),"
     " created_at BIGINT NOT NULL,"
     " last_login_at BIGINT NOT NULL,"
     " UNIQUE (issuer, subject));"},
    /* secrets the server makes for itself (the capability-link pepper), each sealed under
     * the vault key outside the database (server/core/vault_db.c) */
    {20, "sealed server secrets",
     "CREATE TABLE server_secrets ("
     " name TEXT PRIMARY KEY,"
     " value @BLOB@ NOT NULL);"},
    /* outgoing events: the outbox is written in the transaction of the change it reports,
     * one delivery per subscribed webhook (server/services/outbox.c, webhook_worker.c) */
    {30, "outgoing events: webhooks, outbox, deliveries",
     "CREATE TABLE webhooks ("
     " id @PK@,"
     " url TEXT NOT NULL,"
     " events TEXT NOT NULL,"              /* ",kind,kind," or ",*," */
     " secret @BLOB@ NOT NULL,"            /* HMAC key, sealed under the vault key */
     " active BIGINT NOT NULL DEFAULT 1,"
     " created_by TEXT NOT NULL,"
     " created_at BIGINT NOT NULL);"
     "CREATE TABLE outbox_events ("
     " id @PK@,"
     " event_key TEXT NOT NULL UNIQUE,"    /* the idempotency key receivers deduplicate on */
     " kind TEXT NOT NULL,"
     " body TEXT NOT NULL,"                /* the exact JSON that is signed and sent */
     " created_at BIGINT NOT NULL);"
     "CREATE TABLE outbox_deliveries ("
     " id @PK@,"
     " event_id BIGINT NOT NULL REFERENCES outbox_events(id),"
     " webhook_id BIGINT NOT NULL REFERENCES webhooks(id),"
     " state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'dead')),"
     " attempts BIGINT NOT NULL DEFAULT 0,"
     " next_at BIGINT NOT NULL,"
     " last_status BIGINT NOT NULL DEFAULT 0," /* HTTP status of the last try, 0: no answer */
     " last_error TEXT,"
     " delivered_at BIGINT,"
     " UNIQUE (event_id, webhook_id));"
     "CREATE INDEX outbox_deliveries_due ON outbox_deliveries(state, next_at);"},
    /* crypto-shredding (server/audit/audit_seal.c): one key per person or object whose
     * personal values the audit trail holds sealed; deleting the row erases them */
    {60, "per-person keys of sealed audit values",
     "CREATE TABLE person_keys ("
     " id @PK@,"
     " subject_type TEXT NOT NULL,"
     " subject_id BIGINT NOT NULL,"
     " sealed_key @BLOB@ NOT NULL,"        /* sealed under the vault key */
     " created_at BIGINT NOT NULL,"
     " UNIQUE (subject_type, subject_id));"},
    /* the audit trail's expiry (server/audit/audit_tombstone.c): each cut from the front of
     * the chain leaves the last removed record's seq and hash, attested inside the chain */
    {61, "audit tombstones",
     "CREATE TABLE audit_tombstones ("
     " through_seq BIGINT PRIMARY KEY,"
     " through_hash @BLOB@ NOT NULL,"
     " attest_seq BIGINT NOT NULL,"
     " removed BIGINT NOT NULL);"},
};
const size_t pvs_migrations_core_count = sizeof pvs_migrations_core / sizeof pvs_migrations_core[0];
