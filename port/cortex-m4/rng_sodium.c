/* The TRNG stand-in as libsodium's randombytes implementation, for the images that let
 * libsodium draw random bytes itself (the unit tests' and the bench's key generation).
 * The lock firmware takes its random bytes only through pv_lock_ops and links none of it. */
#include <sodium.h>

#include "board.h"

static const char *rng_name(void)
{
    return "pv_m4_seeded";
}
static uint32_t rng_random(void)
{
    uint32_t v;
    (void)pv_m4_random((uint8_t *)&v, sizeof v);
    return v;
}
static void rng_buf(void *buf, size_t size)
{
    (void)pv_m4_random(buf, size);
}

static struct randombytes_implementation rng_impl = {
    .implementation_name = rng_name, .random = rng_random, .buf = rng_buf};

void pv_m4_rng_install(void)
{
    pv_m4_rng_init();
    randombytes_set_implementation(&rng_impl);
}
