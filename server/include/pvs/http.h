/* The HTTP layer of portvakt-server as route handlers see it: the request context, the
 * route table, responses, problem details and pagination. */
#ifndef PVS_HTTP_H
#define PVS_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "pvs/store.h"

struct pvs_server;

/* Bodies larger than this are refused with 413 before a handler runs. */
#define PVS_MAX_BODY (1u << 20)
#define PVS_MAX_PATH_PARAMS 4
#define PVS_MAX_PATH 1024

/* ------------------------------------------------------------------ roles */

enum pvs_role {
    PVS_ROLE_NONE = 0,
    PVS_ROLE_CENTRAL_ADMIN = 1,
    PVS_ROLE_INSTALLER = 2,
    PVS_ROLE_PROVIDER_ADMIN = 3,
    PVS_ROLE_PLANNER = 4,
    PVS_ROLE_AUDITOR = 5,
};
#define PVS_ROLE_COUNT 6

/* Bits for a route's allowed roles. */
#define PVS_R_CENTRAL_ADMIN (1u << PVS_ROLE_CENTRAL_ADMIN)
#define PVS_R_INSTALLER (1u << PVS_ROLE_INSTALLER)
#define PVS_R_PROVIDER_ADMIN (1u << PVS_ROLE_PROVIDER_ADMIN)
#define PVS_R_PLANNER (1u << PVS_ROLE_PLANNER)
#define PVS_R_AUDITOR (1u << PVS_ROLE_AUDITOR)
#define PVS_R_ALL (PVS_R_CENTRAL_ADMIN | PVS_R_INSTALLER | PVS_R_PROVIDER_ADMIN | PVS_R_PLANNER | PVS_R_AUDITOR)

/* "central_admin" ... ; NULL for an unknown value. */
const char *pvs_role_name(enum pvs_role role);
/* PVS_ROLE_NONE if `name` is not a role. */
enum pvs_role pvs_role_parse(const char *name);
/* Central roles never carry a provider; provider roles always do; an auditor may do either. */
bool pvs_role_needs_provider(enum pvs_role role);
bool pvs_role_forbids_provider(enum pvs_role role);

/* ------------------------------------------------------------------ principal */

enum pvs_auth_kind {
    PVS_AUTHN_NONE = 0,
    PVS_AUTHN_PREAUTH, /* password accepted, second factor pending (login flow only) */
    PVS_AUTHN_SESSION, /* browser session cookie, both factors done */
    PVS_AUTHN_TOKEN,   /* Authorization: Bearer <api token> */
};

/* Who is calling. provider_id == 0 means a central principal (sees every tenant). */
struct pvs_principal {
    enum pvs_auth_kind kind;
    int64_t user_id;  /* 0 for API tokens */
    int64_t token_id; /* 0 for sessions */
    enum pvs_role role;
    int64_t provider_id;
    char username[65]; /* token name for API tokens */
    char csrf[65];     /* session's CSRF token (hex), empty for tokens */
    int session_stage; /* enum pvs_session_stage (core.h) for sessions */
    uint8_t session_hash[32];
};

/* ------------------------------------------------------------------ request */

struct pvs_header {
    char *name;
    char *value;
};
#define PVS_MAX_RESP_HEADERS 8

/*
 * One request. Handlers read method/path/params/body/principal and produce exactly one
 * response through pvs_reply_*() or pvs_problem(). `db` is a pooled connection reserved for
 * this request (no transaction open); a transaction left open when the handler returns is
 * rolled back. Everything here is owned by the HTTP layer.
 */
struct pvs_req {
    struct pvs_server *srv;
    void *conn; /* struct MHD_Connection */
    pvs_db *db;
    const struct pvs_route *route;
    const char *method;
    const char *path;
    char params[PVS_MAX_PATH_PARAMS][48]; /* {name} values, in pattern order (a resident
                                            * link's 43-character secret fits) */
    int nparams;
    char *body;      /* NUL terminated (extra byte not counted in body_len) */
    size_t body_len;
    struct pvs_principal who;
    char client_addr[64];
    bool client_loopback;
    char request_id[17];
    /* response (set through the helpers) */
    int status;
    char *resp_body;
    size_t resp_len;
    const char *resp_type; /* static string */
    struct pvs_header resp_headers[PVS_MAX_RESP_HEADERS];
    int nresp_headers;
    /* held open (long poll, pvs_req_hold): the holder's state and its two steps */
    void *hold;
    void (*hold_arm)(struct pvs_req *r);
    void (*hold_done)(struct pvs_req *r);
};

/*
 * Holding a request open (long poll). A handler that gives no answer yet calls pvs_req_hold
 * with two steps instead of replying: after the handler returns the connection is suspended
 * (no thread waits on it) and `arm(r)` runs, which hands r to whatever wakes it later (without
 * a database connection: r->db is NULL there). pvs_req_wake(r), from any thread and exactly
 * once after arm, resumes it: `done(r)` then runs on the server's thread with a fresh r->db and
 * must answer. A woken request's state is no longer touched by the waker.
 */
void pvs_req_hold(struct pvs_req *r, void *hold, void (*arm)(struct pvs_req *r),
                  void (*done)(struct pvs_req *r));
void pvs_req_wake(struct pvs_req *r);
/* One function run first at stop, before the server waits for open requests: the holder
 * wakes every held request there (a held request would otherwise keep the stop waiting). */
void pvs_http_on_stop(void (*fn)(void));
/* Connections libmicrohttpd accepts: PVS_HTTP_CONNECTIONS for ordinary requests plus at most
 * PVS_HTTP_HELD_MAX held ones (the holder refuses more; the phone's push, services/push.c). */
#define PVS_HTTP_CONNECTIONS 1000
#define PVS_HTTP_HELD_MAX 10000

/* Value of request header `name` (case-insensitive), or NULL. */
const char *pvs_req_header(struct pvs_req *r, const char *name);
/* Value of query argument `name`, or NULL. */
const char *pvs_req_query(struct pvs_req *r, const char *name);
/* A numeric query parameter, strictly: absent -> `fallback`; present -> decimal digits only, no
 * leading zero, from lo to hi; anything else (`abc`, `1abc`, `-1`, empty) answers 400
 * invalid-query naming the parameter and returns false (the caller returns at once). */
bool pvs_req_query_int(struct pvs_req *r, const char *name, int64_t lo, int64_t hi,
                       int64_t fallback, int64_t *out) PV_MUST_CHECK;
/* The same for an optional id filter: 1..2^53, absent -> 0 (no filter). */
#define PVS_QUERY_ID(r, name, out) pvs_req_query_int((r), (name), 1, (int64_t)1 << 53, 0, (out))
/* Path parameter `idx` ({...} in pattern order) as a positive id. Sends a 404 problem and
 * returns false if it is not a decimal integer in 1..2^53. */
bool pvs_req_id(struct pvs_req *r, int idx, int64_t *id) PV_MUST_CHECK;

/* ------------------------------------------------------------------ responses */

/* JSON response; steals the reference to `body`. */
void pvs_reply_json(struct pvs_req *r, int status, json_t *body);
/* Raw response; copies `len` bytes. `type` must be a static string. */
void pvs_reply_raw(struct pvs_req *r, int status, const char *type, const void *data,
                   size_t len);
/* 204 No Content. */
void pvs_reply_empty(struct pvs_req *r);
/* Forget every response header added so far (e.g. a Set-Cookie of a step that was then
 * rolled back). */
void pvs_reply_clear_headers(struct pvs_req *r);
/* Add a response header (copied). Silently drops past PVS_MAX_RESP_HEADERS. */
void pvs_reply_header(struct pvs_req *r, const char *name, const char *value);

/*
 * application/problem+json. `type` is the stable last segment of the problem URI
 * ("bearer-blocked" -> "https://portvakt.org/problems/bearer-blocked"); the UI translates
 * by it, so never rename one. `detail` says what was wrong and what to do, for a person.
 */
void pvs_problem(struct pvs_req *r, int status, const char *type, const char *title,
                 const char *detail_fmt, ...) __attribute__((format(printf, 5, 6)));
/* The same with extension members for the UI to word the refusal from (e.g. "errors": [{member,
 * rule, min, max}]): `ext` is a JSON object whose members are added, and is consumed (may be
 * NULL). Members named type/title/status/detail in `ext` are ignored. */
void pvs_problem_ext(struct pvs_req *r, int status, const char *type, const char *title,
                     json_t *ext, const char *detail_fmt, ...) __attribute__((format(printf, 6, 7)));
/* Map a store error to a problem: UNIQUE -> 409 conflict ("what" names the thing),
 * FOREIGN -> 409, BUSY -> 503, others -> 500. */
void pvs_problem_db(struct pvs_req *r, int rc, const char *what);
/* Parameters of the older refusals (http/problem_params.c), as an `ext` for pvs_problem_ext():
 * {"params":{"object":…}} for the noun a store error is about (NULL when the noun is not in
 * the table), and {"params":{"role":…,"target_role":…}} for a refusal by role (target_role
 * left out for PVS_ROLE_NONE). The slug alone: pvs_problem_object(), NULL when unknown. */
const char *pvs_problem_object(const char *what);
json_t *pvs_problem_object_params(const char *what);
json_t *pvs_problem_role_params(enum pvs_role caller, enum pvs_role target);
#define PVS_PROBLEM_BASE "https://portvakt.org/problems/"

/* ------------------------------------------------------------------ routes */

typedef void (*pvs_handler)(struct pvs_req *r);

/* How a route authenticates its caller. */
enum pvs_route_auth {
    PVS_AUTH_USER = 0, /* session (full) or API token; roles checked before the handler */
    PVS_AUTH_PUBLIC,   /* no authentication (health, issuer keys, login) */
    PVS_AUTH_PREAUTH,  /* pre-auth session from /auth/login (enrol, TOTP) */
    PVS_AUTH_CUSTOM,   /* the handler authenticates itself (station or bearer signatures) */
};

/* What data the route touches, for the authorization matrix and for reviewers. */
enum pvs_route_scope {
    PVS_SCOPE_UNSET = 0,  /* refused at startup: every route must declare its scope */
    PVS_SCOPE_TENANT,     /* provider-owned data: handler filters with pvs_scope_*() */
    PVS_SCOPE_SHARED,     /* data not owned by one provider (buildings, locks, keys) */
    PVS_SCOPE_SELF,       /* the caller's own user or session */
};

/* Route flags. */
#define PVS_RF_NO_CSRF 0x1u   /* state-changing but exempt from X-CSRF-Token (login) */
#define PVS_RF_LOOPBACK 0x2u  /* only from a loopback address (dev clock) */
#define PVS_RF_ALARM_API 0x4u /* an alarm-scoped API token may call it (the only such routes) */

/* Whether the API token that authenticated r may call `rt`: a token of scope "alarm" only
 * routes flagged PVS_RF_ALARM_API (server/handlers/alarm.c; without the domain module every
 * token is a full one). On refusal sends 403 and returns false. */
bool pvs_token_scope_allows(struct pvs_req *r, const struct pvs_route *rt) PV_MUST_CHECK;

/*
 * One route. `pattern` is an absolute path whose segments may be "{name}" parameters
 * (one whole segment each, at most PVS_MAX_PATH_PARAMS). For PVS_AUTH_USER routes `roles`
 * must be non-zero: a route without declared roles makes the server refuse to start
 * (pvs_routes_validate). Routes are matched in table order, exact segments first.
 */
struct pvs_route {
    const char *method;
    const char *pattern;
    pvs_handler handler;
    unsigned roles; /* PVS_R_* bits */
    enum pvs_route_auth auth;
    enum pvs_route_scope scope;
    unsigned flags;
};

/* Core routes (server/handlers/routes_core.c) and the domain's (server/handlers/routes_domain.c). */
extern const struct pvs_route pvs_core_routes[];
extern const size_t pvs_core_routes_count;
extern const struct pvs_route pvs_domain_routes[];
extern const size_t pvs_domain_routes_count;
/* Sign-in extensions: security keys and single sign-on (server/handlers/routes_auth.c). */
extern const struct pvs_route pvs_auth_routes[];
extern const size_t pvs_auth_routes_count;
/* The phone key's and alarm access's routes (server/handlers/routes_phone.c). */
extern const struct pvs_route pvs_phone_routes[];
extern const size_t pvs_phone_routes_count;
/* Outgoing events: webhooks and their dead letters (server/handlers/routes_webhooks.c). */
extern const struct pvs_route pvs_webhook_routes[];
extern const size_t pvs_webhook_routes_count;
/* The care-planning import (server/handlers/routes_import.c). */
extern const struct pvs_route pvs_import_routes[];
extern const size_t pvs_import_routes_count;

/* All of the tables above, in matching order (server/handlers/route_tables.c). */
struct pvs_route_table {
    const char *name;
    const struct pvs_route *routes;
    const size_t *count;
};
extern const struct pvs_route_table pvs_route_tables[];
extern const size_t pvs_route_tables_count;

/* Checks a route table: method, pattern syntax, declared roles and scope, no duplicate
 * (method, pattern). On failure writes the first problem to errbuf and returns -1. */
int pvs_routes_validate(const struct pvs_route *routes, size_t n, char *errbuf,
                        size_t errcap) PV_MUST_CHECK;
/* Match `path` (no query string) against the tables: the route, or NULL; fills r->params.
 * *path_known is set when some route has this path with another method (-> 405). */
const struct pvs_route *pvs_route_match(struct pvs_req *r, const char *method, const char *path,
                                        bool *path_known);

/* ------------------------------------------------------------------ JSON bodies */

enum pvs_jtype {
    PVS_J_STRING = 1, /* min/max: length in bytes; no control characters */
    PVS_J_INT,        /* min/max: inclusive range */
    PVS_J_ID,         /* positive integer id (1..2^53) */
    PVS_J_BOOL,
    PVS_J_DATE,       /* "YYYY-MM-DD", a real calendar date */
    PVS_J_HEX,        /* lowercase hex; min/max: decoded length in bytes */
    PVS_J_ARRAY,      /* min/max: element count; elements checked by the handler */
    PVS_J_OBJECT,     /* checked by the handler */
    PVS_J_ANY,
};
#define PVS_JF_REQUIRED 0x1u
#define PVS_JF_NULLABLE 0x2u
/* A secret or a code the person types, not free text that is stored: exempt from the
 * personal-identity-number rule (a password may contain any digits; it is never stored). */
#define PVS_JF_SECRET 0x4u

struct pvs_jfield {
    const char *name;
    enum pvs_jtype type;
    unsigned flags;
    int64_t min, max; /* 0, 0 = type default (strings: 0..1024) */
};

/*
 * Parse the request body as one JSON object and check it against `fields`: unknown
 * members, missing required members, wrong types, out-of-range values, duplicate keys and
 * trailing bytes are all refused with one 400 problem that names every offending member.
 * Content-Type must be application/json (415 otherwise). Returns the object (caller owns
 * it) or NULL with the problem already set.
 */
json_t *pvs_body_json(struct pvs_req *r, const struct pvs_jfield *fields, size_t n);
/* The same check for an object nested in a body (e.g. array elements); `where` prefixes
 * member names in the message ("windows[2]"). Appends problems to `errs`; returns false
 * if any. */
bool pvs_json_check(const json_t *obj, const struct pvs_jfield *fields, size_t n,
                    const char *where, char *errs, size_t errcap);
#define PVS_JFIELDS(a) (a), (sizeof(a) / sizeof((a)[0]))

/* Accessors for checked objects: absent or null gives the fallback. */
const char *pvs_jstr(const json_t *o, const char *name, const char *fallback);
int64_t pvs_jint(const json_t *o, const char *name, int64_t fallback);
bool pvs_jbool(const json_t *o, const char *name, bool fallback);
bool pvs_jhas(const json_t *o, const char *name); /* present, possibly null */
/* Decode a PVS_J_HEX member checked to exactly `len` bytes. */
bool pvs_jhex(const json_t *o, const char *name, uint8_t *out, size_t len);
/* Lowercase hex of bytes as a new JSON string. */
json_t *pvs_json_hex(const void *data, size_t len);
/* JSON integer, or JSON null when v == 0 (nullable ids). */
json_t *pvs_json_id_or_null(int64_t v);
/* A column as JSON (integer, string or null). */
json_t *pvs_json_col_i64_or_null(pvs_stmt *st, int col);
json_t *pvs_json_col_text_or_null(pvs_stmt *st, int col);

/* ------------------------------------------------------------------ pagination */

#define PVS_PAGE_DEFAULT 50
#define PVS_PAGE_MAX 500

/*
 * Keyset pagination over increasing ids: query with
 *   "... WHERE id > ? ORDER BY id LIMIT ?"  bound to (page.after, page.limit + 1)
 * then add rows with pvs_page_add() and finish with pvs_page_reply(). The cursor is
 * opaque to clients.
 */
struct pvs_page {
    int64_t limit; /* 1..PVS_PAGE_MAX */
    int64_t after; /* 0 = from the start */
    json_t *items;
    int64_t last_id;
    int64_t count;
    bool more;
};
/* Reads ?limit= and ?cursor=; 400 problem and false when malformed. */
bool pvs_page_begin(struct pvs_req *r, struct pvs_page *pg) PV_MUST_CHECK;
/* Steals `item`. Returns false (and drops the item) once limit items are in: that row only
 * proves there is a next page. */
bool pvs_page_add(struct pvs_page *pg, int64_t id, json_t *item);
/* {"items": [...], "next_cursor": "..." | null}; releases pg->items. */
void pvs_page_reply(struct pvs_req *r, struct pvs_page *pg);
/* Release without replying (error paths). */
void pvs_page_free(struct pvs_page *pg);

/* Row to JSON for pvs_page_list(); `ctx` is passed through. Column 0 must be the id. */
typedef json_t *(*pvs_row_fn)(pvs_stmt *st, const void *ctx);
/* A page filled from a service's rows (server/services/rows.h): pass pvs_page_rows_add and
 * the struct as the service's row sink, then pvs_page_rows_reply() with the service's code. */
struct pvs_page_rows {
    struct pvs_page pg;
    pvs_row_fn row;
    const void *ctx;
};
bool pvs_page_rows_add(pvs_stmt *st, void *self);
/* The page (rc == PVS_DB_OK) or the problem naming `what`; releases the page either way. */
void pvs_page_rows_reply(struct pvs_req *r, struct pvs_page_rows *pr, int rc, const char *what);
#define PVS_PAGE_MAX_PARAMS 16
/* A whole paginated list: reads the page, runs `sql` — which must end in
 * "... id > ? ORDER BY id LIMIT ?" — bound to p[0..n) followed by the page's two
 * parameters, turns each row into JSON with `row`, and replies (or sends a problem naming
 * `what`). */
void pvs_page_list(struct pvs_req *r, const char *sql, const struct pvs_param *p, size_t n,
                   pvs_row_fn row, const void *ctx, const char *what);

#endif
