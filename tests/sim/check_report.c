/* Runs portvakt-sim with the given arguments and checks the Årsta day's report: every
 * legitimate visit opened, the night alarm answered, zero log gaps, and no opening by the
 * lost key at a lock that already knew of its revocation.
 * Usage: check_report PORTVAKT-SIM ARGS...  (exit 77 = skipped) */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

static int failures;

static long long field(json_t *j, const char *path)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", path);
    json_t *cur = j;
    for (char *tok = strtok(buf, "."); tok && cur; tok = strtok(NULL, "."))
        cur = json_object_get(cur, tok);
    if (!json_is_integer(cur) && !json_is_real(cur)) {
        fprintf(stderr, "FAIL: report has no numeric field %s\n", path);
        failures++;
        return -1;
    }
    return json_is_integer(cur) ? json_integer_value(cur) : (long long)json_real_value(cur);
}

#define EXPECT(cond, ...)                                                                     \
    do {                                                                                      \
        if (!(cond)) {                                                                        \
            fprintf(stderr, "FAIL: " __VA_ARGS__);                                            \
            fprintf(stderr, "\n");                                                            \
            failures++;                                                                       \
        }                                                                                     \
    } while (0)

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    char cmd[4096] = "";
    for (int i = 1; i < argc; i++) {
        strncat(cmd, "'", sizeof cmd - strlen(cmd) - 1);
        strncat(cmd, argv[i], sizeof cmd - strlen(cmd) - 1);
        strncat(cmd, "' ", sizeof cmd - strlen(cmd) - 1);
    }
    FILE *p = popen(cmd, "r");
    if (!p)
        return 1;
    static char out[1 << 16];
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = 0;
    int st = pclose(p);
    if (WIFEXITED(st) && WEXITSTATUS(st) == 77)
        return 77;
    json_error_t err;
    json_t *j = json_loads(out, 0, &err);
    if (!j) {
        fprintf(stderr, "FAIL: not one JSON object (%s): %s\n", err.text, out);
        return 1;
    }
    long long att = field(j, "visits_attempted"), op = field(j, "visits_opened");
    EXPECT(att >= 60, "a full day of visits (%lld)", att);
    EXPECT(op == att, "every legitimate visit opens (%lld of %lld)", op, att);
    EXPECT(field(j, "alarms_opened") == field(j, "alarms") && field(j, "alarms") == 1,
           "the night alarm is answered");
    EXPECT(field(j, "log_gaps") == 0, "zero log gaps (%lld)", field(j, "log_gaps"));
    EXPECT(field(j, "lost_key_batches_dropped") == 0, "the lost key dropped no batch");
    EXPECT(field(j, "events_stored") > 0 && field(j, "events_stored") + field(j, "events_pending_on_locks") +
                   field(j, "events_with_lost_key") == field(j, "events_generated"),
           "every event generated is stored, still on its lock or with the lost key");
    EXPECT(field(j, "lost_key_attempts") > 0, "the finder tried the lost key");
    EXPECT(field(j, "lost_key_opens_after_revocation") == 0,
           "the lost key opens no lock that knew of its revocation (%lld)",
           field(j, "lost_key_opens_after_revocation"));
    EXPECT(field(j, "refusals.PV_E_REVOKED") > 0, "some lock refused the lost key as revoked");
    EXPECT(field(j, "revocation.locks_reached") > 0, "the revocation reached locks");
    EXPECT(field(j, "battery_warnings") == 1, "the dying battery was reported");
    EXPECT(field(j, "syncs_ok") >= 10, "shift-start syncs happened");
    EXPECT(field(j, "syncs_blocked") == 1, "the lost key is refused at the station as blocked");
    json_decref(j);
    if (failures)
        fprintf(stderr, "report was: %s\n", out);
    else
        printf("Årsta day report checked: %lld visits, all opened, 0 gaps\n", att);
    return failures ? 1 : 0;
}
