/* TLS over real HTTP: with a configured certificate the server speaks HTTPS (verified
 * against that certificate) and sends HSTS; without one it refuses any non-loopback
 * address. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pvt.h"

static int run(const char *const *argv)
{
    pid_t pid = fork();
    if (pid == 0) {
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    char cert[700], key[700], dir[600];
    snprintf(dir, sizeof dir, "%s-pki", argv[2]);
    snprintf(cert, sizeof cert, "%s/cert.pem", dir);
    snprintf(key, sizeof key, "%s/key.pem", dir);
    const char *mk[] = {"mkdir", "-p", dir, NULL};
    const char *gen[] = {"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                         "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", cert,
                         "-days", "2", "-subj", "/CN=127.0.0.1", "-addext",
                         "subjectAltName=IP:127.0.0.1", NULL};
    if (run(mk) != 0 || run(gen) != 0) {
        fprintf(stderr, "test_tls: openssl is needed to make a test certificate\n");
        return 1;
    }
    const char *extra[] = {"--tls-cert", cert, "--tls-key", key, NULL};
    struct pvt_server s;
    if (pvt_start(&s, argv[1], argv[2], extra) != 0)
        return 1;
    struct pvt_resp r;
    CHECK(pvt_req(&s, NULL, "GET", "/healthz", NULL, &r) == 0 && r.status == 200 &&
              strstr(r.headers, "Strict-Transport-Security:") != NULL,
          "HTTPS with HSTS: %ld", r.status);
    pvt_resp_free(&r);
    struct pvt_client admin;
    CHECK(pvt_login_admin(&s, &admin) == 0, "sign-in over HTTPS");
    CHECK(pvt_stop(&s) == 0, "stop");
    const char *plain[] = {argv[1], "serve", "--db", s.db, "--issuer-key", s.key, "--listen",
                           "0.0.0.0:0", NULL};
    CHECK(run(plain) != 0, "plain HTTP on a non-loopback address is refused");
    printf("test_tls: %d failure(s)\n", pvt_failures);
    return pvt_failures ? 1 : 0;
}
