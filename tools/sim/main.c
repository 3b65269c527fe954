/* portvakt-sim: runs a simulated district day against the real lock and key cores, and
 * either the real portvakt-server (through the real portvakt-station) or an in-process
 * issuer; prints a report. Usage: docs/simulator.md. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim.h"

static void usage(void)
{
    fprintf(stderr,
            "usage: portvakt-sim --scenario arsta|city [--json] [--quiet] [--speed N]\n"
            "         [--server URL --token T [--ca-cert PEM] [--station-bin PATH]]\n"
            "       portvakt-sim visit --server URL --token T [--ca-cert PEM]\n"
            "         [--bearer-id N --bearer-seed HEX\n"
            "          --lock-id L --lock-seed HEX [--expect open|refused] [--battery-mv MV] ...]\n"
            "       portvakt-sim enrol --server URL --token T --provider-id P --bearer-seed HEX\n"
            "       portvakt-sim bench-city --server URL (--token T | --admin U --password P)\n"
            "         --station-bin PATH [--ca-cert PEM]   (server started with --sim-clock)\n"
            "  Without --server the day runs against an in-process issuer (backend \"local\").\n"
            "  --speed N: simulated seconds per real second (default: as fast as possible).\n"
            "  --live: catch up with the wall clock, then run at its pace (sign-in works).\n"
            "See docs/simulator.md.\n");
}

typedef struct args {
    const char *scenario;
    int json, quiet, bench, live;
    double speed;
    sim_http_opts http;
    sim_visit_opts visit;
} args;

static int parse(int argc, char **argv, args *a)
{
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        char *v = i + 1 < argc ? argv[i + 1] : NULL;
        int vo = v ? sim_visit_opt(&a->visit, o, v) : 0;
        if (vo < 0)
            return -1;
        if (vo > 0)
            i++;
        else if (strcmp(o, "--json") == 0)
            a->json = 1;
        else if (strcmp(o, "--bench-lines") == 0)
            a->bench = a->quiet = 1;
        else if (strcmp(o, "--quiet") == 0)
            a->quiet = 1;
        else if (strcmp(o, "--live") == 0)
            a->live = 1;
        else if (v && strcmp(o, "--scenario") == 0)
            a->scenario = v, i++;
        else if (v && strcmp(o, "--speed") == 0)
            a->speed = atof(v), i++;
        else if (v && strcmp(o, "--server") == 0)
            a->http.server = v, i++;
        else if (v && strcmp(o, "--token") == 0)
            a->http.token = v, i++;
        else if (v && strcmp(o, "--ca-cert") == 0)
            a->http.ca_cert = v, i++;
        else if (v && strcmp(o, "--station-bin") == 0)
            a->http.station_bin = v, i++;
        else if (v && strcmp(o, "--work-dir") == 0)
            a->http.work_dir = v, i++;
        else if (v && strcmp(o, "--admin") == 0)
            a->http.admin = v, i++;
        else if (v && strcmp(o, "--password") == 0)
            a->http.password = v, i++;
        else if (v && strcmp(o, "--token-out") == 0)
            a->http.token_out = v, i++;
        else if (v && strcmp(o, "--demo-user-out") == 0)
            a->http.demo_out = v, i++;
        else {
            fprintf(stderr, "portvakt-sim: unknown or incomplete option \"%s\"\n", o);
            return -1;
        }
    }
    return 0;
}

/* The key and lock options belong to `visit`; elsewhere they would be silently ignored. */
static int no_visit_opts(const args *a)
{
    if (!a->visit.bearer_id && !a->visit.have_seed && !a->visit.nlocks)
        return 1;
    fprintf(stderr, "portvakt-sim: --bearer-id, --bearer-seed, --lock-id, --lock-seed and "
                    "--expect are options of `portvakt-sim visit`\n");
    return 0;
}

/* --scenario arsta|city: build, set up through the backend, commission, run, report. */
static int run_day(args *aa)
{
    args a = *aa;
    int city = strcmp(a.scenario, "city") == 0;
    if (!city && strcmp(a.scenario, "arsta") != 0) {
        fprintf(stderr, "portvakt-sim: unknown scenario \"%s\" (arsta or city)\n", a.scenario);
        return 2;
    }
    sim s = {.scenario = a.scenario, .lost_staff = -1, .speed = a.speed, .live = a.live};
    s.out = a.quiet || a.json ? NULL : stderr;
    if (a.json && !a.quiet)
        s.out = stderr;
    int rc = city ? sim_build_city(&s) : sim_build_arsta(&s);
    if (rc == PV_OK)
        rc = a.http.server ? sim_backend_http(&s, &a.http) : sim_backend_local(&s);
    if (rc == PV_OK)
        rc = sim_alloc_hw(&s);
    if (rc == PV_OK)
        rc = s.be.setup(&s);
    if (rc == PV_OK)
        rc = sim_commission(&s, s.issuer_pk);
    if (rc != PV_OK) {
        fprintf(stderr, "portvakt-sim: setting up the district failed: %s\n", pv_strerror(rc));
        sim_free(&s);
        return 1;
    }
    sim_say(&s, "district ready: %zu locks commissioned, %zu keys, backend %s", s.nlocks,
            s.nstaff, s.be.name);
    rc = sim_run_day(&s);
    if (a.bench)
        sim_report_bench(&s, stdout);
    else if (a.json)
        sim_report_json(&s, stdout);
    else
        sim_report_text(&s, stdout);
    sim_free(&s);
    if (rc != PV_OK)
        fprintf(stderr, "portvakt-sim: the day ended with an error: %s\n", pv_strerror(rc));
    return rc == PV_OK ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (sodium_init() < 0)
        return 1;
    args a = {.scenario = "arsta"};
    if (!getenv("TZ")) { /* a Stockholm district: shifts and windows in Swedish time */
        setenv("TZ", "Europe/Stockholm", 1);
        tzset();
    }
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage();
        return 0;
    }
    if (argc >= 2 && strcmp(argv[1], "bench-city") == 0) {
        if (parse(argc - 1, argv + 1, &a) != 0 || !a.http.server || !a.http.station_bin) {
            usage();
            return 2;
        }
        return no_visit_opts(&a) ? sim_bench_city(&a.http, a.http.station_bin) : 2;
    }
    if (argc >= 2 && strcmp(argv[1], "enrol") == 0) {
        if (parse(argc - 1, argv + 1, &a) != 0 || !a.http.server) {
            usage();
            return 2;
        }
        return sim_enrol_cmd(&a.http, &a.visit);
    }
    if (argc >= 2 && strcmp(argv[1], "visit") == 0) {
        if (parse(argc - 1, argv + 1, &a) != 0 || !a.http.server) {
            usage();
            return 2;
        }
        return sim_visit_cmd(&a.http, &a.visit);
    }
    if (parse(argc, argv, &a) != 0) {
        usage();
        return 2;
    }
    return no_visit_opts(&a) ? run_day(&a) : 2;
}
