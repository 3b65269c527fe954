/* Sign-in throttling for usernames that do not exist ("ghosts"): their failures, delay and
 * lockout are kept in memory, so an unknown name is delayed and locked exactly like a real
 * account (4th wrong password 429, locked after the limit) and the answers do not tell which
 * names exist. Names are kept only as a keyed hash; a full table forgets the quietest ghost. */
#include <pthread.h>
#include <string.h>

#include <sodium.h>

#include "pvs/core.h"

#define GHOSTS 4096
#define PROBES 8

static struct ghost {
    uint8_t h[16];
    int64_t failed, next_at, locked_until, last;
} ghosts[GHOSTS];
static uint8_t ghost_key[crypto_generichash_KEYBYTES];
static pthread_mutex_t ghost_mu = PTHREAD_MUTEX_INITIALIZER;
static bool ghost_ready;

/* The ghost's slot: the one holding this name, else a free or the quietest one (cleared). */
static struct ghost *ghost_slot(const char *username, bool take)
{
    if (!ghost_ready) {
        randombytes_buf(ghost_key, sizeof ghost_key);
        ghost_ready = true;
    }
    uint8_t h[16];
    crypto_generichash(h, sizeof h, (const uint8_t *)username, strlen(username), ghost_key,
                       sizeof ghost_key);
    uint32_t at = ((uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16) % GHOSTS;
    struct ghost *quiet = NULL;
    for (uint32_t i = 0; i < PROBES; i++) {
        struct ghost *g = &ghosts[(at + i) % GHOSTS];
        if (sodium_memcmp(g->h, h, sizeof h) == 0)
            return g;
        if (!quiet || g->last < quiet->last)
            quiet = g;
    }
    if (!take)
        return NULL;
    memset(quiet, 0, sizeof *quiet);
    memcpy(quiet->h, h, sizeof h);
    return quiet;
}

void pvs_ghost_get(const char *username, int64_t *failed, int64_t *next_at, int64_t *locked_until)
{
    pthread_mutex_lock(&ghost_mu);
    const struct ghost *g = ghost_slot(username, false);
    *failed = g ? g->failed : 0;
    *next_at = g ? g->next_at : 0;
    *locked_until = g ? g->locked_until : 0;
    pthread_mutex_unlock(&ghost_mu);
}

void pvs_ghost_put(const char *username, int64_t failed, int64_t next_at, int64_t locked_until,
                   int64_t now)
{
    pthread_mutex_lock(&ghost_mu);
    struct ghost *g = ghost_slot(username, true);
    g->failed = failed;
    g->next_at = next_at;
    g->locked_until = locked_until;
    g->last = now;
    pthread_mutex_unlock(&ghost_mu);
}
