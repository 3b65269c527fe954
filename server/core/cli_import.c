/* `portvakt-server import`: the care-planning file from a nightly job or a person at a
 * terminal — the diff (default) or the applied changes, every refused line in Swedish. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../rules/calendar.h"
#include "../services/care_import.h"
#include "pvs/clock.h"
#include "pvs/server.h"

int pvs_cli_import(int argc, char **argv);

struct import_args {
    struct pvs_config cfg;
    bool apply;
    const char *file;
};

static int parse_args(struct import_args *a, int argc, char **argv)
{
    char err[400];
    pvs_config_defaults(&a->cfg);
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--apply") == 0) {
            a->apply = true;
        } else if ((strcmp(argv[i], "--config") == 0 || strcmp(argv[i], "--db") == 0) &&
                   i + 1 < argc) {
            int rc = argv[i][2] == 'c' ? pvs_config_load(&a->cfg, argv[i + 1], err, sizeof err)
                                       : pvs_config_set(&a->cfg, "db", argv[i + 1], err, sizeof err);
            if (rc != 0) {
                fprintf(stderr, "portvakt-server: %s\n", err);
                return -1;
            }
            i++;
        } else if (!a->file && (argv[i][0] != '-' || strcmp(argv[i], "-") == 0)) {
            a->file = argv[i];
        } else {
            fprintf(stderr, "portvakt-server: import (--db FILE | --config FILE) [--apply] FILE\n");
            return -1;
        }
    }
    if (!a->file || !a->cfg.db[0]) {
        fprintf(stderr, "portvakt-server: import needs the database (--db or --config) and a file\n");
        return -1;
    }
    return 0;
}

/* The whole file, at most one byte past the limit (so "too large" is still seen). */
static char *read_file(const char *path, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(PVS_IMP_MAX_BYTES + 2);
    *len = buf ? fread(buf, 1, PVS_IMP_MAX_BYTES + 1, f) : 0;
    bool bad = ferror(f);
    if (f != stdin)
        fclose(f);
    if (bad) {
        free(buf);
        return NULL;
    }
    return buf;
}

static void print_report(const pvs_imp_file *f, const pvs_imp_result *res, bool apply)
{
    char text[600];
    for (size_t i = 0; i < f->nerrors; i++) {
        pvs_imp_error_text(f, &f->errors[i], text, sizeof text);
        printf("%s\n", text);
    }
    if (f->errors_total) {
        if (f->errors_total > f->nerrors)
            printf("... och %zu rader till.\n", f->errors_total - f->nerrors);
        printf("Importen stoppades: %zu rader fel. Ingenting har ändrats.\n", f->errors_total);
        return;
    }
    for (size_t i = 0; i < f->nrows; i++) {
        const pvs_imp_row *w = &f->rows[i];
        const pvs_imp_outcome *o = &res->outcome[i];
        if (o->action == PVS_IMPA_CREATE)
            printf("%s %u: ny brukare larmkod %s, %s, utförare %s\n", f->json ? "Post" : "Rad",
                   (unsigned)w->line, w->alarm_code, w->address, w->provider);
        else if (o->action == PVS_IMPA_CHANGE)
            printf("%s %u: larmkod %s byter utförare från %s till %s den %s\n",
                   f->json ? "Post" : "Rad", (unsigned)w->line, w->alarm_code,
                   o->from_provider[0] ? o->from_provider : "(ingen)", w->provider, w->date);
    }
    printf("%s: %zu nya brukare, %zu byten av utförare, %zu rader redan rätt.\n",
           apply ? "Genomfört" : "Provkörning (inget ändrat; kör med --apply)", res->created,
           res->changed, res->unchanged);
}

int pvs_cli_import(int argc, char **argv)
{
    struct import_args a = {0};
    if (parse_args(&a, argc, argv) != 0)
        return 2;
    umask(077);
    size_t len = 0;
    char *buf = read_file(a.file, &len);
    if (!buf) {
        fprintf(stderr, "portvakt-server: cannot read %s\n", a.file);
        return 2;
    }
    pvs_imp_file *f = malloc(sizeof *f);
    pvs_db *db = NULL;
    char err[400];
    int applied = 0, rc = f ? PVS_DB_OK : PVS_DB_ERROR;
    if (rc == PVS_DB_OK) {
        (void)pvs_imp_parse(buf, len, f); /* refusals are printed below */
        rc = pvs_db_open(pvs_db_ops_for(a.cfg.db), a.cfg.db, &db, err, sizeof err);
        if (rc == PVS_DB_OK)
            rc = pvs_migrate(db, &applied, err, sizeof err);
    }
    free(buf);
    pvs_imp_result res = {0};
    struct pvs_audit_actor who = {0, "portvakt-server import", "cli", "local", "import"};
    if (rc == PVS_DB_OK)
        rc = pvs_care_import(db, &who, f, a.apply, pvs_local_day(pvs_now()), &res);
    if (rc == PVS_DB_OK)
        print_report(f, &res, a.apply);
    else
        fprintf(stderr, "portvakt-server: import failed (%s), nothing changed\n", pvs_db_rcname(rc));
    int exit_code = rc != PVS_DB_OK ? 3 : f->errors_total ? 1 : 0;
    pvs_care_import_free(&res);
    if (f)
        pvs_imp_free(f);
    free(f);
    pvs_db_close(db);
    return exit_code;
}
