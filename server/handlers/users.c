/* Admin users: /api/v1/users. A central administrator manages everyone; a provider
 * administrator manages its own provider's provider administrators, planners and auditors.
 * Disabling a user or resetting a password ends the user's sessions at once. The SQL,
 * transactions and audit entries: services/users.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "../services/providers.h"
#include "../services/users.h"
#include "core_handlers.h"
#include "pvs/audit.h"
#include "pvs/authz.h"
#include "pvs/clock.h"
#include "pvs/core.h"

/* A row of services/users.h as JSON. */
static json_t *user_row(pvs_stmt *st, const void *ctx)
{
    (void)ctx;
    return json_pack("{s:I, s:s, s:s, s:s, s:o, s:b, s:b, s:b, s:I}",
                     "id", (json_int_t)pvs_col_i64(st, 0), "username", pvs_col_text(st, 1),
                     "display_name", pvs_col_text(st, 2), "role", pvs_col_text(st, 3),
                     "provider_id", pvs_json_col_i64_or_null(st, 4),
                     "disabled", pvs_col_i64(st, 5) != 0, "totp_enrolled", pvs_col_i64(st, 6) != 0,
                     "locked", pvs_col_i64(st, 7) > pvs_wall_now(), "created_at",
                     (json_int_t)pvs_col_i64(st, 8));
}

static bool keep_row(pvs_stmt *st, void *ctx)
{
    *(json_t **)ctx = user_row(st, NULL);
    return false;
}

json_t *pvs_user_json(pvs_db *db, int64_t id)
{
    json_t *o = NULL;
    if (pvs_user_get(db, id, &(struct pvs_rows_out){keep_row, &o}) != PVS_DB_OK && o) {
        json_decref(o);
        o = NULL;
    }
    return o;
}

static bool username_ok(const char *u)
{
    size_t n = strlen(u);
    if (n < 1 || n > 64)
        return false;
    for (; *u; u++)
        if (!strchr("abcdefghijklmnopqrstuvwxyz0123456789._@-", *u))
            return false;
    return true;
}

/* The roles `r` may give: everything for a central administrator; provider roles only for
 * a provider administrator. */
bool pvs_may_grant(const struct pvs_req *r, enum pvs_role role)
{
    if (r->who.role == PVS_ROLE_CENTRAL_ADMIN)
        return role != PVS_ROLE_NONE;
    return r->who.role == PVS_ROLE_PROVIDER_ADMIN &&
           (role == PVS_ROLE_PROVIDER_ADMIN || role == PVS_ROLE_PLANNER || role == PVS_ROLE_AUDITOR);
}

bool pvs_role_provider_ok(struct pvs_req *r, enum pvs_role role, int64_t provider_id)
{
    if (pvs_role_needs_provider(role) && provider_id == 0) {
        pvs_problem(r, 400, "invalid-body", "Invalid request body",
                    "A %s belongs to a provider: give provider_id.", pvs_role_name(role));
        return false;
    }
    if (pvs_role_forbids_provider(role) && provider_id != 0) {
        pvs_problem(r, 400, "invalid-body", "Invalid request body",
                    "A %s is central: provider_id must be null.", pvs_role_name(role));
        return false;
    }
    return true;
}

/* Load a user's provider and role, enforcing the caller's scope (404 otherwise). */
static bool load_target(struct pvs_req *r, int64_t *id, int64_t *provider_id, enum pvs_role *role)
{
    if (!pvs_req_id(r, 0, id))
        return false;
    char name[32];
    int rc = pvs_user_target(r->db, *id, provider_id, name);
    if (rc != PVS_DB_OK) {
        pvs_problem_db(r, rc, "This user");
        return false;
    }
    *role = pvs_role_parse(name);
    if (!pvs_scope_require(r, *provider_id, "user", *id))
        return false;
    if (!pvs_may_grant(r, *role)) { /* a provider admin never manages central users */
        pvs_problem(r, 404, "not-found", "Not found", "user %lld does not exist.", (long long)*id);
        return false;
    }
    return true;
}

void pvs_h_users_list(struct pvs_req *r)
{
    struct pvs_page_rows pr = {.row = user_row};
    if (!pvs_page_begin(r, &pr.pg))
        return;
    struct pvs_range rg = {pr.pg.after, pr.pg.limit + 1};
    int rc = pvs_users_list(r->db, pvs_scope_provider(r), &rg,
                            &(struct pvs_rows_out){pvs_page_rows_add, &pr});
    pvs_page_rows_reply(r, &pr, rc, "users");
}

void pvs_h_users_get(struct pvs_req *r)
{
    int64_t id, provider;
    enum pvs_role role;
    if (!load_target(r, &id, &provider, &role))
        return;
    json_t *u = pvs_user_json(r->db, id);
    if (!u)
        pvs_problem_db(r, PVS_DB_NOTFOUND, "This user");
    else
        pvs_reply_json(r, 200, u);
}

bool pvs_check_provider_active(struct pvs_req *r, int64_t provider_id)
{
    bool active = false;
    if (provider_id == 0)
        return true;
    if (pvs_provider_is_active(r->db, provider_id, &active) != PVS_DB_OK || !active) {
        pvs_problem(r, 400, "invalid-body", "Invalid request body",
                    "provider %lld does not exist or is deactivated.", (long long)provider_id);
        return false;
    }
    return true;
}

void pvs_h_users_create(struct pvs_req *r)
{
    static const struct pvs_jfield fields[] = {
        {"username", PVS_J_STRING, PVS_JF_REQUIRED, 1, 64},
        {"display_name", PVS_J_STRING, PVS_JF_REQUIRED, 1, 128},
        {"role", PVS_J_STRING, PVS_JF_REQUIRED, 1, 32},
        {"provider_id", PVS_J_ID, PVS_JF_NULLABLE, 0, 0},
    };
    json_t *b = pvs_body_json(r, PVS_JFIELDS(fields));
    if (!b)
        return;
    const char *username = pvs_jstr(b, "username", "");
    enum pvs_role role = pvs_role_parse(pvs_jstr(b, "role", ""));
    int64_t provider = 0, uid = 0;
    char pw[32], hash[128];
    if (!username_ok(username)) {
        pvs_problem(r, 400, "invalid-body", "Invalid request body",
                    "username must be 1 to 64 of a-z, 0-9, '.', '_', '@', '-'.");
    } else if (role == PVS_ROLE_NONE) {
        pvs_problem(r, 400, "invalid-body", "Invalid request body",
                    "role must be central_admin, installer, provider_admin, planner or auditor.");
    } else if (!pvs_may_grant(r, role)) {
        pvs_problem_ext(r, 403, "forbidden", "Not allowed for your role",
                        pvs_problem_role_params(r->who.role, role), "A %s cannot create a %s.",
                        pvs_role_name(r->who.role), pvs_role_name(role));
    } else if (pvs_scope_target(r, pvs_jint(b, "provider_id", 0), true, &provider) &&
               pvs_role_provider_ok(r, role, provider) && pvs_check_provider_active(r, provider)) {
        pvs_password_generate(pw);
        json_t *d = json_pack("{s:s, s:s, s:o}", "username", username, "role", pvs_role_name(role),
                              "provider_id", pvs_json_id_or_null(provider));
        struct pvs_audit_actor who = pvs_audit_actor_of(r);
        struct pvs_user_new u = {username, pvs_jstr(b, "display_name", ""), pvs_role_name(role),
                                 provider, hash, pvs_audit_details(d)};
        json_decref(d);
        int rc = pvs_password_hash(pw, hash) == 0 && u.details
                     ? pvs_user_create(r->db, &who, &u, &uid)
                     : PVS_DB_ERROR;
        free((char *)u.details);
        if (rc != PVS_DB_OK) {
            pvs_problem_db(r, rc, "That username");
        } else {
            json_t *o = pvs_user_json(r->db, uid);
            pvs_reply_json(r, 201, json_pack("{s:o, s:s}", "user", o ? o : json_null(),
                                             "initial_password", pw));
        }
        sodium_memzero(pw, sizeof pw);
        sodium_memzero(hash, sizeof hash);
    }
    json_decref(b);
}

/* Apply a validated PATCH through the service; returns a pvs_db_rc. */
static int apply_patch(struct pvs_req *r, int64_t id, int64_t provider, const json_t *b,
                       enum pvs_role new_role, int disabled)
{
    struct pvs_audit_actor who = pvs_audit_actor_of(r);
    struct pvs_user_change c = {
        pvs_jhas(b, "display_name") ? pvs_jstr(b, "display_name", "") : NULL,
        new_role != PVS_ROLE_NONE ? pvs_role_name(new_role) : NULL, disabled,
        pvs_audit_details(b)};
    int rc = c.details ? pvs_user_update(r->db, &who, id, provider, &c) : PVS_DB_ERROR;
    free((char *)c.details);
    return rc;
}

void pvs_h_users_patch(struct pvs_req *r)
{
    static const struct pvs_jfield fields[] = {
        {"display_name", PVS_J_STRING, 0, 1, 128},
        {"role", PVS_J_STRING, 0, 1, 32},
        {"disabled", PVS_J_BOOL, 0, 0, 0},
    };
    int64_t id, provider;
    enum pvs_role old_role;
    if (!load_target(r, &id, &provider, &old_role))
        return;
    json_t *b = pvs_body_json(r, PVS_JFIELDS(fields));
    if (!b)
        return;
    enum pvs_role role = pvs_jhas(b, "role") ? pvs_role_parse(pvs_jstr(b, "role", "")) : PVS_ROLE_NONE;
    int disabled = pvs_jhas(b, "disabled") ? (pvs_jbool(b, "disabled", false) ? 1 : 0) : -1;
    if (pvs_jhas(b, "role") && role == PVS_ROLE_NONE) {
        pvs_problem(r, 400, "invalid-body", "Invalid request body",
                    "role must be central_admin, installer, provider_admin, planner or auditor.");
    } else if (role != PVS_ROLE_NONE && !pvs_may_grant(r, role)) {
        pvs_problem_ext(r, 403, "forbidden", "Not allowed for your role",
                        pvs_problem_role_params(r->who.role, role), "A %s cannot make a user %s.",
                        pvs_role_name(r->who.role), pvs_role_name(role));
    } else if (id == r->who.user_id && (role != PVS_ROLE_NONE || disabled == 1)) {
        pvs_problem(r, 409, "self-change", "Not on yourself",
                    "You cannot change your own role or disable yourself; ask another administrator.");
    } else if (role == PVS_ROLE_NONE || pvs_role_provider_ok(r, role, provider)) {
        if (role == old_role)
            role = PVS_ROLE_NONE;
        int rc = apply_patch(r, id, provider, b, role, disabled);
        json_t *u = rc == PVS_DB_OK ? pvs_user_json(r->db, id) : NULL;
        if (u)
            pvs_reply_json(r, 200, u);
        else
            pvs_problem_db(r, rc == PVS_DB_OK ? PVS_DB_NOTFOUND : rc, "This user");
    }
    json_decref(b);
}

void pvs_h_users_reset(struct pvs_req *r)
{
    int64_t id, provider;
    enum pvs_role role;
    if (!load_target(r, &id, &provider, &role))
        return;
    if (id == r->who.user_id) {
        pvs_problem(r, 409, "self-change", "Not on yourself",
                    "Ask another administrator to reset your password.");
        return;
    }
    char pw[32], hash[128];
    pvs_password_generate(pw);
    struct pvs_audit_actor who = pvs_audit_actor_of(r);
    int rc = PVS_DB_ERROR;
    if (pvs_password_hash(pw, hash) == 0)
        rc = pvs_user_reset_password(r->db, &who, id, provider, hash);
    if (rc == PVS_DB_OK)
        pvs_reply_json(r, 200, json_pack("{s:s}", "initial_password", pw));
    else
        pvs_problem_db(r, rc, "This user");
    sodium_memzero(pw, sizeof pw);
    sodium_memzero(hash, sizeof hash);
}

void pvs_h_users_unlock(struct pvs_req *r)
{
    int64_t id, provider;
    enum pvs_role role;
    if (!load_target(r, &id, &provider, &role))
        return;
    struct pvs_audit_actor who = pvs_audit_actor_of(r);
    int rc = pvs_user_unlock(r->db, &who, id, provider);
    json_t *u = rc == PVS_DB_OK ? pvs_user_json(r->db, id) : NULL;
    if (u)
        pvs_reply_json(r, 200, u);
    else
        pvs_problem_db(r, rc == PVS_DB_OK ? PVS_DB_NOTFOUND : rc, "This user");
}
