/* `portvakt unlock`: press a bearer's button at a lock and run the exchange over the
 * virtual radio — in-process, or over a Unix socket to a `portvakt lock-serve` process
 * (where a man-in-the-middle process may sit). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void report(uint32_t b, uint32_t lock_id, int status, const pv_key_outcome *o)
{
    if (status == PV_OK)
        printf("bearer %" PRIu32 " at lock %" PRIu32 ": opened", b, lock_id);
    else
        printf("bearer %" PRIu32 " at lock %" PRIu32 ": refused — %s (%s)", b, lock_id,
               pv_key_reason_text(status), pv_errname(status));
    if (o && o->got_batch)
        printf("; collected the lock's log batch");
    if (o && o->delivered)
        printf("; delivered a newer revocation list or time");
    printf("\n");
}

/* The key role over a socket, frame by frame. */
static int unlock_socket(cli_key *k, const char *path, pv_key_outcome *o)
{
    pv_sim_radio r;
    if (pv_sim_sock_connect(path, &r) != PV_OK) {
        fprintf(stderr, "portvakt: no lock answers on %s\n", path);
        return PV_E_IO;
    }
    uint8_t m1[PV_HELLO_SIZE], in[PV_MSG_MAX], m3[PV_MSG_MAX];
    size_t inlen, m3len = 0;
    pv_key_confirm(k->sk.key);
    int rc = pv_key_unlock_start(k->sk.key, m1);
    if (rc == PV_OK)
        rc = pv_sim_radio_send(&r, m1, sizeof m1);
    if (rc == PV_OK)
        rc = pv_sim_radio_recv(&r, in, sizeof in, &inlen, 3000);
    if (rc == PV_OK) {
        rc = pv_key_on_challenge(k->sk.key, in, inlen, m3, sizeof m3, &m3len);
        int sent = m3len > 0 ? pv_sim_radio_send(&r, m3, m3len) : PV_E_STATE;
        if (m3len > 0 && sent == PV_OK) {
            int rrc = pv_sim_radio_recv(&r, in, sizeof in, &inlen, 3000);
            if (rrc == PV_OK) {
                int res = pv_key_on_result(k->sk.key, in, inlen, o);
                rc = rc == PV_OK ? res : rc;
            } else {
                pv_key_abort(k->sk.key, PV_E_TIMEOUT);
                rc = PV_E_TIMEOUT;
            }
        }
    } else if (pv_key_get_state(k->sk.key) != PV_KEY_READY) {
        pv_key_abort(k->sk.key, PV_E_TIMEOUT);
    }
    pv_sim_sock_close(&r);
    return rc;
}

int cmd_unlock(int argc, char **argv)
{
    cli_opt o[] = {{"--dir", 1, NULL, 0}, {"--bearer-id", 1, NULL, 0}, {"--lock-id", 1, NULL, 0},
                   {"--socket", 1, NULL, 0}};
    const size_t no = sizeof o / sizeof o[0];
    if (cli_parse(argc, argv, 2, o, no) != 0)
        return 2;
    const char *dir = cli_value(o, no, "--dir"), *sock = cli_value(o, no, "--socket");
    uint32_t b, lock_id = 0;
    if (!dir || !cli_value(o, no, "--bearer-id") || (!sock && !cli_value(o, no, "--lock-id"))) {
        fprintf(stderr, "portvakt: unlock needs --dir DIR --bearer-id N and --lock-id N "
                        "(in-process) or --socket PATH (a lock-serve process)\n");
        return 2;
    }
    if (cli_u32(cli_value(o, no, "--bearer-id"), "--bearer-id", 1, UINT32_MAX, &b) != 0 ||
        (cli_value(o, no, "--lock-id") &&
         cli_u32(cli_value(o, no, "--lock-id"), "--lock-id", 1, UINT32_MAX, &lock_id) != 0))
        return 2;
    static cli_key k;
    if (sd_key_open(dir, b, &k) != 0)
        return 1;
    pv_key_outcome out;
    memset(&out, 0, sizeof out);
    int status;
    if (sock) {
        status = unlock_socket(&k, sock, &out);
        report(b, out.lock_id, status, &out);
    } else {
        static pv_sim_lock sl;
        if (sd_lock_open(dir, lock_id, &sl) != 0) {
            sd_key_close(&k);
            return 1;
        }
        pv_sim_unlock_stats st;
        status = pv_sim_unlock(&k.sk, &sl, 20, &st);
        report(b, lock_id, status, NULL);
        printf("  %u round trips; %zu bytes to the lock, %zu bytes back\n", st.round_trips,
               st.m1 + st.m3, st.m2 + st.m4);
        if (sd_lock_save(dir, lock_id, &sl) != 0)
            status = PV_E_IO;
    }
    sd_key_close(&k);
    return status == PV_OK ? 0 : 1;
}
