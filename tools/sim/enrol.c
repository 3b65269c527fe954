/* `portvakt-sim enrol`: a new key presented at its provider's station, as a planner's
 * colleague would hold a fresh fob to it — the station hands the key's public key up and
 * shows the short code the planner then types (docs/enrolment.md). */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "link.h"

/* The key at the station: ENROL, and the station's words back. */
static int present(http_ctx *h, const uint8_t sk[64], pvst_status *st)
{
    pvst_enrol e;
    int fd = h->nstn ? pvst_key_connect(h->stn[0].sock) : -1;
    if (fd < 0)
        return PV_E_IO;
    pvst_fd_link fl;
    pvst_link_ops ops;
    pvst_fd_link_init(&fl, fd, 30000, &ops);
    int rc = pvst_enrol_make(sk, 0, &e);
    if (rc == PV_OK)
        rc = pvst_key_enrol(&ops, &e, st);
    close(fd);
    return rc;
}

int sim_enrol_cmd(const sim_http_opts *o, sim_visit_opts *v)
{
    sim s = {.scenario = "enrol", .lost_staff = -1, .out = stderr, .allday = 1};
    uint8_t pk[32], sk[64];
    pvst_status st = {0};
    int rc = v->have_seed && v->provider_id && !v->nlocks && !v->bearer_id ? PV_OK : PV_E_ARG;
    if (rc != PV_OK)
        fprintf(stderr, "portvakt-sim: enrol needs --provider-id and --bearer-seed (the new "
                        "key's Ed25519 seed), and no --bearer-id or --lock-id\n");
    else
        crypto_sign_seed_keypair(pk, sk, v->bearer_seed);
    s.now = (uint64_t)time(NULL);
    if (rc == PV_OK)
        rc = sim_backend_http(&s, o);
    http_ctx *h = s.be.ctx;
    if (rc == PV_OK)
        rc = sim_http_add_station(h, v->provider_id, "portvakt-sim enrol");
    if (rc == PV_OK)
        rc = sim_http_start_station(&s, h);
    if (rc == PV_OK)
        rc = present(h, sk, &st);
    if (rc == PV_OK)
        printf("station: %s\n", st.text);
    else
        fprintf(stderr, "portvakt-sim: the new key was not shown at a station: %s\n",
                pv_strerror(rc));
    if (h)
        sim_visit_retire_station(&s, o);
    sim_free(&s);
    sodium_memzero(sk, sizeof sk);
    sodium_memzero(v, sizeof *v);
    return rc == PV_OK && st.code == PVST_ST_ENROL ? 0 : 1;
}
