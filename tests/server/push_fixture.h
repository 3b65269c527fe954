/* Shared by the push test and its benchmark (test_push_http.c, bench/bench_push.c): keys
 * written into the running server's store, a right granted to one key's staff member (in one
 * transaction with the rights generation, as the API does), and held long-poll requests on
 * raw sockets (many at once without a thread each). */
#ifndef PVS_TEST_PUSH_FIXTURE_H
#define PVS_TEST_PUSH_FIXTURE_H

#include <stdint.h>

#include "pvt.h"

typedef struct pfx_key {
    int64_t staff, bearer;
    uint8_t sk[64];
} pfx_key;

/* A provider and n keys, each of its own staff member. Returns 0 or -1. */
int pfx_keys(struct pvt_server *s, int n, pfx_key *keys);
/* A standing right for k's staff member at a new recipient in a new building. 0 or -1. */
int pfx_grant(struct pvt_server *s, const pfx_key *k);
/* POST /phone/wait {bearer, token} (token NULL: none) and its answer: the status, the token
 * (out, 33 bytes) and the problem type (type, 64 bytes, "" when none). */
long pfx_wait(struct pvt_server *s, int64_t bearer, const char *token, char *out, char *type);
/* The same on a raw socket from source address `src` (NULL: any), left unread: the socket,
 * or -1. pfx_answer reads its status (0 when the server closed it without one). */
int pfx_hold(const struct pvt_server *s, const char *src, int64_t bearer, const char *token);
long pfx_answer(int fd, int timeout_ms);
/* The key's current sync: whether the credential holds a door (1), none (0) or failed (-1). */
int pfx_sync_doors(struct pvt_server *s, const pfx_key *k);

#endif
