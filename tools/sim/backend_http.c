/* The server backend: the district lives in the real portvakt-server, keys sync and hand
 * over their logs through a real portvakt-station, whose uplink runs through a relay the
 * simulator can cut. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "link.h"

static double wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int sign_cb(void *ctx, const uint8_t nonce[32], uint32_t bearer, uint8_t sig[64])
{
    return pv_key_sync_sign(((sim_staff *)ctx)->key.key, nonce, bearer, sig);
}

/* The first list that names the lost key defines "the revocation" a lock must learn. */
static void note_revlist(sim *s, const pvst_synced *sy)
{
    pv_revlist rl;
    if (!s->lost_bearer || s->m.revlist_version || !sy->revlist_len ||
        pv_revlist_decode(sy->revlist, sy->revlist_len, &rl) != PV_OK)
        return;
    if (pv_revlist_check(&rl, s->lost_bearer, 0) == PV_E_REVOKED)
        s->m.revlist_version = rl.version;
}

static int do_sync(sim *s, sim_staff *st, const pvst_link_ops *l, int want_sync)
{
    static uint8_t buf[PVST_FRAME_MAX];
    pv_cred c;
    pvst_hello hello = {.bearer_id = st->bearer_id,
                        .flags = want_sync ? 0 : PVST_HELLO_F_LOGS_ONLY};
    if (pv_key_credential(st->key.key, &c) == PV_OK)
        hello.have_until = c.not_after;
    pvst_synced sy;
    pvst_status status;
    int got = 0;
    double t0 = wall_ms();
    int rc = pvst_key_sync(l, &hello, sign_cb, st, buf, sizeof buf, &sy, &got, &status);
    if (rc != PV_OK)
        return rc;
    snprintf(st->last_status, sizeof st->last_status, "%s", status.text);
    if (!want_sync)
        return PV_OK;
    s->m.syncs++;
    sim_note_sync_ms(s, wall_ms() - t0);
    if (status.code == PVST_ST_OFFLINE)
        s->m.syncs_offline++;
    else if (!got)
        s->m.syncs_refused++;
    s->m.syncs_blocked += status.code == PVST_ST_BLOCKED;
    if (!got)
        return PV_OK;
    note_revlist(s, &sy);
    rc = pv_key_install(st->key.key, sy.cred, PV_CRED_SIZE, sy.entries,
                        (size_t)sy.entry_count * PV_ENTRY_SIZE, sy.revlist, sy.revlist_len,
                        sy.beacon, PV_BEACON_SIZE);
    if (rc == PV_OK)
        s->m.syncs_ok++;
    else
        snprintf(st->last_status, sizeof st->last_status, "the key refused the answer: %s",
                 pv_strerror(rc));
    return rc;
}

/* Hands the key's own log and its lock batches to the station, item by item; the key
 * drops them only after the station's acknowledgement (they are on its disk then). */
static int hand_logs(sim *s, sim_staff *st, const pvst_link_ops *l)
{
    pv_key *k = st->key.key;
    uint8_t ev[PVST_LOGS_MAX_EVENTS * PVST_BEV_SIZE];
    for (int guard = 0; guard < 64; guard++) {
        pvst_logs lg = {.item_id = ++st->item_id, .events = ev};
        uint32_t ne = pv_key_log_count(k), nb = pv_key_batch_count(k), last = 0;
        for (uint32_t i = 0; i < ne && lg.nevents < PVST_LOGS_MAX_EVENTS; i++) {
            pv_key_log_entry e;
            if (pv_key_log_get(k, i, &e) != PV_OK)
                break;
            int reason = e.opened ? 0 : (e.reason < 0 && e.reason > PV_E__COUNT ? -e.reason : -PV_E_STATE);
            pvst_bev b = {.seq = e.seq, .time = e.time, .kind = e.opened ? PVST_BEV_OPEN : PVST_BEV_REFUSED,
                          .lock_id = e.lock_id, .reason = (uint8_t)reason};
            pvst_bev_encode(&b, ev + (size_t)lg.nevents++ * PVST_BEV_SIZE);
            last = e.seq;
        }
        for (uint32_t i = 0; i < nb && lg.nbatches < PVST_LOGS_MAX_BATCHES; i++) {
            size_t len;
            if (pv_key_batch_get(k, i, &lg.batch[lg.nbatches], &len) != PV_OK)
                break;
            lg.batch_len[lg.nbatches++] = (uint16_t)len;
        }
        if (!lg.nevents && !lg.nbatches)
            return PV_OK;
        int rc = pvst_key_send_logs(l, &lg);
        if (rc != PV_OK)
            return rc; /* not acknowledged: the key keeps everything */
        if (lg.nevents)
            pv_key_log_ack(k, last + 1);
        pv_key_batch_ack(k, lg.nbatches);
        s->m.bearer_events_sent += lg.nevents;
    }
    return PV_OK;
}

/* The station of the key's provider (the pilot and `visit` have one station). */
static http_station *station_of(http_ctx *h, const sim_staff *st)
{
    size_t i = h->nstn > 1 && st->provider >= 1 ? st->provider - 1 : 0;
    return i < h->nstn ? &h->stn[i] : NULL;
}

static int http_visit_station(sim *s, sim_staff *st, int want_sync)
{
    http_ctx *h = s->be.ctx;
    http_station *sn = station_of(h, st);
    int fd = sn ? pvst_key_connect(sn->sock) : -1;
    if (fd < 0) {
        snprintf(st->last_status, sizeof st->last_status, "the station does not answer");
        return PV_E_IO;
    }
    pvst_fd_link fl;
    pvst_link_ops ops;
    pvst_fd_link_init(&fl, fd, 30000, &ops);
    int rc = do_sync(s, st, &ops, want_sync);
    int rl = hand_logs(s, st, &ops);
    if (rl == PV_OK)
        rl = pvst_key_bye(&ops);
    close(fd);
    return rc != PV_OK ? rc : rl;
}

static int http_report_lost(sim *s, sim_staff *st)
{
    http_ctx *h = s->be.ctx;
    char path[80];
    snprintf(path, sizeof path, "/api/v1/bearers/%u/report-lost", st->bearer_id);
    long code = sim_api_call(h->api, "POST", path, json_object(), NULL);
    return code == 200 || code == 201 || code == 204 ? PV_OK : PV_E_IO;
}

static int http_new_key(sim *s, sim_staff *st)
{
    http_ctx *h = s->be.ctx;
    char pk[65], label[40];
    sodium_bin2hex(pk, sizeof pk, st->pk, 32);
    snprintf(label, sizeof label, "fob-%02x%02x%02x", st->pk[0], st->pk[1], st->pk[2]);
    st->bearer_id = (uint32_t)sim_api_create(
        h->api, "/api/v1/bearers",
        json_pack("{s:I,s:s,s:s,s:s}", "staff_id", (json_int_t)st->staff_id, "kind", "fob",
                  "label", label, "public_key", pk));
    return st->bearer_id ? PV_OK : PV_E_IO;
}

static int http_provider_change(sim *s, sim_recipient *r, uint32_t provider, const char *date)
{
    http_ctx *h = s->be.ctx;
    char path[80];
    snprintf(path, sizeof path, "/api/v1/recipients/%u/provider-changes", r->id);
    long st = sim_api_call(h->api, "POST", path,
                           json_pack("{s:I,s:s}", "provider_id",
                                     (json_int_t)h->provider[provider], "effective_date", date),
                           NULL);
    if (st == 200 || st == 201)
        s->m.provider_changes++;
    return st == 200 || st == 201 ? PV_OK : PV_E_IO;
}

static int http_set_uplink(sim *s, int up)
{
    http_ctx *h = s->be.ctx;
    sim_relay_set(h->relay, up);
    return PV_OK;
}

static int http_set_time(sim *s, uint64_t t)
{
    http_ctx *h = s->be.ctx;
    if (s->allday)
        return PV_OK; /* `visit` runs on the wall clock */
    char tmp[340];
    snprintf(tmp, sizeof tmp, "%s.tmp", h->clockf);
    FILE *f = fopen(tmp, "w");
    if (f) {
        fprintf(f, "%llu\n", (unsigned long long)t);
        fclose(f);
        (void)rename(tmp, h->clockf);
    }
    long st = sim_api_call(h->api, "PUT", "/api/v1/dev/clock",
                           json_pack("{s:I}", "now", (json_int_t)t), NULL);
    return st == 200 ? PV_OK : PV_E_IO;
}

static size_t queue_len(const char *dir)
{
    DIR *d = opendir(dir);
    size_t n = 0;
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL)
        n += strstr(de->d_name, ".pvq") != NULL;
    if (d)
        closedir(d);
    return n;
}

/* Marks the lock events of one access-log page as stored. With lock != 0 the page is that
 * lock's (an item without a source counts as the lock's); with 0 each item names its lock
 * and only items whose source is "lock" count. */
static void mark_page(sim *s, json_t *items, uint32_t lock)
{
    size_t k;
    json_t *it;
    json_array_foreach(items, k, it)
    {
        const char *src = json_string_value(json_object_get(it, "source"));
        json_t *seq = json_object_get(it, "seq"), *lk = json_object_get(it, "lock_id");
        if (!json_is_integer(seq))
            continue;
        if (lock && (!src || strcmp(src, "lock") == 0))
            (void)sim_mark_stored(s, lock, (uint32_t)json_integer_value(seq));
        else if (!lock && src && strcmp(src, "lock") == 0 && json_is_integer(lk))
            (void)sim_mark_stored(s, (uint32_t)json_integer_value(lk),
                                  (uint32_t)json_integer_value(seq));
    }
}

/* GET /api/v1/access-log?<query>limit=500, following next_cursor for at most max_pages. */
static void fetch_pages(sim *s, http_ctx *h, const char *query, uint32_t lock, int max_pages)
{
    char path[200], cursor[64] = "";
    for (int page = 0; page < max_pages; page++) {
        json_t *o = NULL;
        snprintf(path, sizeof path, "/api/v1/access-log?%slimit=500%s%s", query,
                 cursor[0] ? "&cursor=" : "", cursor);
        if (sim_api_call(h->api, "GET", path, NULL, &o) != 200) {
            json_decref(o);
            return;
        }
        mark_page(s, json_object_get(o, "items"), lock);
        const char *next = json_string_value(json_object_get(o, "next_cursor"));
        snprintf(cursor, sizeof cursor, "%s", next ? next : "");
        json_decref(o);
        if (!cursor[0])
            return;
    }
}

/* Which lock events the server holds: the access log of each lock, page by page. */
static void fetch_stored(sim *s, http_ctx *h)
{
    for (size_t i = 0; i < s->nlocks; i++) {
        char query[32];
        snprintf(query, sizeof query, "lock_id=%u&", s->locks[i].id);
        fetch_pages(s, h, query, s->locks[i].id, 100);
    }
}

static size_t queues_len(const http_ctx *h)
{
    size_t n = 0;
    for (size_t i = 0; i < h->nstn; i++)
        n += queue_len(h->stn[i].queue);
    return n;
}

/* The city: the whole access log page by page (a query per lock would be 24,000). */
static void fetch_stored_all(sim *s, http_ctx *h)
{
    fetch_pages(s, h, "", 0, 20000);
}

static int http_finish(sim *s)
{
    http_ctx *h = s->be.ctx;
    for (int i = 0; i < 600 && queues_len(h) > 0; i++)
        usleep(50000); /* the stations drain their queues on their own */
    size_t left = queues_len(h);
    if (left)
        fprintf(stderr, "portvakt-sim: %zu log item(s) still queued at the station\n", left);
    if (s->nlocks > 1000)
        fetch_stored_all(s, h);
    else
        fetch_stored(s, h);
    sim_count_logs(s);
    return left ? PV_E_TIMEOUT : PV_OK;
}

static void http_teardown(sim *s)
{
    http_ctx *h = s->be.ctx;
    if (!h)
        return;
    for (size_t i = 0; i < h->nstn; i++)
        if (h->stn[i].pid > 0)
            kill(h->stn[i].pid, SIGTERM);
    for (size_t i = 0; i < h->nstn; i++) {
        if (h->stn[i].pid > 0)
            waitpid(h->stn[i].pid, NULL, 0);
        sodium_memzero(h->stn[i].sk, sizeof h->stn[i].sk);
    }
    sim_relay_stop(h->relay);
    sim_api_free(h->api);
    free(h->stn), free(h->provider), free(h->owner);
    if (h->made_dir && !getenv("PVSIM_KEEP")) {
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", h->dir);
        if (system(cmd) != 0)
            fprintf(stderr, "portvakt-sim: could not remove %s\n", h->dir);
    }
    free(h);
    s->be.ctx = NULL;
}

static const char *station_binary(const http_ctx *h, char *buf, size_t cap)
{
    if (h->o.station_bin)
        return h->o.station_bin;
    ssize_t n = readlink("/proc/self/exe", buf, cap - 1);
    if (n <= 0)
        return "portvakt-station";
    buf[n] = 0;
    char *slash = strrchr(buf, '/');
    if (slash)
        *slash = 0;
    size_t len = strlen(buf);
    snprintf(buf + len, cap - len, "/../../station/portvakt-station"); /* build tree layout */
    return buf;
}

static int spawn_station(http_ctx *h, http_station *sn);

/* kill -9 of every station (the city's 80 at once) and a restart. */
static int http_crash_station(sim *s)
{
    http_ctx *h = s->be.ctx;
    s->m.queued_at_crash = queues_len(h);
    int rc = PV_OK;
    for (size_t i = 0; i < h->nstn; i++)
        if (h->stn[i].pid > 0)
            kill(h->stn[i].pid, SIGKILL);
    for (size_t i = 0; i < h->nstn; i++) {
        if (h->stn[i].pid > 0)
            waitpid(h->stn[i].pid, NULL, 0);
        int r = spawn_station(h, &h->stn[i]);
        rc = rc == PV_OK ? r : rc;
    }
    return rc;
}

/* The station's key file (the seed half of its key), queue and socket paths. */
static int station_files(http_ctx *h, size_t i)
{
    http_station *sn = &h->stn[i];
    char seed[65];
    if (h->nstn == 1) {
        snprintf(sn->sock, sizeof sn->sock, "%s/station.sock", h->dir);
        snprintf(sn->queue, sizeof sn->queue, "%s/queue", h->dir);
        snprintf(sn->keyf, sizeof sn->keyf, "%s/station.key", h->dir);
    } else {
        snprintf(sn->sock, sizeof sn->sock, "%s/st%zu.sock", h->dir, i + 1);
        snprintf(sn->queue, sizeof sn->queue, "%s/queue%zu", h->dir, i + 1);
        snprintf(sn->keyf, sizeof sn->keyf, "%s/st%zu.key", h->dir, i + 1);
    }
    unlink(sn->keyf);
    FILE *f = fopen(sn->keyf, "w");
    if (!f)
        return PV_E_IO;
    (void)chmod(sn->keyf, 0600);
    sodium_bin2hex(seed, sizeof seed, sn->sk, 32);
    fprintf(f, "%s\n", seed);
    fclose(f);
    sodium_memzero(seed, sizeof seed);
    return PV_OK;
}

int sim_http_start_station(sim *s, http_ctx *h)
{
    char url[128], bin[600];
    for (size_t i = 0; i < h->nstn; i++)
        if (station_files(h, i) != PV_OK)
            return PV_E_IO;
    if (!s->allday && http_set_time(s, s->now) != PV_OK)
        fprintf(stderr, "portvakt-sim: the server's clock cannot be set; start it with "
                        "--sim-clock to run the day in accelerated time\n");
    h->relay = sim_relay_start(h->host, h->port);
    if (!h->relay)
        return PV_E_IO;
    snprintf(url, sizeof url, "https://127.0.0.1:%d", sim_relay_port(h->relay));
    if (strncmp(h->o.server, "http://", 7) == 0)
        snprintf(url, sizeof url, "http://127.0.0.1:%d", sim_relay_port(h->relay));
    const char *exe = station_binary(h, bin, sizeof bin);
    snprintf(h->uplink, sizeof h->uplink, "%s", url);
    snprintf(h->exe, sizeof h->exe, "%s", exe);
    for (size_t i = 0; i < h->nstn; i++)
        if (spawn_station(h, &h->stn[i]) != PV_OK)
            return PV_E_IO;
    return PV_OK;
}

/* Starts portvakt-station with the settings in h and sn and waits for its key socket. */
static int spawn_station(http_ctx *h, http_station *sn)
{
    char id[24], *exe = h->exe, *url = h->uplink;
    snprintf(id, sizeof id, "%lld", sn->id);
    unlink(sn->sock);
    char *argv[] = {(char *)exe, "--server", url, "--station-id", id, "--station-key", sn->keyf,
                    "--queue-dir", sn->queue, "--key-socket", sn->sock, "--clock-file", h->clockf,
                    "--ca-cert", (char *)(h->o.ca_cert ? h->o.ca_cert : ""), NULL};
    if (!h->o.ca_cert)
        argv[13] = NULL; /* drop "--ca-cert" itself, not only its value */
    sn->pid = fork();
    if (sn->pid == 0) {
        /* the station must not outlive a simulator that dies without its teardown */
        (void)prctl(PR_SET_PDEATHSIG, SIGTERM);
        char logf[340];
        snprintf(logf, sizeof logf, "%s/station.log", h->dir); /* shared: appends */
        if (!freopen(logf, "a", stderr))
            _exit(127);
        execv(exe, argv);
        fprintf(stderr, "portvakt-sim: cannot start %s: %s\n", exe, strerror(errno));
        _exit(127);
    }
    struct stat st;
    for (int i = 0; i < 200 && stat(sn->sock, &st) != 0; i++)
        usleep(50000);
    return stat(sn->sock, &st) == 0 ? PV_OK : PV_E_IO;
}

static int http_setup(sim *s)
{
    http_ctx *h = s->be.ctx;
    int rc = sim_http_register(s, h);
    if (rc == PV_OK)
        rc = sim_http_start_station(s, h);
    return rc;
}

/* A second central administrator for the person watching the district in the web UI
 * (the first one's login was used up by the simulator's own TOTP enrolment). */
static int make_demo_user(http_ctx *h, const char *out)
{
    json_t *o = NULL;
    long st = sim_api_call(h->api, "POST", "/api/v1/users",
                           json_pack("{s:s,s:s,s:s}", "username", "demo", "display_name",
                                     "Demo (alarm centre)", "role", "central_admin"),
                           &o);
    const char *pw = json_string_value(json_object_get(o, "initial_password"));
    FILE *f = (st == 200 || st == 201) && pw ? fopen(out, "w") : NULL;
    if (f) {
        fprintf(f, "demo %s\n", pw);
        fclose(f);
    }
    json_decref(o);
    return f ? PV_OK : PV_E_IO;
}

static int parse_server(http_ctx *h)
{
    const char *p = strstr(h->o.server, "://");
    p = p ? p + 3 : h->o.server;
    if (sscanf(p, "%63[^:/]:%d", h->host, &h->port) != 2) {
        snprintf(h->host, sizeof h->host, "127.0.0.1");
        h->port = strncmp(h->o.server, "https", 5) == 0 ? 443 : 80;
    }
    if (strcmp(h->host, "localhost") == 0)
        snprintf(h->host, sizeof h->host, "127.0.0.1");
    return PV_OK;
}

int sim_backend_http(sim *s, const sim_http_opts *o)
{
    http_ctx *h = calloc(1, sizeof *h);
    if (!h)
        return PV_E_NOMEM;
    h->o = *o;
    s->be = (sim_backend){.name = "server", .setup = http_setup,
                          .visit_station = http_visit_station, .report_lost = http_report_lost,
                          .new_key = http_new_key, .provider_change = http_provider_change,
                          .set_uplink = http_set_uplink, .set_time = http_set_time,
                          .crash_station = http_crash_station,
                          .finish = http_finish, .teardown = http_teardown, .ctx = h};
    if (o->work_dir) {
        snprintf(h->dir, sizeof h->dir, "%s", o->work_dir);
        if (mkdir(h->dir, 0700) != 0 && errno != EEXIST)
            return PV_E_IO;
    } else {
        snprintf(h->dir, sizeof h->dir, "/tmp/portvakt-sim-XXXXXX");
        if (!mkdtemp(h->dir))
            return PV_E_IO;
        h->made_dir = 1;
    }
    snprintf(h->clockf, sizeof h->clockf, "%s/clock", h->dir);
    parse_server(h);
    h->api = sim_api_new(o->server, o->ca_cert);
    if (!h->api)
        return PV_E_NOMEM;
    if (o->token) {
        sim_api_set_token(h->api, o->token);
        snprintf(h->token, sizeof h->token, "%s", o->token);
    } else if (o->admin && o->password) {
        char *t = sim_api_bootstrap_token(h->api, o->admin, o->password);
        if (!t) {
            fprintf(stderr, "portvakt-sim: could not sign in as %s (first login with TOTP "
                            "enrolment) to create an API token\n", o->admin);
            return PV_E_IO;
        }
        sim_api_set_token(h->api, t);
        snprintf(h->token, sizeof h->token, "%s", t);
        if (o->token_out) {
            FILE *f = fopen(o->token_out, "w");
            if (f) {
                fprintf(f, "%s\n", t);
                fclose(f);
            }
        }
        free(t);
        if (o->demo_out)
            (void)make_demo_user(h, o->demo_out);
    } else {
        fprintf(stderr, "portvakt-sim: --server needs --token, or --admin and --password\n");
        return PV_E_ARG;
    }
    return PV_OK;
}
