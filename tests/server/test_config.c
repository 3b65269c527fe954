/* The config file parser: every key lands in its field, flags-style keys and comments work,
 * and each kind of mistake is refused with a message naming the line. */
#include <stdio.h>
#include <string.h>

#include "../../server/services/webhook_worker.h"
#include "pvs/server.h"

static int failures;
#define CHECK(cond, ...)                                                             \
    do {                                                                             \
        if (!(cond)) {                                                               \
            failures++;                                                              \
            fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);          \
            fprintf(stderr, __VA_ARGS__);                                            \
            fputc('\n', stderr);                                                     \
        }                                                                            \
    } while (0)

static int parse(struct pvs_config *c, const char *text, char *err, size_t cap)
{
    pvs_config_defaults(c);
    err[0] = '\0';
    return pvs_config_parse(c, text, strlen(text), err, cap);
}

int main(void)
{
    struct pvs_config c;
    char err[300];
    const char *good =
        "# Portvakt\n"
        "db = /var/lib/portvakt/pv.db\n"
        "  listen=[::1]:8443  \n"
        "\n"
        "tls-cert = /etc/portvakt/cert.pem\r\n"
        "tls-key = /etc/portvakt/key.pem\n"
        "issuer-key = /etc/portvakt/issuer.key\n"
        "web-root = /usr/share/portvakt/web\n"
        "threads = 8\n"
        "sim-clock = false\n"
        "session-idle = 900\n"
        "session-absolute = 28800\n"
        "login-max-failures = 5\n"
        "lockout-seconds = 600\n"
        "addr-max-failures = 100\n"
        "addr-window = 300\n"
        "trusted-proxy = 127.0.0.2\n";
    CHECK(parse(&c, good, err, sizeof err) == 0, "good file: %s", err);
    CHECK(strcmp(c.db, "/var/lib/portvakt/pv.db") == 0, "db");
    CHECK(strcmp(c.listen_host, "::1") == 0 && c.listen_port == 8443, "listen [::1]:8443");
    CHECK(strcmp(c.tls_cert, "/etc/portvakt/cert.pem") == 0, "CRLF trimmed");
    CHECK(c.threads == 8 && !c.sim_clock && c.session_idle_s == 900 && c.session_abs_s == 28800,
          "numbers and booleans");
    CHECK(c.login_max_failures == 5 && c.lockout_s == 600 && c.addr_max_failures == 100 &&
              c.addr_window_s == 300 && strcmp(c.trusted_proxy, "127.0.0.2") == 0, "throttling");

    /* outgoing events: retry settings land in the worker's schedule */
    CHECK(parse(&c, "webhook-retry-first = 30\nwebhook-retry-max = 600\nwebhook-attempts = 5\n"
                    "webhook-timeout = 3\n", err, sizeof err) == 0, "webhook settings: %s", err);
    CHECK(c.webhook.backoff_base_s == 30 && c.webhook.backoff_cap_s == 600 &&
              c.webhook.max_attempts == 5 && c.webhook.timeout_s == 3, "webhook fields");
    pvs_webhook_worker_configure(&c.webhook);
    CHECK(pvs_webhook_backoff(1) == 30 && pvs_webhook_backoff(2) == 60 &&
              pvs_webhook_backoff(5) == 480 && pvs_webhook_backoff(6) == 600 &&
              pvs_webhook_backoff(40) == 600, "30 s doubling to a 600 s cap");
    pvs_config_defaults(&c);
    CHECK(c.webhook.backoff_base_s == 10 && c.webhook.backoff_cap_s == 3600 &&
              c.webhook.max_attempts == 15 && c.webhook.timeout_s == 10, "webhook defaults");
    pvs_webhook_worker_configure(&c.webhook);
    CHECK(pvs_webhook_backoff(1) == 10 && pvs_webhook_backoff(15) == 3600, "default schedule");

    pvs_config_defaults(&c);
    CHECK(c.threads == 4 && c.listen_port == 8080 && strcmp(c.listen_host, "127.0.0.1") == 0 &&
              c.session_idle_s == 1800 && c.session_abs_s == 43200, "defaults");

    static const struct {
        const char *text;
        const char *needle;
    } bad[] = {
        {"db = x\ncolour = red\n", "line 2: unknown setting \"colour\""},
        {"threads = 0\n", "line 1: bad value for threads"},
        {"threads = 65\n", "bad value for threads"},
        {"threads = 4x\n", "bad value for threads"},
        {"threads = -1\n", "bad value for threads"},
        {"listen = 127.0.0.1\n", "bad value for listen"},
        {"listen = 127.0.0.1:70000\n", "bad value for listen"},
        {"listen = [::1:80\n", "bad value for listen"},
        {"sim-clock = yes\n", "bad value for sim-clock"},
        {"session-idle = 10\n", "bad value for session-idle"},
        {"trusted-proxy = proxy.example\n", "bad value for trusted-proxy"},
        {"webhook-attempts = 0\n", "bad value for webhook-attempts"},
        {"webhook-retry-first = 99999\n", "bad value for webhook-retry-first"},
        {"webhook-timeout = 10s\n", "bad value for webhook-timeout"},
        {"webhook-colour = red\n", "webhook-colour"},
        {"\n\njust words\n", "line 3: expected key = value"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK(parse(&c, bad[i].text, err, sizeof err) != 0 && strstr(err, bad[i].needle),
              "\"%s\" refused with \"%s\" (got \"%s\")", bad[i].text, bad[i].needle, err);
    char nul[] = "db = a\0b\n";
    pvs_config_defaults(&c);
    CHECK(pvs_config_parse(&c, nul, sizeof nul - 1, err, sizeof err) != 0 && strstr(err, "NUL"),
          "NUL byte refused: %s", err);
    char longline[3000];
    memset(longline, 'a', sizeof longline - 2);
    longline[sizeof longline - 2] = '\n';
    longline[sizeof longline - 1] = '\0';
    CHECK(parse(&c, longline, err, sizeof err) != 0 && strstr(err, "too long"), "long line: %s", err);
    CHECK(pvs_config_load(&c, "/nonexistent/portvakt.conf", err, sizeof err) != 0 &&
              strstr(err, "cannot open"), "missing file: %s", err);
    printf("test_config: %d failure(s)\n", failures);
    return failures ? 1 : 0;
}
