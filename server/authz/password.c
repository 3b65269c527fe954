/* Argon2id password hashing (libsodium, interactive limits), generated initial passwords and
 * the token hash used for session ids and API tokens. */
#include <pthread.h>
#include <string.h>

#include <sodium.h>

#include "pvs/core.h"

int pvs_password_hash(const char *pw, char out[128])
{
    /* interactive limits: ~64 MiB and well under a second on a small server */
    if (crypto_pwhash_str(out, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return -1;
    return 0;
}

bool pvs_password_verify(const char *hash, const char *pw)
{
    if (!hash || !pw)
        return false;
    return crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0;
}

/* A fixed hash of a random password, made once: verifying against it costs what a real
 * verify does, so timing does not tell whether a username exists. */
static char dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void make_dummy(void)
{
    char rnd[32];
    pvs_password_generate(rnd);
    if (pvs_password_hash(rnd, dummy_hash) != 0)
        dummy_hash[0] = '\0';
    sodium_memzero(rnd, sizeof rnd);
}

void pvs_password_dummy_verify(const char *pw)
{
    pthread_once(&dummy_once, make_dummy);
    (void)pvs_password_verify(dummy_hash, pw ? pw : "");
}

void pvs_password_generate(char out[32])
{
    /* 24 characters from a 32-symbol alphabet without look-alikes: 120 bits */
    static const char alphabet[] = "abcdefghjkmnpqrstuvwxyz23456789A";
    uint8_t rnd[24];
    randombytes_buf(rnd, sizeof rnd);
    int o = 0;
    for (int i = 0; i < 24; i++) {
        if (i && i % 6 == 0)
            out[o++] = '-';
        out[o++] = alphabet[rnd[i] & 31];
    }
    out[o] = '\0';
    sodium_memzero(rnd, sizeof rnd);
}

void pvs_token_hash(const char *token, uint8_t out[32])
{
    static const uint8_t key[] = "portvakt-token-v1";
    crypto_generichash(out, 32, (const uint8_t *)token, strlen(token), key, sizeof key - 1);
}
