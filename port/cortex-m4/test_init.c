/* Set-up for the unit-test images: the seeded random stand-in installed before the test's
 * main() calls sodium_init() (a constructor, so the host test sources run unchanged). */
#include "board.h"

__attribute__((constructor)) static void test_init(void)
{
    pv_m4_rng_install();
}
