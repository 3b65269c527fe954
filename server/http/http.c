/* libmicrohttpd glue: body collection with a hard cap, dispatch through the route table
 * (authentication, roles, CSRF), security headers, the access log line and metrics. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <time.h>

#include <microhttpd.h>
#include <sodium.h>

#include "pvs/clock.h"
#include "pvs/core.h"
#include "pvs/deadline.h"
#include "pvs/metrics.h"


/* TLS 1.2 and 1.3 only, AEAD suites only (AES-GCM, ChaCha20-Poly1305), forward-secret key
 * exchange only, and the server's order wins: what testssl.sh (tests/server/test_testssl.sh)
 * finds no MEDIUM-or-worse fault in. A GnuTLS priority string, handed to libmicrohttpd. */
#define PVS_TLS_PRIORITIES                                                                    \
    "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-CIPHER-ALL:+AES-256-GCM:+CHACHA20-POLY1305:" \
    "+AES-128-GCM:-MAC-ALL:+AEAD:-KX-ALL:+ECDHE-ECDSA:+ECDHE-RSA:%SERVER_PRECEDENCE"
/* Per-connection request state between MHD's callbacks. */
struct conn_state {
    struct pvs_req r;
    char *buf;
    size_t len, cap;
    bool too_large;
    bool early; /* response queued on the first call (413 by Content-Length) */
    bool started;      /* on_request has seen this request */
    bool escaped_path; /* the raw path held a %-escape (see on_uri) */
    bool held;         /* suspended by pvs_req_hold; the next call finishes it */
    double t0;
    char method[8];
    char path[PVS_MAX_PATH];
};

static enum MHD_Result send_response(struct pvs_server *s, struct MHD_Connection *c,
                                     struct pvs_req *r);

static void client_address(struct MHD_Connection *c, struct pvs_req *r)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(r->client_addr, sizeof r->client_addr, "unknown");
    r->client_loopback = false;
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
        inet_ntop(AF_INET, &in->sin_addr, r->client_addr, sizeof r->client_addr);
        r->client_loopback = (ntohl(in->sin_addr.s_addr) >> 24) == 127;
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
        inet_ntop(AF_INET6, &in6->sin6_addr, r->client_addr, sizeof r->client_addr);
        r->client_loopback = IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr) ||
                             (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr) && in6->sin6_addr.s6_addr[12] == 127);
    }
}

static bool ip_is_loopback(const char *ip)
{
    struct in_addr a4;
    struct in6_addr a6;
    if (inet_pton(AF_INET, ip, &a4) == 1)
        return (ntohl(a4.s_addr) >> 24) == 127;
    if (inet_pton(AF_INET6, ip, &a6) == 1)
        return IN6_IS_ADDR_LOOPBACK(&a6);
    return false;
}

/*
 * Behind the configured reverse proxy the peer is the proxy: the client is the last
 * address the proxy appended to X-Forwarded-For. Anything unusable fails closed: the
 * request is then from "unknown" and never counts as loopback (so /metrics and the
 * simulation clock stay local even when the proxy itself runs on loopback).
 */
static void forwarded_address(struct pvs_req *r, const char *proxy)
{
    if (!proxy[0] || strcmp(r->client_addr, proxy) != 0)
        return;
    const char *xff = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "X-Forwarded-For");
    const char *last = xff ? strrchr(xff, ',') : NULL;
    last = last ? last + 1 : xff;
    char ip[64] = "";
    if (last) {
        while (*last == ' ')
            last++;
        size_t n = strcspn(last, " ");
        if (n < sizeof ip) {
            memcpy(ip, last, n);
            ip[n] = '\0';
        }
    }
    unsigned char buf[sizeof(struct in6_addr)];
    bool ok = inet_pton(AF_INET, ip, buf) == 1 || inet_pton(AF_INET6, ip, buf) == 1;
    snprintf(r->client_addr, sizeof r->client_addr, "%s", ok ? ip : "unknown");
    r->client_loopback = ok && ip_is_loopback(ip);
}

static bool is_state_changing(const char *m)
{
    return strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0 && strcmp(m, "OPTIONS") != 0;
}

static bool csrf_ok(struct pvs_req *r)
{
    const char *h = pvs_req_header(r, "X-CSRF-Token");
    size_t want = strlen(r->who.csrf);
    if (!h || want == 0 || strlen(h) != want)
        return false;
    return sodium_memcmp(h, r->who.csrf, want) == 0;
}

/* Authentication, role, CSRF and loopback gates in front of the handler. */
static bool gates(struct pvs_req *r, const struct pvs_route *rt)
{
    if ((rt->flags & PVS_RF_LOOPBACK) && !r->client_loopback) {
        pvs_problem(r, 403, "loopback-only", "Local access only",
                    "This endpoint answers only requests from the server itself.");
        return false;
    }
    if (rt->auth == PVS_AUTH_USER || rt->auth == PVS_AUTH_PREAUTH) {
        if (!pvs_auth_request(r, rt->auth))
            return false;
    }
    if (rt->auth == PVS_AUTH_USER && !(rt->roles & (1u << r->who.role))) {
        pvs_problem_ext(r, 403, "forbidden", "Not allowed for your role",
                        pvs_problem_role_params(r->who.role, PVS_ROLE_NONE),
                        "Your role (%s) may not use %s %s.", pvs_role_name(r->who.role),
                        rt->method, rt->pattern);
        return false;
    }
    if (r->who.kind == PVS_AUTHN_TOKEN && !pvs_token_scope_allows(r, rt))
        return false;
    if ((r->who.kind == PVS_AUTHN_SESSION || r->who.kind == PVS_AUTHN_PREAUTH) &&
        is_state_changing(r->method) && !(rt->flags & PVS_RF_NO_CSRF) && !csrf_ok(r)) {
        pvs_problem(r, 403, "csrf", "Missing or wrong CSRF token",
                    "Send the X-CSRF-Token header with the token from GET /api/v1/me.");
        return false;
    }
    return true;
}

static void dispatch(struct pvs_server *s, struct conn_state *cs)
{
    struct pvs_req *r = &cs->r;
    bool api = strncmp(r->path, "/api/", 5) == 0 || strcmp(r->path, "/api") == 0;
    bool path_known = false;
    const struct pvs_route *rt = pvs_route_match(r, r->method, r->path, &path_known);
    if (!rt && !api && strcmp(r->path, "/healthz") != 0 && strcmp(r->path, "/metrics") != 0) {
        if (strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0)
            pvs_static_serve(r);
        else
            pvs_problem(r, 405, "method-not-allowed", "Method not allowed",
                        "Static files can only be read (GET).");
        return;
    }
    if (!rt) {
        if (path_known)
            pvs_problem(r, 405, "method-not-allowed", "Method not allowed",
                        "%s is not supported on %s.", r->method, r->path);
        else
            pvs_problem(r, 404, "not-found", "Not found", "There is no API endpoint %s.",
                        r->path);
        return;
    }
    r->route = rt;
    r->db = pvs_store_acquire(s->store);
    if (gates(r, rt)) {
        rt->handler(r);
        if (pvs_tx_in_progress(r->db)) {
            fprintf(stderr, "portvakt-server: handler %s %s left a transaction open\n",
                    rt->method, rt->pattern);
            pvs_tx_rollback(r->db);
        }
        if (r->status == 0 && !r->hold_arm)
            pvs_problem(r, 500, "internal", "Internal error", "The handler gave no answer.");
    }
    pvs_store_release(s->store, r->db);
    r->db = NULL;
}

void pvs_req_hold(struct pvs_req *r, void *hold, void (*arm)(struct pvs_req *r),
                  void (*done)(struct pvs_req *r))
{
    r->hold = hold;
    r->hold_arm = arm;
    r->hold_done = done;
}

void pvs_req_wake(struct pvs_req *r)
{
    MHD_resume_connection(r->conn);
}

static void (*stop_hook)(void);

void pvs_http_on_stop(void (*fn)(void))
{
    stop_hook = fn;
}

/* A held request, suspended after its handler (no database connection kept): armed only
 * once suspended, so a wake can never come before the suspension. */
static enum MHD_Result hold(struct MHD_Connection *c, struct conn_state *cs)
{
    cs->held = true;
    MHD_suspend_connection(c);
    cs->r.hold_arm(&cs->r);
    return MHD_YES;
}

/* The woken request's answer (pvs_req_wake): its second step, with a fresh connection. */
static enum MHD_Result finish_held(struct pvs_server *s, struct MHD_Connection *c,
                                   struct conn_state *cs)
{
    struct pvs_req *r = &cs->r;
    cs->held = false;
    r->hold_arm = NULL;
    r->db = pvs_store_acquire(s->store);
    r->hold_done(r);
    if (pvs_tx_in_progress(r->db))
        pvs_tx_rollback(r->db);
    pvs_store_release(s->store, r->db);
    r->db = NULL;
    if (r->status == 0)
        pvs_problem(r, 500, "internal", "Internal error", "The handler gave no answer.");
    return send_response(s, c, r);
}

static void add_security_headers(struct MHD_Response *resp, bool tls, bool api, bool phone)
{
    /* The phone key (web/phone/) compiles its key core from WebAssembly and reaches
     * simulated locks through pv-ws-bridge on loopback; no other page may do either. */
    MHD_add_response_header(resp, "Content-Security-Policy",
                            phone ? "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; "
                                    "connect-src 'self' ws://127.0.0.1:* ws://localhost:*; "
                                    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
                                  : "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
                                    "form-action 'self'");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "Cache-Control", api ? "no-store" : "no-cache");
    if (tls)
        MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000");
}

static enum MHD_Result send_response(struct pvs_server *s, struct MHD_Connection *c,
                                     struct pvs_req *r)
{
    struct MHD_Response *resp;
    if (strcmp(r->method, "HEAD") == 0) {
        free(r->resp_body);
        r->resp_body = NULL;
        r->resp_len = 0;
    }
    resp = MHD_create_response_from_buffer(r->resp_len, r->resp_body ? r->resp_body : (void *)"",
                                           r->resp_body ? MHD_RESPMEM_MUST_FREE
                                                        : MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return MHD_NO;
    r->resp_body = NULL; /* MHD frees it now */
    if (r->resp_type)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->resp_type);
    /* the resident's page is personal data: never stored, like the API */
    add_security_headers(resp, s->cfg.tls_cert[0] != '\0',
                         strncmp(r->path, "/api/", 5) == 0 || strncmp(r->path, "/hemma/", 7) == 0,
                         strncmp(r->path, "/phone/", 7) == 0);
    MHD_add_response_header(resp, "X-Request-Id", r->request_id);
    for (int i = 0; i < r->nresp_headers; i++)
        MHD_add_response_header(resp, r->resp_headers[i].name, r->resp_headers[i].value);
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* MHD hands the access handler the percent-decoded path, so /staff/%31 would read as
 * /staff/1 and /staff/1%00 as /staff/1 (the C string ends at the NUL). No Portvakt path needs
 * an escape: the raw request line is looked at here, before MHD decodes it, and a path with
 * an escape is answered 404 whole. Returns the request's state (MHD keeps it as con_cls). */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)cls;
    (void)c;
    struct conn_state *cs = calloc(1, sizeof *cs);
    if (cs && uri)
        cs->escaped_path = memchr(uri, '%', strcspn(uri, "?")) != NULL;
    return cs;
}

static struct conn_state *new_state(struct conn_state *cs, struct MHD_Connection *c,
                                    const char *url, const char *method)
{
    if (!cs)
        cs = calloc(1, sizeof *cs);
    if (!cs)
        return NULL;
    cs->started = true;
    cs->t0 = pvs_mono_ms();
    snprintf(cs->method, sizeof cs->method, "%s", method);
    /* keep the path only: MHD has already split off and decoded the query */
    snprintf(cs->path, sizeof cs->path, "%s", url);
    cs->r.conn = c;
    cs->r.method = cs->method;
    cs->r.path = cs->path;
    uint8_t rid[8];
    randombytes_buf(rid, sizeof rid);
    sodium_bin2hex(cs->r.request_id, sizeof cs->r.request_id, rid, sizeof rid);
    client_address(c, &cs->r);
    return cs;
}

static bool append_body(struct conn_state *cs, const char *data, size_t n)
{
    if (cs->too_large || n > PVS_MAX_BODY - cs->len) {
        cs->too_large = true;
        free(cs->buf);
        cs->buf = NULL;
        cs->len = cs->cap = 0;
        return false;
    }
    if (cs->len + n + 1 > cs->cap) {
        size_t cap = cs->cap ? cs->cap : 4096;
        while (cap < cs->len + n + 1)
            cap *= 2;
        char *b = realloc(cs->buf, cap);
        if (!b) {
            cs->too_large = true;
            return false;
        }
        cs->buf = b;
        cs->cap = cap;
    }
    memcpy(cs->buf + cs->len, data, n);
    cs->len += n;
    cs->buf[cs->len] = '\0';
    return true;
}

/* The connection's entry in the header-read deadline's registry (NULL if it has none). */
static struct pvs_conn_watch *conn_watch(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    struct pvs_server *s = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        *socket_context = ci ? pvs_deadline_open(s->deadline, ci->connect_fd) : NULL;
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        pvs_deadline_close(s->deadline, *socket_context);
        *socket_context = NULL;
    }
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_size, void **con_cls)
{
    struct pvs_server *s = cls;
    struct conn_state *cs = *con_cls;
    (void)version;
    if (!cs || !cs->started) {
        cs = new_state(cs, c, url, method);
        if (!cs)
            return MHD_NO;
        *con_cls = cs;
        pvs_deadline_request(s->deadline, conn_watch(c));
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        if (cl && strtoull(cl, NULL, 10) > PVS_MAX_BODY) {
            cs->too_large = cs->early = true;
            pvs_problem(&cs->r, 413, "body-too-large", "Request body too large",
                        "The body is larger than %u bytes; send less.", PVS_MAX_BODY);
            return send_response(s, c, &cs->r);
        }
        return MHD_YES;
    }
    if (*upload_size) {
        if (!cs->early)
            (void)append_body(cs, upload_data, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    if (cs->early)
        return MHD_YES;
    if (cs->held)
        return finish_held(s, c, cs);
    cs->r.srv = s;
    forwarded_address(&cs->r, s->cfg.trusted_proxy);
    cs->r.body = cs->buf;
    cs->r.body_len = cs->len;
    if (cs->too_large)
        pvs_problem(&cs->r, 413, "body-too-large", "Request body too large",
                    "The body is larger than %u bytes; send less.", PVS_MAX_BODY);
    else if (strlen(cs->path) >= sizeof cs->path - 1)
        pvs_problem(&cs->r, 414, "uri-too-long", "Path too long", "The request path is too long.");
    else if (cs->escaped_path)
        pvs_problem(&cs->r, 404, "not-found", "Not found",
                    "No page or API path has a %%-escape in it; write the path plainly.");
    else
        dispatch(s, cs);
    if (cs->r.hold_arm && cs->r.status == 0)
        return hold(c, cs);
    return send_response(s, c, &cs->r);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct conn_state *cs = *con_cls;
    pvs_deadline_idle(((struct pvs_server *)cls)->deadline, conn_watch(c));
    if (!cs)
        return;
    if (!cs->started) { /* the client left before its headers were complete */
        free(cs);
        *con_cls = NULL;
        return;
    }
    struct pvs_req *r = &cs->r;
    double ms = pvs_mono_ms() - cs->t0;
    const char *route = r->route ? r->route->pattern : "none";
    /* the decoded path may hold any byte (%0a...): never let it forge a log line */
    char shown[160];
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)cs->path; *p && n + 1 < sizeof shown; p++)
        shown[n++] = (*p < 0x20 || *p >= 0x7f) ? '?' : (char)*p;
    shown[n] = '\0';
    /* one line per request; never bodies, query strings or credentials */
    fprintf(stderr, "%s %s %s %d %.1fms user=%lld%s\n", r->request_id, cs->method, shown,
            r->status, ms, (long long)r->who.user_id,
            toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted");
    pvs_metric_request(cs->method, route, r->status, ms);
    free(r->resp_body);
    for (int i = 0; i < r->nresp_headers; i++) {
        free(r->resp_headers[i].name);
        free(r->resp_headers[i].value);
    }
    sodium_memzero(&r->who, sizeof r->who);
    free(cs->buf);
    free(cs);
    *con_cls = NULL;
}

static char *read_pem(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = calloc(1, 65536);
    size_t n = buf ? fread(buf, 1, 65535, f) : 0;
    fclose(f);
    if (buf && n == 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

static char *tls_cert_pem, *tls_key_pem;

static int listen_addr(const struct pvs_config *cfg, struct sockaddr_storage *ss, bool *loopback)
{
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *in = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, cfg->listen_host, &in->sin_addr) == 1) {
        in->sin_family = AF_INET;
        in->sin_port = htons((uint16_t)cfg->listen_port);
        *loopback = (ntohl(in->sin_addr.s_addr) >> 24) == 127;
        return AF_INET;
    }
    if (inet_pton(AF_INET6, cfg->listen_host, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)cfg->listen_port);
        *loopback = IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
        return AF_INET6;
    }
    return -1;
}

/* The certificate and key into memory for libmicrohttpd; -1 (with a message) on failure. */
static int load_tls(const struct pvs_config *cfg)
{
    if (!MHD_is_feature_supported(MHD_FEATURE_TLS)) {
        fprintf(stderr, "portvakt-server: this libmicrohttpd has no TLS support\n");
        return -1;
    }
    tls_cert_pem = read_pem(cfg->tls_cert);
    tls_key_pem = read_pem(cfg->tls_key);
    if (!tls_cert_pem || !tls_key_pem) {
        fprintf(stderr, "portvakt-server: cannot read TLS certificate %s or key %s\n",
                cfg->tls_cert, cfg->tls_key);
        return -1;
    }
    return 0;
}

/* Held requests are open sockets: the soft descriptor limit (often 1024) is raised toward
 * the hard one so the connection limit below, not the descriptor table, is what binds. */
static void raise_fd_limit(void)
{
    struct rlimit rl;
    rlim_t want = PVS_HTTP_CONNECTIONS + PVS_HTTP_HELD_MAX + 256;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= want)
        return;
    rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ? want : rl.rlim_max;
    (void)setrlimit(RLIMIT_NOFILE, &rl);
}

int pvs_http_start(struct pvs_server *s)
{
    struct sockaddr_storage ss;
    bool loopback = false;
    int fam = listen_addr(&s->cfg, &ss, &loopback);
    if (fam < 0) {
        fprintf(stderr, "portvakt-server: listen address \"%s\" is not an IP address\n",
                s->cfg.listen_host);
        return -1;
    }
    bool tls = s->cfg.tls_cert[0] != '\0';
    raise_fd_limit();
    if (!tls && !loopback) {
        fprintf(stderr, "portvakt-server: plain HTTP is only allowed on a loopback address;"
                        " give --tls-cert and --tls-key to listen on %s\n", s->cfg.listen_host);
        return -1;
    }
    /* AUTO picks epoll on Linux: no FD_SETSIZE ceiling with many station connections */
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG | MHD_USE_ITC |
                     MHD_ALLOW_SUSPEND_RESUME;
    if (fam == AF_INET6)
        flags |= MHD_USE_IPv6;
    if (tls) {
        if (load_tls(&s->cfg) != 0)
            return -1;
        flags |= MHD_USE_TLS;
    }
    struct MHD_OptionItem tls_opts[] = {
        {tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, tls_cert_pem},
        {MHD_OPTION_HTTPS_MEM_KEY, 0, tls_key_pem},
        {MHD_OPTION_HTTPS_PRIORITIES, 0, (void *)PVS_TLS_PRIORITIES},
        {MHD_OPTION_END, 0, NULL},
    };
    s->deadline = pvs_deadline_start(PVS_HEADER_DEADLINE_S);
    if (!s->deadline) {
        fprintf(stderr, "portvakt-server: cannot start the header-read deadline\n");
        return -1;
    }
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, (uint16_t)s->cfg.listen_port, NULL, NULL, on_request, s,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)s->cfg.threads,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, s,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)(PVS_HTTP_CONNECTIONS + PVS_HTTP_HELD_MAX),
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)200,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
        MHD_OPTION_ARRAY, tls_opts,
        MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "portvakt-server: cannot listen on %s:%u\n", s->cfg.listen_host,
                s->cfg.listen_port);
        pvs_deadline_stop(s->deadline);
        s->deadline = NULL;
        return -1;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di ? di->port : s->cfg.listen_port;
    s->mhd = d;
    return 0;
}

void pvs_http_stop(struct pvs_server *s)
{
    struct MHD_Daemon *d = s->mhd;
    if (!d)
        return;
    /* wake held requests, stop accepting, then let running requests finish (at most ~10 s) */
    if (stop_hook)
        stop_hook();
    MHD_quiesce_daemon(d);
    for (int i = 0; i < 100; i++) {
        const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
        if (!di || di->num_connections == 0)
            break;
        struct timespec ts = {0, 100 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    MHD_stop_daemon(d);
    s->mhd = NULL;
    pvs_deadline_stop(s->deadline);
    s->deadline = NULL;
    if (tls_key_pem) {
        sodium_memzero(tls_key_pem, strlen(tls_key_pem));
        free(tls_key_pem);
        tls_key_pem = NULL;
    }
    free(tls_cert_pem);
    tls_cert_pem = NULL;
}
